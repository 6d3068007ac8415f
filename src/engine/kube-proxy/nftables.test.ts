import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { endpointBase, hashAndTruncate, servicePortBase, servicePortNameString } from "./nft-names";
import { endpointNames, kubeProxyNftRules, MASQ_MARK, nftablesProxier, serviceChains } from "./nftables";
import type { ProxyServicePort } from "./proxier";

/** A second route to the 8 hash characters: the first 40 bits of the digest, 5 bits at a time. */
function hash8(name: string): string {
  const d = createHash("sha256").update(name, "utf8").digest();
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(d[i]!);
  let out = "";
  for (let i = 7; i >= 0; i--) out += "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}

describe("nftables chain names (hashAndTruncate)", () => {
  // Retyped from kubernetes pkg/proxy/nftables/proxier_test.go (TestOverallNFTablesRules).
  it.each([
    ["ns1", "svc1", "p80", "ULMVA6XW"],
    ["ns2", "svc2", "p80", "42NFTM6N"],
    ["ns3", "svc3", "p80", "4AT6LBPK"],
    ["ns4", "svc4", "p80", "LAUZTJTB"],
    ["ns5", "svc5", "p80", "HVFWP5L3"],
  ])("%s/%s/tcp/%s hashes to %s", (ns, svc, port, hash) => {
    expect(servicePortBase(ns, svc, "TCP", port)).toBe(`${hash}-${ns}/${svc}/tcp/${port}`);
    expect(hash8(`${ns}/${svc}/tcp/${port}`)).toBe(hash);
  });

  it.each([
    ["ns1", "svc1", "10.180.0.1", "5OJB2KTY"],
    ["ns2", "svc2", "10.180.0.2", "SGOXE6O3"],
    ["ns3", "svc3", "10.180.0.3", "UEIP74TE"],
    ["ns4", "svc4", "10.180.0.4", "UNZV3OEC"],
    ["ns4", "svc4", "10.180.0.5", "5RFCDDV7"],
    ["ns5", "svc5", "10.180.0.3", "GTK6MW7G"],
  ])("endpoint %s/%s/tcp/p80__%s/80 hashes to %s", (ns, svc, ip, hash) => {
    expect(endpointBase(ns, svc, "tcp", "p80", ip, 80)).toBe(`${hash}-${ns}/${svc}/tcp/p80__${ip}/80`);
    expect(hash8(`${ns}/${svc}/tcp/p80__${ip}/80`)).toBe(hash);
  });

  it("hashes the article's services as the second route does, an unnamed port ending in a slash", () => {
    const cases = [servicePortBase("default", "nginx", "TCP", ""), servicePortBase("kube-system", "kube-dns", "UDP", "dns"), endpointBase("kube-system", "kube-dns", "UDP", "dns", "10.200.0.27", 53)];
    for (const base of cases) expect(base.slice(0, 8)).toBe(hash8(base.slice(9)));
    expect(cases[0]).toMatch(/^[A-Z2-7]{8}-default\/nginx\/tcp\/$/);
  });

  it("turns an IPv6 endpoint's colons into dots and cuts a base longer than 240 to 237 and '...'", () => {
    expect(endpointBase("ns", "s", "tcp", "p", "fd00::1", 80)).toMatch(/^[A-Z2-7]{8}-ns\/s\/tcp\/p__fd00..1\/80$/);
    const long = "a".repeat(300);
    const cut = hashAndTruncate(long);
    expect(cut).toHaveLength(240);
    expect(cut.endsWith("a...")).toBe(true);
    expect(cut.slice(0, 8)).toBe(hash8(long));
    expect(hashAndTruncate("a".repeat(231))).toHaveLength(240);
  });

  it("writes today's service port name: no colon for an unnamed port", () => {
    expect(servicePortNameString("default", "nginx", "")).toBe("default/nginx");
    expect(servicePortNameString("ns6", "svc6", "p80")).toBe("ns6/svc6:p80");
  });
});

const NODE = { name: "test-node", ip: "192.168.0.2" };
const OPTS = { clusterCidr: "10.0.0.0/8", serviceCidrs: ["172.30.0.0/16"], node: NODE };

function port(p: Partial<ProxyServicePort> & Pick<ProxyServicePort, "namespace" | "service" | "clusterIP">): ProxyServicePort {
  return { portName: "p80", protocol: "TCP", port: 80, externalTrafficPolicy: "Cluster", endpoints: [], ...p };
}

/**
 * What the first transaction leaves: add+delete pairs and flushes gone, as knftables' fake
 * dumps it; then sorted as the upstream test helper sorts (object type, name, rules in order).
 */
function dumpOf(text: string): string[] {
  const out: string[] = [];
  for (const l of text.split("\n")) {
    if (!l || l.startsWith("flush ")) continue;
    const del = /^delete (\w+) ip kube-proxy (\S+)$/.exec(l);
    if (!del) {
      out.push(l);
      continue;
    }
    let i = out.length - 1;
    while (i >= 0 && !(out[i] === `add ${del[1]} ip kube-proxy ${del[2]}` || out[i]!.startsWith(`add ${del[1]} ip kube-proxy ${del[2]} {`))) i--;
    if (i < 0) throw new Error(`${l}: nothing added to delete`);
    out.splice(i, 1);
  }
  return sortLikeUpstream(out);
}

function sortLikeUpstream(lines: string[]): string[] {
  const rank: Record<string, number> = { table: 10, chain: 9, rule: 8, set: 7, map: 6, element: 5 };
  return lines
    .map((l, i) => ({ l, i, w: l.split(" ") }))
    .sort((a, b) => {
      if (a.w[1] !== b.w[1]) return (rank[b.w[1]!] ?? 0) - (rank[a.w[1]!] ?? 0);
      if (a.w[4] !== b.w[4]) return a.w[4]! < b.w[4]! ? -1 : 1;
      if (a.w[1] === "rule") return a.i - b.i;
      return a.l < b.l ? -1 : a.l > b.l ? 1 : 0;
    })
    .map((x) => x.l);
}

// Retyped from proxier_test.go's baseRules and TestOverallNFTablesRules (kubernetes commit
// 26c03096, the localhost NodePorts gate off here; upstream's fake proxier uses mark 0x4000,
// kube-proxy itself formats 1<<14 as 0x00004000), for svc1, svc2 (without its externalIP),
// svc3, svc5 and svc6.
const EXPECTED = `
add table ip kube-proxy { comment "rules for kube-proxy" ; }
add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }
add set ip kube-proxy hairpin-connections { type ipv4_addr . ipv4_addr . inet_proto . inet_service ; comment "service hairpin connections" ; }
add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
add chain ip kube-proxy firewall-check
add chain ip kube-proxy masquerading
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain ip kube-proxy services
add chain ip kube-proxy service-endpoints-check
add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy masquerading mark and 0x00004000 != 0 mark set mark xor 0x00004000 masquerade fully-random
add rule ip kube-proxy masquerading ct status dnat ip saddr . ip daddr . meta l4proto . th dport @hairpin-connections masquerade fully-random
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy services ip daddr @cluster-ips ip saddr != 10.0.0.0/8 mark set mark or 0x00004000 comment "masquerade clusterIP traffic from outside cluster"
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
add element ip kube-proxy nodeport-ips { 192.168.0.2 }
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services

add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 meta l4proto tcp dnat ip addr . port to 10.180.0.1 . 80
add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
add element ip kube-proxy hairpin-connections { 10.180.0.1 . 10.180.0.1 . tcp . 80 }

add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 meta l4proto tcp dnat ip addr . port to 10.180.0.2 . 80
add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local mark set mark or 0x00004000 comment "masquerade local traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"
add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }

add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 meta l4proto tcp dnat ip addr . port to 10.180.0.3 . 80
add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 mark set mark or 0x00004000 comment "masquerade"
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80
add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy hairpin-connections { 10.180.0.3 . 10.180.0.3 . tcp . 80 }

add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 mark set mark or 0x00004000 comment "masquerade"
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80
add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80
add chain ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop
add element ip kube-proxy cluster-ips { 172.30.0.45 }
add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }

add element ip kube-proxy cluster-ips { 172.30.0.46 }
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
`;

const HERE = "test-node";
const OVERALL: ProxyServicePort[] = [
  port({ namespace: "ns1", service: "svc1", clusterIP: "172.30.0.41", endpoints: [{ ip: "10.180.0.1", port: 80, node: HERE }] }),
  // LoadBalancer, externalTrafficPolicy Local, its only endpoint on another node.
  port({ namespace: "ns2", service: "svc2", clusterIP: "172.30.0.42", nodePort: 3001, externalTrafficPolicy: "Local", loadBalancerIPs: ["1.2.3.4"], healthCheckNodePort: 30000, endpoints: [{ ip: "10.180.0.2", port: 80, node: "other-node" }] }),
  port({ namespace: "ns3", service: "svc3", clusterIP: "172.30.0.43", nodePort: 3003, endpoints: [{ ip: "10.180.0.3", port: 80, node: HERE }] }),
  port({
    namespace: "ns5",
    service: "svc5",
    clusterIP: "172.30.0.45",
    nodePort: 3002,
    loadBalancerIPs: ["5.6.7.8"],
    loadBalancerSourceRanges: [" 203.0.113.0/25"],
    sessionAffinity: "ClientIP",
    affinitySeconds: 10800,
    endpoints: [{ ip: "10.180.0.3", port: 80, node: HERE }],
  }),
  port({ namespace: "ns6", service: "svc6", clusterIP: "172.30.0.46" }),
];

describe("kube-proxy 1.37 nftables rules", () => {
  it("match upstream's TestOverallNFTablesRules dump, object for object", () => {
    const got = dumpOf(kubeProxyNftRules(OVERALL, OPTS));
    const want = sortLikeUpstream(EXPECTED.split("\n").filter((l) => l !== ""));
    expect(got).toEqual(want);
  });

  it("write knftables' first transaction: base chains added and deleted, then created with numeric priorities", () => {
    const lines = kubeProxyNftRules([], OPTS).split("\n");
    expect(lines[0]).toBe('add table ip kube-proxy { comment "rules for kube-proxy" ; }');
    expect(lines.slice(1, 3)).toEqual(["add chain ip kube-proxy filter-prerouting-pre-dnat", "delete chain ip kube-proxy filter-prerouting-pre-dnat"]);
    expect(lines).toContain("add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }");
    expect(lines).toContain("flush set ip kube-proxy nodeport-ips");
    // The localhost NodePorts gate is off: its map, chains and counters are made and deleted again.
    expect(lines).toContain("delete map ip kube-proxy localhost-nodeport-reject-ports");
    expect(lines.indexOf("delete counter ip kube-proxy localhost-nodeport-rejected-udp")).toBe(lines.indexOf("add counter ip kube-proxy localhost-nodeport-rejected-udp") + 1);
    expect(lines).not.toContain("add chain ip kube-proxy mark-for-masquerade");
    expect(lines.filter((l) => l === "add chain ip kube-proxy service-endpoints-check")).toHaveLength(1);
    expect(MASQ_MARK).toBe("0x00004000");
  });

  it.each([1, 2, 3])("DNATs %i endpoints in the service chain: straight to one, through a numgen map to several", (n) => {
    const eps = Array.from({ length: n }, (_, i) => ({ ip: `10.200.${i}.9`, port: 8080 }));
    const sp = port({ namespace: "web", service: "front", portName: "http", clusterIP: "10.32.0.80", endpoints: eps });
    const text = kubeProxyNftRules([sp], OPTS);
    const svc = serviceChains(sp).cluster;
    expect(svc).toBe(`service-${hash8("web/front/tcp/http")}-web/front/tcp/http`);
    const to = n === 1 ? "10.200.0.9 . 8080" : `numgen random mod ${n} map { ${eps.map((e, i) => `${i} : ${e.ip} . 8080`).join(" , ")} }`;
    expect(text).toContain(`add rule ip kube-proxy ${svc} meta l4proto tcp dnat ip addr . port to ${to}\n`);
    expect(text).not.toMatch(/ chain ip kube-proxy endpoint-/);
    expect(text.match(/add element ip kube-proxy hairpin-connections/g)).toBeNull(); // no endpoint on this node
  });

  it("sends ClientIP-affinity services through endpoint chains: affinity gotos, a numgen vmap, update and dnat", () => {
    const eps = [10, 11, 12].map((i) => ({ ip: `10.200.0.${i}`, port: 53, node: "test-node" }));
    const sp = port({ namespace: "kube-system", service: "dns", portName: "dns", protocol: "UDP", port: 53, clusterIP: "10.32.0.10", sessionAffinity: "ClientIP", affinitySeconds: 600, endpoints: eps });
    const text = kubeProxyNftRules([sp], OPTS);
    const svc = serviceChains(sp).cluster;
    const n = eps.map((e) => endpointNames(sp, e));
    expect(n[0]!.chain).toBe(`endpoint-${hash8("kube-system/dns/udp/dns__10.200.0.10/53")}-kube-system/dns/udp/dns__10.200.0.10/53`);
    const vmap = n.map((x, i) => `${i} : goto ${x.chain}`).join(" , ");
    expect(text).toContain(`add rule ip kube-proxy ${svc} numgen random mod 3 vmap { ${vmap} }\n`);
    for (const x of n) {
      expect(text).toContain(`add set ip kube-proxy ${x.affinity} { type ipv4_addr ; flags dynamic,timeout ; timeout 600s ; }\n`);
      expect(text).toContain(`add rule ip kube-proxy ${svc} ip saddr @${x.affinity} goto ${x.chain}\n`);
      expect(text).toContain(`add rule ip kube-proxy ${x.chain} update @${x.affinity} { ip saddr }\n`);
    }
    expect(text).toContain(`add rule ip kube-proxy ${n[2]!.chain} meta l4proto udp dnat to 10.200.0.12:53\n`);
    expect(text).toContain("add element ip kube-proxy hairpin-connections { 10.200.0.11 . 10.200.0.11 . udp . 53 }");
  });

  it("gives an eTP Local service with a local endpoint a local- chain the external chain falls through to", () => {
    const sp = port({
      namespace: "web",
      service: "lb",
      clusterIP: "10.32.0.90",
      nodePort: 30080,
      externalTrafficPolicy: "Local",
      loadBalancerIPs: ["203.0.113.50"],
      endpoints: [
        { ip: "10.180.0.7", port: 80, node: "test-node" },
        { ip: "10.180.1.7", port: 80, node: "other" },
      ],
    });
    const text = kubeProxyNftRules([sp], OPTS);
    const c = serviceChains(sp);
    expect(text).toContain(`add rule ip kube-proxy ${c.local} meta l4proto tcp dnat ip addr . port to 10.180.0.7 . 80\n`);
    expect(text).toContain(`add rule ip kube-proxy ${c.external} goto ${c.local}\n`);
    expect(text).toContain(`add rule ip kube-proxy ${c.external} fib saddr type local mark set mark or 0x00004000 comment "masquerade local traffic"\n`);
    expect(text).toContain(`add rule ip kube-proxy ${c.cluster} meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 10.180.0.7 . 80 , 1 : 10.180.1.7 . 80 }`);
    expect(text).not.toContain("add element ip kube-proxy no-endpoint-nodeports");
    expect(text).toContain(`add element ip kube-proxy service-ips { 203.0.113.50 . tcp . 80 : goto ${c.external} }`);
    expect(text).toContain("add element ip kube-proxy hairpin-connections { 10.180.0.7 . 10.180.0.7 . tcp . 80 }");
    expect(text).not.toContain("hairpin-connections { 10.180.1.7");
    // On another node, no local endpoint: external traffic is dropped.
    const other = kubeProxyNftRules([sp], { ...OPTS, node: { name: "other2", ip: "192.168.0.3" } });
    expect(other).toContain('add element ip kube-proxy no-endpoint-nodeports { tcp . 30080 comment "web/lb:p80" : drop }');
    expect(other).not.toContain(c.local);
  });

  it("rejects a service without endpoints on its cluster IP, NodePort and load balancer IP", () => {
    const sp = port({ namespace: "web", service: "gone", portName: "", clusterIP: "10.32.0.99", nodePort: 30099, loadBalancerIPs: ["203.0.113.99"], loadBalancerSourceRanges: ["198.51.100.0/24"] });
    const text = kubeProxyNftRules([sp], OPTS);
    expect(text).toContain('add element ip kube-proxy no-endpoint-services { 10.32.0.99 . tcp . 80 comment "web/gone" : goto reject-chain }');
    expect(text).toContain('add element ip kube-proxy no-endpoint-services { 203.0.113.99 . tcp . 80 comment "web/gone" : goto reject-chain }');
    expect(text).toContain('add element ip kube-proxy no-endpoint-nodeports { tcp . 30099 comment "web/gone" : goto reject-chain }');
    expect(text).not.toMatch(/service-ips \{ 10\.32\.0\.99/);
    expect(text).not.toContain("external-");
    // The firewall chain is kept even without endpoints.
    expect(text).toContain(`add rule ip kube-proxy ${serviceChains(sp).firewall} ip saddr != { 198.51.100.0/24 } drop`);
  });

  it("lets the node's own address through a source range that holds it, and writes ranges as networks", () => {
    const sp = port({ namespace: "web", service: "fw", clusterIP: "10.32.0.70", nodePort: 30070, loadBalancerIPs: ["203.0.113.70", "203.0.113.71"], loadBalancerSourceRanges: ["192.168.0.77/16", "198.51.100.0/24"], endpoints: [{ ip: "10.180.0.1", port: 80 }] });
    const text = kubeProxyNftRules([sp], OPTS);
    expect(text).toContain(`add rule ip kube-proxy ${serviceChains(sp).firewall} ip saddr != { 192.168.0.0/16 , 198.51.100.0/24 , 203.0.113.70 , 203.0.113.71 } drop`);
    expect(text.match(/add element ip kube-proxy firewall-ips/g)).toHaveLength(2);
  });

  it("writes a cluster IP once in cluster-ips however many ports it has", () => {
    const a = port({ namespace: "kube-system", service: "kube-dns", portName: "dns", protocol: "UDP", port: 53, clusterIP: "10.32.0.10", endpoints: [{ ip: "10.200.0.27", port: 53 }] });
    const b = { ...a, portName: "dns-tcp", protocol: "TCP" as const };
    const text = kubeProxyNftRules([a, b], OPTS);
    expect(text.match(/cluster-ips \{ 10\.32\.0\.10 \}/g)).toHaveLength(1);
    expect(text).toContain("service-ips { 10.32.0.10 . udp . 53 : goto service-");
    expect(text).toContain("meta l4proto udp dnat ip addr . port to 10.200.0.27 . 53");
  });

  it("is a Proxier for nftables 1.37 whose rules differ per node", () => {
    const p = nftablesProxier("10.200.0.0/16", "10.32.0.0/24");
    expect([p.backend, p.mode, p.version]).toEqual(["nftables", "nftables", "1.37"]);
    expect(p.perNode([])).toBe(true);
    expect(p.rules([], { name: "w", ip: "10.240.0.21" })).toContain("add element ip kube-proxy nodeport-ips { 10.240.0.21 }");
    expect(p.rules([], { name: "w", ip: "10.240.0.21" })).toContain("ip daddr { 10.32.0.0/24 } drop");
    expect(p.timeouts({ tcp: { ESTABLISHED: 432000 } } as never).tcp.ESTABLISHED).toBe(86400);
  });
});
