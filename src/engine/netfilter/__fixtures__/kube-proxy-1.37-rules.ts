/**
 * Rules as kube-proxy 1.37 writes them (iptables-restore input) and as iptables-save v1.8.9
 * (nf_tables) printed them back after `ip netns exec m2-x iptables-restore` on this project's lab
 * machine (kernel 6.18). The netfilter tests check the engine prints the same; the lab test
 * (lab/modern-iptables.test.ts) loads them into a namespace again and compares with the kernel.
 */
export const KUBE_PROXY_137_RULES: readonly { readonly table: "filter" | "nat"; readonly input: string; readonly saved: string }[] = [
  {
    table: "filter",
    input: `-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    saved: `-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
  },
  { table: "filter", input: `-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP`, saved: `-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP` },
  {
    table: "filter",
    input: `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x00004000/0x00004000 -j ACCEPT`,
    saved: `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT`,
  },
  {
    table: "filter",
    input: `-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT`,
    saved: `-A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable`,
  },
  { table: "nat", input: `-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN`, saved: `-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN` },
  { table: "nat", input: `-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000`, saved: `-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0` },
  {
    table: "nat",
    input: `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
    saved: `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
  },
  { table: "nat", input: `-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000`, saved: `-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000` },
  ...(
    [
      ["0.3333333333", "0.33333333349"],
      ["0.5000000000", "0.50000000000"],
      ["0.2500000000", "0.25000000000"],
      ["0.1000000000", "0.10000000009"],
      ["0.2000000000", "0.20000000019"],
      ["0.1666666667", "0.16666666651"],
    ] as const
  ).map(([p, printed]) => ({
    table: "nat" as const,
    input: `-A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.0.0.1:80" -m statistic --mode random --probability ${p} -j KUBE-SEP-Y`,
    saved: `-A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.0.0.1:80" -m statistic --mode random --probability ${printed} -j KUBE-SEP-Y`,
  })),
  {
    table: "nat",
    input: `-A KUBE-SVC-X -m comment --comment "ns/a cluster IP" -m tcp -p tcp -d 10.96.0.1 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ`,
    saved: `-A KUBE-SVC-X ! -s 10.244.0.0/16 -d 10.96.0.1/32 -p tcp -m comment --comment "ns/a cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ`,
  },
  {
    table: "nat",
    input: `-A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.0.0.1:80" -m recent --name KUBE-SEP-Y --rcheck --seconds 10800 --reap -j KUBE-SEP-Y`,
    saved: `-A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.0.0.1:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-Y --mask 255.255.255.255 --rsource -j KUBE-SEP-Y`,
  },
  {
    table: "nat",
    input: `-A KUBE-FW-X -m comment --comment "other traffic to ns/a:p will be dropped by KUBE-PROXY-FIREWALL"`,
    saved: `-A KUBE-FW-X -m comment --comment "other traffic to ns/a:p will be dropped by KUBE-PROXY-FIREWALL"`,
  },
  {
    table: "nat",
    input: `-A KUBE-EXT-X -m comment --comment "pod traffic for ns/a:p external destinations" -s 10.244.0.0/16 -j KUBE-SVC-X`,
    saved: `-A KUBE-EXT-X -s 10.244.0.0/16 -m comment --comment "pod traffic for ns/a:p external destinations" -j KUBE-SVC-X`,
  },
];
