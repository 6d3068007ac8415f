/**
 * The editor's structural edits of a scenario document, with the defaults a user expects: a new
 * worker gets the next name, host address and pod CIDR; a new service the next free ClusterIP
 * (and nodePort); a new Deployment a label its service can select. Each returns a new document
 * and leaves the one it was given alone; none checks the result (the worker's validation does,
 * and says what is wrong where).
 */
import { cidrContains, cidrOf, formatIpv4, parseCidr, parseIpv4, type Cidr } from "../addr/ipv4";
import { scenarioWorkers, listWorkerSeries, type ScenarioInput } from "./spec";

type Doc = ScenarioInput;
export type WorkerInput = Doc["cluster"]["workers"][number];
export type WorkloadInput = NonNullable<Doc["workloads"]>[number];
export type ServiceInput = NonNullable<Doc["services"]>[number];
export type TrafficInput = Doc["traffic"][number];

function tryCidr(text: string): Cidr | undefined {
  try {
    return parseCidr(text);
  } catch {
    return undefined;
  }
}

function tryIp(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseIpv4(text);
  } catch {
    return undefined;
  }
}

/** The first name `<prefix>-<n>` not taken. */
function nextName(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 0; ; n++) if (!used.has(`${prefix}-${n}`)) return `${prefix}-${n}`;
}

/** `wanted` when free, else `wanted-1`, `wanted-2`… */
function uniqueName(wanted: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(wanted)) return wanted;
  for (let n = 1; ; n++) if (!used.has(`${wanted}-${n}`)) return `${wanted}-${n}`;
}

/** The first address of `cidr`, from `start` on, that is not taken (nor the network or broadcast address). */
function freeAddress(cidr: Cidr | undefined, start: number, taken: ReadonlySet<number>): string | undefined {
  if (!cidr) return undefined;
  const size = 2 ** (32 - cidr.prefix);
  for (let i = start; i < size - 1; i++) {
    const ip = (cidr.net + i) >>> 0;
    if (!taken.has(ip)) return formatIpv4(ip);
  }
  return undefined;
}

function hostAddresses(d: Doc): Set<number> {
  const out = new Set<number>();
  for (const n of [...d.cluster.controllers, ...scenarioWorkers(d)]) {
    const ip = tryIp(n.ip);
    if (ip !== undefined) out.add(ip);
  }
  const gw = tryIp(d.cluster.gateway);
  if (gw !== undefined) out.add(gw);
  return out;
}

/** The next /24 of the pod network that no worker has (KTHW gives each worker a /24). */
function nextPodCidr(d: Doc): string | undefined {
  const pod = tryCidr(d.cluster.podNetwork);
  if (!pod || pod.prefix > 24) return undefined;
  const taken = scenarioWorkers(d).map((w) => tryCidr(w.podCidr)).filter((c): c is Cidr => c !== undefined);
  for (let i = 0; i < 2 ** (24 - pod.prefix); i++) {
    const addr = (pod.net + i * 256) >>> 0;
    const candidate = cidrOf(addr, 24);
    if (!taken.some((t) => cidrContains(t, addr) || cidrContains(candidate, t.net))) return `${formatIpv4(addr)}/24`;
  }
  return undefined;
}

/** A worker more: worker-N, the next host address from .20 on, the next /24 pod CIDR; a public IP when the others have one. */
export function addWorker(d: Doc): Doc {
  // A cluster whose workers end in a series: the series' next one.
  const series = d.cluster.workerSeries;
  if (series) return { ...d, cluster: { ...d.cluster, workerSeries: { ...series, count: series.count + 1 } } };
  const name = nextName("worker", [...d.cluster.workers, ...d.cluster.controllers].map((n) => n.name));
  const host = tryCidr(d.cluster.hostNetwork);
  const ip = freeAddress(host, 20, hostAddresses(d)) ?? "";
  const podCidr = nextPodCidr(d) ?? "";
  const publicIps = [...d.cluster.workers, ...d.cluster.controllers].map((n) => tryIp(n.publicIp)).filter((x): x is number => x !== undefined);
  const worker: WorkerInput = { name, ip, podCidr };
  if (publicIps.length > 0 || d.cluster.workers.length === 0) {
    const base = publicIps.length > 0 ? Math.max(...publicIps) + 1 : parseIpv4("198.51.100.20");
    worker.publicIp = formatIpv4(base >>> 0);
  }
  return { ...d, cluster: { ...d.cluster, workers: [...d.cluster.workers, worker] } };
}

/** Removes a worker, and what depends on it: pods placed on it, its VPC route, traffic from it. */
export function removeWorker(doc: Doc, name: string): Doc {
  // A worker of a series: the series is written out, then that worker goes.
  const d = doc.cluster.workers.some((x) => x.name === name) ? doc : listWorkerSeries(doc);
  const w = d.cluster.workers.find((x) => x.name === name);
  if (!w) return d;
  const workloads = (d.workloads ?? []).flatMap((wl): WorkloadInput[] => {
    if (wl.kind === "Pod") return wl.node === name ? [] : [wl];
    // Placements on the worker go, and the replicas they were; unplaced replicas the builder spreads anew.
    const pods = (wl.pods ?? []).filter((p) => p.node !== name);
    const dropped = (wl.pods ?? []).length - pods.length;
    return [dropped > 0 ? { ...wl, pods, replicas: Math.max(0, wl.replicas - dropped) } : wl];
  });
  const routes = d.cloud.podRoutes;
  const podRoutes = routes === undefined || routes === "auto" ? routes : routes.filter((r) => r.dst !== w.podCidr && r.via !== w.ip);
  const traffic = d.traffic.filter((t) => !("node" in t.from && t.from.node === name) && !("node" in t.to && t.to.node === name));
  return {
    ...d,
    cluster: { ...d.cluster, workers: d.cluster.workers.filter((x) => x !== w) },
    cloud: { ...d.cloud, ...(podRoutes !== undefined && { podRoutes }) },
    workloads,
    traffic,
  };
}

/** Sets how many controllers there are: controller-N from .10 on, each with a public IP. */
export function setControllers(d: Doc, count: number): Doc {
  const controllers = d.cluster.controllers.slice(0, Math.max(0, count));
  const host = tryCidr(d.cluster.hostNetwork);
  while (controllers.length < count) {
    const next = { ...d, cluster: { ...d.cluster, controllers } };
    const name = nextName("controller", [...controllers, ...scenarioWorkers(d)].map((n) => n.name));
    const ip = freeAddress(host, 10, hostAddresses(next));
    if (ip === undefined) break;
    const pub = tryIp("198.51.100.10")! + controllers.length;
    controllers.push({ name, ip, publicIp: formatIpv4(pub >>> 0) });
  }
  return { ...d, cluster: { ...d.cluster, controllers } };
}

/** A Deployment more: `app: <name>`, one nginx container serving http on 80, spread over the workers by the builder. */
export function addDeployment(d: Doc, name?: string, replicas = 1): Doc {
  const taken = (d.workloads ?? []).map((w) => w.name);
  const n = name ?? uniqueName("web", taken);
  const deployment: WorkloadInput = {
    kind: "Deployment",
    name: n,
    labels: { app: n },
    replicas,
    containers: [{ name: n, image: "nginx", ports: [{ name: "http", containerPort: 80, protocol: "TCP" }] }],
  };
  return { ...d, workloads: [...(d.workloads ?? []), deployment] };
}

/** The next free ClusterIP of the service network (from .10 up, as the article's kube-dns is .10), after .1 for kubernetes. */
export function freeClusterIP(d: Doc): string | undefined {
  const net = tryCidr(d.cluster.serviceNetwork);
  const taken = new Set((d.services ?? []).map((s) => tryIp(s.clusterIP)).filter((x): x is number => x !== undefined));
  if (net) taken.add((net.net + 1) >>> 0);
  return freeAddress(net, 10, taken);
}

/** The lowest nodePort from 30000 up that no service uses. */
export function freeNodePort(d: Doc): number {
  const used = new Set((d.services ?? []).flatMap((s) => s.ports.map((p) => p.nodePort)));
  for (let p = 30000; p <= 32767; p++) if (!used.has(p)) return p;
  return 32767;
}

/** A service more, selecting a workload's pods: port 80 to the pods' first port; a NodePort gets a free nodePort. */
export function addService(d: Doc, type: "ClusterIP" | "NodePort", selectWorkload?: string): Doc {
  const wl = (d.workloads ?? []).find((w) => w.name === selectWorkload) ?? (d.workloads ?? [])[0];
  const unique = uniqueName(wl ? wl.name : "svc", (d.services ?? []).map((s) => s.name));
  const target = wl?.containers[0]?.ports?.[0]?.containerPort ?? 80;
  const service: ServiceInput = {
    name: unique,
    ...(wl?.namespace && wl.namespace !== "default" && { namespace: wl.namespace }),
    type,
    clusterIP: freeClusterIP(d) ?? "",
    selector: wl ? { ...(wl.labels ?? {}) } : {},
    ports: [{ port: 80, targetPort: target, protocol: "TCP", ...(type === "NodePort" && { nodePort: freeNodePort(d) }) }],
  };
  return { ...d, services: [...(d.services ?? []), service] };
}

export function addTraffic(d: Doc, t: TrafficInput): Doc {
  return { ...d, traffic: [...d.traffic, t] };
}

/** Replaces the i-th element of a list field (workers, workloads, services, traffic); the rest is untouched. */
export function replaceAt<T>(list: readonly T[], i: number, item: T): T[] {
  return list.map((x, j) => (j === i ? item : x));
}

export function removeAt<T>(list: readonly T[], i: number): T[] {
  return list.filter((_, j) => j !== i);
}

/**
 * Moves one of the three networks to another block (the article says any RFC 1918 block
 * works): every address and CIDR of the document inside the old block moves with it, keeping
 * its offset (worker-1's pod CIDR 10.200.1.0/24 becomes 192.168.1.0/24). Addresses whose offset
 * does not fit a smaller new block stay as they are, for the validator to point out.
 */
export function renumber(d: Doc, field: "hostNetwork" | "podNetwork" | "serviceNetwork", to: string): Doc {
  const from = tryCidr(d.cluster[field]);
  const next = tryCidr(to);
  const moved = { ...d, cluster: { ...d.cluster, [field]: to } };
  if (!from || !next) return moved;
  const size = 2 ** (32 - next.prefix);
  const move = (ip: number): number | undefined => {
    if (!cidrContains(from, ip)) return undefined;
    const offset = (ip - from.net) >>> 0;
    return offset < size ? (next.net + offset) >>> 0 : undefined;
  };
  const walk = (x: unknown): unknown => {
    if (typeof x === "string") {
      const m = /^(\d{1,3}(?:\.\d{1,3}){3})(\/\d{1,2})?$/.exec(x);
      if (!m) return x;
      const ip = tryIp(m[1]);
      const to = ip === undefined ? undefined : move(ip);
      return to === undefined ? x : `${formatIpv4(to)}${m[2] ?? ""}`;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    return x;
  };
  const out = walk(moved) as Doc;
  return { ...out, cluster: { ...out.cluster, [field]: to } };
}
