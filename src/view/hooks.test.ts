import { describe, expect, it } from "vitest";
import { runScenario } from "../engine/k8s/run";
import { BUILTIN_SCENARIOS } from "../engine/scenarios/article";
import { faultIsOn, setFault, type Fault } from "../engine/k8s/faults";
import type { ScenarioInput } from "../engine/k8s/spec";
import { HOOK_ORDER } from "../engine/walk/hooks";
import { flatten, type FlatStep } from "../store/playback";
import { HOOK_STAGES, hookSlots, hooksAt, ipHook, isChain, isHook, nftPriorityText, tableLabel, type Station } from "./hooks";

function builtin(id: string): ScenarioInput {
  const s = BUILTIN_SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no built-in scenario ${id}`);
  return s;
}

function stepsOf(id: string | ScenarioInput): FlatStep[] {
  const r = runScenario(typeof id === "string" ? builtin(id) : id);
  if (!r.ok) throw new Error(`the scenario did not run: ${JSON.stringify(r.issues)}`);
  return flatten(r.trace);
}

/** The first step (from `after`) that passes `test`. */
function find(steps: readonly FlatStep[], test: (s: FlatStep) => boolean, after = 0): number {
  const i = steps.findIndex((s, j) => j >= after && test(s));
  if (i < 0) throw new Error("no such step");
  return i;
}

const at = (node: string, pod?: string) => (s: FlatStep) => s.step.node === node && s.step.pod === pod;

describe("the hooks a packet passed at a node", () => {
  it("keeps the engine's priority order, adding only the security table the model leaves out", () => {
    for (const [hook, stages] of Object.entries(HOOK_ORDER)) {
      expect(HOOK_STAGES[hook as keyof typeof HOOK_STAGES].filter((s) => s !== "security"), hook).toEqual(stages);
    }
  });

  it("NodePort on worker-0: nat PREROUTING through KUBE-SERVICES to the KUBE-SEP's DNAT, FORWARD, then MASQUERADE in nat POSTROUTING", () => {
    const steps = stepsOf("nodeport");
    const dnat = find(steps, (s) => at("worker-0")(s) && s.step.detail.kind === "nat" && s.step.detail.type === "DNAT");
    const h = hooksAt(steps, dnat)!;
    expect(h.node).toBe("worker-0");
    expect(h.current.station).toBe("PREROUTING");
    expect(h.current.stage).toBe("nat");
    const pre = h.passes.find((p) => p.station === "PREROUTING")!;
    expect(pre.tables.map((t) => t.stage)).toEqual(["conntrack", "nat"]);
    const nat = pre.tables[1]!;
    expect(nat.chains.slice(0, 3)).toEqual(["PREROUTING", "KUBE-SERVICES", "KUBE-NODEPORTS"]);
    expect(nat.chains).toContain("KUBE-MARK-MASQ");
    expect(nat.chains.at(-2)).toMatch(/^KUBE-SVC-/);
    expect(nat.chains.at(-1)).toMatch(/^KUBE-SEP-/);
    expect(nat.decided?.target).toBe("DNAT");
    expect(nat.decided?.rule).toMatch(/^-A KUBE-SEP-\S+ .*-j DNAT --to-destination 10\.200\.1\.18:80$/);
    expect(nat.nat).toBe(dnat);
    expect(h.nats).toHaveLength(1);
    expect(h.nats[0]!.before).toMatchObject({ dst: "10.240.0.20", dport: 31088 });
    expect(h.nats[0]!.after).toMatchObject({ dst: "10.200.1.18", dport: 80 });

    // As the packet leaves worker-0, the whole path is there.
    const out = find(steps, (s) => at("worker-0")(s) && s.step.kind === "wire" && s.step.dir === "out", dnat);
    const whole = hooksAt(steps, out)!;
    expect(whole.passes.map((p) => p.station)).toEqual(["in", "PREROUTING", "route-in", "FORWARD", "POSTROUTING", "out"]);
    expect(whole.passes.find((p) => p.station === "route-in")).toMatchObject({ decision: "forward", dev: "eth0" });
    const fwd = whole.passes.find((p) => p.station === "FORWARD")!;
    expect(fwd.tables.map((t) => [t.stage, t.chains, t.decided?.target])).toEqual([["filter", ["FORWARD", "KUBE-FORWARD"], "ACCEPT"]]);
    const post = whole.passes.find((p) => p.station === "POSTROUTING")!;
    expect(post.tables.map((t) => t.stage)).toEqual(["nat", "confirm"]);
    expect(post.tables[0]!.chains).toEqual(["POSTROUTING", "KUBE-POSTROUTING"]);
    expect(post.tables[0]!.decided?.target).toBe("MASQUERADE");
    expect(whole.nats.map((n) => [n.type, n.station, n.before.src, n.after.src])).toEqual([
      ["DNAT", "PREROUTING", "203.0.113.10", "203.0.113.10"],
      ["MASQUERADE", "POSTROUTING", "203.0.113.10", "10.240.0.20"],
    ]);
    expect(whole.current.station).toBe("out");
    expect(whole.brNetfilter).toBe(false);
  });

  it("the reply's un-SNAT is in PREROUTING and its un-DNAT in POSTROUTING, with no rules (conntrack decides)", () => {
    const steps = stepsOf("nodeport");
    const unDnat = find(steps, (s) => at("worker-0")(s) && s.step.detail.kind === "nat" && s.step.detail.type === "un-DNAT");
    const h = hooksAt(steps, unDnat)!;
    expect(h.nats.map((n) => [n.type, n.station])).toEqual([
      ["un-SNAT", "PREROUTING"],
      ["un-DNAT", "POSTROUTING"],
    ]);
    expect(h.passes.find((p) => p.station === "PREROUTING")!.tables.find((t) => t.stage === "nat")!.chains).toEqual([]);
    expect(h.current).toMatchObject({ station: "POSTROUTING", stage: "nat" });
  });

  it("pod to pod on one node: the bridge calls PREROUTING, FORWARD and POSTROUTING (br_netfilter), no routing", () => {
    const steps = stepsOf("same-node");
    const out = find(steps, (s) => at("worker-0")(s) && s.step.kind === "wire" && s.step.dir === "out");
    const h = hooksAt(steps, out, { bridge: "cnio0" })!;
    expect(h.brNetfilter).toBe(true);
    expect(h.passes.map((p) => p.station)).toEqual(["br-in", "br-PREROUTING", "br-decision", "br-FORWARD", "br-POSTROUTING", "br-out"]);
    expect(h.passes.every((p) => !p.station.startsWith("br-") || p.station === "br-in" || p.station === "br-out" || p.label === "cnio0")).toBe(true);
    expect(h.passes[0]!.label).toMatch(/^veth/);
    expect(h.passes[2]!).toMatchObject({ decision: "flood", dev: h.passes[5]!.label });
    expect(h.passes[3]!.tables[0]!.chains).toEqual(["FORWARD", "KUBE-FORWARD"]);
    expect(h.passes[4]!.tables.map((t) => t.stage)).toEqual(["nat", "confirm"]);
    expect(h.passes[4]!.tables[0]!.decided?.target).toBe("ACCEPT");
  });

  it("a routed reply from a pod: PREROUTING at the bridge, then up through cnio0 to routing, without a second PREROUTING", () => {
    const steps = stepsOf("pod-to-pod");
    const reply = find(steps, (s) => s.flow === 1 && at("worker-1")(s));
    const out = find(steps, (s) => at("worker-1")(s) && s.step.kind === "wire" && s.step.dir === "out", reply);
    const h = hooksAt(steps, out, { bridge: "cnio0" })!;
    expect(h.passes.map((p) => p.station)).toEqual(["br-in", "br-PREROUTING", "br-decision", "in", "route-in", "FORWARD", "POSTROUTING", "out"]);
    expect(h.passes[2]!).toMatchObject({ decision: "local", silent: true });
    expect(h.passes[3]!.label).toBe("cnio0");
    expect(h.passes[6]!.silent).toBe(true);
  });

  it("a node's own ping: a process, routing, OUTPUT, POSTROUTING, out", () => {
    const steps = stepsOf("node-to-pod");
    const out = find(steps, (s) => at("worker-0")(s) && s.step.kind === "wire" && s.step.dir === "out");
    const h = hooksAt(steps, out)!;
    expect(h.passes.map((p) => p.station)).toEqual(["local", "route-out", "OUTPUT", "POSTROUTING", "out"]);
    expect(h.passes[2]!.tables.map((t) => t.stage)).toEqual(["conntrack", "nat", "filter"]);
    expect(h.passes[2]!.tables[1]!.chains).toEqual(["OUTPUT", "KUBE-SERVICES"]);
  });

  it("a pod without rules passes its hooks silently on the way to the socket", () => {
    const steps = stepsOf("same-node");
    const deliver = find(steps, (s) => s.step.kind === "deliver");
    const h = hooksAt(steps, deliver)!;
    expect(h.pod).toMatch(/^kube-dns-/);
    expect(h.passes.map((p) => [p.station, p.silent])).toEqual([
      ["in", false],
      ["PREROUTING", true],
      ["route-in", false],
      ["INPUT", true],
      ["local", false],
    ]);
  });

  it("a missing route ends the packet at the routing decision", () => {
    const steps = stepsOf("no-route");
    const drop = find(steps, (s) => s.step.kind === "drop");
    const h = hooksAt(steps, drop)!;
    expect(h.node).toBe("vpc-router");
    expect(h.passes.map((p) => [p.station, p.dropped ?? false])).toEqual([
      ["in", false],
      ["PREROUTING", false],
      ["route-in", true],
    ]);
    expect(h.current.station).toBe("route-in");
    expect(h.passes[2]!).toMatchObject({ silent: false, dropReason: "no route to 10.200.1.15" });
  });

  it("a missing route told in Russian ends at the routing decision too", () => {
    const r = runScenario(builtin("no-route"), { lang: "ru" });
    if (!r.ok) throw new Error("no-route did not run");
    const steps = flatten(r.trace);
    const drop = find(steps, (s) => s.step.kind === "drop");
    const h = hooksAt(steps, drop)!;
    expect(h.passes.map((p) => [p.station, p.dropped ?? false])).toEqual([
      ["in", false],
      ["PREROUTING", false],
      ["route-in", true],
    ]);
    expect(h.passes[2]!.dropReason).toMatch(/[а-я]/);
  });

  it("tells chains from targets", () => {
    expect(isChain("KUBE-SERVICES")).toBe(true);
    expect(isChain("my-chain")).toBe(true);
    expect(isChain("MASQUERADE")).toBe(false);
    expect(isChain("MARK")).toBe(false);
    expect(isChain("none")).toBe(false);
  });

  it("with bridge-nf-call-iptables=0 the bridge calls no iptables hook for a bridged ping", () => {
    const steps = stepsOf(setFault(builtin("same-node"), { kind: "bridge-nf-off", worker: "worker-0" }, true));
    const out = find(steps, (s) => at("worker-0")(s) && s.step.kind === "wire" && s.step.dir === "out");
    const h = hooksAt(steps, out, { bridge: "cnio0" })!;
    expect(h.brNetfilter).toBe(false);
    expect(h.passes.map((p) => p.station)).toEqual(["br-in", "br-decision", "br-out"]);
  });

  it("a node's curl to a ClusterIP: DNAT in nat OUTPUT, then routed again", () => {
    const base = builtin("nodeport");
    const steps = stepsOf({ ...base, traffic: [{ kind: "curl", from: { node: "worker-0" }, to: { service: "nginx", namespace: "default" }, port: 80, sport: 40404 }] });
    const dnat = find(steps, (s) => at("worker-0")(s) && s.step.detail.kind === "nat" && s.step.detail.type === "DNAT");
    const out = find(steps, (s) => at("worker-0")(s) && s.step.kind === "wire" && s.step.dir === "out", dnat);
    const h = hooksAt(steps, out)!;
    expect(h.passes.map((p) => p.station)).toEqual(["local", "route-out", "OUTPUT", "POSTROUTING", "out"]);
    const output = h.passes[2]!;
    expect(output.rerouted).toBe(true);
    expect(output.tables.find((t) => t.stage === "nat")!.decided?.target).toBe("DNAT");
    expect(h.nats[0]).toMatchObject({ type: "DNAT", station: "OUTPUT", before: { dst: "10.32.0.53" } });
  });

  it("places every step of every built-in scenario, and of each what-if fault, in a hook that fits it", () => {
    const faults: Fault[] = [
      { kind: "vpc-route-missing", worker: "worker-1" },
      { kind: "vpc-route-wrong-worker", worker: "worker-1", via: "worker-2" },
      { kind: "ipmasq-off", worker: "worker-0" },
      { kind: "ip-forward-off", worker: "worker-1" },
      { kind: "bridge-nf-off", worker: "worker-0" },
      { kind: "hairpin-off", worker: "worker-1" },
      { kind: "kube-proxy-stopped", worker: "worker-0", service: "default/nginx" },
      { kind: "no-endpoints", service: "default/nginx" },
      { kind: "stale-endpoint", service: "default/nginx", ip: "10.200.1.99", port: 80 },
    ];
    const scenarios = [
      ...BUILTIN_SCENARIOS,
      ...faults.flatMap((f) => ["pod-to-pod", "nodeport", "same-node"].map((id) => ({ ...setFault(builtin(id), f, !faultIsOn(builtin(id), f)), id: `${id}-with-${f.kind}` }))),
    ];
    for (const sc of scenarios) {
      const steps = stepsOf(sc);
      for (let c = 0; c < steps.length; c++) {
        const h = hooksAt(steps, c)!;
        expect(h, `${sc.id} step ${c}`).toBeDefined();
        const cur = h.passes[h.current.pass]!;
        expect(cur.steps, `${sc.id} step ${c}`).toContain(c);
        const d = steps[c]!.step.detail;
        const ctx = `${sc.id} step ${c} (${steps[c]!.step.kind}) in ${cur.station}`;
        if (d.kind === "rule") {
          expect(isHook(cur.station), ctx).toBe(true);
          expect(ipHook(cur.station as Extract<Station, "PREROUTING">), ctx).toBe(d.hook);
          expect(HOOK_STAGES[d.hook as "PREROUTING"], ctx).toContain(d.table);
        }
        if (d.kind === "nat") expect(["DNAT", "un-SNAT"].includes(d.type) ? ["PREROUTING", "OUTPUT", "br-PREROUTING"] : ["POSTROUTING", "INPUT", "br-POSTROUTING"], ctx).toContain(cur.station);
        if (d.kind === "conntrack" && d.event === "confirm") expect(["POSTROUTING", "INPUT", "br-POSTROUTING"], ctx).toContain(cur.station);
        if (d.kind === "route") expect(["route-in", "route-out", "OUTPUT"], ctx).toContain(cur.station);
        if (d.kind === "bridge") expect(cur.station, ctx).toBe("br-decision");
        // Passes follow one another along the diagram's arrows (or start again on a loop).
        for (let i = 1; i < h.passes.length; i++) expect(h.passes[i]!.station, ctx).not.toBe(h.passes[i - 1]!.station === "local" ? "x" : h.passes[i - 1]!.station);
      }
    }
  });

  it("a pod calling its own service: DNAT at the bridge, out through cnio0, back to the same port (hairpin) or refused", () => {
    const curl: ScenarioInput["traffic"] = [{ kind: "curl", from: { pod: "nginx-65899c769f-wxdx6" }, to: { service: "nginx", namespace: "default" }, port: 80, sport: 40404 }];
    for (const hairpinOff of [false, true]) {
      const steps = stepsOf({ ...setFault(builtin("nodeport"), { kind: "hairpin-off", worker: "worker-1" }, hairpinOff), traffic: curl });
      const end = find(steps, (s) => at("worker-1")(s) && (s.step.kind === "drop" || (s.step.kind === "wire" && s.step.dir === "out" && s.step.iface !== "cnio0")));
      // Whether or not the topology names the ports, the frame is the bridge's.
      for (const ports of [new Set<string>(), new Set([steps[end]!.step.iface ?? "", "vethb02ac211"])]) {
        const h = hooksAt(steps, end, { bridge: "cnio0", ports })!;
        const ctx = `hairpin ${hairpinOff ? "off" : "on"}, ports ${ports.size ? "known" : "unknown"}`;
        expect(h.nats[0], ctx).toMatchObject({ type: "DNAT", station: "br-PREROUTING" });
        if (hairpinOff) {
          expect(h.passes.map((p) => p.station), ctx).toEqual(["br-in", "br-PREROUTING", "br-decision"]);
          expect(h.passes[2]!.dropped, ctx).toBe(true);
        } else {
          expect(h.passes.map((p) => p.station), ctx).toEqual(["br-in", "br-PREROUTING", "br-decision", "br-FORWARD", "br-POSTROUTING", "br-out"]);
          expect(h.nats[1], ctx).toMatchObject({ type: "MASQUERADE", station: "br-POSTROUTING" });
        }
      }
    }
  });
});

describe("nft rule steps in the hooks view (kube-proxy in nftables mode)", () => {
  const spec = structuredClone(builtin("today-nodeport")) as ScenarioInput & { cluster: Record<string, unknown> };
  spec.cluster.kubeProxy = { mode: "nftables", version: "latest" };
  const steps = stepsOf(spec);
  const worker = at("worker-0");

  it("places kube-proxy's base chains at their priorities: filter-prerouting-pre-dnat (−110) after mangle and before nat, nat-prerouting at dstnat before the iptables nat table", () => {
    const dnat = find(steps, (s) => worker(s) && s.step.detail.kind === "nat" && s.step.detail.type === "DNAT");
    const h = hooksAt(steps, dnat)!;
    const pre = h.passes.find((p) => p.station === "PREROUTING")!;
    const nft = pre.tables.filter((t) => t.nft);
    expect(nft.map((t) => [t.nft!.table, t.nft!.chain, t.nft!.priority, t.stage])).toEqual([
      ["ip kube-proxy", "filter-prerouting-pre-dnat", -110, "filter"],
      ["ip kube-proxy", "nat-prerouting", -100, "nat"],
    ]);
    // The DNAT step joins the nat chain's walk that decided it.
    const nat = nft[1]!;
    expect(nat.nat).toBe(dnat);
    expect(nat.chains[0]).toBe("nat-prerouting");
    expect(nat.chains).toContain("services");
    expect(nat.decided?.target).toBe("DNAT");
    expect(nat.decided?.rule).toMatch(/dnat to/);
    expect(h.current.nft).toBe(nat);
    expect(tableLabel("PREROUTING", nat)).toBe("ip kube-proxy (nat, priority dstnat)");
    expect(tableLabel("PREROUTING", nft[0]!)).toBe("ip kube-proxy (filter, priority dstnat - 10)");
    const slots = hookSlots("PREROUTING", pre).map((x) => (x.kind === "stage" ? x.stage : `nft ${x.table.nft!.chain}`));
    expect(slots).toEqual(["raw", "conntrack", "mangle", "nft filter-prerouting-pre-dnat", "nft nat-prerouting", "nat"]);
    // No iptables stage is taken for kube-proxy's table.
    expect(pre.tables.some((t) => !t.nft && t.chains.includes("services"))).toBe(false);
  });

  it("puts the iptables nat table (CNI) and kube-proxy's nat-postrouting both at srcnat in POSTROUTING, kube-proxy's first (made last, its hook runs first), and never mislabels a table", () => {
    const masq = find(steps, (s) => worker(s) && s.step.detail.kind === "nat" && s.step.detail.type === "MASQUERADE");
    const h = hooksAt(steps, masq)!;
    const post = h.passes.find((p) => p.station === "POSTROUTING")!;
    const kp = post.tables.find((t) => t.nft?.chain === "nat-postrouting")!;
    expect(kp.nat).toBe(masq);
    expect(tableLabel("POSTROUTING", kp)).toBe("ip kube-proxy (nat, priority srcnat)");
    const slots = hookSlots("POSTROUTING", post).map((x) => (x.kind === "stage" ? x.stage : `nft ${x.table.nft!.chain}`));
    expect(slots).toEqual(["mangle", "nft nat-postrouting", "nat", "confirm"]);
    // Every table pass of every visit names an iptables stage or carries its nft table.
    for (let i = 0; i < steps.length; i++) {
      const v = hooksAt(steps, i)!;
      for (const p of v.passes) for (const t of p.tables) expect(["raw", "conntrack", "mangle", "nat", "filter", "confirm"]).toContain(t.stage);
    }
  });

  it("names nft priorities as nft does", () => {
    expect(nftPriorityText("PREROUTING", -110)).toBe("dstnat - 10");
    expect(nftPriorityText("OUTPUT", -100)).toBe("-100");
    expect(nftPriorityText("FORWARD", -10)).toBe("filter - 10");
    expect(nftPriorityText("POSTROUTING", 100)).toBe("srcnat");
    expect(nftPriorityText("INPUT", 300)).toBe("300");
  });
});

describe("a tunnel's packets in the hooks view (flannel's VXLAN)", () => {
  it("worker-0 forwards the pod's packet out of flannel.1, then sends the VXLAN datagram as local traffic: OUTPUT, POSTROUTING, out of eth0", () => {
    const steps = stepsOf("flannel-pod-to-pod");
    const out = find(steps, (s) => at("worker-0")(s) && s.step.kind === "wire" && s.step.iface === "eth0" && s.step.dir === "out");
    const h = hooksAt(steps, out)!;
    const stations = h.passes.map((p) => p.station);
    // (The bridge ran PREROUTING for the pod's frame already: br_netfilter.)
    expect(stations).toEqual(["br-in", "br-PREROUTING", "br-decision", "in", "route-in", "FORWARD", "POSTROUTING", "out", "local", "route-out", "OUTPUT", "POSTROUTING", "out"]);
    expect(h.passes[8]!.label).toBe("flannel.1 (VXLAN)");
    expect(h.now.inner?.dst).toBe("10.244.1.15");
  });

  it("worker-1 takes the datagram after INPUT (its VXLAN socket), and the frame inside comes in on flannel.1 to be forwarded", () => {
    const steps = stepsOf("flannel-pod-to-pod");
    const decap = find(steps, (s) => at("worker-1")(s) && s.step.kind === "encap");
    const deliverOut = find(steps, (s) => at("worker-1")(s) && s.step.kind === "wire" && s.step.iface === "cni0" && s.step.dir === "out", decap);
    const h = hooksAt(steps, deliverOut)!;
    const stations = h.passes.map((p) => p.station);
    expect(stations.slice(0, 6)).toEqual(["in", "PREROUTING", "route-in", "INPUT", "local", "in"]);
    expect(stations.slice(6)).toEqual(["PREROUTING", "route-in", "FORWARD", "POSTROUTING", "out"]);
    expect(h.passes[4]!.label).toBe("flannel.1 (VXLAN, UDP 8472)");
  });
});
