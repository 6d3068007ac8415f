/** What the worker does with each request; kept apart from the worker globals so tests can call it. */
import { runScenario } from "../engine/k8s/run";
import { describeTopology } from "../engine/k8s/topology";
import { BUILTIN_SCENARIOS, builtinScenario } from "../engine/scenarios/article";
import { ENGINE_NAME, type EngineRequest, type EngineResponse } from "./protocol";

export function handle(req: EngineRequest): EngineResponse {
  try {
    switch (req.kind) {
      case "hello":
        return { id: req.id, ok: true, result: { kind: "hello", engine: ENGINE_NAME } };
      case "scenarios":
        return {
          id: req.id,
          ok: true,
          result: { kind: "scenarios", scenarios: BUILTIN_SCENARIOS.map((s) => ({ id: s.id, title: s.title, description: s.description ?? "" })) },
        };
      case "run": {
        const input = builtinScenario(req.scenario);
        if (!input) return { id: req.id, ok: true, result: { kind: "invalid", issues: [{ path: "scenario", message: `unknown scenario "${req.scenario}"` }] } };
        const r = runScenario(input);
        if (!r.ok) return { id: req.id, ok: true, result: { kind: "invalid", issues: r.issues } };
        const s = r.cluster.scenario;
        return { id: req.id, ok: true, result: { kind: "run", scenario: { id: s.id, title: s.title, description: s.description }, trace: r.trace, topology: describeTopology(r.cluster) } };
      }
      case "crash":
        throw new Error("crash requested");
    }
  } catch (e) {
    return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
