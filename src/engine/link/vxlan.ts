/**
 * VXLAN (drivers/net/vxlan): a frame sent out of a VXLAN device is wrapped, whole, in a UDP
 * datagram to the remote endpoint the device's forwarding table names for its destination MAC,
 * and leaves through the host's own output path (OUTPUT and POSTROUTING see the outer packet,
 * conntrack tracks it as any UDP flow). A datagram that reaches the device's UDP port, after
 * the host's PREROUTING and INPUT, is unwrapped if its VNI is the device's, and the frame inside
 * arrives on the device as if from a wire. Facts from the kernel: docs/kernel-lab-notes.md, "VXLAN".
 */
import { formatIpv4 } from "../addr/ipv4";
import { reason, say } from "../narrate";
import type { Netns, VxlanIface } from "../netns";
import { ETHER_HEADER_BYTES, IP_HEADER, UDP_HEADER, VXLAN_HEADER, type Frame, type Packet } from "../packet/packet";
import { hashString } from "../rng";
import { endpoints, stepPacket } from "../trace";
import { ipRcv, output } from "../walk/ip";
import type { Verdict, Walk } from "../walk/walk";
import { wireStep } from "./link";

/** ip_local_port_range's default: the source ports udp_flow_src_port spreads flows over when the device sets no range. */
const PORT_MIN = 32768;
const PORT_MAX = 61000;

/**
 * The outer source port: udp_flow_src_port's spread of the packet's hash over the port range.
 * The kernel's hashes are random per boot or per socket, so the port is too (the lab compares
 * everything but it); here it is a fixed function of the node and the flow.
 */
export function vxlanSourcePort(ns: Netns, inner: Packet): number {
  const a = `${inner.src}.${inner.sport}`;
  const b = `${inner.dst}.${inner.dport}`;
  // A TCP or UDP socket's packets carry its own random hash (sk_txhash), so each direction of a
  // connection has a port of its own; ping's are hashed by their addresses, the same both ways.
  const key = inner.proto === "icmp" ? `${ns.node}|icmp|${a < b ? `${a}|${b}` : `${b}|${a}`}` : `${ns.node}|${inner.proto}|${a}|${b}`;
  let h = hashString(key) >>> 0;
  h = (h ^ (h << 16)) >>> 0;
  return Math.floor((h * (PORT_MAX - PORT_MIN)) / 2 ** 32) + PORT_MIN;
}

/** vxlan_xmit: the frame, wrapped, to the remote endpoint, through the host's output path. */
export function vxlanXmit(w: Walk, ns: Netns, dev: VxlanIface, f: Frame): Verdict {
  const entry = dev.fdb.get(f.dstMac);
  if (!entry) return w.drop(ns, f.packet, reason.noVtep(dev.name, f.dstMac));
  const outer: Packet = {
    proto: "udp",
    src: dev.local,
    dst: entry.dst,
    sport: vxlanSourcePort(ns, f.packet),
    dport: dev.port,
    // The device's TTL is unset ("ttl auto"): the route's hop limit, 64. DF is not set unless asked (df unset).
    ttl: 64,
    ipId: ns.takeIpId(),
    df: false,
    length: IP_HEADER + UDP_HEADER + VXLAN_HEADER + ETHER_HEADER_BYTES + f.packet.length,
    payload: { kind: "vxlan", vni: dev.vni, frame: f },
  };
  w.step(ns, outer, say.encap(ns.label, dev.name, dev.vni, f.dstMac, formatIpv4(entry.dst), endpoints(outer)), {
    kind: "encap",
    action: "encap",
    tunnel: "vxlan",
    device: dev.name,
    vni: dev.vni,
    port: dev.port,
    fdb: { mac: f.dstMac, dst: formatIpv4(entry.dst) },
    outer: stepPacket(outer),
    inner: stepPacket(f.packet),
  });
  return output(w, ns, outer, false, undefined, true);
}

/**
 * The VXLAN device in `ns` whose socket takes a UDP datagram for `port`, if any (vxlan_vs_find:
 * one socket per port, shared by the devices on it).
 */
export function vxlanSocket(ns: Netns, port: number): VxlanIface[] {
  return ns.ifaces.filter((i): i is VxlanIface => i.kind === "vxlan" && i.up && i.port === port);
}

/**
 * vxlan_rcv: the datagram's VNI picks the device; the frame inside arrives on it (conntrack and
 * netfilter see the inner packet as a new arrival); a datagram whose VNI no device has is
 * dropped. Undefined when it is no VXLAN datagram at all.
 */
export function vxlanRcv(w: Walk, ns: Netns, devs: readonly VxlanIface[], outer: Packet): Verdict | undefined {
  const payload = outer.payload;
  if (payload?.kind !== "vxlan") return undefined;
  const dev = devs.find((d) => d.vni === payload.vni);
  if (!dev) return w.drop(ns, outer, reason.noVni(outer.dport, payload.vni));
  const f = payload.frame;
  w.step(ns, outer, say.decap(ns.label, dev.name, dev.port, dev.vni, endpoints(f.packet)), {
    kind: "encap",
    action: "decap",
    tunnel: "vxlan",
    device: dev.name,
    vni: dev.vni,
    port: dev.port,
    outer: stepPacket(outer),
    inner: stepPacket(f.packet),
  });
  wireStep(w, ns, dev, "in", f);
  dev.stats.rxPackets++;
  dev.stats.rxBytes += f.packet.length + ETHER_HEADER_BYTES;
  // eth_type_trans: a frame for another MAC is PACKET_OTHERHOST, and IP drops it.
  if (f.dstMac !== dev.mac && f.dstMac !== "ff:ff:ff:ff:ff:ff") return w.drop(ns, f.packet, reason.notForVtep(f.dstMac, dev.name));
  return ipRcv(w, ns, dev, f.packet);
}
