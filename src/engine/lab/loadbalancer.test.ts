/**
 * The cloud load balancer and kube-proxy 1.10's KUBE-FW rules against the Linux kernel: the
 * built-in "loadbalancer" scenario (and the same service with policy Local, and with the
 * connection hashed to the endpoint's own node) built in network namespaces by the lab script,
 * whose router is told each connection's node (the kernel has no such hash) and whose workers
 * carry the address as a proto 66 local route. Packets per interface, conntrack, counters and
 * the dropped pod request are compared with the engine's trace.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../k8s/run";
import type { ScenarioInput } from "../k8s/spec";
import { builtinScenario } from "../scenarios/article";
import { compareWithKernel, type LabReport } from "./compare";
import { labScript } from "./export";

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "conntrack", "tcpdump", "python3"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (spawnSync("sh", ["-c", "command -v iptables-legacy-restore || command -v iptables-restore"]).status !== 0) return "iptables is not installed";
  const probe = spawnSync("sh", ["-c", "ip netns add hsl-probe-lb && ip netns del hsl-probe-lb"], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create network namespaces: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = missing();
if (reason) {
  const msg = `skipped: load balancer kernel agreement tests: ${reason}`;
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

const base = builtinScenario("loadbalancer")!;

/** The built-in scenario with nginx changed, and the client's connection alone (from `sport`). */
function variant(id: string, change: Record<string, unknown>, sport: number): ScenarioInput {
  const s = structuredClone(base);
  s.id = id;
  s.services = (s.services ?? []).map((sv) => (sv.name === "nginx" ? ({ ...sv, ...change } as typeof sv) : sv));
  s.traffic = [{ kind: "curl", from: { client: true }, to: { service: "nginx", via: "loadBalancer" }, sport }];
  return s;
}

const run = reason && process.env.CI !== "true" ? describe.skip : describe;

run("the cloud load balancer and KUBE-FW agree with the kernel", () => {
  if (reason) {
    it("has what the lab needs (CI=true makes a missing kernel a failure)", () => {
      expect.fail(`kernel agreement tests cannot run: ${reason}`);
    });
    return;
  }

  it("the built-in scenario: DNAT and masquerade on the chosen node, the reply from the load balancer's address, the pod's request dropped", () => {
    const r = engine(base);
    const lab = kernel(r);
    expect(lab.traffic).toEqual(["ok", "failed"]);
    // The kernel's own view of the drop: KUBE-FIREWALL counted the pod's SYN (and its retries).
    const fw = (lab.iptables["worker-0"] ?? "").split("\n").find((l) => l.includes("-A KUBE-FIREWALL") && l.includes("-j DROP"));
    expect(fw).toMatch(/^\[[1-9]\d*:\d+\] /);
    expect((lab.captures["client"] ?? []).some((p) => p.dir === "in" && p.src === "198.51.100.80" && p.sport === 80)).toBe(true);
    expect(compareWithKernel(r.cluster, r.trace, lab)).toEqual([]);
  });

  it("policy Local: the health-checked node only, no masquerade, the client's address reaches the pod", () => {
    const r = engine(variant("lb-local", { externalTrafficPolicy: "Local" }, 30311));
    const lab = kernel(r);
    expect(lab.traffic).toEqual(["ok"]);
    const pod = r.cluster.pods.find((p) => p.name.startsWith("nginx-"))!;
    expect((lab.captures[pod.netns] ?? []).some((p) => p.dir === "in" && p.src === "203.0.113.10" && p.dport === 80)).toBe(true);
    expect(compareWithKernel(r.cluster, r.trace, lab)).toEqual([]);
  });
});
