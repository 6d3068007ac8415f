/**
 * A Linux bridge: learning source MACs, forwarding by the forwarding table or flooding an
 * unknown destination, hairpin mode, and br_netfilter, which runs the IPv4 hooks on bridged
 * frames when net.bridge.bridge-nf-call-iptables is 1 (the CNI bridge's nodes).
 */
import { formatIpv4, type Ipv4 } from "../addr/ipv4";
import type { BridgeIface, Iface, Netns } from "../netns";
import type { Frame, Packet } from "../packet/packet";
import { reason, say } from "../narrate";
import { FDB_SHOWN } from "../trace";
import { hook } from "../walk/hooks";
import { ipRcv } from "../walk/ip";
import { isVerdict, type Dropped, type Skb, type Verdict, type Walk } from "../walk/walk";
import { answerer, l2Endpoints, wireStep, xmit } from "./link";

/** A host sends through its bridge device: the FDB picks the port. */
export function bridgeOut(w: Walk, ns: Netns, br: BridgeIface, f: Frame): Verdict {
  const port = bridgePort(w, ns, br, f.dstMac, undefined, f.packet);
  if (isVerdict(port)) return port;
  return xmit(w, ns, port, f);
}

/** The port a frame for `mac` leaves by: the forwarding table's, or the flooded copy that reaches the MAC's owner. */
function bridgePort(w: Walk, ns: Netns, br: BridgeIface, mac: string, inPort: Iface | undefined, packet: Packet): Iface | Dropped {
  const fdb = br.fdb;
  const known = fdb.get(mac);
  let port: Iface | undefined;
  let action: "forward" | "flood";
  if (known && !known.local) {
    port = ns.requireIface(known.port);
    action = "forward";
  } else {
    // Unknown unicast is flooded; follow the copy that reaches the owner of the MAC.
    action = "flood";
    port = w.world.bridgePorts(ns, br.name).find((p) => p !== inPort && l2Endpoints(w, ns, p).some((e) => e.iface.mac === mac));
  }
  if (!port) return w.drop(ns, packet, reason.bridgeNoPort(br.name, mac));
  if (port === inPort && !port.hairpin) {
    return w.drop(ns, packet, reason.bridgeHairpin(br.name, port.name));
  }
  const text = action === "forward" ? say.bridgeForward(br.name, mac, port.name) : say.bridgeFlood(br.name, mac, port.name);
  w.step(ns, packet, text, { kind: "bridge", bridge: br.name, action, mac, port: port.name, ...fdbShown(fdb, mac) });
  return port;
}

/** A frame enters a bridge port: learning, br_netfilter, then local delivery or forwarding. */
export function bridgeIn(w: Walk, ns: Netns, br: BridgeIface, port: Iface, f: Frame): Verdict {
  const fdb = br.fdb;
  if (!fdb.get(f.srcMac)?.local) fdb.set(f.srcMac, { port: port.name, local: false });
  const toBridge = f.dstMac === br.mac;
  if (ns.sysctl.bridgeNfCallIptables) {
    // br_netfilter runs the IPv4 PREROUTING hooks at the bridge, with the bridge as input device.
    const skb: Skb = { packet: f.packet, mark: 0, inIface: br.name };
    const pre = hook(w, ns, "PREROUTING", skb);
    if (pre) return pre;
    const dnat = skb.packet.dst !== f.packet.dst;
    if (dnat) {
      const m = ns.route(skb.packet.dst);
      if (m && m.route.type !== "local" && m.route.dev === br.name) {
        // "Bridged DNAT": the new destination is on this bridge, so the frame stays at L2. Unless
        // the neighbour is REACHABLE with a cached header, the kernel hands the frame to the
        // neighbour's output on the bridge device, so tcpdump on cnio0 sees it leave: the first
        // packet to a neighbour the node resolves itself, and every packet for five seconds to
        // one it learnt from that pod's own ARP request, as a pod calling its own service is
        // (both seen in the lab); otherwise it goes straight to the bridge's forwarding.
        const peer = answerer(w, ns, br, m.nexthop);
        if (peer === undefined) return w.drop(ns, skb.packet, reason.noNeighbour(formatIpv4(m.nexthop), br.name, false));
        const frame = { srcMac: f.srcMac, dstMac: peer.iface.mac, packet: skb.packet };
        const use = ns.neighbourUse(br.name, m.nexthop, w.world.now);
        if (use === "resolve") peer.ns.neighbourLearnt(peer.iface.name, br.addrs[0]?.ip ?? (0 as Ipv4));
        if (use !== "cached") wireStep(w, ns, br, "out", frame);
        return bridgeForward(w, ns, br, port, frame, skb);
      }
      passUp(w, ns, br, { ...f, dstMac: br.mac, packet: skb.packet });
      return ipRcv(w, ns, br, skb.packet, skb);
    }
    if (toBridge) {
      passUp(w, ns, br, f);
      return ipRcv(w, ns, br, skb.packet, skb);
    }
    return bridgeForward(w, ns, br, port, { ...f, packet: skb.packet }, skb);
  }
  if (toBridge) {
    passUp(w, ns, br, f);
    return ipRcv(w, ns, br, f.packet);
  }
  return bridgeForward(w, ns, br, port, f, undefined);
}

/**
 * br_pass_frame_up: the frame goes up the bridge device's own stack; tcpdump on the bridge sees
 * it, and the bridge counts it received, without the Ethernet header (lab: +84 bytes for a
 * 98-byte echo request, while its transmit counter adds the 14).
 */
function passUp(w: Walk, ns: Netns, br: Iface, f: Frame): void {
  wireStep(w, ns, br, "in", f);
  br.stats.rxPackets++;
  br.stats.rxBytes += f.packet.length;
}

function bridgeForward(w: Walk, ns: Netns, br: BridgeIface, inPort: Iface, f: Frame, skb: Skb | undefined): Verdict {
  const out = bridgePort(w, ns, br, f.dstMac, inPort, f.packet);
  if (isVerdict(out)) return out;
  let packet = f.packet;
  if (skb) {
    // With br_netfilter, bridged IPv4 also passes FORWARD and POSTROUTING, in and out = the bridge.
    skb.outIface = br.name;
    const fwd = hook(w, ns, "FORWARD", skb);
    if (fwd) return fwd;
    const post = hook(w, ns, "POSTROUTING", skb);
    if (post) return post;
    packet = skb.packet;
  }
  return xmit(w, ns, out, { ...f, packet });
}

/** The forwarding table a bridge step shows: the looked-up MAC's entry first, then others, at most FDB_SHOWN. */
function fdbShown(fdb: ReadonlyMap<string, { port: string; local: boolean }>, mac: string): { fdb: { mac: string; port: string; local: boolean }[]; fdbSize: number } {
  const shown: { mac: string; port: string; local: boolean }[] = [];
  const hit = fdb.get(mac);
  if (hit) shown.push({ mac, port: hit.port, local: hit.local });
  for (const [m, e] of fdb) {
    if (shown.length >= FDB_SHOWN) break;
    if (m !== mac) shown.push({ mac: m, port: e.port, local: e.local });
  }
  return { fdb: shown, fdbSize: fdb.size };
}
