import { describe, expect, it } from "vitest";
import { ipv4 } from "./addr/ipv4";
import { formatConntrackEntry } from "./conntrack/format";
import { iptablesRestoreOrThrow, iptablesSave } from "./netfilter/save";
import type { Packet } from "./packet/packet";
import { bridgeLab } from "./testing/bridge-lab";
import { routerLab } from "./testing/router-lab";
import type { Step } from "./trace";
import type { FlowResult, World } from "./world";

const echo = (id: number, seq = 1) => ({ proto: "icmp" as const, dst: ipv4("10.0.2.2"), icmp: { type: 8, code: 0, id, seq } });

/** The answer a host's stack gives to what it was delivered: echo reply, or the service's reply. */
function answer(w: World, r: FlowResult, name = "reply"): FlowResult {
  const d = r.delivered;
  if (!d) throw new Error(`not delivered: ${r.flow.dropReason}`);
  const p: Packet = d.packet;
  if (p.proto === "icmp") return w.send(d.ns.name, { proto: "icmp", src: p.dst, dst: p.src, icmp: { ...p.icmp!, type: 0 } }, name);
  return w.send(d.ns.name, { proto: p.proto, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport }, name);
}

const wires = (steps: readonly Step[]) => steps.filter((s) => s.kind === "wire").map((s) => `${s.node}/${s.pod ?? ""} ${s.iface} ${s.dir} ${s.packet.src}>${s.packet.dst} ttl=${s.packet.ttl}`);

describe("a ping through a masquerading router", () => {
  const w = routerLab();
  const req = w.send("client", echo(5478));
  const rep = answer(w, req);
  const router = w.get("router");

  it("delivers the request with the router's address as source and TTL 63", () => {
    expect(req.flow.verdict).toBe("delivered");
    expect(wires(req.flow.steps)).toEqual([
      "client/ eth0 out 10.0.1.2>10.0.2.2 ttl=64",
      "router/ r-cl in 10.0.1.2>10.0.2.2 ttl=64",
      "router/ r-sv out 10.0.2.1>10.0.2.2 ttl=63",
      "server/ eth0 in 10.0.2.1>10.0.2.2 ttl=63",
    ]);
  });

  it("un-NATs the reply through conntrack, without a rule, and it arrives with TTL 63", () => {
    expect(rep.flow.verdict).toBe("delivered");
    expect(wires(rep.flow.steps)).toEqual([
      "server/ eth0 out 10.0.2.2>10.0.2.1 ttl=64",
      "router/ r-sv in 10.0.2.2>10.0.2.1 ttl=64",
      "router/ r-cl out 10.0.2.2>10.0.1.2 ttl=63",
      "client/ eth0 in 10.0.2.2>10.0.1.2 ttl=63",
    ]);
    expect(rep.flow.steps.filter((s) => s.kind === "rule")).toEqual([]);
    const nat = rep.flow.steps.find((s) => s.kind === "nat")!;
    expect(nat.detail).toMatchObject({ type: "un-SNAT", before: { dst: "10.0.2.1" }, after: { dst: "10.0.1.2" }, changed: ["dst"] });
  });

  it("leaves the conntrack line the lab's kernel printed", () => {
    expect(router.ct.list(w.now).map((e) => formatConntrackEntry(e, w.now + 500))).toEqual([
      "icmp     1 29 src=10.0.1.2 dst=10.0.2.2 type=8 code=0 id=5478 src=10.0.2.2 dst=10.0.2.1 type=0 code=0 id=5478 mark=0 use=1",
    ]);
  });

  it("counts the first packet only in the nat chains, as the lab's kernel did", () => {
    expect(iptablesSave(router.nf, { counters: true, time: 0 }).split("\n").slice(2, 7)).toEqual([
      ":PREROUTING ACCEPT [1:84]",
      ":INPUT ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":POSTROUTING ACCEPT [0:0]",
      "[1:84] -A POSTROUTING -o r-sv -j MASQUERADE",
    ]);
    const second = w.send("client", echo(5478, 2));
    answer(w, second);
    expect(router.nf.tables.nat.chains.get("POSTROUTING")!.rules[0]!.counters).toEqual({ pkts: 1, bytes: 84 });
    expect(second.flow.steps.some((s) => s.kind === "rule")).toBe(false);
    expect(second.flow.steps.find((s) => s.kind === "nat")?.detail).toMatchObject({ type: "SNAT", after: { src: "10.0.2.1" } });
  });

  it("records the trace contract's fields on every step", () => {
    for (const s of [...req.flow.steps, ...rep.flow.steps]) {
      expect(s.text.length).toBeGreaterThan(10);
      expect(["client", "router", "server"]).toContain(s.node);
      if (s.kind === "wire") expect([s.iface, s.dir]).not.toContain(undefined);
      expect(s.packet.proto).toBe("icmp");
      expect(s.packet.sport).toBeUndefined();
    }
  });
});

describe("drops carry a reason", () => {
  it("drops at the router when forwarding is off", () => {
    const r = routerLab({ ipForward: false }).send("client", echo(1));
    expect(r.flow.verdict).toBe("dropped");
    expect(r.flow.dropReason).toBe("forwarding is off (net.ipv4.ip_forward = 0) (on router)");
    expect(r.flow.steps.at(-1)!.kind).toBe("drop");
  });

  it("drops when no route matches", () => {
    const w = routerLab();
    w.get("client").deleteRoute((x) => x.dst.prefix === 0);
    const r = w.send("client", echo(1));
    expect(r.flow.dropReason).toBe("no route to 10.0.2.2 (on client)");
  });

  it("drops a packet whose TTL runs out at the router", () => {
    const r = routerLab().send("client", { ...echo(1), ttl: 1 });
    expect(r.flow.dropReason).toBe("TTL exceeded in transit (ttl 1) (on router)");
  });

  it("names the rule that dropped or rejected it", () => {
    const w = routerLab();
    iptablesRestoreOrThrow(w.get("router").nf, "*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -d 10.0.2.2/32 -p icmp -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n", { noflush: true });
    const r = w.send("client", echo(1));
    expect(r.flow.dropReason).toBe("REJECT rule in filter FORWARD (icmp-host-prohibited) (on router)");
    expect(r.flow.steps.at(-1)!.detail).toMatchObject({ rule: "-A FORWARD -d 10.0.2.2/32 -p icmp -j REJECT --reject-with icmp-host-prohibited" });
  });

  it("says nothing listens when a UDP datagram finds no socket", () => {
    const r = routerLab().send("client", { proto: "udp", dst: ipv4("10.0.2.2"), sport: 40000, dport: 5353, payload: { kind: "raw", bytes: 6 } });
    expect(r.flow.dropReason).toBe("nothing listens on udp port 5353 (the kernel answers ICMP port unreachable) (on server)");
  });
});

describe("MASQUERADE and clashing source ports", () => {
  it("keeps the first client's port and moves the second's into 1024-65535", () => {
    const w = routerLab();
    w.addNetns({ name: "client2", node: "client2" });
    w.veth({ ns: "client2", name: "eth0" }, { ns: "router", name: "r-c2" });
    w.get("client2").addAddress("eth0", "10.0.3.2/24");
    w.get("router").addAddress("r-c2", "10.0.3.1/24");
    w.get("client2").addRoute({ ...w.get("client").routes.find((r) => r.dst.prefix === 0)!, via: ipv4("10.0.3.1") });
    w.get("server").listeners.push({ proto: "udp", port: 5353, app: "echo" });
    const a = w.send("client", { proto: "udp", dst: ipv4("10.0.2.2"), sport: 40000, dport: 5353 });
    const b = w.send("client2", { proto: "udp", dst: ipv4("10.0.2.2"), sport: 40000, dport: 5353 });
    expect(a.delivered!.packet.sport).toBe(40000);
    const moved = b.delivered!.packet.sport;
    expect(moved).not.toBe(40000);
    expect(moved).toBeGreaterThanOrEqual(1024);
    // The reply to the moved port finds its way back to client2's original port.
    const back = answer(w, b);
    expect(back.delivered).toMatchObject({ ns: { name: "client2" }, packet: { dport: 40000, dst: ipv4("10.0.3.2") } });
  });
});

describe("a CNI bridge with br_netfilter", () => {
  it("bridges same-node pod traffic: no TTL change, FORWARD and POSTROUTING with cnio0 in and out, a conntrack entry", () => {
    const w = bridgeLab();
    const r = w.send("cni-a", { proto: "icmp", dst: ipv4("10.200.0.27"), icmp: { type: 8, code: 0, id: 7, seq: 1 } });
    expect(r.flow.verdict).toBe("delivered");
    expect(wires(r.flow.steps)).toEqual([
      "worker-0/pod-a eth0 out 10.200.0.21>10.200.0.27 ttl=64",
      "worker-0/ veth0000000a in 10.200.0.21>10.200.0.27 ttl=64",
      "worker-0/ veth0000000b out 10.200.0.21>10.200.0.27 ttl=64",
      "worker-0/pod-b eth0 in 10.200.0.21>10.200.0.27 ttl=64",
    ]);
    const rules = r.flow.steps.filter((s) => s.kind === "rule").map((s) => (s.detail as { rule: string }).rule);
    expect(rules).toEqual(["-A POSTROUTING -s 10.200.0.0/24 -j CNI-TEST", "-A CNI-TEST -d 10.200.0.0/24 -j ACCEPT"]);
    expect(w.get("node").ct.list(w.now)).toHaveLength(1);
    const bridge = r.flow.steps.find((s) => s.kind === "bridge")!;
    expect(bridge.detail).toMatchObject({ bridge: "cnio0", action: "flood", port: "veth0000000b" });
    // The reply's destination MAC was learned from the request: forwarded, not flooded.
    const rep = answer(w, r);
    expect(rep.flow.steps.find((s) => s.kind === "bridge")!.detail).toMatchObject({ action: "forward", port: "veth0000000a" });
  });

  it("DNATs a service VIP to a pod on the same bridge without routing it (bridged DNAT, TTL 64) and un-DNATs the reply", () => {
    const w = bridgeLab();
    const q = w.send("cni-a", { proto: "udp", dst: ipv4("10.32.0.10"), sport: 53340, dport: 53, payload: { kind: "dns-query", id: 1, name: "kubernetes.default.svc.cluster.local", qtype: "A" } });
    expect(q.flow.verdict).toBe("delivered");
    expect(wires(q.flow.steps)).toEqual([
      "worker-0/pod-a eth0 out 10.200.0.21>10.32.0.10 ttl=64",
      "worker-0/ veth0000000a in 10.200.0.21>10.32.0.10 ttl=64",
      // The kernel sends the DNATed frame through the bridge device (seen in the lab).
      "worker-0/ cnio0 out 10.200.0.21>10.200.0.27 ttl=64",
      "worker-0/ veth0000000b out 10.200.0.21>10.200.0.27 ttl=64",
      "worker-0/pod-b eth0 in 10.200.0.21>10.200.0.27 ttl=64",
    ]);
    expect(q.delivered!.to).toBe("kube-dns");
    const a = answer(w, q);
    expect(a.flow.verdict).toBe("delivered");
    expect(a.delivered!.packet.src).toBe(ipv4("10.32.0.10"));
    expect(w.get("node").ct.list(w.now).map((e) => formatConntrackEntry(e, w.now))).toEqual([
      "udp      17 29 src=10.200.0.21 dst=10.32.0.10 sport=53340 dport=53 src=10.200.0.27 dst=10.200.0.21 sport=53 dport=53340 mark=0 use=1",
    ]);
  });

  it("without br_netfilter, bridged frames skip iptables entirely", () => {
    const w = bridgeLab({ brNetfilter: false });
    const r = w.send("cni-a", { proto: "icmp", dst: ipv4("10.200.0.27"), icmp: { type: 8, code: 0, id: 7, seq: 1 } });
    expect(r.flow.verdict).toBe("delivered");
    expect(r.flow.steps.filter((s) => s.kind === "rule" || s.kind === "conntrack")).toEqual([]);
  });

  it("routes pod traffic to the gateway's address up the stack: local delivery on the node", () => {
    const w = bridgeLab();
    const r = w.send("cni-a", { proto: "icmp", dst: ipv4("10.200.0.1"), icmp: { type: 8, code: 0, id: 9, seq: 1 } });
    expect(r.delivered).toMatchObject({ ns: { name: "node" }, iface: "cnio0" });
    expect(wires(r.flow.steps)).toContain("worker-0/ cnio0 in 10.200.0.21>10.200.0.1 ttl=64");
  });
});

describe("an engine bug is an engine error, never a dropped packet", () => {
  it("lets an exception from inside the datapath through, instead of calling the packet dropped", () => {
    const w = routerLab();
    w.taps.push({
      frame() {
        throw new Error("a tap that fails");
      },
    });
    expect(() => w.send("client", echo(5479))).toThrow("a tap that fails");
  });
});
