/**
 * The IP layer of the walk: a locally generated packet's output (source choice, routing, OUTPUT,
 * re-routing after DNAT, POSTROUTING), a received packet's ip_rcv (PREROUTING, routing, then
 * INPUT and delivery or FORWARD and POSTROUTING), delivery to a socket, and the ICMP errors the
 * stack answers with.
 */
import { cidrOf, formatIpv4 } from "../addr/ipv4";
import { answerer, xmit } from "../link/link";
import { vxlanRcv, vxlanSocket } from "../link/vxlan";
import { icmpName, reason, say, taker, why as explain } from "../narrate";
import type { Iface, Netns } from "../netns";
import { ICMP_HEADER, IP_HEADER, quotedHeader, type Packet } from "../packet/packet";
import { formatRoute } from "../route/format";
import type { RouteMatch } from "../route/route";
import type { PacketSpec } from "../world";
import { attachConntrack, hook } from "./hooks";
import { errorAllowed, peerOf, rateLimited, redirectAllowed } from "./icmp-limits";
import { attachTo, isVerdict, type Attached, type Dropped, type Skb, type Verdict, type Walk } from "./walk";

/**
 * icmp_send: an error back to the packet's source, quoting its header and as much of it as
 * fits in 576 bytes, attached to the packet's connection. Never in answer to an ICMP error, and
 * not when the per-host rate limit holds it back (then the drop step says so).
 */
export function answerWithError(w: Walk, ns: Netns, skb: Skb, type: number, code: number, delayMs = 0): void {
  const p = skb.packet;
  if (p.proto === "icmp" && p.icmp?.inner) return;
  // icmpv4_xrlim_allow: no limit for an error that stays on this host (it goes through lo).
  if (rateLimited(type, code) && ns.addrType(p.src) !== "LOCAL") {
    const peer = peerOf(ns.icmpPeers, p.src, w.world.now);
    if (!errorAllowed(peer, w.world.now)) {
      w.icmpHeld = say.icmpHeld(icmpName(type, code), formatIpv4(p.src), peer.redirects > 0);
      return;
    }
  }
  const inner = quotedHeader(p);
  const attach = attachTo(skb.ct);
  w.icmpError = {
    from: ns.name,
    spec: { proto: "icmp", dst: p.src, icmp: { type, code, id: 0, seq: 0, inner }, length: errorLength(p) },
    ...(attach && { attach }),
    ...(delayMs > 0 && { delayMs }),
  };
}

/** How long ARP tries before the kernel gives a neighbour up: mcast_solicit (3) probes, retrans_time (1 s) apart. */
const ARP_GIVE_UP_MS = 3000;

/** An ICMP error's IP length: its headers and the quoted packet, at most 576 bytes in all. */
function errorLength(p: Packet): number {
  return IP_HEADER + ICMP_HEADER + Math.min(p.length, 576 - IP_HEADER - ICMP_HEADER);
}

/**
 * A redirect, as ip_forward sends one: the packet leaves by the device it came in on, and its
 * source is on that device's link (__mkroute_input's test), so the sender is told of the better
 * next hop. It goes at once, through this namespace's OUTPUT path, as a flow of its own; the
 * packet itself goes on. The kernel sends it after the TTL was lowered, and before FORWARD.
 */
function maybeRedirect(w: Walk, ns: Netns, iface: Iface, skb: Skb, route: RouteMatch): void {
  if (!ns.sysctl.sendRedirects || route.route.dev !== iface.name) return;
  const p = skb.packet;
  const back = ns.route(p.src);
  if (!back || back.route.type !== "unicast" || back.route.via !== undefined || back.route.dev !== iface.name) return;
  if (!redirectAllowed(peerOf(ns.icmpPeers, p.src, w.world.now), w.world.now)) return;
  const spec: PacketSpec = { proto: "icmp", dst: p.src, icmp: { type: 5, code: 1, id: 0, seq: 0, inner: quotedHeader(p), gateway: route.nexthop }, length: errorLength(p) };
  w.side.push(w.world.send(ns.name, spec, "ICMP redirect", attachTo(skb.ct)));
}

/**
 * A packet a process in `ns` sends, from its output routing to the wire. `tunnel`: the kernel
 * itself sends it, a tunnel's outer packet (no socket waits for answers to it).
 */
export function output(w: Walk, ns: Netns, first: Packet, pickSource: boolean, attach?: Attached, tunnel = false): Verdict {
  let packet = first;
  if (pickSource) {
    const m = ns.route(packet.dst);
    const src = m && m.route.dev !== undefined ? (m.route.src ?? ns.primaryAddress(m.route.dev, m.nexthop)) : undefined;
    if (m && src === undefined) return w.drop(ns, packet, reason.noSource(m.route.dev!));
    if (src !== undefined) packet = { ...packet, src };
  }
  const skb: Skb = { packet, mark: 0 };
  let route = routeOrDrop(w, ns, skb, "output");
  if (isVerdict(route)) return route;
  if (!tunnel) registerClient(w, ns, packet);
  skb.outIface = route.route.dev!;
  skb.nexthop = route.nexthop;
  if (attach) attachConntrack(w, ns, skb, attach);
  const out = hook(w, ns, "OUTPUT", skb);
  if (out) return out;
  if (skb.packet.dst !== packet.dst) {
    // ip_route_me_harder: the destination changed (DNAT in OUTPUT), so route again.
    route = routeOrDrop(w, ns, skb, "output");
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
function routeOrDrop(w: Walk, ns: Netns, skb: Skb, decision: "output" | "input"): RouteMatch | Dropped {
  const packet = skb.packet;
  const m = ns.route(packet.dst);
  if (!m || m.route.type === "unreachable" || m.route.type === "blackhole" || m.route.type === "prohibit") {
    // A router without a route answers "network unreachable" (ip_error); a local sender just gets ENETUNREACH.
    if (decision === "input" && ns.sysctl.ipForward && (!m || m.route.type === "unreachable")) answerWithError(w, ns, skb, 3, 0);
    return w.drop(ns, packet, reason.noRoute(formatIpv4(packet.dst), m?.route.type));
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
  // A permanent neighbour entry (a tunnel's, written by the CNI's agent) needs no ARP.
  const fixed = ns.permanentNeighbour(dev.name, route.nexthop);
  if (fixed !== undefined) return xmit(w, ns, dev, { srcMac: dev.mac, dstMac: fixed, packet: skb.packet });
  const peer = answerer(w, ns, dev, route.nexthop);
  if (peer === undefined) {
    // ipv4_link_failure: when the neighbour never answers, the stack tells the sender (itself
    // too: ping's "Destination Host Unreachable") with an ICMP host unreachable.
    answerWithError(w, ns, skb, 3, 1, ARP_GIVE_UP_MS);
    return w.drop(ns, skb.packet, reason.noNeighbour(formatIpv4(route.nexthop), dev.name, true));
  }
  // An ARP request that goes out teaches the host that answers it who asked (as STALE).
  if (ns.neighbourUse(dev.name, route.nexthop, w.world.now) === "resolve") peer.ns.neighbourLearnt(peer.iface.name, skb.packet.src);
  return xmit(w, ns, dev, { srcMac: dev.mac, dstMac: peer.iface.mac, packet: skb.packet });
}

/** ip_rcv → PREROUTING → routing → INPUT or FORWARD. `pre` carries state when br_netfilter ran PREROUTING already. */
export function ipRcv(w: Walk, ns: Netns, iface: Iface, packet: Packet, pre?: Skb): Verdict {
  const skb: Skb = pre ?? { packet, mark: 0, inIface: iface.name };
  skb.inIface = iface.name;
  if (!pre) {
    const v = hook(w, ns, "PREROUTING", skb);
    if (v) return v;
  }
  const route = steered(w, ns, skb) ?? routeOrDrop(w, ns, skb, "input");
  if (isVerdict(route)) return route;
  if (route.route.type === "local" || route.route.type === "broadcast") {
    const v = hook(w, ns, "INPUT", skb);
    if (v) return v;
    return deliver(w, ns, iface, skb);
  }
  if (!ns.sysctl.ipForward) return w.drop(ns, skb.packet, reason.forwardingOff());
  // The cloud's fabric neither decrements TTL nor answers its expiry: it is no hop (the lab's
  // stand-in adds 1 in mangle PREROUTING, so a TTL of 1 leaves it as 1).
  if (!ns.fabric && skb.packet.ttl <= 1) {
    answerWithError(w, ns, skb, 11, 0);
    return w.drop(ns, skb.packet, reason.ttlExceeded(skb.packet.ttl));
  }
  if (!ns.fabric) skb.packet = { ...skb.packet, ttl: skb.packet.ttl - 1 };
  maybeRedirect(w, ns, iface, skb, route);
  skb.outIface = route.route.dev!;
  skb.nexthop = route.nexthop;
  const fwd = hook(w, ns, "FORWARD", skb);
  if (fwd) return fwd;
  return postrouting(w, ns, skb, route);
}

/** A fabric's own forwarding decision (the cloud load balancer's), as a route step, when it takes the packet. */
function steered(w: Walk, ns: Netns, skb: Skb): RouteMatch | undefined {
  const s = ns.steer?.(skb.packet);
  if (!s) return undefined;
  w.step(ns, skb.packet, s.text, { kind: "route", route: s.route, table: "main", decision: "forward", nexthop: formatIpv4(s.via), dev: s.dev });
  return { route: { table: "main", type: "unicast", dst: cidrOf(skb.packet.dst, 32), via: s.via, dev: s.dev, proto: "static", scope: "global" }, nexthop: s.via };
}

/** A packet for this namespace: the socket that takes it, or the kernel's answer when none does. */
function deliver(w: Walk, ns: Netns, iface: Iface, skb: Skb): Verdict {
  const p = skb.packet;
  let to: string | undefined;
  let why: string | undefined;
  if (p.proto === "icmp") {
    const t = p.icmp!.type;
    if (t === 8) to = ns.sysctl.icmpEchoIgnoreAll ? undefined : taker.kernelEcho();
    else if (t === 5 && p.icmp!.inner) {
      to = taker.kernelRedirect();
      why = redirectFate(ns, p);
    }
    else if (p.icmp!.inner) to = p.icmp!.inner.proto === "icmp" ? taker.ping() : taker.socketAbout(p.icmp!.inner.proto);
    else if (w.world.hasClient(ns.name, "icmp", p.icmp!.id)) to = taker.ping();
  } else {
    const tunnel = p.proto === "udp" ? vxlanSocket(ns, p.dport) : [];
    if (tunnel.length > 0) {
      const v = vxlanRcv(w, ns, tunnel, p);
      if (v) return v;
    }
    const l = ns.listener(p.proto, p.dport);
    if (l && !(p.proto === "tcp" && p.tcp && !p.tcp.syn && !p.tcp.ack)) to = l.app;
    else if (w.world.hasClient(ns.name, p.proto, p.dport)) to = taker.clientSocket();
  }
  if (to === undefined) {
    // __udp4_lib_rcv: no socket for the port, so the kernel answers port unreachable.
    if (p.proto === "udp") answerWithError(w, ns, skb, 3, 3);
    const why = p.proto === "icmp" ? reason.noIcmpSocket() : reason.noListener(p.proto, p.dport);
    return w.drop(ns, p, why, undefined, undefined, undefined, p.proto === "tcp");
  }
  w.step(ns, p, say.delivered(ns.label, say.payloadName(p.proto, p.icmp?.type, p.icmp?.code), formatIpv4(p.src), to), { kind: "deliver", to }, undefined, why);
  return { kind: "delivered", delivery: { ns, iface: iface.name, packet: p, to } };
}

/**
 * What the receiving kernel makes of a redirect (__ip_do_redirect): it heeds one only from the
 * gateway its own route to that destination uses, and then keeps the new next hop as a route
 * exception, which this model does not keep.
 */
function redirectFate(ns: Netns, p: Packet): string {
  const icmp = p.icmp!;
  const dst = formatIpv4(icmp.inner!.dst);
  const from = formatIpv4(p.src);
  const m = ns.route(icmp.inner!.dst);
  if (!m || m.route.via === undefined || m.nexthop !== p.src || icmp.gateway === p.src) {
    return explain.redirectIgnored(dst, m && m.route.via !== undefined ? formatIpv4(m.nexthop) : undefined, from);
  }
  return explain.redirectHeeded(dst, icmp.gateway !== undefined ? formatIpv4(icmp.gateway) : "?");
}
