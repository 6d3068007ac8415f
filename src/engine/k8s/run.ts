/** Scenario text or value → validated scenario → cluster → trace, with every failure as data. */
import { parseJsonText } from "../json-text";
import { MAX_TRACE_STEPS, type Flow, type Trace } from "../trace";
import type { Tap } from "../world";
import { buildCluster, type Cluster } from "./build";
import { ScenarioError, validateScenario, type Scenario, type SpecIssue } from "./spec";
import { traceTraffic } from "./traffic";
import { withNarration, type NarrationLang } from "../narrate";

export type RunResult =
  | { readonly ok: true; readonly cluster: Cluster; readonly trace: Trace }
  | { readonly ok: false; readonly issues: readonly SpecIssue[] };

/** Simulated time between the traffic and a command run after it (conntrack -L shows 29 s left of 30). */
export const SETTLE_MS = 600;

export interface RunOptions {
  /** The most steps the scenario's trace may have (MAX_TRACE_STEPS). */
  readonly maxSteps?: number;
  /** Taps that see every frame of the scenario's traffic (a pcap writer); they stay on the world. */
  readonly taps?: readonly Tap[];
  /** The language the trace's sentences are told in (narrate.ts); English by default. */
  readonly lang?: NarrationLang;
}

export function runScenario(input: unknown, opts: RunOptions = {}): RunResult {
  const v = validateScenario(input);
  if (!v.ok) return v;
  return runValidated(v.scenario, opts);
}

export function runValidated(scenario: Scenario, opts: RunOptions = {}): RunResult {
  return withNarration(opts.lang, () => runTold(scenario, opts));
}

function runTold(scenario: Scenario, opts: RunOptions): RunResult {
  const maxSteps = opts.maxSteps ?? MAX_TRACE_STEPS;
  try {
    const cluster = buildCluster(scenario);
    cluster.world.taps.push(...(opts.taps ?? []));
    const flows: Flow[] = [];
    let steps = 0;
    scenario.traffic.forEach((t, i) => {
      for (const f of traceTraffic(cluster, t, i)) {
        flows.push(f);
        steps += f.steps.length;
      }
      if (steps > maxSteps) {
        throw new ScenarioError(`traffic.${i}`, `the traffic up to here makes ${steps.toLocaleString("en")} steps; a trace holds at most ${maxSteps.toLocaleString("en")}`);
      }
    });
    cluster.world.now += SETTLE_MS;
    return { ok: true, cluster, trace: { scenario: scenario.id, flows } };
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, issues: [{ path: e.path, message: e.detail }] };
    throw e;
  }
}

/** Parses JSON text first (see parseJsonText: a byte-order mark is skipped, a syntax error names its line and column). */
export function runScenarioText(text: string, opts: RunOptions = {}): RunResult {
  const parsed = parseJsonText(text);
  if (!parsed.ok) return { ok: false, issues: [{ path: parsed.where, message: parsed.message }] };
  return runScenario(parsed.value, opts);
}
