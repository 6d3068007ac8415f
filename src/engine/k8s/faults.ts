/**
 * The what-if faults, as edits of a scenario: each is a field of the scenario format
 * (so a link, a file, the lab export and the kernel tests all carry it), and this module only
 * knows how to switch one on or off and whether it is on. The editor's toggles and the tests
 * both go through here; what a fault does to packets is the engine's business, not this file's.
 */
import type { NarrationLang } from "../narrate";
import { FAULT_TEXT_RU } from "./faults-ru";
import { scenarioWorkers, listWorkerSeries, type CniType, type ScenarioInput } from "./spec";

type Workers = ScenarioInput["cluster"]["workers"];
type WorkerInput = Workers[number];
type ServiceInput = NonNullable<ScenarioInput["services"]>[number];

/** One fault, with what it applies to. Workers and services are named, not numbered, so an edit elsewhere does not move it. */
export type Fault =
  | { readonly kind: "vpc-route-missing"; readonly worker: string }
  | { readonly kind: "vpc-route-wrong-worker"; readonly worker: string; readonly via: string }
  | { readonly kind: "ipmasq-off"; readonly worker: string }
  | { readonly kind: "ip-forward-off"; readonly worker: string }
  | { readonly kind: "bridge-nf-off"; readonly worker: string }
  | { readonly kind: "hairpin-off"; readonly worker: string }
  | { readonly kind: "kube-proxy-stopped"; readonly worker: string; readonly service: string }
  | { readonly kind: "no-endpoints"; readonly service: string }
  | { readonly kind: "stale-endpoint"; readonly service: string; readonly ip: string; readonly port: number };

export type FaultKind = Fault["kind"];

/** What each fault is, in the words the editor shows. */
export const FAULT_KINDS: readonly { readonly kind: FaultKind; readonly label: string; readonly about: string }[] = [
  { kind: "vpc-route-missing", label: "VPC route missing", about: "The cloud router has no route to this worker's pod CIDR." },
  { kind: "vpc-route-wrong-worker", label: "VPC route to the wrong worker", about: "The cloud router sends this worker's pod CIDR to another worker." },
  { kind: "ipmasq-off", label: "ipMasq off", about: "The bridge plugin on this node does not masquerade pod traffic leaving the pod network." },
  { kind: "ip-forward-off", label: "net.ipv4.ip_forward=0", about: "This node does not forward packets between its interfaces." },
  { kind: "bridge-nf-off", label: "net.bridge.bridge-nf-call-iptables=0", about: "iptables does not see packets bridged on this node's cnio0." },
  { kind: "hairpin-off", label: "hairpin mode off", about: "This node's bridge will not send a frame back out of the port it came in by (KTHW's default)." },
  { kind: "kube-proxy-stopped", label: "kube-proxy stopped", about: "kube-proxy on this node stopped before the service was created: its rules are missing here." },
  { kind: "no-endpoints", label: "selector matches no pod", about: "The service's selector matches no pod, so it has no endpoints." },
  { kind: "stale-endpoint", label: "stale endpoint", about: "An endpoint whose pod is gone, but whose rules remain." },
];

/**
 * The CNI plugins a fault means something on: ipMasq and hairpin mode are the bridge plugin's
 * settings (flannel's and Calico's configs have no such keys: the validator rejects them), the
 * VPC's pod routes are what the bridge plugin's routed pods need (flannel's overlay carries pod
 * packets between nodes inside UDP; Calico routes them node to node itself), and
 * bridge-nf-call-iptables only matters where pods hang on a bridge (the bridge plugin's cnio0,
 * flannel's cni0; Calico's pods have point-to-point veths). The others apply on every plugin.
 */
const FAULT_CNIS: Partial<Readonly<Record<FaultKind, readonly CniType[]>>> = {
  "vpc-route-missing": ["bridge"],
  "vpc-route-wrong-worker": ["bridge"],
  "ipmasq-off": ["bridge"],
  "hairpin-off": ["bridge"],
  "bridge-nf-off": ["bridge", "flannel"],
};

/** Whether a fault of this kind makes sense on a cluster whose CNI is `cni` (`cluster.cni.type`, "bridge" when absent). */
export function faultAppliesTo(kind: FaultKind, cni: CniType = "bridge"): boolean {
  return FAULT_CNIS[kind]?.includes(cni) ?? true;
}

/** The faults' labels and explanations in `lang` (Russian from faults-ru.ts; English: FAULT_KINDS). */
export function faultKinds(lang?: NarrationLang): readonly { readonly kind: FaultKind; readonly label: string; readonly about: string }[] {
  return lang === "ru" ? FAULT_KINDS.map((k) => ({ kind: k.kind, ...FAULT_TEXT_RU[k.kind] })) : FAULT_KINDS;
}

/** The selector a service gets when "no-endpoints" is on: a label no pod carries. */
const NOBODY: Readonly<Record<string, string>> = { "hopscope-no-pod": "true" };

function worker(s: ScenarioInput, name: string): WorkerInput {
  // A worker of a series (cluster.workerSeries) too: the scenario's workers as the cluster has them.
  const w = scenarioWorkers(s).find((x) => x.name === name);
  if (!w) throw new Error(`no worker ${name}`);
  return w;
}

function service(s: ScenarioInput, key: string): ServiceInput {
  const [ns, name] = key.includes("/") ? key.split("/", 2) : ["default", key];
  const svc = (s.services ?? []).find((x) => x.name === name && (x.namespace ?? "default") === ns);
  if (!svc) throw new Error(`no service ${key}`);
  return svc;
}

function withWorker(doc: ScenarioInput, name: string, change: (w: WorkerInput) => WorkerInput): ScenarioInput {
  worker(doc, name);
  // A fault on a worker of a series is a field of that worker: the series is written out first.
  const s = doc.cluster.workers.some((w) => w.name === name) ? doc : listWorkerSeries(doc);
  return { ...s, cluster: { ...s.cluster, workers: s.cluster.workers.map((w) => (w.name === name ? change(w) : w)) } };
}

function withService(s: ScenarioInput, key: string, change: (svc: ServiceInput) => ServiceInput): ScenarioInput {
  const target = service(s, key);
  return { ...s, services: (s.services ?? []).map((x) => (x === target ? change(x) : x)) };
}

/** The VPC's pod routes as a list (the "auto" default written out). */
function podRoutes(s: ScenarioInput): { dst: string; via: string }[] {
  const r = s.cloud.podRoutes;
  return r === undefined || r === "auto" ? scenarioWorkers(s).map((w) => ({ dst: w.podCidr, via: w.ip })) : r.map((x) => ({ ...x }));
}

/** Routes back to "auto" when they are what "auto" gives. */
function setPodRoutes(s: ScenarioInput, routes: { dst: string; via: string }[]): ScenarioInput {
  const auto = scenarioWorkers(s).map((w) => ({ dst: w.podCidr, via: w.ip }));
  const same = routes.length === auto.length && routes.every((r, i) => r.dst === auto[i]!.dst && r.via === auto[i]!.via);
  return { ...s, cloud: { ...s.cloud, podRoutes: same ? "auto" : routes } };
}

function withSysctl(w: WorkerInput, key: "net.ipv4.ip_forward" | "net.bridge.bridge-nf-call-iptables", value: 0 | 1): WorkerInput {
  const sysctl = { ...w.sysctl, [key]: value };
  if (value === 1) delete sysctl[key];
  const { sysctl: _old, ...rest } = w;
  return Object.keys(sysctl).length > 0 ? { ...rest, sysctl } : rest;
}

/** A node's CNI override, left out when it says what the cluster's config says. */
function withCni(s: ScenarioInput, w: WorkerInput, key: "ipMasq" | "hairpinMode", value: boolean): WorkerInput {
  const clusterValue = s.cluster.cni?.[key] ?? (key === "ipMasq");
  const cni = { ...w.cni, [key]: value };
  if (value === clusterValue) delete cni[key];
  const { cni: _old, ...rest } = w;
  return Object.keys(cni).length > 0 ? { ...rest, cni } : rest;
}

/** Whether the fault is on in this scenario. */
export function faultIsOn(s: ScenarioInput, f: Fault): boolean {
  switch (f.kind) {
    case "vpc-route-missing": {
      const w = worker(s, f.worker);
      return !podRoutes(s).some((r) => r.dst === w.podCidr);
    }
    case "vpc-route-wrong-worker": {
      const w = worker(s, f.worker);
      const via = worker(s, f.via).ip;
      return podRoutes(s).some((r) => r.dst === w.podCidr && r.via === via);
    }
    case "ipmasq-off":
      return (worker(s, f.worker).cni?.ipMasq ?? s.cluster.cni?.ipMasq ?? true) === false;
    case "hairpin-off":
      return (worker(s, f.worker).cni?.hairpinMode ?? s.cluster.cni?.hairpinMode ?? false) === false;
    case "ip-forward-off":
      return worker(s, f.worker).sysctl?.["net.ipv4.ip_forward"] === 0;
    case "bridge-nf-off":
      return worker(s, f.worker).sysctl?.["net.bridge.bridge-nf-call-iptables"] === 0;
    case "kube-proxy-stopped": {
      const svc = service(s, f.service);
      return (worker(s, f.worker).kubeProxy?.stoppedBefore ?? []).includes(`${svc.namespace ?? "default"}/${svc.name}`);
    }
    case "no-endpoints":
      return JSON.stringify(service(s, f.service).selector) === JSON.stringify(NOBODY);
    case "stale-endpoint":
      return (service(s, f.service).staleEndpoints ?? []).some((e) => e.ip === f.ip && e.port === f.port);
  }
}

/**
 * The scenario with the fault switched on or off. Switching "no-endpoints" off cannot know the
 * selector it replaced; the editor keeps that in its undo history, and this gives the service
 * a selector on its own name (app: <name>), the usual convention.
 */
export function setFault(s: ScenarioInput, f: Fault, on: boolean): ScenarioInput {
  switch (f.kind) {
    case "vpc-route-missing": {
      const w = worker(s, f.worker);
      const rest = podRoutes(s).filter((r) => r.dst !== w.podCidr);
      return setPodRoutes(s, on ? rest : [...rest, { dst: w.podCidr, via: w.ip }].sort((a, b) => order(s, a.dst) - order(s, b.dst)));
    }
    case "vpc-route-wrong-worker": {
      const w = worker(s, f.worker);
      const via = on ? worker(s, f.via).ip : w.ip;
      const routes = podRoutes(s);
      const i = routes.findIndex((r) => r.dst === w.podCidr);
      if (i < 0) routes.push({ dst: w.podCidr, via });
      else routes[i] = { dst: w.podCidr, via };
      return setPodRoutes(s, routes);
    }
    case "ipmasq-off":
      return withWorker(s, f.worker, (w) => withCni(s, w, "ipMasq", !on));
    case "hairpin-off":
      return withWorker(s, f.worker, (w) => withCni(s, w, "hairpinMode", !on));
    case "ip-forward-off":
      return withWorker(s, f.worker, (w) => withSysctl(w, "net.ipv4.ip_forward", on ? 0 : 1));
    case "bridge-nf-off":
      return withWorker(s, f.worker, (w) => withSysctl(w, "net.bridge.bridge-nf-call-iptables", on ? 0 : 1));
    case "kube-proxy-stopped": {
      const svc = service(s, f.service);
      const key = `${svc.namespace ?? "default"}/${svc.name}`;
      return withWorker(s, f.worker, (w) => {
        const list = (w.kubeProxy?.stoppedBefore ?? []).filter((k) => k !== key);
        if (on) list.push(key);
        const { kubeProxy: _old, ...rest } = w;
        return list.length > 0 ? { ...rest, kubeProxy: { stoppedBefore: list } } : rest;
      });
    }
    case "no-endpoints":
      return withService(s, f.service, (svc) => ({ ...svc, selector: on ? { ...NOBODY } : { app: svc.name } }));
    case "stale-endpoint":
      return withService(s, f.service, (svc) => {
        const list = (svc.staleEndpoints ?? []).filter((e) => !(e.ip === f.ip && e.port === f.port));
        if (on) list.push({ ip: f.ip, port: f.port });
        const { staleEndpoints: _old, ...rest } = svc;
        return list.length > 0 ? { ...rest, staleEndpoints: list } : rest;
      });
  }
}

/** A route's place: its worker's place in the list, so a restored route goes back where it was. */
function order(s: ScenarioInput, dst: string): number {
  const i = scenarioWorkers(s).findIndex((w) => w.podCidr === dst);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

/** Every fault that could be set on a scenario: each kind on each worker (and service, and other worker). */
function candidates(a: ScenarioInput, b: ScenarioInput): Fault[] {
  const workers = [...new Set([...scenarioWorkers(a), ...scenarioWorkers(b)].map((w) => w.name))];
  const services = [...new Set([...(a.services ?? []), ...(b.services ?? [])].map((s) => `${s.namespace ?? "default"}/${s.name}`))];
  const out: Fault[] = [];
  for (const w of workers) {
    for (const kind of ["vpc-route-missing", "ipmasq-off", "ip-forward-off", "bridge-nf-off", "hairpin-off"] as const) out.push({ kind, worker: w });
    for (const via of workers) if (via !== w) out.push({ kind: "vpc-route-wrong-worker", worker: w, via });
    for (const service of services) out.push({ kind: "kube-proxy-stopped", worker: w, service });
  }
  for (const service of services) out.push({ kind: "no-endpoints", service });
  return out;
}

function isOnSafely(s: ScenarioInput, f: Fault): boolean | undefined {
  try {
    return faultIsOn(s, f);
  } catch {
    return undefined;
  }
}

/**
 * When two scenarios differ by one fault and nothing else a fault toggle changes, that fault and
 * which side has it: Compare then names the sides by it ("ipMasq off on worker-0" / "without it").
 */
export function faultDifference(a: ScenarioInput, b: ScenarioInput): { readonly fault: Fault; readonly on: "a" | "b" } | undefined {
  const differing = candidates(a, b).filter((f) => {
    const x = isOnSafely(a, f);
    const y = isOnSafely(b, f);
    return x !== undefined && y !== undefined && x !== y;
  });
  if (differing.length !== 1) return undefined;
  const fault = differing[0]!;
  return { fault, on: faultIsOn(a, fault) ? "a" : "b" };
}

/** A fault in a few words: "ipMasq off on worker-0", "stale endpoint for default/web". */
export function faultName(f: Fault): string {
  const label = FAULT_KINDS.find((k) => k.kind === f.kind)!.label;
  switch (f.kind) {
    case "vpc-route-wrong-worker":
      return `VPC route for ${f.worker} sent to ${f.via}`;
    case "kube-proxy-stopped":
      return `kube-proxy stopped on ${f.worker} (${f.service})`;
    case "no-endpoints":
    case "stale-endpoint":
      return `${label} for ${f.service}`;
    default:
      return `${label} on ${f.worker}`;
  }
}
