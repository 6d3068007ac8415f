/**
 * `cluster.cni`: which CNI plugin the cluster runs. Absent `type` is the article's bridge plugin;
 * each plugin's keys belong to it alone, and a wrong one is an error at its path.
 */
import { describe, expect, it } from "vitest";
import { builtinScenario } from "../scenarios/article";
import { articleScenario } from "../testing/article-scenario";
import { buildCluster } from "./build";
import { runScenario } from "./run";
import { validateScenario, type ScenarioInput } from "./spec";

function withCni(cni: unknown, workerCni?: unknown): ScenarioInput {
  const s = structuredClone(articleScenario("cni", {})) as ScenarioInput;
  (s.cluster as Record<string, unknown>).cni = cni;
  if (workerCni !== undefined) (s.cluster.workers[1] as Record<string, unknown>).cni = workerCni;
  return s;
}

function problems(s: unknown): string[] {
  const r = validateScenario(s);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe("cluster.cni", () => {
  it("is the bridge plugin when type is absent or \"bridge\", with its keys", () => {
    expect(problems(withCni({}))).toEqual([]);
    expect(problems(withCni({ type: "bridge", ipMasq: false, hairpinMode: true }))).toEqual([]);
    const v = validateScenario(withCni({ ipMasq: false }));
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    expect(buildCluster(v.scenario).world.get("worker-0").iface("cnio0")?.kind).toBe("bridge");
  });

  it("names the types it knows when given another", () => {
    expect(problems(withCni({ type: "weave" }))).toEqual(['cluster.cni.type: "bridge", "flannel" or "calico"']);
  });

  it("keeps each key with its plugin", () => {
    expect(problems(withCni({ type: "flannel", ipMasq: false }))).toEqual([
      'cluster.cni.ipMasq: ipMasq is a setting of the bridge plugin (cluster.cni.type "bridge"); flannel configures its own',
    ]);
    expect(problems(withCni({ type: "flannel", encapsulation: "vxlan" }))).toEqual([
      'cluster.cni.encapsulation: encapsulation is Calico\'s setting; this cluster\'s CNI is flannel (cluster.cni.type "flannel")',
    ]);
    expect(problems(withCni({ backend: "vxlan" }))).toEqual([
      'cluster.cni.backend: backend is flannel\'s setting; this cluster\'s CNI is the bridge plugin (cluster.cni.type "bridge")',
    ]);
    expect(problems(withCni({ type: "flannel" }, { hairpinMode: false }))).toEqual([
      'cluster.workers.1.cni.hairpinMode: hairpinMode is a setting of the bridge plugin (cluster.cni.type "bridge"); flannel configures its own',
    ]);
    expect(problems(withCni({ type: "flannel", backend: "host-gw" }))[0]).toMatch(/^cluster\.cni\.backend: flannel's backend: "vxlan"/);
    // A worker cannot pick a plugin of its own: one cluster, one CNI.
    expect(problems(withCni({}, { type: "flannel" }))[0]).toMatch(/^cluster\.workers\.1\.cni\.type: unknown field/);
  });

  it("on flannel gives each worker flannel.1, cni0 and a route to every other node's lease, and the VPC router no pod routes", () => {
    const s = builtinScenario("flannel-pod-to-pod")!;
    const v = validateScenario(s);
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const c = buildCluster(v.scenario);
    const w0 = c.world.get("worker-0");
    const vtep = w0.requireIface("flannel.1");
    expect(vtep.kind).toBe("vxlan");
    if (vtep.kind !== "vxlan") return;
    expect([vtep.vni, vtep.port, vtep.mtu, vtep.learning]).toEqual([1, 8472, 1410, false]);
    expect(vtep.addrs.map((a) => `${a.prefix}`)).toEqual(["32"]);
    expect(w0.requireIface("cni0").mtu).toBe(1410);
    const onlink = w0.routes.filter((r) => r.dev === "flannel.1" && r.onlink);
    expect(onlink).toHaveLength(2);
    expect(vtep.fdb.size).toBe(2);
    expect(w0.permanentNeighbours.size).toBe(2);
    expect(c.world.get("vpc-router").routes.filter((r) => r.proto === "static")).toEqual([]);
    // The bridge plugin's cluster, for contrast, needs one VPC route per worker.
    const bridge = validateScenario(builtinScenario("today-pod-to-pod")!);
    if (!bridge.ok) throw new Error("today-pod-to-pod");
    expect(buildCluster(bridge.scenario).world.get("vpc-router").routes.filter((r) => r.proto === "static")).toHaveLength(3);
  });

  it("traces the same ping on flannel with the delivered TTL of two forwarding hops", () => {
    const r = runScenario(builtinScenario("flannel-pod-to-pod")!);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.trace.flows.map((f) => f.verdict)).toEqual(["delivered", "delivered"]);
    expect(r.trace.flows[0]!.steps.filter((x) => x.kind === "deliver").at(-1)?.packet.ttl).toBe(62);
  });
});
