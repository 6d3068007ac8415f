/**
 * The iptables rules kube-proxy v1.10–v1.12 (iptables mode) and kubelet write on every node,
 * as iptables-restore text, rule for rule: KUBE-SERVICES, KUBE-NODEPORTS, KUBE-SVC-*, KUBE-SEP-*,
 * KUBE-XLB-*, KUBE-FW-* (LoadBalancer addresses and their source ranges), KUBE-MARK-MASQ/DROP,
 * KUBE-POSTROUTING, KUBE-FIREWALL, KUBE-FORWARD, the REJECT rules for services without
 * endpoints, and ClientIP session affinity (`-m recent`).
 *
 * The LoadBalancer rules follow syncProxyRules of pkg/proxy/iptables/proxier.go as of v1.10
 * (read, not copied). The index keeps kubernetes/kubernetes only at today's 092dddd12ca4, so the
 * 2018 text was read from copies in forks: a v1.9 one (pkg/api imports, index file 164894835), a
 * v1.13 one (klog, index file 35383062296) and m1093782566/kubernetes@2c540e927f2f (v1.8). They
 * agree on the rules and their order; v1.13 wraps them in `if hasEndpoints`, as v1.10 wraps the
 * node port and external IP rules this module already follows (no KUBE-SVC chain without
 * endpoints), so a service without endpoints gets no KUBE-FW chain here. Per service port, after
 * its cluster IP rules: `-A KUBE-SERVICES -m comment --comment "<spn> loadbalancer IP" -m tcp -p
 * tcp -d <ip>/32 --dport <port> -j KUBE-FW-…` (written here in iptables-save's order), then in
 * KUBE-FW: KUBE-MARK-MASQ (policy Cluster only), a jump to KUBE-SVC (KUBE-XLB for policy Local)
 * for all sources or one per source range, `-s <lb ip>/32` too when a range holds the node's
 * address, and KUBE-MARK-DROP last.
 */
import { withKubeProxyTimeouts } from "../conntrack/conntrack";
import { quote } from "../netfilter/format";
import { parseCidr, parseIpv4 } from "../addr/ipv4";
import { fwChain, servicePortName, sepChain, svcChain, xlbChain } from "./chains";
import type { Proxier, ProxyServicePort } from "./proxier";

export interface ProxyRules {
  /** Chain declarations and rules for *filter and *nat, without the table lines and COMMIT. */
  readonly filterChains: string[];
  readonly filterRules: string[];
  readonly natChains: string[];
  readonly natRules: string[];
}

const MASQ_MARK = "0x4000/0x4000";
const DROP_MARK = "0x8000/0x8000";

/** The probability text kube-proxy writes: %0.5f of 1/(n-i). */
export function proxyProbability(remaining: number): string {
  return (1 / remaining).toFixed(5);
}

/**
 * The rules for one node. `node` matters only for externalTrafficPolicy=Local (local endpoints).
 * The jump rules from built-in chains come first, as kube-proxy and kubelet insert them.
 */
export function kubeProxyRules(ports: readonly ProxyServicePort[], clusterCidr: string, node: string, nodeIp?: string): ProxyRules {
  const filterChains = [":KUBE-EXTERNAL-SERVICES - [0:0]", ":KUBE-FIREWALL - [0:0]", ":KUBE-FORWARD - [0:0]", ":KUBE-SERVICES - [0:0]"];
  const filterRules = [
    `-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    `-A INPUT -j KUBE-FIREWALL`,
    `-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD`,
    `-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A OUTPUT -j KUBE-FIREWALL`,
    `-A KUBE-FIREWALL -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark ${DROP_MARK} -j DROP`,
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK} -j ACCEPT`,
    `-A KUBE-FORWARD -s ${clusterCidr} -m comment --comment "kubernetes forwarding conntrack pod source rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    `-A KUBE-FORWARD -d ${clusterCidr} -m comment --comment "kubernetes forwarding conntrack pod destination rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  ];
  const natChains = [":KUBE-MARK-DROP - [0:0]", ":KUBE-MARK-MASQ - [0:0]", ":KUBE-NODEPORTS - [0:0]", ":KUBE-POSTROUTING - [0:0]", ":KUBE-SERVICES - [0:0]"];
  const natRules = [
    `-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING`,
    `-A KUBE-MARK-DROP -j MARK --set-xmark ${DROP_MARK}`,
    `-A KUBE-MARK-MASQ -j MARK --set-xmark ${MASQ_MARK}`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark ${MASQ_MARK} -j MASQUERADE`,
  ];
  const services: string[] = [];
  const nodeports: string[] = [];
  const chainRules: string[] = [];
  for (const sp of ports) {
    const spn = servicePortName(sp.namespace, sp.service, sp.portName);
    const proto = sp.protocol.toLowerCase();
    const svc = svcChain(spn, proto);
    const vip = `-d ${sp.clusterIP}/32 -p ${proto} -m comment --comment ${quote(`${spn} cluster IP`)} -m ${proto} --dport ${sp.port}`;
    if (sp.endpoints.length === 0) {
      filterRules.push(`-A KUBE-SERVICES ${vip.replace(quote(`${spn} cluster IP`), quote(`${spn} has no endpoints`))} -j REJECT --reject-with icmp-port-unreachable`);
      if (sp.nodePort !== undefined) {
        filterRules.push(
          `-A KUBE-EXTERNAL-SERVICES -p ${proto} -m comment --comment ${quote(`${spn} has no endpoints`)} -m addrtype --dst-type LOCAL -m ${proto} --dport ${sp.nodePort} -j REJECT --reject-with icmp-port-unreachable`,
        );
      }
      continue;
    }
    natChains.push(`:${svc} - [0:0]`);
    services.push(`-A KUBE-SERVICES ! -s ${clusterCidr} ${vip} -j KUBE-MARK-MASQ`);
    services.push(`-A KUBE-SERVICES ${vip} -j ${svc}`);
    // The load balancer's addresses (status.loadBalancer.ingress), written only for a service with
    // endpoints, as v1.10's syncProxyRules does: KUBE-SERVICES sends each to the service's KUBE-FW
    // chain, which masquerades (policy Cluster), lets the allowed sources on to KUBE-SVC (or
    // KUBE-XLB for policy Local) and marks whatever falls through for KUBE-FIREWALL to drop.
    const fw = fwChain(spn, proto);
    for (const lbIp of sp.loadBalancerIPs ?? []) {
      if (!natChains.includes(`:${fw} - [0:0]`)) natChains.push(`:${fw} - [0:0]`);
      const lbComment = `-m comment --comment ${quote(`${spn} loadbalancer IP`)}`;
      services.push(`-A KUBE-SERVICES -d ${lbIp}/32 -p ${proto} ${lbComment} -m ${proto} --dport ${sp.port} -j ${fw}`);
      const local = sp.externalTrafficPolicy === "Local";
      const chosen = local ? xlbChain(spn, proto) : svc;
      if (!local) chainRules.push(`-A ${fw} ${lbComment} -j KUBE-MARK-MASQ`);
      const ranges = sp.loadBalancerSourceRanges ?? [];
      if (ranges.length === 0) chainRules.push(`-A ${fw} ${lbComment} -j ${chosen}`);
      else {
        for (const src of ranges) chainRules.push(`-A ${fw} -s ${src} ${lbComment} -j ${chosen}`);
        // A source range holding the node's own address also lets the node reach the address itself.
        if (nodeIp !== undefined && ranges.some((r) => inCidr(r, nodeIp))) chainRules.push(`-A ${fw} -s ${lbIp}/32 ${lbComment} -j ${chosen}`);
      }
      chainRules.push(`-A ${fw} ${lbComment} -j KUBE-MARK-DROP`);
    }
    const seps = sp.endpoints.map((ep) => ({ ep, chain: sepChain(spn, proto, `${ep.ip}:${ep.port}`) }));
    if (sp.nodePort !== undefined) {
      const np = `-p ${proto} -m comment --comment ${quote(spn)} -m ${proto} --dport ${sp.nodePort}`;
      if (sp.externalTrafficPolicy === "Local") {
        const xlb = xlbChain(spn, proto);
        natChains.push(`:${xlb} - [0:0]`);
        nodeports.push(`-A KUBE-NODEPORTS -s 127.0.0.0/8 ${np} -j KUBE-MARK-MASQ`);
        nodeports.push(`-A KUBE-NODEPORTS ${np} -j ${xlb}`);
        chainRules.push(`-A ${xlb} -s ${clusterCidr} -m comment --comment "Redirect pods trying to reach external loadbalancer VIP to clusterIP" -j ${svc}`);
        const local = seps.filter((s) => s.ep.node === node);
        if (local.length > 0) for (const s of local) chainRules.push(...affinityCheck(sp, xlb, spn, s.chain));
        if (local.length === 0) {
          chainRules.push(`-A ${xlb} -m comment --comment ${quote(`${spn} has no local endpoints`)} -j KUBE-MARK-DROP`);
        } else {
          local.forEach((s, i) => {
            const stat = i < local.length - 1 ? ` -m statistic --mode random --probability ${proxyProbability(local.length - i)}` : "";
            chainRules.push(`-A ${xlb} -m comment --comment ${quote(`Balancing rule ${i} for ${spn}`)}${stat} -j ${s.chain}`);
          });
        }
      } else {
        nodeports.push(`-A KUBE-NODEPORTS ${np} -j KUBE-MARK-MASQ`);
        nodeports.push(`-A KUBE-NODEPORTS ${np} -j ${svc}`);
      }
    }
    // Session affinity first: a client already in an endpoint's list goes back to it.
    for (const s of seps) chainRules.push(...affinityCheck(sp, svc, spn, s.chain));
    seps.forEach((s, i) => {
      natChains.push(`:${s.chain} - [0:0]`);
      const stat = i < seps.length - 1 ? ` -m statistic --mode random --probability ${proxyProbability(seps.length - i)}` : "";
      chainRules.push(`-A ${svc} -m comment --comment ${quote(spn)}${stat} -j ${s.chain}`);
    });
    for (const s of seps) {
      chainRules.push(`-A ${s.chain} -s ${s.ep.ip}/32 -m comment --comment ${quote(spn)} -j KUBE-MARK-MASQ`);
      const remember = sp.sessionAffinity === "ClientIP" ? ` -m recent --name ${s.chain} --set` : "";
      chainRules.push(`-A ${s.chain} -p ${proto} -m comment --comment ${quote(spn)}${remember} -m ${proto} -j DNAT --to-destination ${s.ep.ip}:${s.ep.port}`);
    }
  }
  services.push(`-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`);
  // concat, not push(...): a large cluster has more rules than a call has room for arguments.
  return { filterChains, filterRules, natChains, natRules: natRules.concat(nodeports, services, chainRules) };
}

function inCidr(cidrText: string, ip: string): boolean {
  const c = parseCidr(cidrText);
  return (parseIpv4(ip) & c.mask) >>> 0 === c.net;
}

/** The ClientIP affinity rule for one endpoint, in kube-proxy's argument order (iptables-save reorders it). */
function affinityCheck(sp: ProxyServicePort, chain: string, spn: string, sep: string): string[] {
  if (sp.sessionAffinity !== "ClientIP") return [];
  return [`-A ${chain} -m comment --comment ${quote(spn)} -m recent --name ${sep} --rcheck --seconds ${sp.affinitySeconds ?? 10800} --reap -j ${sep}`];
}

/** kube-proxy's and kubelet's rules as one iptables-restore text for *filter and *nat. */
export function proxyRulesText(rules: ProxyRules): string {
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

/** kube-proxy 1.10 in iptables mode for a cluster whose pods are in `clusterCidr` (its --cluster-cidr). */
export function iptablesProxier110(clusterCidr: string): Proxier {
  return {
    backend: "iptables",
    mode: "iptables",
    version: "1.10",
    rules: (ports, node) => proxyRulesText(kubeProxyRules(ports, clusterCidr, node.name, node.ip)),
    // kube-proxy writes the same rules on every node but for KUBE-XLB's local endpoints, and for
    // the KUBE-FW rule a source range holding the node's own address adds.
    perNode: (ports) => ports.some((p) => (p.externalTrafficPolicy === "Local" && p.nodePort !== undefined) || (p.loadBalancerSourceRanges?.length ?? 0) > 0),
    timeouts: withKubeProxyTimeouts,
  };
}
