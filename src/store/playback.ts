/** The playback slice: the trace's steps in order, the one on screen, and playing through them. */
import type { StateCreator } from "zustand";
import type { Step, Trace } from "../engine/trace";
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
  /** Goes to step i, or to the nearest end of the trace. */
  setCursor(i: number): void;
  move(delta: number): void;
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
    const n = get().steps.length;
    set({ cursor: Math.max(0, Math.min(n - 1, i)) });
  },
  move(delta: number) {
    get().setCursor(get().cursor + delta);
  },
  togglePlay() {
    const { playing, cursor, steps } = get();
    if (!playing && cursor >= steps.length - 1) set({ cursor: 0 });
    set({ playing: !playing });
  },
  setSpeed(speed: number) {
    set({ speed });
  },
});
