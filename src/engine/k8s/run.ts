/** Scenario text or value → validated scenario → cluster → trace, with every failure as data. */
import type { Trace } from "../trace";
import { buildCluster, type Cluster } from "./build";
import { ScenarioError, validateScenario, type Scenario, type SpecIssue } from "./spec";
import { traceTraffic } from "./traffic";

export type RunResult =
  | { readonly ok: true; readonly cluster: Cluster; readonly trace: Trace }
  | { readonly ok: false; readonly issues: readonly SpecIssue[] };

/** Simulated time between the traffic and a command run after it (conntrack -L shows 29 s left of 30). */
export const SETTLE_MS = 600;

export function runScenario(input: unknown): RunResult {
  const v = validateScenario(input);
  if (!v.ok) return v;
  return runValidated(v.scenario);
}

export function runValidated(scenario: Scenario): RunResult {
  try {
    const cluster = buildCluster(scenario);
    const flows = scenario.traffic.flatMap((t, i) => traceTraffic(cluster, t, i));
    cluster.world.now += SETTLE_MS;
    return { ok: true, cluster, trace: { scenario: scenario.id, flows } };
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, issues: [{ path: e.path, message: e.detail }] };
    throw e;
  }
}

/** Parses JSON text first; a syntax error names the line and column. */
export function runScenarioText(text: string): RunResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const upto = text.slice(0, Number(pos[1]));
      const line = upto.split("\n").length;
      const column = upto.length - upto.lastIndexOf("\n");
      return { ok: false, issues: [{ path: `(json line ${line}, column ${column})`, message: msg }] };
    }
    return { ok: false, issues: [{ path: "(json)", message: msg }] };
  }
  return runScenario(value);
}
