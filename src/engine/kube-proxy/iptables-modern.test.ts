import { describe, expect, it } from "vitest";
import { parseIptablesSave } from "../netfilter/parse";
import { iptablesSave, restoreParsed } from "../netfilter/save";
import { emptyRuleset } from "../netfilter/types";
import { extChain, fwChain, sepChain, servicePortName, servicePortNameModern, svcChain, svlChain } from "./chains";
import { iptablesProxierModern, KUBE_PROXY_MODERN_VERSION, modernProbability, modernRulesText } from "./iptables-modern";
import type { ProxyServicePort } from "./proxier";

const NODE = { name: "test-node", ip: "192.168.0.2" };

/**
 * Four of the services of kubernetes' TestOverallIPTablesRules (pkg/proxy/iptables/proxier_test.go),
 * re-typed: a ClusterIP service, a LoadBalancer with externalTrafficPolicy Local whose only
 * endpoint is on another node, a NodePort service, a LoadBalancer with Cluster policy, a source
 * range and ClientIP affinity, and a service without endpoints. (Its ExternalIP rules are not modelled.)
 */
const PORTS: ProxyServicePort[] = [
  { namespace: "ns1", service: "svc1", portName: "p80", protocol: "TCP", clusterIP: "172.30.0.41", port: 80, externalTrafficPolicy: "Cluster", endpoints: [{ ip: "10.180.0.1", port: 80 }] },
  {
    namespace: "ns2",
    service: "svc2",
    portName: "p80",
    protocol: "TCP",
    clusterIP: "172.30.0.42",
    port: 80,
    nodePort: 3001,
    externalTrafficPolicy: "Local",
    loadBalancerIPs: ["1.2.3.4"],
    healthCheckNodePort: 30000,
    endpoints: [{ ip: "10.180.0.2", port: 80 }],
  },
  { namespace: "ns3", service: "svc3", portName: "p80", protocol: "TCP", clusterIP: "172.30.0.43", port: 80, nodePort: 3003, externalTrafficPolicy: "Cluster", endpoints: [{ ip: "10.180.0.3", port: 80 }] },
  {
    namespace: "ns5",
    service: "svc5",
    portName: "p80",
    protocol: "TCP",
    clusterIP: "172.30.0.45",
    port: 80,
    nodePort: 3002,
    externalTrafficPolicy: "Cluster",
    loadBalancerIPs: ["5.6.7.8"],
    loadBalancerSourceRanges: ["203.0.113.0/25"],
    healthCheckNodePort: 30000,
    sessionAffinity: "ClientIP",
    affinitySeconds: 10800,
    endpoints: [{ ip: "10.180.0.3", port: 80 }],
  },
  { namespace: "ns6", service: "svc6", portName: "p80", protocol: "TCP", clusterIP: "172.30.0.46", port: 80, externalTrafficPolicy: "Cluster", endpoints: [] },
];

/** The expected restore lines of those services, re-typed from the test's expected dump, chain by chain. */
const EXPECTED_FILTER = `
-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
`;

const EXPECTED_NAT = `
-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3003 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3002 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
`;

/** The rules of one table of a restore text, grouped by chain in their order (the test's dump groups them so). */
function byChain(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const l of lines) {
    const chain = l.split(" ")[1]!;
    out.set(chain, [...(out.get(chain) ?? []), l]);
  }
  return out;
}

function tableRules(text: string, table: string): string[] {
  const start = text.indexOf(`*${table}\n`);
  const end = text.indexOf("COMMIT", start);
  return text
    .slice(start, end)
    .split("\n")
    .filter((l) => l.startsWith("-A KUBE-"));
}

/**
 * The fake proxier of kubernetes' tests writes the mark as "0x4000" and has no --random-fully
 * (its fake iptables says so); a real node's kube-proxy writes "0x00004000" and, with iptables
 * ≥ 1.6.2, --random-fully. Everything else must be the same text.
 */
function asTheFakeWrites(text: string): string {
  return text.replaceAll("0x00004000", "0x4000").replace(" -j MASQUERADE --random-fully", " -j MASQUERADE");
}

describe("kube-proxy 1.37 in iptables mode", () => {
  const text = modernRulesText(PORTS, "10.0.0.0/8", NODE);

  it("writes the rules of kubernetes' TestOverallIPTablesRules for the same services, chain by chain and in order", () => {
    const mine = asTheFakeWrites(text);
    for (const [table, expected] of [["filter", EXPECTED_FILTER], ["nat", EXPECTED_NAT]] as const) {
      const want = byChain(expected.trim().split("\n"));
      const got = byChain(tableRules(mine, table));
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [chain, rules] of want) expect(got.get(chain), `${table} ${chain}`).toEqual(rules);
    }
  });

  it("declares the chains of the expected dump, and the canaries and kubelet's hint chain", () => {
    for (const chain of ["KUBE-EXT-GNZBNJ2PO5MGZ6GT", "KUBE-FW-NUKIZ6OKUXPJNT4C", "KUBE-SEP-I77PXRDZVX7PMWMN", "KUBE-SVC-XPGD46QRK7WJZT7O", "KUBE-PROXY-FIREWALL", "KUBE-IPTABLES-HINT"]) {
      expect(text).toContain(`:${chain} - [0:0]`);
    }
    // svc2's only endpoint is on another node: no KUBE-SVL chain, no jump from its KUBE-EXT.
    expect(text).not.toContain("KUBE-SVL-");
    expect(text.split("\n").filter((l) => l === ":KUBE-PROXY-CANARY - [0:0]")).toHaveLength(3);
    expect(text.split("\n").filter((l) => l === ":KUBE-KUBELET-CANARY - [0:0]")).toHaveLength(3);
  });

  it("uses a KUBE-SVL chain of the node's own endpoints under externalTrafficPolicy Local, so nodes differ", () => {
    const local: ProxyServicePort = { ...PORTS[1]!, endpoints: [{ ip: "10.180.0.2", port: 80, node: "test-node" }, { ip: "10.180.0.9", port: 80, node: "other" }] };
    const t = modernRulesText([local], "10.0.0.0/8", NODE);
    const svl = svlChain("ns2/svc2:p80", "tcp");
    expect(svl).toBe("KUBE-SVL-GNZBNJ2PO5MGZ6GT");
    expect(t).toContain(`-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -j ${svl}`);
    expect(t).toContain(`-A ${svl} -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ`);
    expect(t).not.toContain(`-A ${svl} -m comment --comment "ns2/svc2:p80 -> 10.180.0.9:80"`);
    // KUBE-SVC balances over both; no "has no local endpoints" drops on this node.
    expect(t).toContain(`-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-RS4RBKLTHTF2IUXJ`);
    expect(t).not.toContain("has no local endpoints");
    const other = modernRulesText([local], "10.0.0.0/8", { name: "other", ip: "192.168.0.3" });
    expect(other).toContain(`-A ${svl} -m comment --comment "ns2/svc2:p80 -> 10.180.0.9:80" -j`);
    expect(iptablesProxierModern("10.0.0.0/8").perNode([local])).toBe(true);
    expect(iptablesProxierModern("10.0.0.0/8").perNode([PORTS[0]!, PORTS[2]!])).toBe(false);
  });

  it("lets the node itself through a source range that holds its address (allowFromNode)", () => {
    const t = modernRulesText([{ ...PORTS[3]!, loadBalancerSourceRanges: ["192.168.0.0/24"] }], "10.0.0.0/8", NODE);
    expect(t).toContain(`-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 192.168.0.0/24 -j KUBE-EXT-NUKIZ6OKUXPJNT4C`);
    expect(t).toContain(`-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 5.6.7.8 -j KUBE-EXT-NUKIZ6OKUXPJNT4C`);
    expect(text).not.toContain("-s 5.6.7.8 -j");
  });

  it("writes no -m nfacct on a kernel without nfnetlink_acct, as kube-proxy falls back", () => {
    const t = modernRulesText(PORTS, "10.0.0.0/8", NODE, { nfacct: false });
    expect(t).not.toContain("nfacct");
    expect(t).toContain("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP");
    expect(t).not.toContain("-d 127.0.0.0/8 --dport 3001");
  });

  it("names chains by today's hashes: the unnamed port has no trailing colon, so its names differ from 1.10's", () => {
    expect(servicePortNameModern("ns1", "svc1", "p80")).toBe("ns1/svc1:p80");
    expect(servicePortNameModern("default", "nginx", "")).toBe("default/nginx");
    expect(servicePortName("default", "nginx", "")).toBe("default/nginx:");
    expect(svcChain("ns1/svc1:p80", "tcp")).toBe("KUBE-SVC-XPGD46QRK7WJZT7O");
    expect(extChain("ns3/svc3:p80", "tcp")).toBe("KUBE-EXT-X27LE4BHSL4DOUIK");
    expect(fwChain("ns5/svc5:p80", "tcp")).toBe("KUBE-FW-NUKIZ6OKUXPJNT4C");
    expect(sepChain("ns4/svc4:p80", "tcp", "10.180.0.5:80")).toBe("KUBE-SEP-C6EBXVWJJZMIWKLZ");
    expect(svcChain("default/nginx", "tcp")).not.toBe(svcChain("default/nginx:", "tcp"));
  });

  it("writes probabilities with ten decimals, which iptables-save prints back from the kernel's 31-bit fixed point", () => {
    expect([2, 3, 4, 6, 10].map(modernProbability)).toEqual(["0.5000000000", "0.3333333333", "0.2500000000", "0.1666666667", "0.1000000000"]);
    const eps = [1, 2, 3, 4].map((i) => ({ ip: `10.180.0.${i}`, port: 80 }));
    const t = modernRulesText([{ ...PORTS[0]!, endpoints: eps }], "10.0.0.0/8", NODE);
    const parsed = parseIptablesSave(t);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const nf = emptyRuleset();
    const loaded = restoreParsed(nf, parsed.value);
    expect(loaded.ok).toBe(true);
    const saved = iptablesSave(nf, { table: "nat" });
    // Checked in the kernel: iptables-save v1.8.9 (nf_tables) prints these for 0.25/0.3333333333/0.5.
    expect(saved.match(/--probability \S+/g)).toEqual(["--probability 0.25000000000", "--probability 0.33333333349", "--probability 0.50000000000"]);
  });

  it("sorts endpoints as today's endpoints map does, by \"ip:port\" as strings", () => {
    const eps = [{ ip: "10.180.0.2", port: 80 }, { ip: "10.180.0.23", port: 80 }];
    const t = modernRulesText([{ ...PORTS[0]!, endpoints: eps }], "10.0.0.0/8", NODE);
    const order = t.split("\n").filter((l) => l.startsWith("-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment \"ns1/svc1:p80 ->"));
    expect(order.map((l) => /-> (\S+)"/.exec(l)![1])).toEqual(["10.180.0.23:80", "10.180.0.2:80"]);
  });

  it("says what it is", () => {
    const p = iptablesProxierModern("10.0.0.0/8");
    expect([p.backend, p.mode, p.version]).toEqual(["iptables", "iptables", KUBE_PROXY_MODERN_VERSION]);
    expect(KUBE_PROXY_MODERN_VERSION).toBe("1.37");
  });
});
