/**
 * The shell slice: the session's lines (what a share link carries and replays), what replaying
 * a link's lines printed, and the shell's requests to the worker: run a line, complete a word,
 * and the session's capture.
 */
import type { Lang } from "../i18n/lang";
import { firstShownFrom } from "./levels";
import type { StateCreator } from "zustand";
import type { Flow } from "../engine/trace";
import { MAX_SHELL_LINE, MAX_SHELL_LINES, type ShellLine } from "../share/codec";
import type { EngineRequester } from "../worker/client";
import { flatten } from "./playback";
import type { HopscopeState } from "./store";
import { NOTICES } from "./notices";

export interface ReplayEntry {
  readonly target: string;
  readonly line: string;
  readonly display: string;
}

export interface ShellSlice {
  /** The shell's lines since the scenario loaded (up to what a link carries): a share link replays them. */
  readonly shellLines: readonly ShellLine[];
  /**
   * What replaying a link's shell lines printed, line by line, for the terminal to show when the
   * link opens (empty for a view without shell lines, and after a reload the engine needed).
   */
  readonly replayLog: readonly ReplayEntry[];
  /**
   * Runs a shell line in the worker, on the loaded scenario's node or pod. Flows the line traced
   * (ping, curl, …) join the trace, and the view moves to the first of them.
   */
  execLine(target: string, line: string): Promise<{ display: string; code: number; flows: number }>;
  /** Tab completion of a shell line's last word. */
  completeLine(target: string, line: string): Promise<{ line: string; options: readonly string[] }>;
  /**
   * The session's capture as a pcapng file, named after its scenario: every frame of the
   * scenario's traffic and of the shell lines run since (the worker's capture is bounded like the
   * trace, at MAX_TRACE_STEPS frames).
   */
  pcapFile(): Promise<{ readonly name: string; readonly bytes: Uint8Array<ArrayBuffer>; readonly frames: number }>;
}

export const shellSlice =
  (engine: EngineRequester): StateCreator<HopscopeState, [], [], ShellSlice> =>
  (set, get, api) => {
    /** Resolves once no scenario is loading: while one (re)loads, its session is being rebuilt. */
    const whenSettled = (): Promise<void> => {
      if (get().status.kind !== "loading") return Promise.resolve();
      return new Promise((resolve) => {
        const unsub = api.subscribe((st) => {
          if (st.status.kind !== "loading") {
            unsub();
            resolve();
          }
        });
      });
    };
    return {
      shellLines: [],
      replayLog: [],
      async execLine(target: string, line: string) {
        await whenSettled();
        const r = await engine.request({ kind: "exec", target, line, lang: get().lang });
        const { trace, shellLines } = get();
        // A share link replays the session's lines in order. Past what a link may carry, or for a line
        // too long for one, the session goes on but the link stops growing.
        const keep = line.trim() !== "" && line.length <= MAX_SHELL_LINE && shellLines.length < MAX_SHELL_LINES;
        const lines = keep ? [...shellLines, { target, line }] : shellLines;
        if (r.flows.length && trace) {
          const next = { ...trace, flows: trace.flows.concat(r.flows) };
          const steps = flatten(next);
          const first = steps.findIndex((x) => x.flow === trace.flows.length);
          set({ trace: next, steps, cursor: first >= 0 ? firstShownFrom(steps, get().level, first) : get().cursor, playing: false, shellLines: lines });
        } else if (keep) set({ shellLines: lines });
        return { display: r.display, code: r.code, flows: r.flows.length };
      },
      async completeLine(target: string, line: string) {
        const { line: completed, options } = await engine.request({ kind: "complete", target, line });
        return { line: completed, options };
      },
      async pcapFile() {
        await whenSettled();
        const r = await engine.request({ kind: "pcap" });
        // Scenario ids are lower-case letters, digits and dashes; anything else is not put in a file name.
        const id = r.scenario.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "") || "hopscope";
        return { name: `${id}.pcapng`, bytes: r.bytes, frames: r.frames };
      },
    };
  };

/** How long replaying a link's shell lines may take in all. */
const REPLAY_BUDGET_MS = 10_000;

/** How many lines of one replayed command's output the terminal gets. */
const REPLAY_SHOWN_LINES = 200;

/** The first `max` lines of a text, and how many more there were. */
function firstLines(text: string, max: number): string {
  const lines = text.split("\n");
  if (lines.length <= max + 1) return text;
  return `${lines.slice(0, max).join("\n")}\n[hopscope: ${lines.length - max - 1} more lines not shown]\n`;
}

export interface Replay {
  /** The flows the lines traced, in order, to join the scenario's. */
  readonly flows: readonly Flow[];
  /** The lines that ran (those naming a place the scenario lacks are left out). */
  readonly replayed: readonly ShellLine[];
  /** What each line printed, for the terminal. */
  readonly log: readonly ReplayEntry[];
  /** What the reader should know: lines skipped, a replay cut short. */
  readonly notice?: string;
}

/**
 * A shared view's shell lines, replayed in order in the scenario the worker has just run (what
 * they changed, counters zeroed, tables loaded, is back too). Undefined when `current` says a
 * newer load overtook this one.
 */
export async function replayLines(engine: EngineRequester, lines: readonly ShellLine[], current: () => boolean, lang?: Lang): Promise<Replay | undefined> {
  const t = NOTICES[lang ?? "en"];
  const flows: Flow[] = [];
  const replayed: ShellLine[] = [];
  const log: ReplayEntry[] = [];
  const missing: string[] = [];
  const started = performance.now();
  let cut: string | undefined;
  for (const s of lines) {
    // Each line has its own budget in the worker; the replay as a whole has one too.
    if (performance.now() - started > REPLAY_BUDGET_MS) {
      cut = t.replayCut({ done: replayed.length, total: lines.length, seconds: REPLAY_BUDGET_MS / 1000 });
      break;
    }
    const e = await engine.request({ kind: "exec", target: s.target, line: s.line, ...(lang && { lang }) });
    if (!current()) return undefined;
    flows.push(...e.flows);
    log.push({ target: s.target, line: s.line, display: firstLines(e.display, REPLAY_SHOWN_LINES) });
    if (e.targetError !== undefined) missing.push(t.missingLine({ line: replayed.length + missing.length + 1, error: e.targetError }));
    else replayed.push(s);
  }
  const notices = [
    ...(missing.length ? [t.missing({ count: missing.length, list: `${missing.slice(0, 3).join("; ")}${missing.length > 3 ? "; …" : ""}` })] : []),
    ...(cut ? [cut] : []),
  ];
  return { flows, replayed, log, ...(notices.length && { notice: notices.join(" ") }) };
}
