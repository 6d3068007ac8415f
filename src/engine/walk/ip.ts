/**
 * The IP layer of the walk: a locally generated packet's output (source choice, routing, OUTPUT,
 * re-routing after DNAT, POSTROUTING), a received packet's ip_rcv (PREROUTING, routing, then
 * INPUT and delivery or FORWARD and POSTROUTING), delivery to a socket, and the ICMP errors the
 * stack answers with.
 */
import { formatIpv4 } from "../addr/ipv4";
import { xmit, resolve } from "../link/link";
import { say } from "../narrate";
import type { Iface, Netns } from "../netns";
import { ICMP_HEADER, IP_HEADER, quotedHeader, type Packet } from "../packet/packet";
import { formatRoute } from "../route/format";
import type { RouteMatch } from "../route/route";
import { hook } from "./hooks";
import { isVerdict, type Dropped, type Skb, type Verdict, type Walk } from "./walk";

/**
 * icmp_send: an error back to the packet's source, quoting its header and as much of it as
 * fits in 576 bytes. Never in answer to an ICMP error.
 */
export function answerWithError(w: Walk, ns: Netns, p: Packet, type: number, code: number): void {
  if (p.proto === "icmp" && p.icmp?.inner) return;
  const inner = quotedHeader(p);
  w.icmpError = {
    from: ns.name,
    spec: { proto: "icmp", dst: p.src, icmp: { type, code, id: 0, seq: 0, inner }, length: IP_HEADER + ICMP_HEADER + Math.min(p.length, 576 - IP_HEADER - ICMP_HEADER) },
  };
}

/** A packet a process in `ns` sends, from its output routing to the wire. */
export function output(w: Walk, ns: Netns, first: Packet, pickSource: boolean): Verdict {
  let packet = first;
  if (pickSource) {
    const m = ns.route(packet.dst);
    const src = m && m.route.dev !== undefined ? (m.route.src ?? ns.primaryAddress(m.route.dev, m.nexthop)) : undefined;
    if (m && src === undefined) return w.drop(ns, packet, `no source address on ${m.route.dev}`);
    if (src !== undefined) packet = { ...packet, src };
  }
  let route = routeOrDrop(w, ns, packet, "output");
  if (isVerdict(route)) return route;
  registerClient(w, ns, packet);
  const skb: Skb = { packet, mark: 0, outIface: route.route.dev!, nexthop: route.nexthop };
  const out = hook(w, ns, "OUTPUT", skb);
  if (out) return out;
  if (skb.packet.dst !== packet.dst) {
    // ip_route_me_harder: the destination changed (DNAT in OUTPUT), so route again.
    route = routeOrDrop(w, ns, skb.packet, "output");
    if (isVerdict(route)) return route;
    skb.outIface = route.route.dev!;
    skb.nexthop = route.nexthop;
  }
  return postrouting(w, ns, skb, route);
}

function registerClient(w: Walk, ns: Netns, p: Packet): void {
  if (p.proto === "icmp" && p.icmp && p.icmp.type === 8) w.world.openClient(ns.name, "icmp", p.icmp.id);
  else if (p.proto !== "icmp" && p.tcp?.syn !== false) w.world.openClient(ns.name, p.proto, p.sport);
}

/** The routing decision, as a step; a packet without a usable route is dropped. */
function routeOrDrop(w: Walk, ns: Netns, packet: Packet, decision: "output" | "input"): RouteMatch | Dropped {
  const m = ns.route(packet.dst);
  if (!m || m.route.type === "unreachable" || m.route.type === "blackhole" || m.route.type === "prohibit") {
    // A router without a route answers "network unreachable" (ip_error); a local sender just gets ENETUNREACH.
    if (decision === "input" && ns.sysctl.ipForward && (!m || m.route.type === "unreachable")) answerWithError(w, ns, packet, 3, 0);
    return w.drop(ns, packet, `no route to ${formatIpv4(packet.dst)}${m ? ` (${m.route.type} route)` : ""}`);
  }
  const r = m.route;
  const kind = r.type === "local" ? "local" : decision === "output" ? "output" : "forward";
  const text =
    r.type === "local"
      ? say.routeLocal(ns.label, formatIpv4(packet.dst))
      : say.routeOut(ns.label, formatIpv4(packet.dst), r.via !== undefined ? formatIpv4(r.via) : undefined, r.dev!, r.dst.prefix === 0 ? "default" : formatRoute(r).trim());
  w.step(ns, packet, text, {
    kind: "route",
    route: formatRoute(r),
    table: r.table,
    decision: kind,
    ...(r.type !== "local" && { nexthop: formatIpv4(m.nexthop) }),
    ...(r.dev !== undefined && { dev: r.dev }),
  });
  return m;
}

/** POSTROUTING, then the neighbour's MAC and out of the route's device (or back in through lo). */
export function postrouting(w: Walk, ns: Netns, skb: Skb, route: RouteMatch): Verdict {
  const post = hook(w, ns, "POSTROUTING", skb);
  if (post) return post;
  const dev = ns.requireIface(route.route.dev!);
  if (route.route.type === "local" || dev.kind === "loopback") {
    const lo = ns.iface("lo")!;
    return xmit(w, ns, lo, { srcMac: lo.mac, dstMac: lo.mac, packet: skb.packet }, skb);
  }
  const mac = resolve(w, ns, dev, route.nexthop);
  if (mac === undefined) {
    return w.drop(ns, skb.packet, `no neighbour answers ARP for ${formatIpv4(route.nexthop)} on ${dev.name} (Destination Host Unreachable)`);
  }
  ns.cacheNeighbour(dev.name, route.nexthop);
  return xmit(w, ns, dev, { srcMac: dev.mac, dstMac: mac, packet: skb.packet });
}

/** ip_rcv → PREROUTING → routing → INPUT or FORWARD. `pre` carries state when br_netfilter ran PREROUTING already. */
export function ipRcv(w: Walk, ns: Netns, iface: Iface, packet: Packet, pre?: Skb): Verdict {
  const skb: Skb = pre ?? { packet, mark: 0, inIface: iface.name };
  skb.inIface = iface.name;
  if (!pre) {
    const v = hook(w, ns, "PREROUTING", skb);
    if (v) return v;
  }
  const route = routeOrDrop(w, ns, skb.packet, "input");
  if (isVerdict(route)) return route;
  if (route.route.type === "local" || route.route.type === "broadcast") {
    const v = hook(w, ns, "INPUT", skb);
    if (v) return v;
    return deliver(w, ns, iface, skb.packet);
  }
  if (!ns.sysctl.ipForward) return w.drop(ns, skb.packet, `forwarding is off (net.ipv4.ip_forward = 0)`);
  // The cloud's fabric neither decrements TTL nor answers its expiry: it is no hop (the lab's
  // stand-in adds 1 in mangle PREROUTING, so a TTL of 1 leaves it as 1).
  if (!ns.fabric && skb.packet.ttl <= 1) {
    answerWithError(w, ns, skb.packet, 11, 0);
    return w.drop(ns, skb.packet, `TTL exceeded in transit (ttl ${skb.packet.ttl})`);
  }
  if (!ns.fabric) skb.packet = { ...skb.packet, ttl: skb.packet.ttl - 1 };
  skb.outIface = route.route.dev!;
  skb.nexthop = route.nexthop;
  const fwd = hook(w, ns, "FORWARD", skb);
  if (fwd) return fwd;
  return postrouting(w, ns, skb, route);
}

/** A packet for this namespace: the socket that takes it, or the kernel's answer when none does. */
function deliver(w: Walk, ns: Netns, iface: Iface, p: Packet): Verdict {
  let to: string | undefined;
  if (p.proto === "icmp") {
    const t = p.icmp!.type;
    if (t === 8) to = ns.sysctl.icmpEchoIgnoreAll ? undefined : "kernel (ICMP echo)";
    else if (w.world.hasClient(ns.name, "icmp", p.icmp!.id) || p.icmp!.inner) to = "ping";
  } else {
    const l = ns.listener(p.proto, p.dport);
    if (l && !(p.proto === "tcp" && p.tcp && !p.tcp.syn && !p.tcp.ack)) to = l.app;
    else if (w.world.hasClient(ns.name, p.proto, p.dport)) to = "client socket";
  }
  if (to === undefined) {
    // __udp4_lib_rcv: no socket for the port, so the kernel answers port unreachable.
    if (p.proto === "udp") answerWithError(w, ns, p, 3, 3);
    const reason =
      p.proto === "udp"
        ? `nothing listens on udp port ${p.dport} (the kernel answers ICMP port unreachable)`
        : p.proto === "tcp"
          ? `nothing listens on tcp port ${p.dport} (the kernel answers with a reset)`
          : `no socket wants this ICMP message`;
    return w.drop(ns, p, reason);
  }
  w.step(ns, p, say.delivered(ns.label, say.payloadName(p.proto, p.icmp?.type, p.icmp?.code), formatIpv4(p.src), to), { kind: "deliver", to });
  return { kind: "delivered", delivery: { ns, iface: iface.name, packet: p, to } };
}
