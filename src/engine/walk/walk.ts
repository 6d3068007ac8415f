/**
 * One packet's journey: the steps it leaves in the trace, and how it ends. Every function of the
 * datapath (ip.ts, hooks.ts, link/) returns the journey's end as a value, a Verdict, once there
 * is one: delivered to a socket, or dropped with a reason. Nothing is thrown for a packet's
 * fate; an exception from the datapath is an engine bug, and surfaces as one.
 */
import type { Netns } from "../netns";
import type { Packet } from "../packet/packet";
import { stepPacket, type Flow, type Step, type StepDetail } from "../trace";
import type { ConnEntry, CtInfo, Direction } from "../conntrack/conntrack";
import type { Ipv4 } from "../addr/ipv4";
import type { Delivery, FlowResult, PacketSpec, World } from "../world";
import { reason as because, say } from "../narrate";

export interface Delivered {
  readonly kind: "delivered";
  readonly delivery: Delivery;
}

export interface Dropped {
  readonly kind: "dropped";
  readonly ns: Netns;
  readonly packet: Packet;
  readonly reason: string;
  /** A REJECT rule's --reject-with, when one dropped it: what the sender is told. */
  readonly rejectWith?: string;
  /** The receiving host answers with a TCP reset: nothing listens on the port. */
  readonly reset?: boolean;
}

/** How a packet's journey ended. */
export type Verdict = Delivered | Dropped;

/** Whether a function's answer is the journey's end rather than a value to go on with. */
export function isVerdict(x: object): x is Verdict {
  const k = (x as { kind?: unknown }).kind;
  return k === "delivered" || k === "dropped";
}

/** What travels with a packet inside one namespace (the skb's metadata). */
export interface Skb {
  packet: Packet;
  mark: number;
  ct?: Extract<CtInfo, { entry: unknown }>;
  ctInvalid?: string;
  /** Set by nft's `notrack` before conntrack: the packet stays untracked (ct state untracked). */
  untracked?: boolean;
  inIface?: string;
  outIface?: string;
  nexthop?: Ipv4;
}

/**
 * The connection an ICMP error the stack makes belongs to: icmp_glue_bits attaches the offending
 * packet's conntrack (nf_ct_attach), confirmed or not, as RELATED in the other direction.
 */
export interface Attached {
  readonly entry: ConnEntry;
  readonly dir: Direction;
}

/** The attachment for an error about a packet tracked as `ct`. */
export function attachTo(ct: Skb["ct"]): Attached | undefined {
  return ct && { entry: ct.entry, dir: ct.dir === "original" ? "reply" : "original" };
}

export class Walk {
  readonly steps: Step[] = [];
  /** Links crossed so far (a forwarding loop ends at MAX_HOPS). */
  hops = 0;
  /** Set when the namespace that drops the packet answers with an ICMP error. */
  icmpError: { from: string; spec: PacketSpec; attach?: Attached; delayMs?: number } | undefined;
  /** Why the dropping namespace answers with no ICMP error when it would (a rate limit), for the drop step. */
  icmpHeld: string | undefined;
  /** What the stack sent on the way (an ICMP redirect), traced as it happened. */
  readonly side: FlowResult[] = [];

  constructor(
    readonly world: World,
    readonly name: string,
  ) {}

  /** A step of the kind its detail says, at `ns`, with the packet as it is there. */
  step(ns: Netns, packet: Packet, text: string, detail: StepDetail, wire?: { iface: string; dir: "in" | "out" }, why?: string): void {
    this.steps.push({
      kind: detail.kind,
      node: ns.node,
      ...(ns.pod !== undefined && { pod: ns.pod }),
      ...(wire && { iface: wire.iface, dir: wire.dir }),
      packet: stepPacket(packet),
      text,
      ...(why !== undefined && { why }),
      detail,
    } as Step);
  }

  /** The packet is dropped here: the step that says so, and the verdict. */
  drop(ns: Netns, packet: Packet, reason: string, rule?: string, rejectWith?: string, why?: string, reset?: boolean): Dropped {
    const explained = why ?? this.icmpHeld;
    this.icmpHeld = undefined;
    this.step(ns, packet, say.dropped(ns.label, reason), { kind: "drop", reason, ...(rule && { rule }) }, undefined, explained);
    return { kind: "dropped", ns, packet, reason: because.on(reason, ns.label), ...(rejectWith !== undefined && { rejectWith }), ...(reset && { reset }) };
  }

  finish(v: Verdict): FlowResult {
    const side = this.side.length > 0 ? { side: this.side } : {};
    if (v.kind === "delivered") {
      const flow: Flow = { name: this.name, verdict: "delivered", steps: this.steps };
      return { flow, delivered: v.delivery, ...side };
    }
    const flow: Flow = { name: this.name, verdict: "dropped", dropReason: v.reason, steps: this.steps };
    const dropped = { ns: v.ns, packet: v.packet, reason: v.reason, ...(v.rejectWith !== undefined && { rejectWith: v.rejectWith }), ...(v.reset && { reset: true }) };
    return { flow, dropped, ...(this.icmpError && { icmpError: this.icmpError }), ...side };
  }
}
