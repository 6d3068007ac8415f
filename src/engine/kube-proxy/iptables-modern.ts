/**
 * The iptables rules kube-proxy 1.37 (iptables mode, the default mode on Linux) and kubelet 1.37
 * leave on a node, as one iptables-restore text for *mangle, *filter and *nat.
 *
 * Read (for facts, not copied) from kubernetes/kubernetes at commit
 * 531be81208e2274ef42e72525a26610a9622bcdf (pkg/proxy/iptables/proxier.go and cleanup.go, the
 * newest stored: cleanup.go split out, pkg/proxy/runner, OnTopologyChange), the iptables
 * backend's Init (it sets no --nodeport-addresses default; only the nftables backend defaults to
 * "primary") and pkg/kubelet/kubelet_network_linux.go (after IPTablesOwnershipCleanup kubelet
 * keeps only KUBE-IPTABLES-HINT, KUBE-FIREWALL's localnet rule and its canary chains).
 *
 * What the defaults of that release make of it:
 *  - --masquerade-bit 14: the mark is written "0x00004000" (Go's %#08x); iptables-save prints
 *    0x4000. KUBE-MARK-MASQ ORs it in; KUBE-POSTROUTING RETURNs unmarked packets, XORs the mark
 *    away and MASQUERADEs with --random-fully (iptables ≥ 1.6.2 has it).
 *  - --detect-local-mode ClusterCIDR: the ClusterIP rule masquerades `! -s <cluster CIDR>`.
 *  - --nodeport-addresses unset and iptables.localhostNodePorts true: NodePorts on every local
 *    address (`-m addrtype --dst-type LOCAL`, localhost included, route_localnet=1), so
 *    kube-proxy writes kubelet's KUBE-FIREWALL rule too.
 *  - nf_conntrack_tcp_be_liberal unset: KUBE-FORWARD drops ctstate INVALID.
 *  - nfnetlink_acct present (the usual distribution kernel): the INVALID drop and the localhost
 *    NodePort rules carry `-m nfacct`. Without it kube-proxy writes them without the match;
 *    `{ nfacct: false }` models that node (the lab's kernel is one).
 *  - fewer than 1000 endpoints: every endpoint rule keeps its comment ("large cluster mode" off).
 *
 * Comments are today's: "ns/name:port" ("ns/name" for an unnamed port), the balancing rules'
 * "ns/name:port -> ip:port"; probabilities have ten decimals (%0.10f of 1/n). kube-proxy walks
 * its service map in Go's random order; here services come in the order given.
 */
import { withKubeProxyTimeouts } from "../conntrack/conntrack";
import { extChain, fwChain, sepChain, servicePortNameModern, svcChain, svlChain } from "./chains";
import type { Proxier, ProxyEndpoint, ProxyNode, ProxyServicePort } from "./proxier";

/** The kube-proxy release this module models. */
export const KUBE_PROXY_MODERN_VERSION = "1.37";

export interface ModernOptions {
  /** Whether the node's kernel has nfnetlink_acct (kube-proxy then adds `-m nfacct` matches). Default true. */
  readonly nfacct?: boolean;
}

/** The masquerade mark as kube-proxy formats 1 << 14. */
const MASQ_MARK = "0x00004000";
const INVALID_COUNTER = "ct_state_invalid_dropped_pkts";
const LOCALHOST_NODEPORT_COUNTER = "localhost_nps_accepted_pkts";
const STICKY_DEFAULT = 10800;

/** computeProbability: 1/n with ten decimals. */
export function modernProbability(n: number): string {
  return (1 / n).toFixed(10);
}

/** Go's %q-free comment quoting as kube-proxy writes it: the text in double quotes when it has a space. */
function c(text: string): string {
  return `"${text}"`;
}

const epString = (ep: ProxyEndpoint) => `${ep.ip}:${ep.port}`;

/** The endpoints in the order kube-proxy's endpoints map keeps them: sorted by "ip:port" as strings. */
function byEndpoint(eps: readonly ProxyEndpoint[]): ProxyEndpoint[] {
  return [...eps].sort((a, b) => (epString(a) < epString(b) ? -1 : epString(a) > epString(b) ? 1 : 0));
}

/** Whether an IPv4 CIDR contains an address (for allowFromNode). */
function cidrContains(cidr: string, ip: string): boolean {
  const [net, bitsText] = cidr.split("/");
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const toNum = (s: string) => s.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((toNum(net!) & mask) >>> 0) === ((toNum(ip) & mask) >>> 0);
}

/** The restore text of one node. */
export function modernRulesText(ports: readonly ProxyServicePort[], clusterCidr: string, node: ProxyNode, opts: ModernOptions = {}): string {
  const nfacct = opts.nfacct ?? true;
  const filterChains = ["KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL", "KUBE-FIREWALL"];
  // Jumps from the built-in chains: kubelet's KUBE-FIREWALL jumps first (kubelet starts first),
  // then kube-proxy prepends its own in iptablesJumpChains order, each before the last.
  const filterJumps = [
    `-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    `-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS`,
    `-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    `-A INPUT -j KUBE-FIREWALL`,
    `-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    `-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD`,
    `-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    `-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    `-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A OUTPUT -j KUBE-FIREWALL`,
  ];
  const filterRules: string[] = [
    `-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
  ];
  const natChains = ["KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"];
  const natJumps = [
    `-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING`,
  ];
  const natRules: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];

  for (const sp of ports) {
    const spn = servicePortNameModern(sp.namespace, sp.service, sp.portName);
    const proto = sp.protocol.toLowerCase();
    const svc = svcChain(spn, proto);
    const svl = svlChain(spn, proto);
    const ext = extChain(spn, proto);
    const fw = fwChain(spn, proto);
    const lbIPs = sp.loadBalancerIPs ?? [];
    const ranges = sp.loadBalancerSourceRanges ?? [];
    const all = byEndpoint(sp.endpoints);
    const local = all.filter((ep) => ep.node === node.name);
    const externallyAccessible = sp.nodePort !== undefined || lbIPs.length > 0;
    const externalLocal = externallyAccessible && sp.externalTrafficPolicy === "Local";
    const hasEndpoints = all.length > 0;
    // internalTrafficPolicy is Cluster here: internal traffic always uses KUBE-SVC.
    const usesCluster = all.length > 0;
    const usesLocal = externalLocal && local.length > 0;
    const hasExternal = externalLocal ? local.length > 0 : hasEndpoints;
    const usesExt = hasEndpoints && externallyAccessible;
    const usesFw = hasEndpoints && lbIPs.length > 0 && ranges.length > 0;
    const lbTarget = usesFw ? fw : ext;
    const dport = (port: number) => `-m ${proto} -p ${proto}`.concat(` --dport ${port}`);
    const noEndpoints = c(`${spn} has no endpoints`);
    const extFilterComment = hasEndpoints ? c(`${spn} has no local endpoints`) : noEndpoints;
    const extFilterTarget = hasEndpoints ? "DROP" : "REJECT";

    if (hasEndpoints) {
      natRules.push(`-A KUBE-SERVICES -m comment --comment ${c(`${spn} cluster IP`)} -m ${proto} -p ${proto} -d ${sp.clusterIP} --dport ${sp.port} -j ${svc}`);
    } else {
      filterRules.push(`-A KUBE-SERVICES -m comment --comment ${noEndpoints} -m ${proto} -p ${proto} -d ${sp.clusterIP} --dport ${sp.port} -j REJECT`);
    }
    for (const ip of lbIPs) {
      if (hasEndpoints) natRules.push(`-A KUBE-SERVICES -m comment --comment ${c(`${spn} loadbalancer IP`)} -m ${proto} -p ${proto} -d ${ip} --dport ${sp.port} -j ${lbTarget}`);
      if (usesFw) filterRules.push(`-A KUBE-PROXY-FIREWALL -m comment --comment ${c(`${spn} traffic not accepted by ${fw}`)} -m ${proto} -p ${proto} -d ${ip} --dport ${sp.port} -j DROP`);
    }
    if (!hasExternal) {
      for (const ip of lbIPs) filterRules.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${extFilterComment} -m ${proto} -p ${proto} -d ${ip} --dport ${sp.port} -j ${extFilterTarget}`);
    }
    if (sp.nodePort !== undefined) {
      if (hasEndpoints) {
        if (nfacct) natRules.push(`-A KUBE-NODEPORTS -m comment --comment ${spn} -m ${proto} -p ${proto} -d 127.0.0.0/8 --dport ${sp.nodePort} -m nfacct --nfacct-name ${LOCALHOST_NODEPORT_COUNTER} -j ${ext}`);
        natRules.push(`-A KUBE-NODEPORTS -m comment --comment ${spn} ${dport(sp.nodePort)} -j ${ext}`);
      }
      if (!hasExternal) {
        filterRules.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${extFilterComment} -m addrtype --dst-type LOCAL ${dport(sp.nodePort)} -j ${extFilterTarget}`);
      }
    }
    // The health-check port is a Local-policy thing: kube-proxy ignores one given with Cluster.
    if (sp.healthCheckNodePort !== undefined && externalLocal) {
      filterRules.push(`-A KUBE-NODEPORTS -m comment --comment ${c(`${spn} health check node port`)} -m tcp -p tcp --dport ${sp.healthCheckNodePort} -j ACCEPT`);
    }

    if (hasEndpoints) {
      natRules.push(`-A ${svc} -m comment --comment ${c(`${spn} cluster IP`)} -m ${proto} -p ${proto} -d ${sp.clusterIP} --dport ${sp.port} ! -s ${clusterCidr} -j KUBE-MARK-MASQ`);
    }
    if (usesExt) {
      natChains.push(ext);
      if (!externalLocal) {
        natRules.push(`-A ${ext} -m comment --comment ${c(`masquerade traffic for ${spn} external destinations`)} -j KUBE-MARK-MASQ`);
      } else {
        natRules.push(`-A ${ext} -m comment --comment ${c(`pod traffic for ${spn} external destinations`)} -s ${clusterCidr} -j ${svc}`);
        natRules.push(`-A ${ext} -m comment --comment ${c(`masquerade LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
        natRules.push(`-A ${ext} -m comment --comment ${c(`route LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j ${svc}`);
      }
      if (hasExternal) natRules.push(`-A ${ext} -j ${externalLocal ? svl : svc}`);
    }
    if (usesFw) {
      natChains.push(fw);
      const head = `-A ${fw} -m comment --comment ${c(`${spn} loadbalancer IP`)}`;
      let allowFromNode = false;
      for (const cidr of ranges) {
        natRules.push(`${head} -s ${cidr} -j ${ext}`);
        if (cidrContains(cidr, node.ip)) allowFromNode = true;
      }
      if (allowFromNode) for (const ip of lbIPs) natRules.push(`${head} -s ${ip} -j ${ext}`);
      natRules.push(`-A ${fw} -m comment --comment ${c(`other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL`)}`);
    }
    const sep = (ep: ProxyEndpoint) => sepChain(spn, proto, epString(ep));
    const balance = (chain: string, eps: readonly ProxyEndpoint[]) => {
      if (sp.sessionAffinity === "ClientIP") {
        for (const ep of eps) {
          natRules.push(`-A ${chain} -m comment --comment ${c(`${spn} -> ${epString(ep)}`)} -m recent --name ${sep(ep)} --rcheck --seconds ${sp.affinitySeconds ?? STICKY_DEFAULT} --reap -j ${sep(ep)}`);
        }
      }
      eps.forEach((ep, i) => {
        const stat = i < eps.length - 1 ? ` -m statistic --mode random --probability ${modernProbability(eps.length - i)}` : "";
        natRules.push(`-A ${chain} -m comment --comment ${c(`${spn} -> ${epString(ep)}`)}${stat} -j ${sep(ep)}`);
      });
    };
    if (usesCluster) {
      natChains.push(svc);
      balance(svc, all);
    }
    if (usesLocal) {
      natChains.push(svl);
      balance(svl, local);
    }
    // allLocallyReachableEndpoints: every endpoint (internal traffic is Cluster).
    for (const ep of all) {
      const chain = sep(ep);
      natChains.push(chain);
      natRules.push(`-A ${chain} -m comment --comment ${spn} -s ${ep.ip} -j KUBE-MARK-MASQ`);
      const remember = sp.sessionAffinity === "ClientIP" ? ` -m recent --name ${chain} --set` : "";
      natRules.push(`-A ${chain} -m comment --comment ${spn}${remember} -m ${proto} -p ${proto} -j DNAT --to-destination ${epString(ep)}`);
    }
  }
  natRules.push(`-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
  filterRules.push(
    `-A KUBE-FORWARD -m conntrack --ctstate INVALID${nfacct ? ` -m nfacct --nfacct-name ${INVALID_COUNTER}` : ""} -j DROP`,
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );
  const decl = (names: readonly string[]) => names.map((n) => `:${n} - [0:0]`);
  // The canaries: kubelet's and kube-proxy's iptables monitors create an empty chain in mangle,
  // nat and filter and resync when one disappears; kubelet's hint chain says iptables-nft is in use.
  const canaries = ["KUBE-KUBELET-CANARY", "KUBE-PROXY-CANARY"];
  // concat, not push(...): a large cluster has more rules than a call has room for arguments.
  return [
    "*mangle",
    ":PREROUTING ACCEPT [0:0]",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":POSTROUTING ACCEPT [0:0]",
    ...decl(["KUBE-IPTABLES-HINT", ...canaries]),
    "COMMIT",
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ...decl([...filterChains, ...canaries]),
  ]
    .concat(filterJumps, filterRules, [
      "COMMIT",
      "*nat",
      ":PREROUTING ACCEPT [0:0]",
      ":INPUT ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":POSTROUTING ACCEPT [0:0]",
      ...decl(canaries),
    ])
    .concat(decl(natChains), natJumps, natRules, ["COMMIT", ""])
    .join("\n");
}

/** kube-proxy 1.37 in iptables mode for a cluster whose pods are in `clusterCidr` (its --cluster-cidr). */
export function iptablesProxierModern(clusterCidr: string, opts: ModernOptions = {}): Proxier {
  return {
    backend: "iptables",
    mode: "iptables",
    version: KUBE_PROXY_MODERN_VERSION,
    rules: (ports, node) => modernRulesText(ports, clusterCidr, node, opts),
    // Nodes differ where local endpoints matter (externalTrafficPolicy Local) and where a source
    // range may contain the node's own address (allowFromNode).
    perNode: (ports) =>
      ports.some(
        (p) =>
          (p.externalTrafficPolicy === "Local" && (p.nodePort !== undefined || (p.loadBalancerIPs?.length ?? 0) > 0)) ||
          ((p.loadBalancerSourceRanges?.length ?? 0) > 0 && (p.loadBalancerIPs?.length ?? 0) > 0),
      ),
    // conntrack's defaults in 1.37 are the same as 1.10's: nf_conntrack_max max(32768 per core,
    // 131072), tcp_timeout_established 86400 s, close_wait 3600 s; be_liberal and UDP timeouts unset.
    timeouts: withKubeProxyTimeouts,
  };
}
