/**
 * The iptables rules kubelet 1.37 keeps on every node, whatever kube-proxy's mode: after the
 * IPTablesOwnershipCleanup (GA in 1.28) kubelet only makes the hint chain that tells other
 * components which iptables backend is in use, the martian-packet guard KUBE-FIREWALL (kube-proxy's
 * localhost NodePorts open 127.0.0.0/8 to the network with route_localnet; the rule drops what is
 * not a forwarded connection), and its canary chains, which it watches to resync when the tables
 * are flushed. Read from pkg/kubelet/kubelet_network_linux.go (kubernetes a0d8ee79, the newest
 * stored). In iptables mode kube-proxy 1.37 writes the same KUBE-FIREWALL rule itself
 * (iptables-modern.ts carries these rules in its own text); in nftables mode these are the
 * node's only iptables rules besides the CNI plugin's.
 *
 * The tables are made in kubelet's order: mangle (the hint chain), filter (KUBE-FIREWALL), then
 * nat, where the canary is the first chain (its monitor creates canaries in mangle, nat, filter).
 */

/** iptables-restore text for kubelet's rules. */
export function kubeletIptablesText(): string {
  return [
    "*mangle",
    ":PREROUTING ACCEPT [0:0]",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":POSTROUTING ACCEPT [0:0]",
    ":KUBE-IPTABLES-HINT - [0:0]",
    ":KUBE-KUBELET-CANARY - [0:0]",
    "COMMIT",
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":KUBE-FIREWALL - [0:0]",
    ":KUBE-KUBELET-CANARY - [0:0]",
    "-A INPUT -j KUBE-FIREWALL",
    "-A OUTPUT -j KUBE-FIREWALL",
    `-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    "COMMIT",
    "*nat",
    ":PREROUTING ACCEPT [0:0]",
    ":INPUT ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":POSTROUTING ACCEPT [0:0]",
    ":KUBE-KUBELET-CANARY - [0:0]",
    "COMMIT",
    "",
  ].join("\n");
}
