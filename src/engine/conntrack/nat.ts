/**
 * NAT on top of conntrack, after nf_nat_core: a binding is chosen on a connection's first packet
 * (get_unique_tuple), stored as the entry's reply tuple, and every later packet of either
 * direction is rewritten from the tuples alone (nf_nat_packet), with no rule evaluated.
 */
import type { Ipv4 } from "../addr/ipv4";
import type { Packet } from "../packet/packet";
import type { Rng } from "../rng";
import { invertTuple, sameTuple, type ConnEntry, type ConntrackTable, type Direction, type Tuple } from "./conntrack";

export type Manip = "src" | "dst";

export interface NatRequest {
  readonly minIp: Ipv4;
  readonly maxIp: Ipv4;
  /** Port (or ICMP id) range; when absent the port is kept if free, else searched in its class. */
  readonly ports?: { readonly min: number; readonly max: number };
  /** --random or --random-fully: skip keeping the port, search from a random offset. */
  readonly randomPorts: boolean;
}

/** The tuple the packet has now: the original tuple with earlier manips of this connection applied. */
export function currentTuple(e: ConnEntry): Tuple {
  return invertTuple(e.reply);
}

function withManip(t: Tuple, manip: Manip, ip: Ipv4, port: number): Tuple {
  if (manip === "src") return { ...t, src: ip, sport: port };
  // ICMP has one id for both directions; a destination rewrite keeps it.
  return t.proto === "icmp" ? { ...t, dst: ip } : { ...t, dst: ip, dport: port };
}

function keyPort(t: Tuple, manip: Manip): number {
  return manip === "src" || t.proto === "icmp" ? t.sport : t.dport;
}

/**
 * nf_nat_setup_info: binds the connection for one manip type. Returns true when the binding
 * changed the tuple (the entry then carries IPS_SRC_NAT / IPS_DST_NAT).
 */
export function setupNat(table: ConntrackTable, e: ConnEntry, manip: Manip, req: NatRequest, rng: Rng, now: number): boolean {
  const curr = currentTuple(e);
  const used = (t: Tuple) => table.tupleTaken(invertTuple(t), e, now);
  const port = keyPort(curr, manip);
  const addr = manip === "src" ? curr.src : curr.dst;
  const inRange = addr >= req.minIp && addr <= req.maxIp && (!req.ports || (port >= req.ports.min && port <= req.ports.max));
  let chosen: Tuple | undefined;
  // 1. A source manip that is already within the range keeps the tuple when it is free.
  if (manip === "src" && !req.randomPorts && inRange && !used(curr)) chosen = curr;
  if (!chosen) {
    // 2. The address: the only one, or one picked from the range by a hash of the connection.
    const span = req.maxIp - req.minIp + 1;
    const ip = (span === 1 ? req.minIp : req.minIp + ((curr.src ^ curr.dst) >>> 0) % span) as Ipv4;
    const candidate = withManip(curr, manip, ip, port);
    // 3. Keep the port when it fits and is free (unless randomised); a one-port range always fits.
    const portFits = !req.ports || (port >= req.ports.min && port <= req.ports.max);
    const singlePort = req.ports !== undefined && req.ports.min === req.ports.max;
    if (!req.randomPorts && portFits && (singlePort || !used(candidate))) {
      chosen = candidate;
    } else if (manip === "dst" && !req.ports && curr.proto !== "icmp") {
      // A destination rewrite without a port range never changes the port.
      chosen = candidate;
    } else {
      chosen = searchPort(candidate, manip, req, rng, used);
    }
  }
  const changed = !sameTuple(chosen, curr);
  if (changed) table.setReply(e, invertTuple(chosen));
  return changed;
}

/** nf_nat_l4proto_unique_tuple: a free port (or ICMP id) in the range or the port's class. */
function searchPort(t: Tuple, manip: Manip, req: NatRequest, rng: Rng, used: (t: Tuple) => boolean): Tuple {
  const port = keyPort(t, manip);
  let min: number;
  let size: number;
  if (req.ports) {
    min = req.ports.min;
    size = req.ports.max - req.ports.min + 1;
  } else if (t.proto === "icmp") {
    min = 0;
    size = 65536;
  } else if (port < 512) {
    min = 1;
    size = 511;
  } else if (port < 1024) {
    min = 600;
    size = 424;
  } else {
    min = 1024;
    size = 64512;
  }
  const ip = manip === "src" ? t.src : t.dst;
  let attempts = Math.min(size, 128);
  let off = rng.nextU32() & 0xffff;
  while (attempts > 0) {
    for (let i = 0; i < attempts; i++, off++) {
      const cand = withManip(t, manip, ip, min + (off % size));
      if (!used(cand)) return cand;
    }
    if (attempts < 16) break;
    attempts = Math.floor(attempts / 2);
    off = rng.nextU32() & 0xffff;
  }
  // Every candidate clashed; the kernel then keeps the last one tried and the insert fails later.
  return withManip(t, manip, ip, min + (off % size));
}

/**
 * nf_nat_packet: rewrites a packet of the connection at a hook of the given manip type.
 * Original-direction packets get the binding of that type; reply packets get the inverse of the
 * other type (un-SNAT at PREROUTING, un-DNAT at POSTROUTING/INPUT).
 */
export function natPacket(e: ConnEntry, dir: Direction, manip: Manip, p: Packet): Packet {
  const bound = manip === "src" ? (dir === "original" ? e.srcNat : e.dstNat) : dir === "original" ? e.dstNat : e.srcNat;
  if (!bound) return p;
  if (p.proto === "icmp" && p.icmp?.inner) return natIcmpError(e, dir, manip, p);
  // The packet must end up looking like the inverse of the other direction's tuple.
  const target = invertTuple(dir === "original" ? e.reply : e.orig);
  if (manip === "src") {
    if (p.proto === "icmp") return { ...p, src: target.src, icmp: { ...p.icmp!, id: target.sport } };
    return { ...p, src: target.src, sport: target.sport };
  }
  if (p.proto === "icmp") return { ...p, dst: target.dst, icmp: { ...p.icmp!, id: target.sport } };
  return { ...p, dst: target.dst, dport: target.dport };
}

/**
 * nf_nat_icmp_reply_translation: an ICMP error about a connection is rewritten like the
 * connection's own packets in that direction, and the header it quotes the opposite way, so
 * the sender recognises its own packet.
 */
function natIcmpError(e: ConnEntry, dir: Direction, manip: Manip, p: Packet): Packet {
  const target = invertTuple(dir === "original" ? e.reply : e.orig);
  const inner = p.icmp!.inner!;
  if (manip === "src") {
    const quoted = { ...inner, dst: target.src, ...(inner.proto === "icmp" ? { icmpId: target.sport } : { dport: target.sport }) };
    return { ...p, src: target.src, icmp: { ...p.icmp!, inner: quoted } };
  }
  const quoted = { ...inner, src: target.dst, ...(inner.proto === "icmp" ? { icmpId: target.sport } : { sport: target.dport }) };
  return { ...p, dst: target.dst, icmp: { ...p.icmp!, inner: quoted } };
}
