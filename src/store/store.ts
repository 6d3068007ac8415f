/**
 * One zustand store. What a share URL will hold (scenario, step) apart from session state
 * (playing, speed, notices). The engine runs in its worker; the store only asks and keeps answers.
 */
import { create } from "zustand";
import type { Topology } from "../engine/k8s/topology";
import type { Step, Trace } from "../engine/trace";
import { EngineClient, createEngineWorker } from "../worker/client";
import type { NodeRule, ScenarioSummary } from "../worker/protocol";

export interface FlatStep {
  readonly flow: number;
  readonly flowName: string;
  readonly index: number;
  readonly step: Step;
}

export type Status = { readonly kind: "loading" } | { readonly kind: "ready" } | { readonly kind: "error"; readonly message: string };

export interface HopscopeState {
  readonly scenarios: readonly ScenarioSummary[];
  readonly scenario?: ScenarioSummary;
  readonly status: Status;
  readonly trace?: Trace;
  readonly topology?: Topology;
  readonly natRules: Readonly<Record<string, readonly NodeRule[]>>;
  readonly steps: readonly FlatStep[];
  readonly cursor: number;
  readonly playing: boolean;
  /** Steps per second. */
  readonly speed: number;
  readonly notice?: string;
  init(): Promise<void>;
  load(id: string): Promise<void>;
  setCursor(i: number): void;
  move(delta: number): void;
  togglePlay(): void;
  setSpeed(speed: number): void;
  dismissNotice(): void;
}

let client: EngineClient | undefined;
function engine(onRestart: (reason: string) => void): EngineClient {
  client ??= new EngineClient(createEngineWorker, 15_000, onRestart);
  return client;
}

export function flatten(trace: Trace): FlatStep[] {
  return trace.flows.flatMap((f, flow) => f.steps.map((step, index) => ({ flow, flowName: f.name, index, step })));
}

export const useHopscope = create<HopscopeState>((set, get) => {
  const restart = (reason: string) => set({ notice: `${reason}. The engine was restarted; your scenario is reloaded.` });
  return {
    scenarios: [],
    natRules: {},
    status: { kind: "loading" },
    steps: [],
    cursor: 0,
    playing: false,
    speed: 2,
    async init() {
      try {
        const r = await engine(restart).request({ kind: "scenarios" });
        if (r.kind !== "scenarios") throw new Error("unexpected answer");
        set({ scenarios: r.scenarios });
        const first = r.scenarios[0];
        if (first) await get().load(first.id);
      } catch (e) {
        set({ status: { kind: "error", message: e instanceof Error ? e.message : String(e) } });
      }
    },
    async load(id: string) {
      set({ status: { kind: "loading" }, playing: false });
      try {
        const r = await engine(restart).request({ kind: "run", scenario: id });
        if (r.kind === "invalid") {
          set({ status: { kind: "error", message: r.issues.map((i) => `${i.path}: ${i.message}`).join("; ") } });
          return;
        }
        if (r.kind !== "run") throw new Error("unexpected answer");
        set({ scenario: r.scenario, trace: r.trace, topology: r.topology, natRules: r.natRules, steps: flatten(r.trace), cursor: 0, status: { kind: "ready" } });
      } catch (e) {
        set({ status: { kind: "error", message: e instanceof Error ? e.message : String(e) } });
      }
    },
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
    dismissNotice() {
      set({ notice: undefined });
    },
  };
});

/** For tests of the error path: asks the worker to crash. */
export async function crashEngine(): Promise<void> {
  const c = client;
  if (!c) return;
  await c.request({ kind: "crash" }).catch(() => undefined);
  const id = useHopscope.getState().scenario?.id;
  if (id) await useHopscope.getState().load(id);
}
