import { describe, expect, it } from "vitest";
import { runScenario } from "../k8s/run";
import { buildCluster } from "../k8s/build";
import { validateScenario, type ScenarioInput } from "../k8s/spec";
import { SCALE_CLIENT, SCALE_SERVER, scaleScenario, writtenOut } from "./generate";

describe("scaleScenario", () => {
  it.each([
    [3, 2, 3],
    [20, 30, 100],
  ])("builds %i workers with %i pods on each and %i services, and traces its two flows", (workers, podsPerWorker, services) => {
    const r = runScenario(scaleScenario({ workers, podsPerWorker, services }));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const nodes = r.cluster.nodes.filter((n) => n.role === "worker").map((n) => n.name);
    expect(nodes).toEqual(Array.from({ length: workers }, (_, i) => `worker-${i}`));
    expect(nodes.map((n) => r.cluster.pods.filter((p) => p.node === n).length)).toEqual(nodes.map(() => podsPerWorker));
    // The scenario's own services and kubernetes.
    expect(r.cluster.services).toHaveLength(services + 1);
    expect(r.cluster.pods.find((p) => p.name === SCALE_CLIENT)?.node).toBe("worker-0");
    expect(r.cluster.pods.find((p) => p.name === SCALE_SERVER)?.node).toBe("worker-1");
    // Each curl is a handshake (request, reply, ack); both requests reach a pod.
    const requests = r.trace.flows.filter((f) => f.name === "request");
    expect(requests.map((f) => `${f.verdict} ${f.steps.at(-1)!.pod}`)).toEqual([`delivered ${SCALE_SERVER}`, expect.stringMatching(/^delivered app-0-/)]);
    expect(requests[1]!.origin).toBe("curl from client to service default/svc-0 (10.32.0.10:80/TCP)");
  });

  it("gives worker-k the k-th address and /24 from the article's plan", () => {
    const r = runScenario(scaleScenario({ workers: 300, podsPerWorker: 1, services: 1 }));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const w = r.cluster.nodes.filter((n) => n.role === "worker");
    expect([w[0], w[1], w[299]].map((n) => `${n!.name} ${n!.ip} ${n!.podCidr}`)).toEqual(["worker-0 10.240.0.20 10.200.0.0/24", "worker-1 10.240.0.21 10.200.1.0/24", "worker-299 10.240.1.63 10.201.43.0/24"]);
  });

  it("writes the same cluster out the long way: every worker and every replica's node listed", () => {
    const short = scaleScenario({ workers: 20, podsPerWorker: 30, services: 100 });
    const long = writtenOut(short);
    expect(long.cluster.workerSeries).toBeUndefined();
    expect(long.cluster.workers).toHaveLength(20);
    expect(long.workloads!.every((w) => w.kind === "Pod" || (w.pods?.length === w.replicas && w.placement === undefined))).toBe(true);
    const pods = (d: ScenarioInput) => {
      const v = validateScenario(d);
      if (!v.ok) throw new Error(JSON.stringify(v.issues));
      return buildCluster(v.scenario).pods.map((p) => `${p.name}@${p.node}/${p.ip}`);
    };
    expect(pods(long)).toEqual(pods(short));
    expect(JSON.stringify(long).length).toBeGreaterThan(JSON.stringify(short).length + 600 * 10);
  });

  it("refuses sizes a scenario cannot hold", () => {
    expect(() => scaleScenario({ workers: 1, podsPerWorker: 2, services: 1 })).toThrow("workers: 2 to 500, not 1");
    expect(() => scaleScenario({ workers: 500, podsPerWorker: 41, services: 100 })).toThrow("20500 pods; a scenario holds at most 20000");
  });
});
