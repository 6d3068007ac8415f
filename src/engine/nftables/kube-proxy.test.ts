/**
 * kube-proxy's nftables ruleset (shaped as pkg/proxy/nftables/proxier_test.go expects it) on a
 * node namespace, walked by real packets: a pod's packet to a ClusterIP and an outside client's
 * to a NodePort, through prerouting (filter at −110, then nat), forward and postrouting.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ipv4 } from "../addr/ipv4";
import { World } from "../world";
import { loadNft } from "./parse";
import { printRuleset } from "./print";

const KP = readFileSync(join(__dirname, "__fixtures__", "kp.nft"), "utf8");
// svc4 as a NodePort service with the Cluster traffic policy: its external chain, as kube-proxy writes it.
const EXTRA = `add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 jump mark-for-masquerade
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80
add element ip kube-proxy service-nodeports { tcp . 3004 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }
add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
`;

/** pod 10.0.0.5 and client 203.0.113.2 — node (192.168.0.2) — endpoints 10.180.0.4 (b1), 10.180.0.5 (b2). */
function cluster(seed: number): World {
  const w = new World({ seed });
  for (const n of ["pod", "ext", "node", "b1", "b2"]) w.addNetns({ name: n, node: n, ...(n === "node" && { ipForward: true }) });
  w.veth({ ns: "pod", name: "eth0" }, { ns: "node", name: "veth-pod" });
  w.veth({ ns: "ext", name: "eth0" }, { ns: "node", name: "eth0" });
  w.veth({ ns: "node", name: "veth-b1" }, { ns: "b1", name: "eth0" });
  w.veth({ ns: "node", name: "veth-b2" }, { ns: "b2", name: "eth0" });
  const any = { net: ipv4("0.0.0.0"), prefix: 0, mask: 0 };
  const host = (ip: string) => ({ net: ipv4(ip), prefix: 32, mask: 0xffffffff });
  w.get("pod").addAddress("eth0", "10.0.0.5/24");
  w.get("pod").addRoute({ table: "main", type: "unicast", dst: any, via: ipv4("10.0.0.1"), dev: "eth0", proto: "boot", scope: "global" });
  w.get("ext").addAddress("eth0", "203.0.113.2/24");
  w.get("ext").addRoute({ table: "main", type: "unicast", dst: host("192.168.0.2"), via: ipv4("203.0.113.1"), dev: "eth0", proto: "boot", scope: "global" });
  const node = w.get("node");
  node.addAddress("veth-pod", "10.0.0.1/24");
  node.addAddress("eth0", "203.0.113.1/24");
  node.addAddress("eth0", "192.168.0.2/32");
  node.addAddress("veth-b1", "10.180.1.1/32");
  node.addAddress("veth-b2", "10.180.2.1/32");
  node.addRoute({ table: "main", type: "unicast", dst: any, via: ipv4("203.0.113.2"), dev: "eth0", proto: "boot", scope: "global" });
  node.addRoute({ table: "main", type: "unicast", dst: host("10.180.0.4"), dev: "veth-b1", proto: "boot", scope: "link" });
  node.addRoute({ table: "main", type: "unicast", dst: host("10.180.0.5"), dev: "veth-b2", proto: "boot", scope: "link" });
  for (const [b, ip, gw] of [
    ["b1", "10.180.0.4", "10.180.1.1"],
    ["b2", "10.180.0.5", "10.180.2.1"],
  ] as const) {
    w.get(b).addAddress("eth0", `${ip}/32`);
    w.get(b).addRoute({ table: "main", type: "unicast", dst: host(gw), dev: "eth0", proto: "boot", scope: "link" });
    w.get(b).addRoute({ table: "main", type: "unicast", dst: any, via: ipv4(gw), dev: "eth0", proto: "boot", scope: "global" });
    w.get(b).listeners.push({ proto: "tcp", port: 80, app: "web" });
  }
  node.loadNftLater((rs) => {
    loadNft(rs, KP, "kp.nft");
    loadNft(rs, EXTRA);
  });
  return w;
}

const SYN = { syn: true, ack: false, fin: false, rst: false, psh: false, seq: 1, ackSeq: 0, win: 64240 };

describe("kube-proxy's nftables mode on a node", () => {
  it("a pod's packet to a ClusterIP is DNATed to an endpoint, not masqueraded", () => {
    const w = cluster(5);
    const r = w.send("pod", { proto: "tcp", dst: ipv4("172.30.0.44"), sport: 40000, dport: 80, tcp: SYN });
    expect(r.flow.verdict).toBe("delivered");
    const to = r.delivered!.ns.name;
    expect(r.delivered!.packet.src).toBe(ipv4("10.0.0.5"));
    expect(r.delivered!.packet.dst).toBe(ipv4(to === "b1" ? "10.180.0.4" : "10.180.0.5"));
    const chains = r.flow.steps.filter((s) => s.kind === "rule").map((s) => s.detail.kind === "rule" && `${s.detail.hook} ${s.detail.chain}#${s.detail.index}`);
    const endpoint = to === "b1" ? "endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80" : "endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80";
    expect(chains).toEqual([
      "PREROUTING filter-prerouting-pre-dnat#1",
      "PREROUTING nat-prerouting#1",
      "PREROUTING services#1",
      "PREROUTING service-LAUZTJTB-ns4/svc4/tcp/p80#3",
      // The first endpoint's chain records the client for affinity before its DNAT.
      ...(to === "b1" ? [`PREROUTING ${endpoint}#1`, `PREROUTING ${endpoint}#2`] : [`PREROUTING ${endpoint}#1`]),
      "FORWARD filter-forward#1",
      "FORWARD filter-forward#2",
      "POSTROUTING nat-postrouting#1",
      "POSTROUTING masquerading#1",
    ]);
    expect(r.flow.steps.filter((s) => s.kind === "nat").map((s) => s.detail.kind === "nat" && s.detail.type)).toEqual(["DNAT"]);
  });

  it("an outside client's packet to a NodePort is marked, DNATed and masqueraded", () => {
    const w = cluster(9);
    const r = w.send("ext", { proto: "tcp", dst: ipv4("192.168.0.2"), sport: 40001, dport: 3004, tcp: SYN });
    expect(r.flow.verdict).toBe("delivered");
    const to = r.delivered!.ns.name;
    const p = r.delivered!.packet;
    expect(p.src).toBe(ipv4(to === "b1" ? "10.180.1.1" : "10.180.2.1"));
    expect([p.dst, p.dport]).toEqual([ipv4(to === "b1" ? "10.180.0.4" : "10.180.0.5"), 80]);
    const rules = r.flow.steps.filter((s) => s.kind === "rule").map((s) => s.detail.kind === "rule" && s.detail.rule);
    expect(rules).toContain("ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports");
    expect(rules).toContain("meta mark set meta mark | 0x00004000");
    expect(rules).toContain("masquerade fully-random");
    expect(r.flow.steps.filter((s) => s.kind === "nat").map((s) => s.detail.kind === "nat" && s.detail.type)).toEqual(["DNAT", "MASQUERADE"]);
    // The ruleset still lists as nft lists it, with the node's live state.
    expect(printRuleset(w.get("node").nft)).toContain("\tmap service-nodeports {\n\t\ttype inet_proto . inet_service : verdict\n\t\tcomment \"NodePort traffic\"\n\t\telements = { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80,\n\t\t\t     tcp . 3004 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }\n");
  });

  it("a ClusterIP port without endpoints is rejected in forward, and the pod hears why", () => {
    const w = cluster(5);
    const r = w.send("pod", { proto: "tcp", dst: ipv4("172.30.0.46"), sport: 40002, dport: 80, tcp: SYN });
    expect(r.flow.verdict).toBe("dropped");
    expect(r.flow.dropReason).toContain("REJECT rule in nft ip kube-proxy reject-chain");
    expect(r.dropped?.rejectWith).toBe("icmp-port-unreachable");
  });
});
