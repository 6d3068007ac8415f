/**
 * The world: every namespace, the wires between them, the clock and the random source. It is
 * the only mutable state, and `send` is how a packet moves: through the sender's OUTPUT path,
 * over veths, bridges and L2 segments, through each namespace's PREROUTING → routing →
 * INPUT / FORWARD → POSTROUTING, until it is delivered to a socket or dropped. Every decision
 * becomes a trace step.
 */
import { formatIpv4, type Ipv4 } from "./addr/ipv4";
import { formatConntrackEntry } from "./conntrack/format";
import type { CtInfo } from "./conntrack/conntrack";
import { natPacket, setupNat, type Manip } from "./conntrack/nat";
import { formatRule } from "./netfilter/format";
import { walkTable, type MatchContext, type MatchedRule } from "./netfilter/walk";
import { readCounters, type HookName, type TableName } from "./netfilter/types";
import { Netns, type Iface, type NetnsOptions } from "./netns";
import { tcpdumpLine } from "./packet/format";
import {
  ICMP_HEADER,
  IP_HEADER,
  kernelIpFields,
  quotedHeader,
  TCP_HEADER,
  tcpHeaderLength,
  UDP_HEADER,
  type Frame,
  type IcmpInfo,
  type Packet,
  type Payload,
  type Proto,
  type TcpInfo,
} from "./packet/packet";
import { formatRoute } from "./route/format";
import type { RouteMatch } from "./route/route";
import { seededRng, type Rng } from "./rng";
import { FDB_SHOWN, endpoints, stepPacket, type Flow, type Step, type StepDetail } from "./trace";

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
  readonly dropped?: { readonly ns: Netns; readonly packet: Packet; readonly reason: string; readonly rejectWith?: string };
  /** The ICMP error the dropping namespace sends back (no route, TTL exceeded), to be traced next. */
  readonly icmpError?: { readonly from: string; readonly spec: PacketSpec };
}

/** What travels with a packet inside one namespace (the skb's metadata). */
interface Skb {
  packet: Packet;
  mark: number;
  ct?: Extract<CtInfo, { entry: unknown }>;
  ctInvalid?: string;
  inIface?: string;
  outIface?: string;
  nexthop?: Ipv4;
}

class Dropped extends Error {
  constructor(
    readonly ns: Netns,
    readonly packet: Packet,
    readonly reason: string,
    /** A REJECT rule's --reject-with, when one dropped it: what the sender is told. */
    readonly rejectWith?: string,
  ) {
    super(reason);
  }
}

class Delivered extends Error {
  constructor(readonly delivery: Delivery) {
    super("delivered");
  }
}

type HookStage = TableName | "conntrack" | "confirm";

/** The order of each hook's functions by priority: raw −300, conntrack −200, mangle −150, DNAT −100, filter 0, SNAT +100, confirm last. */
const HOOK_ORDER: Readonly<Record<HookName, readonly HookStage[]>> = {
  PREROUTING: ["raw", "conntrack", "mangle", "nat"],
  INPUT: ["mangle", "filter", "nat", "confirm"],
  FORWARD: ["mangle", "filter"],
  OUTPUT: ["raw", "conntrack", "mangle", "nat", "filter"],
  POSTROUTING: ["mangle", "nat", "confirm"],
};

const MANIP_OF: Readonly<Record<HookName, Manip | undefined>> = {
  PREROUTING: "dst",
  OUTPUT: "dst",
  INPUT: "src",
  POSTROUTING: "src",
  FORWARD: undefined,
};

const MAX_HOPS = 64;
/** Simulated time a frame takes per wire, in milliseconds. */
const WIRE_DELAY_MS = 0.021;

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
  ): [Iface, Iface] {
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

  bridge(ns: string, name: string, mac?: string): Iface {
    const n = this.get(ns);
    const br = n.addIface({ name, kind: "bridge", ...(mac && { mac }) });
    n.setUp(name);
    return br;
  }

  /** Makes `port` a port of `bridge`; its MAC becomes a local FDB entry. */
  enslave(ns: string, port: string, bridge: string): void {
    const n = this.get(ns);
    const br = n.requireIface(bridge);
    const p = n.requireIface(port);
    if (br.kind !== "bridge") throw new Error(`${ns}: ${bridge} is not a bridge`);
    p.master = bridge;
    br.fdb!.set(p.mac, { port, local: true });
  }

  /** An ethernet interface on a shared L2 segment (a cloud subnet). */
  ether(ns: string, name: string, segment: string, mac?: string): Iface {
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
  send(from: string, spec: PacketSpec, name = "request"): FlowResult {
    const walk = new Walk(this, name);
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
    try {
      walk.output(ns, packet, spec.src === undefined);
      throw new Error("the packet vanished without a verdict");
    } catch (e) {
      if (e instanceof Delivered) return walk.finish({ delivered: e.delivery });
      if (e instanceof Dropped) {
        const dropped = { ns: e.ns, packet: e.packet, reason: e.reason, ...(e.rejectWith !== undefined && { rejectWith: e.rejectWith }) };
        return walk.finish({ dropped, ...(walk.icmpError && { icmpError: walk.icmpError }) });
      }
      const reason = `engine error: ${e instanceof Error ? e.message : String(e)}`;
      return walk.finish({ dropped: { ns, packet, reason } });
    }
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

/** One packet's journey; collects the steps. */
class Walk {
  readonly steps: Step[] = [];
  private hops = 0;

  constructor(
    private readonly world: World,
    private readonly name: string,
  ) {}

  /** Set when the namespace that drops the packet answers with an ICMP error. */
  icmpError: { from: string; spec: PacketSpec } | undefined;

  finish(r: { delivered?: Delivery; dropped?: { ns: Netns; packet: Packet; reason: string }; icmpError?: { from: string; spec: PacketSpec } }): FlowResult {
    const flow: Flow = r.delivered
      ? { name: this.name, verdict: "delivered", steps: this.steps }
      : { name: this.name, verdict: "dropped", dropReason: r.dropped!.reason, steps: this.steps };
    return { flow, ...r };
  }

  private step(ns: Netns, kind: Step["kind"], packet: Packet, text: string, detail?: StepDetail, wire?: { iface: string; dir: "in" | "out" }, why?: string): void {
    this.steps.push({
      kind,
      node: ns.node,
      ...(ns.pod !== undefined && { pod: ns.pod }),
      ...(wire && { iface: wire.iface, dir: wire.dir }),
      packet: stepPacket(packet),
      text,
      ...(why !== undefined && { why }),
      ...(detail && { detail }),
    });
  }

  /**
   * icmp_send: an error back to the packet's source, quoting its header and as much of it as
   * fits in 576 bytes. Never in answer to an ICMP error.
   */
  private answerWithError(ns: Netns, p: Packet, type: number, code: number): void {
    if (p.proto === "icmp" && p.icmp?.inner) return;
    const inner = quotedHeader(p);
    this.icmpError = {
      from: ns.name,
      spec: { proto: "icmp", dst: p.src, icmp: { type, code, id: 0, seq: 0, inner }, length: IP_HEADER + ICMP_HEADER + Math.min(p.length, 576 - IP_HEADER - ICMP_HEADER) },
    };
  }

  private drop(ns: Netns, packet: Packet, reason: string, rule?: string, rejectWith?: string): never {
    this.step(ns, "drop", packet, `${ns.label} drops the packet: ${reason}.`, { kind: "drop", reason, ...(rule && { rule }) });
    throw new Dropped(ns, packet, `${reason} (on ${ns.label})`, rejectWith);
  }

  // ---- locally generated packets -------------------------------------------------------

  output(ns: Netns, packet: Packet, pickSource: boolean): void {
    if (pickSource) {
      const m = ns.route(packet.dst);
      const src = m && m.route.dev !== undefined ? (m.route.src ?? ns.primaryAddress(m.route.dev, m.nexthop)) : undefined;
      if (m && src === undefined) this.drop(ns, packet, `no source address on ${m.route.dev}`);
      if (src !== undefined) packet = { ...packet, src };
    }
    let route = this.routeOrDrop(ns, packet, "output");
    this.registerClient(ns, packet);
    const skb: Skb = { packet, mark: 0, outIface: route.route.dev!, nexthop: route.nexthop };
    this.hook(ns, "OUTPUT", skb);
    if (skb.packet.dst !== packet.dst) {
      // ip_route_me_harder: the destination changed (DNAT in OUTPUT), so route again.
      route = this.routeOrDrop(ns, skb.packet, "output");
      skb.outIface = route.route.dev!;
      skb.nexthop = route.nexthop;
    }
    this.postrouting(ns, skb, route);
  }

  private registerClient(ns: Netns, p: Packet): void {
    if (p.proto === "icmp" && p.icmp && p.icmp.type === 8) this.world.openClient(ns.name, "icmp", p.icmp.id);
    else if (p.proto !== "icmp" && p.tcp?.syn !== false) this.world.openClient(ns.name, p.proto, p.sport);
  }

  // ---- routing ---------------------------------------------------------------------------

  private routeOrDrop(ns: Netns, packet: Packet, decision: "output" | "input"): RouteMatch {
    const m = ns.route(packet.dst);
    if (!m || m.route.type === "unreachable" || m.route.type === "blackhole" || m.route.type === "prohibit") {
      // A router without a route answers "network unreachable" (ip_error); a local sender just gets ENETUNREACH.
      if (decision === "input" && ns.sysctl.ipForward && (!m || m.route.type === "unreachable")) this.answerWithError(ns, packet, 3, 0);
      this.drop(ns, packet, `no route to ${formatIpv4(packet.dst)}${m ? ` (${m.route.type} route)` : ""}`);
    }
    const r = m.route;
    const kind = r.type === "local" ? "local" : decision === "output" ? "output" : "forward";
    const via = r.via !== undefined ? ` via ${formatIpv4(r.via)}` : "";
    const text =
      r.type === "local"
        ? `${ns.label}'s routing table says ${formatIpv4(packet.dst)} is a local address: deliver it here.`
        : `${ns.label}'s routing table sends ${formatIpv4(packet.dst)}${via} out of ${r.dev} (${r.dst.prefix === 0 ? "default route" : "route " + formatRoute(r).trim()}).`;
    this.step(ns, "route", packet, text, {
      kind: "route",
      route: formatRoute(r),
      table: r.table,
      decision: kind,
      ...(r.type !== "local" && { nexthop: formatIpv4(m.nexthop) }),
      ...(r.dev !== undefined && { dev: r.dev }),
    });
    return m;
  }

  // ---- netfilter hooks ---------------------------------------------------------------------

  private hook(ns: Netns, hook: HookName, skb: Skb): void {
    for (const stage of HOOK_ORDER[hook]) {
      switch (stage) {
        case "conntrack":
          this.conntrackIn(ns, skb);
          break;
        case "confirm":
          this.confirm(ns, skb);
          break;
        case "nat":
          this.nat(ns, hook, skb);
          break;
        default:
          this.table(ns, stage, hook, skb);
      }
    }
  }

  private context(ns: Netns, hook: HookName, skb: Skb): MatchContext {
    const ct = skb.ct;
    return {
      hook,
      ...(skb.inIface !== undefined && { inIface: skb.inIface }),
      ...(skb.outIface !== undefined && { outIface: skb.outIface }),
      mark: skb.mark,
      ...(ct ? { ctState: ct.state, ctSnat: ct.entry.srcNat, ctDnat: ct.entry.dstNat } : skb.ctInvalid ? { ctState: "INVALID" as const } : {}),
      addrType: (ip, iface) => ns.addrType(ip, iface),
      rng: this.world.rng,
      nth: ns.nth,
      recent: ns.recent,
      now: this.world.now,
    };
  }

  private ruleStep(ns: Netns, hook: HookName, packet: Packet, m: MatchedRule): void {
    const t = m.rule.target;
    const what =
      t.kind === "jump" ? `jump to ${t.chain}` : t.kind === "goto" ? `go to ${t.chain}` : t.kind === "none" ? "count it" : t.kind === "MARK" ? `mark the packet` : t.kind;
    this.step(ns, "rule", packet, `${m.table} ${m.chain} rule ${m.index} matches: ${what}.`, {
      kind: "rule",
      table: m.table,
      chain: m.chain,
      hook,
      index: m.index,
      rule: formatRule(m.chain, m.rule),
      target: t.kind === "jump" || t.kind === "goto" ? t.chain : t.kind,
      counters: { ...readCounters(ns.nf.tables[m.table], m.rule) },
    });
  }

  private table(ns: Netns, table: TableName, hook: HookName, skb: Skb): void {
    if (!ns.nf.loaded.has(table) || !ns.nf.tables[table].chains.has(hook)) return;
    const ctx = this.context(ns, hook, skb);
    const verdict = walkTable(table, ns.nf.tables[table], hook, skb.packet, ctx, (m) => this.ruleStep(ns, hook, skb.packet, m));
    skb.mark = ctx.mark;
    if (verdict.kind === "drop") {
      const by = verdict.by === "policy" ? undefined : formatRule(verdict.by.chain, verdict.by.rule);
      const why = verdict.by === "policy" ? `the ${table} ${hook} policy is DROP` : `${verdict.rejectWith ? "REJECT" : "DROP"} rule in ${table} ${verdict.chain}`;
      this.drop(ns, skb.packet, verdict.rejectWith ? `${why} (${verdict.rejectWith})` : why, by, verdict.rejectWith);
    }
    if (verdict.kind === "nat") this.drop(ns, skb.packet, `${verdict.target.kind} outside the nat table`);
  }

  private conntrackIn(ns: Netns, skb: Skb): void {
    if (skb.ct || skb.ctInvalid) return; // already tracked (looped back or bridged then routed)
    if (!ns.conntrackActive()) return;
    const info = ns.ct.track(skb.packet, this.world.now);
    if (info.state === "INVALID") {
      skb.ctInvalid = info.reason;
      this.step(ns, "conntrack", skb.packet, `conntrack marks the packet INVALID: ${info.reason}.`, { kind: "conntrack", event: "invalid", state: "INVALID" }, undefined, whyInvalid(info.reason));
      return;
    }
    skb.ct = info;
    const line = formatConntrackEntry(info.entry, this.world.now);
    if (info.created) {
      this.step(ns, "conntrack", skb.packet, `conntrack on ${ns.label} sees a new connection (state NEW).`, {
        kind: "conntrack",
        event: "new",
        state: "NEW",
        direction: "original",
        entry: line,
      });
    } else {
      const where = info.dir === "reply" ? "in the reply direction" : "in the original direction";
      this.step(ns, "conntrack", skb.packet, `conntrack on ${ns.label} finds the connection ${where} (state ${info.state}).`, {
        kind: "conntrack",
        event: "hit",
        state: info.state,
        direction: info.dir,
        entry: line,
      });
    }
  }

  private confirm(ns: Netns, skb: Skb): void {
    const ct = skb.ct;
    if (!ct || ct.entry.confirmed) return;
    ns.ct.confirm(ct.entry);
    this.step(ns, "conntrack", skb.packet, `conntrack on ${ns.label} confirms the new entry.`, {
      kind: "conntrack",
      event: "confirm",
      state: ct.state,
      direction: ct.dir,
      entry: formatConntrackEntry(ct.entry, this.world.now),
    });
  }

  /** nf_nat_inet_fn: decide the binding on a connection's first packet, then rewrite from conntrack. */
  private nat(ns: Netns, hook: HookName, skb: Skb): void {
    const manip = MANIP_OF[hook]!;
    const ct = skb.ct;
    if (!ct || !ns.nf.loaded.has("nat")) return;
    const e = ct.entry;
    const done = manip === "src" ? e.srcNatDone : e.dstNatDone;
    let decidedBy: { rule: string; kind: "SNAT" | "DNAT" | "MASQUERADE" } | undefined;
    if (ct.state === "NEW" && ct.dir === "original" && !done) {
      const ctx = this.context(ns, hook, skb);
      const verdict = walkTable("nat", ns.nf.tables.nat, hook, skb.packet, ctx, (m) => this.ruleStep(ns, hook, skb.packet, m));
      skb.mark = ctx.mark;
      if (verdict.kind === "drop") this.drop(ns, skb.packet, `DROP rule in nat ${verdict.chain}`, verdict.by === "policy" ? undefined : formatRule(verdict.by.chain, verdict.by.rule));
      let changed: boolean;
      if (verdict.kind === "nat") {
        const t = verdict.target;
        let minIp: Ipv4;
        let maxIp: Ipv4;
        let ports: { min: number; max: number } | undefined;
        if (t.kind === "MASQUERADE") {
          const addr = ns.primaryAddress(skb.outIface!, skb.nexthop);
          if (addr === undefined) this.drop(ns, skb.packet, `MASQUERADE: ${skb.outIface} has no address`);
          minIp = maxIp = addr;
          ports = t.ports;
        } else {
          minIp = t.range.minIp as Ipv4;
          maxIp = t.range.maxIp as Ipv4;
          ports = t.range.ports;
        }
        const randomPorts = t.kind !== "DNAT" && (t.random || t.randomFully);
        changed = setupNat(ns.ct, e, manip, { minIp, maxIp, ...(ports && { ports }), randomPorts: randomPorts || (t.kind === "DNAT" && t.random) }, this.world.rng, this.world.now);
        decidedBy = { rule: formatRule(verdict.by.chain, verdict.by.rule), kind: t.kind };
      } else {
        // No NAT rule: a null binding, which still moves a clashing source port.
        const curr = manip === "src" ? e.reply.dst : e.reply.src;
        changed = setupNat(ns.ct, e, manip, { minIp: curr, maxIp: curr, randomPorts: false }, this.world.rng, this.world.now);
      }
      if (manip === "src") {
        e.srcNatDone = true;
        if (changed) e.srcNat = true;
      } else {
        e.dstNatDone = true;
        if (changed) e.dstNat = true;
      }
    }
    const before = skb.packet;
    const after = natPacket(e, ct.dir, manip, before);
    if (after === before) return;
    skb.packet = after;
    const changedFields: ("src" | "dst" | "sport" | "dport" | "icmpId")[] = [];
    if (before.src !== after.src) changedFields.push("src");
    if (before.dst !== after.dst) changedFields.push("dst");
    if (before.sport !== after.sport) changedFields.push("sport");
    if (before.dport !== after.dport) changedFields.push("dport");
    if (before.icmp && after.icmp && before.icmp.id !== after.icmp.id) changedFields.push("icmpId");
    const type =
      ct.dir === "reply" ? (manip === "dst" ? "un-SNAT" : "un-DNAT") : decidedBy?.kind === "MASQUERADE" ? "MASQUERADE" : manip === "src" ? "SNAT" : "DNAT";
    const field = manip === "src" ? "source" : "destination";
    const text =
      ct.dir === "reply"
        ? `conntrack reverses the ${manip === "dst" ? "source NAT" : "destination NAT"} on the reply: ${endpoints(before)} becomes ${endpoints(after)}.`
        : `${type} rewrites the ${field}: ${endpoints(before)} becomes ${endpoints(after)}.`;
    this.step(ns, "nat", after, text, {
      kind: "nat",
      type,
      before: stepPacket(before),
      after: stepPacket(after),
      changed: changedFields,
      ...(decidedBy && { rule: decidedBy.rule }),
      conntrack: formatConntrackEntry(e, this.world.now),
    });
  }

  // ---- the IP layer --------------------------------------------------------------------------

  private postrouting(ns: Netns, skb: Skb, route: RouteMatch): void {
    this.hook(ns, "POSTROUTING", skb);
    const dev = ns.requireIface(route.route.dev!);
    if (route.route.type === "local" || dev.kind === "loopback") {
      const lo = ns.iface("lo")!;
      this.xmit(ns, lo, { srcMac: lo.mac, dstMac: lo.mac, packet: skb.packet }, skb);
      return;
    }
    const mac = this.resolve(ns, dev, route.nexthop);
    if (mac === undefined) {
      this.drop(ns, skb.packet, `no neighbour answers ARP for ${formatIpv4(route.nexthop)} on ${dev.name} (Destination Host Unreachable)`);
    }
    ns.cacheNeighbour(dev.name, route.nexthop);
    this.xmit(ns, dev, { srcMac: dev.mac, dstMac: mac, packet: skb.packet });
  }

  /** ip_rcv → PREROUTING → routing → INPUT or FORWARD. `skb` carries state when br_netfilter ran PREROUTING already. */
  private ipRcv(ns: Netns, iface: Iface, packet: Packet, pre?: Skb): void {
    const skb: Skb = pre ?? { packet, mark: 0, inIface: iface.name };
    skb.inIface = iface.name;
    if (!pre) this.hook(ns, "PREROUTING", skb);
    const route = this.routeOrDrop(ns, skb.packet, "input");
    if (route.route.type === "local" || route.route.type === "broadcast") {
      this.hook(ns, "INPUT", skb);
      this.deliver(ns, iface, skb.packet);
    }
    if (!ns.sysctl.ipForward) this.drop(ns, skb.packet, `forwarding is off (net.ipv4.ip_forward = 0)`);
    // The cloud's fabric neither decrements TTL nor answers its expiry: it is no hop (the lab's
    // stand-in adds 1 in mangle PREROUTING, so a TTL of 1 leaves it as 1).
    if (!ns.fabric && skb.packet.ttl <= 1) {
      this.answerWithError(ns, skb.packet, 11, 0);
      this.drop(ns, skb.packet, `TTL exceeded in transit (ttl ${skb.packet.ttl})`);
    }
    if (!ns.fabric) skb.packet = { ...skb.packet, ttl: skb.packet.ttl - 1 };
    skb.outIface = route.route.dev!;
    skb.nexthop = route.nexthop;
    this.hook(ns, "FORWARD", skb);
    this.postrouting(ns, skb, route);
  }

  private deliver(ns: Netns, iface: Iface, p: Packet): never {
    let to: string | undefined;
    if (p.proto === "icmp") {
      const t = p.icmp!.type;
      if (t === 8) to = ns.sysctl.icmpEchoIgnoreAll ? undefined : "kernel (ICMP echo)";
      else if (this.world.hasClient(ns.name, "icmp", p.icmp!.id) || p.icmp!.inner) to = "ping";
    } else {
      const l = ns.listener(p.proto, p.dport);
      if (l && !(p.proto === "tcp" && p.tcp && !p.tcp.syn && !p.tcp.ack)) to = l.app;
      else if (this.world.hasClient(ns.name, p.proto, p.dport)) to = "client socket";
    }
    if (to === undefined) {
      // __udp4_lib_rcv: no socket for the port, so the kernel answers port unreachable.
      if (p.proto === "udp") this.answerWithError(ns, p, 3, 3);
      const reason =
        p.proto === "udp"
          ? `nothing listens on udp port ${p.dport} (the kernel answers ICMP port unreachable)`
          : p.proto === "tcp"
            ? `nothing listens on tcp port ${p.dport} (the kernel answers with a reset)`
            : `no socket wants this ICMP message`;
      this.drop(ns, p, reason);
    }
    const what = p.proto === "icmp" ? (p.icmp!.type === 8 ? "echo request" : p.icmp!.type === 0 ? "echo reply" : `ICMP message (${icmpName(p.icmp!.type, p.icmp!.code)})`) : `${p.proto} segment`;
    this.step(ns, "deliver", p, `${ns.label} takes the ${what} from ${formatIpv4(p.src)}: ${to}.`, { kind: "deliver", to });
    throw new Delivered({ ns, iface: iface.name, packet: p, to });
  }

  // ---- links ---------------------------------------------------------------------------------

  /** Every interface where a frame sent out of `iface` can arrive and stop (ARP's broadcast domain). */
  private l2Endpoints(ns: Netns, iface: Iface): { ns: Netns; iface: Iface }[] {
    const out: { ns: Netns; iface: Iface }[] = [];
    const seen = new Set<string>();
    const arrive = (n: Netns, i: Iface) => {
      const key = `${n.name}/${i.name}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (i.master !== undefined) {
        const br = n.requireIface(i.master);
        out.push({ ns: n, iface: br });
        for (const p of this.world.bridgePorts(n, br.name)) if (p !== i) send(n, p);
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
        const pn = this.world.get(i.peer.ns);
        const pi = pn.ifaceByIndex(i.peer.ifindex);
        if (pi?.up) arrive(pn, pi);
      } else if (i.kind === "ether" && i.segment) {
        for (const m of this.world.segmentMembers(i.segment)) {
          if (m.ns === n.name && m.iface === i.name) continue;
          const mn = this.world.get(m.ns);
          arrive(mn, mn.requireIface(m.iface));
        }
      } else if (i.kind === "bridge") {
        for (const p of this.world.bridgePorts(n, i.name)) send(n, p);
      }
    };
    send(ns, iface);
    return out;
  }

  /** ARP: the MAC of the interface that owns `ip` in the broadcast domain of `iface`. */
  private resolve(ns: Netns, iface: Iface, ip: Ipv4): string | undefined {
    const hit = this.l2Endpoints(ns, iface).find((e) => e.iface.up && e.iface.addrs.some((a) => a.ip === ip));
    return hit?.iface.mac;
  }

  private wireStep(ns: Netns, iface: Iface, dir: "in" | "out", f: Frame): void {
    for (const t of this.world.taps) t.frame({ ns, iface, dir, frame: f, time: this.world.now });
    const line = tcpdumpLine(f.packet);
    const verb = dir === "out" ? "sends" : "receives";
    this.step(ns, "wire", f.packet, `${ns.label} ${verb} the packet on ${iface.name}: ${endpoints(f.packet)}.`, { kind: "wire", mac: { src: f.srcMac, dst: f.dstMac }, tcpdump: line, length: f.packet.length, time: this.world.now }, { iface: iface.name, dir });
  }

  private xmit(ns: Netns, iface: Iface, f: Frame, loopSkb?: Skb): void {
    if (++this.hops > MAX_HOPS) this.drop(ns, f.packet, `the packet crossed more than ${MAX_HOPS} links (a forwarding loop)`);
    if (!iface.up) this.drop(ns, f.packet, `${iface.name} is down`);
    this.world.now += WIRE_DELAY_MS;
    this.wireStep(ns, iface, "out", f);
    iface.stats.txPackets++;
    iface.stats.txBytes += f.packet.length + 14;
    switch (iface.kind) {
      case "loopback": {
        this.wireStep(ns, iface, "in", f);
        // The looped-back packet keeps its conntrack entry, so nat PREROUTING is not consulted again.
        const skb: Skb = { packet: f.packet, mark: loopSkb?.mark ?? 0, inIface: "lo", ...(loopSkb?.ct && { ct: loopSkb.ct }) };
        this.hook(ns, "PREROUTING", skb);
        this.ipRcv(ns, iface, skb.packet, skb);
        return;
      }
      case "bridge":
        this.bridgeOut(ns, iface, f);
        return;
      case "veth": {
        const pn = this.world.get(iface.peer!.ns);
        const pi = pn.ifaceByIndex(iface.peer!.ifindex)!;
        this.rx(pn, pi, f);
        return;
      }
      case "ether": {
        const m = this.world
          .segmentMembers(iface.segment ?? "")
          .map((x) => ({ ns: this.world.get(x.ns), iface: this.world.get(x.ns).requireIface(x.iface) }))
          .find((x) => x.iface.mac === f.dstMac && x.iface !== iface);
        if (!m) this.drop(ns, f.packet, `no host on ${iface.segment} has MAC ${f.dstMac}`);
        this.rx(m.ns, m.iface, f);
        return;
      }
    }
  }

  private rx(ns: Netns, iface: Iface, f: Frame): void {
    if (!iface.up) this.drop(ns, f.packet, `${iface.name} is down`);
    this.wireStep(ns, iface, "in", f);
    iface.stats.rxPackets++;
    iface.stats.rxBytes += f.packet.length + 14;
    if (iface.master !== undefined) {
      this.bridgeIn(ns, ns.requireIface(iface.master), iface, f);
      return;
    }
    if (f.dstMac !== iface.mac && f.dstMac !== "ff:ff:ff:ff:ff:ff") this.drop(ns, f.packet, `the frame is for ${f.dstMac}, not ${iface.name}`);
    this.ipRcv(ns, iface, f.packet);
  }

  /** A host sends through its bridge device: the FDB picks the port. */
  private bridgeOut(ns: Netns, br: Iface, f: Frame): void {
    const port = this.bridgePort(ns, br, f.dstMac, undefined, f.packet);
    this.xmit(ns, port, f);
  }

  private bridgePort(ns: Netns, br: Iface, mac: string, inPort: Iface | undefined, packet: Packet): Iface {
    const fdb = br.fdb!;
    const known = fdb.get(mac);
    let port: Iface | undefined;
    let action: "forward" | "flood";
    if (known && !known.local) {
      port = ns.requireIface(known.port);
      action = "forward";
    } else {
      // Unknown unicast is flooded; follow the copy that reaches the owner of the MAC.
      action = "flood";
      port = this.world.bridgePorts(ns, br.name).find((p) => p !== inPort && this.l2Endpoints(ns, p).some((e) => e.iface.mac === mac));
    }
    if (!port) this.drop(ns, packet, `${br.name} has no port leading to ${mac}`);
    if (port === inPort && !port.hairpin) {
      this.drop(ns, packet, `${br.name} would send the frame back out of ${port.name}, where it came from, and hairpin mode is off`);
    }
    const text =
      action === "forward"
        ? `${br.name} looks up ${mac} in its forwarding table and sends the frame out of ${port.name}.`
        : `${br.name} does not know ${mac} yet and floods the frame; the copy on ${port.name} reaches its owner.`;
    this.step(ns, "bridge", packet, text, { kind: "bridge", bridge: br.name, action, mac, port: port.name, ...fdbShown(fdb, mac) });
    return port;
  }

  /** A frame enters a bridge port: learning, br_netfilter, then local delivery or forwarding. */
  private bridgeIn(ns: Netns, br: Iface, port: Iface, f: Frame): void {
    const fdb = br.fdb!;
    if (!fdb.get(f.srcMac)?.local) fdb.set(f.srcMac, { port: port.name, local: false });
    const toBridge = f.dstMac === br.mac;
    if (ns.sysctl.bridgeNfCallIptables) {
      // br_netfilter runs the IPv4 PREROUTING hooks at the bridge, with the bridge as input device.
      const skb: Skb = { packet: f.packet, mark: 0, inIface: br.name };
      this.hook(ns, "PREROUTING", skb);
      const dnat = skb.packet.dst !== f.packet.dst;
      if (dnat) {
        const m = ns.route(skb.packet.dst);
        if (m && m.route.type !== "local" && m.route.dev === br.name) {
          // "Bridged DNAT": the new destination is on this bridge, so the frame stays at L2. While
          // the neighbour has no cached header (its first packet) the kernel hands the frame to the
          // neighbour's output on the bridge device, so tcpdump on cnio0 sees it leave; after that
          // it goes straight to the bridge's forwarding (both seen in the lab).
          const mac = this.resolve(ns, br, m.nexthop);
          if (mac === undefined) this.drop(ns, skb.packet, `no neighbour answers ARP for ${formatIpv4(m.nexthop)} on ${br.name}`);
          const frame = { srcMac: f.srcMac, dstMac: mac, packet: skb.packet };
          if (ns.cacheNeighbour(br.name, m.nexthop)) this.wireStep(ns, br, "out", frame);
          this.bridgeForward(ns, br, port, frame, skb);
          return;
        }
        this.passUp(ns, br, { ...f, dstMac: br.mac, packet: skb.packet });
        this.ipRcv(ns, br, skb.packet, skb);
        return;
      }
      if (toBridge) {
        this.passUp(ns, br, f);
        this.ipRcv(ns, br, skb.packet, skb);
        return;
      }
      this.bridgeForward(ns, br, port, { ...f, packet: skb.packet }, skb);
      return;
    }
    if (toBridge) {
      this.passUp(ns, br, f);
      this.ipRcv(ns, br, f.packet);
      return;
    }
    this.bridgeForward(ns, br, port, f, undefined);
  }

  /**
   * br_pass_frame_up: the frame goes up the bridge device's own stack; tcpdump on the bridge sees
   * it, and the bridge counts it received, without the Ethernet header (lab: +84 bytes for a
   * 98-byte echo request, while its transmit counter adds the 14).
   */
  private passUp(ns: Netns, br: Iface, f: Frame): void {
    this.wireStep(ns, br, "in", f);
    br.stats.rxPackets++;
    br.stats.rxBytes += f.packet.length;
  }

  private bridgeForward(ns: Netns, br: Iface, inPort: Iface, f: Frame, skb: Skb | undefined): void {
    const out = this.bridgePort(ns, br, f.dstMac, inPort, f.packet);
    let packet = f.packet;
    if (skb) {
      // With br_netfilter, bridged IPv4 also passes FORWARD and POSTROUTING, in and out = the bridge.
      skb.outIface = br.name;
      this.hook(ns, "FORWARD", skb);
      this.hook(ns, "POSTROUTING", skb);
      packet = skb.packet;
    }
    this.xmit(ns, out, { ...f, packet });
  }
}

/** ICMP's type and code in words, as the RFCs name them. */
export function icmpName(type: number, code: number): string {
  if (type === 3) {
    const what = ["net", "host", "protocol", "port", "fragmentation needed", "source route failed", "net unknown", "host unknown"][code];
    return code === 4 || code === 5 ? `destination unreachable: ${what}` : what ? `destination ${what} unreachable` : `destination unreachable, code ${code}`;
  }
  if (type === 11) return code === 0 ? "time to live exceeded in transit" : "fragment reassembly time exceeded";
  return `type ${type}, code ${code}`;
}

/**
 * Why conntrack found a packet INVALID, where the reason alone puzzles: an ACK in state
 * SYN_SENT means this node saw the connection's SYN but not its SYN-ACK.
 */
export function whyInvalid(reason: string): string | undefined {
  if (/^TCP .*ACK.* is invalid in state SYN_SENT$/.test(reason) && !/SYN/.test(reason.replace(/in state SYN_SENT$/, ""))) {
    return (
      "This node saw the connection's SYN go through, but not the SYN-ACK that answered it: the answer went back by another path " +
      "(an asymmetric route: the replying host reaches the connection's source directly), so for this node the handshake never got its reply and " +
      "the last ACK fits no state it knows. The kernel does no NAT for an INVALID packet; unless a rule drops INVALID packets, " +
      "it is routed on as it is, and the next steps show where."
    );
  }
  return undefined;
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
