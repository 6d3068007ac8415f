/**
 * kube-proxy 1.37 in iptables mode against the Linux kernel: the article's scenarios built with
 * today's proxier (iptables-modern.ts), exported by the lab script, and compared with what the
 * kernel did (packets per interface, conntrack, counters). Also: every 1.37 rule of the netfilter
 * fixture restored in a namespace prints back as the engine prints it.
 *
 * These nodes are modelled as kube-proxy leaves a node whose kernel has no nfnetlink_acct: without
 * the `-m nfacct` matches (`{ nfacct: false }`). (The lab's kernel does take them once their
 * accounting objects exist; today.test.ts runs the built-ins with them.)
 *
 * MASQUERADE --random-fully lets the kernel pick any source port; the engine draws one from its
 * own random source. The comparison learns the kernel's port from its conntrack entry and puts
 * the engine's in its place in the kernel's report before comparing; everything else must agree.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bridgePlugin } from "../cni/bridge";
import { buildCluster, type Cluster } from "../k8s/build";
import { SETTLE_MS } from "../k8s/run";
import { validateScenario, type ScenarioInput } from "../k8s/spec";
import { traceTraffic } from "../k8s/traffic";
import { iptablesProxierModern } from "../kube-proxy/iptables-modern";
import { KUBE_PROXY_137_RULES } from "../netfilter/__fixtures__/kube-proxy-1.37-rules";
import { iptablesSave, loadIptablesSave } from "../netfilter/save";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { articleScenario } from "../testing/article-scenario";
import type { Flow, Trace } from "../trace";
import { compareWithKernel, masqueradedPorts, withEnginePorts, type LabReport } from "./compare";
import { labScript } from "./export";

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "conntrack", "tcpdump", "python3", "iptables-restore", "iptables-save"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = spawnSync("sh", ["-c", "ip netns add hsl-m2probe && ip netns del hsl-m2probe"], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create network namespaces: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = missing();
if (reason) {
  const msg = `skipped: kube-proxy 1.37 kernel agreement tests: ${reason}`;
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

/** The scenario built with today's kube-proxy and traced, as runScenario does with the article's. */
function engine(input: ScenarioInput): { cluster: Cluster; trace: Trace } {
  const v = validateScenario(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const cluster = buildCluster(v.scenario, { cni: bridgePlugin(), proxier: iptablesProxierModern(v.scenario.cluster.podNetwork, { nfacct: false }) });
  const flows: Flow[] = [];
  v.scenario.traffic.forEach((t, i) => flows.push(...traceTraffic(cluster, t, i)));
  cluster.world.now += SETTLE_MS;
  return { cluster, trace: { scenario: v.scenario.id, flows } };
}

function kernel(cluster: Cluster): LabReport {
  const res = spawnSync("bash", ["-c", labScript(cluster)], { encoding: "utf8", timeout: 90_000, maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`the lab failed (${res.status ?? res.signal}): ${res.stderr.slice(-2000)}`);
  return JSON.parse(res.stdout) as LabReport;
}

const run = reason && process.env.CI !== "true" ? describe.skip : describe;

const NODEPORT_FROM_OUTSIDE = BUILTIN_SCENARIOS.find((s) => s.id === "nodeport")!;

run("kube-proxy 1.37 (iptables mode): the engine agrees with the kernel", () => {
  if (reason) {
    it("has what the lab needs (CI=true makes a missing kernel a failure)", () => {
      expect.fail(`kernel agreement tests cannot run: ${reason}`);
    });
    return;
  }

  it("prints every 1.37 rule of the fixture as iptables-save v1.8.9 prints it after iptables-restore in a namespace", () => {
    const ns = `m2-lab-${process.pid}`;
    try {
      expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
      const chains = (input: string) => new Set([input.split(" ")[1]!, ...[...input.matchAll(/-j (KUBE-[A-Z0-9-]+)/g)].map((m) => m[1]!)]);
      for (const table of ["filter", "nat"] as const) {
        const rules = KUBE_PROXY_137_RULES.filter((r) => r.table === table);
        const names = new Set(rules.flatMap((r) => [...chains(r.input)]));
        const text = `*${table}\n${[...names].map((c) => `:${c} - [0:0]`).join("\n")}\n${rules.map((r) => r.input).join("\n")}\nCOMMIT\n`;
        const restored = spawnSync("ip", ["netns", "exec", ns, "iptables-restore", "-w"], { input: text, encoding: "utf8" });
        expect(restored.status, restored.stderr).toBe(0);
        const saved = spawnSync("ip", ["netns", "exec", ns, "iptables-save", "-t", table], { encoding: "utf8" }).stdout;
        const kernelLines = saved.split("\n").filter((l) => l.startsWith("-A "));
        // The engine, from the same restore text.
        const mine = loadIptablesSave(`*${table}\n${[...names].map((c) => `:${c} - [0:0]`).join("\n")}\n${rules.map((r) => r.input).join("\n")}\nCOMMIT\n`);
        if (!mine.ok) throw new Error(mine.error.message);
        const engineLines = iptablesSave(mine.value, { table }).split("\n").filter((l) => l.startsWith("-A "));
        expect(engineLines).toEqual(kernelLines);
        expect(kernelLines.sort()).toEqual(rules.map((r) => r.saved).sort());
      }
    } finally {
      spawnSync("ip", ["netns", "del", ns]);
    }
  });

  it("a whole node's rules: iptables-nft-save after iptables-restore prints what the engine's iptables-save (nf_tables variant) prints", () => {
    const web = { kind: "Deployment" as const, name: "web", labels: { app: "web" }, replicas: 2, podTemplateHash: 1234567890, containers: [{ name: "web", image: "nginx", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" as const }] }], pods: [{ node: "worker-0", ip: "10.200.0.40" }, { node: "worker-1", ip: "10.200.1.40" }] };
    const s = articleScenario("whole-node", {
      workloads: [web],
      services: [
        { name: "web", clusterIP: "10.32.0.80", sessionAffinity: "ClientIP", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
        { name: "weblocal", type: "NodePort", externalTrafficPolicy: "Local", clusterIP: "10.32.0.81", selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080, nodePort: 31090 }] },
        { name: "empty", type: "NodePort", clusterIP: "10.32.0.82", selector: { app: "nothing" }, ports: [{ port: 80, targetPort: 8080, nodePort: 31091 }] },
      ],
    });
    const { cluster } = engine(s);
    const ports = cluster.services.flatMap((sv) => sv.portsResolved);
    const text = iptablesProxierModern(cluster.scenario.cluster.podNetwork, { nfacct: false }).rules(ports, { name: "worker-0", ip: "10.240.0.20" });
    const mine = loadIptablesSave(text);
    if (!mine.ok) throw new Error(mine.error.message);
    const ns = `m2-node-${process.pid}`;
    try {
      expect(spawnSync("ip", ["netns", "add", ns]).status).toBe(0);
      const restored = spawnSync("ip", ["netns", "exec", ns, "iptables-restore", "-w"], { input: text, encoding: "utf8" });
      expect(restored.status, restored.stderr).toBe(0);
      const theirs = spawnSync("ip", ["netns", "exec", ns, "iptables-save"], { encoding: "utf8" }).stdout;
      const body = (t: string) => t.split("\n").filter((l) => !l.startsWith("#"));
      expect(body(iptablesSave(mine.value, { variant: "nf_tables" }))).toEqual(body(theirs));
      expect(theirs).toContain("-A KUBE-SVL-");
    } finally {
      spawnSync("ip", ["netns", "del", ns]);
    }
  });

  it.each(["pod-to-pod", "clusterip-dns-udp", "clusterip-dns-tcp"].map((id) => [id, BUILTIN_SCENARIOS.find((s) => s.id === id)!] as const))("%s", (_id, s) => {
    const { cluster, trace } = engine(s);
    expect(compareWithKernel(cluster, trace, kernel(cluster))).toEqual([]);
  });

  it("NodePort from outside: KUBE-EXT marks, KUBE-POSTROUTING masquerades with --random-fully, and all but the port the kernel drew agrees", () => {
    const { cluster, trace } = engine(NODEPORT_FROM_OUTSIDE);
    const lab = kernel(cluster);
    // The kernel did masquerade on worker-0 (a source port moved or stayed: conntrack says which).
    const ct = lab.conntrack["worker-0"] ?? [];
    expect(ct.some((l) => l.includes("dport=31088") && l.includes("src=10.200.1.18"))).toBe(true);
    // --random-fully moved the source port (the client's 30303) to one the kernel drew.
    expect(masqueradedPorts(ct).map((p) => p.from)).toEqual(["30303"]);
    const fixed = withEnginePorts(lab, cluster);
    expect(compareWithKernel(cluster, trace, fixed)).toEqual([]);
    // The masquerade rule counted the connection's first packet in both.
    expect(lab.iptables["worker-0"]).toMatch(/\[1:\d+\] -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully/);
  });

  const etpLocal = (id: string, node: string, sport: number) =>
    articleScenario(
      id,
      { services: [{ name: "nginx-local", type: "NodePort", externalTrafficPolicy: "Local", clusterIP: "10.32.0.54", selector: { run: "nginx" }, ports: [{ port: 80, targetPort: 80, nodePort: 31089 }] }] },
      [{ kind: "curl", from: { client: true }, to: { node, public: true }, port: 31089, sport }],
    );

  it("externalTrafficPolicy Local, node with the endpoint: KUBE-EXT to KUBE-SVL, no masquerade, the client's address kept", () => {
    const { cluster, trace } = engine(etpLocal("etp-local-local", "worker-1", 30306));
    const lab = kernel(cluster);
    expect(lab.traffic).toEqual(["ok"]);
    expect(lab.iptables["worker-1"]).toMatch(/\[1:\d+\] -A KUBE-EXT-\S+ -j KUBE-SVL-/);
    expect(compareWithKernel(cluster, trace, lab)).toEqual([]);
  });

  it("externalTrafficPolicy Local, node without one: KUBE-EXTERNAL-SERVICES drops it (\"has no local endpoints\")", () => {
    const { cluster, trace } = engine(etpLocal("etp-local-remote", "worker-0", 30305));
    const lab = kernel(cluster);
    expect(lab.traffic).toEqual(["failed"]);
    expect(lab.iptables["worker-0"]).toMatch(/\[1:\d+\] -A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default\/nginx-local has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 31089 -j DROP/);
    expect(compareWithKernel(cluster, trace, lab)).toEqual([]);
  });

  it("ClusterIP from outside the cluster CIDR (the node itself) is masqueraded by KUBE-SVC's `! -s` rule", () => {
    const s = articleScenario("clusterip-from-node", {}, [{ kind: "curl", from: { node: "worker-0" }, to: { service: "nginx", namespace: "default" }, port: 80, sport: 40100 }]);
    const { cluster, trace } = engine(s);
    const lab = kernel(cluster);
    expect(lab.iptables["worker-0"]).toMatch(/\[1:\d+\] -A KUBE-SVC-\S+ ! -s 10\.200\.0\.0\/16 -d 10\.32\.0\.53\/32 -p tcp -m comment --comment "default\/nginx cluster IP"/);
    expect(compareWithKernel(cluster, trace, withEnginePorts(lab, cluster))).toEqual([]);
  });
});
