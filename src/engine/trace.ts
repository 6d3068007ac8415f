/**
 * The trace: the contract between the engine, the UI and the CLI. A flow is one packet's
 * journey (the request, then its reply); every step is one observable decision.
 */
import { formatIpv4 } from "./addr/ipv4";
import type { Packet, Proto } from "./packet/packet";

/**
 * The most steps a trace holds: the scenario's traffic and every shell line's together. More
 * would not help a learner and would slow the page; a scenario or a session that reaches it is
 * told so.
 */
export const MAX_TRACE_STEPS = 25_000;

export type StepKind = "wire" | "route" | "rule" | "nat" | "conntrack" | "bridge" | "encap" | "deliver" | "drop";

/** The packet as a step shows it: addresses as text, ports only for TCP and UDP. */
export interface StepPacket {
  readonly proto: Proto;
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  readonly ttl: number;
  /** For a tunnel's outer packet: what it carries (a VXLAN datagram: the frame's IP packet, and the VNI). */
  readonly inner?: StepPacket;
  readonly vni?: number;
}

export type StepDetail =
  | {
      readonly kind: "wire";
      readonly mac?: { readonly src: string; readonly dst: string };
      /** A VXLAN datagram's carried frame's MAC addresses (tcpdump -e prints them on the inner line). */
      readonly innerMac?: { readonly src: string; readonly dst: string };
      /** What tcpdump -n prints after the timestamp. */
      readonly tcpdump: string;
      readonly length: number;
      /** Simulated time, milliseconds since the epoch. */
      readonly time: number;
    }
  | { readonly kind: "route"; readonly route: string; readonly table: "main" | "local"; readonly decision: "local" | "forward" | "output" | "bridge"; readonly nexthop?: string; readonly dev?: string }
  | {
      readonly kind: "rule";
      readonly table: string;
      readonly chain: string;
      readonly hook: string;
      /** 1-based position in its chain; 0 for a chain's policy. */
      readonly index: number;
      /** The rule as iptables-save prints it, or the policy line. */
      readonly rule: string;
      readonly target: string;
      readonly counters: { readonly pkts: number; readonly bytes: number };
      /**
       * Set for an nftables rule: its table's family ("ip", "inet"); `table` is then the nft
       * table's name, `rule` the rule as `nft list` prints it, `counters` its counter statement's
       * (zeros when it has none). Absent for iptables rules.
       */
      readonly family?: string;
      /** For an nftables rule: its handle, as `nft -a list` shows it. */
      readonly handle?: number;
      /**
       * For an nftables rule: the base chain whose walk reached it (its name, type and priority),
       * so a reader can place the step among the hook's stages as iptables' tables are placed.
       */
      readonly base?: { readonly chain: string; readonly type: string; readonly priority: number };
    }
  | {
      readonly kind: "nat";
      readonly type: "SNAT" | "DNAT" | "MASQUERADE" | "un-SNAT" | "un-DNAT";
      readonly before: StepPacket;
      readonly after: StepPacket;
      readonly changed: readonly ("src" | "dst" | "sport" | "dport" | "icmpId")[];
      /** The rule that set the binding up, when this packet decided it. */
      readonly rule?: string;
      readonly conntrack: string;
      /** The connection's conntrack entry: a number unique within the node's table (see `conntrack`'s). */
      readonly conn: number;
    }
  | {
      readonly kind: "conntrack";
      readonly event: "new" | "hit" | "confirm" | "invalid" | "destroy";
      readonly state: string;
      readonly direction?: "original" | "reply";
      /** The entry as conntrack -L prints it (absent for an INVALID packet, which has none). */
      readonly entry?: string;
      /** Which entry: a number unique within the node's conntrack table, the same in every step about it. */
      readonly conn?: number;
    }
  | {
      readonly kind: "bridge";
      readonly bridge: string;
      readonly action: "learn" | "forward" | "flood" | "local";
      readonly mac: string;
      readonly port?: string;
      /**
       * The forwarding table the bridge looked the MAC up in, as it was then: the looked-up
       * entry (when there is one) and others, at most FDB_SHOWN of them; `fdbSize` counts all.
       */
      readonly fdb?: readonly { readonly mac: string; readonly port: string; readonly local: boolean }[];
      readonly fdbSize?: number;
    }
  | {
      readonly kind: "encap";
      /** "encap": the frame goes into a tunnel; "decap": it comes out of one. */
      readonly action: "encap" | "decap";
      readonly tunnel: "vxlan";
      /** The tunnel device (flannel.1, vxlan.calico). */
      readonly device: string;
      readonly vni: number;
      /** UDP port of the tunnel. */
      readonly port: number;
      /** Encapsulation: the forwarding entry that named the remote endpoint for the inner destination MAC. */
      readonly fdb?: { readonly mac: string; readonly dst: string };
      readonly outer: StepPacket;
      readonly inner: StepPacket;
    }
  | { readonly kind: "deliver"; readonly to: string }
  | { readonly kind: "drop"; readonly reason: string; readonly rule?: string };

/** How many forwarding-table entries a bridge step carries at most. */
export const FDB_SHOWN = 16;

/** What every step has: where it happened, the packet there, and what happened, in words. */
interface StepBase {
  readonly node: string;
  readonly pod?: string;
  readonly iface?: string;
  readonly dir?: "in" | "out";
  readonly packet: StepPacket;
  readonly text: string;
  /** For a surprising step: why it happened, and what comes of it, in plain words. */
  readonly why?: string;
}

/** A step of one kind, with the detail of that kind. */
export type StepOf<K extends StepKind> = StepBase & { readonly kind: K; readonly detail: Extract<StepDetail, { readonly kind: K }> };

/** One observable decision; its kind and its detail's kind are the same. */
export type Step = { [K in StepKind]: StepOf<K> }[StepKind];

export interface Flow {
  readonly name: string;
  /**
   * What started the flow, for people: the scenario's traffic item ("ping from busybox0-rw89s to
   * 10.200.1.15") or the shell line ("curl http://10.32.0.53/ on busybox0-g6pww").
   */
  readonly origin?: string;
  readonly verdict: "delivered" | "dropped";
  readonly dropReason?: string;
  readonly steps: readonly Step[];
}

export interface Trace {
  readonly scenario: string;
  readonly flows: readonly Flow[];
}

export function stepPacket(p: Packet): StepPacket {
  const base = { proto: p.proto, src: formatIpv4(p.src), dst: formatIpv4(p.dst), ttl: p.ttl };
  if (p.proto === "icmp") return base;
  const ports = { ...base, sport: p.sport, dport: p.dport };
  return p.payload?.kind === "vxlan" ? { ...ports, inner: stepPacket(p.payload.frame.packet), vni: p.payload.vni } : ports;
}

/** `10.200.0.21 > 10.200.1.15` or `10.200.0.21.40000 > 10.32.0.10.53`, tcpdump's way. */
export function endpoints(p: Packet | StepPacket): string {
  const ip = (a: number | string) => (typeof a === "number" ? formatIpv4(a) : a);
  if (p.proto === "icmp") return `${ip(p.src)} > ${ip(p.dst)}`;
  return `${ip(p.src)}.${p.sport} > ${ip(p.dst)}.${p.dport}`;
}
