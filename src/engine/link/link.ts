/**
 * Links: how a frame leaves an interface and where it arrives. A veth hands it to its peer, an
 * L2 segment (a cloud subnet) to the member with the destination MAC, a bridge device to the
 * port its forwarding table picks (bridge.ts), loopback back to the same namespace. Every frame
 * seen on an interface is a wire step and goes to the world's taps. ARP is modelled as a lookup
 * over the broadcast domain.
 */
import type { Ipv4 } from "../addr/ipv4";
import type { Iface, Netns } from "../netns";
import { tcpdumpLine } from "../packet/format";
import type { Frame } from "../packet/packet";
import { reason, say } from "../narrate";
import { endpoints } from "../trace";
import { hook } from "../walk/hooks";
import { ipRcv } from "../walk/ip";
import type { Skb, Verdict, Walk } from "../walk/walk";
import { bridgeIn, bridgeOut } from "./bridge";
import { vxlanXmit } from "./vxlan";

/**
 * Links a packet may cross before the walk calls it a loop. A loop through routers ends when the
 * TTL does (at most 255 routers, each two links away); only a loop that decrements nothing (the
 * cloud fabric, bridges) runs into this.
 */
const MAX_HOPS = 600;
/** Simulated time a frame takes per wire, in milliseconds. */
const WIRE_DELAY_MS = 0.021;

/** Every interface where a frame sent out of `iface` can arrive and stop (ARP's broadcast domain). */
export function l2Endpoints(w: Walk, ns: Netns, iface: Iface): { ns: Netns; iface: Iface }[] {
  const out: { ns: Netns; iface: Iface }[] = [];
  const seen = new Set<string>();
  const arrive = (n: Netns, i: Iface) => {
    const key = `${n.name}/${i.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (i.master !== undefined) {
      const br = n.requireIface(i.master);
      out.push({ ns: n, iface: br });
      for (const p of w.world.bridgePorts(n, br.name)) if (p !== i) send(n, p);
    } else {
      out.push({ ns: n, iface: i });
    }
  };
  const send = (n: Netns, i: Iface) => {
    const key = `${n.name}/${i.name}>`;
    if (seen.has(key)) return;
    seen.add(key);
    if (!i.up) return;
    if (i.kind === "veth" && i.peer) {
      const pn = w.world.get(i.peer.ns);
      const pi = pn.ifaceByIndex(i.peer.ifindex);
      if (pi?.up) arrive(pn, pi);
    } else if (i.kind === "ether" && i.segment) {
      for (const m of w.world.segmentMembers(i.segment)) {
        if (m.ns === n.name && m.iface === i.name) continue;
        const mn = w.world.get(m.ns);
        arrive(mn, mn.requireIface(m.iface));
      }
    } else if (i.kind === "bridge") {
      for (const p of w.world.bridgePorts(n, i.name)) send(n, p);
    }
  };
  send(ns, iface);
  return out;
}

/**
 * ARP: who answers a request for `ip` sent out of `iface`: the interface that owns it in that
 * broadcast domain, else one with proxy_arp on whose host would forward to it (proxyAnswers).
 */
export function answerer(w: Walk, ns: Netns, iface: Iface, ip: Ipv4): { ns: Netns; iface: Iface } | undefined {
  const reached = l2Endpoints(w, ns, iface);
  return reached.find((e) => e.iface.up && e.iface.addrs.some((a) => a.ip === ip)) ?? reached.find((e) => e.iface.up && proxyAnswers(e.ns, e.iface, ip));
}

/**
 * arp_process for a request that arrives on `iface` for `ip`, an address not the host's: the
 * input route to it must be unicast (ip_route_input, so forwarding on), leave by another device
 * (arp_fwd_proxy's rt->dst.dev != dev), and `iface` have proxy_arp (medium_id left at 0).
 * Lab (docs/kernel-lab-notes.md, Calico): no reply while the node had no route to 169.254.1.1.
 */
export function proxyAnswers(ns: Netns, iface: Iface, ip: Ipv4): boolean {
  if (!iface.proxyArp || !ns.sysctl.ipForward) return false;
  const m = ns.route(ip);
  return m !== undefined && m.route.type === "unicast" && m.route.dev !== undefined && m.route.dev !== iface.name;
}

export function wireStep(w: Walk, ns: Netns, iface: Iface, dir: "in" | "out", f: Frame): void {
  for (const t of w.world.taps) t.frame({ ns, iface, dir, frame: f, time: w.world.now });
  const line = tcpdumpLine(f.packet);
  const carried = f.packet.payload?.kind === "vxlan" ? f.packet.payload.frame : undefined;
  w.step(
    ns,
    f.packet,
    say.wire(ns.label, dir, iface.name, endpoints(f.packet)),
    { kind: "wire", mac: { src: f.srcMac, dst: f.dstMac }, ...(carried && { innerMac: { src: carried.srcMac, dst: carried.dstMac } }), tcpdump: line, length: f.packet.length, time: w.world.now },
    { iface: iface.name, dir },
  );
}

/** A frame sent out of `iface`: the wire step, the counters, and on to where the link leads. */
export function xmit(w: Walk, ns: Netns, iface: Iface, f: Frame, loopSkb?: Skb): Verdict {
  if (++w.hops > MAX_HOPS) return w.drop(ns, f.packet, reason.loop(MAX_HOPS));
  if (!iface.up) return w.drop(ns, f.packet, reason.down(iface.name));
  w.world.now += WIRE_DELAY_MS;
  // A capture on lo sees each packet once, as it comes back in (checked in the lab), so only
  // the other devices show it leaving.
  if (iface.kind !== "loopback") wireStep(w, ns, iface, "out", f);
  iface.stats.txPackets++;
  iface.stats.txBytes += f.packet.length + 14;
  switch (iface.kind) {
    case "loopback": {
      wireStep(w, ns, iface, "in", f);
      // The looped-back packet keeps its conntrack entry, so nat PREROUTING is not consulted again.
      const skb: Skb = { packet: f.packet, mark: loopSkb?.mark ?? 0, inIface: "lo", ...(loopSkb?.ct && { ct: loopSkb.ct }) };
      const v = hook(w, ns, "PREROUTING", skb);
      if (v) return v;
      return ipRcv(w, ns, iface, skb.packet, skb);
    }
    case "bridge":
      return bridgeOut(w, ns, iface, f);
    case "veth": {
      const pn = w.world.get(iface.peer!.ns);
      const pi = pn.ifaceByIndex(iface.peer!.ifindex)!;
      return rx(w, pn, pi, f);
    }
    case "vxlan":
      return vxlanXmit(w, ns, iface, f);
    case "ether": {
      const m = w.world
        .segmentMembers(iface.segment ?? "")
        .map((x) => ({ ns: w.world.get(x.ns), iface: w.world.get(x.ns).requireIface(x.iface) }))
        .find((x) => x.iface.mac === f.dstMac && x.iface !== iface);
      if (!m) return w.drop(ns, f.packet, reason.noMac(iface.segment!, f.dstMac));
      return rx(w, m.ns, m.iface, f);
    }
  }
}

/** A frame arriving on `iface`: into its bridge when it is a port, else up to IP when it is for this interface. */
function rx(w: Walk, ns: Netns, iface: Iface, f: Frame): Verdict {
  if (!iface.up) return w.drop(ns, f.packet, reason.down(iface.name));
  wireStep(w, ns, iface, "in", f);
  iface.stats.rxPackets++;
  iface.stats.rxBytes += f.packet.length + 14;
  if (iface.master !== undefined) return bridgeIn(w, ns, ns.requireBridge(iface.master), iface, f);
  if (f.dstMac !== iface.mac && f.dstMac !== "ff:ff:ff:ff:ff:ff") return w.drop(ns, f.packet, reason.notFor(f.dstMac, iface.name));
  return ipRcv(w, ns, iface, f.packet);
}
