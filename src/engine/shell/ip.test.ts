import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { World } from "../world";
import { formatIpv6, ipAddr, ipLink, linkLocalFromMac, netnsId } from "./ip";

const golden = (name: string) => readFileSync(new URL(`./__fixtures__/iproute2-4.15/${name}`, import.meta.url), "utf8");

/** The lab the iproute2 4.15 fixtures were captured in (see __fixtures__/README.md). */
function labWorld(): World {
  const w = new World();
  w.addNetns({ name: "worker", node: "worker-0", ipForward: true });
  w.bridge("worker", "cnio0", "0a:58:0a:c8:00:01");
  const worker = w.get("worker");
  worker.addAddress("cnio0", "10.200.0.1/24");
  worker.addAddress("cnio0", "10.200.0.99/24");
  worker.addAddress("cnio0", "10.240.0.20/24", "global", true);
  worker.addAddress("cnio0", "10.9.9.9/32", "link");
  const pods = [
    { ns: "pod1", mac: "0a:58:0a:c8:00:04", host: "vethhost1", hostMac: "42:56:d9:41:c4:ae", ip: "10.200.0.4/24" },
    { ns: "pod2", mac: "0a:58:0a:c8:00:05", host: "vethhost2", hostMac: "5e:5b:2a:ab:fb:6b", ip: "10.200.0.5/24" },
  ];
  for (const p of pods) {
    w.addNetns({ name: p.ns, node: "worker-0", pod: p.ns });
    w.veth({ ns: p.ns, name: "eth0", mac: p.mac, ifindex: 3 }, { ns: "worker", name: p.host, mac: p.hostMac });
    w.enslave("worker", p.host, "cnio0");
    w.get(p.ns).addAddress("eth0", p.ip);
  }
  return w;
}

describe("byte for byte against iproute2 4.15 in the lab", () => {
  const w = labWorld();
  it.each([
    ["worker", "link", {}, "worker.link.txt"],
    ["worker", "addr", {}, "worker.addr.txt"],
    ["worker", "link", { dev: "cnio0" }, "worker.link-cnio0.txt"],
    ["worker", "addr", { dev: "vethhost2" }, "worker.addr-vethhost2.txt"],
    ["pod1", "link", {}, "pod1.link.txt"],
    ["pod1", "addr", {}, "pod1.addr.txt"],
    ["pod2", "link", {}, "pod2.link.txt"],
    ["pod2", "addr", {}, "pod2.addr.txt"],
  ] as [string, "link" | "addr", { dev?: string }, string][])("%s: ip %s %j", (ns, what, opts, file) => {
    const run = what === "link" ? ipLink : ipAddr;
    expect(run(w.get(ns), w, opts)).toEqual({ stdout: golden(file), exitCode: 0 });
  });
});

/** A worker as the article shows it: eth0 on the VPC, cnio0, and three pods whose veths were made in order. */
function articleWorld(): World {
  const w = new World();
  w.addNetns({ name: "worker-0", node: "worker-0", ipForward: true });
  w.ether("worker-0", "eth0", "vpc", "42:01:0a:f0:00:14").mtu = 1460;
  w.get("worker-0").addAddress("eth0", "10.240.0.20/32");
  w.bridge("worker-0", "cnio0", "0a:58:0a:c8:00:01");
  w.get("worker-0").addAddress("cnio0", "10.200.0.1/24");
  w.get("worker-0").skipIfindex(5);
  const pods = [
    { ns: "cni-7cec", mac: "0a:58:0a:c8:00:02", veth: "veth3f64507a", hostMac: "9a:1b:2c:3d:4e:5f" },
    { ns: "cni-1d85", mac: "0a:58:0a:c8:00:03", veth: "vethb0b0dc1b", hostMac: "9a:1b:2c:3d:4e:60" },
    { ns: "cni-912b", mac: "0a:58:0a:c8:00:04", veth: "veth71f7d238", hostMac: "2e:17:de:d4:54:5b" },
  ];
  for (const p of pods) {
    w.addNetns({ name: p.ns, node: "worker-0", pod: p.ns });
    w.veth({ ns: p.ns, name: "eth0", mac: p.mac, ifindex: 3 }, { ns: "worker-0", name: p.veth, mac: p.hostMac });
    w.enslave("worker-0", p.veth, "cnio0");
    w.get(p.ns).addAddress("eth0", `10.200.0.${parseInt(p.mac.slice(-2), 16)}/24`);
  }
  return w;
}

describe("the article's lines", () => {
  const w = articleWorld();

  it("prints the pod's eth0 with its peer's ifindex and the root namespace as nsid 0", () => {
    expect(ipLink(w.get("cni-912b"), w).stdout).toBe(
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n" +
        "3: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default \n" +
        "    link/ether 0a:58:0a:c8:00:04 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n",
    );
  });

  it("prints the host's veth with its master and the third pod's nsid 2", () => {
    expect(ipLink(w.get("worker-0"), w, { dev: "veth71f7d238" }).stdout).toBe(
      "7: veth71f7d238@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cnio0 state UP mode DEFAULT group default \n" +
        "    link/ether 2e:17:de:d4:54:5b brd ff:ff:ff:ff:ff:ff link-netnsid 2\n",
    );
  });

  it("prints the pod's addresses as `ip addr` does", () => {
    expect(ipAddr(w.get("cni-912b"), w, { dev: "eth0" }).stdout).toBe(
      "3: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default \n" +
        "    link/ether 0a:58:0a:c8:00:04 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n" +
        "    inet 10.200.0.4/24 scope global eth0\n" +
        "       valid_lft forever preferred_lft forever\n" +
        "    inet6 fe80::858:aff:fec8:4/64 scope link \n" +
        "       valid_lft forever preferred_lft forever\n",
    );
  });

  it("prints the node's GCE ethernet with mq, its MTU and qlen 1000, and the bridge", () => {
    const worker = w.get("worker-0");
    expect(ipLink(worker, w, { dev: "eth0" }).stdout).toBe(
      "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1460 qdisc mq state UP mode DEFAULT group default qlen 1000\n" +
        "    link/ether 42:01:0a:f0:00:14 brd ff:ff:ff:ff:ff:ff\n",
    );
    expect(ipAddr(worker, w, { dev: "cnio0" }).stdout).toBe(
      "3: cnio0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n" +
        "    link/ether 0a:58:0a:c8:00:01 brd ff:ff:ff:ff:ff:ff\n" +
        "    inet 10.200.0.1/24 scope global cnio0\n" +
        "       valid_lft forever preferred_lft forever\n" +
        "    inet6 fe80::858:aff:fec8:1/64 scope link \n" +
        "       valid_lft forever preferred_lft forever\n",
    );
  });

  it("prints an address added with a broadcast", () => {
    const w2 = new World();
    w2.addNetns({ name: "n", node: "n" });
    w2.ether("n", "eth0", "vpc", "42:01:0a:f0:00:14");
    w2.get("n").addAddress("eth0", "10.240.0.20/24", "global", true);
    expect(ipAddr(w2.get("n"), w2, { dev: "eth0" }).stdout.split("\n")[2]).toBe("    inet 10.240.0.20/24 brd 10.240.0.255 scope global eth0");
  });
});

describe("netnsId", () => {
  const w = articleWorld();
  it.each([
    ["worker-0", "cni-7cec", 0],
    ["worker-0", "cni-1d85", 1],
    ["worker-0", "cni-912b", 2],
    ["cni-912b", "worker-0", 0],
    ["cni-7cec", "worker-0", 0],
    ["cni-7cec", "cni-1d85", -1],
    ["worker-0", "worker-0", -1],
  ] as [string, string, number][])("%s sees %s as %d", (from, to, id) => {
    expect(netnsId(w, from, to)).toBe(id);
    expect(netnsId(w, w.get(from), w.get(to))).toBe(id);
  });
});

describe("link states", () => {
  function pair(): World {
    const w = new World();
    w.addNetns({ name: "a", node: "a" });
    w.addNetns({ name: "b", node: "b" });
    w.veth({ ns: "a", name: "eth0", mac: "0a:00:00:00:00:01" }, { ns: "b", name: "eth0", mac: "0a:00:00:00:00:02" });
    w.get("a").addAddress("eth0", "10.0.0.1/24");
    return w;
  }

  it("prints a down device without UP, state DOWN, and keeps its IPv4 but not its link-local", () => {
    const w = pair();
    w.get("a").requireIface("eth0").up = false;
    expect(ipAddr(w.get("a"), w, { dev: "eth0" }).stdout).toBe(
      "2: eth0@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN group default \n" +
        "    link/ether 0a:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n" +
        "    inet 10.0.0.1/24 scope global eth0\n" +
        "       valid_lft forever preferred_lft forever\n",
    );
  });

  it("prints NO-CARRIER and LOWERLAYERDOWN for a veth whose peer is down", () => {
    const w = pair();
    w.get("b").requireIface("eth0").up = false;
    expect(ipAddr(w.get("a"), w, { dev: "eth0" }).stdout).toBe(
      "2: eth0@if2: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default \n" +
        "    link/ether 0a:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n" +
        "    inet 10.0.0.1/24 scope global eth0\n" +
        "       valid_lft forever preferred_lft forever\n",
    );
  });

  it("names a peer in the same namespace and marks it M-DOWN when it is down (the lab's va@vb)", () => {
    const w = new World();
    w.addNetns({ name: "n", node: "n" });
    w.veth({ ns: "n", name: "vb", mac: "42:c2:ca:94:89:36" }, { ns: "n", name: "va", mac: "c2:1e:8b:78:9e:7c" });
    w.get("n").requireIface("vb").up = false;
    expect(ipLink(w.get("n"), w).stdout.split("\n").slice(2)).toEqual([
      "2: vb@va: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default ",
      "    link/ether 42:c2:ca:94:89:36 brd ff:ff:ff:ff:ff:ff",
      "3: va@vb: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default ",
      "    link/ether c2:1e:8b:78:9e:7c brd ff:ff:ff:ff:ff:ff",
      "",
    ]);
  });

  it("prints a bridge without ports as NO-CARRIER, state DOWN (kernel 4.15), with no link-local", () => {
    const w = new World();
    w.addNetns({ name: "n", node: "n" });
    w.bridge("n", "cnio0", "0a:58:0a:c8:00:01");
    expect(ipAddr(w.get("n"), w, { dev: "cnio0" }).stdout).toBe(
      "2: cnio0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default qlen 1000\n" +
        "    link/ether 0a:58:0a:c8:00:01 brd ff:ff:ff:ff:ff:ff\n",
    );
  });

  it("prints a down loopback", () => {
    const w = new World();
    w.addNetns({ name: "n", node: "n" });
    w.get("n").requireIface("lo").up = false;
    expect(ipAddr(w.get("n"), w).stdout).toBe(
      "1: lo: <LOOPBACK> mtu 65536 qdisc noqueue state DOWN group default qlen 1000\n" +
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n" +
        "    inet 127.0.0.1/8 scope host lo\n" +
        "       valid_lft forever preferred_lft forever\n",
    );
  });

  it.each([["link"], ["addr"]])("ip %s show dev of a missing device fails as iproute2 does", (what) => {
    const w = labWorld();
    const run = what === "link" ? ipLink : ipAddr;
    expect(run(w.get("pod1"), w, { dev: "nope" })).toEqual({ stdout: "", error: 'Device "nope" does not exist.', exitCode: 1 });
  });
});

describe("IPv6 link-local addresses from MACs", () => {
  it.each([
    ["0a:58:0a:c8:00:04", "fe80::858:aff:fec8:4"],
    ["0a:58:0a:c8:00:01", "fe80::858:aff:fec8:1"],
    ["42:56:d9:41:c4:ae", "fe80::4056:d9ff:fe41:c4ae"],
    ["5e:5b:2a:ab:fb:6b", "fe80::5c5b:2aff:feab:fb6b"],
    ["02:00:00:00:00:01", "fe80::ff:fe00:1"],
    ["00:00:00:00:00:00", "fe80::200:ff:fe00:0"],
    ["02:00:00:ff:fe:00", "fe80::ff:feff:fe00"],
  ])("%s → %s", (mac, ll) => {
    expect(linkLocalFromMac(mac)).toBe(ll);
  });

  it.each([
    [[0, 0, 0, 0, 0, 0, 0, 1], "::1"],
    [[0, 0, 0, 0, 0, 0, 0, 0], "::"],
    [[0xfe80, 0, 0, 0, 0, 0, 0, 0], "fe80::"],
    [[0x2001, 0xdb8, 0, 1, 0, 0, 0, 1], "2001:db8:0:1::1"],
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "2001:db8::1:0:0:1"],
    [[1, 0, 2, 3, 4, 5, 6, 7], "1:0:2:3:4:5:6:7"],
  ] as [number[], string][])("%j → %s", (groups, text) => {
    expect(formatIpv6(groups)).toBe(text);
  });

  it("refuses what is not a MAC", () => {
    expect(() => linkLocalFromMac("0a:58:0a:c8:00")).toThrow(/not a MAC/);
  });
});
