import { describe, expect, it } from "vitest";
import { runScenario } from "../engine/k8s/run";
import { describeTopology } from "../engine/k8s/topology";
import { BUILTIN_SCENARIOS } from "../engine/scenarios/article";
import { flatten } from "../store/playback";
import { layoutTopology } from "./layout";
import { trailOf } from "./trail";

/** A built-in scenario run, laid out as the page lays it out, with the trail of its first flow. */
function firstFlow(id: string) {
  const r = runScenario(BUILTIN_SCENARIOS.find((s) => s.id === id));
  if (!r.ok) throw new Error(`${id} did not run`);
  const steps = flatten(r.trace);
  // The topology the worker sends the page: built from the same cluster.
  const topology = describeTopology(r.cluster);
  const layout = layoutTopology(topology);
  const firstFlowEnd = steps.findIndex((s, i) => steps[i + 1]?.flow !== s.flow);
  const trail = trailOf(steps, firstFlowEnd, layout, topology);
  return { steps, topology, layout, firstFlowEnd, trail, labels: trail.filter((t) => t.labelled).map((t) => t.label) };
}

describe("the trail", () => {
  it("pod to the internet: the labels show the masquerade leaving worker-0, then the cloud's public NAT", () => {
    const { steps, topology, layout, firstFlowEnd, trail, labels } = firstFlow("pod-to-internet");
    expect(labels[0]).toMatch(/^10\.200\.0\.21 → /);
    const masq = trail.find((t) => t.changed.src && t.label.startsWith("10.240.0.20 → "));
    expect(masq, labels.join(" | ")).toBeDefined();
    const worker0 = topology.nodes.find((n) => n.id === "worker-0")!;
    const publicNat = trail.find((t) => t.changed.src && t.label.startsWith(`${worker0.publicIp} → `));
    expect(publicNat, labels.join(" | ")).toBeDefined();
    expect(trail.indexOf(masq!)).toBeLessThan(trail.indexOf(publicNat!));
    // The trail ends where the cursor is, and grows with it.
    expect(trail.at(-1)!.step).toBeLessThanOrEqual(firstFlowEnd);
    expect(trailOf(steps, 3, layout, topology).length).toBeLessThan(trail.length);
  });

  it("NodePort: the DNAT to the pod and the masquerade to worker-0's address show on the segment to worker-1", () => {
    const { topology, trail, labels } = firstFlow("nodeport");
    expect(labels[0]).toBe("203.0.113.10:30303 → " + topology.nodes.find((n) => n.id === "worker-0")!.publicIp + ":31088");
    expect(labels).toContain("10.240.0.20:30303 → 10.200.1.18:80");
    const both = trail.find((t) => t.label === "10.240.0.20:30303 → 10.200.1.18:80")!;
    expect(both.changed).toEqual({ src: true, dst: true });
  });
});
