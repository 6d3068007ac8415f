import { describe, expect, it } from "vitest";
import { runScenario } from "../engine/k8s/run";
import { builtinScenario } from "../engine/scenarios/article";
import { flatten } from "../store/store";
import { nodeView } from "./nodeState";

function steps(id: string) {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error("scenario failed");
  return flatten(r.trace);
}

describe("a node's counters and conntrack table at a step", () => {
  const all = steps("pod-to-pod");
  const masq = all.findIndex((s) => s.step.kind === "nat" && s.step.node === "worker-0");
  const cni = (v: ReturnType<typeof nodeView>) => [...v.counters.entries()].find(([k]) => k.startsWith("CNI-"))?.[1];

  it("counts nothing before the packet reaches the node, then the CNI chain's MASQUERADE rule", () => {
    expect(nodeView(all, 0, "worker-0").counters.size).toBe(0);
    const at = nodeView(all, masq, "worker-0");
    expect(cni(at)).toEqual({ pkts: 1, bytes: 84 });
  });

  it("shows a conntrack entry only once confirmed, with its NAT, and stepping back undoes it", () => {
    const confirm = all.findIndex((s, i) => i > masq && s.step.kind === "conntrack" && s.step.node === "worker-0");
    expect(nodeView(all, confirm - 1, "worker-0").conntrack).toEqual([]);
    expect(nodeView(all, confirm, "worker-0").conntrack).toEqual([
      "icmp     1 30 src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1280 [UNREPLIED] src=10.200.1.15 dst=10.240.0.20 type=0 code=0 id=1280 mark=0 use=1",
    ]);
    const end = nodeView(all, all.length - 1, "worker-0").conntrack;
    expect(end).toHaveLength(1);
    expect(end[0]).not.toContain("[UNREPLIED]");
  });
});
