import { describe, expect, it } from "vitest";
import { runScenario } from "../engine/k8s/run";
import { builtinScenario } from "../engine/scenarios/article";
import { flatten } from "../store/store";
import { runLine } from "../engine/shell/session";
import { freshSession, targetNs } from "../engine/testing/shell-session";
import { nodeView } from "./nodeState";

function steps(id: string) {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error("scenario failed");
  return flatten(r.trace);
}

describe("a node's counters and conntrack table at a step", () => {
  const all = steps("pod-to-pod");
  const masq = all.findIndex((s) => s.step.kind === "nat" && s.step.node === "worker-0");
  const cni = (v: ReturnType<typeof nodeView>) => [...v.counters.entries()].find(([k]) => k.startsWith("nat/CNI-"))?.[1];

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

  it("names the rule that decided a NAT step, and for the reply's un-NAT the rules that set the bindings up", () => {
    const np = steps("nodeport");
    const dnat = np.findIndex((s) => s.step.kind === "nat" && s.step.node === "worker-0" && s.step.detail?.kind === "nat" && s.step.detail.type === "DNAT");
    expect([...nodeView(np, dnat, "worker-0").decidedNow]).toEqual([expect.stringMatching(/^nat\/KUBE-SEP-UGTFMET44DQG7H7H#2$/)]);
    // The step before (the rule step itself) matched the rule but decided nothing yet.
    expect([...nodeView(np, dnat - 1, "worker-0").changedNow]).toEqual(["nat/KUBE-SEP-UGTFMET44DQG7H7H#2"]);
    expect(nodeView(np, dnat - 1, "worker-0").decidedNow.size).toBe(0);
    const masq = np.findIndex((s) => s.step.node === "worker-0" && s.step.detail?.kind === "nat" && s.step.detail.type === "MASQUERADE");
    expect([...nodeView(np, masq, "worker-0").decidedNow]).toEqual(["nat/KUBE-POSTROUTING#1"]);
    const unSnat = np.findIndex((s) => s.step.node === "worker-0" && s.step.detail?.kind === "nat" && s.step.detail.type === "un-SNAT");
    expect([...nodeView(np, unSnat, "worker-0").decidedNow].sort()).toEqual(["nat/KUBE-POSTROUTING#1", "nat/KUBE-SEP-UGTFMET44DQG7H7H#2"]);
  });

  it("says when the entry a step shows is not confirmed yet, and counts filter rules too", () => {
    const np = steps("nodeport");
    const created = np.findIndex((s) => s.step.node === "worker-0" && s.step.detail?.kind === "conntrack" && s.step.detail.event === "new");
    const v = nodeView(np, created, "worker-0");
    expect(v.unconfirmedNow).toMatch(/^tcp +6 120 SYN_SENT src=203\.0\.113\.10 /);
    expect(v.conntrack).toEqual([]);
    const confirm = np.findIndex((s, i) => i > created && s.step.node === "worker-0" && s.step.detail?.kind === "conntrack" && s.step.detail.event === "confirm");
    expect(nodeView(np, confirm, "worker-0").unconfirmedNow).toBeUndefined();
    expect(nodeView(np, confirm, "worker-0").conntrack).toHaveLength(1);
    expect(nodeView(np, confirm, "worker-0").counters.get("filter/KUBE-FORWARD#1")).toMatchObject({ pkts: 1 });
  });

  it("drops an entry a reset destroyed, as conntrack -L does, and tells entries apart by the trace's conn number", () => {
    const session = freshSession();
    const r = runLine(session, targetNs(session, "worker-0"), "curl http://10.200.1.15:8080/");
    expect(r.stdout + r.stderr).toMatch(/Connection refused/);
    const all = flatten({ scenario: "pod-to-pod", flows: session.flows });
    const destroy = all.findIndex((s) => s.step.detail?.kind === "conntrack" && s.step.detail.event === "destroy");
    expect(destroy).toBeGreaterThan(0);
    const node = all[destroy]!.step.node;
    const before = nodeView(all, destroy - 1, node).conntrack;
    const after = nodeView(all, destroy, node).conntrack;
    expect(before.filter((l) => l.includes("dport=8080"))).toHaveLength(1);
    expect(after.filter((l) => l.includes("dport=8080"))).toHaveLength(0);
  });
});

describe("nft rule steps in the node panel", () => {
  it("keys an nft rule by its table as nft names it, and the NAT step's deciding rule is kube-proxy's dnat rule", () => {
    const spec = structuredClone(builtinScenario("today-nodeport")) as { cluster: Record<string, unknown> };
    spec.cluster.kubeProxy = { mode: "nftables", version: "latest" };
    const r = runScenario(spec);
    if (!r.ok) throw new Error("scenario failed");
    const all = flatten(r.trace);
    const dnat = all.findIndex((s) => s.step.node.startsWith("worker-") && s.step.detail?.kind === "nat" && s.step.detail.type === "DNAT");
    expect(dnat).toBeGreaterThan(0);
    const node = all[dnat]!.step.node;
    const decided = [...nodeView(all, dnat, node).decidedNow];
    expect(decided).toHaveLength(1);
    const m = /^ip kube-proxy\/(.+)#(\d+)$/.exec(decided[0]!);
    expect(m).not.toBeNull();
    const table = r.cluster.world.get(node).nft.tables.find((t) => t.name === "kube-proxy")!;
    const rule = [...table.chains.get(m![1]!)!.rules][Number(m![2]) - 1]!;
    expect(rule.stmts.some((s) => s.kind === "nat")).toBe(true);
    // Every nft rule the packet matched on that node is keyed the same way.
    const keys = [...nodeView(all, all.length - 1, node).counters.keys()];
    expect(keys.some((k) => k.startsWith("kube-proxy/"))).toBe(false);
    expect(keys.some((k) => k.startsWith("ip kube-proxy/"))).toBe(true);
  });
});
