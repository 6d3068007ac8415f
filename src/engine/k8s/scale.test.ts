/**
 * Big scenarios written small: replicas spread over the workers ("placement": "spread") and
 * workers written as a series ("workerSeries"). Each builds exactly the cluster its long form
 * would, and a scenario without them means what it always meant.
 */
import { describe, expect, it } from "vitest";
import { articleScenario } from "../testing/article-scenario";
import { buildCluster } from "./build";
import { addWorker, removeWorker } from "./edit";
import { faultIsOn, setFault } from "./faults";
import { scenarioWorkers, listWorkerSeries, validateScenario, type Scenario, type ScenarioInput } from "./spec";

type Json = Record<string, unknown>;

function valid(input: unknown): Scenario {
  const r = validateScenario(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.scenario;
}

function problems(input: unknown): string[] {
  const r = validateScenario(input);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

/** How many pods each worker runs, in worker order. */
function podsPerWorker(s: Scenario): number[] {
  const c = buildCluster(s);
  return s.cluster.workers.map((w) => c.pods.filter((p) => p.node === w.name).length);
}

const deployment = (name: string, replicas: number, extra: Json = {}) => ({ kind: "Deployment" as const, name, labels: { app: name }, replicas, containers: [{ name: "c", image: "nginx" }], ...extra });

function cluster(workers: number, workloads: Json[], series = false): ScenarioInput {
  const list = Array.from({ length: workers }, (_, i) => ({ name: `worker-${i}`, ip: `10.240.1.${i + 1}`, podCidr: `10.200.${i}.0/24` }));
  return {
    version: 1,
    id: "scale",
    title: "scale",
    cluster: {
      hostNetwork: "10.240.0.0/16",
      podNetwork: "10.200.0.0/16",
      serviceNetwork: "10.32.0.0/24",
      gateway: "10.240.0.1",
      controllers: [],
      workers: series ? [] : list,
      ...(series && { workerSeries: { count: workers, firstName: "worker-0", firstIp: "10.240.1.1", firstPodCidr: "10.200.0.0/24" } }),
    },
    cloud: { client: { ip: "203.0.113.10" } },
    workloads: workloads as ScenarioInput["workloads"],
    traffic: [],
  };
}

describe("placement: round-robin, what a scenario without the field has always meant", () => {
  it("puts replica r of every workload on worker r mod the number of workers, from the first worker each time", () => {
    const s = valid(cluster(4, [deployment("a", 3), deployment("b", 3), deployment("c", 2)]));
    // a: 0 1 2, b: 0 1 2, c: 0 1: the first workers fill up, the last stays nearly empty.
    expect(podsPerWorker(s)).toEqual([3, 3, 2, 0]);
  });

  it("builds the same pods, on the same nodes, with the same names, with the field written out", () => {
    const plain = articleScenario("plain", { workloads: [deployment("web", 5), { ...deployment("rc", 4), kind: "ReplicationController" }] });
    const explicit = structuredClone(plain);
    for (const w of explicit.workloads ?? []) if (w.kind !== "Pod") (w as Json).placement = "round-robin";
    const pods = (s: ScenarioInput) => buildCluster(valid(s)).pods.map((p) => `${p.name}@${p.node}/${p.ip}`);
    expect(pods(explicit)).toEqual(pods(plain));
    // And where round-robin puts them: the article's 3 workers in turn.
    expect(buildCluster(valid(plain)).pods.filter((p) => p.name.startsWith("web-")).map((p) => p.node)).toEqual(["worker-0", "worker-1", "worker-2", "worker-0", "worker-1"]);
  });
});

describe("placement: spread", () => {
  it("balances many small workloads over all the workers", () => {
    const s = valid(cluster(4, [deployment("a", 3, { placement: "spread" }), deployment("b", 3, { placement: "spread" }), deployment("c", 2, { placement: "spread" })]));
    // a: 0 1 2, b: 3 then 0 1 (ties to the first listed), c: 2 3.
    expect(podsPerWorker(s)).toEqual([2, 2, 2, 2]);
    const c = buildCluster(s);
    expect(c.pods.filter((p) => p.name.startsWith("b-")).map((p) => p.node)).toEqual(["worker-3", "worker-0", "worker-1"]);
  });

  it("counts the pods already there: bare pods and listed placements", () => {
    const s = valid(
      cluster(3, [
        { kind: "Pod", name: "lonely", containers: [{ name: "c", image: "busybox" }], node: "worker-0" },
        deployment("pinned", 2, { pods: [{ node: "worker-1" }, { node: "worker-1" }] }),
        deployment("spread", 4, { placement: "spread", pods: [{ node: "worker-0" }] }),
      ]),
    );
    // Before "spread": 1, 2, 0. Its first replica is placed on worker-0 (2, 2, 0); then worker-2,
    // worker-2 (2, 2, 2), then worker-0, the first of equals.
    const c = buildCluster(s);
    expect(c.pods.filter((p) => p.name.startsWith("spread-")).map((p) => p.node)).toEqual(["worker-0", "worker-2", "worker-2", "worker-0"]);
  });

  it("puts 30 pods on each of 100 workers from 100 Deployments of 30 replicas", () => {
    const s = valid(cluster(100, Array.from({ length: 100 }, (_, i) => deployment(`app${i}`, 30, { placement: "spread" })), true));
    expect(new Set(podsPerWorker(s))).toEqual(new Set([30]));
  });

  it("refuses another placement, naming the path, and the field on a bare pod", () => {
    expect(problems(cluster(2, [deployment("a", 2, { placement: "balanced" })]))).toEqual(['workloads.0.placement: one of "round-robin" or "spread"']);
    const pod = { kind: "Pod", name: "p", containers: [{ name: "c", image: "busybox" }], node: "worker-0", placement: "spread" };
    expect(problems(cluster(2, [pod]))).toEqual(['workloads.0.placement: unknown field "placement": the scenario format has no such field here']);
  });
});

describe("workerSeries", () => {
  it("builds exactly the cluster the listed workers would", () => {
    const workloads = [deployment("a", 7, { placement: "spread" }), deployment("b", 5)];
    const listed = valid(cluster(5, workloads));
    const series = valid(cluster(5, workloads, true));
    expect(series.cluster.workers).toEqual(listed.cluster.workers);
    expect("workerSeries" in series.cluster).toBe(false);
    const a = buildCluster(listed);
    const b = buildCluster(series);
    expect(b.nodes).toEqual(a.nodes);
    expect(b.pods.map((p) => `${p.name}@${p.node}/${p.ip}/${p.netns}`)).toEqual(a.pods.map((p) => `${p.name}@${p.node}/${p.ip}/${p.netns}`));
  });

  it("follows the listed workers, counting names, addresses, public addresses and pod CIDRs up", () => {
    const s = articleScenario("more", {});
    s.cluster.workerSeries = { count: 3, firstName: "worker-3", firstIp: "10.240.0.23", firstPublicIp: "198.51.100.33", firstPodCidr: "10.200.3.0/24" };
    expect(valid(s).cluster.workers.slice(2).map((w) => `${w.name} ${w.ip} ${w.publicIp} ${w.podCidr}`)).toEqual([
      "worker-2 10.240.0.22 198.51.100.22 10.200.2.0/24",
      "worker-3 10.240.0.23 198.51.100.33 10.200.3.0/24",
      "worker-4 10.240.0.24 198.51.100.34 10.200.4.0/24",
      "worker-5 10.240.0.25 198.51.100.35 10.200.5.0/24",
    ]);
  });

  it("keeps the first name's digits, zero-padded, and counts /26 blocks", () => {
    const s = cluster(1, [], true);
    s.cluster.workerSeries = { count: 11, firstName: "node-01", firstIp: "10.240.2.250", firstPodCidr: "10.200.0.192/26" };
    const w = valid(s).cluster.workers;
    expect([w[0], w[1], w[10]].map((x) => `${x!.name} ${x!.ip} ${x!.podCidr}`)).toEqual(["node-01 10.240.2.250 10.200.0.192/26", "node-02 10.240.2.251 10.200.1.0/26", "node-11 10.240.3.4 10.200.3.64/26"]);
  });

  it("names the series' field and the worker for a problem with one of its workers", () => {
    const s = articleScenario("clash", {});
    s.cluster.workerSeries = { count: 3, firstName: "worker-2", firstIp: "10.240.0.30", firstPodCidr: "10.200.10.0/24" };
    expect(problems(s)).toEqual(["cluster.workerSeries.firstName: worker-2, worker 0 of the series: node name worker-2 is used twice"]);
    s.cluster.workerSeries = { count: 300, firstName: "worker-3", firstIp: "10.240.0.30", firstPodCidr: "10.200.10.0/24" };
    // The first worker of the series with each problem, once: every later one has it too.
    expect(problems(s)).toEqual([
      "cluster.workerSeries.firstIp: worker-228, worker 225 of the series: 10.240.0.255 is the host network's broadcast address",
      "cluster.workerSeries.firstPodCidr: worker-249, worker 246 of the series: 10.201.0.0/24 is not inside the pod network 10.200.0.0/16",
    ]);
    s.cluster.workerSeries = { count: 3, firstName: "worker-3", firstIp: "10.240.0.21", firstPodCidr: "10.200.10.0/24" };
    expect(problems(s)).toEqual(["cluster.workerSeries.firstIp: worker-3, worker 0 of the series: 10.240.0.21 is already worker-1"]);
  });

  it("refuses a bad series up front, naming the field", () => {
    const s = cluster(1, [], true) as ScenarioInput & { cluster: Json };
    const series = (x: Json) => ({ ...s, cluster: { ...s.cluster, workerSeries: { count: 3, firstName: "worker-0", firstIp: "10.240.1.1", firstPodCidr: "10.200.0.0/24", ...x } } });
    expect(problems(series({ firstName: "worker" }))).toEqual(["cluster.workerSeries.firstName: a name ending in a number of 1 to 6 digits, like worker-0: the series counts up from it"]);
    expect(problems(series({ count: 0 }))).toEqual(["cluster.workerSeries.count: Invalid value: Expected >=1 but received 0"]);
    expect(problems(series({ count: 501 }))).toEqual(["cluster.workerSeries.count: at most 500 workers"]);
    expect(problems(series({ firstIp: "10.240.1" }))).toEqual(["cluster.workerSeries.firstIp: an IPv4 address like 10.240.0.20"]);
    expect(problems(series({ firstPodCidr: "10.200.0.1/24" }))).toEqual(["cluster.workerSeries.firstPodCidr: host bits set: the network is 10.200.0.0/24"]);
    expect(problems(series({ nodes: 3 }))).toEqual(['cluster.workerSeries.nodes: unknown field "nodes": the scenario format has no such field here']);
    expect(problems(series({ firstIp: "255.255.255.254" }))).toEqual(["cluster.workerSeries.count: 3 addresses from 255.255.255.254 run past 255.255.255.255"]);
    expect(problems(series({ firstName: `${"a".repeat(61)}-9`, count: 2 }))).toEqual([`cluster.workerSeries.count: the series' last name, ${"a".repeat(61)}-10, is over 63 characters`]);
  });

  it("keeps the budget of workers, listed and in the series together", () => {
    const s = cluster(200, [], false);
    s.cluster.workerSeries = { count: 301, firstName: "node-0", firstIp: "10.240.3.0", firstPodCidr: "10.200.200.0/26" };
    expect(problems(s)).toEqual(["cluster.workerSeries.count: 200 listed workers and 301 in the series; a cluster holds at most 500"]);
  });

  it("still wants at least one worker", () => {
    expect(problems(cluster(0, []))).toEqual(["cluster.workers: at least one worker (listed here, or as a cluster.workerSeries)"]);
  });

  it("lists the series' workers for the editor, and writes them out on demand", () => {
    const s = cluster(3, [], true);
    expect(scenarioWorkers(s).map((w) => w.name)).toEqual(["worker-0", "worker-1", "worker-2"]);
    const listed = listWorkerSeries(s);
    expect(listed.cluster.workerSeries).toBeUndefined();
    expect(listed.cluster.workers).toEqual(cluster(3, []).cluster.workers);
    // A series that cannot be expanded adds no worker.
    expect(scenarioWorkers({ ...s, cluster: { ...s.cluster, workerSeries: { ...s.cluster.workerSeries!, firstName: "x" } } })).toEqual([]);
  });
});

describe("the editor's edits of a scenario with a worker series", () => {
  it("adds the series' next worker, and removes one of its workers by writing the series out", () => {
    const s = cluster(3, [], true);
    expect(addWorker(s).cluster.workerSeries?.count).toBe(4);
    const removed = removeWorker(s, "worker-1");
    expect(removed.cluster.workerSeries).toBeUndefined();
    expect(removed.cluster.workers.map((w) => w.name)).toEqual(["worker-0", "worker-2"]);
  });

  it("sets a fault on a worker of the series, and sees the series' VPC routes", () => {
    const s = cluster(3, [], true);
    expect(faultIsOn(s, { kind: "vpc-route-missing", worker: "worker-2" })).toBe(false);
    const off = setFault(s, { kind: "ip-forward-off", worker: "worker-2" }, true);
    expect(faultIsOn(off, { kind: "ip-forward-off", worker: "worker-2" })).toBe(true);
    expect(valid(off).cluster.workers.map((w) => w.sysctl?.["net.ipv4.ip_forward"])).toEqual([undefined, undefined, 0]);
    const noRoute = setFault(s, { kind: "vpc-route-missing", worker: "worker-1" }, true);
    expect(noRoute.cloud.podRoutes).toEqual([
      { dst: "10.200.0.0/24", via: "10.240.1.1" },
      { dst: "10.200.2.0/24", via: "10.240.1.3" },
    ]);
    expect(valid(noRoute).cluster.workers).toHaveLength(3);
  });
});
