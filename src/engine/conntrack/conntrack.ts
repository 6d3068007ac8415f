/**
 * Connection tracking: tuples in both directions, states, timeouts and NAT bindings, modelled
 * on nf_conntrack. Entries are created unconfirmed on a connection's first packet and only
 * enter the table when that packet survives to POSTROUTING or INPUT.
 */
import type { Ipv4 } from "../addr/ipv4";
import {
  ICMP_ECHO_REQUEST,
  type InnerHeader,
  type Packet,
  type Proto,
} from "../packet/packet";

/**
 * One direction of a connection. For ICMP, `sport` holds the echo id and `dport` the type
 * (and `code` the code), as the kernel's tuple does.
 */
export interface Tuple {
  readonly proto: Proto;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly sport: number;
  readonly dport: number;
  readonly code?: number;
}

export type TcpState =
  | "NONE"
  | "SYN_SENT"
  | "SYN_RECV"
  | "ESTABLISHED"
  | "FIN_WAIT"
  | "CLOSE_WAIT"
  | "LAST_ACK"
  | "TIME_WAIT"
  | "CLOSE"
  | "SYN_SENT2";

export type Direction = "original" | "reply";

export interface ConnEntry {
  readonly id: number;
  readonly orig: Tuple;
  /** The tuple a reply is expected to carry; NAT rewrites it (reply src = DNAT target, reply dst = SNAT address). */
  reply: Tuple;
  seenReply: boolean;
  assured: boolean;
  confirmed: boolean;
  /** A NAT binding of that kind was set up (IPS_SRC_NAT / IPS_DST_NAT). */
  srcNat: boolean;
  dstNat: boolean;
  /** NAT has been decided for that manip type (nf_nat_initialized): only the first packet decides. */
  srcNatDone: boolean;
  dstNatDone: boolean;
  tcpState?: TcpState;
  /** Absolute expiry, in milliseconds of simulated time. */
  expires: number;
  /** When the entry was created, for UDP's "still active after two seconds" rule. */
  readonly created: number;
  /** The connection mark (ctmark); kube-proxy's 0x4000 is an skb mark and never lands here. */
  mark: number;
}

/** Timeouts in seconds; defaults are the kernel's, kube-proxy overrides two of them. */
export interface ConntrackTimeouts {
  readonly icmp: number;
  readonly udp: number;
  readonly udpStream: number;
  readonly tcp: Readonly<Record<TcpState, number>>;
}

export const KERNEL_TIMEOUTS: ConntrackTimeouts = {
  icmp: 30,
  udp: 30,
  udpStream: 120,
  tcp: {
    NONE: 0,
    SYN_SENT: 120,
    SYN_RECV: 60,
    ESTABLISHED: 432000,
    FIN_WAIT: 120,
    CLOSE_WAIT: 60,
    LAST_ACK: 30,
    TIME_WAIT: 120,
    CLOSE: 10,
    SYN_SENT2: 120,
  },
};

/** kube-proxy sets nf_conntrack_tcp_timeout_established to 86400 and close_wait to 3600. */
export function withKubeProxyTimeouts(t: ConntrackTimeouts): ConntrackTimeouts {
  return { ...t, tcp: { ...t.tcp, ESTABLISHED: 86400, CLOSE_WAIT: 3600 } };
}

const ICMP_REPLY_TYPE: Readonly<Record<number, number>> = { 8: 0, 13: 14, 15: 16, 17: 18, 0: 8, 14: 13, 16: 15, 18: 17 };
/** Types that may start a connection (icmp_new). */
const ICMP_REQUESTS = new Set([8, 13, 15, 17]);

export function tupleKey(t: Tuple): string {
  return `${t.proto}|${t.src}|${t.dst}|${t.sport}|${t.dport}|${t.code ?? 0}`;
}

export function tupleOfPacket(p: Packet): Tuple {
  if (p.proto === "icmp") {
    const icmp = p.icmp!;
    return { proto: "icmp", src: p.src, dst: p.dst, sport: icmp.id, dport: icmp.type, code: icmp.code };
  }
  return { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport };
}

export function tupleOfInner(h: InnerHeader): Tuple {
  if (h.proto === "icmp") return { proto: "icmp", src: h.src, dst: h.dst, sport: h.icmpId ?? 0, dport: h.icmpType ?? ICMP_ECHO_REQUEST, code: 0 };
  return { proto: h.proto, src: h.src, dst: h.dst, sport: h.sport, dport: h.dport };
}

/** The tuple of the other direction, as nf_ct_invert_tuple computes it. */
export function invertTuple(t: Tuple): Tuple {
  if (t.proto === "icmp") {
    return { proto: "icmp", src: t.dst, dst: t.src, sport: t.sport, dport: ICMP_REPLY_TYPE[t.dport] ?? t.dport, code: t.code ?? 0 };
  }
  return { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

export function sameTuple(a: Tuple, b: Tuple): boolean {
  return a.proto === b.proto && a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport && (a.code ?? 0) === (b.code ?? 0);
}

/** What nf_conntrack_in tells the rest of the stack about a packet. */
export type CtInfo =
  | {
      readonly state: "NEW" | "ESTABLISHED" | "RELATED";
      readonly entry: ConnEntry;
      readonly dir: Direction;
      readonly created: boolean;
      /** The packet ended its connection: the entry is gone from the table (the packet still carries it). */
      readonly destroyed?: boolean;
    }
  | { readonly state: "INVALID"; readonly reason: string };

export interface TcpFlagsLike {
  readonly syn: boolean;
  readonly ack: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
}

type TcpEvent = "syn" | "synack" | "fin" | "ack" | "rst" | "none";

function tcpEvent(f: TcpFlagsLike): TcpEvent {
  if (f.rst) return "rst";
  if (f.syn) return f.ack ? "synack" : "syn";
  if (f.fin) return "fin";
  if (f.ack) return "ack";
  return "none";
}

const S: readonly TcpState[] = ["NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"];
// The kernel's tcp_conntracks table, by direction and event, indexed by the current state in S's
// order. "IV" = invalid, "IG" = ignore (state unchanged).
type Cell = TcpState | "IV" | "IG";
const TCP_TABLE: Readonly<Record<Direction, Readonly<Record<Exclude<TcpEvent, "none">, readonly Cell[]>>>> = {
  original: {
    syn: ["SYN_SENT", "SYN_SENT", "IG", "IG", "IG", "IG", "IG", "SYN_SENT", "SYN_SENT", "SYN_SENT2"],
    synack: ["IV", "IV", "SYN_RECV", "IV", "IV", "IV", "IV", "IV", "IV", "SYN_RECV"],
    fin: ["IV", "IV", "FIN_WAIT", "FIN_WAIT", "LAST_ACK", "LAST_ACK", "LAST_ACK", "TIME_WAIT", "CLOSE", "IV"],
    ack: ["ESTABLISHED", "IV", "ESTABLISHED", "ESTABLISHED", "CLOSE_WAIT", "CLOSE_WAIT", "TIME_WAIT", "TIME_WAIT", "CLOSE", "IV"],
    rst: ["IV", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE"],
  },
  reply: {
    syn: ["IV", "SYN_SENT2", "IV", "IV", "IV", "IV", "IV", "SYN_SENT", "IV", "SYN_SENT2"],
    synack: ["IV", "SYN_RECV", "IG", "IG", "IG", "IG", "IG", "IG", "IG", "SYN_RECV"],
    fin: ["IV", "IV", "FIN_WAIT", "FIN_WAIT", "LAST_ACK", "LAST_ACK", "LAST_ACK", "TIME_WAIT", "CLOSE", "IV"],
    ack: ["IV", "IG", "SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "CLOSE_WAIT", "TIME_WAIT", "TIME_WAIT", "CLOSE", "IG"],
    rst: ["IV", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE", "CLOSE"],
  },
};

export function nextTcpState(current: TcpState, dir: Direction, flags: TcpFlagsLike): TcpState | "IV" | "IG" {
  const ev = tcpEvent(flags);
  if (ev === "none") return "IV";
  return TCP_TABLE[dir][ev][S.indexOf(current)]!;
}

export class ConntrackTable {
  private readonly byTuple = new Map<string, { entry: ConnEntry; dir: Direction }>();
  private readonly entries: ConnEntry[] = [];
  private nextId = 1;

  constructor(public timeouts: ConntrackTimeouts = KERNEL_TIMEOUTS) {}

  /** Confirmed, unexpired entries, oldest first. */
  list(now: number): ConnEntry[] {
    return this.entries.filter((e) => e.expires > now);
  }

  lookup(t: Tuple, now: number): { entry: ConnEntry; dir: Direction } | undefined {
    const hit = this.byTuple.get(tupleKey(t));
    if (!hit) return undefined;
    if (hit.entry.expires <= now) {
      this.remove(hit.entry);
      return undefined;
    }
    return hit;
  }

  /** Whether a confirmed connection other than `ignore` uses this tuple in either direction (nf_nat_used_tuple). */
  tupleTaken(t: Tuple, ignore: ConnEntry | undefined, now: number): boolean {
    const hit = this.lookup(t, now);
    return hit !== undefined && hit.entry !== ignore;
  }

  /** nf_conntrack_in: finds or creates the packet's connection and updates its protocol state. */
  track(p: Packet, now: number): CtInfo {
    if (p.proto === "icmp" && p.icmp?.inner) {
      // An ICMP error belongs to the connection it quotes: RELATED.
      const inner = tupleOfInner(p.icmp.inner);
      const hit = this.lookup(invertTuple(inner), now) ?? this.lookup(inner, now);
      if (!hit) return { state: "INVALID", reason: "ICMP error for an unknown connection" };
      return { state: "RELATED", entry: hit.entry, dir: hit.dir, created: false };
    }
    const tuple = tupleOfPacket(p);
    const hit = this.lookup(tuple, now);
    if (hit) {
      const { entry, dir } = hit;
      const seenReply = entry.seenReply;
      const refused = this.update(entry, dir, p, now);
      if (refused) return { state: "INVALID", reason: refused };
      let destroyed = false;
      if (p.proto === "tcp" && p.tcp!.rst && !seenReply) {
        // tcp_packet: a reset before any reply (a SYN answered by RST) kills the entry at once;
        // this packet still carries it, so its NAT is undone on the way (checked in a lab).
        this.remove(entry);
        destroyed = true;
      }
      const state = dir === "reply" || entry.seenReply ? "ESTABLISHED" : "NEW";
      return { state, entry, dir, created: false, ...(destroyed && { destroyed }) };
    }
    if (p.proto === "icmp" && !ICMP_REQUESTS.has(p.icmp!.type)) {
      return { state: "INVALID", reason: `ICMP type ${p.icmp!.type} cannot start a connection` };
    }
    if (p.proto === "tcp") {
      const t = p.tcp!;
      // tcp_new: a SYN starts a connection; with nf_conntrack_tcp_loose=1 (the default) so does a plain ACK.
      if (t.rst || (t.syn && t.ack) || t.fin || (!t.syn && !t.ack)) {
        return { state: "INVALID", reason: "a TCP segment that is neither SYN nor ACK cannot start a connection" };
      }
    }
    const entry: ConnEntry = {
      id: this.nextId++,
      orig: tuple,
      reply: invertTuple(tuple),
      seenReply: false,
      assured: false,
      confirmed: false,
      srcNat: false,
      dstNat: false,
      srcNatDone: false,
      dstNatDone: false,
      expires: now,
      created: now,
      mark: 0,
    };
    if (p.proto === "tcp") entry.tcpState = "NONE";
    const refused = this.update(entry, "original", p, now);
    if (refused) return { state: "INVALID", reason: refused };
    return { state: "NEW", entry, dir: "original", created: true };
  }

  /** Protocol state and timeout; returns a reason when the packet is invalid for the connection. */
  private update(e: ConnEntry, dir: Direction, p: Packet, now: number): string | undefined {
    const refused = this.updateProto(e, dir, p, now);
    // nf_conntrack_in sets IPS_SEEN_REPLY after the protocol handler ran: the first reply does
    // not yet count as "seen both ways" for UDP's stream rule.
    if (!refused && dir === "reply") e.seenReply = true;
    return refused;
  }

  private updateProto(e: ConnEntry, dir: Direction, p: Packet, now: number): string | undefined {
    switch (p.proto) {
      case "icmp":
        e.expires = now + this.timeouts.icmp * 1000;
        return undefined;
      case "udp":
        if (e.seenReply) {
          // Still active two seconds after creation: a stream, assured, with the long timeout.
          if (now - e.created > 2000) {
            e.assured = true;
            e.expires = now + this.timeouts.udpStream * 1000;
          } else {
            e.expires = now + this.timeouts.udp * 1000;
          }
        } else {
          e.expires = now + this.timeouts.udp * 1000;
        }
        return undefined;
      case "tcp": {
        const old = e.tcpState ?? "NONE";
        const next = nextTcpState(old, dir, p.tcp!);
        if (next === "IV") return `TCP ${describeFlags(p.tcp!)} is invalid in state ${old}`;
        const state = next === "IG" ? old : next;
        e.tcpState = state;
        if (!e.assured && (old === "SYN_RECV" || old === "ESTABLISHED") && state === "ESTABLISHED") e.assured = true;
        e.expires = now + this.timeouts.tcp[state] * 1000;
        return undefined;
      }
    }
  }

  /** __nf_conntrack_confirm: the first packet survived; both tuples enter the table. */
  confirm(e: ConnEntry): void {
    if (e.confirmed) return;
    e.confirmed = true;
    this.entries.push(e);
    this.byTuple.set(tupleKey(e.orig), { entry: e, dir: "original" });
    this.byTuple.set(tupleKey(e.reply), { entry: e, dir: "reply" });
  }

  /** Re-indexes the reply tuple after NAT changed it (before confirmation nothing is indexed). */
  setReply(e: ConnEntry, reply: Tuple): void {
    if (e.confirmed) this.byTuple.delete(tupleKey(e.reply));
    e.reply = reply;
    if (e.confirmed) this.byTuple.set(tupleKey(reply), { entry: e, dir: "reply" });
  }

  remove(e: ConnEntry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
    const o = this.byTuple.get(tupleKey(e.orig));
    if (o?.entry === e) this.byTuple.delete(tupleKey(e.orig));
    const r = this.byTuple.get(tupleKey(e.reply));
    if (r?.entry === e) this.byTuple.delete(tupleKey(e.reply));
  }

  /** conntrack -F */
  flush(): void {
    this.entries.length = 0;
    this.byTuple.clear();
  }
}

function describeFlags(f: TcpFlagsLike): string {
  const names = [f.syn && "SYN", f.ack && "ACK", f.fin && "FIN", f.rst && "RST"].filter(Boolean);
  return names.length ? names.join("+") : "without flags";
}

