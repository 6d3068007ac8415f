/** The what-if faults: switching each on and off in a document, and what each does to the trace. */
import { describe, expect, it } from "vitest";
import { articleScenario } from "../testing/article-scenario";
import { FAULT_SCENARIOS, HAIRPIN_ON } from "../testing/faults";
import type { Flow } from "../trace";
import { faultDifference, faultIsOn, faultName, setFault, type Fault } from "./faults";
import { runScenario, type RunResult } from "./run";
import type { ScenarioInput } from "./spec";

function run(s: ScenarioInput): Extract<RunResult, { ok: true }> {
  const r = runScenario(s);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

const flow = (r: Extract<RunResult, { ok: true }>, name: string): Flow => {
  const f = r.trace.flows.find((x) => x.name === name);
  if (!f) throw new Error(`no flow "${name}" in ${r.trace.flows.map((x) => x.name).join(", ")}`);
  return f;
};
const lastStep = (f: Flow) => f.steps.at(-1)!;
const wireLines = (f: Flow, node: string, iface: string) => f.steps.flatMap((s) => (s.kind === "wire" && s.node === node && s.pod === undefined && s.iface === iface ? [`${s.dir} ${s.detail.tcpdump}`] : []));

describe("switching a fault on and off", () => {
  const base = articleScenario("base", { services: [{ name: "web", clusterIP: "10.32.0.80", selector: { app: "web" }, ports: [{ port: 80 }] }] });
  const faults: Fault[] = [
    { kind: "vpc-route-missing", worker: "worker-1" },
    { kind: "vpc-route-wrong-worker", worker: "worker-1", via: "worker-2" },
    { kind: "ipmasq-off", worker: "worker-0" },
    { kind: "ip-forward-off", worker: "worker-2" },
    { kind: "bridge-nf-off", worker: "worker-0" },
    { kind: "kube-proxy-stopped", worker: "worker-0", service: "default/nginx" },
    { kind: "stale-endpoint", service: "default/web", ip: "10.200.2.99", port: 80 },
  ];
  it.each(faults.map((f) => [f.kind, f] as const))("%s: off in the article, on after setFault, and off again gives the same document", (_k, f) => {
    expect(faultIsOn(base, f)).toBe(false);
    const on = setFault(base, f, true);
    expect(faultIsOn(on, f)).toBe(true);
    expect(runScenario(on).ok).toBe(true);
    const off = setFault(on, f, false);
    expect(faultIsOn(off, f)).toBe(false);
    expect(off).toEqual(base);
  });

  it("hairpin mode is off in KTHW's config, so that fault starts on", () => {
    const f: Fault = { kind: "hairpin-off", worker: "worker-1" };
    expect(faultIsOn(base, f)).toBe(true);
    const off = setFault(base, f, false);
    expect(faultIsOn(off, f)).toBe(false);
    expect(off.cluster.workers[1]!.cni).toEqual({ hairpinMode: true });
  });

  it("no endpoints: the selector no pod carries, and a selector on the service's name when switched off", () => {
    const f: Fault = { kind: "no-endpoints", service: "default/web" };
    const on = setFault(base, f, true);
    expect(faultIsOn(on, f)).toBe(true);
    expect(on.services!.at(-1)!.selector).toEqual({ "hopscope-no-pod": "true" });
    expect(setFault(on, f, false).services!.at(-1)!.selector).toEqual({ app: "web" });
  });

  it("names what it cannot find", () => {
    expect(() => setFault(base, { kind: "ipmasq-off", worker: "worker-9" }, true)).toThrow("no worker worker-9");
    expect(() => setFault(base, { kind: "no-endpoints", service: "default/nope" }, true)).toThrow("no service default/nope");
  });
});

describe("each fault's consequence", () => {
  it("VPC route missing: the router drops the ping and answers net unreachable", () => {
    const r = run(FAULT_SCENARIOS.routeMissing.scenario);
    expect(flow(r, "request").dropReason).toBe("no route to 10.200.1.15 (on vpc-router)");
    const err = flow(r, "error");
    expect(err.verdict).toBe("delivered");
    expect(lastStep(err).packet.src).toBe("10.240.0.1");
  });

  it("VPC route to the wrong worker: a loop until the TTL runs out, a redirect NAT drops, no time exceeded", () => {
    const r = run(FAULT_SCENARIOS.routeWrongWorker.scenario);
    const req = flow(r, "request");
    expect(req.dropReason).toBe("TTL exceeded in transit (ttl 1) (on worker-2)");
    // 63 trips round the loop, each seen leaving worker-2's eth0.
    expect(wireLines(req, "worker-2", "eth0").filter((l) => l.startsWith("out ")).length).toBe(62);
    expect(lastStep(req).why).toMatch(/^No ICMP time to live exceeded in transit goes back to 10\.240\.0\.20: .*icmp_ratelimit.*redirect/);
    const redirect = flow(r, "ICMP redirect");
    expect(redirect.dropReason).toBe("NAT drops an ICMP redirect about a connection whose NAT is not settled yet (nat OUTPUT) (on worker-2)");
    expect(redirect.steps.find((s) => s.kind === "conntrack")?.detail).toMatchObject({ state: "RELATED", direction: "reply" });
    expect(r.trace.flows.map((f) => f.name)).not.toContain("error");
  });

  it("ipMasq off on worker-0: the pod's own address leaves the node", () => {
    const r = run(FAULT_SCENARIOS.ipMasqOff.scenario);
    expect(wireLines(flow(r, "request"), "worker-0", "eth0")[0]).toMatch(/^out IP 10\.200\.0\.21 > 10\.200\.1\.15: ICMP echo request/);
    expect(flow(r, "reply").verdict).toBe("delivered");
  });

  it("ip_forward=0 on worker-1: dropped there, and nobody is told", () => {
    const r = run(FAULT_SCENARIOS.ipForwardOff.scenario);
    expect(flow(r, "request").dropReason).toBe("forwarding is off (net.ipv4.ip_forward = 0) (on worker-1)");
    expect(r.trace.flows).toHaveLength(1);
  });

  it("bridge-nf-call-iptables=0 on worker-0: kube-dns's answer reaches the pod from the pod's address, not the ClusterIP", () => {
    const on = run(FAULT_SCENARIOS.bridgeNfOff.scenario);
    expect(lastStep(flow(on, "reply")).packet.src).toBe("10.200.0.27");
    const off = run(setFault(FAULT_SCENARIOS.bridgeNfOff.scenario, FAULT_SCENARIOS.bridgeNfOff.fault, false));
    expect(lastStep(flow(off, "reply")).packet.src).toBe("10.32.0.10");
  });

  it("kube-proxy stopped on worker-0 before nginx's service: no NodePort there, a reset", () => {
    const r = run(FAULT_SCENARIOS.kubeProxyStopped.scenario);
    expect(flow(r, "request").dropReason).toBe("nothing listens on tcp port 31088 (the kernel answers with a reset) (on worker-0)");
    expect(lastStep(flow(r, "reset")).packet).toMatchObject({ src: "198.51.100.20", dst: "203.0.113.10" });
  });

  it("no endpoints: a pod's packet goes on un-DNATed to the router, the node's own is rejected", () => {
    const pod = run(FAULT_SCENARIOS.noEndpoints.scenario);
    expect(flow(pod, "request").dropReason).toBe("no route to 10.32.0.99 (on vpc-router)");
    const node = run(FAULT_SCENARIOS.noEndpointsFromNode.scenario);
    expect(flow(node, "request").dropReason).toBe("REJECT rule in filter KUBE-SERVICES (icmp-port-unreachable) (on worker-0)");
    expect(flow(node, "error").verdict).toBe("delivered");
  });

  it("hairpin off: nginx calling its own service is dropped at the bridge; on, it works, every packet leaving cnio0", () => {
    const off = run(FAULT_SCENARIOS.hairpinOff.scenario);
    expect(flow(off, "request").dropReason).toMatch(/hairpin mode is off \(on worker-1\)$/);
    const on = run(HAIRPIN_ON);
    expect(on.trace.flows.map((f) => `${f.name} ${f.verdict}`)).toEqual(["request delivered", "reply delivered", "ack delivered"]);
    // nginx resolved its gateway first, so worker-1 knows it only as STALE, then DELAY: the slow path each time.
    for (const name of ["request", "reply", "ack"]) expect(wireLines(flow(on, name), "worker-1", "cnio0").filter((l) => l.startsWith("out "))).toHaveLength(1);
  });

  it("a stale endpoint: ARP fails on worker-2, and host unreachable comes back 3 s later", () => {
    const r = run(FAULT_SCENARIOS.staleEndpoint.scenario);
    const req = flow(r, "request");
    expect(req.dropReason).toBe("no neighbour answers ARP for 10.200.2.99 on cnio0 (Destination Host Unreachable) (on worker-2)");
    const err = flow(r, "error");
    const sent = (f: Flow) => f.steps.find((s) => s.kind === "wire")!;
    const t0 = (sent(req).detail as { time: number }).time;
    const t1 = (sent(err).detail as { time: number }).time;
    expect(t1 - t0).toBeGreaterThanOrEqual(3000);
    expect(t1 - t0).toBeLessThan(3100);
    expect(lastStep(err).packet).toMatchObject({ src: "10.32.0.80", dst: "10.200.0.21" });
  });
});

describe("naming the one fault two documents differ by", () => {
  it("finds it and the side that has it; two differences name none", () => {
    const base = articleScenario("base", {});
    const off = setFault(base, { kind: "ipmasq-off", worker: "worker-0" }, true);
    const d = faultDifference(base, off);
    expect(d).toEqual({ fault: { kind: "ipmasq-off", worker: "worker-0" }, on: "b" });
    expect(faultName(d!.fault)).toBe("ipMasq off on worker-0");
    expect(faultDifference(off, base)?.on).toBe("a");
    expect(faultDifference(base, setFault(off, { kind: "ip-forward-off", worker: "worker-1" }, true))).toBeUndefined();
    expect(faultDifference(base, base)).toBeUndefined();
  });
});
