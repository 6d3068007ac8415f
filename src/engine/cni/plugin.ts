/**
 * What a CNI plugin is to the cluster builder: it sets a node up, connects each pod's network
 * namespace (the runtime made it) and says which address the pod got, and owns some iptables
 * rules on the node. The bridge plugin with host-local IPAM (the article's) is the first; an
 * overlay (flannel) or routed pods (Calico) implement the same three calls.
 */
import type { World } from "../world";

/** A worker as a CNI plugin (and its node agent) sees it: its name and address, its pod CIDR, the cluster's pod network and the plugin's configuration there. */
export interface CniNode {
  readonly name: string;
  /** The node's address on the host network (eth0's). */
  readonly ip: string;
  readonly podCidr: string;
  /** The cluster's pod network (flannel's Network). */
  readonly podNetwork: string;
  readonly config: CniConfig;
}

/** The network configuration (10-bridge.conf's keys for the bridge plugin). */
export interface CniConfig {
  /** The network's name, part of every CNI chain name and comment ("bridge" in KTHW). */
  readonly name: string;
  readonly bridge: string;
  readonly isGateway: boolean;
  readonly ipMasq: boolean;
  readonly hairpinMode: boolean;
  /** Calico's IP pool encapsulation (cluster.cni.encapsulation), when the plugin is Calico. */
  readonly encapsulation?: "none" | "ipip" | "vxlan";
}

/** CNI ADD's input: the container, its network namespace, an address asked for, and where in the scenario it came from. */
export interface PodAttachment {
  readonly containerId: string;
  readonly netns: string;
  readonly ip?: number;
  /** The scenario path errors name ("workloads.2.pods.0"). */
  readonly path: string;
  /** The pod's namespace and name, as the CNI gets them from kubelet (K8S_POD_NAMESPACE, K8S_POD_NAME). */
  readonly namespace?: string;
  readonly name?: string;
}

/** CNI ADD's result. */
export interface PodNetwork {
  readonly ip: number;
  /** The host end of the pod's link (a veth on the node). */
  readonly hostIface: string;
  /** The nat chain the plugin made for the pod, if any (the bridge plugin's ipMasq chain). */
  readonly natChain?: string;
}

/** iptables-restore lines for one table: the chains (`:NAME - [0:0]`) and the rules, appended after what is there. */
export interface TableLines {
  readonly chains: readonly string[];
  readonly rules: readonly string[];
}

export interface CniPlugin {
  /** What `cluster.cni.type` names. */
  readonly type: "bridge" | "flannel" | "calico";
  /** Sets a node up before its first pod. */
  setUpNode(world: World, node: CniNode): void;
  /**
   * Once every node is set up: what each node's agent learns of the others (flanneld's routes,
   * neighbour and FDB entries for each remote lease; the routes BGP would install).
   */
  connectNodes?(world: World, nodes: readonly CniNode[]): void;
  /** The filter chains and rules the plugin (or its node agent) owns on a node. */
  filterRules?(node: CniNode): TableLines;
  /** Connects a pod; throws a ScenarioError (at `pod.path`) for an address it cannot give. */
  addPod(world: World, node: CniNode, pod: PodAttachment): PodNetwork;
  /** The nat chains and rules the plugin owns on a node, as iptables-restore lines, given its pods. */
  natRules(node: CniNode, pods: readonly { readonly containerId: string }[]): TableLines;
  /** The raw chains and rules the plugin's node agent owns (felix's). */
  rawRules?(node: CniNode): TableLines;
  /** The ipsets the plugin's node agent keeps on a node (felix's), by name: their members as CIDRs. */
  ipsets?(node: CniNode): Readonly<Record<string, readonly string[]>>;
}
