/**
 * Calico's names, addresses and felix's rules as the engine derives them, against values seen
 * elsewhere: names and MACs computed from the algorithms in calico v3.32.1's sources (research
 * notes, /tmp/research/calico.md A1/A3), the `cali:` hashes in felix's own iptables-save dump
 * (felix/fv/cali-iptables-dump.txt, a cluster with VXLAN on), and the kernel's `ip route` text
 * (docs/kernel-lab-notes.md, "Calico").
 */
import { describe, expect, it } from "vitest";
import { buildCluster } from "../k8s/build";
import { validateScenario, type ScenarioInput } from "../k8s/spec";
import { formatRouteTable } from "../route/format";
import { iptablesSave } from "../netfilter/save";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { parseCidr } from "../addr/ipv4";
import { proxyAnswers } from "../link/link";
import { calicoVethName, calicoVtepMac, felixNatRules, felixRawRules, felixRuleHashes } from "./calico";

const hashesIn = (lines: readonly string[], chain: string) => lines.filter((l) => l.startsWith(`-A ${chain} `) || l.startsWith(`-I ${chain} `)).map((l) => /cali:([\w-]{16})/.exec(l)![1]);

describe("Calico's derived names", () => {
  it("names the host veth cali + sha1(namespace.pod)[:11] and the VTEP MAC 0x66 + sha1(node)[0:5]", () => {
    expect(calicoVethName("default", "pod-a")).toBe("cali5e1c4d6c68c");
    expect(calicoVethName("default", "pod-b")).toBe("cali2f5353dd8c5");
    expect(calicoVtepMac("node1")).toBe("66:f9:37:c3:7e:94");
    expect(calicoVtepMac("node2")).toBe("66:2d:bf:44:a6:8b");
  });
});

describe("felix's rule hashes", () => {
  it("chains each rule's hash from the chain name, as felix's dump shows for the built-in chains' jumps and cali-POSTROUTING", () => {
    expect(felixRuleHashes("PREROUTING", ["--jump cali-PREROUTING"])).toEqual(["6gwbT8clXdHdC1b1"]);
    expect(felixRuleHashes("POSTROUTING*appends*", ["--jump cali-POSTROUTING"])).toEqual(["0i8pjzKKPyA34aQD"]);
    expect(felixRuleHashes("cali-POSTROUTING", ["--jump cali-fip-snat", "--jump cali-nat-outgoing"])).toEqual(["Z-c7XtVd2Bq7s_hA", "nYKhEzDlr11Jccal"]);
    // A rule's hash depends on those before it.
    expect(felixRuleHashes("cali-POSTROUTING", ["--jump cali-nat-outgoing"])).not.toEqual(["nYKhEzDlr11Jccal"]);
  });

  it("gives the raw and nat chains felix's dump has, hash for hash, under VXLAN", () => {
    const raw = felixRawRules("vxlan").rules;
    expect(hashesIn(raw, "cali-PREROUTING")).toEqual(["DQ6LK2guiBRMyrLK", "sIsu2aAqNN6K3YYn", "W0qKAga6QivxLxL1", "QOYCZUivPyJL6Dp1", "uvipz_NmQPrGYnTB", "pj4jqF0K2OCNLmzX", "Jefg6QI5khJcHnVl"]);
    expect(hashesIn(raw, "cali-OUTPUT")).toEqual(["clI8WObfCl4yhr60", "ZbkN6P8OdRcBRPpU", "ry5_UEpt1OaPPCxO", "MGhICIksKDnYMIkW"]);
    expect(raw).toContain('-A cali-PREROUTING -p udp -m comment --comment "cali:sIsu2aAqNN6K3YYn" -m udp --dport 4789 -j NOTRACK');
    const nat = felixNatRules("vxlan").rules;
    expect(hashesIn(nat, "cali-POSTROUTING")).toEqual(["Z-c7XtVd2Bq7s_hA", "nYKhEzDlr11Jccal", "e9dnSgSVNmIcpVhP"]);
    expect(hashesIn(nat, "cali-PREROUTING")).toEqual(["r6XmIziWUJsdOK6Z"]);
    expect(hashesIn(nat, "cali-OUTPUT")).toEqual(["GBTAv2p5CwevEyJm"]);
  });

  it("routed, leaves out VXLAN's NOTRACK and masquerade rules, and the hashes after them change", () => {
    const raw = felixRawRules("none").rules;
    expect(raw.some((l) => l.includes("NOTRACK"))).toBe(false);
    expect(hashesIn(raw, "cali-PREROUTING")[0]).toBe("DQ6LK2guiBRMyrLK");
    expect(hashesIn(raw, "cali-PREROUTING")[1]).not.toBe("W0qKAga6QivxLxL1");
    expect(felixNatRules("none").rules.some((l) => l.includes("vxlan.calico"))).toBe(false);
  });
});

function cluster(id: string, edit: (s: ScenarioInput) => ScenarioInput = (s) => s) {
  const v = validateScenario(edit(BUILTIN_SCENARIOS.find((s) => s.id === id)!));
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return buildCluster(v.scenario);
}

describe("a Calico node", () => {
  it("under VXLAN: felix's blackhole (proto 80), routes to the other blocks via their tunnel addresses onlink, /32 routes to its pods, and their permanent ARP entries", () => {
    const c = cluster("calico-pod-to-pod");
    const ns = c.world.get("worker-0");
    const text = formatRouteTable(ns.routes);
    expect(text).toContain("blackhole 10.244.0.0/26 proto 80 \n");
    expect(text).toContain("10.244.1.0/26 via 10.244.1.0 dev vxlan.calico onlink \n");
    const pod = c.pods.find((p) => p.name === "busybox0-rw89s")!;
    expect(text).toContain(`10.244.0.21 dev ${pod.hostVeth} scope link \n`);
    expect(pod.hostVeth).toBe(calicoVethName("default", "busybox0-rw89s"));
    const cali = ns.requireIface(pod.hostVeth);
    expect(cali).toMatchObject({ mac: "ee:ee:ee:ee:ee:ee", addrs: [], mtu: 1410, proxyArp: { delay: 0 } });
    const eth0 = c.world.get(pod.netns).requireIface("eth0");
    expect(ns.permanentNeighbour(pod.hostVeth, 0x0af40015)).toBe(eth0.mac);
    expect(eth0.addrs).toEqual([{ ip: 0x0af40015, prefix: 32, scope: "global" }]);
    expect(formatRouteTable(c.world.get(pod.netns).routes)).toBe("default via 169.254.1.1 dev eth0 \n169.254.1.1 dev eth0 scope link \n");
    const vtep = ns.requireIface("vxlan.calico");
    expect(vtep).toMatchObject({ kind: "vxlan", vni: 4096, port: 4789, learning: false, mtu: 1410, mac: calicoVtepMac("worker-0"), addrs: [{ ip: 0x0af40000, prefix: 32 }] });
    expect(ns.permanentNeighbour("vxlan.calico", 0x0af40100)).toBe(calicoVtepMac("worker-1"));
    if (vtep.kind === "vxlan") expect(vtep.fdb.get(calicoVtepMac("worker-1"))).toEqual({ dst: 0x0af00015 });
  });

  it("routed: BIRD's blackhole and routes via the other nodes (proto bird), no tunnel, the host's MTU", () => {
    const c = cluster("calico-routed-pod-to-pod");
    const ns = c.world.get("worker-1");
    const text = formatRouteTable(ns.routes);
    expect(text).toContain("blackhole 10.244.1.0/26 proto bird \n");
    expect(text).toContain("10.244.0.0/26 via 10.240.0.20 dev eth0 proto bird \n");
    expect(ns.iface("vxlan.calico")).toBeUndefined();
    expect(ns.requireIface(c.pods.find((p) => p.node === "worker-1")!.hostVeth).mtu).toBe(1460);
    expect(iptablesSave(ns.nf, { table: "raw" })).not.toContain("4789");
  });

  it("hands out its block in order: .0 to vxlan.calico under VXLAN, so the first pod without an address gets .1; routed, .0", () => {
    const unaddressed = (s: ScenarioInput): ScenarioInput => ({
      ...s,
      workloads: s.workloads!.map((w) => (w.kind === "Pod" ? { ...w, ip: undefined } : { ...w, pods: (w.pods ?? []).map((p) => ({ ...p, ip: undefined })) })) as ScenarioInput["workloads"],
    });
    const first = (id: string) => cluster(id, unaddressed).pods.filter((p) => p.node === "worker-0").map((p) => p.ip).sort();
    expect(first("calico-pod-to-pod")[0]).toBe("10.244.0.1");
    expect(first("calico-routed-pod-to-pod")[0]).toBe("10.244.0.0");
  });

  it("refuses a pod address outside the node's block, and the tunnel's own under VXLAN, at the pod's path", () => {
    // kube-dns's pod, placed on worker-0 (10.244.0.27 in the built-in).
    const withIp = (ip: string) => (s: ScenarioInput): ScenarioInput => ({
      ...s,
      workloads: s.workloads!.map((w) => (w.kind !== "Pod" && w.pods?.[0]?.ip === "10.244.0.27" ? { ...w, pods: [{ ...w.pods[0], ip }] } : w)) as ScenarioInput["workloads"],
    });
    expect(cluster("calico-pod-to-pod", withIp("10.244.0.63")).pods.some((p) => p.ip === "10.244.0.63")).toBe(true);
    expect(() => cluster("calico-pod-to-pod", withIp("10.244.0.0"))).toThrow(/vxlan\.calico address/);
    expect(() => cluster("calico-pod-to-pod", withIp("10.244.0.64"))).toThrow(/outside this node's block 10\.244\.0\.0\/26/);
  });
});

describe("proxy ARP on a cali device", () => {
  // Each case as the lab ran it (docs/kernel-lab-notes.md, Calico): whether the pod's ARP request for 169.254.1.1 was answered.
  const cases: [string, (c: ReturnType<typeof cluster>, node: string, dev: string) => void, boolean][] = [
    ["the node routes 169.254.1.1 by its default route out of eth0", () => {}, true],
    ["ip_forward is 0", (c, node) => void (c.world.get(node).sysctl.ipForward = false), false],
    ["the node's route to 169.254.1.1 leaves by the cali device itself", (c, node, dev) => c.world.get(node).addRoute({ table: "main", type: "unicast", dst: parseCidr("169.254.1.1/32"), dev, proto: "boot", scope: "link" }), false],
    ["169.254.1.1 is a blackhole on the node", (c, node) => c.world.get(node).addRoute({ table: "main", type: "blackhole", dst: parseCidr("169.254.1.1/32"), proto: "boot", scope: "global" }), false],
    ["proxy_arp is 0", (c, node, dev) => void delete c.world.get(node).requireIface(dev).proxyArp, false],
  ];
  it.each(cases)("%s: answered %s", (_name, edit, answered) => {
    const c = cluster("calico-pod-to-pod");
    const pod = c.pods.find((p) => p.name === "busybox0-rw89s")!;
    edit(c, pod.node, pod.hostVeth);
    expect(proxyAnswers(c.world.get(pod.node), c.world.get(pod.node).requireIface(pod.hostVeth), parseCidr("169.254.1.1/32").net)).toBe(answered);
  });
});

describe("a node's neighbour table under Calico", () => {
  it("keeps felix's permanent entry for a pod as the only one after the pod's ARP request (the kernel leaves permanent entries alone)", async () => {
    const { runScenario } = await import("../k8s/run");
    const { runLine } = await import("../shell/session");
    const r = runScenario(BUILTIN_SCENARIOS.find((s) => s.id === "calico-pod-to-pod")!);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const pod = r.cluster.pods.find((p) => p.name === "busybox0-rw89s")!;
    // The pod's ping made the node answer its ARP request for 169.254.1.1 on the cali device.
    expect(runLine(r.cluster, r.cluster.world.get(pod.netns), "ip neigh show 169.254.1.1").stdout).toBe("169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee REACHABLE \n");
    const mac = r.cluster.world.get(pod.netns).requireIface("eth0").mac;
    expect(runLine(r.cluster, r.cluster.world.get(pod.node), `ip neigh show dev ${pod.hostVeth}`).stdout).toBe(`10.244.0.21 lladdr ${mac} PERMANENT \n`);
  });
});
