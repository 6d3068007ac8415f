/** What the worker does with each request; kept apart from the worker globals so tests can call it. */
import type { Cluster } from "../engine/k8s/build";
import { runScenario } from "../engine/k8s/run";
import { resolveTarget } from "../engine/shell/exec";
import { runLine } from "../engine/shell/session";
import { describeTopology } from "../engine/k8s/topology";
import { BUILTIN_SCENARIOS, builtinScenario } from "../engine/scenarios/article";
import { formatRule } from "../engine/netfilter/format";
import { chainsInSaveOrder } from "../engine/netfilter/save";
import { type EngineRequest, type EngineResponse, type NodeRule } from "./protocol";

/** The cluster of the last scenario run, after its traffic: what the shell's commands look at. */
let lastCluster: Cluster | undefined;

export function handle(req: EngineRequest): EngineResponse {
  try {
    switch (req.kind) {
      case "scenarios":
        return {
          id: req.id,
          ok: true,
          result: { kind: "scenarios", scenarios: BUILTIN_SCENARIOS.map((s) => ({ id: s.id, title: s.title, description: s.description ?? "" })) },
        };
      case "run": {
        const input = typeof req.scenario === "string" ? builtinScenario(req.scenario) : req.scenario.spec;
        if (!input) return { id: req.id, ok: true, result: { kind: "invalid", issues: [{ path: "scenario", message: `unknown scenario "${String(req.scenario)}"` }] } };
        const r = runScenario(input);
        if (!r.ok) return { id: req.id, ok: true, result: { kind: "invalid", issues: r.issues } };
        lastCluster = r.cluster;
        const s = r.cluster.scenario;
        const natRules: Record<string, NodeRule[]> = {};
        for (const n of r.cluster.nodes) {
          const ns = r.cluster.world.get(n.name);
          if (!ns.nf.loaded.has("nat")) continue;
          natRules[n.name] = chainsInSaveOrder(ns.nf, "nat").flatMap((c) => c.rules.map((rule, i) => ({ chain: c.name, index: i + 1, rule: formatRule(c.name, rule) })));
        }
        return {
          id: req.id,
          ok: true,
          result: { kind: "run", scenario: { id: s.id, title: s.title, description: s.description }, trace: r.trace, topology: describeTopology(r.cluster), natRules },
        };
      }
      case "exec": {
        if (!lastCluster) return { id: req.id, ok: true, result: { kind: "exec", stdout: "", stderr: "no scenario is loaded\n", code: 1 } };
        const t = resolveTarget(lastCluster, req.target);
        if ("error" in t) return { id: req.id, ok: true, result: { kind: "exec", stdout: "", stderr: `${t.error}\n`, code: 1 } };
        return { id: req.id, ok: true, result: { kind: "exec", ...runLine(lastCluster, t.ns, req.line) } };
      }
      case "crash":
        throw new Error("crash requested");
    }
  } catch (e) {
    return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
