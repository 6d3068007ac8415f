/**
 * The scenario: a versioned JSON document that says everything needed to build a cluster and
 * the traffic to trace through it. It is what a share URL carries and what `cli trace file.json`
 * reads. Validated with valibot; every error names the field's path and what was expected.
 *
 * Every field has a size budget (strings, arrays, the cluster as a whole), so that no document
 * can make the engine, the page or the lab script do unbounded work; text fields hold no control
 * characters, and names that reach a shell or a kernel (interface names) are checked as the
 * kernel checks them. Messages echo at most about 80 characters of a bad value.
 */
import * as v from "valibot";
import { kubeProxyProblem } from "../kube-proxy/releases";
import { broadcastOf, formatIpv4, isIpv4, parseCidr, parseIpv4, type Cidr } from "../addr/ipv4";

export const SCENARIO_VERSION = 1;

/** Size budgets of a scenario; hitting one is a validation error that names the field. */
export const LIMITS = {
  title: 120,
  description: 2000,
  image: 255,
  controllers: 50,
  workers: 500,
  workloads: 10_000,
  replicas: 1000,
  /** Pods in the whole cluster (bare pods and every replica). */
  pods: 20_000,
  containers: 20,
  ports: 100,
  labels: 64,
  services: 10_000,
  podRoutes: 1000,
  /** Traffic items: each traces its packets through the whole cluster. */
  traffic: 100,
  /**
   * The CNI network's name: the plugin's rule comment `name: "<name>" id: "<64 hex digits>"`
   * must fit in the 255 characters an iptables comment holds (79 of them are not the name).
   */
  cniName: 176,
} as const;

/** How much of a bad value an error message repeats. */
const ECHO = 80;

/** A value as a message may quote it: at most about 80 characters, the rest said to be cut. */
export function clip(text: string, max = ECHO): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length.toLocaleString("en")} characters in all)`;
}

// C0 controls, DEL and C1 controls: none belongs in a name, a title or a description.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Free text: bounded, and without control characters (no newline can reach a script or a log line). */
const text = (max: number) =>
  v.pipe(
    v.string(),
    v.maxLength(max, `at most ${max.toLocaleString("en")} characters`),
    v.check((s) => !CONTROL.test(s), "no control characters (newlines, tabs, escapes)"),
  );

const ipv4 = v.pipe(
  v.string(),
  v.check((s) => isIpv4(s), "an IPv4 address like 10.240.0.20"),
);

function cidrProblem(s: string): string | undefined {
  let c: Cidr;
  try {
    if (!s.includes("/")) return "a CIDR prefix like 10.200.0.0/16";
    c = parseCidr(s);
  } catch {
    return "a CIDR prefix like 10.200.0.0/16";
  }
  const addr = s.slice(0, s.indexOf("/"));
  if (isIpv4(addr) && parseCidr(addr).net !== c.net) return `host bits set: the network is ${formatCidr(c)}`;
  return undefined;
}
const cidr = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (dataset.typed) {
      const p = cidrProblem(dataset.value);
      if (p) addIssue({ message: p });
    }
  }),
);

function formatCidr(c: Cidr): string {
  const n = c.net >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${c.prefix}`;
}

const dnsName = v.pipe(v.string(), v.maxLength(63, "at most 63 characters"), v.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a lower-case DNS label (a-z, 0-9, -)"));

/**
 * A network namespace name the cluster already uses for something else: the VPC router's, or
 * one of the cni-<uuid> names containerd gives pod namespaces.
 */
function reservedName(name: string): string | undefined {
  if (name === "vpc-router") return "vpc-router is the VPC router's name";
  if (/^cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(name)) return "cni-<uuid> names belong to pods' network namespaces";
  return undefined;
}
const nodeName = v.pipe(
  dnsName,
  v.rawCheck(({ dataset, addIssue }) => {
    if (dataset.typed) {
      const r = reservedName(dataset.value);
      if (r) addIssue({ message: `a name of its own: ${r}` });
    }
  }),
);

/**
 * An interface name as the kernel takes it (dev_valid_name: 1 to 15 characters, no "/", ":"
 * or whitespace, not "." or ".."), further kept to letters, digits, "_", "." and "-" so it is
 * safe anywhere; and none of the names the cluster's own interfaces have (lo, eth0, the
 * veth<8 hex digits> host ends the plugin makes).
 */
const ifaceName = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const s = dataset.value;
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(s) || s === "." || s === "..") addIssue({ message: "an interface name: 1 to 15 letters, digits, _, . or -" });
    else if (s === "lo" || s === "eth0") addIssue({ message: `${s} is already a node's interface` });
    else if (/^veth[0-9a-f]{8}$/.test(s)) addIssue({ message: "veth<8 hex digits> is the form of the pods' host-side veth names" });
  }),
);

const labelText = v.pipe(v.string(), v.maxLength(63, "at most 63 characters"), v.check((s) => !CONTROL.test(s), "no control characters"));
const labels = v.pipe(
  v.record(labelText, labelText),
  v.check((r) => Object.keys(r).length <= LIMITS.labels, `at most ${LIMITS.labels} labels`),
);
const protocol = v.picklist(["TCP", "UDP"]);
const port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
const list = <T extends v.GenericSchema>(item: T, max: number, what: string) => v.pipe(v.array(item), v.maxLength(max, `at most ${max.toLocaleString("en")} ${what}`));

const Node = v.strictObject({
  name: nodeName,
  ip: ipv4,
  publicIp: v.optional(ipv4),
});

/** The CNI network's name, as the CNI spec allows it: a letter or digit, then letters, digits, _, . and -. */
const cniName = v.pipe(
  v.string(),
  v.maxLength(LIMITS.cniName, `at most ${LIMITS.cniName} characters (the plugin's iptables rule comment holds it)`),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a CNI network name: a letter or digit, then letters, digits, _, . or -"),
);

/** The bridge plugin's settings (10-bridge.conf's keys); a worker may override them. */
const BridgeCniConfig = v.strictObject({
  /** The network's name, part of every CNI chain name ("bridge" in KTHW). */
  name: v.optional(cniName, "bridge"),
  bridge: v.optional(ifaceName, "cnio0"),
  isGateway: v.optional(v.boolean(), true),
  ipMasq: v.optional(v.boolean(), true),
  hairpinMode: v.optional(v.boolean(), false),
});

/** The CNI plugins Hopscope models: the article's bridge plugin, flannel, Calico. */
export const CNI_TYPES = ["bridge", "flannel", "calico"] as const;
export type CniType = (typeof CNI_TYPES)[number];
/** flannel's backends modelled (flanneld's net-conf.json "Backend.Type"). */
export const FLANNEL_BACKENDS = ["vxlan"] as const;
/** Calico IP pool encapsulations modelled: routed without one, IP-in-IP, VXLAN. */
export const CALICO_ENCAPSULATIONS = ["none", "ipip", "vxlan"] as const;

const quoted = (xs: readonly string[]) => xs.map((x) => `"${x}"`).join(", ").replace(/, ([^,]*)$/, " or $1");

/**
 * Which CNI plugin the cluster runs (`type`, "bridge" when absent) and its settings: the bridge
 * plugin's keys for "bridge", `backend` for flannel, `encapsulation` for Calico. Which keys go
 * with which type is checked after the schema (cniProblems).
 */
const CniConfig = v.strictObject({
  type: v.optional(v.picklist(CNI_TYPES, `${quoted(CNI_TYPES)}`)),
  backend: v.optional(v.picklist(FLANNEL_BACKENDS, `flannel's backend: ${quoted(FLANNEL_BACKENDS)} (the one modelled)`)),
  encapsulation: v.optional(v.picklist(CALICO_ENCAPSULATIONS, `Calico's encapsulation: ${quoted(CALICO_ENCAPSULATIONS)}`)),
  ...BridgeCniConfig.entries,
});

/** A switch a sysctl key takes: 0 or 1. */
const sysctlSwitch = v.picklist([0, 1]);

const Worker = v.strictObject({
  name: nodeName,
  ip: ipv4,
  publicIp: v.optional(ipv4),
  podCidr: cidr,
  /** Overrides of the cluster's CNI config for this node. */
  cni: v.optional(v.partial(BridgeCniConfig)),
  /** What-if: sysctls set otherwise than a worker has them (both 1). */
  sysctl: v.optional(
    v.strictObject({
      "net.ipv4.ip_forward": v.optional(sysctlSwitch),
      "net.bridge.bridge-nf-call-iptables": v.optional(sysctlSwitch),
    }),
  ),
  /**
   * What-if: this node's kube-proxy stopped before these services ("namespace/name") were
   * created, so their rules are missing here.
   */
  kubeProxy: v.optional(v.strictObject({ stoppedBefore: list(v.pipe(v.string(), v.regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "namespace/name of a service")), LIMITS.services, "services") })),
});

/**
 * Workers written as a series instead of one by one: `count` workers after the listed ones, the
 * k-th (from 0) named as firstName with its trailing number plus k (as many digits at least:
 * node-01, node-02 … node-10), with address firstIp + k, public address firstPublicIp + k when
 * given, and pod CIDR the k-th block of firstPodCidr's size from it (10.200.0.0/24, 10.200.1.0/24 …).
 * Validation expands it: the cluster is built, traced and shown exactly as if each were listed.
 */
const WorkerSeries = v.strictObject({
  count: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.workers, `at most ${LIMITS.workers} workers`)),
  firstName: v.pipe(nodeName, v.regex(/(^|[^0-9])[0-9]{1,6}$/, "a name ending in a number of 1 to 6 digits, like worker-0: the series counts up from it")),
  firstIp: ipv4,
  firstPodCidr: cidr,
  firstPublicIp: v.optional(ipv4),
});
export type WorkerSeriesSpec = v.InferOutput<typeof WorkerSeries>;

/** A series' field as a listed worker's: where an issue about the k-th worker of the series is reported. */
const SERIES_FIELD: Readonly<Record<string, string>> = { name: "firstName", ip: "firstIp", podCidr: "firstPodCidr", publicIp: "firstPublicIp" };

/**
 * The workers a series stands for, or what is wrong with it (a name past 63 characters, an
 * address past 255.255.255.255), as a field of the series and a message.
 */
export function expandWorkerSeries(series: WorkerSeriesSpec): { readonly ok: true; readonly workers: { name: string; ip: string; publicIp?: string; podCidr: string }[] } | { readonly ok: false; readonly field: string; readonly message: string } {
  const m = /^(.*?)([0-9]+)$/.exec(series.firstName)!;
  const prefix = m[1]!;
  const digits = m[2]!;
  const first = Number(digits);
  const last = `${prefix}${String(first + series.count - 1).padStart(digits.length, "0")}`;
  if (last.length > 63) return { ok: false, field: "count", message: `the series' last name, ${clip(last)}, is over 63 characters` };
  const ip = parseIpv4(series.firstIp);
  if (ip + series.count - 1 > 0xffffffff) return { ok: false, field: "count", message: `${series.count} addresses from ${series.firstIp} run past 255.255.255.255` };
  const publicIp = series.firstPublicIp === undefined ? undefined : parseIpv4(series.firstPublicIp);
  if (publicIp !== undefined && publicIp + series.count - 1 > 0xffffffff) return { ok: false, field: "count", message: `${series.count} public addresses from ${series.firstPublicIp} run past 255.255.255.255` };
  const pod = parseCidr(series.firstPodCidr);
  const block = 2 ** (32 - pod.prefix);
  if (pod.net + (series.count - 1) * block > 2 ** 32 - block) return { ok: false, field: "count", message: `${series.count} blocks of /${pod.prefix} from ${series.firstPodCidr} run past 255.255.255.255` };
  const workers = Array.from({ length: series.count }, (_, k) => ({
    name: `${prefix}${String(first + k).padStart(digits.length, "0")}`,
    ip: formatIpv4(ip + k),
    ...(publicIp !== undefined && { publicIp: formatIpv4(publicIp + k) }),
    podCidr: `${formatIpv4(pod.net + k * block)}/${pod.prefix}`,
  }));
  return { ok: true, workers };
}

/**
 * A scenario's workers, listed ones and a series' alike, as the cluster will have them (for the
 * editor: its lists of workers, the next free name and addresses). A series that cannot be
 * expanded, or is not well formed, adds none.
 */
export function scenarioWorkers(doc: ScenarioInput): ScenarioInput["cluster"]["workers"] {
  const listed = Array.isArray(doc.cluster?.workers) ? doc.cluster.workers : [];
  const series = doc.cluster?.workerSeries;
  if (!series) return listed;
  // Scenarios are not changed in place (each edit makes a new one): the expansion is kept per series object.
  const known = expanded.get(series);
  if (known && known.listed === listed) return known.workers;
  const r = v.safeParse(WorkerSeries, series);
  const e = r.success && r.output.count + listed.length <= LIMITS.workers ? expandWorkerSeries(r.output) : undefined;
  const workers = e?.ok ? [...listed, ...e.workers] : listed;
  expanded.set(series, { listed, workers });
  return workers;
}
const expanded = new WeakMap<object, { readonly listed: readonly unknown[]; readonly workers: ScenarioInput["cluster"]["workers"] }>();

/** The scenario with its worker series written out as listed workers (the same cluster, every worker editable). */
export function listWorkerSeries(doc: ScenarioInput): ScenarioInput {
  if (!doc.cluster.workerSeries) return doc;
  const { workerSeries: _series, ...cluster } = doc.cluster;
  return { ...doc, cluster: { ...cluster, workers: scenarioWorkers(doc) } };
}

const ContainerPort = v.strictObject({
  name: v.optional(dnsName),
  containerPort: port,
  protocol: v.optional(protocol, "TCP"),
});

const Container = v.strictObject({
  name: dnsName,
  image: text(LIMITS.image),
  ports: v.optional(list(ContainerPort, LIMITS.ports, "ports"), []),
});
const Containers = v.pipe(list(Container, LIMITS.containers, "containers"), v.minLength(1, "at least one container"));

/** How a Deployment's or ReplicationController's replicas without a listed placement are placed. */
export const PLACEMENTS = ["round-robin", "spread"] as const;
export type PlacementPolicy = (typeof PLACEMENTS)[number];

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
    containers: Containers,
    node: dnsName,
    ip: v.optional(ipv4),
    sandboxId: v.optional(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "64 lower-case hex digits"))),
  }),
  v.strictObject({
    kind: v.picklist(["Deployment", "ReplicationController"]),
    name: dnsName,
    namespace: v.optional(dnsName, "default"),
    labels: v.optional(labels, {}),
    containers: Containers,
    replicas: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(LIMITS.replicas)),
    /** Deployment only: the pod-template-hash label (kube 1.10 prints it in decimal). */
    podTemplateHash: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff))),
    pods: v.optional(list(Placement, LIMITS.replicas, "placements"), []),
    /**
     * Where replicas without a `pods` placement go. "round-robin" (the default, and what a
     * scenario without this field has always meant): replica r on worker r mod the number of
     * workers, counted from the first worker for every workload. "spread": each such replica on
     * the worker running the fewest pods at that moment (the pods made before it, in the scenario's
     * order, placed ones and bare pods included), ties to the worker listed first, as the
     * scheduler's default spreading would balance them.
     */
    placement: v.optional(v.picklist(PLACEMENTS, `one of ${PLACEMENTS.map((p) => `"${p}"`).join(" or ")}`), "round-robin"),
  }),
]);

/** A node port: in the apiserver's default --service-node-port-range, 30000-32767. */
const nodePortNumber = v.pipe(port, v.minValue(30000, "a node port from 30000 to 32767"), v.maxValue(32767, "a node port from 30000 to 32767"));

const ServicePort = v.strictObject({
  name: v.optional(v.union([dnsName, v.literal("")]), ""),
  protocol: v.optional(protocol, "TCP"),
  port,
  /** A number, or the name of a container port. */
  targetPort: v.optional(v.union([port, dnsName])),
  nodePort: v.optional(nodePortNumber),
});

/** The service types a scenario may have; LoadBalancer puts a modelled cloud load balancer in front of the nodes. */
export const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer"] as const;

/** The blocks a load balancer's address may come from: the documentation ranges (RFC 5737), so a lab reaches no real host. */
export const LOAD_BALANCER_RANGES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"] as const;

const Service = v.strictObject({
  name: dnsName,
  namespace: v.optional(dnsName, "default"),
  type: v.optional(v.picklist(SERVICE_TYPES, `one of ${SERVICE_TYPES.map((t) => `"${t}"`).join(", ")}`), "ClusterIP"),
  clusterIP: ipv4,
  /**
   * type LoadBalancer: the address asked of the cloud, which its load balancer then answers on
   * (status.loadBalancer.ingress[0].ip), in a documentation range; when absent, the cloud gives
   * the first free one from 198.51.100.100 up (then 192.0.2.100, 203.0.113.100) outside the
   * client's network (loadBalancerIngress).
   */
  loadBalancerIP: v.optional(ipv4),
  /** type LoadBalancer: only these sources may use the load balancer (kube-proxy's KUBE-FW chain drops the rest). */
  loadBalancerSourceRanges: v.optional(list(cidr, 100, "source ranges")),
  /**
   * type LoadBalancer with externalTrafficPolicy Local: the node port where kube-proxy answers the
   * cloud's health check; allocated like a nodePort (the lowest free one from 30000) when absent.
   */
  healthCheckNodePort: v.optional(nodePortNumber),
  /** The Service object's own labels (kubectl describe shows them); not its selector. */
  labels: v.optional(labels, {}),
  selector: v.optional(labels, {}),
  ports: v.pipe(list(ServicePort, LIMITS.ports, "ports"), v.minLength(1, "at least one port")),
  externalTrafficPolicy: v.optional(v.picklist(["Cluster", "Local"]), "Cluster"),
  sessionAffinity: v.optional(v.picklist(["None", "ClientIP"]), "None"),
  /**
   * What-if: endpoints whose pods are gone but whose kube-proxy rules remain (kube-proxy missed
   * the update): the rules still send traffic there; the Endpoints object no longer lists them.
   */
  staleEndpoints: v.optional(list(v.strictObject({ ip: ipv4, port }), 100, "endpoints"), []),
});

const Endpoint = v.union(
  [v.strictObject({ pod: dnsName }), v.strictObject({ node: dnsName }), v.strictObject({ client: v.literal(true) })],
  'one of {"pod": NAME}, {"node": NAME} or {"client": true}',
);

const Target = v.union(
  [
    v.strictObject({ ip: ipv4 }),
    v.strictObject({ pod: dnsName }),
    v.strictObject({ node: dnsName, public: v.optional(v.boolean(), false) }),
    v.strictObject({
      service: dnsName,
      namespace: v.optional(dnsName, "default"),
      port: v.optional(v.union([dnsName, port])),
      /** Which of the service's addresses: its cluster IP (the default), or its cloud load balancer's (type LoadBalancer). */
      via: v.optional(v.picklist(["clusterIP", "loadBalancer"], 'one of "clusterIP" or "loadBalancer"')),
    }),
    v.strictObject({ client: v.literal(true) }),
  ],
  'one of {"ip": ADDRESS}, {"pod": NAME}, {"node": NAME, "public"?: BOOLEAN}, {"service": NAME, "namespace"?: NAME, "port"?: NAME or NUMBER, "via"?: "clusterIP" or "loadBalancer"} or {"client": true}',
);

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
  id: v.pipe(v.string(), v.maxLength(63, "at most 63 characters"), v.regex(/^[a-z0-9][-a-z0-9]*$/, "lower-case letters, digits and dashes")),
  title: v.pipe(text(LIMITS.title), v.minLength(1, "a title")),
  description: v.optional(text(LIMITS.description), ""),
  /** Seeds -m statistic and NAT port choice, so the same scenario always gives the same trace. */
  seed: v.optional(v.pipe(v.number(), v.integer()), 1),
  cluster: v.strictObject({
    hostNetwork: cidr,
    podNetwork: cidr,
    serviceNetwork: cidr,
    gateway: ipv4,
    controllers: list(Node, LIMITS.controllers, "controllers"),
    // At least one worker, listed here or in the series (checked once the series is known);
    // with a series, the list may be empty ("workers": []).
    workers: list(Worker, LIMITS.workers, "workers"),
    /** More workers, written as a series; they follow the listed ones. */
    workerSeries: v.optional(WorkerSeries),
    cni: v.optional(CniConfig, {}),
    /**
     * Which kube-proxy every node runs: its mode and release ("1.10", the newest modelled, or
     * "latest" for it). Absent: 1.10 in iptables mode, the article's. Checked against what is
     * modelled after the schema (kube-proxy/select.ts).
     */
    kubeProxy: v.optional(
      v.strictObject({
        mode: v.optional(v.picklist(["iptables", "nftables"], "\"iptables\" or \"nftables\"")),
        version: v.optional(v.pipe(v.string(), v.maxLength(16, "a release like \"1.10\" or \"latest\""), v.regex(/^(latest|[0-9]+\.[0-9]+)$/, "a release like \"1.10\" or \"latest\""))),
      }),
    ),
  }),
  cloud: v.strictObject({
    /** Routes the VPC router has for the pod CIDRs; "auto" gives one per worker. */
    podRoutes: v.optional(v.union([v.literal("auto"), list(v.strictObject({ dst: cidr, via: ipv4 }), LIMITS.podRoutes, "routes")]), "auto"),
    client: v.strictObject({ name: v.optional(nodeName, "client"), ip: ipv4 }),
  }),
  workloads: v.optional(list(Workload, LIMITS.workloads, "workloads"), []),
  services: v.optional(list(Service, LIMITS.services, "services"), []),
  // A scenario being built may have no traffic yet: it shows the cluster, and click-to-send adds some.
  traffic: list(Traffic, LIMITS.traffic, "traffic items"),
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

/** A valibot issue's message in plain words, with the value it received cut to what a message should repeat. */
function issueMessage(i: v.BaseIssue<unknown>): string {
  const received = i.received;
  // A required field that is not there: valibot says "Expected "name" but received undefined".
  if (received === "undefined") return "missing: this field is required";
  // A field the format does not have: "Expected never but received "x"".
  if (i.type === "strict_object" && i.expected === "never") return `unknown field ${clip(received, 60)}: the scenario format has no such field here`;
  if (received && received.length > ECHO && i.message.includes(received)) return i.message.replace(received, clip(received));
  return clip(i.message, 300);
}

/** Validates a parsed JSON value: the schema first, then what a schema cannot say (cross references). */
export function validateScenario(input: unknown): SpecResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: "(root)", message: `a scenario is a JSON object, not ${Array.isArray(input) ? "an array" : input === null ? "null" : `a ${typeof input}`}` }] };
  }
  if ("version" in input && (input as { version: unknown }).version !== undefined && (input as { version: unknown }).version !== SCENARIO_VERSION) {
    const got = (input as { version: unknown }).version;
    return { ok: false, issues: [{ path: "version", message: `this Hopscope reads scenario version ${SCENARIO_VERSION}, not ${clip(JSON.stringify(got) ?? String(got))}` }] };
  }
  const r = v.safeParse(ScenarioSchema, input);
  if (!r.success) {
    return { ok: false, issues: r.issues.slice(0, 20).map((i) => ({ path: clip(v.getDotPath(i) ?? "(root)"), message: issueMessage(i) })) };
  }
  // The series written out: from here on, the cluster's workers are listed ones only.
  const { workerSeries: series, ...cluster } = r.output.cluster;
  const listed = cluster.workers.length;
  let scenario: Scenario = r.output;
  if (series) {
    if (listed + series.count > LIMITS.workers) {
      return { ok: false, issues: [{ path: "cluster.workerSeries.count", message: `${listed} listed workers and ${series.count} in the series; a cluster holds at most ${LIMITS.workers}` }] };
    }
    const e = expandWorkerSeries(series);
    if (!e.ok) return { ok: false, issues: [{ path: `cluster.workerSeries.${e.field}`, message: e.message }] };
    scenario = { ...r.output, cluster: { ...cluster, workers: [...cluster.workers, ...e.workers] } };
  } else if (listed === 0) {
    return { ok: false, issues: [{ path: "cluster.workers", message: "at least one worker (listed here, or as a cluster.workerSeries)" }] };
  }
  const issues = [...cniProblems(input as { cluster?: unknown }, scenario), ...crossCheck(scenario, listed)];
  if (issues.length) return { ok: false, issues: issues.slice(0, 20) };
  const allocated = allocateLoadBalancers(scenario);
  return "path" in allocated ? { ok: false, issues: [allocated] } : { ok: true, scenario: allocated };
}

/** The bridge plugin's keys: they configure "bridge" only (flannel and Calico set their own). */
const BRIDGE_KEYS = Object.keys(BridgeCniConfig.entries);

/**
 * What the schema cannot say about `cluster.cni`: a key belongs to one plugin (`backend` to
 * flannel, `encapsulation` to Calico, the bridge plugin's keys to "bridge", in the cluster's
 * config and each worker's). Read off the input, since the schema fills the bridge defaults in.
 */
function cniProblems(input: { cluster?: unknown }, s: Scenario): SpecIssue[] {
  const type = s.cluster.cni.type ?? "bridge";
  const issues: SpecIssue[] = [];
  const rawCluster = (input.cluster ?? {}) as { cni?: Record<string, unknown>; workers?: { cni?: Record<string, unknown> }[] };
  const given = (o: unknown) => (o && typeof o === "object" ? Object.keys(o) : []);
  const name = type === "flannel" ? "flannel" : type === "calico" ? "Calico" : "the bridge plugin";
  for (const key of given(rawCluster.cni)) {
    if (key === "backend" && type !== "flannel") issues.push({ path: "cluster.cni.backend", message: `backend is flannel's setting; this cluster's CNI is ${name} (cluster.cni.type ${JSON.stringify(type)})` });
    if (key === "encapsulation" && type !== "calico") issues.push({ path: "cluster.cni.encapsulation", message: `encapsulation is Calico's setting; this cluster's CNI is ${name} (cluster.cni.type ${JSON.stringify(type)})` });
    if (BRIDGE_KEYS.includes(key) && type !== "bridge") issues.push({ path: `cluster.cni.${key}`, message: `${key} is a setting of the bridge plugin (cluster.cni.type "bridge"); ${name} configures its own` });
  }
  if (type === "calico") {
    // calico.yaml (v3.32) makes its pool with CALICO_IPV4POOL_IPIP "Always": IP-in-IP is the
    // manifest's default. It is not modelled (no kernel here to check tunl0 against), so rather
    // than default to something Calico's manifest does not, the encapsulation must be named.
    const encap = s.cluster.cni.encapsulation;
    if (encap === undefined) issues.push({ path: "cluster.cni.encapsulation", message: `Calico needs its IP pool's encapsulation named: "none" (routed, BIRD's routes to each node's block) or "vxlan" (felix's vxlan.calico); calico.yaml's own default, IP-in-IP, is not modelled` });
    else if (encap === "ipip") issues.push({ path: "cluster.cni.encapsulation", message: `IP-in-IP is not modelled yet: it could not be checked against a kernel (the lab kernel has no ipip module, so no tunl0); use "none" or "vxlan"` });
  }
  if (type !== "bridge") {
    (Array.isArray(rawCluster.workers) ? rawCluster.workers : []).forEach((w, i) => {
      for (const key of given(w?.cni)) issues.push({ path: `cluster.workers.${i}.cni.${key}`, message: `${key} is a setting of the bridge plugin (cluster.cni.type "bridge"); ${name} configures its own` });
    });
  }
  return issues;
}

/** Whether `ip` is in `cidrText`. */
function inCidr(cidrText: string, ip: string): boolean {
  const c = parseCidr(cidrText);
  return (parseIpv4(ip) & c.mask) >>> 0 === c.net;
}

/** The /24 the client is on: the internet segment, which it reaches without the router (so no load balancer's address may be in it). */
function clientNetwork(s: Scenario): string {
  return `${formatIpv4((parseIpv4(s.cloud.client.ip) & 0xffffff00) >>> 0)}/24`;
}

/** What is wrong with a service's load-balancer fields (the address checked and claimed with the others). */
function loadBalancerIssues(s: Scenario, sv: ServiceSpec, i: number, claim: (ip: string, what: string, path: string) => void, isPublic: (ip: string, path: string, what: string) => void): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const lb = sv.type === "LoadBalancer";
  const key = `${sv.namespace}/${sv.name}`;
  if (!lb) {
    for (const f of ["loadBalancerIP", "loadBalancerSourceRanges"] as const) {
      if (sv[f] !== undefined) issues.push({ path: `services.${i}.${f}`, message: `${f} needs type LoadBalancer` });
    }
  }
  if (sv.healthCheckNodePort !== undefined && (sv.type !== "LoadBalancer" || sv.externalTrafficPolicy !== "Local")) {
    issues.push({ path: `services.${i}.healthCheckNodePort`, message: "a healthCheckNodePort needs type LoadBalancer and externalTrafficPolicy Local" });
  }
  const ip = sv.loadBalancerIP;
  if (lb && ip !== undefined) {
    const path = `services.${i}.loadBalancerIP`;
    if (!LOAD_BALANCER_RANGES.some((r) => inCidr(r, ip))) issues.push({ path, message: `${ip} is not in a documentation range (${LOAD_BALANCER_RANGES.join(", ")}); a load balancer's address here must be one, so a lab reaches no real host` });
    else if (inCidr(clientNetwork(s), ip)) issues.push({ path, message: `${ip} is in the client's own network ${clientNetwork(s)}, which the client reaches without the cloud's router; take an address outside it` });
    else isPublic(ip, path, "a load balancer's address");
    claim(ip, `the load balancer address of ${key}`, path);
  }
  return issues;
}

/**
 * A LoadBalancer service's node ports left to the cluster, filled in deterministically, in the
 * scenario's order, as the apiserver writes them into the spec: a port's nodePort and the
 * healthCheckNodePort (externalTrafficPolicy Local), the lowest free port from 30000 (the
 * editor's freeNodePort does the same). Other services are left as they are: a NodePort service
 * without a nodePort keeps none. The load balancer's address is the cloud's, not the spec's: see
 * loadBalancerIngress.
 */
function allocateLoadBalancers(s: Scenario): Scenario | SpecIssue {
  if (!s.services.some((sv) => sv.type === "LoadBalancer")) return s;
  const usedPorts = new Set<number>();
  for (const sv of s.services) {
    for (const p of sv.ports) if (p.nodePort !== undefined) usedPorts.add(p.nodePort);
    if (sv.healthCheckNodePort !== undefined) usedPorts.add(sv.healthCheckNodePort);
  }
  // Every port below the cursor is taken, so the search goes on from it: at most one pass over the range in all.
  let cursor = 30000;
  const nextPort = (): number | undefined => {
    for (; cursor <= 32767; cursor++) {
      if (!usedPorts.has(cursor)) {
        usedPorts.add(cursor);
        return cursor;
      }
    }
    return undefined;
  };
  const services: ServiceSpec[] = [];
  for (const [i, sv] of s.services.entries()) {
    if (sv.type !== "LoadBalancer") {
      services.push(sv);
      continue;
    }
    const ports: ServiceSpec["ports"] = [];
    for (const p of sv.ports) {
      const n = p.nodePort ?? nextPort();
      if (n === undefined) return { path: `services.${i}.ports`, message: "no node port is left from 30000 to 32767 for this load balancer" };
      ports.push({ ...p, nodePort: n });
    }
    const hc = sv.externalTrafficPolicy === "Local" ? (sv.healthCheckNodePort ?? nextPort()) : undefined;
    if (sv.externalTrafficPolicy === "Local" && hc === undefined) return { path: `services.${i}.healthCheckNodePort`, message: "no node port is left from 30000 to 32767 for the health check" };
    services.push({ ...sv, ports, ...(hc !== undefined && { healthCheckNodePort: hc }) });
  }
  const out = { ...s, services };
  const ingress = loadBalancerIngress(out);
  const without = services.findIndex((sv) => sv.type === "LoadBalancer" && !ingress.has(`${sv.namespace}/${sv.name}`));
  if (without >= 0) return { path: `services.${without}.loadBalancerIP`, message: "no free load balancer address is left from .100 to .254 of the documentation ranges; give this one its loadBalancerIP" };
  return out;
}

/**
 * The address the cloud gives each LoadBalancer service (status.loadBalancer.ingress[0].ip), by
 * "namespace/name": its spec.loadBalancerIP when the scenario gives one, else the first free
 * address from 198.51.100.100 up, then 192.0.2.100 and 203.0.113.100 up, outside the client's
 * network, in the scenario's order. A function of the scenario alone (kept per scenario object).
 */
export function loadBalancerIngress(s: Scenario): ReadonlyMap<string, string> {
  const known = ingressOf.get(s);
  if (known) return known;
  const out = new Map<string, string>();
  const usedIps = new Set<number>([parseIpv4(s.cloud.client.ip), parseIpv4(s.cluster.gateway)]);
  for (const n of [...s.cluster.controllers, ...s.cluster.workers]) if (n.publicIp) usedIps.add(parseIpv4(n.publicIp));
  for (const sv of s.services) if (sv.type === "LoadBalancer" && sv.loadBalancerIP !== undefined) usedIps.add(parseIpv4(sv.loadBalancerIP));
  const clientNet = parseCidr(clientNetwork(s));
  // The candidates in order; every one before the cursor is taken (one pass in all).
  const candidates = ["198.51.100.0/24", "192.0.2.0/24", "203.0.113.0/24"].map((r) => parseCidr(r).net).filter((net) => net !== clientNet.net).flatMap((net) => Array.from({ length: 155 }, (_, k) => net + 100 + k));
  let cursor = 0;
  const nextIp = (): string | undefined => {
    for (; cursor < candidates.length; cursor++) {
      const ip = candidates[cursor]!;
      if (!usedIps.has(ip)) {
        usedIps.add(ip);
        return formatIpv4(ip);
      }
    }
    return undefined;
  };
  for (const sv of s.services) {
    if (sv.type !== "LoadBalancer") continue;
    const ip = sv.loadBalancerIP ?? nextIp();
    if (ip !== undefined) out.set(`${sv.namespace}/${sv.name}`, ip);
  }
  ingressOf.set(s, out);
  return out;
}
const ingressOf = new WeakMap<Scenario, ReadonlyMap<string, string>>();

/** `listed`: how many of the cluster's workers were listed; the rest came from the series. */
function crossCheck(s: Scenario, listed = s.cluster.workers.length): SpecIssue[] {
  const issues = crossCheckExpanded(s);
  if (listed === s.cluster.workers.length) return issues;
  // An issue about a worker of the series is the series' field's, naming the worker; the first
  // one of each field is enough (a wrong first address makes every worker's wrong).
  const seen = new Set<string>();
  const out: SpecIssue[] = [];
  for (const i of issues) {
    const m = /^cluster\.workers\.(\d+)(?:\.([A-Za-z]+))?/.exec(i.path);
    const k = m ? Number(m[1]) : -1;
    if (!m || k < listed) {
      out.push(i);
      continue;
    }
    const path = `cluster.workerSeries${m[2] ? `.${SERIES_FIELD[m[2]] ?? m[2]}` : ""}`;
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, message: `${s.cluster.workers[k]!.name}, worker ${k - listed} of the series: ${i.message}` });
  }
  return out;
}

function crossCheckExpanded(s: Scenario): SpecIssue[] {
  const issues: SpecIssue[] = [];
  if (s.cluster.kubeProxy) {
    const problem = kubeProxyProblem(s.cluster.kubeProxy);
    if (problem) issues.push({ path: s.cluster.kubeProxy.version === undefined ? "cluster.kubeProxy.mode" : "cluster.kubeProxy.version", message: problem });
  }
  const nodes = new Set<string>();
  const ips = new Map<string, string>();
  const claim = (ip: string, what: string, path: string) => {
    const prev = ips.get(ip);
    if (prev) issues.push({ path, message: `${ip} is already ${prev}` });
    else ips.set(ip, what);
  };
  const host = parseCidr(s.cluster.hostNetwork);
  const pod = parseCidr(s.cluster.podNetwork);
  const svc = parseCidr(s.cluster.serviceNetwork);
  const within = (net: Cidr, ip: string) => (parseCidr(ip).net & net.mask) >>> 0 === net.net;
  const overlap = (a: Cidr, b: Cidr) => (a.net & b.mask) >>> 0 === b.net || (b.net & a.mask) >>> 0 === a.net;
  const networks = [
    { path: "cluster.hostNetwork", text: s.cluster.hostNetwork, net: host, what: "the host network" },
    { path: "cluster.podNetwork", text: s.cluster.podNetwork, net: pod, what: "the pod network" },
    { path: "cluster.serviceNetwork", text: s.cluster.serviceNetwork, net: svc, what: "the service network" },
  ];
  networks.forEach((a, i) => {
    for (const b of networks.slice(0, i)) if (overlap(a.net, b.net)) issues.push({ path: a.path, message: `${a.text} overlaps ${b.what} ${b.text}` });
  });
  /** An address a host can have on a network: neither its network address nor its broadcast. */
  const hostAddress = (ip: string, net: Cidr, what: string, path: string) => {
    const n = parseCidr(ip).net;
    if (net.prefix >= 31) return;
    if (n === net.net) issues.push({ path, message: `${ip} is ${what}'s network address` });
    else if (n === broadcastOf(net)) issues.push({ path, message: `${ip} is ${what}'s broadcast address` });
  };
  const onHostNetwork = (ip: string, path: string) => {
    if (!within(host, ip)) issues.push({ path, message: `${ip} is not in the host network ${s.cluster.hostNetwork}` });
    else hostAddress(ip, host, "the host network", path);
  };
  /** A public address: on the internet side, so in none of the cluster's networks. */
  const isPublic = (ip: string, path: string, what: string) => {
    for (const n of networks) if (within(n.net, ip)) issues.push({ path, message: `${ip} is in ${n.what} ${n.text}; ${what} is an address on the internet side` });
  };
  onHostNetwork(s.cluster.gateway, "cluster.gateway");
  claim(s.cluster.gateway, "the VPC router's address", "cluster.gateway");
  const client = s.cloud.client;
  const addNode = (name: string, path: string) => {
    if (nodes.has(name)) issues.push({ path, message: `node name ${name} is used twice` });
    nodes.add(name);
  };
  s.cluster.controllers.forEach((c, i) => {
    addNode(c.name, `cluster.controllers.${i}.name`);
    onHostNetwork(c.ip, `cluster.controllers.${i}.ip`);
    claim(c.ip, c.name, `cluster.controllers.${i}.ip`);
    if (c.publicIp) {
      isPublic(c.publicIp, `cluster.controllers.${i}.publicIp`, "a public IP");
      claim(c.publicIp, `${c.name}'s public IP`, `cluster.controllers.${i}.publicIp`);
    }
  });
  const workerCidrs: { name: string; net: number; mask: number }[] = [];
  s.cluster.workers.forEach((w, i) => {
    addNode(w.name, `cluster.workers.${i}.name`);
    onHostNetwork(w.ip, `cluster.workers.${i}.ip`);
    claim(w.ip, w.name, `cluster.workers.${i}.ip`);
    if (w.publicIp) {
      isPublic(w.publicIp, `cluster.workers.${i}.publicIp`, "a public IP");
      claim(w.publicIp, `${w.name}'s public IP`, `cluster.workers.${i}.publicIp`);
    }
    const c = parseCidr(w.podCidr);
    if (c.prefix < pod.prefix || (c.net & pod.mask) >>> 0 !== pod.net) issues.push({ path: `cluster.workers.${i}.podCidr`, message: `${w.podCidr} is not inside the pod network ${s.cluster.podNetwork}` });
    if (c.prefix > 30) issues.push({ path: `cluster.workers.${i}.podCidr`, message: `${w.podCidr} is too small for pods (at most /30)` });
    for (const o of workerCidrs) {
      if (((c.net & o.mask) >>> 0 === o.net) || ((o.net & c.mask) >>> 0 === c.net)) issues.push({ path: `cluster.workers.${i}.podCidr`, message: `${w.podCidr} overlaps ${o.name}'s pod CIDR` });
    }
    workerCidrs.push({ name: w.name, net: c.net, mask: c.mask });
  });
  if (nodes.has(client.name)) issues.push({ path: "cloud.client.name", message: `${client.name} is already a node's name` });
  isPublic(client.ip, "cloud.client.ip", "the client");
  claim(client.ip, "the internet client's address", "cloud.client.ip");
  const workers = new Set(s.cluster.workers.map((w) => w.name));
  let podCount = 0;
  s.workloads.forEach((wl, i) => {
    const names = new Set<string>();
    wl.containers.forEach((c, j) => {
      if (names.has(c.name)) issues.push({ path: `workloads.${i}.containers.${j}.name`, message: `container name ${c.name} is used twice in this pod` });
      names.add(c.name);
      const portNames = new Set<string>();
      c.ports.forEach((p, k) => {
        if (p.name === undefined) return;
        if (portNames.has(p.name)) issues.push({ path: `workloads.${i}.containers.${j}.ports.${k}.name`, message: `port name ${p.name} is used twice in this container` });
        portNames.add(p.name);
      });
    });
    if (wl.kind === "Pod") {
      podCount++;
      if (!workers.has(wl.node)) issues.push({ path: `workloads.${i}.node`, message: `no worker named ${wl.node}` });
    } else {
      podCount += wl.replicas;
      if (wl.pods.length > wl.replicas) issues.push({ path: `workloads.${i}.pods`, message: `${wl.pods.length} placements for ${wl.replicas} replicas` });
      wl.pods.forEach((p, j) => {
        if (!workers.has(p.node)) issues.push({ path: `workloads.${i}.pods.${j}.node`, message: `no worker named ${p.node}` });
      });
    }
  });
  if (podCount > LIMITS.pods) issues.push({ path: "workloads", message: `${podCount.toLocaleString("en")} pods in all; a scenario holds at most ${LIMITS.pods.toLocaleString("en")}` });
  const services = new Set<string>();
  const nodePorts = new Map<number, { path: string; service: string; protocol: string }>();
  s.services.forEach((sv, i) => {
    const key = `${sv.namespace}/${sv.name}`;
    if (services.has(key)) issues.push({ path: `services.${i}.name`, message: `service ${key} is defined twice` });
    services.add(key);
    if (!within(svc, sv.clusterIP)) issues.push({ path: `services.${i}.clusterIP`, message: `${sv.clusterIP} is not in the service network ${s.cluster.serviceNetwork}` });
    else hostAddress(sv.clusterIP, svc, "the service network", `services.${i}.clusterIP`);
    claim(sv.clusterIP, `the cluster IP of ${key}`, `services.${i}.clusterIP`);
    const portNames = new Set<string>();
    const portKeys = new Set<string>();
    sv.ports.forEach((p, j) => {
      const path = `services.${i}.ports.${j}`;
      if (p.nodePort !== undefined && sv.type === "ClusterIP") issues.push({ path: `${path}.nodePort`, message: `a nodePort needs type NodePort or LoadBalancer` });
      if (sv.ports.length > 1 && !p.name) issues.push({ path: `${path}.name`, message: `a service with several ports must name each one` });
      if (p.name) {
        if (portNames.has(p.name)) issues.push({ path: `${path}.name`, message: `port name ${p.name} is used twice in this service` });
        portNames.add(p.name);
      }
      const pk = `${p.port}/${p.protocol}`;
      if (portKeys.has(pk)) issues.push({ path: `${path}.port`, message: `port ${pk} is listed twice in this service` });
      portKeys.add(pk);
      if (p.nodePort !== undefined) {
        const prev = nodePorts.get(p.nodePort);
        // One Service may use a nodePort for TCP and UDP alike; no two Services may share one.
        if (prev && (prev.service !== key || prev.protocol === p.protocol)) issues.push({ path: `${path}.nodePort`, message: `nodePort ${p.nodePort} is already used by ${prev.service} (${prev.path})` });
        else if (!prev) nodePorts.set(p.nodePort, { path: `${path}.nodePort`, service: key, protocol: p.protocol });
      }
    });
    issues.push(...loadBalancerIssues(s, sv, i, claim, isPublic));
    if (sv.healthCheckNodePort !== undefined) {
      const hc = sv.healthCheckNodePort;
      const prev = nodePorts.get(hc);
      // The health-check port comes from the same allocator as node ports: no service may have it already.
      if (prev) issues.push({ path: `services.${i}.healthCheckNodePort`, message: `${hc} is already a nodePort of ${prev.service} (${prev.path})` });
      else nodePorts.set(hc, { path: `services.${i}.healthCheckNodePort`, service: key, protocol: "health check" });
    }
  });
  s.cluster.workers.forEach((w, i) => {
    (w.kubeProxy?.stoppedBefore ?? []).forEach((key, j) => {
      if (!services.has(key)) issues.push({ path: `cluster.workers.${i}.kubeProxy.stoppedBefore.${j}`, message: `no service ${key}` });
    });
  });
  s.services.forEach((sv, i) => {
    sv.staleEndpoints.forEach((e, j) => {
      if (!within(pod, e.ip)) issues.push({ path: `services.${i}.staleEndpoints.${j}.ip`, message: `${e.ip} is not in the pod network ${s.cluster.podNetwork}` });
    });
  });
  s.traffic.forEach((t, i) => {
    const f = t.from;
    if ("node" in f && !nodes.has(f.node)) issues.push({ path: `traffic.${i}.from.node`, message: `no node named ${f.node}` });
    const to = t.to;
    if ("service" in to && !services.has(`${to.namespace}/${to.service}`)) issues.push({ path: `traffic.${i}.to.service`, message: `no service ${to.namespace}/${to.service}` });
    else if ("service" in to && to.via === "loadBalancer") {
      const sv = s.services.find((x) => x.namespace === to.namespace && x.name === to.service)!;
      if (sv.type !== "LoadBalancer") issues.push({ path: `traffic.${i}.to.via`, message: `service ${to.namespace}/${to.service} is of type ${sv.type}; only a LoadBalancer service has a load balancer` });
    }
    if ("node" in to && !nodes.has(to.node)) issues.push({ path: `traffic.${i}.to.node`, message: `no node named ${to.node}` });
    if (t.kind === "ping" && (t.protocol || t.port)) issues.push({ path: `traffic.${i}`, message: "ping takes no protocol or port" });
  });
  return issues;
}
