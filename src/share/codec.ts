/**
 * The share URL: everything needed to reproduce a view, versioned, compressed with lz-string and
 * validated on the way in. `decodeView` and `decodeShare` never throw: whatever a URL holds, they
 * answer with a view or with one sentence saying what was wrong.
 *
 * Link version 3 (written now): `#view=<blob>&at=<flow>.<step>`. The blob holds what changes
 * rarely, {v: 3, scenario, panels, shell?}, so a page can compress it once and reuse it while
 * the step changes; the position travels in plain digits beside it. The scenario is a built-in's
 * id ({id}), a whole scenario document ({spec}), or a document as a change from a built-in's
 * ({base: id, patch}, the patch as src/share/compact.ts writes it). An edited scenario is
 * written as a change from whichever built-in gives the shortest link, or whole when that is
 * shorter still. Reading turns {base, patch} back into {spec}: above this module, a view's
 * scenario is an id or a whole document.
 *
 * Link version 2 (still read): as version 3, the scenario an {id} or a {spec} only.
 *
 * Link version 1 (still read): `#view=<blob>` alone, the blob holding
 * {v: 1, scenario, flow, step, panels?, shell?}. An `at=` next to a version 1 blob is ignored,
 * as it always was, so such links open exactly as they did.
 */
import lzString from "lz-string";
import * as v from "valibot";
import { validateScenario, type ScenarioInput } from "../engine/k8s/spec";
import { BUILTIN_SCENARIOS, blankScenario, builtinScenario } from "../engine/scenarios/article";
import { hashString } from "../engine/rng";
import { applyPatch, diff, type Patch } from "./compact";
import { decompressBounded } from "./lz-bounded";
import { isLang, type Lang } from "../i18n/lang";
import { defineCatalog } from "../i18n/catalog";

/** Levels of detail a view can be read at (src/store/levels.ts says what each shows). */
export const LEVELS = ["hops", "hooks", "rules"] as const;
export type Level = (typeof LEVELS)[number];

/** The link version this Hopscope writes. */
export const SHARE_VERSION = 3;
/** The link versions this Hopscope reads. */
export const READ_VERSIONS: readonly number[] = [1, 2, 3];
/** Larger share data is refused: links must survive chat apps, and a URL is not a file store. */
export const MAX_SHARE_CHARS = 64 * 1024;
/**
 * The most characters a link's data may unpack to. The compressed size alone is no bound: the
 * format lets output grow with the square of the input: a link of about 8 KB can unpack to 10
 * million characters, and one of 64 KB to hundreds of millions.
 */
export const MAX_UNPACKED_CHARS = 1_048_576;
/** The largest flow index and step a link may name. */
export const MAX_POSITION = 100_000;
/** How many characters of a bad value (an id, a key, a path) an error message repeats. */
export const MAX_ECHO_CHARS = 80;

export interface ShareState {
  /** A built-in scenario's id, or the whole (edited) scenario. */
  readonly scenario: { readonly id: string } | { readonly spec: ScenarioInput };
  /** Index into the trace's flows, and the step within that flow. */
  readonly flow: number;
  readonly step: number;
  /** View options that matter to a lesson. */
  readonly panels: { readonly detail: boolean; readonly hops: boolean; readonly node: boolean };
  /** The shell's lines, replayed in order to rebuild the same session and trace. */
  readonly shell?: readonly ShellLine[];
}

/** The part of a view that changes rarely: what the `view=` blob holds. */
export type SharedView = Pick<ShareState, "scenario" | "panels" | "shell">;

/** Where in the trace a view is: what `at=<flow>.<step>` holds. */
export interface Position {
  readonly flow: number;
  readonly step: number;
}

export interface ShellLine {
  /** "worker-0" or "worker-0/<pod>". */
  readonly target: string;
  readonly line: string;
}

/** How many shell lines a link carries at most, and how long each may be. */
export const MAX_SHELL_LINES = 200;
export const MAX_SHELL_LINE = 2000;
/** How long a shell line's target ("worker-0/<pod>") may be. */
export const MAX_SHELL_TARGET = 300;

export const DEFAULT_PANELS = { detail: true, hops: true, node: true } as const;

const IdSchema = v.pipe(v.string(), v.regex(/^[a-z0-9][-a-z0-9]*$/));
const ScenarioSchema = v.union([v.strictObject({ id: IdSchema }), v.strictObject({ spec: v.unknown() })]);
/** Version 3 adds a scenario written as a change from a built-in's. */
const ScenarioSchemaV3 = v.union([
  v.strictObject({ id: IdSchema }),
  v.strictObject({ spec: v.unknown() }),
  v.strictObject({ base: IdSchema, patch: v.unknown(), of: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-z]{1,8}$/))) }),
]);

/** The base a version 3 patch may start from: a built-in scenario, or the editor's blank one ("blank"). */
const BLANK_BASE = "blank";
function baseScenario(key: string): ScenarioInput | undefined {
  return key === BLANK_BASE ? blankScenario() : builtinScenario(key);
}

/**
 * A short fingerprint of a base document, carried with the patch: a later Hopscope whose
 * built-in scenario has changed refuses the link instead of opening a different document.
 */
export function baseFingerprint(doc: ScenarioInput): string {
  return hashString(JSON.stringify(doc)).toString(36);
}
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

export type DecodeResult = { readonly ok: true; readonly state: ShareState } | { readonly ok: false; readonly error: string };

/** The blob version of each state decodeView read. */
const versions = new WeakMap<ShareState, number>();
/** The version of the blob a state was read from by decodeView (a version 1 blob carries its own position), if it was. */
export const linkVersion = (state: ShareState): number | undefined => versions.get(state);

/**
 * The `view=` blob of a version 3 link: the scenario, panels and shell lines, without the
 * position. It depends on nothing else, so a caller may compute it once per scenario, panels
 * and shell and reuse it while the step changes. An edited scenario ({spec}) is written as a
 * change from the built-in scenario it differs least from, or whole if that makes a shorter
 * blob (always whole with `compact: false`).
 */
export function encodeView(part: SharedView, opts: { readonly compact?: boolean } = {}): string {
  // Fields are picked one by one: a whole ShareState passed in must not bring flow and step along.
  const lines = part.shell?.length ? { shell: part.shell.map((s) => ({ t: s.target, l: s.line })) } : {};
  const blob = (scenario: ShareState["scenario"] | { readonly base: string; readonly patch: unknown; readonly of: string }) =>
    lzString.compressToEncodedURIComponent(JSON.stringify({ v: SHARE_VERSION, scenario, panels: part.panels, ...lines }));
  const whole = blob(part.scenario);
  if (!("spec" in part.scenario) || opts.compact === false) return whole;
  // Every built-in is tried as the base, and the shortest change (as JSON; the first of equally
  // short ones) is compressed. Compressing each would cost ten times one, and a large document
  // takes a tenth of a second or more to compress; the patches differ in a few fields only.
  let closest: { readonly base: string; readonly of: string; readonly patch: Patch; readonly size: number } | undefined;
  for (const [key, base] of [...BUILTIN_SCENARIOS.map((b) => [b.id, b] as const), [BLANK_BASE, blankScenario()] as const]) {
    const patch = diff(base, part.scenario.spec);
    const size = JSON.stringify(patch).length;
    if (!closest || size < closest.size) closest = { base: key, of: baseFingerprint(base), patch, size };
  }
  const changed = closest && blob({ base: closest.base, patch: closest.patch, of: closest.of });
  return changed !== undefined && changed.length < whole.length ? changed : whole;
}

/**
 * The whole state as one string for callers that put it after `#view=`: the version 3 blob,
 * then `&at=<flow>.<step>`. Placed after `#view=`, it is a complete hash that parseHash splits
 * into `view` and `at`, and decodeView turns back into this state; decodeShare reads it too.
 * It exists so callers written for version 1, where the blob alone carried the position, keep
 * producing links that restore the full view. New code should call encodeView and pass the
 * position to formatHash as `at`, reusing the blob while only the position changes.
 */
export function encodeShare(state: ShareState): string {
  return `${encodeView(state)}&at=${formatPosition(state)}`;
}

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

/**
 * Reads a view from a parsed hash: `view` (a version 1, 2 or 3 blob) and, for versions 2 and 3,
 * `at`. Such a view without `at` is at flow 0, step 0. A version 1 blob carries its own
 * position, and `at` is ignored.
 */
export function decodeView(params: { readonly view?: string | undefined; readonly at?: Position | undefined }, lang: Lang = "en"): DecodeResult {
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
    if ("spec" in scenario) {
      const checked = validateScenario(scenario.spec);
      if (!checked.ok) {
        const i = checked.issues[0]!;
        return { ok: false, error: t.invalidScenario({ path: clip(i.path), message: clip(i.message, 2 * MAX_ECHO_CHARS) }) };
      }
    }
    const at = s.v === 1 ? { flow: s.flow, step: s.step } : (params.at ?? { flow: 0, step: 0 });
    const shell = s.shell?.length ? { shell: s.shell.map((x) => ({ target: x.t, line: x.l })) } : {};
    const state: ShareState = { scenario, flow: at.flow, step: at.step, panels: s.panels, ...shell };
    versions.set(state, s.v);
    return { ok: true, state };
  } catch (e) {
    return { ok: false, error: t.unreadable({ message: clip(e instanceof Error ? e.message : String(e)) }) };
  }
}

/**
 * Reads what encodeShare wrote, or what a `view=` parameter held: a blob alone (version 1, or
 * version 2 or 3 at flow 0, step 0), or a blob followed by `&at=<flow>.<step>`. An `at` that is not
 * two whole numbers is ignored, as parseHash does.
 */
export function decodeShare(data: string): DecodeResult {
  const m = /^([^&]*)&at=([^&]*)$/.exec(data);
  if (!m) return decodeView({ view: data });
  const at = parsePosition(m[2]);
  return decodeView({ view: m[1]!, ...(at && { at }) });
}

/** The parameters a URL's hash carries: the view, and embed options a trainer may type by hand. */
export interface HashParams {
  readonly view?: string;
  /** The position in the trace, from `at=<flow>.<step>` (version 2 and 3 links). */
  readonly at?: Position;
  readonly embed: boolean;
  readonly autoplay: boolean;
  readonly hide: readonly string[];
  readonly start?: number;
  /** The page's language, from `lang=ru`; absent is English. */
  readonly lang?: Lang;
  /** The level of detail, from `level=hooks|rules`; absent is the default, "hops". */
  readonly level?: Level;
  /** `quiz=1`: the quiz is on (questions at chosen steps; stepping past one waits for its answer). */
  readonly quiz?: boolean;
}

/**
 * Parses `#view=…&at=…&embed=1…` by hand: URLSearchParams would read lz-string's "+" as a space.
 * `start` and `at` values that are not what they should be are left out.
 */
export function parseHash(hash: string): HashParams {
  const p = new Map<string, string>();
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    let value = eq < 0 ? "" : part.slice(eq + 1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // A malformed escape stays as typed; the decoder will say what is wrong with it.
    }
    p.set(key, value);
  }
  const start = p.get("start");
  const at = parsePosition(p.get("at"));
  return {
    ...(p.has("view") && { view: p.get("view")! }),
    ...(at && { at }),
    embed: p.get("embed") === "1",
    autoplay: p.get("autoplay") === "1",
    hide: (p.get("hide") ?? "").split(",").filter(Boolean),
    ...(start !== undefined && /^\d+$/.test(start) && { start: Number(start) }),
    ...(LEVELS.includes(p.get("level") as Level) && { level: p.get("level") as Level }),
    ...(isLang(p.get("lang")) && { lang: p.get("lang") as Lang }),
    ...(p.get("quiz") === "1" && { quiz: true }),
  };
}

export function formatHash(params: HashParams): string {
  const parts: string[] = [];
  if (params.view) parts.push(`view=${params.view}`);
  if (params.at) parts.push(`at=${formatPosition(params.at)}`);
  if (params.embed) parts.push("embed=1");
  if (params.autoplay) parts.push("autoplay=1");
  if (params.hide.length) parts.push(`hide=${params.hide.join(",")}`);
  if (params.start !== undefined) parts.push(`start=${params.start}`);
  if (params.level && params.level !== "hops") parts.push(`level=${params.level}`);
  if (params.lang && params.lang !== "en") parts.push(`lang=${params.lang}`);
  if (params.quiz) parts.push("quiz=1");
  return "#" + parts.join("&");
}

function formatPosition(at: Position): string {
  return `${at.flow}.${at.step}`;
}

/** "12.3" as flow 12, step 3; anything else (a sign, a third part, over MAX_POSITION) as nothing. */
function parsePosition(text: string | undefined): Position | undefined {
  const m = text === undefined ? null : /^(\d{1,6})\.(\d{1,6})$/.exec(text);
  if (!m) return undefined;
  const flow = Number(m[1]);
  const step = Number(m[2]);
  return flow <= MAX_POSITION && step <= MAX_POSITION ? { flow, step } : undefined;
}

/** A valibot issue as "path: message", each bad value it repeats cut to MAX_ECHO_CHARS. */
function issueText(i: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(i) ?? "(root)";
  // valibot's messages end in "but received <value>", the value as i.received spells it.
  // (A function as replacement, so "$&" and the like in the value are not read as patterns.)
  const message = i.received.length > MAX_ECHO_CHARS ? i.message.replace(i.received, () => clip(i.received)) : i.message;
  return `${clip(path)}: ${clip(message, 2 * MAX_ECHO_CHARS)}`;
}

/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
function clip(text: string, max = MAX_ECHO_CHARS): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Never split a surrogate pair.
  const unit = text.charCodeAt(end - 1);
  if (unit >= 0xd800 && unit <= 0xdbff) end--;
  return text.slice(0, end) + "…";
}
