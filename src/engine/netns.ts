/**
 * One network namespace: interfaces, addresses, routes, sysctls, netfilter tables and a
 * conntrack table. The world owns every namespace and is the only thing that changes them.
 */
import { broadcastOf, cidrContains, cidrOf, formatIpv4, parseCidr, type Ipv4 } from "./addr/ipv4";
import { ConntrackTable, KERNEL_TIMEOUTS, type ConntrackTimeouts } from "./conntrack/conntrack";
import { emptyRuleset, type AddrType, type Match, type Ruleset } from "./netfilter/types";
import { nftRuntime } from "./nftables/runtime";
import type { NftRuleset } from "./nftables/types";
import type { Packet, Proto } from "./packet/packet";
import { hashString } from "./rng";
import { lookupRoute, sameRoute, type Route, type RouteMatch } from "./route/route";
import type { IcmpPeer } from "./walk/icmp-limits";

export type IfaceKind = "loopback" | "ether" | "veth" | "bridge" | "vxlan";

export interface IfaceAddr {
  readonly ip: Ipv4;
  readonly prefix: number;
  readonly scope: "global" | "link" | "host";
  /** Set when the address was added with a broadcast (`brd +`); CNI of 2018 added none. */
  readonly brd?: Ipv4;
}

export interface IfaceStats {
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
}

export interface FdbEntry {
  readonly port: string;
  /** The bridge's own ports' addresses ("permanent"); others were learned. */
  readonly local: boolean;
}

/** What every device has. */
interface IfaceBase {
  readonly name: string;
  readonly ifindex: number;
  readonly mac: string;
  mtu: number;
  up: boolean;
  addrs: IfaceAddr[];
  /** The bridge this interface is a port of. */
  master?: string;
  /** As a bridge port: whether hairpin mode is on. */
  hairpin: boolean;
  /**
   * net.ipv4.conf.DEV.proxy_arp (and net.ipv4.neigh.DEV.proxy_delay, 0 when set by Calico):
   * the device answers ARP for addresses the host routes out of another device (arp_fwd_proxy).
   */
  proxyArp?: { readonly delay: number };
  readonly stats: IfaceStats;
}

/** The loopback device. */
export interface LoopbackIface extends IfaceBase {
  readonly kind: "loopback";
}

/** An Ethernet device plugged into an L2 segment (a cloud subnet). */
export interface EtherIface extends IfaceBase {
  readonly kind: "ether";
  segment?: string;
}

/** One end of a veth pair. */
export interface VethIface extends IfaceBase {
  readonly kind: "veth";
  /** The other end. */
  peer?: { readonly ns: string; readonly ifindex: number };
}

/** A Linux bridge, with its forwarding database. */
export interface BridgeIface extends IfaceBase {
  readonly kind: "bridge";
  readonly fdb: Map<string, FdbEntry>;
}

/** A VXLAN device's forwarding entry: the remote tunnel endpoint a MAC lives behind (`bridge fdb … dst`). */
export interface VxlanFdbEntry {
  readonly dst: Ipv4;
}

/**
 * A VXLAN tunnel endpoint (`ip link add … type vxlan id VNI local A dev eth0 dstport P nolearning`):
 * frames sent out of it go, wrapped in UDP, to the remote endpoint its forwarding table names
 * for their destination MAC; UDP to its port that carries its VNI comes out of it unwrapped.
 */
export interface VxlanIface extends IfaceBase {
  readonly kind: "vxlan";
  readonly vni: number;
  /** The UDP port it sends to and listens on. */
  readonly port: number;
  /** The outer source address. */
  readonly local: Ipv4;
  /** The underlay device (`dev eth0`). */
  readonly underlay: string;
  /** Whether it learns remote MACs from what it receives (flannel and Calico turn learning off). */
  readonly learning: boolean;
  /** Its forwarding table, by MAC; the entries are permanent, written by the CNI's agent. */
  readonly fdb: Map<string, VxlanFdbEntry>;
}

/** A network device, by its kind. */
export type Iface = LoopbackIface | EtherIface | VethIface | BridgeIface | VxlanIface;

export interface Sysctls {
  /** net.ipv4.ip_forward */
  ipForward: boolean;
  /** net.bridge.bridge-nf-call-iptables (br_netfilter) */
  bridgeNfCallIptables: boolean;
  /** net.ipv4.icmp_echo_ignore_all */
  icmpEchoIgnoreAll: boolean;
  /** net.ipv4.conf.all.send_redirects (1 by default; the cloud's fabric sends none) */
  sendRedirects: boolean;
}

export interface NetnsOptions {
  /** The namespace's own name: "worker-0" for a node's root namespace, "cni-…" for a pod's. */
  readonly name: string;
  /** The machine it lives on, as traces name it. */
  readonly node: string;
  readonly pod?: string;
  readonly ipForward?: boolean;
  readonly bridgeNfCallIptables?: boolean;
  /**
   * A cloud fabric router forwards without a visible TTL decrement (the article's ping arrives
   * with ttl=62 across the VPC router); every Linux namespace decrements.
   */
  readonly fabric?: boolean;
  readonly timeouts?: ConntrackTimeouts;
}

/** Where a fabric's own forwarding sends a packet, and how the trace says it. */
export interface Steering {
  readonly via: Ipv4;
  readonly dev: string;
  /** The step's sentence. */
  readonly text: string;
  /** The step's route text: what decided, in the form of a route. */
  readonly route: string;
}

/** How a socket in this namespace answers; ICMP echo is answered by the kernel itself. */
export interface Listener {
  readonly proto: Exclude<Proto, "icmp">;
  readonly port: number;
  /** What the application is, for traces: "kube-dns", "nginx". */
  readonly app: string;
}

/** A neighbour entry's state, as the trace needs it (REACHABLE is kept: reachable_time is not modelled). */
type NeighbourState = { readonly state: "STALE" | "REACHABLE" } | { readonly state: "DELAY"; readonly since: number };

/** delay_first_probe_time: 5 s in DELAY before the kernel probes a STALE neighbour it used. */
const DELAY_FIRST_PROBE_MS = 5000;

export class Netns {
  readonly name: string;
  readonly node: string;
  readonly pod: string | undefined;
  readonly fabric: boolean;
  readonly ifaces: Iface[] = [];
  readonly routes: Route[] = [];
  readonly sysctl: Sysctls;
  private rules: Ruleset | undefined;
  private rulesLoader: ((nf: Ruleset) => void) | undefined;
  private nftRules: NftRuleset | undefined;
  private nftLoader: ((nft: NftRuleset) => void) | undefined;
  /** Whether the nft ruleset needs conntrack, as of its generation. */
  private nftNeedsCt: { generation: number; value: boolean } | undefined;
  readonly ct: ConntrackTable;
  readonly listeners: Listener[] = [];
  /**
   * A cloud fabric's forwarding ahead of its routing table (the cloud load balancer's forwarding
   * rules, cloud/vpc.ts): for a packet that came in, the next hop it goes to, with the words of
   * the trace step that says so; undefined routes it as usual.
   */
  steer: ((packet: Packet) => Steering | undefined) | undefined = undefined;
  /** The neighbour table, as far as it shows in a trace: see neighbourUse. */
  private readonly neighbours = new Map<string, NeighbourState>();
  /** Neighbour entries written by hand (`ip neigh replace … lladdr … nud permanent`), by device and address, in the order added. */
  readonly permanentNeighbours = new Map<string, { readonly dev: string; readonly ip: Ipv4; readonly mac: string }>();
  /** State of `-m statistic --mode nth` rules. */
  readonly nth = new Map<Match, number>();
  /** `-m recent` address lists, by name. */
  readonly recent = new Map<string, Map<number, number[]>>();
  /** The kernel's per-host ICMP state (inet_peer), by the host's address: walk/icmp-limits.ts. */
  readonly icmpPeers = new Map<number, IcmpPeer>();
  private nextIfindex = 1;
  private nextIpId = 1;

  constructor(opts: NetnsOptions) {
    this.name = opts.name;
    this.node = opts.node;
    this.pod = opts.pod;
    this.fabric = opts.fabric ?? false;
    this.sysctl = { ipForward: opts.ipForward ?? false, bridgeNfCallIptables: opts.bridgeNfCallIptables ?? false, icmpEchoIgnoreAll: false, sendRedirects: !this.fabric };
    this.ct = new ConntrackTable(opts.timeouts ?? KERNEL_TIMEOUTS);
    const lo = this.addIface({ name: "lo", kind: "loopback", mac: "00:00:00:00:00:00", mtu: 65536 });
    lo.up = true;
    this.addAddress("lo", "127.0.0.1/8", "host");
  }

  /** Adds an interface with the next free ifindex (or the given one, as a veth peer may need). */
  addIface<K extends Exclude<IfaceKind, "vxlan">>(spec: { name: string; kind: K; mac?: string; mtu?: number; ifindex?: number }): Extract<Iface, { kind: K }> {
    const base = this.ifaceBase(spec);
    // The kind decides the device's own fields: a bridge starts with an empty forwarding table.
    const made: Iface = spec.kind === "bridge" ? { ...base, kind: "bridge", fdb: new Map<string, FdbEntry>() } : ({ ...base, kind: spec.kind } as Exclude<Iface, BridgeIface | VxlanIface>);
    const iface = made as Extract<Iface, { kind: K }>;
    this.ifaces.push(iface);
    return iface;
  }

  /** `ip link add NAME type vxlan id VNI local LOCAL dev UNDERLAY dstport PORT [nolearning]`, down until set up. */
  addVxlan(spec: { name: string; vni: number; port: number; local: Ipv4; underlay: string; learning: boolean; mac?: string; mtu?: number }): VxlanIface {
    const { vni, port, local, underlay, learning } = spec;
    const iface: VxlanIface = { ...this.ifaceBase(spec), kind: "vxlan", vni, port, local, underlay, learning, fdb: new Map() };
    this.ifaces.push(iface);
    return iface;
  }

  /** What every new device starts with: a free name and ifindex, its MAC, MTU 1500 unless given, down, no addresses. */
  private ifaceBase(spec: { name: string; mac?: string; mtu?: number; ifindex?: number }): IfaceBase {
    if (this.ifaces.some((i) => i.name === spec.name)) throw new Error(`${this.name}: interface ${spec.name} already exists`);
    const ifindex = spec.ifindex ?? this.nextIfindex;
    if (this.ifaces.some((i) => i.ifindex === ifindex)) throw new Error(`${this.name}: ifindex ${ifindex} is taken`);
    this.nextIfindex = Math.max(this.nextIfindex, ifindex + 1);
    return {
      name: spec.name,
      ifindex,
      mac: spec.mac ?? generatedMac(`${this.name}/${spec.name}`),
      mtu: spec.mtu ?? 1500,
      up: false,
      addrs: [],
      hairpin: false,
      stats: { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0 },
    };
  }

  /** The bridge named `name`; an engine error when there is none. */
  requireBridge(name: string): BridgeIface {
    const i = this.requireIface(name);
    if (i.kind !== "bridge") throw new Error(`${this.name}: ${name} is not a bridge`);
    return i;
  }

  /** Reserves ifindexes, as a real namespace that already created and deleted devices would have. */
  skipIfindex(next: number): void {
    this.nextIfindex = Math.max(this.nextIfindex, next);
  }

  iface(name: string): Iface | undefined {
    return this.ifaces.find((i) => i.name === name);
  }

  ifaceByIndex(ifindex: number): Iface | undefined {
    return this.ifaces.find((i) => i.ifindex === ifindex);
  }

  requireIface(name: string): Iface {
    const i = this.iface(name);
    if (!i) throw new Error(`${this.name}: no interface ${name}`);
    return i;
  }

  setUp(name: string): void {
    const iface = this.requireIface(name);
    if (iface.up) return;
    iface.up = true;
    for (const a of iface.addrs) this.addPrefixRoute(iface, a);
  }

  /**
   * `ip addr add A/N dev X`: the kernel adds `local A` (and `broadcast` when given) to the local
   * table and, once the device is up, the connected route `A/N dev X proto kernel scope link src A`.
   */
  addAddress(dev: string, cidrText: string, scope: IfaceAddr["scope"] = "global", withBroadcast = false): void {
    const iface = this.requireIface(dev);
    const slash = cidrText.indexOf("/");
    const ip = parseCidr(slash < 0 ? cidrText : cidrText.slice(0, slash)).net;
    const prefix = slash < 0 ? 32 : parseCidr(cidrText).prefix;
    const net = cidrOf(ip, prefix);
    const addr: IfaceAddr = { ip, prefix, scope, ...(withBroadcast && prefix < 31 && { brd: broadcastOf(net) }) };
    iface.addrs.push(addr);
    const localDst = iface.kind === "loopback" ? net : cidrOf(ip, 32);
    if (iface.kind === "loopback") {
      this.addRoute({ table: "local", type: "local", dst: net, dev, proto: "kernel", scope: "host", src: ip });
      if (prefix !== 32) this.addRoute({ table: "local", type: "local", dst: cidrOf(ip, 32), dev, proto: "kernel", scope: "host", src: ip });
      this.addRoute({ table: "local", type: "broadcast", dst: cidrOf(broadcastOf(net), 32), dev, proto: "kernel", scope: "link", src: ip });
      return;
    }
    this.addRoute({ table: "local", type: "local", dst: localDst, dev, proto: "kernel", scope: "host", src: ip });
    if (addr.brd !== undefined) this.addRoute({ table: "local", type: "broadcast", dst: cidrOf(addr.brd, 32), dev, proto: "kernel", scope: "link", src: ip });
    if (iface.up) this.addPrefixRoute(iface, addr);
  }

  /**
   * fib_add_ifaddr once the device is up: the connected route and, below /31, the network's
   * broadcast route in table local, whether or not the address was given a broadcast (checked
   * on kernel 6.18: `ip addr add A/24 dev X` without `brd` still gets `broadcast …255`).
   */
  private addPrefixRoute(iface: Iface, a: IfaceAddr): void {
    if (iface.kind === "loopback" || a.prefix === 32) return;
    const dst = cidrOf(a.ip, a.prefix);
    if (a.prefix < 31) {
      const brd = cidrOf(broadcastOf(dst), 32);
      if (!this.routes.some((r) => r.table === "local" && r.type === "broadcast" && r.dev === iface.name && r.dst.net === brd.net)) {
        this.addRoute({ table: "local", type: "broadcast", dst: brd, dev: iface.name, proto: "kernel", scope: "link", src: a.ip });
      }
    }
    if (this.routes.some((r) => r.table === "main" && r.dev === iface.name && r.dst.net === dst.net && r.dst.prefix === dst.prefix && r.proto === "kernel")) return;
    this.addRoute({ table: "main", type: "unicast", dst, dev: iface.name, proto: "kernel", scope: "link", src: a.ip });
  }

  addRoute(r: Route): void {
    if (this.routes.some((x) => sameRoute(x, r))) throw new Error(`${this.name}: route ${formatIpv4(r.dst.net)}/${r.dst.prefix} exists (RTNETLINK answers: File exists)`);
    this.routes.push(r);
  }

  deleteRoute(match: (r: Route) => boolean): number {
    let n = 0;
    for (let i = this.routes.length - 1; i >= 0; i--) {
      if (match(this.routes[i]!)) {
        this.routes.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  route(dst: Ipv4): RouteMatch | undefined {
    return lookupRoute(this.routes, dst, (dev) => this.iface(dev)?.up ?? false);
  }

  /** -m addrtype: the type of the address's route in this namespace. */
  addrType(ip: number, limitIface?: string): AddrType {
    if (ip >>> 28 === 0xe) return "MULTICAST";
    if (ip >>> 0 === 0xffffffff) return "BROADCAST";
    if (ip === 0) return "UNSPEC";
    const m = this.route(ip as Ipv4);
    if (!m) return "UNREACHABLE";
    if (m.route.type === "local") {
      if (limitIface !== undefined && !this.iface(limitIface)?.addrs.some((a) => a.ip === ip)) return "UNICAST";
      return "LOCAL";
    }
    if (m.route.type === "broadcast") return "BROADCAST";
    if (m.route.type === "unreachable") return "UNREACHABLE";
    if (m.route.type === "blackhole") return "BLACKHOLE";
    if (m.route.type === "prohibit") return "PROHIBIT";
    return "UNICAST";
  }

  isLocalAddress(ip: number): boolean {
    return this.ifaces.some((i) => i.addrs.some((a) => a.ip === ip));
  }

  /**
   * inet_select_addr: the primary address of `dev` in the same subnet as `nexthop`, else its
   * first global address. MASQUERADE and source selection use it.
   */
  primaryAddress(dev: string, nexthop?: number): Ipv4 | undefined {
    const iface = this.iface(dev);
    if (!iface) return undefined;
    const usable = iface.addrs.filter((a) => a.scope !== "host");
    if (nexthop !== undefined) {
      const same = usable.find((a) => cidrContains(cidrOf(a.ip, a.prefix), nexthop));
      if (same) return same.ip;
    }
    return usable[0]?.ip;
  }

  /**
   * The namespace's netfilter tables. A loader set with `loadRulesLater` runs on first use: a
   * cluster of a hundred nodes materialises the rules only of the nodes a packet touches.
   */
  get nf(): Ruleset {
    if (!this.rules) {
      this.rules = emptyRuleset();
      const load = this.rulesLoader;
      this.rulesLoader = undefined;
      load?.(this.rules);
    }
    return this.rules;
  }

  /** Whether the rules exist yet (looking at `nf` would load them). */
  get rulesMaterialised(): boolean {
    return this.rules !== undefined;
  }

  /** Defers building this namespace's rules until something looks at them. */
  loadRulesLater(loader: (nf: Ruleset) => void): void {
    if (this.rules) loader(this.rules);
    else this.rulesLoader = loader;
  }

  /**
   * The namespace's nftables ruleset (what `nft list ruleset` shows). Like `nf`, a loader set
   * with `loadNftLater` runs on first use.
   */
  get nft(): NftRuleset {
    if (!this.nftRules) {
      this.nftRules = { tables: [], lastTableHandle: 0, registrations: 0 };
      const load = this.nftLoader;
      this.nftLoader = undefined;
      load?.(this.nftRules);
    }
    return this.nftRules;
  }

  /** Whether the namespace has (or will have, once loaded) any nftables table. */
  get hasNft(): boolean {
    return this.nftLoader !== undefined || (this.nftRules !== undefined && this.nftRules.tables.length > 0);
  }

  /** Defers building this namespace's nftables ruleset until something looks at it. */
  loadNftLater(loader: (nft: NftRuleset) => void): void {
    if (this.nftRules) loader(this.nftRules);
    else this.nftLoader = loader;
  }

  /**
   * Conntrack hooks are registered in a namespace only once something needs them: the nat
   * table, or a rule with -m conntrack / -m state, or an nftables nat chain or ct expression.
   * A pod namespace without rules tracks nothing.
   */
  conntrackActive(): boolean {
    if (this.hasNft) {
      const rs = this.nft;
      const generation = rs.generation ?? 0;
      if (this.nftNeedsCt?.generation !== generation) this.nftNeedsCt = { generation, value: rs.tables.some((t) => nftRuntime().tableNeedsConntrack(t)) };
      if (this.nftNeedsCt.value) return true;
    }
    if (this.nf.loaded.has("nat")) return true;
    for (const t of ["raw", "mangle", "filter"] as const) {
      if (!this.nf.loaded.has(t)) continue;
      for (const c of this.nf.tables[t].chains.values()) {
        for (const r of c.rules) if (r.matches.some((m) => m.kind === "conntrack" || m.kind === "state")) return true;
      }
    }
    return false;
  }

  /**
   * A host that answered an ARP request learns the asker (arp_process → neigh_event_ns): a new
   * entry is STALE; one it has already is left as it is.
   */
  neighbourLearnt(dev: string, ip: number): void {
    const key = `${dev}/${ip}`;
    // A permanent entry (felix's for its pods) stays as it is: neigh_update leaves NUD_PERMANENT to the admin (lab: Calico).
    if (this.permanentNeighbours.has(key)) return;
    if (!this.neighbours.has(key)) this.neighbours.set(key, { state: "STALE" });
  }

  /**
   * A packet for a neighbour, and what the neighbour code does with it (lab: docs/kernel-lab-notes.md):
   * - "resolve": none yet, so an ARP request goes out; the answer makes it REACHABLE.
   * - "delay": the entry is STALE (learnt from the neighbour's own request) or in DELAY, its first
   *   five seconds of use before a probe confirms it (delay_first_probe_time); the packet takes
   *   the slow path, the neighbour's output function.
   * - "cached": REACHABLE, with its header cached: the fast path.
   * br_netfilter's bridged DNAT shows the difference: the slow path sends the frame out of the
   * bridge device (tcpdump on cnio0 sees it), the fast path straight to the port.
   */
  neighbourUse(dev: string, ip: number, now: number): "resolve" | "delay" | "cached" {
    const key = `${dev}/${ip}`;
    const n = this.neighbours.get(key);
    if (!n) {
      this.neighbours.set(key, { state: "REACHABLE" });
      return "resolve";
    }
    if (n.state === "STALE") {
      this.neighbours.set(key, { state: "DELAY", since: now });
      return "delay";
    }
    if (n.state === "DELAY") {
      if (now - n.since < DELAY_FIRST_PROBE_MS) return "delay";
      this.neighbours.set(key, { state: "REACHABLE" });
    }
    return "cached";
  }

  /** The learnt entries (not the permanent ones), read-only, in the order they were made: for `ip neigh`. */
  learntNeighbours(): { readonly dev: string; readonly ip: number; readonly state: "STALE" | "REACHABLE" | "DELAY" }[] {
    return [...this.neighbours].map(([key, n]) => {
      const slash = key.lastIndexOf("/");
      return { dev: key.slice(0, slash), ip: Number(key.slice(slash + 1)), state: n.state };
    });
  }

  /** `ip neigh replace IP lladdr MAC dev DEV nud permanent`. */
  addPermanentNeighbour(dev: string, ip: Ipv4, mac: string): void {
    this.requireIface(dev);
    this.permanentNeighbours.set(`${dev}/${ip}`, { dev, ip, mac });
  }

  /** The permanent entry for `ip` on `dev`, if one was written. */
  permanentNeighbour(dev: string, ip: number): string | undefined {
    return this.permanentNeighbours.get(`${dev}/${ip}`)?.mac;
  }

  listener(proto: Proto, port: number): Listener | undefined {
    return this.listeners.find((l) => l.proto === proto && l.port === port);
  }

  takeIpId(): number {
    const id = this.nextIpId;
    this.nextIpId = (this.nextIpId + 1) & 0xffff;
    return id;
  }

  /** How traces name this namespace: the pod when it is a pod's, else the node. */
  get label(): string {
    return this.pod ?? this.node;
  }
}

/**
 * A locally administered unicast MAC derived from the interface's namespace and name, so the
 * same scenario always shows the same addresses (the kernel's are random).
 */
export function generatedMac(seed: string): string {
  const a = hashString(seed);
  const b = hashString(seed + "#");
  const bytes = [0x02 | ((a >>> 24) & 0xfc), (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, (b >>> 8) & 0xff, b & 0xff];
  return bytes.map((x) => x.toString(16).padStart(2, "0")).join(":");
}
