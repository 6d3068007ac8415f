/**
 * Reading a share link's view (readView): unpacking the blob, checking it against its
 * version's schema (valibot) and applying a patch to its base. Checking a whole scenario
 * document (validateScenario: the scenario spec and its address parsing, the larger part) is a
 * step of its own, so a link to a built-in scenario never loads it. Split from
 * src/share/codec.ts so that the page loads this with import() only when a URL holds a view;
 * src/share/decode.ts puts both steps together as decodeView and decodeShare.
 */
import * as v from "valibot";
import type { ScenarioInput, SpecResult } from "../engine/k8s/spec";
import { applyPatch } from "./compact";
import { decompressBounded } from "./lz-bounded";
import type { Lang } from "../i18n/lang";
import { defineCatalog } from "../i18n/catalog";
import {
  DEFAULT_PANELS,
  MAX_ECHO_CHARS,
  MAX_POSITION,
  MAX_SHARE_CHARS,
  MAX_SHELL_LINE,
  MAX_SHELL_LINES,
  MAX_SHELL_TARGET,
  MAX_UNPACKED_CHARS,
  READ_VERSIONS,
  baseFingerprint,
  baseScenario,
  clip,
  rememberVersion,
  type DecodeResult,
  type Position,
  type ShareState,
} from "./codec";

const IdSchema = v.pipe(v.string(), v.regex(/^[a-z0-9][-a-z0-9]*$/));
const ScenarioSchema = v.union([v.strictObject({ id: IdSchema }), v.strictObject({ spec: v.unknown() })]);
/** Version 3 adds a scenario written as a change from a built-in's. */
const ScenarioSchemaV3 = v.union([
  v.strictObject({ id: IdSchema }),
  v.strictObject({ spec: v.unknown() }),
  v.strictObject({ base: IdSchema, patch: v.unknown(), of: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-z]{1,8}$/))) }),
]);

const PositionSchema = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_POSITION));
const PanelsSchema = v.optional(v.strictObject({ detail: v.boolean(), hops: v.boolean(), node: v.boolean() }), DEFAULT_PANELS);
const ShellSchema = v.optional(
  v.pipe(
    v.array(v.strictObject({ t: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_SHELL_TARGET)), l: v.pipe(v.string(), v.maxLength(MAX_SHELL_LINE)) })),
    v.maxLength(MAX_SHELL_LINES),
  ),
);

const V1Schema = v.strictObject({ v: v.literal(1), scenario: ScenarioSchema, flow: PositionSchema, step: PositionSchema, panels: PanelsSchema, shell: ShellSchema });
const V2Schema = v.strictObject({ v: v.literal(2), scenario: ScenarioSchema, panels: PanelsSchema, shell: ShellSchema });
const V3Schema = v.strictObject({ v: v.literal(3), scenario: ScenarioSchemaV3, panels: PanelsSchema, shell: ShellSchema });

/** What a link that cannot be opened says, in the page's language (the English is the messages' original wording). */
const LINK_ERRORS = defineCatalog(
  {
    noView: "The link holds no view: its address has no view= part.",
    tooLong: (p: { kb: number; max: number }) => `The link's data is ${p.kb} KB, over the ${p.max} KB a link may carry.`,
    badChars: "The link's data has characters a Hopscope link never contains: it was changed or garbled.",
    tooLarge: (p: { kb: number; mb: number }) => `The link's data unpacks to more than ${p.kb.toLocaleString("en-US")} KB (${p.mb} MB) of text, over what a link may carry.`,
    garbled: "The link's data cannot be unpacked: it looks garbled or truncated (was the link changed or cut off?).",
    truncated: "The link's data cannot be unpacked: it looks truncated (was the link cut off?).",
    notView: "The link's data is not a Hopscope view: it looks truncated or garbled.",
    version: (p: { version: string; reads: string; last: string }) => `The link was made by a Hopscope with link version ${p.version}; this one reads versions ${p.reads} and ${p.last}.`,
    invalidView: (p: { issue: string }) => `The link's view is not valid: ${p.issue}.`,
    noBase: (p: { base: string }) => `The link's scenario is a change to a built-in scenario this Hopscope does not have: ${p.base}.`,
    baseDiffers: (p: { base: string }) =>
      `The link's scenario is a change to the built-in scenario ${p.base} as it was when the link was made; this Hopscope's differs, so the link cannot be opened as it was meant.`,
    patch: (p: { base: string; path: string; message: string }) => `The link's change to the built-in scenario ${p.base} cannot be applied: ${p.path}: ${p.message}.`,
    invalidScenario: (p: { path: string; message: string }) => `The link's scenario is not valid: ${p.path}: ${p.message}.`,
    unreadable: (p: { message: string }) => `The link could not be read (${p.message}).`,
  },
  {
    noView: "В ссылке нет вида: в её адресе нет части view=.",
    tooLong: (p: { kb: number; max: number }) => `Данные ссылки занимают ${p.kb} КБ, больше ${p.max} КБ, которые может нести ссылка.`,
    badChars: "В данных ссылки есть символы, которых в ссылке Hopscope не бывает: её изменили или испортили.",
    tooLarge: (p: { kb: number; mb: number }) => `Данные ссылки распаковываются больше чем в ${p.kb.toLocaleString("ru")} КБ (${p.mb} МБ) текста — больше, чем может нести ссылка.`,
    garbled: "Данные ссылки не распаковываются: похоже, они испорчены или обрезаны (ссылку изменили или обрезали?).",
    truncated: "Данные ссылки не распаковываются: похоже, они обрезаны (ссылку обрезали?).",
    notView: "Данные ссылки — не вид Hopscope: похоже, они обрезаны или испорчены.",
    version: (p: { version: string; reads: string; last: string }) => `Ссылку сделал Hopscope с версией ссылок ${p.version}; этот читает версии ${p.reads} и ${p.last}.`,
    invalidView: (p: { issue: string }) => `Вид в ссылке некорректен: ${p.issue}.`,
    noBase: (p: { base: string }) => `Сценарий в ссылке — изменение встроенного сценария, которого в этом Hopscope нет: ${p.base}.`,
    baseDiffers: (p: { base: string }) =>
      `Сценарий в ссылке — изменение встроенного сценария ${p.base} в том виде, в каком он был при создании ссылки; в этом Hopscope он другой, поэтому ссылку нельзя открыть так, как задумано.`,
    patch: (p: { base: string; path: string; message: string }) => `Изменение встроенного сценария ${p.base} из ссылки не применяется: ${p.path}: ${p.message}.`,
    invalidScenario: (p: { path: string; message: string }) => `Сценарий в ссылке некорректен: ${p.path}: ${p.message}.`,
    unreadable: (p: { message: string }) => `Ссылку не удалось прочитать (${p.message}).`,
  },
);

/** validateScenario's answer (src/engine/k8s/spec.ts), passed in by the caller that loaded it. */
export type ScenarioCheck = (input: unknown) => SpecResult;

/** A view read but for its scenario document, which `finish` checks with validateScenario. */
export interface Unchecked {
  readonly ok: "unchecked";
  finish(check: ScenarioCheck): DecodeResult;
}

/**
 * Reads a view from a parsed hash: `view` (a version 1, 2 or 3 blob) and, for versions 2 and 3,
 * `at`. Such a view without `at` is at flow 0, step 0. A version 1 blob carries its own
 * position, and `at` is ignored. A view whose scenario is a document (not a built-in's id) is
 * answered as Unchecked unless `check` is given. Never throws (nor does `finish`).
 */
export function readView(params: { readonly view?: string | undefined; readonly at?: Position | undefined }, lang: Lang = "en", check?: ScenarioCheck): DecodeResult | Unchecked {
  const t = LINK_ERRORS[lang];
  try {
    const data = params.view;
    if (data === undefined) return { ok: false, error: t.noView };
    if (data.length > MAX_SHARE_CHARS) return { ok: false, error: t.tooLong({ kb: Math.round(data.length / 1024), max: MAX_SHARE_CHARS / 1024 }) };
    if (!/^[A-Za-z0-9+\-$]*$/.test(data)) return { ok: false, error: t.badChars };
    const unpacked = decompressBounded(data, MAX_UNPACKED_CHARS);
    if (unpacked.kind === "too-large") {
      return { ok: false, error: t.tooLarge({ kb: MAX_UNPACKED_CHARS / 1024, mb: MAX_UNPACKED_CHARS / 1048576 }) };
    }
    if (unpacked.kind === "garbled") return { ok: false, error: t.garbled };
    if (unpacked.kind === "truncated" || unpacked.text === "") return { ok: false, error: t.truncated };
    let json: unknown;
    try {
      json = JSON.parse(unpacked.text);
    } catch {
      return { ok: false, error: t.notView };
    }
    const version = typeof json === "object" && json !== null && "v" in json ? (json as { v: unknown }).v : undefined;
    if (version !== undefined && !READ_VERSIONS.includes(version as number)) {
      return { ok: false, error: t.version({ version: clip(JSON.stringify(version) ?? String(version)), reads: READ_VERSIONS.slice(0, -1).join(", "), last: String(READ_VERSIONS.at(-1)) }) };
    }
    // Without a v, the version 3 schema says what is missing.
    const r = version === 1 ? v.safeParse(V1Schema, json) : version === 2 ? v.safeParse(V2Schema, json) : v.safeParse(V3Schema, json);
    if (!r.success) return { ok: false, error: t.invalidView({ issue: issueText(r.issues[0]!) }) };
    const s = r.output;
    let scenario: ShareState["scenario"];
    if ("base" in s.scenario) {
      const base = baseScenario(s.scenario.base);
      if (!base) return { ok: false, error: t.noBase({ base: clip(s.scenario.base) }) };
      if (s.scenario.of !== undefined && s.scenario.of !== baseFingerprint(base)) {
        return { ok: false, error: t.baseDiffers({ base: clip(s.scenario.base) }) };
      }
      const applied = applyPatch(base, s.scenario.patch);
      if (!applied.ok) return { ok: false, error: t.patch({ base: base.id, path: clip(applied.path), message: clip(applied.message, 2 * MAX_ECHO_CHARS) }) };
      scenario = { spec: applied.value as ScenarioInput };
    } else {
      scenario = s.scenario as ShareState["scenario"];
    }
    const at = s.v === 1 ? { flow: s.flow, step: s.step } : (params.at ?? { flow: 0, step: 0 });
    const shell = s.shell?.length ? { shell: s.shell.map((x) => ({ target: x.t, line: x.l })) } : {};
    const state: ShareState = { scenario, flow: at.flow, step: at.step, panels: s.panels, ...shell };
    rememberVersion(state, s.v);
    if (!("spec" in scenario)) return { ok: true, state };
    const spec = scenario.spec;
    const finish = (validate: ScenarioCheck): DecodeResult => {
      try {
        const checked = validate(spec);
        if (checked.ok) return { ok: true, state };
        const i = checked.issues[0]!;
        return { ok: false, error: t.invalidScenario({ path: clip(i.path), message: clip(i.message, 2 * MAX_ECHO_CHARS) }) };
      } catch (e) {
        return { ok: false, error: t.unreadable({ message: clip(e instanceof Error ? e.message : String(e)) }) };
      }
    };
    return check ? finish(check) : { ok: "unchecked", finish };
  } catch (e) {
    return { ok: false, error: t.unreadable({ message: clip(e instanceof Error ? e.message : String(e)) }) };
  }
}

/** A valibot issue as "path: message", each bad value it repeats cut to MAX_ECHO_CHARS. */
function issueText(i: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(i) ?? "(root)";
  // valibot's messages end in "but received <value>", the value as i.received spells it.
  // (A function as replacement, so "$&" and the like in the value are not read as patterns.)
  const message = i.received.length > MAX_ECHO_CHARS ? i.message.replace(i.received, () => clip(i.received)) : i.message;
  return `${clip(path)}: ${clip(message, 2 * MAX_ECHO_CHARS)}`;
}
