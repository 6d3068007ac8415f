/**
 * One node with a CNI-style bridge and two pods, for tests of bridging, br_netfilter and
 * "bridged DNAT":
 *
 *   pod-a 10.200.0.21 ─ veth ─┐
 *                             cnio0 10.200.0.1/24 (node, ip_forward, bridge-nf-call-iptables)
 *   pod-b 10.200.0.27 ─ veth ─┘      a VIP 10.32.0.10:53/udp DNATed to pod-b
 */
import { ipv4, parseCidr } from "../addr/ipv4";
import { iptablesRestoreOrThrow } from "../netfilter/save";
import { World } from "../world";

export const BRIDGE_NAT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:CNI-TEST - [0:0]
-A PREROUTING -d 10.32.0.10/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.200.0.27:53
-A POSTROUTING -s 10.200.0.0/24 -j CNI-TEST
-A CNI-TEST -d 10.200.0.0/24 -j ACCEPT
-A CNI-TEST ! -d 224.0.0.0/4 -j MASQUERADE
COMMIT
`;

export function bridgeLab(opts: { brNetfilter?: boolean } = {}): World {
  const w = new World({ seed: 11 });
  w.addNetns({ name: "node", node: "worker-0", ipForward: true, bridgeNfCallIptables: opts.brNetfilter ?? true });
  w.bridge("node", "cnio0", "0a:58:0a:c8:00:01");
  w.get("node").addAddress("cnio0", "10.200.0.1/24");
  const pods = [
    { ns: "cni-a", pod: "pod-a", ip: "10.200.0.21", mac: "0a:58:0a:c8:00:15", veth: "veth0000000a" },
    { ns: "cni-b", pod: "pod-b", ip: "10.200.0.27", mac: "0a:58:0a:c8:00:1b", veth: "veth0000000b" },
  ];
  for (const p of pods) {
    w.addNetns({ name: p.ns, node: "worker-0", pod: p.pod });
    w.veth({ ns: p.ns, name: "eth0", mac: p.mac, ifindex: 3 }, { ns: "node", name: p.veth });
    w.enslave("node", p.veth, "cnio0");
    w.get(p.ns).addAddress("eth0", `${p.ip}/24`);
    w.get(p.ns).addRoute({ table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: ipv4("10.200.0.1"), dev: "eth0", proto: "boot", scope: "global" });
  }
  w.get("cni-b").listeners.push({ proto: "udp", port: 53, app: "kube-dns" });
  iptablesRestoreOrThrow(w.get("node").nf, BRIDGE_NAT);
  return w;
}
