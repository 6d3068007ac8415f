/**
 * kube-proxy 1.37 in nftables mode: the transaction its first full sync feeds `nft -f` on a node
 * (table `ip kube-proxy`, IPv4 only), command for command as knftables writes it.
 *
 * Facts read (never copied) in kubernetes/kubernetes pkg/proxy/nftables/proxier.go at commit
 * 736e3b684ef15171cbe0dc15d2b335131ed9a726 and the expected dumps of proxier_test.go at
 * 26c0309663d6df7426e5ce03835f15c34b1c7399 (the newest stored versions: they carry the
 * KubeProxyNFTablesLocalhostNodePorts gate, alpha since 1.37, so they are 1.37's layout or a
 * little later), and knftables v0.0.22 (objects.go: how each command is written, numeric
 * priorities, `comment %q`). This layout (since PRs #135800/#136499 and the DNAT maps of 2026) has
 * no mark-for-masquerade chain: rules set the mark themselves (`mark set mark or 0x00004000`), the
 * services chain marks cluster IP traffic from outside the cluster CIDR, masquerading also
 * masquerades hairpin connections listed in the hairpin-connections set, and a service without
 * ClientIP affinity DNATs in its own chain (`dnat ip addr . port to numgen random mod N map`, or
 * to the one endpoint) with no endpoint- chains. Where the two sources differ (a single endpoint:
 * `dnat to IP:PORT` in proxier.go, `dnat ip addr . port to IP . PORT` in the test dump), this
 * writes the test's form; nft lists both as `dnat to IP:PORT`.
 *
 * The node's kube-proxy runs with --cluster-cidr (so "local" traffic is `ip saddr <cidr>`), the
 * default --nodeport-addresses=primary of nftables mode (the set nodeport-ips holds the node's
 * primary address), masquerade bit 14, no --masquerade-all, and the localhost NodePorts gate off
 * (its map, chains and counters are added and deleted again, as kube-proxy does; the protocol
 * order tcp, udp, sctp is assumed). The ServiceCIDR objects name the service network. Every
 * endpoint is ready; internalTrafficPolicy is Cluster; no externalIPs.
 *
 * Where kube-proxy's order is Go map order (services, and an eTP=Local service's endpoints),
 * this writes services as given and endpoints as sorted; `nft list` prints sets, maps and chains
 * in the order they were created, so a real node's listing may order its services differently.
 */
import { withKubeProxyTimeouts } from "../conntrack/conntrack";
import { endpointBase, servicePortBase, servicePortNameString } from "./nft-names";
import type { Proxier, ProxyEndpoint, ProxyNode, ProxyServicePort } from "./proxier";

export const KUBE_PROXY_TABLE = "kube-proxy";
/** fmt.Sprintf("%#08x", 1<<14): Go pads the digits to 8, then prefixes 0x. */
export const MASQ_MARK = "0x00004000";
const MASQ_RULE = `mark set mark or ${MASQ_MARK}`;

/** The base chains: name, type, hook, priority as knftables writes it (a number). */
export const NFT_BASE_CHAINS: readonly { name: string; type: "filter" | "nat"; hook: string; priority: number }[] = [
  { name: "filter-prerouting-pre-dnat", type: "filter", hook: "prerouting", priority: -110 },
  { name: "filter-output-pre-dnat", type: "filter", hook: "output", priority: -110 },
  { name: "filter-input", type: "filter", hook: "input", priority: 0 },
  { name: "filter-forward", type: "filter", hook: "forward", priority: 0 },
  { name: "filter-output", type: "filter", hook: "output", priority: 0 },
  { name: "nat-prerouting", type: "nat", hook: "prerouting", priority: -100 },
  { name: "nat-output", type: "nat", hook: "output", priority: -100 },
  { name: "nat-postrouting", type: "nat", hook: "postrouting", priority: 100 },
];

/** The jumps from base chains to kube-proxy's top-level chains, in kube-proxy's order. */
const JUMPS: readonly { to: string; from: string; match: string }[] = [
  { to: "nodeport-endpoints-check", from: "filter-input", match: "ct state new" },
  { to: "service-endpoints-check", from: "filter-input", match: "ct state new" },
  { to: "service-endpoints-check", from: "filter-forward", match: "ct state new" },
  { to: "service-endpoints-check", from: "filter-output", match: "ct state new" },
  { to: "firewall-check", from: "filter-prerouting-pre-dnat", match: "ct state new" },
  { to: "firewall-check", from: "filter-output-pre-dnat", match: "ct state new" },
  { to: "services", from: "nat-output", match: "" },
  { to: "services", from: "nat-prerouting", match: "" },
  { to: "masquerading", from: "nat-postrouting", match: "" },
  { to: "cluster-ips-check", from: "filter-forward", match: "ct state new" },
  { to: "cluster-ips-check", from: "filter-output", match: "ct state new" },
];

const T = `ip ${KUBE_PROXY_TABLE}`;

/** Go's %q for the ASCII text kube-proxy puts in comments. */
function q(text: string): string {
  return JSON.stringify(text);
}

export interface NftProxyOptions {
  /** --cluster-cidr: traffic from it is "local" (pods). */
  readonly clusterCidr: string;
  /** The ServiceCIDRs of the IPv4 family, as kube-proxy joins them ("a,b"). */
  readonly serviceCidrs: readonly string[];
  readonly node: ProxyNode;
}

/** Writes a transaction as knftables does: one command a line. */
class Tx {
  readonly lines: string[] = [];
  private readonly created = new Set<string>();
  private readonly elements = new Map<string, Set<string>>();

  add(line: string): void {
    this.lines.push(line);
  }
  /** ensureChain: add and flush a chain once a transaction. */
  ensureChain(name: string): void {
    if (this.created.has(name)) return;
    this.created.add(name);
    this.add(`add chain ${T} ${name}`);
    this.add(`flush chain ${T} ${name}`);
  }
  rule(chain: string, rule: string, comment?: string): void {
    this.add(`add rule ${T} ${chain} ${rule}${comment === undefined ? "" : ` comment ${q(comment)}`}`);
  }
  /** ensureElem: an element whose key is already in the set or map this sync is not written again. */
  element(container: string, key: readonly string[], value?: string, comment?: string): void {
    const k = key.join(" . ");
    let seen = this.elements.get(container);
    if (!seen) this.elements.set(container, (seen = new Set()));
    if (seen.has(k)) return;
    seen.add(k);
    const c = comment === undefined ? "" : ` comment ${q(comment)}`;
    this.add(`add element ${T} ${container} { ${k}${c}${value === undefined ? "" : ` : ${value}`} }`);
  }
}

/** setupNFTables: the table, base chains, top-level chains, sets and maps of a full sync. */
function setup(tx: Tx, o: NftProxyOptions): void {
  tx.add(`add table ${T} { comment ${q("rules for kube-proxy")} ; }`);
  // The first sync deletes any base chains left from before, so that their priorities may change.
  for (const bc of NFT_BASE_CHAINS) {
    tx.add(`add chain ${T} ${bc.name}`);
    tx.add(`delete chain ${T} ${bc.name}`);
  }
  for (const bc of NFT_BASE_CHAINS) {
    tx.add(`add chain ${T} ${bc.name} { type ${bc.type} hook ${bc.hook} priority ${bc.priority} ; }`);
    tx.add(`flush chain ${T} ${bc.name}`);
  }
  for (const j of JUMPS) {
    tx.ensureChain(j.to);
    tx.rule(j.from, j.match ? `${j.match} jump ${j.to}` : `jump ${j.to}`);
  }
  for (const c of ["services", "cluster-ips-check", "masquerading"]) tx.ensureChain(c);
  tx.add(`add set ${T} hairpin-connections { type ipv4_addr . ipv4_addr . inet_proto . inet_service ; comment ${q("service hairpin connections")} ; }`);
  tx.rule("masquerading", `mark and ${MASQ_MARK} != 0 mark set mark xor ${MASQ_MARK} masquerade fully-random`);
  tx.rule("masquerading", "ct status dnat ip saddr . ip daddr . meta l4proto . th dport @hairpin-connections masquerade fully-random");

  tx.add(`add set ${T} cluster-ips { type ipv4_addr ; comment ${q("Active ClusterIPs")} ; }`);
  tx.rule("cluster-ips-check", "ip daddr @cluster-ips reject", "Reject traffic to invalid ports of ClusterIPs");
  if (o.serviceCidrs.length > 0) tx.rule("cluster-ips-check", `ip daddr { ${o.serviceCidrs.join(",")} } drop`, "Drop traffic to unallocated ClusterIPs");

  // --nodeport-addresses=primary: NodePorts on the node's primary address only.
  tx.add(`add set ${T} nodeport-ips { type ipv4_addr ; comment ${q("IPs that accept NodePort traffic")} ; }`);
  tx.add(`flush set ${T} nodeport-ips`);
  tx.add(`add element ${T} nodeport-ips { ${o.node.ip} }`);

  tx.add(`add map ${T} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment ${q("vmap to drop or reject packets to services with no endpoints")} ; }`);
  tx.add(`add map ${T} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment ${q("vmap to drop or reject packets to service nodeports with no endpoints")} ; }`);
  tx.add(`add chain ${T} reject-chain { comment ${q("helper for @no-endpoint-services / @no-endpoint-nodeports")} ; }`);
  tx.add(`flush chain ${T} reject-chain`);
  tx.rule("reject-chain", "reject");
  tx.rule("service-endpoints-check", "ip daddr . meta l4proto . th dport vmap @no-endpoint-services");
  tx.rule("nodeport-endpoints-check", "ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports");

  // The localhost NodePorts gate (alpha, off): its map, chains and counters are made and deleted.
  tx.add(`add map ${T} localhost-nodeport-reject-ports { type inet_proto . inet_service : verdict ; comment ${q("localhost NodePorts rejected by kube-proxy")} ; }`);
  tx.add(`delete map ${T} localhost-nodeport-reject-ports`);
  for (const proto of ["tcp", "udp", "sctp"]) {
    tx.add(`add chain ${T} localhost-nodeport-reject-${proto}`);
    tx.add(`delete chain ${T} localhost-nodeport-reject-${proto}`);
    tx.add(`add counter ${T} localhost-nodeport-rejected-${proto}`);
    tx.add(`delete counter ${T} localhost-nodeport-rejected-${proto}`);
  }

  tx.add(`add map ${T} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment ${q("destinations that are subject to LoadBalancerSourceRanges")} ; }`);
  tx.ensureChain("firewall-check");
  tx.rule("firewall-check", "ip daddr . meta l4proto . th dport vmap @firewall-ips");

  tx.add(`add map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment ${q("ClusterIP, ExternalIP and LoadBalancer IP traffic")} ; }`);
  tx.add(`add map ${T} service-nodeports { type inet_proto . inet_service : verdict ; comment ${q("NodePort traffic")} ; }`);
  // Off-cluster traffic to a service IP is masqueraded (it may be routed to this node and bounce off).
  tx.rule("services", `ip daddr @cluster-ips ip saddr != ${o.clusterCidr} ${MASQ_RULE}`, "masquerade clusterIP traffic from outside cluster");
  tx.rule("services", "ip daddr . meta l4proto . th dport vmap @service-ips");
  tx.rule("services", "ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports");
}

/** The names one service port's chains get. */
export function serviceChains(sp: Pick<ProxyServicePort, "namespace" | "service" | "protocol" | "portName">) {
  const base = servicePortBase(sp.namespace, sp.service, sp.protocol, sp.portName);
  return { cluster: `service-${base}`, local: `local-${base}`, external: `external-${base}`, firewall: `firewall-${base}` };
}

/** The endpoint chain and affinity set of one endpoint of a service port. */
export function endpointNames(sp: Pick<ProxyServicePort, "namespace" | "service" | "protocol" | "portName">, ep: Pick<ProxyEndpoint, "ip" | "port">) {
  const base = endpointBase(sp.namespace, sp.service, sp.protocol, sp.portName, ep.ip, ep.port);
  return { chain: `endpoint-${base}`, affinity: `affinity-${base}` };
}

/** IPv4 CIDR containment, for loadBalancerSourceRanges that hold the node's address. */
function cidrContains(cidr: string, ip: string): boolean {
  const [net, len] = cidr.split("/");
  const toNum = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  const bits = Number(len ?? 32);
  if (!net || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`loadBalancerSourceRanges: ${JSON.stringify(cidr)} is not an IPv4 CIDR`);
  const size = 2 ** (32 - bits);
  return Math.floor(toNum(net) / size) === Math.floor(toNum(ip) / size);
}

/** net.IPNet.String() of a source range: the network address (host bits cleared) and its length. */
function canonicalCidr(cidr: string): string {
  const [net, len] = cidr.trim().split("/");
  const bits = Number(len ?? 32);
  const n = net!.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - bits);
  const base = Math.floor(n / size) * size;
  return `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join(".")}/${bits}`;
}

/** writeServiceToEndpointDNATs (no affinity): DNAT in the service's own chain, through a numgen map when there are several endpoints. */
function endpointDnat(tx: Tx, sp: ProxyServicePort, chain: string, eps: readonly ProxyEndpoint[]): void {
  const proto = sp.protocol.toLowerCase();
  if (eps.length === 1) {
    tx.rule(chain, `meta l4proto ${proto} dnat ip addr . port to ${eps[0]!.ip} . ${eps[0]!.port}`);
    return;
  }
  const entries = eps.map((ep, i) => `${i} : ${ep.ip} . ${ep.port}`).join(" , ");
  tx.rule(chain, `meta l4proto ${proto} dnat ip addr . port to numgen random mod ${eps.length} map { ${entries} }`);
}

/** writeServiceToEndpointJumps (ClientIP affinity): affinity gotos, then one numgen vmap over the endpoint chains. */
function endpointJumps(tx: Tx, sp: ProxyServicePort, chain: string, eps: readonly ProxyEndpoint[]): void {
  for (const ep of eps) {
    const n = endpointNames(sp, ep);
    tx.rule(chain, `ip saddr @${n.affinity} goto ${n.chain}`);
  }
  const entries = eps.map((ep, i) => `${i} : goto ${endpointNames(sp, ep).chain}`).join(" , ");
  tx.rule(chain, `numgen random mod ${eps.length} vmap { ${entries} }`);
}

/** nftables comments hold at most 128 bytes (knftables.CommentLengthMax); kube-proxy cuts longer ones. */
function truncateComment(text: string): string {
  return text.length > 128 ? text.slice(0, 128) : text;
}

/** The per-service part of syncProxyRules for one service port. */
function servicePort(tx: Tx, sp: ProxyServicePort, o: NftProxyOptions): void {
  const proto = sp.protocol.toLowerCase();
  const comment = truncateComment(servicePortNameString(sp.namespace, sp.service, sp.portName));
  const names = serviceChains(sp);
  const lbIPs = sp.loadBalancerIPs ?? [];
  const ranges = (sp.loadBalancerSourceRanges ?? []).map(canonicalCidr);
  const externallyAccessible = sp.nodePort !== undefined || lbIPs.length > 0;
  const externalLocal = externallyAccessible && sp.externalTrafficPolicy === "Local";
  const affinity = sp.sessionAffinity === "ClientIP";

  const clusterEps = sp.endpoints;
  const localEps = externalLocal ? sp.endpoints.filter((e) => e.node === o.node.name) : [];
  // Cluster endpoints and local ones: with internalTrafficPolicy Cluster, every endpoint.
  const reachable = clusterEps;
  const hasEndpoints = clusterEps.length > 0;
  const hasInternal = hasEndpoints;
  const hasExternal = hasEndpoints && (!externalLocal || localEps.length > 0);
  const usesExternalChain = hasEndpoints && externallyAccessible;
  const usesLocalChain = localEps.length > 0;
  const externalPolicyChain = externalLocal ? names.local : names.cluster;
  // No endpoints at all: reject; eTP Local without local endpoints: drop external traffic.
  const externalVerdict = hasEndpoints ? "drop" : "goto reject-chain";

  for (const ep of reachable) {
    if (affinity) tx.ensureChain(endpointNames(sp, ep).chain);
    // A pod reaching itself through the service is masqueraded (masquerading's second rule).
    if (ep.node === o.node.name) tx.element("hairpin-connections", [ep.ip, ep.ip, proto, String(ep.port)]);
  }
  if (clusterEps.length > 0) tx.ensureChain(names.cluster);
  if (usesLocalChain) tx.ensureChain(names.local);
  if (usesExternalChain) tx.ensureChain(names.external);

  const port = String(sp.port);
  tx.element("cluster-ips", [sp.clusterIP]);
  if (hasInternal) tx.element("service-ips", [sp.clusterIP, proto, port], `goto ${names.cluster}`);
  else tx.element("no-endpoint-services", [sp.clusterIP, proto, port], "goto reject-chain", comment);

  const usesFirewall = lbIPs.length > 0 && ranges.length > 0;
  if (usesFirewall) tx.ensureChain(names.firewall);
  for (const lb of lbIPs) {
    if (hasEndpoints) tx.element("service-ips", [lb, proto, port], `goto ${names.external}`);
    if (usesFirewall) tx.element("firewall-ips", [lb, proto, port], `goto ${names.firewall}`);
  }
  if (!hasExternal) for (const lb of lbIPs) tx.element("no-endpoint-services", [lb, proto, port], externalVerdict, comment);

  if (sp.nodePort !== undefined) {
    if (hasEndpoints) tx.element("service-nodeports", [proto, String(sp.nodePort)], `goto ${names.external}`);
    if (!hasExternal) tx.element("no-endpoint-nodeports", [proto, String(sp.nodePort)], externalVerdict, comment);
  }

  if (usesExternalChain) {
    if (!externalLocal) {
      tx.rule(names.external, MASQ_RULE, "masquerade");
    } else {
      tx.rule(names.external, `ip saddr ${o.clusterCidr} goto ${names.cluster}`, "short-circuit pod traffic");
      tx.rule(names.external, `fib saddr type local ${MASQ_RULE}`, "masquerade local traffic");
      tx.rule(names.external, `fib saddr type local goto ${names.cluster}`, "short-circuit local traffic");
    }
    if (hasExternal) tx.rule(names.external, `goto ${externalPolicyChain}`);
  }
  if (usesFirewall) {
    const sources = [...ranges];
    if (ranges.some((r) => cidrContains(r, o.node.ip))) sources.push(...lbIPs);
    tx.rule(names.firewall, `ip saddr != { ${sources.join(" , ")} } drop`);
  }
  if (affinity) {
    const timeout = sp.affinitySeconds ?? 10800;
    for (const ep of reachable) tx.add(`add set ${T} ${endpointNames(sp, ep).affinity} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeout}s ; }`);
  }
  if (!affinity) {
    if (clusterEps.length > 0) endpointDnat(tx, sp, names.cluster, clusterEps);
    if (usesLocalChain) endpointDnat(tx, sp, names.local, localEps);
    return;
  }
  if (clusterEps.length > 0) endpointJumps(tx, sp, names.cluster, clusterEps);
  if (usesLocalChain) endpointJumps(tx, sp, names.local, localEps);
  for (const ep of reachable) {
    const n = endpointNames(sp, ep);
    tx.rule(n.chain, `update @${n.affinity} { ip saddr }`);
    tx.rule(n.chain, `meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
  }
}

/** The text of kube-proxy's first full sync on `node`, for `nft -f`. */
export function kubeProxyNftRules(ports: readonly ProxyServicePort[], o: NftProxyOptions): string {
  const tx = new Tx();
  setup(tx, o);
  for (const sp of ports) servicePort(tx, sp, o);
  return tx.lines.join("\n") + "\n";
}

/** kube-proxy 1.37 in nftables mode for pods in `clusterCidr` and services in `serviceCidr`. */
export function nftablesProxier(clusterCidr: string, serviceCidr: string): Proxier {
  return {
    backend: "nftables",
    mode: "nftables",
    version: "1.37",
    rules: (ports, node) => kubeProxyNftRules(ports, { clusterCidr, serviceCidrs: [serviceCidr], node }),
    // nodeport-ips holds each node's own address, so no two nodes' rules are the same.
    perNode: () => true,
    timeouts: withKubeProxyTimeouts,
  };
}
