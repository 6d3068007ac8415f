/**
 * The shell on a flannel node (the flannel-* built-ins, today's cluster): flannel's files, the
 * VTEP's details, its FDB and neighbour entries and onlink routes, what is absent on each kind
 * of node, and Tab completion for them. The conflist is compared with kube-flannel.yml v0.28.9's
 * cni-conf.json as the upstream file has it (__fixtures__/flannel-0.28.9, cut from the YAML at
 * tag v0.28.9, commit 5cd0d52); the device formats are ip-today.test.ts's, against the kernel.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { vtepMac } from "../cni/flannel";
import { runScenario } from "../k8s/run";
import { BUILTIN_SCENARIOS, builtinScenario } from "../scenarios/article";
import { complete } from "./complete";
import { resolveTarget } from "./exec";
import { runLine, type ShellSession } from "./session";

function fresh(id: string): ShellSession {
  const sc = BUILTIN_SCENARIOS.find((x) => x.id === id) ?? builtinScenario(id);
  const r = runScenario(sc);
  if (!r.ok) throw new Error(`${id} failed`);
  return { cluster: r.cluster, flows: [...r.trace.flows] };
}
const flannel = fresh("flannel-pod-to-pod");
const article = fresh("pod-to-pod");
const run = (s: ShellSession, target: string, line: string) => {
  const t = resolveTarget(s.cluster, target);
  if ("error" in t) throw new Error(t.error);
  return runLine(s, t.ns, line);
};

describe("flannel's files on a flannel node", () => {
  it("/run/flannel/subnet.env is flanneld's: the network, the lease's first address, eth0's MTU less 50, masquerading on", () => {
    const want = "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.1.1/24\nFLANNEL_MTU=1410\nFLANNEL_IPMASQ=true\n";
    expect(run(flannel, "worker-1", "cat /run/flannel/subnet.env")).toMatchObject({ stdout: want, stderr: "", code: 0 });
    expect(run(flannel, "worker-1", "cat /var/run/flannel/subnet.env").stdout).toBe(want);
    expect(run(flannel, "worker-0", "cat /run/flannel/subnet.env").stdout).toContain("FLANNEL_SUBNET=10.244.0.1/24\n");
  });

  it("/etc/cni/net.d/10-flannel.conflist is kube-flannel.yml's cni-conf.json byte for byte", () => {
    const upstream = readFileSync(new URL("./__fixtures__/flannel-0.28.9/10-flannel.conflist", import.meta.url), "utf8");
    expect(run(flannel, "worker-0", "cat /etc/cni/net.d/10-flannel.conflist")).toMatchObject({ stdout: upstream, code: 0 });
  });

  it("there is no 10-bridge.conf; ls lists what there is", () => {
    expect(run(flannel, "worker-0", "cat /etc/cni/net.d/10-bridge.conf")).toMatchObject({ stdout: "", stderr: "cat: /etc/cni/net.d/10-bridge.conf: No such file or directory\n", code: 1 });
    expect(run(flannel, "worker-0", "ls /etc/cni/net.d | cat").stdout).toBe("10-flannel.conflist\n99-loopback.conf\n");
    expect(run(flannel, "worker-0", "ls /run/flannel").stdout).toBe("subnet.env\n");
    expect(run(flannel, "worker-0", "ls /etc/cni/net.d/10-bridge.conf")).toMatchObject({ stderr: "ls: cannot access '/etc/cni/net.d/10-bridge.conf': No such file or directory\n", code: 2 });
  });

  it("a bridge-plugin node has none of flannel's files", () => {
    expect(run(article, "worker-0", "cat /run/flannel/subnet.env")).toMatchObject({ stderr: "cat: /run/flannel/subnet.env: No such file or directory\n", code: 1 });
    expect(run(article, "worker-0", "cat /etc/cni/net.d/10-flannel.conflist")).toMatchObject({ stderr: "cat: /etc/cni/net.d/10-flannel.conflist: No such file or directory\n", code: 1 });
    expect(run(article, "worker-0", "ls /run/flannel")).toMatchObject({ stderr: "ls: cannot access '/run/flannel': No such file or directory\n", code: 2 });
    expect(run(article, "worker-0", "ls /etc/cni/net.d | cat").stdout).toBe("10-bridge.conf\n99-loopback.conf\n");
  });
});

describe("flannel.1 and its tables", () => {
  it("ip -d link show flannel.1: a VXLAN device, VNI 1, the kernel's port 8472, no learning; notes on stderr", () => {
    const r = run(flannel, "worker-0", "ip -d link show flannel.1");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1410 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000");
    expect(lines[1]).toBe(`    link/ether ${vtepMac("worker-0")} brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 `);
    expect(lines[2]).toMatch(/^ {4}vxlan id 1 local 10\.240\.0\.20 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64 /);
    expect(r.stderr).toMatch(/inherits tso_max_size from eth0's driver/);
    expect(run(flannel, "worker-0", "ip -details link show dev flannel.1").stdout).toBe(r.stdout);
  });

  it("bridge fdb show dev flannel.1: one permanent entry per other node, its VTEP MAC behind its address, newest first", () => {
    expect(run(flannel, "worker-0", "bridge fdb show dev flannel.1").stdout).toBe(`${vtepMac("worker-2")} dst 10.240.0.22 self permanent\n${vtepMac("worker-1")} dst 10.240.0.21 self permanent\n`);
    expect(run(flannel, "worker-0", "bridge fdb show | grep flannel").stdout).toContain(`${vtepMac("worker-1")} dev flannel.1 dst 10.240.0.21 self permanent\n`);
  });

  it("ip neigh show dev flannel.1: each other lease's address → its VTEP MAC, PERMANENT", () => {
    const r = run(flannel, "worker-0", "ip neigh show dev flannel.1");
    expect(r.stdout).toBe(`10.244.1.0 lladdr ${vtepMac("worker-1")} PERMANENT \n10.244.2.0 lladdr ${vtepMac("worker-2")} PERMANENT \n`);
    expect(r.stderr).toBe("");
    // Without dev: the device named, and the entries the traffic left (with their note).
    const all = run(flannel, "worker-0", "ip n");
    expect(all.stdout).toContain(`10.244.1.0 dev flannel.1 lladdr ${vtepMac("worker-1")} PERMANENT \n`);
    expect(all.stdout).toMatch(/^10\.240\.0\.21 dev eth0 lladdr 42:01:0a:f0:00:15 (REACHABLE|STALE|DELAY) $/m);
    expect(all.stderr).toMatch(/does not age/);
  });

  it("ip route has flannel's onlink routes and ip addr the VTEP's /32 and cni0's broadcast", () => {
    expect(run(flannel, "worker-0", "ip route | grep onlink").stdout).toBe("10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink \n10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink \n");
    expect(run(flannel, "worker-0", "ip addr show flannel.1").stdout.split("\n")[2]).toBe("    inet 10.244.0.0/32 scope global flannel.1");
    expect(run(flannel, "worker-0", "ip addr show cni0").stdout.split("\n")[2]).toBe("    inet 10.244.0.1/24 brd 10.244.0.255 scope global cni0");
  });

  it("today's veths: qlen 1000 and the pod's namespace by name", () => {
    const all = run(flannel, "worker-0", "ip link").stdout.split("\n");
    const line = all.slice(all.findIndex((l) => / veth[0-9a-f]{8}@if2: /.test(l)));
    expect(line[0]).toMatch(/ master cni0 state UP mode DEFAULT group default qlen 1000$/);
    expect(line[1]).toMatch(/ link-netns cni-[0-9a-f-]+$/);
  });

  it("-d is refused on the article's nodes, whose iproute2 4.15 output was not captured; ip neigh prints 4.15's lines there", () => {
    expect(run(article, "worker-0", "ip -d link")).toMatchObject({ stdout: "", code: 255 });
    expect(run(article, "worker-0", "ip -d route").stderr).toMatch(/ip -d route is not simulated/);
    const n = run(article, "worker-0", "ip neigh").stdout;
    expect(n).not.toBe("");
    expect(n.split("\n").filter(Boolean).every((l) => / (REACHABLE|STALE|DELAY|PERMANENT)$/.test(l))).toBe(true);
  });
});

describe("Tab completion on a flannel node", () => {
  const w0 = flannel.cluster.world.get("worker-0");
  it.each([
    ["cat /run/fl", "cat /run/flannel/", []],
    ["cat /run/flannel/s", "cat /run/flannel/subnet.env ", []],
    ["cat /etc/cni/net.d/1", "cat /etc/cni/net.d/10-flannel.conflist ", []],
    ["ip nei", "ip neigh ", []],
    ["ip -d l", "ip -d link ", []],
    ["ip neigh show dev fl", "ip neigh show dev flannel.1 ", []],
    ["bridge fdb s", "bridge fdb show ", []],
    ["bridge fdb show dev fl", "bridge fdb show dev flannel.1 ", []],
  ])("%j → %j", (line, completed, options) => {
    expect(complete(flannel, w0, line)).toEqual({ line: completed, options });
  });

  it("a bridge-plugin node completes no /run/flannel", () => {
    expect(complete(article, article.cluster.world.get("worker-0"), "cat /run/fl")).toEqual({ line: "cat /run/fl", options: [] });
  });
});
