/**
 * flannel's VXLAN overlay against the Linux kernel, through the lab export: every `flannel-*`
 * built-in (today's cluster, kube-proxy 1.37 in iptables mode, flannel.1 with its permanent
 * neighbour and forwarding entries and onlink routes, cni0 with its MTU) is run by the engine and
 * built in network namespaces by its lab script; packets per interface (outer and inner headers,
 * TTLs, lengths, VNI), conntrack entries (the tunnel's UDP flows too), every iptables rule's
 * counters and the whole iptables-save -c must agree.
 *
 * Two things the kernel draws at random are replaced by the engine's before the comparison, and
 * nothing else: the source ports and ICMP ids of a fully random masquerade (withEnginePorts;
 * flanneld's and kube-proxy's MASQUERADE --random-fully), and the outer source port of each VXLAN
 * datagram (withEngineVxlanPorts; udp_flow_src_port spreads a hash that is random per boot or per
 * socket). The first block checks, without a kernel, that the second relaxation moves that port
 * only.
 *
 * Needs root and iproute2 (ip, bridge), iptables, conntrack, tcpdump, python3, and a kernel with
 * VXLAN.
 */
import { spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatConntrackEntry } from "../conntrack/format";
import type { Cluster } from "../k8s/build";
import { runScenario } from "../k8s/run";
import type { ScenarioInput } from "../k8s/spec";
import { iptablesSave } from "../netfilter/save";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { FLANNEL_PREFIX } from "../scenarios/cni";
import type { Trace } from "../trace";
import { compareState, compareWithKernel, withEnginePorts, withEngineVxlanPorts, type KernelPacket, type LabReport } from "./compare";
import { labPool } from "./pool";
import { labScript } from "./export";

const FLANNEL = BUILTIN_SCENARIOS.filter((s) => s.id.startsWith(FLANNEL_PREFIX));

interface Run {
  readonly cluster: Cluster;
  readonly trace: Trace;
}

function engine(s: ScenarioInput): Run {
  const r = runScenario(s);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

/**
 * What a kernel that did exactly what the engine did would report, but for the VXLAN source
 * ports, which it chose itself (`port` gives the kernel's for the engine's).
 */
function engineAsKernel(run: Run, port: (p: number) => number): LabReport {
  const { cluster, trace } = run;
  const nsOfPod = new Map(cluster.pods.map((p) => [p.name, p.netns]));
  const captures: Record<string, KernelPacket[]> = {};
  for (const f of trace.flows) {
    for (const s of f.steps) {
      if (s.kind !== "wire") continue;
      const ns = s.pod !== undefined ? nsOfPod.get(s.pod)! : s.node;
      const { inner, vni, ...outer } = s.packet;
      const p: KernelPacket = {
        iface: s.iface!,
        dir: s.dir!,
        ...outer,
        length: s.detail.length,
        ...(inner && { sport: port(outer.sport!), vni: vni!, inner: { ...inner, length: s.detail.length - 50 } }),
      };
      (captures[ns] ??= []).push(p);
    }
  }
  const now = cluster.world.now;
  const tracked = [...cluster.world.namespaces.values()].filter((ns) => ns.nf.loaded.has("nat"));
  const conntrack = Object.fromEntries(
    tracked.map((ns) => [
      ns.name,
      ns.ct.list(now).map((e) => {
        const line = formatConntrackEntry(e, now);
        return e.orig.dport === 8472 ? line.replaceAll(`sport=${e.orig.sport} `, `sport=${port(e.orig.sport)} `).replace(`dport=${e.orig.sport} `, `dport=${port(e.orig.sport)} `) : line;
      }),
    ]),
  );
  const iptables = Object.fromEntries(tracked.map((ns) => [ns.name, iptablesSave(ns.nf, { counters: true })]));
  return { scenario: trace.scenario, prefix: "hsl-x-", traffic: cluster.scenario.traffic.map(() => "ok"), conntrack, iptables, captures };
}

/**
 * flannel-pod-to-pod with TCP and UDP across the overlay besides its ping: a connection to nginx
 * on worker-1 and a DNS query from worker-1 to kube-dns on worker-0, each with its own outer ports.
 */
function overlayMix(): ScenarioInput {
  const p2p = FLANNEL.find((s) => s.id === `${FLANNEL_PREFIX}pod-to-pod`)!;
  return {
    ...p2p,
    id: `${p2p.id}-tcp-udp`,
    traffic: [
      ...p2p.traffic,
      { kind: "curl", from: { pod: "busybox0-rw89s" }, to: { ip: "10.244.1.18" }, port: 80, sport: 40404 },
      { kind: "dig", from: { pod: "busybox0-g6pww" }, to: { ip: "10.244.0.27" }, port: 53, sport: 41414 },
    ],
  };
}

describe("the lab script builds what flannel set up on a node", () => {
  const run = engine(FLANNEL.find((s) => s.id === `${FLANNEL_PREFIX}pod-to-pod`)!);
  const script = labScript(run.cluster).split("\n");
  const w0 = run.cluster.world.get("worker-0");
  const vtep = w0.requireIface("flannel.1");
  const peer = run.cluster.world.get("worker-1").requireIface("flannel.1");

  it("flannel.1 with the engine's MAC, MTU, VNI, local address, port and no learning, after eth0", () => {
    if (vtep.kind !== "vxlan") throw new Error("flannel.1 is no VXLAN device");
    const add = `ip -n "$P"'worker-0' link add name 'flannel.1' address '${vtep.mac}' mtu '${vtep.mtu}' type vxlan id '1' local '10.240.0.20' dev 'eth0' dstport '8472' nolearning`;
    expect(vtep.mtu).toBe(1410);
    expect(script).toContain(add);
    expect(script.indexOf(add)).toBeGreaterThan(script.findIndex((l) => l.startsWith(`ip link add name 'eth0' netns "$P"'worker-0'`)));
    expect(script).toContain(`ip -n "$P"'worker-0' addr add '10.244.0.0/32' dev 'flannel.1'`);
  });

  it("the peer's neighbour entry, forwarding entry and onlink route, in flanneld's order, once flannel.1 is up", () => {
    const lines = [
      `ip -n "$P"'worker-0' link set dev 'flannel.1' up`,
      `ip -n "$P"'worker-0' neigh replace '10.244.1.0' lladdr '${peer.mac}' dev 'flannel.1' nud permanent`,
      `X 'worker-0' bridge fdb replace '${peer.mac}' dev 'flannel.1' dst '10.240.0.21' self permanent`,
      `ip -n "$P"'worker-0' route add '10.244.1.0/24' via '10.244.1.0' dev 'flannel.1' onlink`,
    ];
    const at = lines.map((l) => script.indexOf(l));
    expect(at.every((i) => i >= 0), lines.filter((_, k) => at[k]! < 0).join("\n")).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("cni0 and the pods' veths with flannel's MTU, addresses with their broadcast, the pods' routes via the gateway", () => {
    const pod = run.cluster.pods.find((p) => p.name === "busybox0-rw89s")!;
    expect(script.some((l) => l.startsWith(`ip -n "$P"'worker-0' link set dev 'cni0' address '`) && l.endsWith(` mtu '1410'`))).toBe(true);
    expect(script.some((l) => l.startsWith(`ip -n "$P"'${pod.netns}' link set dev 'eth0' address '`) && l.endsWith(` mtu '1410'`))).toBe(true);
    expect(script).toContain(`ip -n "$P"'worker-0' addr add '10.244.0.1/24' brd + dev 'cni0'`);
    expect(script).toContain(`ip -n "$P"'${pod.netns}' addr add '10.244.0.21/24' brd + dev 'eth0'`);
    expect(script).toContain(`ip -n "$P"'${pod.netns}' route add '10.244.0.0/16' via '10.244.0.1' dev 'eth0'`);
    expect(script).toContain(`ip -n "$P"'${pod.netns}' route add 'default' via '10.244.0.1' dev 'eth0'`);
    expect(script.filter((l) => l.includes("type bridge_slave hairpin on") && l.startsWith(`ip -n "$P"'worker-0'`)).length).toBe(2);
  });
});

describe("withEngineVxlanPorts: only the outer source port of VXLAN datagrams is the kernel's own", () => {
  const run = engine(FLANNEL.find((s) => s.id === `${FLANNEL_PREFIX}nodeport`)!);
  const shifted = (p: number) => 1024 + ((p * 7919) % 30000);

  it("a kernel that chose other source ports agrees once they are replaced, and disagrees before", () => {
    const lab = engineAsKernel(run, shifted);
    const vxlan = Object.values(lab.captures).flat().filter((p) => p.inner !== undefined);
    expect(vxlan.length).toBeGreaterThan(0);
    expect(compareWithKernel(run.cluster, run.trace, lab).length).toBeGreaterThan(0);
    expect(compareWithKernel(run.cluster, run.trace, withEngineVxlanPorts(lab, run.cluster, run.trace))).toEqual([]);
  });

  it("an inner TTL, an outer length, a VNI or a destination port that differ still show", () => {
    const lab = engineAsKernel(run, shifted);
    const tamper = (change: (p: KernelPacket) => KernelPacket): LabReport => {
      let done = false;
      const captures = Object.fromEntries(
        Object.entries(lab.captures).map(([ns, ps]) => [
          ns,
          ps.map((p) => {
            if (done || !p.inner) return p;
            done = true;
            return change(p);
          }),
        ]),
      );
      return { ...lab, captures };
    };
    for (const change of [
      (p: KernelPacket) => ({ ...p, inner: { ...p.inner!, ttl: p.inner!.ttl - 1 } }),
      (p: KernelPacket) => ({ ...p, length: p.length + 4 }),
      (p: KernelPacket) => ({ ...p, vni: 2 }),
      (p: KernelPacket) => ({ ...p, dport: 4789 }),
    ]) {
      const problems = compareWithKernel(run.cluster, run.trace, withEngineVxlanPorts(tamper(change), run.cluster, run.trace));
      expect(problems.some((x) => x.startsWith("packets on "))).toBe(true);
    }
  });

  it("one kernel port for two of the engine's is not hidden", () => {
    // A ping and a TCP connection from one pod to pods on the same node: two inner flows, one pair of tunnel endpoints.
    const two = engine(overlayMix());
    const ports = new Set(two.trace.flows.flatMap((f) => f.steps.filter((s) => s.kind === "wire" && s.packet.inner && s.packet.src === "10.240.0.20").map((s) => s.packet.sport)));
    expect(ports.size).toBeGreaterThan(1);
    expect(compareWithKernel(two.cluster, two.trace, withEngineVxlanPorts(engineAsKernel(two, shifted), two.cluster, two.trace))).toEqual([]);
    expect(compareWithKernel(two.cluster, two.trace, withEngineVxlanPorts(engineAsKernel(two, () => 40000), two.cluster, two.trace)).length).toBeGreaterThan(0);
  });
});

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "bridge", "conntrack", "tcpdump", "python3"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (spawnSync("sh", ["-c", "command -v iptables-nft-restore || command -v iptables-restore"]).status !== 0) return "iptables is not installed";
  const ns = `hsl-flprobe-${process.pid}`;
  const probe = spawnSync("sh", ["-c", `ip netns add ${ns} && ip -n ${ns} link add vx0 type vxlan id 1 local 192.0.2.1 dstport 8472 nolearning; s=$?; ip netns del ${ns}; exit $s`], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create a VXLAN device in a network namespace: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = missing();
if (reason) {
  const msg = `skipped: flannel VXLAN kernel agreement tests: ${reason}`;
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

/** Lab runs in the background, at most 3 at once. */
const runLab = labPool(3, (script) => spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 }));

interface Case {
  readonly id: string;
  readonly run: Run;
  /** Whether the traffic crosses between nodes, so VXLAN datagrams must be on the wire. */
  readonly tunnelled: boolean;
  lab?: Promise<LabReport>;
}

/** Every VXLAN datagram of the engine's trace. */
const tunnelled = (r: Run) => r.trace.flows.some((f) => f.steps.some((s) => s.kind === "wire" && s.packet.inner !== undefined));

const CASES: Case[] = reason ? [] : [...FLANNEL, overlayMix()].map((s) => ({ id: s.id, run: engine(s), tunnelled: false })).map((c) => ({ ...c, tunnelled: tunnelled(c.run) }));

const kernelRun = reason && process.env.CI !== "true" ? describe.skip : describe;

kernelRun("flannel's VXLAN built-ins: the engine agrees with the kernel", () => {
  if (reason) {
    it("has what the lab needs (CI=true makes a missing kernel a failure)", () => {
      expect.fail(`kernel agreement tests cannot run: ${reason}`);
    });
    return;
  }

  beforeAll(() => {
    for (const c of CASES) {
      c.lab = runLab(labScript(c.run.cluster));
      // Each test awaits its own; this only keeps an early failure from being reported as unhandled.
      c.lab.catch(() => undefined);
    }
  });
  afterAll(async () => {
    await Promise.allSettled(CASES.map((c) => c.lab));
  });

  it("has six flannel built-ins, four of them across the overlay (and one more case of this file's)", () => {
    expect(FLANNEL.map((s) => s.id.slice(FLANNEL_PREFIX.length)).sort()).toEqual(["clusterip-dns-udp", "node-to-pod", "nodeport", "pod-to-internet", "pod-to-pod", "same-node"]);
    expect(CASES.filter((c) => c.tunnelled).map((c) => c.id.slice(FLANNEL_PREFIX.length)).sort()).toEqual(["clusterip-dns-udp", "node-to-pod", "nodeport", "pod-to-pod", "pod-to-pod-tcp-udp"]);
  });

  it.each(CASES.map((c) => [c.id, c] as const))(
    "%s",
    async (_id, c) => {
      const lab = await c.lab!;
      expect(lab.iptablesVariant).toBe("nf_tables");
      // The whole of each node's nat and filter tables as iptables-save -c prints them, counters included.
      for (const [ns, text] of Object.entries(lab.iptables)) {
        const nf = c.run.cluster.world.get(ns).nf;
        const mine = (["filter", "nat"] as const).filter((t) => nf.loaded.has(t)).map((t) => iptablesSave(nf, { counters: true, table: t, variant: "nf_tables" })).join("");
        const body = (t: string) => t.split("\n").filter((l) => !l.startsWith("#"));
        expect(body(mine), ns).toEqual(body(text));
      }
      const vxlan = Object.values(lab.captures).flat().filter((p) => p.dport === 8472);
      if (c.tunnelled) {
        // The kernel did wrap the traffic, and the lab read what each datagram carries.
        expect(vxlan.length).toBeGreaterThan(0);
        for (const p of vxlan) expect({ iface: p.iface, vni: p.vni, inner: p.inner !== undefined }).toEqual({ iface: "eth0", vni: 1, inner: true });
        // Each direction of a tunnel's UDP flow is a conntrack entry of its own that never sees a reply.
        const outer = Object.values(lab.conntrack).flat().filter((l) => /^udp .* dport=8472 /.test(l));
        expect(outer.length).toBeGreaterThan(0);
        for (const l of outer) expect(l).toContain("[UNREPLIED]");
      } else expect(vxlan).toEqual([]);
      expect(compareWithKernel(c.run.cluster, c.run.trace, withEngineVxlanPorts(withEnginePorts(lab, c.run.cluster), c.run.cluster, c.run.trace))).toEqual([]);
      // What flannel built on the nodes and in the pods, as iproute2 shows it: devices (MAC, MTU),
      // addresses with their broadcast, routes of both tables (the kernel's own included: none
      // for flannel.1's /32), permanent neighbours, flannel.1's forwarding entries.
      const cni = new Set([...c.run.cluster.scenario.cluster.workers.map((w) => w.name), ...c.run.cluster.pods.map((p) => p.netns)]);
      expect(compareState(c.run.cluster, lab, (ns) => cni.has(ns))).toEqual([]);
    },
    170_000,
  );
});
