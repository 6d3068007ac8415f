/**
 * What a kube-proxy is to the cluster builder: given the service ports and endpoints it knows
 * (what the endpoints controller published), the rules one node gets, and the conntrack settings
 * it makes on start. Kubernetes 1.10 in iptables mode (the article's) is the first; today's
 * iptables and nftables modes implement the same calls.
 */
import type { ConntrackTimeouts } from "../conntrack/conntrack";

export interface ProxyEndpoint {
  readonly ip: string;
  readonly port: number;
  /** The node the endpoint's pod runs on (for externalTrafficPolicy Local). */
  readonly node?: string;
}

export interface ProxyServicePort {
  readonly namespace: string;
  readonly service: string;
  readonly portName: string;
  readonly protocol: "TCP" | "UDP";
  readonly clusterIP: string;
  readonly port: number;
  readonly nodePort?: number;
  readonly externalTrafficPolicy: "Cluster" | "Local";
  /** ClientIP: a client keeps its endpoint for `affinitySeconds` (xt_recent lists per endpoint). */
  readonly sessionAffinity?: "None" | "ClientIP";
  readonly affinitySeconds?: number;
  /** Sorted as the endpoints controller sorts them: by IP string. */
  readonly endpoints: readonly ProxyEndpoint[];
  /** type LoadBalancer: the cloud load balancer's addresses (status.loadBalancer.ingress[].ip). */
  readonly loadBalancerIPs?: readonly string[];
  /** spec.loadBalancerSourceRanges: when set, only these sources may use the load balancer's addresses. */
  readonly loadBalancerSourceRanges?: readonly string[];
  /** spec.healthCheckNodePort (externalTrafficPolicy Local on a NodePort or LoadBalancer service). */
  readonly healthCheckNodePort?: number;
}

/** The node a kube-proxy runs on, as it knows itself. */
export interface ProxyNode {
  readonly name: string;
  /** Its primary address (what --nodeport-addresses=primary means in today's releases). */
  readonly ip: string;
}

/**
 * A node's kube-proxy (and kubelet) rules: iptables-restore text for *filter and *nat (backend
 * "iptables"), or a file for `nft -f` (backend "nftables").
 */
export type ProxyRulesText = string;

export interface Proxier {
  /** Which netfilter front end its rules are written for. */
  readonly backend: "iptables" | "nftables";
  /** What the scenario names it by: `cluster.kubeProxy`'s mode and version ("1.10", "1.35"). */
  readonly mode: "iptables" | "nftables";
  readonly version: string;
  /** The rules `node` gets for these service ports. */
  rules(ports: readonly ProxyServicePort[], node: ProxyNode): ProxyRulesText;
  /** Whether nodes get different rules (externalTrafficPolicy Local), so none can be shared. */
  perNode(ports: readonly ProxyServicePort[]): boolean;
  /** The conntrack timeouts it sets on a node at start. */
  timeouts(kernel: ConntrackTimeouts): ConntrackTimeouts;
}
