/**
 * The share URL: everything needed to reproduce a view, versioned, compressed with lz-string and
 * validated on the way in. `decodeShare` never throws: whatever a URL holds, it answers with a
 * view or with one sentence saying what was wrong.
 */
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from "lz-string";
import * as v from "valibot";
import { validateScenario, type ScenarioInput } from "../engine/k8s/spec";

export const SHARE_VERSION = 1;
/** Larger share data is refused: links must survive chat apps, and a URL is not a file store. */
export const MAX_SHARE_CHARS = 64 * 1024;

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

export interface ShellLine {
  /** "worker-0" or "worker-0/<pod>". */
  readonly target: string;
  readonly line: string;
}

/** How many shell lines a link carries at most, and how long each may be. */
export const MAX_SHELL_LINES = 200;
export const MAX_SHELL_LINE = 2000;

export const DEFAULT_PANELS = { detail: true, hops: true, node: true } as const;

const StateSchema = v.strictObject({
  v: v.literal(SHARE_VERSION),
  scenario: v.union([v.strictObject({ id: v.pipe(v.string(), v.regex(/^[a-z0-9][-a-z0-9]*$/)) }), v.strictObject({ spec: v.unknown() })]),
  flow: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
  step: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100000)),
  panels: v.optional(v.strictObject({ detail: v.boolean(), hops: v.boolean(), node: v.boolean() }), DEFAULT_PANELS),
  shell: v.optional(
    v.pipe(
      v.array(v.strictObject({ t: v.pipe(v.string(), v.minLength(1), v.maxLength(300)), l: v.pipe(v.string(), v.maxLength(MAX_SHELL_LINE)) })),
      v.maxLength(MAX_SHELL_LINES),
    ),
  ),
});

export type DecodeResult = { readonly ok: true; readonly state: ShareState } | { readonly ok: false; readonly error: string };

export function encodeShare(state: ShareState): string {
  const { shell, ...rest } = state;
  const lines = shell?.length ? { shell: shell.map((s) => ({ t: s.target, l: s.line })) } : {};
  return compressToEncodedURIComponent(JSON.stringify({ v: SHARE_VERSION, ...rest, ...lines }));
}

export function decodeShare(data: string): DecodeResult {
  try {
    if (data.length > MAX_SHARE_CHARS) return { ok: false, error: `The link's data is ${Math.round(data.length / 1024)} KB, over the ${MAX_SHARE_CHARS / 1024} KB a link may carry.` };
    if (!/^[A-Za-z0-9+\-$]*$/.test(data)) return { ok: false, error: "The link's data has characters a Hopscope link never contains: it was changed or garbled." };
    const text = decompressFromEncodedURIComponent(data);
    if (!text) return { ok: false, error: "The link's data cannot be unpacked: it looks truncated (was the link cut off?)." };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, error: "The link's data is not a Hopscope view: it looks truncated or garbled." };
    }
    if (typeof json === "object" && json !== null && "v" in json && (json as { v: unknown }).v !== SHARE_VERSION) {
      return { ok: false, error: `The link was made by a Hopscope with link version ${JSON.stringify((json as { v: unknown }).v)}; this one reads version ${SHARE_VERSION}.` };
    }
    const r = v.safeParse(StateSchema, json);
    if (!r.success) {
      const i = r.issues[0]!;
      return { ok: false, error: `The link's view is not valid: ${v.getDotPath(i) ?? "(root)"}: ${i.message}.` };
    }
    const s = r.output;
    if ("spec" in s.scenario) {
      const checked = validateScenario(s.scenario.spec);
      if (!checked.ok) {
        const i = checked.issues[0]!;
        return { ok: false, error: `The link's scenario is not valid: ${i.path}: ${i.message}.` };
      }
    }
    const shell = s.shell?.length ? { shell: s.shell.map((x) => ({ target: x.t, line: x.l })) } : {};
    return { ok: true, state: { scenario: s.scenario as ShareState["scenario"], flow: s.flow, step: s.step, panels: s.panels, ...shell } };
  } catch (e) {
    return { ok: false, error: `The link could not be read (${e instanceof Error ? e.message : String(e)}).` };
  }
}

/** The parameters a URL's hash carries: the view, and embed options a trainer may type by hand. */
export interface HashParams {
  readonly view?: string;
  readonly embed: boolean;
  readonly autoplay: boolean;
  readonly hide: readonly string[];
  readonly start?: number;
}

/** Parses `#view=…&embed=1…` by hand: URLSearchParams would read lz-string's "+" as a space. */
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
  return {
    ...(p.has("view") && { view: p.get("view")! }),
    embed: p.get("embed") === "1",
    autoplay: p.get("autoplay") === "1",
    hide: (p.get("hide") ?? "").split(",").filter(Boolean),
    ...(start !== undefined && /^\d+$/.test(start) && { start: Number(start) }),
  };
}

export function formatHash(params: HashParams): string {
  const parts: string[] = [];
  if (params.view) parts.push(`view=${params.view}`);
  if (params.embed) parts.push("embed=1");
  if (params.autoplay) parts.push("autoplay=1");
  if (params.hide.length) parts.push(`hide=${params.hide.join(",")}`);
  if (params.start !== undefined) parts.push(`start=${params.start}`);
  return "#" + parts.join("&");
}
