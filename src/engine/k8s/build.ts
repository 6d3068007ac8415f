/**
 * Scenario → world: the cluster as the kernel would hold it, assembled from its components.
 * The cloud (cloud/vpc.ts: the VPC router, the client, the edge's 1:1 NAT), the nodes on the host
 * network, the CNI plugin (cni/: the bridge plugin by default) setting each worker up and
 * connecting the pods the runtime creates, the endpoints controller (endpoints.ts) resolving
 * services, and kube-proxy (kube-proxy/: 1.10 in iptables mode by default) writing each node's
 * rules when a packet first reaches it.
 */
import { formatIpv4, ipv4, parseCidr } from "../addr/ipv4";
import { cniPluginOf } from "../cni/select";
import type { CniNode, CniPlugin } from "../cni/plugin";
import { dhcpDefaultRoute, loadBalancerFrontends, publishLoadBalancers, routeAndPublish, setUpCloud, SEGMENT_HOST } from "../cloud/vpc";
import { KERNEL_TIMEOUTS } from "../conntrack/conntrack";
import type { Proxier } from "../kube-proxy/proxier";
import { resolveKubeProxy } from "../kube-proxy/releases";
import { proxierFor } from "../kube-proxy/select";
import { kubeletIptablesText } from "../kube-proxy/kubelet";
import { nftRuntime } from "../nftables/runtime";
import { formatParseError, parseIptablesSave, type ParsedSave } from "../netfilter/parse";
import { iptablesRestoreOrThrow, restoreParsed, shareRules } from "../netfilter/save";
import type { Ruleset } from "../netfilter/types";
import { hashString, seededRng } from "../rng";
import { World } from "../world";
import { labelIndex, resolvePorts, sortEndpoints, type ServicePortInfo } from "./endpoints";
import { ALPHANUMS, hexId, netnsName, safeEncode } from "./ids";
import { ScenarioError, type Scenario, type ServiceSpec } from "./spec";

export type { ServicePortInfo } from "./endpoints";
export { safeEncode } from "./ids";

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

export interface Cluster {
  readonly scenario: Scenario;
  readonly world: World;
  readonly nodes: readonly NodeInfo[];
  readonly pods: readonly PodInfo[];
  readonly services: readonly (ServiceSpec & { readonly portsResolved: readonly ServicePortInfo[] })[];
  readonly router: string;
  readonly client: string;
}

/** The cluster's components: which CNI plugin sets pods up and which kube-proxy writes service rules. */
export interface Components {
  readonly cni: CniPlugin;
  readonly proxier: Proxier;
}

/** The scenario's: the CNI bridge plugin v0.6.0 (the article's) and the kube-proxy `cluster.kubeProxy` names (1.10 in iptables mode, the article's, by default). */
export function scenarioComponents(s: Scenario): Components {
  return { cni: cniPluginFor(s), proxier: proxierFor(resolveKubeProxy(s.cluster.kubeProxy), s.cluster) };
}

/** The CNI plugin `cluster.cni.type` names: the bridge plugin (the article's) unless it says otherwise. */
export function cniPluginFor(s: Scenario): CniPlugin {
  const type = s.cluster.cni.type ?? "bridge";
  if (type === "calico") {
    // validateScenario requires the encapsulation and refuses "ipip" (not modelled); a scenario built unvalidated gets the same words.
    const encap = s.cluster.cni.encapsulation;
    if (encap !== "none" && encap !== "vxlan") throw new ScenarioError("cluster.cni.encapsulation", encap === "ipip" ? "IP-in-IP is not modelled yet" : `Calico needs its IP pool's encapsulation named: "none" or "vxlan"`);
  }
  return cniPluginOf(type);
}

export function buildCluster(s: Scenario, components: Components = scenarioComponents(s)): Cluster {
  const { cni, proxier } = components;
  const world = new World({ seed: s.seed });
  const nodes: NodeInfo[] = [];

  const { router, client } = setUpCloud(world, s);
  for (const c of s.cluster.controllers) {
    const ns = addNode(world, s, nodes, { name: c.name, ip: c.ip, role: "controller", ...(c.publicIp && { publicIp: c.publicIp }) }, KERNEL_TIMEOUTS);
    ns.listeners.push({ proto: "tcp", port: 6443, app: "kube-apiserver" });
  }
  for (const w of s.cluster.workers) {
    const ns = addNode(world, s, nodes, { name: w.name, ip: w.ip, role: "worker", podCidr: w.podCidr, ...(w.publicIp && { publicIp: w.publicIp }) }, proxier.timeouts(KERNEL_TIMEOUTS));
    // What-if sysctls: otherwise a worker forwards and passes bridged frames to iptables.
    const forward = w.sysctl?.["net.ipv4.ip_forward"];
    const bridged = w.sysctl?.["net.bridge.bridge-nf-call-iptables"];
    if (forward !== undefined) ns.sysctl.ipForward = forward === 1;
    if (bridged !== undefined) ns.sysctl.bridgeNfCallIptables = bridged === 1;
  }
  routeAndPublish(world, s, nodes);

  const cniNodes = new Map<string, CniNode>(
    s.cluster.workers.map((w) => [w.name, { name: w.name, ip: w.ip, podCidr: w.podCidr, podNetwork: s.cluster.podNetwork, config: { ...s.cluster.cni, ...w.cni } }]),
  );
  for (const n of cniNodes.values()) cni.setUpNode(world, n);
  cni.connectNodes?.(world, [...cniNodes.values()]);
  const pods = createPods(world, s, cni, cniNodes);

  // Services: the implicit default/kubernetes first, then the scenario's, endpoints resolved.
  const allServices: ServiceSpec[] = [];
  if (!s.services.some((sv) => sv.namespace === "default" && sv.name === "kubernetes")) allServices.push(kubernetesService(s));
  for (const sv of s.services) allServices.push(sv);
  const index = labelIndex(pods);
  const services = allServices.map((sv) => ({ ...sv, portsResolved: resolvePorts(sv, index, s) }));
  loadNodeRules(world, s, proxier, cni, cniNodes, services.flatMap((sv) => sv.portsResolved), pods);
  publishLoadBalancers(world, s, loadBalancerFrontends(s, services.flatMap((sv) => sv.portsResolved)));
  return { scenario: s, world, nodes, pods, services, router, client };
}

/** A controller or worker on the host network, behind the VPC router. */
function addNode(
  world: World,
  s: Scenario,
  nodes: NodeInfo[],
  n: NodeInfo,
  timeouts: typeof KERNEL_TIMEOUTS,
) {
  const gateway = ipv4(s.cluster.gateway);
  const ns = world.addNetns({ name: n.name, node: n.name, ipForward: n.role === "worker", bridgeNfCallIptables: n.role === "worker", timeouts });
  const eth = world.ether(n.name, "eth0", SEGMENT_HOST, `42:01:${ipv4(n.ip).toString(16).padStart(8, "0").replace(/(..)(?!$)/g, "$1:")}`);
  eth.mtu = 1460;
  ns.addAddress("eth0", `${n.ip}/${parseCidr(s.cluster.hostNetwork).prefix}`, "global", true);
  ns.addRoute(dhcpDefaultRoute(gateway, "eth0", ipv4(n.ip)));
  ns.addRoute({ table: "main", type: "unicast", dst: parseCidr(`${s.cluster.gateway}/32`), dev: "eth0", proto: "dhcp", scope: "link", src: ipv4(n.ip), metric: 100 });
  nodes.push(n);
  return ns;
}

/** default/kubernetes, as the apiserver's bootstrap controller creates it. */
function kubernetesService(s: Scenario): ServiceSpec {
  return {
    name: "kubernetes",
    namespace: "default",
    type: "ClusterIP",
    clusterIP: formatIpv4(parseCidr(s.cluster.serviceNetwork).net + 1),
    labels: { component: "apiserver", provider: "kubernetes" },
    selector: {},
    ports: [{ name: "https", protocol: "TCP", port: 443, targetPort: 6443 }],
    externalTrafficPolicy: "Cluster",
    // Kubernetes 1.10.2 (KTHW's version in 2018) created it with ClientIP affinity; 1.10.5+
    // and 1.11+ use None (kubernetes PR #56690), so a cluster of today's release has None.
    sessionAffinity: resolveKubeProxy(s.cluster.kubeProxy).version === "1.10" ? "ClientIP" : "None",
    staleEndpoints: [],
  };
}

/**
 * The pods, in the order their controllers create them: kubelet and containerd make each pod's
 * sandbox (its ID and network namespace) and containers, and the CNI plugin connects it.
 */
function createPods(world: World, s: Scenario, cni: CniPlugin, cniNodes: ReadonlyMap<string, CniNode>): PodInfo[] {
  // Generated pod names depend on the seed only, so every scenario of one cluster names its pods alike.
  const rng = seededRng(s.seed ^ hashString("pod names"));
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
  // Pods on each worker so far, for "spread" placement: the worker with the fewest, the first listed of equals.
  const load = new Map<string, number>();
  const leastLoaded = () => {
    let best = s.cluster.workers[0]!.name;
    let fewest = Infinity;
    for (const w of s.cluster.workers) {
      const n = load.get(w.name) ?? 0;
      if (n < fewest) {
        best = w.name;
        fewest = n;
        if (n === 0) break;
      }
    }
    return best;
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
    const node = cniNodes.get(spec.node);
    if (!node) throw new ScenarioError(`${spec.path}.node`, `no worker named ${spec.node}`);
    if (podNames.has(spec.name)) throw new ScenarioError(spec.path, `pod ${spec.name} exists twice`);
    podNames.add(spec.name);
    load.set(node.name, (load.get(node.name) ?? 0) + 1);
    // The real IDs and names are random draws; these are derived from the pod, and a derived one
    // that is already taken (a 32-bit seed repeats among tens of thousands of pods) is drawn
    // again, as the runtime would retry, so no two pods share a sandbox or a namespace.
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
    world.addNetns({ name: netns, node: node.name, pod: spec.name });
    const net = cni.addPod(world, node, { containerId: sandboxId, netns, ...(spec.ip !== undefined && { ip: ipv4(spec.ip) }), path: spec.path, namespace: spec.namespace, name: spec.name });
    const containers: ContainerInfo[] = spec.containers.map((c) => ({
      name: c.name,
      image: c.image,
      id: uniqueContainerId(`container/${spec.namespace}/${spec.name}/${c.name}`),
      ports: c.ports.map((p) => ({ ...(p.name && { name: p.name }), containerPort: p.containerPort, protocol: p.protocol })),
    }));
    const podNs = world.get(netns);
    for (const c of containers) for (const p of c.ports) podNs.listeners.push({ proto: p.protocol === "TCP" ? "tcp" : "udp", port: p.containerPort, app: c.name });
    pods.push({
      name: spec.name,
      namespace: spec.namespace,
      labels: spec.labels,
      node: node.name,
      ip: formatIpv4(net.ip),
      netns,
      hostVeth: net.hostIface,
      sandboxId,
      containers,
      ...(spec.controlledBy && { controlledBy: spec.controlledBy }),
      ...(net.natChain && { cniChain: net.natChain }),
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
      const worker = placement?.node ?? (wl.placement === "spread" ? leastLoaded() : s.cluster.workers[r % s.cluster.workers.length]!.name);
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
  return pods;
}

/**
 * Each worker's rules, built when a packet first reaches the node: kube-proxy's (the same rule
 * objects on every node when they do not differ, each node counting in its own tables), then the
 * CNI plugin's chains after kube-proxy's POSTROUTING jump.
 */
function loadNodeRules(
  world: World,
  s: Scenario,
  proxier: Proxier,
  cni: CniPlugin,
  cniNodes: ReadonlyMap<string, CniNode>,
  ports: readonly ServicePortInfo[],
  pods: readonly PodInfo[],
): void {
  // A stale endpoint's rules remain (kube-proxy missed its pod's end); the Endpoints object has it no more.
  const proxied = ports.map((p) => (p.staleEndpoints.length ? { ...p, endpoints: sortEndpoints([...p.endpoints, ...p.staleEndpoints]) } : p));
  // A node whose kube-proxy stopped before a service was created has none of its rules.
  const stopped = new Map(s.cluster.workers.map((w) => [w.name, new Set(w.kubeProxy?.stoppedBefore ?? [])]));
  const portsOn = (node: string) => {
    const missing = stopped.get(node);
    return missing && missing.size ? proxied.filter((p) => !missing.has(`${p.namespace}/${p.service}`)) : proxied;
  };
  const ipOf = new Map(s.cluster.workers.map((w) => [w.name, w.ip]));
  const needsPerNode = proxier.perNode(proxied) || [...stopped.values()].some((m) => m.size > 0);
  let shared: ParsedSave | undefined;
  const proxyRulesFor = (node: string): ParsedSave => {
    if (shared && !needsPerNode) return shared;
    const r = parseIptablesSave(proxier.rules(portsOn(node), { name: node, ip: ipOf.get(node)! }));
    if (!r.ok) throw new Error(formatParseError(r.error, `${node}'s kube-proxy rules`));
    if (needsPerNode) return r.value;
    shared = shareRules(r.value);
    return shared;
  };
  const podsByNode = new Map<string, PodInfo[]>();
  for (const p of pods) {
    const list = podsByNode.get(p.node) ?? [];
    list.push(p);
    podsByNode.set(p.node, list);
  }
  if (proxier.backend === "nftables") {
    // kube-proxy's rules are an nftables table of their own; the node's iptables (the nf_tables
    // variant) holds kubelet's chains and, once pods run, the CNI plugin's.
    for (const w of s.cluster.workers) {
      const node = cniNodes.get(w.name)!;
      const ns = world.get(w.name);
      ns.loadRulesLater((nf) => {
        iptablesRestoreOrThrow(nf, kubeletIptablesText(), {}, `${w.name}'s kubelet rules`);
        loadCniRules(nf, cni, node, podsByNode.get(w.name) ?? []);
      });
      ns.loadNftLater((rs) => nftRuntime().load(rs, proxier.rules(portsOn(w.name), { name: w.name, ip: w.ip }), `${w.name}'s kube-proxy rules`));
    }
    return;
  }
  for (const w of s.cluster.workers) {
    const node = cniNodes.get(w.name)!;
    world.get(w.name).loadRulesLater((nf) => {
      const loaded = restoreParsed(nf, proxyRulesFor(w.name), { shareRules: true });
      if (!loaded.ok) throw new Error(formatParseError(loaded.error, `${w.name}'s kube-proxy rules`));
      loadCniRules(nf, cni, node, podsByNode.get(w.name) ?? []);
    });
  }
}

/** The CNI plugin's (and its node agent's) ipsets and chains, after kube-proxy's and kubelet's: raw, nat, then filter. */
function loadCniRules(nf: Ruleset, cni: CniPlugin, node: CniNode, pods: readonly PodInfo[]): void {
  const sets = cni.ipsets?.(node);
  if (sets) for (const [name, members] of Object.entries(sets)) nf.ipsets.set(name, members.map((m) => parseCidr(m)));
  const raw = cni.rawRules?.(node);
  if (raw?.rules.length) iptablesRestoreOrThrow(nf, ["*raw", ...raw.chains, ...raw.rules, "COMMIT", ""].join("\n"), { noflush: true }, `${node.name}'s CNI rules`);
  const nat = cni.natRules(node, pods.map((p) => ({ containerId: p.sandboxId })));
  if (nat.rules.length) iptablesRestoreOrThrow(nf, ["*nat", ...nat.chains, ...nat.rules, "COMMIT", ""].join("\n"), { noflush: true }, `${node.name}'s CNI rules`);
  const filter = cni.filterRules?.(node);
  if (filter?.rules.length) iptablesRestoreOrThrow(nf, ["*filter", ...filter.chains, ...filter.rules, "COMMIT", ""].join("\n"), { noflush: true }, `${node.name}'s CNI rules`);
}
