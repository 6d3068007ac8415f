/**
 * Scenario → world: the article's "Kubernetes The Hard Way" cluster as the kernel would hold it.
 * Controllers and workers on the host network behind the cloud's VPC router (a fabric that does
 * not decrement TTL), each worker's CNI bridge with its pods, kube-proxy's and the CNI plugin's
 * iptables rules, and the 1:1 public-IP NAT at the VPC edge.
 */
import { formatIpv4, ipv4, parseCidr, type Ipv4 } from "../addr/ipv4";
import { KERNEL_TIMEOUTS, withKubeProxyTimeouts } from "../conntrack/conntrack";
import { formatParseError, parseIptablesSave, type ParsedSave } from "../netfilter/parse";
import { iptablesRestoreOrThrow, restoreParsed, shareRules } from "../netfilter/save";
import { hashString, seededRng } from "../rng";
import { World } from "../world";
import { HostLocal, cniMasqRules, hostVethName, netnsName, podMac } from "./cni";
import { hexId } from "./names";
import { kubeProxyRules, sortEndpoints, type ProxyServicePort } from "./kube-proxy";
import { ScenarioError, type Scenario, type ServiceSpec } from "./spec";


export interface ContainerInfo {
  readonly name: string;
  readonly image: string;
  readonly id: string;
  readonly ports: readonly { name?: string; containerPort: number; protocol: "TCP" | "UDP" }[];
}

export interface PodInfo {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly node: string;
  readonly ip: string;
  /** The network namespace's name (cni-…), which is also the engine namespace's name. */
  readonly netns: string;
  readonly hostVeth: string;
  readonly sandboxId: string;
  readonly containers: readonly ContainerInfo[];
  /** "ReplicaSet/nginx-65899c769f", "ReplicationController/busybox0", or undefined for a bare pod. */
  readonly controlledBy?: string;
  readonly cniChain?: string;
}

export interface NodeInfo {
  readonly name: string;
  readonly role: "controller" | "worker";
  readonly ip: string;
  readonly publicIp?: string;
  readonly podCidr?: string;
}

export interface ServicePortInfo extends ProxyServicePort {
  readonly targetPort: number | string;
}

export interface Cluster {
  readonly scenario: Scenario;
  readonly world: World;
  readonly nodes: readonly NodeInfo[];
  readonly pods: readonly PodInfo[];
  readonly services: readonly (ServiceSpec & { readonly portsResolved: readonly ServicePortInfo[] })[];
  readonly router: string;
  readonly client: string;
}

/** Kubernetes' alphabet for generated name suffixes (no vowels, no look-alikes). */
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** rand.SafeEncodeString: each byte of the text mapped into ALPHANUMS; "2145573259" → "65899c769f". */
export function safeEncode(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) out += ALPHANUMS[text.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

const SEGMENT_HOST = "vpc";
const SEGMENT_INTERNET = "internet";
const ROUTER = "vpc-router";

function defaultRoute(via: Ipv4, dev: string, src: Ipv4) {
  return { table: "main" as const, type: "unicast" as const, dst: parseCidr("0.0.0.0/0"), via, dev, proto: "dhcp" as const, scope: "global" as const, src, metric: 100 };
}

export function buildCluster(s: Scenario): Cluster {
  const world = new World({ seed: s.seed });
  const gateway = ipv4(s.cluster.gateway);
  const nodes: NodeInfo[] = [];
  // Generated pod names depend on the seed only, so every scenario of one cluster names its pods alike.
  const rng = seededRng(s.seed ^ hashString("pod names"));

  // The cloud: the VPC router on the host network and on the internet side, with the client.
  const clientNet = parseCidr(`${s.cloud.client.ip}/24`);
  const routerPublic = formatIpv4(clientNet.net + (ipv4(s.cloud.client.ip) === clientNet.net + 1 ? 254 : 1));
  world.addNetns({ name: ROUTER, node: ROUTER, ipForward: true, fabric: true });
  world.ether(ROUTER, "eth0", SEGMENT_HOST, "42:01:0a:f0:00:01");
  world.get(ROUTER).addAddress("eth0", `${s.cluster.gateway}/${parseCidr(s.cluster.hostNetwork).prefix}`);
  world.ether(ROUTER, "ext0", SEGMENT_INTERNET);
  world.get(ROUTER).addAddress("ext0", `${routerPublic}/24`);
  const client = s.cloud.client.name;
  world.addNetns({ name: client, node: client });
  world.ether(client, "eth0", SEGMENT_INTERNET);
  world.get(client).addAddress("eth0", `${s.cloud.client.ip}/24`);
  world.get(client).addRoute({ ...defaultRoute(ipv4(routerPublic), "eth0", ipv4(s.cloud.client.ip)), proto: "boot", metric: undefined });

  const hostPrefix = parseCidr(s.cluster.hostNetwork).prefix;
  const addHost = (name: string, ip: string, role: "controller" | "worker", publicIp?: string, podCidr?: string) => {
    const ns = world.addNetns({
      name,
      node: name,
      ipForward: role === "worker",
      bridgeNfCallIptables: role === "worker",
      timeouts: role === "worker" ? withKubeProxyTimeouts(KERNEL_TIMEOUTS) : KERNEL_TIMEOUTS,
    });
    const eth = world.ether(name, "eth0", SEGMENT_HOST, `42:01:${ipv4(ip).toString(16).padStart(8, "0").replace(/(..)(?!$)/g, "$1:")}`);
    eth.mtu = 1460;
    ns.addAddress("eth0", `${ip}/${hostPrefix}`, "global", true);
    ns.addRoute(defaultRoute(gateway, "eth0", ipv4(ip)));
    ns.addRoute({ table: "main", type: "unicast", dst: parseCidr(`${s.cluster.gateway}/32`), dev: "eth0", proto: "dhcp", scope: "link", src: ipv4(ip), metric: 100 });
    nodes.push({ name, role, ip, ...(publicIp && { publicIp }), ...(podCidr && { podCidr }) });
    return ns;
  };
  for (const c of s.cluster.controllers) {
    const ns = addHost(c.name, c.ip, "controller", c.publicIp);
    ns.listeners.push({ proto: "tcp", port: 6443, app: "kube-apiserver" });
  }
  for (const w of s.cluster.workers) addHost(w.name, w.ip, "worker", w.publicIp, w.podCidr);

  // VPC routes for the pod CIDRs and the edge's 1:1 NAT for public addresses.
  const routes = s.cloud.podRoutes === "auto" ? s.cluster.workers.map((w) => ({ dst: w.podCidr, via: w.ip })) : s.cloud.podRoutes;
  for (const r of routes) {
    world.get(ROUTER).addRoute({ table: "main", type: "unicast", dst: parseCidr(r.dst), via: ipv4(r.via), dev: "eth0", proto: "static", scope: "global" });
  }
  const edge: string[] = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"];
  for (const n of nodes) {
    if (!n.publicIp) continue;
    edge.push(`-A PREROUTING -d ${n.publicIp}/32 -m comment --comment "public IP of ${n.name}" -j DNAT --to-destination ${n.ip}`);
    edge.push(`-A POSTROUTING -s ${n.ip}/32 -o ext0 -m comment --comment "public IP of ${n.name}" -j SNAT --to-source ${n.publicIp}`);
  }
  edge.push("COMMIT", "");
  iptablesRestoreOrThrow(world.get(ROUTER).nf, edge.join("\n"), {}, "vpc-router rules");

  // Workers: the CNI bridge, then the pods in the order they were created.
  const ipam = new Map<string, HostLocal>();
  const nextVethIndex = new Map<string, number>();
  for (const w of s.cluster.workers) {
    const cni = { ...s.cluster.cni, ...w.cni };
    const hl = new HostLocal(w.podCidr);
    ipam.set(w.name, hl);
    const br = world.bridge(w.name, cni.bridge, podMac(hl.gateway));
    br.mtu = 1500;
    world.get(w.name).addAddress(cni.bridge, `${formatIpv4(hl.gateway)}/${hl.range.prefix}`);
    nextVethIndex.set(w.name, 4);
  }

  const pods: PodInfo[] = [];
  const podNames = new Set<string>();
  const sandboxOwner = new Map<string, string>();
  const containerIds = new Set<string>();
  const uniqueContainerId = (seed: string) => {
    let id = hexId(seed);
    for (let k = 1; containerIds.has(id); k++) id = hexId(`${seed}/${k}`);
    containerIds.add(id);
    return id;
  };
  const addPod = (spec: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    node: string;
    ip?: string;
    sandboxId?: string;
    containers: Scenario["workloads"][number]["containers"];
    controlledBy?: string;
    path: string;
  }) => {
    const worker = s.cluster.workers.find((w) => w.name === spec.node);
    if (!worker) throw new ScenarioError(`${spec.path}.node`, `no worker named ${spec.node}`);
    if (podNames.has(spec.name)) throw new ScenarioError(spec.path, `pod ${spec.name} exists twice`);
    podNames.add(spec.name);
    const hl = ipam.get(worker.name)!;
    let ip: number;
    if (spec.ip !== undefined) {
      const problem = hl.reserve(ipv4(spec.ip));
      if (problem) throw new ScenarioError(`${spec.path}.ip`, problem);
      ip = ipv4(spec.ip);
    } else {
      const got = hl.next();
      if (got === undefined) throw new ScenarioError(spec.path, `host-local on ${worker.name} has no free address left in ${worker.podCidr}`);
      ip = got;
    }
    const cni = { ...s.cluster.cni, ...worker.cni };
    // The real IDs and names are random draws; these are derived from the pod, and a derived one
    // that is already taken (a 32-bit seed repeats among tens of thousands of pods) is drawn
    // again, as the runtime would retry, so no two pods share a sandbox, a namespace or a veth.
    let sandboxId: string;
    if (spec.sandboxId !== undefined) {
      const owner = sandboxOwner.get(spec.sandboxId);
      if (owner) throw new ScenarioError(`${spec.path}.sandboxId`, `sandbox ID ${spec.sandboxId.slice(0, 12)}… is already pod ${owner}'s`);
      sandboxId = spec.sandboxId;
    } else {
      sandboxId = hexId(`sandbox/${spec.namespace}/${spec.name}`);
      for (let k = 1; sandboxOwner.has(sandboxId); k++) sandboxId = hexId(`sandbox/${spec.namespace}/${spec.name}/${k}`);
    }
    sandboxOwner.set(sandboxId, spec.name);
    let netns = netnsName(sandboxId);
    for (let k = 1; world.namespaces.has(netns); k++) netns = netnsName(sandboxId, k);
    const nodeNs = world.get(worker.name);
    let hostVeth = hostVethName(sandboxId);
    for (let k = 1; nodeNs.iface(hostVeth); k++) hostVeth = hostVethName(sandboxId, k);
    world.addNetns({ name: netns, node: worker.name, pod: spec.name });
    const index = nextVethIndex.get(worker.name)!;
    nextVethIndex.set(worker.name, index + 1);
    world.veth({ ns: netns, name: "eth0", mac: podMac(ip), ifindex: 3 }, { ns: worker.name, name: hostVeth, ifindex: index });
    world.enslave(worker.name, hostVeth, cni.bridge);
    const podNs = world.get(netns);
    podNs.addAddress("eth0", `${formatIpv4(ip)}/${hl.range.prefix}`);
    podNs.addRoute({ table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: hl.gateway as Ipv4, dev: "eth0", proto: "boot", scope: "global" });
    const containers: ContainerInfo[] = spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      id: uniqueContainerId(`container/${spec.namespace}/${spec.name}/${c.name}`),
      ports: c.ports.map((p) => ({ ...(p.name && { name: p.name }), containerPort: p.containerPort, protocol: p.protocol })),
    }));
    for (const c of containers) for (const p of c.ports) podNs.listeners.push({ proto: p.protocol === "TCP" ? "tcp" : "udp", port: p.containerPort, app: c.name });
    const masq = cni.ipMasq ? cniMasqRules(cni.name, sandboxId, worker.podCidr) : undefined;
    pods.push({
      name: spec.name,
      namespace: spec.namespace,
      labels: spec.labels,
      node: worker.name,
      ip: formatIpv4(ip),
      netns,
      hostVeth,
      sandboxId,
      containers,
      ...(spec.controlledBy && { controlledBy: spec.controlledBy }),
      ...(masq && { cniChain: masq.chain }),
    });
  };

  s.workloads.forEach((wl, i) => {
    const path = `workloads.${i}`;
    if (wl.kind === "Pod") {
      addPod({ name: wl.name, namespace: wl.namespace, labels: wl.labels, node: wl.node, ...(wl.ip && { ip: wl.ip }), ...(wl.sandboxId && { sandboxId: wl.sandboxId }), containers: wl.containers, path });
      return;
    }
    let prefix = wl.name;
    let controlledBy = `ReplicationController/${wl.name}`;
    const labels = { ...wl.labels };
    if (wl.kind === "Deployment") {
      const hash = wl.podTemplateHash ?? hashString(JSON.stringify({ labels: wl.labels, containers: wl.containers }));
      prefix = `${wl.name}-${safeEncode(String(hash))}`;
      controlledBy = `ReplicaSet/${prefix}`;
      labels["pod-template-hash"] = String(hash);
    }
    for (let r = 0; r < wl.replicas; r++) {
      const placement = wl.pods[r];
      const worker = placement?.node ?? s.cluster.workers[r % s.cluster.workers.length]!.name;
      let name = placement?.name;
      while (name === undefined || podNames.has(name)) {
        let suffix = "";
        for (let k = 0; k < 5; k++) suffix += ALPHANUMS[rng.nextU32() % ALPHANUMS.length];
        name = `${prefix}-${suffix}`;
      }
      addPod({
        name,
        namespace: wl.namespace,
        labels,
        node: worker,
        ...(placement?.ip && { ip: placement.ip }),
        ...(placement?.sandboxId && { sandboxId: placement.sandboxId }),
        containers: wl.containers,
        controlledBy,
        path: placement ? `${path}.pods.${r}` : path,
      });
    }
  });

  // Services: the implicit default/kubernetes first, then the scenario's, endpoints resolved.
  const allServices: ServiceSpec[] = [];
  const serviceNet = parseCidr(s.cluster.serviceNetwork);
  if (!s.services.some((sv) => sv.namespace === "default" && sv.name === "kubernetes")) {
    allServices.push({
      name: "kubernetes",
      namespace: "default",
      type: "ClusterIP",
      clusterIP: formatIpv4(serviceNet.net + 1),
      // As the apiserver's bootstrap controller creates it.
      labels: { component: "apiserver", provider: "kubernetes" },
      selector: {},
      ports: [{ name: "https", protocol: "TCP", port: 443, targetPort: 6443 }],
      externalTrafficPolicy: "Cluster",
      // Kubernetes 1.10.2 (KTHW's version in 2018) created it with ClientIP affinity; 1.10.5+
      // and 1.11+ use None (kubernetes PR #56690).
      sessionAffinity: "ClientIP",
    });
  }
  for (const sv of s.services) allServices.push(sv);
  const index = labelIndex(pods);
  const services = allServices.map((sv) => ({ ...sv, portsResolved: resolvePorts(sv, index, s) }));
  const proxyPorts = services.flatMap((sv) => sv.portsResolved);

  // kube-proxy writes the same rules on every node (but for KUBE-XLB's local endpoints), so the
  // text is generated and parsed once, on first need, and each node gets its own copy of the
  // rules when a packet first reaches it.
  const needsPerNode = proxyPorts.some((p) => p.externalTrafficPolicy === "Local" && p.nodePort !== undefined);
  let shared: ParsedSave | undefined;
  const proxyRulesFor = (node: string): ParsedSave => {
    if (shared && !needsPerNode) return shared;
    const r = parseIptablesSave(proxyText(kubeProxyRules(proxyPorts, s.cluster.podNetwork, node)));
    if (!r.ok) throw new Error(formatParseError(r.error, `${node}'s kube-proxy rules`));
    if (needsPerNode) return r.value;
    // One set of rule objects for every node; each node counts in its own tables' overlays.
    shared = shareRules(r.value);
    return shared;
  };
  const podsByNode = new Map<string, PodInfo[]>();
  for (const p of pods) {
    const list = podsByNode.get(p.node) ?? [];
    list.push(p);
    podsByNode.set(p.node, list);
  }
  for (const w of s.cluster.workers) {
    const cni = { ...s.cluster.cni, ...w.cni };
    world.get(w.name).loadRulesLater((nf) => {
      const loaded = restoreParsed(nf, proxyRulesFor(w.name), { shareRules: true });
      if (!loaded.ok) throw new Error(formatParseError(loaded.error, `${w.name}'s kube-proxy rules`));
      if (!cni.ipMasq) return;
      // The CNI plugin's chains, one per pod, after kube-proxy's POSTROUTING jump.
      const chains: string[] = [];
      const rules: string[] = [];
      for (const p of podsByNode.get(w.name) ?? []) {
        const m = cniMasqRules(cni.name, p.sandboxId, w.podCidr);
        chains.push(`:${m.chain} - [0:0]`);
        rules.push(m.postrouting, m.chainRules[0]!, m.chainRules[1]!);
      }
      if (rules.length) iptablesRestoreOrThrow(nf, ["*nat", ...chains, ...rules, "COMMIT", ""].join("\n"), { noflush: true }, `${w.name}'s CNI rules`);
    });
  }

  return { scenario: s, world, nodes, pods, services, router: ROUTER, client };
}

/** kube-proxy's and kubelet's rules as one iptables-restore text for *filter and *nat. */
function proxyText(rules: ReturnType<typeof kubeProxyRules>): string {
  return [
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ...rules.filterChains,
    ...rules.filterRules,
    "COMMIT",
    "*nat",
    ":PREROUTING ACCEPT [0:0]",
    ":INPUT ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":POSTROUTING ACCEPT [0:0]",
    ...rules.natChains,
    ...rules.natRules,
    "COMMIT",
    "",
  ].join("\n");
}

/** Pods by "namespace/key=value", so a selector looks at the few pods that carry its first label. */
function labelIndex(pods: readonly PodInfo[]): Map<string, PodInfo[]> {
  const index = new Map<string, PodInfo[]>();
  for (const p of pods) {
    for (const [k, val] of Object.entries(p.labels)) {
      const key = `${p.namespace}/${k}=${val}`;
      const list = index.get(key);
      if (list) list.push(p);
      else index.set(key, [p]);
    }
  }
  return index;
}

function resolvePorts(sv: ServiceSpec, index: ReadonlyMap<string, readonly PodInfo[]>, s: Scenario): ServicePortInfo[] {
  const terms = Object.entries(sv.selector);
  const candidates = terms.length === 0 ? [] : (index.get(`${sv.namespace}/${terms[0]![0]}=${terms[0]![1]}`) ?? []);
  const selected = candidates.filter((p) => terms.every(([k, val]) => p.labels[k] === val));
  return sv.ports.map((port) => {
    const target = port.targetPort ?? port.port;
    let endpoints: { ip: string; port: number; node?: string }[];
    if (sv.namespace === "default" && sv.name === "kubernetes" && Object.keys(sv.selector).length === 0) {
      // The API server publishes its own endpoints: the controllers.
      endpoints = s.cluster.controllers.map((c) => ({ ip: c.ip, port: typeof target === "number" ? target : 6443, node: c.name }));
    } else {
      endpoints = [];
      for (const p of selected) {
        let num: number | undefined = typeof target === "number" ? target : undefined;
        if (typeof target === "string") {
          num = p.containers.flatMap((c) => c.ports).find((cp) => cp.name === target && cp.protocol === port.protocol)?.containerPort;
        }
        if (num !== undefined) endpoints.push({ ip: p.ip, port: num, node: p.node });
      }
    }
    return {
      namespace: sv.namespace,
      service: sv.name,
      portName: port.name,
      protocol: port.protocol,
      clusterIP: sv.clusterIP,
      port: port.port,
      ...(port.nodePort !== undefined && { nodePort: port.nodePort }),
      externalTrafficPolicy: sv.externalTrafficPolicy,
      sessionAffinity: sv.sessionAffinity,
      endpoints: sortEndpoints(endpoints),
      targetPort: target,
    };
  });
}
