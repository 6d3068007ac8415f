/** The article's walk-throughs, reproduced: every figure here is one the article (or the lab) printed. */
import { describe, expect, it } from "vitest";
import { formatConntrackEntry } from "../conntrack/format";
import { iptablesSave } from "../netfilter/save";
import { formatRouteTable } from "../route/format";
import { BUILTIN_SCENARIOS, builtinScenario } from "../scenarios/article";
import type { Flow } from "../trace";
import { runScenario, type RunResult } from "./run";
import { safeEncode } from "./build";
import { traceTraffic } from "./traffic";

function run(id: string): Extract<RunResult, { ok: true }> {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

const conntrack = (r: Extract<RunResult, { ok: true }>, node: string) => r.cluster.world.get(node).ct.list(r.cluster.world.now).map((e) => formatConntrackEntry(e, r.cluster.world.now));
const lastWireIn = (f: Flow) => f.steps.filter((s) => s.kind === "wire" && s.dir === "in").at(-1)!;

describe("the article's cluster", () => {
  const r = run("pod-to-pod");
  const w = r.cluster.world;

  it("has the six chain names the article prints", () => {
    const nat = iptablesSave(w.get("worker-0").nf, { table: "nat" });
    for (const chain of ["KUBE-SVC-ERIFXISQEP7F7OF4", "KUBE-SEP-32LPCMGYG6ODGN3H", "KUBE-SVC-TCOU7JCQXEZGVUNU", "KUBE-SEP-LRUTK6XRXU43VLIG", "KUBE-SVC-4N57TFCL4MD7ZTDA", "KUBE-SEP-UGTFMET44DQG7H7H", "CNI-be726a77f15ea47ff32947a3"]) {
      expect(nat).toContain(`:${chain} - [0:0]`);
    }
  });

  it("writes the article's kube-dns and nginx rules word for word", () => {
    const lines = iptablesSave(w.get("worker-0").nf, { table: "nat" }).split("\n");
    for (const rule of [
      `-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
      `-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
      `-A KUBE-SERVICES -d 10.32.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp --dport 53 -j KUBE-SVC-ERIFXISQEP7F7OF4`,
      `-A KUBE-SVC-ERIFXISQEP7F7OF4 -m comment --comment "kube-system/kube-dns:dns-tcp" -j KUBE-SEP-32LPCMGYG6ODGN3H`,
      `-A KUBE-SEP-32LPCMGYG6ODGN3H -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp" -m tcp -j DNAT --to-destination 10.200.0.27:53`,
      `-A KUBE-SERVICES -d 10.32.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU`,
      `-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns" -j KUBE-SEP-LRUTK6XRXU43VLIG`,
      `-A KUBE-SEP-LRUTK6XRXU43VLIG -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.200.0.27:53`,
      `-A KUBE-NODEPORTS -p tcp -m comment --comment "default/nginx:" -m tcp --dport 31088 -j KUBE-SVC-4N57TFCL4MD7ZTDA`,
      `-A KUBE-SVC-4N57TFCL4MD7ZTDA -m comment --comment "default/nginx:" -j KUBE-SEP-UGTFMET44DQG7H7H`,
      `-A KUBE-SEP-UGTFMET44DQG7H7H -p tcp -m comment --comment "default/nginx:" -m tcp -j DNAT --to-destination 10.200.1.18:80`,
      `-A POSTROUTING -s 10.200.0.0/24 -m comment --comment "name: \\"bridge\\" id: \\"631cab5de5565cc432a3beca0e2aece0cef9285482b11f3eb0b46c134e457854\\"" -j CNI-be726a77f15ea47ff32947a3`,
      `-A CNI-be726a77f15ea47ff32947a3 ! -d 224.0.0.0/4 -m comment --comment "name: \\"bridge\\" id: \\"631cab5de5565cc432a3beca0e2aece0cef9285482b11f3eb0b46c134e457854\\"" -j MASQUERADE`,
      `-A KUBE-SVC-NPX46M4PTMTKRN6Y -m comment --comment "default/kubernetes:https" -m statistic --mode random --probability 0.33332999982 -j KUBE-SEP-HFMBYHW5FO36NATD`,
    ]) {
      expect(lines).toContain(rule);
    }
  });

  it("gives the pod and the node the article's routing tables", () => {
    const pod = r.cluster.pods.find((p) => p.name === "busybox0-rw89s")!;
    expect(formatRouteTable(w.get(pod.netns).routes)).toBe("default via 10.200.0.1 dev eth0 \n10.200.0.0/24 dev eth0 proto kernel scope link src 10.200.0.21 \n");
    expect(formatRouteTable(w.get("worker-0").routes)).toBe(
      "default via 10.240.0.1 dev eth0 proto dhcp src 10.240.0.20 metric 100 \n" +
        "10.200.0.0/24 dev cnio0 proto kernel scope link src 10.200.0.1 \n" +
        "10.240.0.0/24 dev eth0 proto kernel scope link src 10.240.0.20 \n" +
        "10.240.0.1 dev eth0 proto dhcp scope link src 10.240.0.20 metric 100 \n",
    );
  });

  it("gives a cluster's pods the same names in every scenario", () => {
    const names = (id: string) => run(id).cluster.pods.map((p) => p.name);
    expect(names("same-node")).toEqual(names("pod-to-pod"));
    expect(names("nodeport")).toEqual(names("pod-to-pod"));
  });

  it("names pods the way their controllers do, and MACs the way the CNI plugin does", () => {
    expect(safeEncode("2145573259")).toBe("65899c769f");
    const dns = r.cluster.pods.find((p) => p.labels["k8s-app"] === "kube-dns")!;
    expect(dns.name).toMatch(/^kube-dns-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(dns.netns).toMatch(/^cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(dns.hostVeth).toMatch(/^veth[0-9a-f]{8}$/);
    expect(w.get(dns.netns).iface("eth0")!.mac).toBe("0a:58:0a:c8:00:1b");
    expect(w.get("worker-0").iface("cnio0")!.mac).toBe("0a:58:0a:c8:00:01");
  });
});

describe("pod-to-pod with ipMasq (the article's conntrack)", () => {
  const r = run("pod-to-pod");
  it("masquerades to 10.240.0.20 on worker-0 and arrives with TTL 62", () => {
    expect(conntrack(r, "worker-0")).toEqual(["icmp     1 29 src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1280 src=10.200.1.15 dst=10.240.0.20 type=0 code=0 id=1280 mark=0 use=1"]);
    expect(conntrack(r, "worker-1")).toEqual(["icmp     1 29 src=10.240.0.20 dst=10.200.1.15 type=8 code=0 id=1280 src=10.200.1.15 dst=10.240.0.20 type=0 code=0 id=1280 mark=0 use=1"]);
    const arrival = lastWireIn(r.trace.flows[0]!);
    expect([arrival.pod, arrival.packet.src, arrival.packet.ttl]).toEqual(["busybox0-g6pww", "10.240.0.20", 62]);
    expect(lastWireIn(r.trace.flows[1]!)).toMatchObject({ pod: "busybox0-rw89s", packet: { src: "10.200.1.15", dst: "10.200.0.21", ttl: 62 } });
  });

  it("grows the CNI chain's counters with each new connection", () => {
    const post = r.cluster.world.get("worker-0").nf.tables.nat.chains.get("POSTROUTING")!;
    const cni = post.rules.find((x) => x.target.kind === "jump" && x.target.chain.startsWith("CNI-"))!;
    expect(cni.counters).toEqual({ pkts: 1, bytes: 84 });
    // A second ping (another echo id: another connection) passes the nat chains again.
    traceTraffic(r.cluster, { kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" }, sport: 1281 }, 0);
    expect(cni.counters).toEqual({ pkts: 2, bytes: 168 });
  });
});

describe("the other walk-throughs", () => {
  it("pod-to-pod-no-masq: no NAT anywhere, the article's lines", () => {
    const r = run("pod-to-pod-no-masq");
    expect(conntrack(r, "worker-0")).toEqual(["icmp     1 29 src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1792 src=10.200.1.15 dst=10.200.0.21 type=0 code=0 id=1792 mark=0 use=1"]);
    expect(conntrack(r, "worker-1")).toEqual(["icmp     1 29 src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1792 src=10.200.1.15 dst=10.200.0.21 type=0 code=0 id=1792 mark=0 use=1"]);
    expect(r.trace.flows.flatMap((f) => f.steps).filter((s) => s.kind === "nat")).toEqual([]);
    expect(iptablesSave(r.cluster.world.get("worker-0").nf, { table: "nat" })).not.toContain("CNI-");
  });

  it("same-node: bridged through cnio0 with TTL 64 and a conntrack entry", () => {
    const r = run("same-node");
    expect(lastWireIn(r.trace.flows[0]!)).toMatchObject({ packet: { src: "10.200.0.21", dst: "10.200.0.27", ttl: 64 } });
    expect(r.trace.flows[0]!.steps.some((s) => s.kind === "bridge")).toBe(true);
    expect(conntrack(r, "worker-0")).toHaveLength(1);
  });

  it.each(["clusterip-dns-udp", "clusterip-dns-tcp"])("%s: DNAT 10.32.0.10:53 → 10.200.0.27:53 on worker-1, answered from the VIP", (id) => {
    const r = run(id);
    const nat = r.trace.flows[0]!.steps.find((s) => s.kind === "nat" && s.detail?.kind === "nat" && s.detail.type === "DNAT")!;
    expect(nat.node).toBe("worker-1");
    expect(nat.detail).toMatchObject({ before: { dst: "10.32.0.10", dport: 53 }, after: { dst: "10.200.0.27", dport: 53 } });
    expect(lastWireIn(r.trace.flows[1]!)).toMatchObject({ pod: "busybox0-g6pww", packet: { src: "10.32.0.10", sport: 53, dst: "10.200.1.15" } });
  });

  it("nodeport: the article's conntrack entries on both workers", () => {
    const r = run("nodeport");
    expect(conntrack(r, "worker-0")).toEqual([
      "tcp      6 86399 ESTABLISHED src=203.0.113.10 dst=10.240.0.20 sport=30303 dport=31088 src=10.200.1.18 dst=10.240.0.20 sport=80 dport=30303 [ASSURED] mark=0 use=1",
    ]);
    expect(conntrack(r, "worker-1")).toEqual([
      "tcp      6 86399 ESTABLISHED src=10.240.0.20 dst=10.200.1.18 sport=30303 dport=80 src=10.200.1.18 dst=10.240.0.20 sport=80 dport=30303 [ASSURED] mark=0 use=1",
    ]);
    expect(lastWireIn(r.trace.flows[0]!)).toMatchObject({ pod: "nginx-65899c769f-wxdx6", packet: { src: "10.240.0.20", dst: "10.200.1.18", dport: 80 } });
    expect(lastWireIn(r.trace.flows[1]!)).toMatchObject({ node: "client", packet: { src: "198.51.100.20", sport: 31088, dst: "203.0.113.10", dport: 30303 } });
  });

  it("node-to-pod: the node's own address, TTL 63, no NAT", () => {
    const r = run("node-to-pod");
    expect(lastWireIn(r.trace.flows[0]!)).toMatchObject({ packet: { src: "10.240.0.20", dst: "10.200.1.15", ttl: 63 } });
    expect(r.trace.flows.flatMap((f) => f.steps).filter((s) => s.kind === "nat")).toEqual([]);
  });

  it("pod-to-internet: masqueraded to the node, then to its public address", () => {
    const r = run("pod-to-internet");
    expect(lastWireIn(r.trace.flows[0]!)).toMatchObject({ node: "client", packet: { src: "198.51.100.20", dst: "203.0.113.10" } });
    expect(lastWireIn(r.trace.flows[1]!)).toMatchObject({ pod: "busybox0-rw89s", packet: { src: "203.0.113.10", dst: "10.200.0.21" } });
  });

  it("no-route: dropped at the VPC router with that reason, which answers net unreachable", () => {
    const r = run("no-route");
    expect(r.trace.flows.map((f) => f.name)).toEqual(["request", "error"]);
    expect(r.trace.flows[0]).toMatchObject({ verdict: "dropped", dropReason: "no route to 10.200.1.15 (on vpc-router)" });
    // As the kernel does: ICMP net unreachable from the router, un-NATed to the pod on worker-0.
    expect(r.trace.flows[1]!.steps[0]).toMatchObject({ node: "vpc-router", packet: { proto: "icmp", src: "10.240.0.1", dst: "10.240.0.20" } });
    expect(lastWireIn(r.trace.flows[1]!)).toMatchObject({ pod: "busybox0-rw89s", packet: { src: "10.240.0.1", dst: "10.200.0.21", ttl: 63 } });
    expect(r.trace.flows[1]!.verdict).toBe("delivered");
  });

  it("every built-in scenario is valid, runs, and delivers (or drops) deterministically", () => {
    for (const s of BUILTIN_SCENARIOS) {
      const a = runScenario(s);
      const b = runScenario(s);
      expect(a.ok && b.ok).toBe(true);
      if (a.ok && b.ok) expect(JSON.stringify(a.trace)).toBe(JSON.stringify(b.trace));
    }
  });
});

describe("kube-proxy's rules are shared between nodes, their counters are not", () => {
  it("counts the DNAT on worker-1 only, although both nodes hold the same rule object", () => {
    const r = run("clusterip-dns-udp");
    const sep = (node: string) => iptablesSave(r.cluster.world.get(node).nf, { table: "nat", counters: true }).split("\n").filter((l) => l.includes("-A KUBE-SEP-LRUTK6XRXU43VLIG -p udp"));
    expect(sep("worker-1")).toEqual(['[1:82] -A KUBE-SEP-LRUTK6XRXU43VLIG -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.200.0.27:53']);
    expect(sep("worker-0")).toEqual(['[0:0] -A KUBE-SEP-LRUTK6XRXU43VLIG -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.200.0.27:53']);
    const rule = (node: string) => r.cluster.world.get(node).nf.tables.nat.chains.get("KUBE-SEP-LRUTK6XRXU43VLIG")!.rules[1]!;
    expect(rule("worker-0")).toBe(rule("worker-1"));
    expect(rule("worker-0").counters).toEqual({ pkts: 0, bytes: 0 });
  });
});
