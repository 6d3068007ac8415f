/**
 * Big clusters for tests and benchmarks, written the short way a person would write them: the
 * workers as a series (cluster.workerSeries) and Deployments whose replicas are spread over the
 * workers ("placement": "spread"), so a 100-worker, 3,000-pod scenario is a few kilobytes and
 * its share link stays under 8 KB.
 *
 * The cluster: controller-0 at 10.240.0.10 and workers worker-0 … worker-(N-1) from 10.240.0.20
 * on the host network 10.240.0.0/16, pod CIDRs 10.200.i.0/24 (the article's plan, carried on
 * past three workers), services in 10.32.0.0/16. Every worker runs exactly `podsPerWorker` pods:
 * a client pod (busybox) on worker-0 and a server pod (nginx, http on 8080) on worker-1, listed
 * first, and the Deployments' replicas spread over the rest. Service svc-k selects Deployment
 * app-(k mod D) and maps port 80 to its port 8080. The traffic: the client curls the server
 * (pod to pod, worker-0 to worker-1) and curls svc-0 (through a ClusterIP).
 */
import { formatIpv4, parseIpv4 } from "../addr/ipv4";
import { buildCluster } from "../k8s/build";
import { LIMITS, listWorkerSeries, validateScenario, type ScenarioInput } from "../k8s/spec";

export interface ScaleOptions {
  /** Workers, 2 to LIMITS.workers (the traffic goes from worker-0 to worker-1). */
  readonly workers: number;
  /** Pods on each worker, 1 or more (worker-0 and worker-1 count their client and server pod). */
  readonly podsPerWorker: number;
  /** Services, 1 or more; as many Deployments as services, at most one per pod to spread. */
  readonly services: number;
  /** Ports per service: 1 (http 80 → 8080, the default) or 2 (and alt 8080 → 8080). */
  readonly portsPerService?: 1 | 2;
  /** The nodes' kube-proxy (`cluster.kubeProxy`); absent, the article's 1.10 in iptables mode. */
  readonly kubeProxy?: { readonly mode: "iptables" | "nftables"; readonly version: string };
}

/** The client pod's and the server pod's names, for traffic a test adds. */
export const SCALE_CLIENT = "client";
export const SCALE_SERVER = "server";

export function scaleScenario({ workers, podsPerWorker, services, portsPerService = 1, kubeProxy }: ScaleOptions): ScenarioInput {
  if (!Number.isInteger(workers) || workers < 2 || workers > LIMITS.workers) throw new RangeError(`workers: 2 to ${LIMITS.workers}, not ${workers}`);
  if (!Number.isInteger(podsPerWorker) || podsPerWorker < 1) throw new RangeError(`podsPerWorker: 1 or more, not ${podsPerWorker}`);
  if (!Number.isInteger(services) || services < 1 || services > LIMITS.services) throw new RangeError(`services: 1 to ${LIMITS.services}, not ${services}`);
  const pods = workers * podsPerWorker;
  if (pods > LIMITS.pods) throw new RangeError(`${pods} pods; a scenario holds at most ${LIMITS.pods}`);
  const spread = pods - 2;
  const deployments = Math.max(1, Math.min(services, spread, LIMITS.workloads - 2));
  const container = (image: string, port?: number) => ({ name: image === "busybox" ? "busybox" : "app", image, ...(port !== undefined && { ports: [{ name: "http", containerPort: port }] }) });
  const workloads: NonNullable<ScenarioInput["workloads"]> = [
    { kind: "Pod", name: SCALE_CLIENT, labels: { app: SCALE_CLIENT }, containers: [container("busybox")], node: "worker-0" },
    { kind: "Pod", name: SCALE_SERVER, labels: { app: SCALE_SERVER }, containers: [container("nginx", 8080)], node: "worker-1" },
  ];
  for (let d = 0; d < deployments; d++) {
    const replicas = Math.floor(spread / deployments) + (d < spread % deployments ? 1 : 0);
    if (replicas > LIMITS.replicas) throw new RangeError(`${replicas} replicas in one Deployment; at most ${LIMITS.replicas} (ask for more services)`);
    workloads.push({ kind: "Deployment", name: `app-${d}`, labels: { app: `app-${d}` }, replicas, placement: "spread", containers: [container("nginx", 8080)] });
  }
  const firstService = parseIpv4("10.32.0.10");
  return {
    version: 1,
    id: `scale-${workers}x${podsPerWorker}`,
    title: `${workers} workers × ${podsPerWorker} pods, ${services} services`,
    cluster: {
      hostNetwork: "10.240.0.0/16",
      // A /24 for each worker: 256 of them fit in a /16, the most a cluster holds in a /15.
      podNetwork: workers <= 256 ? "10.200.0.0/16" : "10.200.0.0/15",
      serviceNetwork: "10.32.0.0/16",
      gateway: "10.240.0.1",
      controllers: [{ name: "controller-0", ip: "10.240.0.10" }],
      workers: [],
      workerSeries: { count: workers, firstName: "worker-0", firstIp: "10.240.0.20", firstPodCidr: "10.200.0.0/24" },
      ...(kubeProxy && { kubeProxy: { mode: kubeProxy.mode, version: kubeProxy.version } }),
    },
    cloud: { client: { ip: "203.0.113.10" } },
    workloads,
    services: Array.from({ length: services }, (_, k) => ({
      name: `svc-${k}`,
      clusterIP: formatIpv4(firstService + k),
      selector: { app: `app-${k % deployments}` },
      ports: portsPerService === 2 ? [{ name: "http", port: 80, targetPort: 8080 }, { name: "alt", port: 8080, targetPort: 8080 }] : [{ port: 80, targetPort: 8080 }],
    })),
    traffic: [
      { kind: "curl", from: { pod: SCALE_CLIENT }, to: { pod: SCALE_SERVER }, port: 8080 },
      { kind: "curl", from: { pod: SCALE_CLIENT }, to: { service: "svc-0" } },
    ],
  };
}

/**
 * The same scenario written the long way, as a scenario had to be before workerSeries and
 * "placement": "spread": every worker listed, every replica's node listed in its `pods`. It
 * builds the same pods, with the same names, on the same nodes (tests check it; the benchmark
 * prints both links' sizes).
 */
export function writtenOut(doc: ScenarioInput): ScenarioInput {
  const v = validateScenario(doc);
  if (!v.ok) throw new Error(`${v.issues[0]!.path}: ${v.issues[0]!.message}`);
  const pods = buildCluster(v.scenario).pods;
  let next = 0;
  const listed = listWorkerSeries(doc);
  const workloads = (listed.workloads ?? []).map((wl) => {
    if (wl.kind === "Pod") {
      next++;
      return wl;
    }
    const { placement: _placement, ...rest } = wl;
    const placed = Array.from({ length: wl.replicas }, (_, r) => ({ ...wl.pods?.[r], node: pods[next + r]!.node }));
    next += wl.replicas;
    return { ...rest, pods: placed };
  });
  return { ...listed, workloads };
}
