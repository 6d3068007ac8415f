/**
 * The scenario: a versioned JSON document that says everything needed to build a cluster and
 * the traffic to trace through it. It is what a share URL carries and what `cli trace file.json`
 * reads. Validated with valibot; every error names the field's path and what was expected.
 */
import * as v from "valibot";
import { isIpv4, parseCidr } from "../addr/ipv4";

export const SCENARIO_VERSION = 1;

const ipv4 = v.pipe(
  v.string(),
  v.check((s) => isIpv4(s), "an IPv4 address like 10.240.0.20"),
);
const cidr = v.pipe(
  v.string(),
  v.check((s) => {
    try {
      return s.includes("/") && parseCidr(s).prefix >= 0;
    } catch {
      return false;
    }
  }, "a CIDR prefix like 10.200.0.0/16"),
);
const dnsName = v.pipe(v.string(), v.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a lower-case DNS label (a-z, 0-9, -)"), v.maxLength(63));
const labels = v.record(v.pipe(v.string(), v.maxLength(63)), v.pipe(v.string(), v.maxLength(63)));
const protocol = v.picklist(["TCP", "UDP"]);
const port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));

const Node = v.strictObject({
  name: dnsName,
  ip: ipv4,
  publicIp: v.optional(ipv4),
});

const CniConfig = v.strictObject({
  /** The network's name, part of every CNI chain name ("bridge" in KTHW). */
  name: v.optional(v.string(), "bridge"),
  bridge: v.optional(v.pipe(v.string(), v.maxLength(15)), "cnio0"),
  isGateway: v.optional(v.boolean(), true),
  ipMasq: v.optional(v.boolean(), true),
  hairpinMode: v.optional(v.boolean(), false),
});

const Worker = v.strictObject({
  name: dnsName,
  ip: ipv4,
  publicIp: v.optional(ipv4),
  podCidr: cidr,
  /** Overrides of the cluster's CNI config for this node. */
  cni: v.optional(v.partial(CniConfig)),
});

const ContainerPort = v.strictObject({
  name: v.optional(dnsName),
  containerPort: port,
  protocol: v.optional(protocol, "TCP"),
});

const Container = v.strictObject({
  name: dnsName,
  image: v.string(),
  ports: v.optional(v.array(ContainerPort), []),
});

const Placement = v.strictObject({
  node: dnsName,
  /** A fixed pod IP (the article's pods); otherwise host-local hands out the next free one. */
  ip: v.optional(ipv4),
  /** A fixed pod name (the article's); otherwise generated the way the controller names pods. */
  name: v.optional(dnsName),
  /** The pod sandbox's (pause container's) ID: 64 hex digits; derived from the name when absent. */
  sandboxId: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits"))),
});

const Workload = v.variant("kind", [
  v.strictObject({
    kind: v.literal("Pod"),
    name: dnsName,
    namespace: v.optional(dnsName, "default"),
    labels: v.optional(labels, {}),
    containers: v.pipe(v.array(Container), v.minLength(1)),
    node: dnsName,
    ip: v.optional(ipv4),
    sandboxId: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits"))),
  }),
  v.strictObject({
    kind: v.picklist(["Deployment", "ReplicationController"]),
    name: dnsName,
    namespace: v.optional(dnsName, "default"),
    labels: v.optional(labels, {}),
    containers: v.pipe(v.array(Container), v.minLength(1)),
    replicas: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)),
    /** Deployment only: the pod-template-hash label (kube 1.10 prints it in decimal). */
    podTemplateHash: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff))),
    pods: v.optional(v.array(Placement), []),
  }),
]);

const ServicePort = v.strictObject({
  name: v.optional(v.union([dnsName, v.literal("")]), ""),
  protocol: v.optional(protocol, "TCP"),
  port,
  /** A number, or the name of a container port. */
  targetPort: v.optional(v.union([port, dnsName])),
  nodePort: v.optional(v.pipe(port, v.minValue(30000), v.maxValue(32767))),
});

const Service = v.strictObject({
  name: dnsName,
  namespace: v.optional(dnsName, "default"),
  type: v.optional(v.picklist(["ClusterIP", "NodePort"]), "ClusterIP"),
  clusterIP: ipv4,
  /** The Service object's own labels (kubectl describe shows them); not its selector. */
  labels: v.optional(labels, {}),
  selector: v.optional(labels, {}),
  ports: v.pipe(v.array(ServicePort), v.minLength(1)),
  externalTrafficPolicy: v.optional(v.picklist(["Cluster", "Local"]), "Cluster"),
  sessionAffinity: v.optional(v.picklist(["None", "ClientIP"]), "None"),
});

const Endpoint = v.union([
  v.strictObject({ pod: dnsName }),
  v.strictObject({ node: dnsName }),
  v.strictObject({ client: v.literal(true) }),
]);

const Target = v.union([
  v.strictObject({ ip: ipv4 }),
  v.strictObject({ pod: dnsName }),
  v.strictObject({ node: dnsName, public: v.optional(v.boolean(), false) }),
  v.strictObject({ service: dnsName, namespace: v.optional(dnsName, "default"), port: v.optional(v.union([dnsName, port])) }),
  v.strictObject({ client: v.literal(true) }),
]);

const Traffic = v.strictObject({
  /** ping (ICMP echo), dig (a DNS query over UDP or TCP), curl (a TCP handshake). */
  kind: v.picklist(["ping", "dig", "curl"]),
  from: Endpoint,
  to: Target,
  protocol: v.optional(protocol),
  port: v.optional(port),
  /** The client's source port (or ICMP echo id for ping); chosen by the seeded generator when absent. */
  sport: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535))),
});

export const ScenarioSchema = v.strictObject({
  version: v.literal(SCENARIO_VERSION),
  id: v.pipe(v.string(), v.regex(/^[a-z0-9][-a-z0-9]*$/, "lower-case letters, digits and dashes")),
  title: v.pipe(v.string(), v.minLength(1), v.maxLength(120)),
  description: v.optional(v.string(), ""),
  /** Seeds -m statistic and NAT port choice, so the same scenario always gives the same trace. */
  seed: v.optional(v.pipe(v.number(), v.integer()), 1),
  cluster: v.strictObject({
    hostNetwork: cidr,
    podNetwork: cidr,
    serviceNetwork: cidr,
    gateway: ipv4,
    controllers: v.array(Node),
    workers: v.pipe(v.array(Worker), v.minLength(1)),
    cni: v.optional(CniConfig, {}),
  }),
  cloud: v.strictObject({
    /** Routes the VPC router has for the pod CIDRs; "auto" gives one per worker. */
    podRoutes: v.optional(v.union([v.literal("auto"), v.array(v.strictObject({ dst: cidr, via: ipv4 }))]), "auto"),
    client: v.strictObject({ name: v.optional(dnsName, "client"), ip: ipv4 }),
  }),
  workloads: v.optional(v.array(Workload), []),
  services: v.optional(v.array(Service), []),
  traffic: v.pipe(v.array(Traffic), v.minLength(1)),
});

export type Scenario = v.InferOutput<typeof ScenarioSchema>;
export type ScenarioInput = v.InferInput<typeof ScenarioSchema>;
export type WorkloadSpec = Scenario["workloads"][number];
export type ServiceSpec = Scenario["services"][number];
export type TrafficSpec = Scenario["traffic"][number];

/**
 * A scenario that passed the schema but cannot be built or traced (a pod that is not there, an
 * address already taken): thrown by the builder and the traffic, reported as a SpecIssue.
 */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

export interface SpecIssue {
  /** Where: "cluster.workers.1.podCidr", or "(root)". */
  readonly path: string;
  readonly message: string;
}

export type SpecResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly issues: readonly SpecIssue[] };

/** Validates a parsed JSON value: the schema first, then what a schema cannot say (cross references). */
export function validateScenario(input: unknown): SpecResult {
  if (typeof input === "object" && input !== null && "version" in input && (input as { version: unknown }).version !== SCENARIO_VERSION) {
    return { ok: false, issues: [{ path: "version", message: `this Hopscope reads scenario version ${SCENARIO_VERSION}, not ${JSON.stringify((input as { version: unknown }).version)}` }] };
  }
  const r = v.safeParse(ScenarioSchema, input);
  if (!r.success) {
    return { ok: false, issues: r.issues.slice(0, 20).map((i) => ({ path: v.getDotPath(i) ?? "(root)", message: i.message })) };
  }
  const issues = crossCheck(r.output);
  return issues.length ? { ok: false, issues } : { ok: true, scenario: r.output };
}

function crossCheck(s: Scenario): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const nodes = new Set<string>();
  const ips = new Map<string, string>();
  const claim = (ip: string, what: string, path: string) => {
    const prev = ips.get(ip);
    if (prev) issues.push({ path, message: `${ip} is already ${prev}` });
    else ips.set(ip, what);
  };
  const host = parseCidr(s.cluster.hostNetwork);
  const inHost = (ip: string) => (parseCidr(ip).net & host.mask) >>> 0 === host.net;
  if (!inHost(s.cluster.gateway)) issues.push({ path: "cluster.gateway", message: `${s.cluster.gateway} is not in the host network ${s.cluster.hostNetwork}` });
  claim(s.cluster.gateway, "the VPC router's address", "cluster.gateway");
  s.cluster.controllers.forEach((c, i) => {
    if (nodes.has(c.name)) issues.push({ path: `cluster.controllers.${i}.name`, message: `node name ${c.name} is used twice` });
    nodes.add(c.name);
    if (!inHost(c.ip)) issues.push({ path: `cluster.controllers.${i}.ip`, message: `${c.ip} is not in the host network ${s.cluster.hostNetwork}` });
    claim(c.ip, c.name, `cluster.controllers.${i}.ip`);
  });
  const pod = parseCidr(s.cluster.podNetwork);
  const workerCidrs: { name: string; net: number; mask: number }[] = [];
  s.cluster.workers.forEach((w, i) => {
    if (nodes.has(w.name)) issues.push({ path: `cluster.workers.${i}.name`, message: `node name ${w.name} is used twice` });
    nodes.add(w.name);
    if (!inHost(w.ip)) issues.push({ path: `cluster.workers.${i}.ip`, message: `${w.ip} is not in the host network ${s.cluster.hostNetwork}` });
    claim(w.ip, w.name, `cluster.workers.${i}.ip`);
    const c = parseCidr(w.podCidr);
    if (c.prefix < pod.prefix || (c.net & pod.mask) >>> 0 !== pod.net) issues.push({ path: `cluster.workers.${i}.podCidr`, message: `${w.podCidr} is not inside the pod network ${s.cluster.podNetwork}` });
    if (c.prefix > 30) issues.push({ path: `cluster.workers.${i}.podCidr`, message: `${w.podCidr} is too small for pods (at most /30)` });
    for (const o of workerCidrs) {
      if (((c.net & o.mask) >>> 0 === o.net) || ((o.net & c.mask) >>> 0 === c.net)) issues.push({ path: `cluster.workers.${i}.podCidr`, message: `${w.podCidr} overlaps ${o.name}'s pod CIDR` });
    }
    workerCidrs.push({ name: w.name, net: c.net, mask: c.mask });
  });
  const workers = new Set(s.cluster.workers.map((w) => w.name));
  s.workloads.forEach((wl, i) => {
    if (wl.kind === "Pod") {
      if (!workers.has(wl.node)) issues.push({ path: `workloads.${i}.node`, message: `no worker named ${wl.node}` });
    } else {
      if (wl.pods.length > wl.replicas) issues.push({ path: `workloads.${i}.pods`, message: `${wl.pods.length} placements for ${wl.replicas} replicas` });
      wl.pods.forEach((p, j) => {
        if (!workers.has(p.node)) issues.push({ path: `workloads.${i}.pods.${j}.node`, message: `no worker named ${p.node}` });
      });
    }
  });
  const svc = parseCidr(s.cluster.serviceNetwork);
  const services = new Set<string>();
  s.services.forEach((sv, i) => {
    const key = `${sv.namespace}/${sv.name}`;
    if (services.has(key)) issues.push({ path: `services.${i}.name`, message: `service ${key} is defined twice` });
    services.add(key);
    if ((parseCidr(sv.clusterIP).net & svc.mask) >>> 0 !== svc.net) issues.push({ path: `services.${i}.clusterIP`, message: `${sv.clusterIP} is not in the service network ${s.cluster.serviceNetwork}` });
    claim(sv.clusterIP, `the cluster IP of ${key}`, `services.${i}.clusterIP`);
    sv.ports.forEach((p, j) => {
      if (p.nodePort !== undefined && sv.type !== "NodePort") issues.push({ path: `services.${i}.ports.${j}.nodePort`, message: `a nodePort needs type NodePort` });
      if (sv.ports.length > 1 && !p.name) issues.push({ path: `services.${i}.ports.${j}.name`, message: `a service with several ports must name each one` });
    });
  });
  s.traffic.forEach((t, i) => {
    const f = t.from;
    if ("node" in f && !nodes.has(f.node)) issues.push({ path: `traffic.${i}.from.node`, message: `no node named ${f.node}` });
    const to = t.to;
    if ("service" in to && !services.has(`${to.namespace}/${to.service}`)) issues.push({ path: `traffic.${i}.to.service`, message: `no service ${to.namespace}/${to.service}` });
    if ("node" in to && !nodes.has(to.node)) issues.push({ path: `traffic.${i}.to.node`, message: `no node named ${to.node}` });
    if (t.kind === "ping" && (t.protocol || t.port)) issues.push({ path: `traffic.${i}`, message: "ping takes no protocol or port" });
  });
  return issues;
}
