/**
 * flannel with its VXLAN backend, as flanneld v0.28 (--ip-masq --kube-subnet-mgr, kube-flannel.yml's
 * net-conf) and the flannel CNI plugin, delegating to the bridge plugin v1.9, set a node up:
 *
 * - flanneld: the VTEP `flannel.1` (VNI 1, the kernel's UDP port 8472, nolearning, MTU = eth0's
 *   − 50, a random MAC), the lease's address `10.244.N.0/32` on it, and for every other node's
 *   lease, in this order, a permanent neighbour entry (its subnet address → its VTEP MAC), a
 *   permanent FDB entry (that MAC → its node address) and the route
 *   `10.244.M.0/24 via 10.244.M.0 dev flannel.1 onlink`; FLANNEL-POSTRTG (nat) and FLANNEL-FWD
 *   (filter), appended; /run/flannel/subnet.env.
 * - the CNI plugin: the bridge plugin as delegate (name cbr0, bridge cni0, isGateway,
 *   isDefaultGateway, hairpinMode, ipMasq off, mtu FLANNEL_MTU) with host-local IPAM over the
 *   node's lease and a route to the whole Network.
 *
 * Sources read (for facts): flannel-io/flannel v0.28.9 pkg/backend/vxlan, pkg/trafficmngr/iptables,
 * pkg/subnet; flannel-io/cni-plugin v1.9.1-flannel1; containernetworking/plugins v1.9.1
 * plugins/main/bridge. Checked in the kernel: docs/kernel-lab-notes.md, "flannel".
 */
import { formatIpv4, parseCidr, type Ipv4 } from "../addr/ipv4";
import { generatedMac } from "../netns";
import type { World } from "../world";
import { assignAddress, freeHostVethName, HostLocal } from "./bridge";
import type { CniNode, CniPlugin, PodAttachment, PodNetwork, TableLines } from "./plugin";

export const FLANNEL_VTEP = "flannel.1";
export const FLANNEL_VNI = 1;
/** The kernel's VXLAN port: flannel sends none, so the device gets Linux's default. */
export const FLANNEL_PORT = 8472;
/** What VXLAN adds around a frame: outer IP 20, UDP 8, VXLAN 8, inner Ethernet 14. */
export const VXLAN_OVERHEAD = 50;
export const FLANNEL_BRIDGE = "cni0";

/** The node's lease: its subnet's first address, as flannel.1 carries it (/32, "so that no broadcast routes are created"). */
export function vtepAddress(podCidr: string): Ipv4 {
  return parseCidr(podCidr).net;
}

/** The VTEP's MAC: flanneld draws a random locally administered one (kept in the node's annotation); here one derived from the node. */
export function vtepMac(node: string): string {
  return generatedMac(`flannel/${node}/${FLANNEL_VTEP}`);
}

/** FLANNEL_MTU: eth0's MTU less VXLAN's overhead (1410 on the cloud's 1460, 1450 on 1500). */
export function flannelMtu(world: World, node: string): number {
  return world.get(node).requireIface("eth0").mtu - VXLAN_OVERHEAD;
}

/** /run/flannel/subnet.env as flanneld writes it: every line ends in a newline. */
export function subnetEnv(node: CniNode, mtu: number): string {
  const lease = parseCidr(node.podCidr);
  return [
    `FLANNEL_NETWORK=${node.podNetwork}`,
    `FLANNEL_SUBNET=${formatIpv4(lease.net + 1)}/${lease.prefix}`,
    `FLANNEL_MTU=${mtu}`,
    "FLANNEL_IPMASQ=true",
    "",
  ].join("\n");
}

/** flanneld's nat rules (--ip-masq): FLANNEL-POSTRTG, appended to POSTROUTING, leaving kube-proxy's marked packets to it. */
export function flannelNatRules(node: CniNode): TableLines {
  const net = node.podNetwork;
  const lease = `${formatIpv4(parseCidr(node.podCidr).net)}/${parseCidr(node.podCidr).prefix}`;
  const c = '-m comment --comment "flanneld masq"';
  return {
    chains: [":FLANNEL-POSTRTG - [0:0]"],
    rules: [
      `-A POSTROUTING ${c} -j FLANNEL-POSTRTG`,
      `-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${lease} -d ${net} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${net} -d ${lease} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG ! -s ${net} -d ${lease} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${net} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`,
      `-A FLANNEL-POSTRTG ! -s ${net} -d ${net} ${c} -j MASQUERADE --random-fully`,
    ],
  };
}

/** flanneld's forward rules (--iptables-forward-rules, on by default): FLANNEL-FWD, appended to FORWARD. */
export function flannelFilterRules(node: CniNode): TableLines {
  const c = '-m comment --comment "flanneld forward"';
  return {
    chains: [":FLANNEL-FWD - [0:0]"],
    rules: [`-A FORWARD ${c} -j FLANNEL-FWD`, `-A FLANNEL-FWD -s ${node.podNetwork} ${c} -j ACCEPT`, `-A FLANNEL-FWD -d ${node.podNetwork} ${c} -j ACCEPT`],
  };
}

/** flannel (VXLAN) for one cluster: each node's host-local state and next interface index. */
export function flannelPlugin(): CniPlugin {
  const ipam = new Map<string, HostLocal>();
  const mtus = new Map<string, number>();
  return {
    type: "flannel",
    setUpNode(world: World, node: CniNode) {
      const ns = world.get(node.name);
      const mtu = flannelMtu(world, node.name);
      mtus.set(node.name, mtu);
      ipam.set(node.name, new HostLocal(node.podCidr));
      const vtep = ns.addVxlan({ name: FLANNEL_VTEP, vni: FLANNEL_VNI, port: FLANNEL_PORT, local: parseCidr(node.ip).net, underlay: "eth0", learning: false, mac: vtepMac(node.name), mtu });
      ns.addAddress(vtep.name, `${formatIpv4(vtepAddress(node.podCidr))}/32`);
      ns.setUp(vtep.name);
    },

    connectNodes(world: World, nodes: readonly CniNode[]) {
      for (const node of nodes) {
        const ns = world.get(node.name);
        const vtep = ns.requireIface(FLANNEL_VTEP);
        if (vtep.kind !== "vxlan") continue;
        for (const other of nodes) {
          if (other.name === node.name) continue;
          const gw = vtepAddress(other.podCidr);
          const mac = vtepMac(other.name);
          ns.addPermanentNeighbour(FLANNEL_VTEP, gw, mac);
          vtep.fdb.set(mac, { dst: parseCidr(other.ip).net });
          ns.addRoute({ table: "main", type: "unicast", dst: parseCidr(other.podCidr), via: gw, dev: FLANNEL_VTEP, proto: "boot", scope: "global", onlink: true });
        }
      }
    },

    addPod(world: World, node: CniNode, pod: PodAttachment): PodNetwork {
      const hl = ipam.get(node.name)!;
      const mtu = mtus.get(node.name)!;
      const nodeNs = world.get(node.name);
      // The bridge plugin makes cni0 on the node's first pod, with the gateway address (and its broadcast).
      if (!nodeNs.iface(FLANNEL_BRIDGE)) {
        const br = world.bridge(node.name, FLANNEL_BRIDGE, generatedMac(`flannel/${node.name}/${FLANNEL_BRIDGE}`));
        br.mtu = mtu;
        nodeNs.addAddress(FLANNEL_BRIDGE, `${formatIpv4(hl.gateway)}/${hl.range.prefix}`, "global", true);
      }
      const ip = assignAddress(hl, node, pod);
      const hostIface = freeHostVethName(nodeNs, pod.containerId);
      const [podEnd, hostEnd] = world.veth({ ns: pod.netns, name: "eth0", mac: generatedMac(`flannel/${pod.containerId}/eth0`), ifindex: 2 }, { ns: node.name, name: hostIface });
      podEnd.mtu = mtu;
      hostEnd.mtu = mtu;
      world.enslave(node.name, hostIface, FLANNEL_BRIDGE);
      hostEnd.hairpin = true;
      const podNs = world.get(pod.netns);
      podNs.addAddress("eth0", `${formatIpv4(ip)}/${hl.range.prefix}`, "global", true);
      const gateway = hl.gateway as Ipv4;
      // IPAM's route to the Network (no gateway of its own: the range's), then isDefaultGateway's default route.
      podNs.addRoute({ table: "main", type: "unicast", dst: parseCidr(node.podNetwork), via: gateway, dev: "eth0", proto: "boot", scope: "global" });
      podNs.addRoute({ table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: gateway, dev: "eth0", proto: "boot", scope: "global" });
      return { ip, hostIface };
    },

    natRules(node: CniNode) {
      return flannelNatRules(node);
    },

    filterRules(node: CniNode) {
      return flannelFilterRules(node);
    },
  };
}
