/** The playback slice: the trace's steps in order, the one on screen, and playing through them. */
import type { StateCreator } from "zustand";
import type { Step, Trace } from "../engine/trace";
import { firstAbove, firstShownFrom, visibleSteps, type Level } from "./levels";
import type { HopscopeState } from "./store";

export interface FlatStep {
  readonly flow: number;
  readonly flowName: string;
  /** What started the flow (a traffic item, a shell line). */
  readonly origin?: string;
  /** How the flow ended: "delivered", or "dropped: <why, and where>". */
  readonly outcome: string;
  readonly index: number;
  readonly step: Step;
}

export function flatten(trace: Trace): FlatStep[] {
  return trace.flows.flatMap((f, flow) => {
    const outcome = f.verdict === "delivered" ? "delivered" : `dropped: ${f.dropReason ?? "(no reason given)"}`;
    return f.steps.map((step, index) => ({ flow, flowName: f.name, ...(f.origin !== undefined && { origin: f.origin }), outcome, index, step }));
  });
}

export interface PlaybackSlice {
  /** Every step of the trace, flow after flow. */
  readonly steps: readonly FlatStep[];
  /** The step on screen, an index into steps. */
  readonly cursor: number;
  readonly playing: boolean;
  /** Steps per second. */
  readonly speed: number;
  /** The level of detail: which steps stepping, playing and the hop list go through (levels.ts). */
  readonly level: Level;
  /** Goes to step i, or to the nearest end of the trace. */
  setCursor(i: number): void;
  /** Moves by `delta` steps of the current level (from the cursor's place at that level). */
  move(delta: number): void;
  /** Switches the level of detail; the cursor stays on its step (or the level's step before it). */
  setLevel(level: Level): void;
  /** Plays or pauses; playing from the last step starts again at the first. */
  togglePlay(): void;
  setSpeed(speed: number): void;
}

export const playbackSlice: StateCreator<HopscopeState, [], [], PlaybackSlice> = (set, get) => ({
  steps: [],
  cursor: 0,
  playing: false,
  speed: 2,
  setCursor(i: number) {
    const { steps, cursor } = get();
    const to = Math.max(0, Math.min(steps.length - 1, i));
    // With the quiz on, a jump forward stops at the first unanswered question on the way.
    const gated = get().quizGate(cursor, to);
    set({ cursor: gated, ...(gated !== to && { playing: false }) });
  },
  level: "hops",
  move(delta: number) {
    const { steps, cursor, level } = get();
    const visible = visibleSteps(steps, level);
    if (visible.length === 0 || delta === 0) return;
    // Forward: the level's next step after the cursor, then delta - 1 more; back likewise. The
    // cursor itself may sit on a step the level does not show (a link, a click at another level).
    const after = firstAbove(visible, cursor);
    const at = delta > 0 ? after + delta - 1 : firstAbove(visible, cursor - 1) + delta;
    const to = visible[Math.max(0, Math.min(visible.length - 1, at))]!;
    if (delta < 0 && to < cursor) set({ cursor: to });
    else if (delta > 0 && to > cursor) {
      // With the quiz on, stepping forward stops at an unanswered question (and playing stops there).
      const gated = get().quizGate(cursor, to);
      set({ cursor: gated, ...(gated !== to && { playing: false }) });
    }
  },
  setLevel(level: Level) {
    const { steps, cursor } = get();
    // The same place at the new level: the step itself, or the one the level shows for it (its hop, its hook).
    set({ level, ...(steps.length > 0 && { cursor: firstShownFrom(steps, level, cursor) }) });
  },
  togglePlay() {
    const { playing, cursor, steps, level } = get();
    const visible = visibleSteps(steps, level);
    if (!playing && cursor >= (visible.at(-1) ?? 0)) set({ cursor: visible[0] ?? 0 });
    set({ playing: !playing });
  },
  setSpeed(speed: number) {
    set({ speed });
  },
});
