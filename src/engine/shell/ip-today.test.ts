/**
 * Today's nodes (iproute2 6.1 on kernel 6.18) on a flannel node, byte for byte against what the
 * real tools printed in network namespaces built like one (__fixtures__/iproute2-6.1, captured once
 * by hand; the set-up commands and what they taught are in docs/kernel-lab-notes.md, "The shell on flannel
 * nodes"): `ip [-d] [-s] [-o] link`, `ip [-d] addr`, `ip route`, `ip neigh`, `bridge fdb show`.
 *
 * The lab: namespace hsc2-n0 (the node: eth0 a veth to hsc2-n1, flannel.1 as flanneld makes it,
 * cni0 with the pod's veth1a2b3c4d, hairpin on) and hsc2-p0 (the pod), a ping from the pod to
 * the other node's pod and one from the node to its pod; the captures waited 17 s so the port's
 * forward-delay timer had run out. The MACs the kernel drew are the test's.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCidr, parseIpv4 } from "../addr/ipv4";
import { World } from "../world";
import { ipAddr, ipLink, type IpShowOptions } from "./ip";
import { ipNeigh } from "./neigh";
import { bridgeFdb, ifconfig } from "./nettools";
import { formatRouteTable } from "../route/format";

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/iproute2-6.1/${name}`, import.meta.url), "utf8");

const CNI0_MAC = "fa:22:72:b5:fe:d7";
const VETH_MAC = "c6:e9:6b:26:af:ac";
const POD_MAC = "0a:58:0a:f4:00:02";

/** The lab's namespaces in the model. */
function labWorld(): World {
  const w = new World();
  w.addNetns({ name: "hsc2-n0", node: "n0", ipForward: true });
  // The lab's other node lives in a named namespace (ip netns add), and iproute2 6.1 names named
  // namespaces; the model names only pods' (containerd's /var/run/netns), so it stands as one.
  w.addNetns({ name: "hsc2-n1", node: "n1", pod: "hsc2-n1", ipForward: true });
  w.addNetns({ name: "hsc2-p0", node: "n0", pod: "hsc2-p0" });
  const n0 = w.get("hsc2-n0");
  w.veth({ ns: "hsc2-n0", name: "eth0", mac: "42:01:0a:f0:00:14" }, { ns: "hsc2-n1", name: "eth0", mac: "42:01:0a:f0:00:15" });
  n0.addAddress("eth0", "10.240.0.20/24");
  w.get("hsc2-n1").addAddress("eth0", "10.240.0.21/24");
  const vtep = n0.addVxlan({ name: "flannel.1", vni: 1, port: 8472, local: parseIpv4("10.240.0.20"), underlay: "eth0", learning: false, mac: "ee:7a:d4:4c:a8:a5", mtu: 1450 });
  n0.addAddress("flannel.1", "10.244.0.0/32");
  n0.setUp("flannel.1");
  w.bridge("hsc2-n0", "cni0", CNI0_MAC).mtu = 1450;
  n0.addAddress("cni0", "10.244.0.1/24", "global", true);
  const [podEnd, hostEnd] = w.veth({ ns: "hsc2-p0", name: "eth0", mac: POD_MAC, ifindex: 2 }, { ns: "hsc2-n0", name: "veth1a2b3c4d", mac: VETH_MAC });
  podEnd.mtu = 1450;
  hostEnd.mtu = 1450;
  w.enslave("hsc2-n0", "veth1a2b3c4d", "cni0");
  hostEnd.hairpin = true;
  w.get("hsc2-p0").addAddress("eth0", "10.244.0.2/24");
  // flanneld's three writes for the other node's lease.
  n0.addPermanentNeighbour("flannel.1", parseIpv4("10.244.1.0"), "b2:69:63:c5:79:c8");
  vtep.fdb.set("b2:69:63:c5:79:c8", { dst: parseIpv4("10.240.0.21") });
  n0.addRoute({ table: "main", type: "unicast", dst: parseCidr("10.244.1.0/24"), via: parseIpv4("10.244.1.0"), dev: "flannel.1", proto: "boot", scope: "global", onlink: true });
  return w;
}

/** The traffic's traces in the neighbour tables and the bridge: the pod ARPed for its gateway (cni0 learnt it), the node ARPed for the other node, then pinged the pod (the STALE entry went to DELAY). */
function afterTraffic(w: World): World {
  const n0 = w.get("hsc2-n0");
  w.get("hsc2-p0").neighbourUse("eth0", parseIpv4("10.244.0.1"), w.now);
  n0.neighbourLearnt("cni0", parseIpv4("10.244.0.2"));
  n0.requireBridge("cni0").fdb.set(POD_MAC, { port: "veth1a2b3c4d", local: false });
  n0.neighbourUse("eth0", parseIpv4("10.240.0.21"), w.now);
  n0.neighbourUse("cni0", parseIpv4("10.244.0.2"), w.now);
  return w;
}

/** The bridge's gc_timer is the one value the model cannot know (docs): the clock is set to give the captured one. */
function atGcTimer(w: World, text: string): World {
  const m = /gc_timer +([\d.]+)/.exec(text);
  if (m) w.now = w.startMs + Math.round((300 - Number(m[1])) * 1000);
  return w;
}

const TODAY: IpShowOptions = { era: "6.1" };

describe("ip link and ip addr as iproute2 6.1 prints them", () => {
  it.each([
    ["n0.link.txt", "link", {}],
    ["n0.addr.txt", "addr", {}],
    ["n0.link-flannel.1.txt", "link", { dev: "flannel.1" }],
    ["n0.addr-flannel.1.txt", "addr", { dev: "flannel.1" }],
    ["n0.addr-cni0.txt", "addr", { dev: "cni0" }],
    ["n0.link-d.txt", "link", { details: true }],
    ["n0.link-d-lo.txt", "link", { details: true, dev: "lo" }],
    ["n0.link-d-eth0.txt", "link", { details: true, dev: "eth0" }],
    ["n0.link-d-flannel.1.txt", "link", { details: true, dev: "flannel.1" }],
    ["n0.link-d-cni0.txt", "link", { details: true, dev: "cni0" }],
    ["n0.link-d-veth1a2b3c4d.txt", "link", { details: true, dev: "veth1a2b3c4d" }],
    ["n0.addr-d-flannel.1.txt", "addr", { details: true, dev: "flannel.1" }],
    ["n0.link-o-d-flannel.1.txt", "link", { details: true, oneline: true, dev: "flannel.1" }],
  ] as [string, "link" | "addr", IpShowOptions][])("hsc2-n0: %s", (file, what, opts) => {
    const want = fixture(file);
    const w = atGcTimer(labWorld(), want);
    const run = what === "link" ? ipLink : ipAddr;
    expect(run(w.get("hsc2-n0"), w, { ...TODAY, ...opts }).stdout).toBe(want);
  });

  it("a pod sees the node's unnamed root namespace as link-netnsid 0, with -d too", () => {
    const w = labWorld();
    const p0 = w.get("hsc2-p0");
    // Captured with /run/netns hidden from ip: on a node the root namespace has no name there.
    expect(ipLink(p0, w, TODAY).stdout + ipLink(p0, w, { ...TODAY, details: true, dev: "eth0" }).stdout).toBe(fixture("p0.hidden-netns.txt"));
  });

  it("ip -4 -d addr keeps the link line and its details (a fresh namespace's lo)", () => {
    const w = new World();
    w.addNetns({ name: "t", node: "t" });
    expect(ipAddr(w.get("t"), w, { ...TODAY, family: "inet", details: true }).stdout).toBe(fixture("t.addr-4-d.txt"));
  });

  it("ip -s link prints 6.1's right-aligned counters (the counters are the capture's)", () => {
    const w = labWorld();
    Object.assign(w.get("hsc2-n0").requireIface("veth1a2b3c4d").stats, { rxBytes: 992, rxPackets: 12, txBytes: 2426, txPackets: 29 });
    expect(ipLink(w.get("hsc2-n0"), w, { ...TODAY, stats: true, dev: "veth1a2b3c4d" }).stdout).toBe(fixture("n0.link-s-veth.txt"));
  });

  it("the columns widen for numbers longer than their labels", () => {
    const w = labWorld();
    Object.assign(w.get("hsc2-n0").requireIface("flannel.1").stats, { rxBytes: 12345678901, rxPackets: 123456789, txBytes: 0, txPackets: 0 });
    const lines = ipLink(w.get("hsc2-n0"), w, { ...TODAY, stats: true, dev: "flannel.1" }).stdout.split("\n");
    expect(lines[2]).toBe("    RX:   bytes   packets errors dropped  missed   mcast           ");
    expect(lines[3]).toBe("    12345678901 123456789      0       0       0       0 ");
    expect(lines[5]).toBe("              0         0      0       0       0       0 ");
  });

  it("says on stderr what -d shows without knowing it, and the details follow the model", () => {
    const w = labWorld();
    const r = ipLink(w.get("hsc2-n0"), w, { ...TODAY, details: true });
    expect(r.exitCode).toBe(0);
    expect(r.error).toMatch(/one queue per possible CPU/);
    expect(r.error).toMatch(/flannel\.1 inherits tso_max_size from eth0's driver/);
    expect(r.error).toMatch(/gc_timer/);
    // hairpin off, learning: what the model says is what -d says.
    w.get("hsc2-n0").requireIface("veth1a2b3c4d").hairpin = false;
    expect(ipLink(w.get("hsc2-n0"), w, { ...TODAY, details: true, dev: "veth1a2b3c4d" }).stdout).toContain(" hairpin off guard off ");
    const vx = w.get("hsc2-n0").addVxlan({ name: "vx", vni: 7, port: 4789, local: parseIpv4("10.9.9.9"), underlay: "eth0", learning: true });
    vx.up = true;
    expect(ipLink(w.get("hsc2-n0"), w, { ...TODAY, details: true, dev: "vx" }).stdout).toContain(" dstport 4789 ttl auto ");
  });

  it("a cloud NIC gets promiscuity and allmulti only, and a note", () => {
    const w = new World();
    w.addNetns({ name: "n", node: "n" });
    w.ether("n", "eth0", "vpc", "42:01:0a:f0:00:14").mtu = 1460;
    const r = ipLink(w.get("n"), w, { ...TODAY, details: true, dev: "eth0" });
    expect(r.stdout.split("\n")[1]).toBe("    link/ether 42:01:0a:f0:00:14 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 ");
    expect(r.error).toMatch(/eth0 is the cloud VM's NIC/);
  });

  it("Calico's vxlan.calico (VNI 4096, port 4789) prints as the kernel printed the same device", () => {
    const w = new World();
    w.addNetns({ name: "d0", node: "d0" });
    const d0 = w.get("d0");
    w.veth({ ns: "d0", name: "eth9", mac: "02:00:00:00:09:09" }, { ns: "d0", name: "eth8", mac: "02:00:00:00:08:08" });
    const vx = d0.addVxlan({ name: "vxlan.calico", vni: 4096, port: 4789, local: parseIpv4("10.240.0.20"), underlay: "eth9", learning: false, mac: "66:11:22:33:44:55", mtu: 1450 });
    d0.setUp("vxlan.calico");
    expect(ipLink(d0, w, { ...TODAY, details: true, dev: "vxlan.calico" }).stdout).toBe(fixture("d0.link-d-vxlan.calico.txt"));
    expect(ipLink(d0, w, { ...TODAY, dev: "vxlan.calico" }).stdout).toBe(fixture("d0.link-vxlan.calico.txt"));
    // The kernel lists a VXLAN device's entries newest first: add them in the lab's order.
    for (const line of fixture("d0.fdb-vxlan.calico.txt").trim().split("\n").reverse()) {
      const [mac, , dst] = line.split(" ");
      vx.fdb.set(mac!, { dst: parseIpv4(dst!) });
    }
    expect(bridgeFdb(d0, w, ["fdb", "show", "dev", "vxlan.calico"], "6.1").stdout).toBe(fixture("d0.fdb-vxlan.calico.txt"));
  });
});

describe("ip route with flannel's onlink route", () => {
  it("is what iproute2 6.1 printed, the trailing space after onlink included", () => {
    expect(formatRouteTable(labWorld().get("hsc2-n0").routes)).toBe(fixture("n0.route.txt"));
  });
});

// Before any IPv4 traffic the lab's cni0 had learnt the pod's MAC already, from the pod's own
// IPv6 autoconfiguration (DAD, MLD); the model keeps no IPv6 traffic, so its bridge learns from
// the traced frames only, and only the capture after the traffic is compared.
describe("bridge fdb show on kernel 6.18", () => {
  it.each([
    ["n0.fdb1.txt", [], true],
    ["n0.fdb1-flannel.1.txt", ["dev", "flannel.1"], true],
    ["n0.fdb1-cni0.txt", ["dev", "cni0"], true],
    ["n0.fdb1-veth1a2b3c4d.txt", ["dev", "veth1a2b3c4d"], true],
  ] as [string, string[], boolean][])("%s", (file, args, traffic) => {
    const w = traffic ? afterTraffic(labWorld()) : labWorld();
    const r = bridgeFdb(w.get("hsc2-n0"), w, ["fdb", "show", ...args], "6.1");
    expect(r.stdout).toBe(fixture(file));
    expect(r.code).toBe(0);
    // A learnt entry listed brings the note that the model's entries do not age.
    expect(r.stderr !== "").toBe(/ master \S+ $/m.test(fixture(file)));
  });

  it("a missing device: the same message and status 255", () => {
    const w = labWorld();
    expect(bridgeFdb(w.get("hsc2-n0"), w, ["fdb", "show", "dev", "nope"], "6.1")).toEqual({ stdout: "", stderr: fixture("n0.fdb-nope.err"), code: Number(fixture("n0.fdb-nope.rc")) });
  });
});

describe("ip neigh", () => {
  // The kernel lists its hash table, keyed at boot: the lines are compared as a set.
  const sorted = (text: string) => text.split("\n").filter(Boolean).sort();

  it.each([
    ["n0.neigh0.txt", "hsc2-n0", [], false],
    ["n0.neigh1.txt", "hsc2-n0", [], true],
    ["n0.neigh1-flannel.1.txt", "hsc2-n0", ["show", "dev", "flannel.1"], true],
    ["n0.neigh1-cni0.txt", "hsc2-n0", ["show", "dev", "cni0"], true],
    ["n0.neigh-show-addr.txt", "hsc2-n0", ["show", "10.244.1.0"], true],
    ["p0.neigh1.txt", "hsc2-p0", [], true],
  ] as [string, string, string[], boolean][])("%s", (file, ns, args, traffic) => {
    const w = traffic ? afterTraffic(labWorld()) : labWorld();
    const r = ipNeigh(w.get(ns), w, args, { era: "6.1" });
    expect(r.code).toBe(0);
    expect(sorted(r.stdout)).toEqual(sorted(fixture(file)));
    expect(r.stdout.endsWith(" \n") || r.stdout === "").toBe(true);
    // Learnt entries carry the note that their states do not age.
    expect(r.stderr === "").toBe(!traffic || file.includes("flannel.1") || file.includes("addr"));
  });

  it("an address answered by proxy ARP over a veth (Calico's 169.254.1.1) gets the peer's MAC", () => {
    const w = labWorld();
    const p0 = w.get("hsc2-p0");
    p0.neighbourUse("eth0", parseIpv4("169.254.1.1"), w.now);
    expect(ipNeigh(p0, w, ["show", "169.254.1.1"], { era: "6.1" }).stdout).toBe(`169.254.1.1 dev eth0 lladdr ${VETH_MAC} REACHABLE \n`);
  });

  it("a missing device: the same message and status", () => {
    const w = labWorld();
    const r = ipNeigh(w.get("hsc2-n0"), w, ["show", "dev", "nope"], { era: "6.1" });
    expect(r).toEqual({ stdout: "", stderr: fixture("n0.neigh-nope.err"), code: Number(fixture("n0.neigh-nope.rc")) });
  });

  it("iproute2 4.15 ends the line at the state (ipneigh.c of v4.15.0)", () => {
    const w = labWorld();
    expect(ipNeigh(w.get("hsc2-n0"), w, []).stdout).toBe("10.244.1.0 dev flannel.1 lladdr b2:69:63:c5:79:c8 PERMANENT\n");
  });

  it("refuses what it does not simulate by name, and bad words as iproute2 does", () => {
    const w = labWorld();
    const n0 = w.get("hsc2-n0");
    expect(ipNeigh(n0, w, ["flush", "all"]).stderr).toMatch(/ip neigh flush is not simulated/);
    expect(ipNeigh(n0, w, ["show", "nud", "all"]).stderr).toMatch(/nud is not simulated/);
    expect(ipNeigh(n0, w, [], { stats: true }).stderr).toMatch(/ip -s neigh is not simulated/);
    expect(ipNeigh(n0, w, ["bogus"])).toEqual({ stdout: "", stderr: 'Command "bogus" is unknown, try "ip neigh help".\n', code: 255 });
    expect(ipNeigh(n0, w, ["show", "dev"]).code).toBe(255);
    expect(ipNeigh(n0, w, ["show", "10.1.2"]).stderr).toBe('Error: any valid prefix is expected rather than "10.1.2".\n');
  });
});

describe("ifconfig of net-tools 2.10 (today's Debian 12)", () => {
  it.each([
    ["n0.ifconfig-flannel.1.txt", "flannel.1"],
    ["n0.ifconfig-cni0.txt", "cni0"],
  ])("%s: the queue length and the KiB of today's net-tools (the counters are the capture's)", (file, dev) => {
    const want = fixture(file);
    const w = labWorld();
    const n = (re: RegExp) => Number(re.exec(want)![1]);
    Object.assign(w.get("hsc2-n0").requireIface(dev).stats, { rxPackets: n(/RX packets (\d+)/), rxBytes: n(/RX packets \d+ {2}bytes (\d+)/), txPackets: n(/TX packets (\d+)/), txBytes: n(/TX packets \d+ {2}bytes (\d+)/) });
    // flannel.1 dropped what IPv6 sent it (router solicitations, MLD reports, DAD): it has no FDB
    // entry for multicast MACs. The model keeps no IPv6 traffic, so its drop counter stays 0.
    expect(ifconfig(w.get("hsc2-n0"), w, [dev], "6.1").stdout).toBe(want.replace(/TX errors 0 {2}dropped \d+ /, "TX errors 0  dropped 0 "));
  });
});
