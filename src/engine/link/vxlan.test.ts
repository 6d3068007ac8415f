/**
 * The VXLAN device's own decisions, each able to stop a packet: the forwarding entry for the
 * inner destination MAC, the VNI the receiving socket knows, the MAC the unwrapped frame is for;
 * and the outer packet the kernel was seen to send (TTL 64, no DF, 50 bytes more, port 8472).
 */
import { describe, expect, it } from "vitest";
import { ipv4 } from "../addr/ipv4";
import { buildCluster, type Cluster } from "../k8s/build";
import { validateScenario } from "../k8s/spec";
import { builtinScenario } from "../scenarios/article";
import type { VxlanIface } from "../netns";
import { vxlanSourcePort } from "./vxlan";

function flannelCluster(): Cluster {
  const v = validateScenario(builtinScenario("flannel-pod-to-pod")!);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return buildCluster(v.scenario);
}

const podNs = (c: Cluster, name: string) => c.pods.find((p) => p.name === name)!.netns;
const ping = (c: Cluster) => c.world.send(podNs(c, "busybox0-rw89s"), { proto: "icmp", dst: ipv4("10.244.1.15"), icmp: { type: 8, code: 0, id: 7, seq: 1 } });

describe("a VXLAN device", () => {
  it("wraps the frame in UDP to the remote endpoint: TTL 64, no DF, 50 bytes more, the inner packet whole", () => {
    const c = flannelCluster();
    const r = ping(c);
    expect(r.flow.verdict).toBe("delivered");
    const outer = r.flow.steps.find((s) => s.kind === "wire" && s.iface === "eth0" && s.node === "worker-0" && !s.pod && s.dir === "out")!;
    expect(outer.packet).toMatchObject({ proto: "udp", src: "10.240.0.20", dst: "10.240.0.21", dport: 8472, ttl: 64, vni: 1 });
    expect(outer.packet.inner).toMatchObject({ proto: "icmp", src: "10.244.0.21", dst: "10.244.1.15", ttl: 63 });
    if (outer.kind === "wire") expect(outer.detail.length).toBe(84 + 50);
    const encap = r.flow.steps.find((s) => s.kind === "encap" && s.detail.action === "encap");
    expect(encap?.kind === "encap" && encap.detail.fdb).toEqual({ mac: (c.world.get("worker-1").requireIface("flannel.1") as VxlanIface).mac, dst: "10.240.0.21" });
  });

  it("drops a frame whose destination MAC has no forwarding entry (learning is off)", () => {
    const c = flannelCluster();
    (c.world.get("worker-0").requireIface("flannel.1") as VxlanIface).fdb.clear();
    const r = ping(c);
    expect(r.flow.verdict).toBe("dropped");
    expect(r.flow.dropReason).toMatch(/^flannel\.1 has no forwarding entry for [0-9a-f:]+ \(and learning is off\)/);
  });

  it("drops a datagram whose VNI no device on the port has", () => {
    const c = flannelCluster();
    const w1 = c.world.get("worker-1");
    const i = w1.ifaces.findIndex((x) => x.name === "flannel.1");
    w1.ifaces[i] = { ...(w1.ifaces[i] as VxlanIface), vni: 2 };
    const r = ping(c);
    expect(r.flow.verdict).toBe("dropped");
    expect(r.flow.dropReason).toMatch(/^no VXLAN device on UDP port 8472 has VNI 1 \(on worker-1\)/);
  });

  it("drops an unwrapped frame addressed to another MAC", () => {
    const c = flannelCluster();
    const w0 = c.world.get("worker-0");
    w0.addPermanentNeighbour("flannel.1", ipv4("10.244.1.0"), "02:00:00:00:00:99");
    (w0.requireIface("flannel.1") as VxlanIface).fdb.set("02:00:00:00:00:99", { dst: ipv4("10.240.0.21") });
    const r = ping(c);
    expect(r.flow.verdict).toBe("dropped");
    expect(r.flow.dropReason).toMatch(/^the frame inside is for 02:00:00:00:00:99, not flannel\.1's own MAC/);
  });

  it("picks the outer source port from the ephemeral range, the same both ways for ping and per direction for TCP", () => {
    const c = flannelCluster();
    const ns = c.world.get("worker-0");
    const p = { src: ipv4("10.244.0.21"), dst: ipv4("10.244.1.15"), ttl: 64, ipId: 1, length: 84 };
    const icmp = vxlanSourcePort(ns, { ...p, proto: "icmp", sport: 0, dport: 0 });
    expect(vxlanSourcePort(ns, { ...p, src: p.dst, dst: p.src, proto: "icmp", sport: 0, dport: 0 })).toBe(icmp);
    const ports = [1000, 2000, 3000, 4000].map((sport) => vxlanSourcePort(ns, { ...p, proto: "tcp", sport, dport: 80 }));
    for (const x of [icmp, ...ports]) expect(x >= 32768 && x < 61000).toBe(true);
    expect(new Set(ports).size).toBeGreaterThan(1);
  });
});
