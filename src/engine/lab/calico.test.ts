/**
 * Calico against the Linux kernel, through the lab export: every `calico-*` built-in (today's
 * cluster, kube-proxy 1.37 in iptables mode; VXLAN with vxlan.calico, or routed with BIRD's
 * routes) is run by the engine and built in network namespaces by its lab script: the cali
 * veths with ee:ee:ee:ee:ee:ee, proxy_arp and proxy_delay 0, the pods' /32 addresses and their
 * routes via 169.254.1.1, felix's permanent ARP entries, the blackhole blocks (proto bird or
 * 80), vxlan.calico with its neighbour and forwarding entries, felix's raw and nat chains and the
 * ipsets its nat-outgoing rule names (made over netlink). Packets per interface (outer and inner
 * headers, TTLs, lengths, VNI), conntrack entries, every rule's counters (raw included) and the
 * whole iptables-save -c of filter, nat and raw must agree, and so must the devices, addresses,
 * routes and neighbour entries of the nodes and pods.
 *
 * As for flannel, the kernel's random choices are replaced by the engine's before comparing, and
 * nothing else: a fully random masquerade's ports (withEnginePorts) and each VXLAN datagram's
 * outer source port (withEngineVxlanPorts).
 *
 * Needs root and iproute2 (ip, bridge), iptables, conntrack, tcpdump, python3, and a kernel with
 * VXLAN and ipset (hash:net).
 */
import { spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../k8s/build";
import { runScenario } from "../k8s/run";
import type { ScenarioInput } from "../k8s/spec";
import { iptablesSave } from "../netfilter/save";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { CALICO_PREFIX, CALICO_ROUTED } from "../scenarios/cni";
import type { Trace } from "../trace";
import { compareState, compareWithKernel, withEnginePorts, withEngineVxlanPorts, type LabReport } from "./compare";
import { labPool } from "./pool";
import { labScript } from "./export";

const CALICO = BUILTIN_SCENARIOS.filter((s) => s.id.startsWith(CALICO_PREFIX));

interface Run {
  readonly cluster: Cluster;
  readonly trace: Trace;
}

function engine(s: ScenarioInput): Run {
  const r = runScenario(s);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "bridge", "conntrack", "tcpdump", "python3"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (spawnSync("sh", ["-c", "command -v iptables-nft-restore || command -v iptables-restore"]).status !== 0) return "iptables is not installed";
  const ns = `hsl-caprobe-${process.pid}`;
  const probe = spawnSync("sh", ["-c", `ip netns add ${ns} && ip -n ${ns} link add vx0 type vxlan id 4096 local 192.0.2.1 dstport 4789 nolearning; s=$?; ip netns del ${ns}; exit $s`], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create a VXLAN device in a network namespace: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = missing();
if (reason) {
  const msg = `skipped: Calico kernel agreement tests: ${reason}`;
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

/** Lab runs in the background, at most 3 at once. */
const runLab = labPool(3, (script) => spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 }));

interface Case {
  readonly id: string;
  readonly run: Run;
  readonly routed: boolean;
  /** Whether the engine's traffic crosses between nodes inside VXLAN. */
  readonly tunnelled: boolean;
  lab?: Promise<LabReport>;
}

const tunnelled = (r: Run) => r.trace.flows.some((f) => f.steps.some((s) => s.kind === "wire" && s.packet.inner !== undefined));

const CASES: Case[] = reason
  ? []
  : CALICO.map((s) => {
      const run = engine(s);
      return { id: s.id, run, routed: s.id.startsWith(`${CALICO_PREFIX}${CALICO_ROUTED}`), tunnelled: tunnelled(run) };
    });

const kernelRun = reason && process.env.CI !== "true" ? describe.skip : describe;

kernelRun("Calico's built-ins: the engine agrees with the kernel", () => {
  if (reason) {
    it("has what the lab needs (CI=true makes a missing kernel a failure)", () => {
      expect.fail(`kernel agreement tests cannot run: ${reason}`);
    });
    return;
  }

  beforeAll(() => {
    for (const c of CASES) {
      c.lab = runLab(labScript(c.run.cluster));
      c.lab.catch(() => undefined);
    }
  });
  afterAll(async () => {
    await Promise.allSettled(CASES.map((c) => c.lab));
  });

  it("has the seven Calico built-ins, five of them across vxlan.calico and one routed", () => {
    expect(CASES.map((c) => c.id.slice(CALICO_PREFIX.length)).sort()).toEqual(["clusterip-dns-udp", "node-to-pod", "nodeport", "pod-to-internet", "pod-to-pod", "routed-pod-to-pod", "same-node"]);
    expect(CASES.filter((c) => c.tunnelled).map((c) => c.id.slice(CALICO_PREFIX.length)).sort()).toEqual(["clusterip-dns-udp", "node-to-pod", "nodeport", "pod-to-pod"]);
    expect(CASES.filter((c) => c.routed).length).toBe(1);
  });

  it.each(CASES.map((c) => [c.id, c] as const))(
    "%s",
    async (_id, c) => {
      const lab = await c.lab!;
      expect(lab.iptablesVariant).toBe("nf_tables");
      // The whole of each node's filter, nat and raw tables as iptables-save -c prints them, counters included.
      for (const [ns, text] of Object.entries(lab.iptables)) {
        const nf = c.run.cluster.world.get(ns).nf;
        const mine = (["filter", "nat", "raw"] as const).filter((t) => nf.loaded.has(t)).map((t) => iptablesSave(nf, { counters: true, table: t, variant: "nf_tables" })).join("");
        const body = (t: string) => t.split("\n").filter((l) => !l.startsWith("#"));
        expect(body(mine), ns).toEqual(body(text));
      }
      const vxlan = Object.values(lab.captures).flat().filter((p) => p.dport === 4789);
      if (c.tunnelled) {
        expect(vxlan.length).toBeGreaterThan(0);
        for (const p of vxlan) expect({ iface: p.iface, vni: p.vni, inner: p.inner !== undefined }).toEqual({ iface: "eth0", vni: 4096, inner: true });
      } else expect(vxlan).toEqual([]);
      // felix's NOTRACK: no conntrack entry for VXLAN's own datagrams on any node.
      expect(Object.values(lab.conntrack).flat().filter((l) => / dport=4789 /.test(l))).toEqual([]);
      if (c.routed) {
        // Across the subnet with the pods' own addresses, no tunnel.
        const crossing = Object.entries(lab.captures).filter(([ns]) => ns.startsWith("worker-")).flatMap(([, ps]) => ps.filter((p) => p.iface === "eth0"));
        expect(crossing.length).toBeGreaterThan(0);
        for (const p of crossing) expect(p.src.startsWith("10.244.") && p.dst.startsWith("10.244."), `${p.src} > ${p.dst}`).toBe(true);
      }
      expect(compareWithKernel(c.run.cluster, c.run.trace, withEngineVxlanPorts(withEnginePorts(lab, c.run.cluster), c.run.cluster, c.run.trace))).toEqual([]);
      // What Calico built on the nodes and in the pods, as iproute2 shows it.
      const cni = new Set([...c.run.cluster.scenario.cluster.workers.map((w) => w.name), ...c.run.cluster.pods.map((p) => p.netns)]);
      expect(compareState(c.run.cluster, lab, (ns) => cni.has(ns))).toEqual([]);
    },
    170_000,
  );
});
