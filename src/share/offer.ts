/**
 * What the share buttons offer for a view: its link when the link would open, otherwise (an
 * edited scenario too large for a link) the scenario's document as a file. A link is too large
 * when decodeView would refuse it for its size: over MAX_SHARE_CHARS, or unpacking to over
 * MAX_UNPACKED_CHARS.
 */
import type { ScenarioInput } from "../engine/k8s/spec";
import { MAX_SHARE_CHARS, MAX_UNPACKED_CHARS, type ShareState } from "./codec";
import { decompressBounded } from "./lz-bounded";
import { defineCatalog } from "../i18n/catalog";
import type { Lang } from "../i18n/lang";

export type ShareOffer =
  /** The view's link opens: copy it. */
  | { readonly kind: "link" }
  /** The link would be refused for its size, and the scenario is a document: offer it as a file. */
  | { readonly kind: "file"; readonly reason: string }
  /** The link would be refused for its size, and there is no document to offer (a built-in's view). */
  | { readonly kind: "none"; readonly reason: string };

/** Why a link is refused, in the page's language (the English is the original wording). */
const OFFER_TEXT = defineCatalog(
  {
    file: (p: { why: string }) => `This scenario is too large for a link (${p.why}): share it as a file instead.`,
    none: (p: { why: string }) => `This view is too large for a link (${p.why}).`,
    tooLong: (p: { kb: number; max: string }) => `its data would be ${p.kb.toLocaleString("en-US")} KB, over the ${p.max} a link may carry`,
    tooLarge: (p: { mb: number }) => `its data would unpack to over ${p.mb} MB of text, more than a link may carry`,
  },
  {
    file: (p: { why: string }) => `Этот сценарий слишком велик для ссылки (${p.why}): поделитесь им как файлом.`,
    none: (p: { why: string }) => `Этот вид слишком велик для ссылки (${p.why}).`,
    tooLong: (p: { kb: number; max: string }) => `его данные заняли бы ${p.kb.toLocaleString("ru")} КБ, больше ${p.max.replace("KB", "КБ")}, которые может нести ссылка`,
    tooLarge: (p: { mb: number }) => `его данные распаковывались бы больше чем в ${p.mb} МБ текста — больше, чем может нести ссылка`,
  },
);

/** The last blob checked: the URL's sync and the share buttons ask about the same one (unpacking a big one takes a tenth of a second). */
let lastChecked: { view: string; lang: Lang; tooLarge: string | undefined } | undefined;

/** What to offer for sharing a view whose scenario is `scenario` and whose `view=` blob is `view`. */
export function shareOffer(scenario: ShareState["scenario"], view: string, lang: Lang = "en"): ShareOffer {
  const t = OFFER_TEXT[lang];
  if (lastChecked?.view !== view || lastChecked.lang !== lang) lastChecked = { view, lang, tooLarge: linkTooLarge(view, lang) };
  const tooLarge = lastChecked.tooLarge;
  if (tooLarge === undefined) return { kind: "link" };
  if ("spec" in scenario) return { kind: "file", reason: t.file({ why: tooLarge }) };
  return { kind: "none", reason: t.none({ why: tooLarge }) };
}

/** Why a `view=` blob is too large for a link to open (as a parenthesis), or undefined if it is not. */
function linkTooLarge(view: string, lang: Lang): string | undefined {
  const t = OFFER_TEXT[lang];
  if (view.length > MAX_SHARE_CHARS) return t.tooLong({ kb: Math.ceil(view.length / 1024), max: `${MAX_SHARE_CHARS / 1024} KB` });
  if (decompressBounded(view, MAX_UNPACKED_CHARS).kind === "too-large") return t.tooLarge({ mb: MAX_UNPACKED_CHARS / 1048576 });
  return undefined;
}

/** A scenario's document as a file: pretty-printed JSON named after the scenario's id. */
export function scenarioFile(spec: ScenarioInput): { readonly name: string; readonly text: string } {
  // The id is checked where documents are read; a name that is not one falls back to a plain one.
  const id = typeof spec.id === "string" && /^[a-z0-9][-a-z0-9]{0,62}$/.test(spec.id) ? spec.id : "scenario";
  return { name: `${id}.json`, text: `${JSON.stringify(spec, null, 2)}\n` };
}
