/**
 * The share URL: everything needed to reproduce a view, versioned, compressed with lz-string and
 * validated on the way in. Reading a view is src/share/decode.ts (`decodeView`, `decodeShare`),
 * which the page loads only for a URL that holds one; they never throw: whatever a URL holds,
 * they answer with a view or with one sentence saying what was wrong.
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
import type { ScenarioInput } from "../engine/k8s/spec";
import { BUILTIN_SCENARIOS, blankScenario, builtinScenario } from "../engine/scenarios/article";
import { hashString } from "../engine/rng";
import { diff, type Patch } from "./compact";
import { isLang, type Lang } from "../i18n/lang";

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


/** The base a version 3 patch may start from: a built-in scenario, or the editor's blank one ("blank"). */
export const BLANK_BASE = "blank";
export function baseScenario(key: string): ScenarioInput | undefined {
  return key === BLANK_BASE ? blankScenario() : builtinScenario(key);
}

/**
 * A short fingerprint of a base document, carried with the patch: a later Hopscope whose
 * built-in scenario has changed refuses the link instead of opening a different document.
 */
export function baseFingerprint(doc: ScenarioInput): string {
  return hashString(JSON.stringify(doc)).toString(36);
}


/** What decodeView and decodeShare (src/share/decode.ts, loaded when a link holds a view) answer. */
export type DecodeResult = { readonly ok: true; readonly state: ShareState } | { readonly ok: false; readonly error: string };

/** The blob version of each state decodeView read. */
const versions = new WeakMap<ShareState, number>();
/** The version of the blob a state was read from by decodeView (a version 1 blob carries its own position), if it was. */
export const linkVersion = (state: ShareState): number | undefined => versions.get(state);
/** Notes which link version a view was read from (src/share/read.ts). */
export function rememberVersion(state: ShareState, version: number): void {
  versions.set(state, version);
}

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
export function parsePosition(text: string | undefined): Position | undefined {
  const m = text === undefined ? null : /^(\d{1,6})\.(\d{1,6})$/.exec(text);
  if (!m) return undefined;
  const flow = Number(m[1]);
  const step = Number(m[2]);
  return flow <= MAX_POSITION && step <= MAX_POSITION ? { flow, step } : undefined;
}


/** `text` cut to at most `max` characters, an ellipsis marking the cut. */
export function clip(text: string, max = MAX_ECHO_CHARS): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Never split a surrogate pair.
  const unit = text.charCodeAt(end - 1);
  if (unit >= 0xd800 && unit <= 0xdbff) end--;
  return text.slice(0, end) + "…";
}
