/**
 * The world: every namespace, the wires between them, the clock, the random source and the taps.
 * It is the only mutable state, and `send` is how a packet moves: a Walk (walk/) through the
 * sender's OUTPUT path (walk/ip.ts), over veths, bridges and L2 segments (link/), through each
 * namespace's PREROUTING → routing → INPUT / FORWARD → POSTROUTING and their netfilter hooks
 * (walk/hooks.ts), until it is delivered to a socket or dropped. Every decision becomes a trace
 * step.
 */
import type { Ipv4 } from "./addr/ipv4";
import { Netns, type BridgeIface, type EtherIface, type Iface, type NetnsOptions, type VethIface } from "./netns";
import {
  ICMP_HEADER,
  IP_HEADER,
  kernelIpFields,
  TCP_HEADER,
  tcpHeaderLength,
  UDP_HEADER,
  VXLAN_HEADER,
  ETHER_HEADER_BYTES,
  type Frame,
  type IcmpInfo,
  type Packet,
  type Payload,
  type Proto,
  type TcpInfo,
} from "./packet/packet";
import { seededRng, type Rng } from "./rng";
import { flowName } from "./narrate";
import type { Flow } from "./trace";
import { output } from "./walk/ip";
import { Walk, type Attached } from "./walk/walk";

export interface WorldOptions {
  /** Seed of the generator behind -m statistic and NAT port choice. */
  readonly seed?: number;
  /** The simulated clock at start, in milliseconds since the epoch. */
  readonly startMs?: number;
}

/** What a sender puts on the wire; the stack fills in the rest. */
export interface PacketSpec {
  readonly proto: Proto;
  readonly dst: Ipv4;
  /** Unset: the stack picks the route's source address, as a socket that did not bind does. */
  readonly src?: Ipv4;
  readonly sport?: number;
  readonly dport?: number;
  readonly ttl?: number;
  readonly icmp?: IcmpInfo;
  readonly tcp?: TcpInfo;
  readonly payload?: Payload;
  /** IP total length; computed from the headers and payload when absent. */
  readonly length?: number;
}

/** A frame seen on an interface, as a capture there would see it. */
export interface TapEvent {
  readonly ns: Netns;
  readonly iface: Iface;
  readonly dir: "in" | "out";
  readonly frame: Frame;
  /** Simulated time, milliseconds since the epoch. */
  readonly time: number;
}

/** Something that sees every frame on every interface: the trace recorder, a pcap writer. */
export interface Tap {
  frame(ev: TapEvent): void;
}

export interface Delivery {
  readonly ns: Netns;
  readonly iface: string;
  readonly packet: Packet;
  /** Who took it: "kernel (ICMP echo)", a listener's app, or "client socket". */
  readonly to: string;
}

export interface FlowResult {
  readonly flow: Flow;
  readonly delivered?: Delivery;
  /** The packet as it was when dropped, and where. */
  readonly dropped?: { readonly ns: Netns; readonly packet: Packet; readonly reason: string; readonly rejectWith?: string; readonly reset?: boolean };
  /**
   * The ICMP error the dropping namespace sends back (no route, TTL exceeded), to be traced next,
   * with the connection it belongs to (icmp_glue_bits attaches the offending packet's conntrack)
   * and how much later than the drop it leaves, when it does not leave at once.
   */
  readonly icmpError?: { readonly from: string; readonly spec: PacketSpec; readonly attach?: Attached; readonly delayMs?: number };
  /** Packets the stack sent while this one was on its way (an ICMP redirect), each its own flow, in order. */
  readonly side?: readonly FlowResult[];
}

export function defaultLength(spec: PacketSpec): number {
  if (spec.length !== undefined) return spec.length;
  const payloadBytes = payloadLength(spec.payload);
  switch (spec.proto) {
    case "icmp":
      return IP_HEADER + ICMP_HEADER + (spec.icmp?.inner ? 28 : payloadBytes || 56);
    case "udp":
      return IP_HEADER + UDP_HEADER + payloadBytes;
    case "tcp":
      return IP_HEADER + (spec.tcp ? tcpHeaderLength(spec.tcp) : TCP_HEADER) + payloadBytes;
  }
}

export function payloadLength(p: Payload | undefined): number {
  if (!p) return 0;
  switch (p.kind) {
    case "echo":
    case "raw":
      return p.bytes;
    case "dns-query":
      // header 12 + name labels + root + qtype/qclass 4
      return 12 + p.name.length + 2 + 4;
    case "dns-answer":
      return 12 + p.name.length + 2 + 4 + 16;
    case "http-request":
      return `GET ${p.path} HTTP/1.1\r\nHost: ${p.host}\r\nUser-Agent: curl/7.58.0\r\nAccept: */*\r\n\r\n`.length;
    case "http-response":
      return 238;
    case "vxlan":
      return VXLAN_HEADER + ETHER_HEADER_BYTES + p.frame.packet.length;
  }
}

export class World {
  readonly namespaces = new Map<string, Netns>();
  private readonly segments = new Map<string, { ns: string; iface: string }[]>();
  /** Client sockets waiting for answers: proto/ns/port (or ICMP id). */
  private readonly clients = new Set<string>();
  now: number;
  /** When the world was built: the moment its pods and connections count their age from. */
  readonly startMs: number;
  readonly rng: Rng;
  /** Taps that see every frame (the trace records wire steps on its own). */
  readonly taps: Tap[] = [];

  constructor(opts: WorldOptions = {}) {
    this.rng = seededRng(opts.seed ?? 1);
    this.startMs = opts.startMs ?? Date.UTC(2018, 4, 14, 14, 47, 11);
    this.now = this.startMs;
  }

  addNetns(opts: NetnsOptions): Netns {
    if (this.namespaces.has(opts.name)) throw new Error(`namespace ${opts.name} already exists`);
    const ns = new Netns(opts);
    this.namespaces.set(opts.name, ns);
    return ns;
  }

  get(name: string): Netns {
    const ns = this.namespaces.get(name);
    if (!ns) throw new Error(`no namespace ${name}`);
    return ns;
  }

  /** A veth pair; each end may carry a chosen name, MAC and ifindex. Both ends come up. */
  veth(
    a: { ns: string; name: string; mac?: string; ifindex?: number },
    b: { ns: string; name: string; mac?: string; ifindex?: number },
  ): [VethIface, VethIface] {
    const nsA = this.get(a.ns);
    const nsB = this.get(b.ns);
    const ia = nsA.addIface({ name: a.name, kind: "veth", ...(a.mac && { mac: a.mac }), ...(a.ifindex && { ifindex: a.ifindex }) });
    const ib = nsB.addIface({ name: b.name, kind: "veth", ...(b.mac && { mac: b.mac }), ...(b.ifindex && { ifindex: b.ifindex }) });
    ia.peer = { ns: b.ns, ifindex: ib.ifindex };
    ib.peer = { ns: a.ns, ifindex: ia.ifindex };
    nsA.setUp(a.name);
    nsB.setUp(b.name);
    return [ia, ib];
  }

  bridge(ns: string, name: string, mac?: string): BridgeIface {
    const n = this.get(ns);
    const br = n.addIface({ name, kind: "bridge", ...(mac && { mac }) });
    n.setUp(name);
    return br;
  }

  /** Makes `port` a port of `bridge`; its MAC becomes a local FDB entry. */
  enslave(ns: string, port: string, bridge: string): void {
    const n = this.get(ns);
    const br = n.requireBridge(bridge);
    const p = n.requireIface(port);
    p.master = bridge;
    br.fdb.set(p.mac, { port, local: true });
  }

  /** An ethernet interface on a shared L2 segment (a cloud subnet). */
  ether(ns: string, name: string, segment: string, mac?: string): EtherIface {
    const n = this.get(ns);
    const i = n.addIface({ name, kind: "ether", ...(mac && { mac }) });
    i.segment = segment;
    n.setUp(name);
    const members = this.segments.get(segment) ?? [];
    members.push({ ns, iface: name });
    this.segments.set(segment, members);
    return i;
  }

  bridgePorts(ns: Netns, bridge: string): Iface[] {
    return ns.ifaces.filter((i) => i.master === bridge);
  }

  /**
   * Sends a packet generated by a process in namespace `from` and follows it until it is
   * delivered or dropped. Never throws for anything the packet meets on its way.
   */
  send(from: string, spec: PacketSpec, name = "request", attach?: Attached): FlowResult {
    const walk = new Walk(this, flowName(name));
    const ns = this.get(from);
    const ip = kernelIpFields(spec);
    const packet: Packet = {
      proto: spec.proto,
      src: spec.src ?? (0 as Ipv4),
      dst: spec.dst,
      sport: spec.sport ?? 0,
      dport: spec.dport ?? 0,
      ttl: spec.ttl ?? 64,
      ipId: ip.idZero ? 0 : ns.takeIpId(),
      length: defaultLength(spec),
      df: ip.df,
      ...(ip.tos !== 0 && { tos: ip.tos }),
      ...(spec.icmp && { icmp: spec.icmp }),
      ...(spec.tcp && { tcp: spec.tcp }),
      ...(spec.payload && { payload: spec.payload }),
    };
    // The packet's fate comes back as a value; an exception here is an engine bug, and is left to
    // surface as one (the CLI and the page report it) rather than pass for a dropped packet.
    return walk.finish(output(walk, ns, packet, spec.src === undefined, attach));
  }

  /** Registers a client socket so that answers to it count as delivered. */
  openClient(ns: string, proto: Proto, portOrId: number): void {
    this.clients.add(`${ns}|${proto}|${portOrId}`);
  }

  hasClient(ns: string, proto: Proto, portOrId: number): boolean {
    return this.clients.has(`${ns}|${proto}|${portOrId}`);
  }

  segmentMembers(segment: string): readonly { ns: string; iface: string }[] {
    return this.segments.get(segment) ?? [];
  }
}
