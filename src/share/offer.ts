/**
 * What the share buttons offer for a view: its link when the link would open, otherwise (an
 * edited scenario too large for a link) the scenario's document as a file. A link is too large
 * when decodeView would refuse it for its size: over MAX_SHARE_CHARS, or unpacking to over
 * MAX_UNPACKED_CHARS.
 */
import type { ScenarioInput } from "../engine/k8s/spec";
import { MAX_SHARE_CHARS, MAX_UNPACKED_CHARS, type ShareState } from "./codec";
import { decompressBounded } from "./lz-bounded";

export type ShareOffer =
  /** The view's link opens: copy it. */
  | { readonly kind: "link" }
  /** The link would be refused for its size, and the scenario is a document: offer it as a file. */
  | { readonly kind: "file"; readonly reason: string }
  /** The link would be refused for its size, and there is no document to offer (a built-in's view). */
  | { readonly kind: "none"; readonly reason: string };

/** The last blob checked: the URL's sync and the share buttons ask about the same one (unpacking a big one takes a tenth of a second). */
let lastChecked: { view: string; tooLarge: string | undefined } | undefined;

/** What to offer for sharing a view whose scenario is `scenario` and whose `view=` blob is `view`. */
export function shareOffer(scenario: ShareState["scenario"], view: string): ShareOffer {
  if (lastChecked?.view !== view) lastChecked = { view, tooLarge: linkTooLarge(view) };
  const tooLarge = lastChecked.tooLarge;
  if (tooLarge === undefined) return { kind: "link" };
  if ("spec" in scenario) return { kind: "file", reason: `This scenario is too large for a link (${tooLarge}): share it as a file instead.` };
  return { kind: "none", reason: `This view is too large for a link (${tooLarge}).` };
}

/** Why a `view=` blob is too large for a link to open (as a parenthesis), or undefined if it is not. */
function linkTooLarge(view: string): string | undefined {
  const max = `${MAX_SHARE_CHARS / 1024} KB`;
  if (view.length > MAX_SHARE_CHARS) return `its data would be ${Math.ceil(view.length / 1024).toLocaleString("en-US")} KB, over the ${max} a link may carry`;
  if (decompressBounded(view, MAX_UNPACKED_CHARS).kind === "too-large") return `its data would unpack to over ${MAX_UNPACKED_CHARS / 1048576} MB of text, more than a link may carry`;
  return undefined;
}

/** A scenario's document as a file: pretty-printed JSON named after the scenario's id. */
export function scenarioFile(spec: ScenarioInput): { readonly name: string; readonly text: string } {
  // The id is checked where documents are read; a name that is not one falls back to a plain one.
  const id = typeof spec.id === "string" && /^[a-z0-9][-a-z0-9]{0,62}$/.test(spec.id) ? spec.id : "scenario";
  return { name: `${id}.json`, text: `${JSON.stringify(spec, null, 2)}\n` };
}
