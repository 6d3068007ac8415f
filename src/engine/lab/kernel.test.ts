/**
 * The engine against the Linux kernel: every built-in scenario (and the cases the article does
 * not show) is built in network namespaces by its own lab script, and what the kernel did is
 * compared with the engine's trace: packets per interface, conntrack entries, rule counters,
 * delivered or dropped. Needs root and iproute2, iptables, conntrack, tcpdump, python3.
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatIpv4 } from "../addr/ipv4";
import { runScenario, type RunResult } from "../k8s/run";
import type { ScenarioInput } from "../k8s/spec";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { CALICO_PREFIX, FLANNEL_PREFIX } from "../scenarios/cni";
import { TODAY_PREFIX } from "../scenarios/today";
import { articleScenario, webDeployment } from "../testing/article-scenario";
import { FAULT_SCENARIOS, HAIRPIN_ON } from "../testing/faults";
import { compareWithKernel, withoutTimeout, type LabReport } from "./compare";
import { labPrefixBase, labScript } from "./export";

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "conntrack", "tcpdump", "python3"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (spawnSync("sh", ["-c", "command -v iptables-legacy-restore || command -v iptables-restore"]).status !== 0) return "iptables is not installed";
  const probe = spawnSync("sh", ["-c", "ip netns add hsl-probe && ip netns del hsl-probe"], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create network namespaces: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = missing();
if (reason) {
  const msg = `skipped: kernel agreement tests: ${reason}`;
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

type Ok = Extract<RunResult, { ok: true }>;

function engine(s: ScenarioInput): Ok {
  const r = runScenario(s);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

function kernel(r: Ok): LabReport {
  const res = spawnSync("bash", ["-c", labScript(r.cluster)], { encoding: "utf8", timeout: 90_000, maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`the lab failed (${res.status ?? res.signal}): ${res.stderr.slice(-2000)}`);
  return JSON.parse(res.stdout) as LabReport;
}

interface LabRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One run of a lab script, without blocking, so that several can run at once. */
function runLab(script: string): Promise<LabRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "pipe"], timeout: 90_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A report without what differs from run to run: the prefix, conntrack's seconds left, iptables-save's dated comments. */
function comparable(r: LabReport) {
  return {
    ...r,
    prefix: undefined,
    conntrack: Object.fromEntries(Object.entries(r.conntrack).map(([ns, lines]) => [ns, lines.map(withoutTimeout)])),
    iptables: Object.fromEntries(Object.entries(r.iptables).map(([ns, text]) => [ns, text.split("\n").filter((l) => !l.startsWith("#"))])),
  };
}

const scenario = articleScenario;

const web = webDeployment([
  { node: "worker-0", ip: "10.200.0.40", name: "web-6d9b9c5c4f-aaaaa" },
  { node: "worker-1", ip: "10.200.1.40", name: "web-6d9b9c5c4f-bbbbb" },
  { node: "worker-2", ip: "10.200.2.40", name: "web-6d9b9c5c4f-ccccc" },
]);

const EXTRA: ScenarioInput[] = [
  // TCP to an endpoint on the client's own bridge: only the first packet leaves through cnio0.
  scenario("clusterip-same-node-tcp", {}, [{ kind: "dig", from: { pod: "busybox0-rw89s" }, to: { service: "kube-dns", namespace: "kube-system", port: "dns-tcp" }, protocol: "TCP", port: 53, sport: 43001 }]),
  scenario("clusterip-same-node", {}, [{ kind: "dig", from: { pod: "busybox0-rw89s" }, to: { service: "kube-dns", namespace: "kube-system", port: "dns" }, protocol: "UDP", port: 53, sport: 43000 }]),
  scenario("nodeport-local-node", {}, [{ kind: "curl", from: { client: true }, to: { node: "worker-1", public: true }, port: 31088, sport: 30304 }]),
  scenario(
    "etp-local-remote",
    { services: [{ name: "nginx-local", type: "NodePort", externalTrafficPolicy: "Local", clusterIP: "10.32.0.54", selector: { run: "nginx" }, ports: [{ port: 80, targetPort: 80, nodePort: 31089 }] }] },
    [{ kind: "curl", from: { client: true }, to: { node: "worker-0", public: true }, port: 31089, sport: 30305 }],
  ),
  scenario(
    "etp-local-local",
    { services: [{ name: "nginx-local", type: "NodePort", externalTrafficPolicy: "Local", clusterIP: "10.32.0.54", selector: { run: "nginx" }, ports: [{ port: 80, targetPort: 80, nodePort: 31089 }] }] },
    [{ kind: "curl", from: { client: true }, to: { node: "worker-1", public: true }, port: 31089, sport: 30306 }],
  ),
];

/** The what-if faults of the scenario format, each with its real consequence (testing/faults.ts). */
const FAULTS: ScenarioInput[] = [...Object.values(FAULT_SCENARIOS).map((f) => f.scenario), { ...HAIRPIN_ON, id: "hairpin-on" }];

const THREE_ENDPOINTS = scenario("three-endpoints", { workloads: [web], services: [{ name: "web", clusterIP: "10.32.0.80", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] }] }, [
  { kind: "curl", from: { pod: "busybox0-rw89s" }, to: { service: "web", namespace: "default", port: "http" }, port: 80, sport: 42000 },
]);

// ClientIP affinity (xt_recent): two connections from one pod must reach the same endpoint.
const AFFINITY = scenario(
  "clientip-affinity",
  { workloads: [web], services: [{ name: "web", clusterIP: "10.32.0.80", sessionAffinity: "ClientIP", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] }] },
  [
    { kind: "curl", from: { pod: "busybox0-rw89s" }, to: { service: "web", namespace: "default", port: "http" }, port: 80, sport: 42000 },
    { kind: "curl", from: { pod: "busybox0-rw89s" }, to: { service: "web", namespace: "default", port: "http" }, port: 80, sport: 42001 },
  ],
);

const run = reason && process.env.CI !== "true" ? describe.skip : describe;

run("the engine agrees with the kernel", () => {
  if (reason) {
    it("has what the lab needs (CI=true makes a missing kernel a failure)", () => {
      expect.fail(`kernel agreement tests cannot run: ${reason}`);
    });
    return;
  }

  // Today's built-ins (kube-proxy 1.37) are today.test.ts's, with its treatment of fully random source ports;
  // flannel's are flannel.test.ts's, which also lets the kernel choose VXLAN's outer source ports.
  it.each([...BUILTIN_SCENARIOS.filter((s) => !s.id.startsWith(TODAY_PREFIX) && !s.id.startsWith(FLANNEL_PREFIX) && !s.id.startsWith(CALICO_PREFIX)), ...EXTRA, ...FAULTS].map((s) => [s.id, s] as const))("%s", (_id, s) => {
    const r = engine(s);
    expect(compareWithKernel(r.cluster, r.trace, kernel(r))).toEqual([]);
  });

  it("two runs of one scenario at the same time: each in namespaces of its own, the same report, and one says the other is active", async () => {
    const r = engine(BUILTIN_SCENARIOS.find((s) => s.id === "pod-to-pod")!);
    const script = labScript(r.cluster);
    const runs = await Promise.all([runLab(script), runLab(script)]);
    for (const x of runs) expect(x.status, `the lab failed: ${x.stderr.slice(-2000)}`).toBe(0);
    const [a, b] = runs.map((x) => JSON.parse(x.stdout) as LabReport) as [LabReport, LabReport];
    const base = labPrefixBase(r.cluster);
    expect(a.prefix.startsWith(base) && b.prefix.startsWith(base), `${a.prefix} ${b.prefix}`).toBe(true);
    expect(a.prefix).not.toBe(b.prefix);
    expect(comparable(a)).toEqual(comparable(b));
    expect(compareWithKernel(r.cluster, r.trace, a)).toEqual([]);
    const told = runs.filter((x) => x.stderr.includes('hopscope lab: another run of scenario "pod-to-pod" is active'));
    expect(told.length, runs.map((x) => x.stderr).join("\n")).toBeGreaterThanOrEqual(1);
    // Both cleaned up after themselves.
    expect(readdirSync("/var/run/netns").filter((n) => n.startsWith(a.prefix) || n.startsWith(b.prefix))).toEqual([]);
  });

  it("three endpoints: the kernel's random choice is one the engine makes too, and then everything agrees", () => {
    const lab = kernel(engine(THREE_ENDPOINTS));
    const dnat = (lines: readonly string[]) => lines.map((l) => / src=(10\.200\.\d+\.40) dst=/.exec(l)?.[1]).find(Boolean);
    const chosen = dnat(lab.conntrack["worker-0"] ?? []);
    expect(["10.200.0.40", "10.200.1.40", "10.200.2.40"]).toContain(chosen);
    // The engine's choice follows its seed: find a seed that picks what the kernel picked.
    let matched: Ok | undefined;
    for (let seed = 1; seed <= 64 && !matched; seed++) {
      const r = engine({ ...THREE_ENDPOINTS, seed });
      const mine = r.cluster.world.get("worker-0").ct.list(r.cluster.world.now).map((e) => formatIpv4(e.reply.src)).find((ip) => ip.endsWith(".40"));
      if (mine === chosen) matched = r;
    }
    expect(matched, "no seed of 64 made the engine choose the kernel's endpoint").toBeDefined();
    expect(compareWithKernel(matched!.cluster, matched!.trace, lab)).toEqual([]);
  });

  it("ClientIP affinity: the kernel sends the second connection where it sent the first, and so does the engine", () => {
    const lab = kernel(engine(AFFINITY));
    const chosen = (lab.conntrack["worker-0"] ?? []).map((l) => / src=(10\.200\.\d+\.40) dst=/.exec(l)?.[1]).filter(Boolean);
    expect(chosen).toHaveLength(2);
    expect(chosen[1]).toBe(chosen[0]);
    let matched: Ok | undefined;
    for (let seed = 1; seed <= 64 && !matched; seed++) {
      const r = engine({ ...AFFINITY, seed });
      const mine = r.cluster.world.get("worker-0").ct.list(r.cluster.world.now).map((e) => formatIpv4(e.reply.src)).filter((ip) => ip.endsWith(".40"));
      expect(mine).toHaveLength(2);
      expect(mine[1], "the engine's second connection left its first endpoint").toBe(mine[0]);
      if (mine[0] === chosen[0]) matched = r;
    }
    expect(matched, "no seed of 64 made the engine choose the kernel's endpoint").toBeDefined();
    expect(compareWithKernel(matched!.cluster, matched!.trace, lab)).toEqual([]);
  });
});
