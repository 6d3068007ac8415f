/**
 * The netfilter hooks one packet passed in one namespace, read back from the trace: which hooks
 * (and, with br_netfilter, which of them the bridge called), the routing decisions, and in each
 * hook the tables and chains entered and the rule that decided. Pure: the hooks view draws it.
 *
 * The trace records what happened, not every hook passed: a hook where no rule matched and
 * conntrack had nothing to do leaves no step. Those hooks are filled in from the path the packet
 * took (in → PREROUTING → routing → FORWARD → POSTROUTING → out, and so on) and marked `silent`.
 */
import { isNoRouteReason } from "../engine/narrate";
import type { Step, StepPacket } from "../engine/trace";
import type { FlatStep } from "../store/playback";

/** The places of the classic netfilter diagram. The br-* ones are the bridge's own hooks. */
export type Station =
  | "br-in"
  | "br-PREROUTING"
  | "br-decision"
  | "br-FORWARD"
  | "br-POSTROUTING"
  | "br-out"
  | "in"
  | "PREROUTING"
  | "route-in"
  | "INPUT"
  | "local"
  | "route-out"
  | "OUTPUT"
  | "FORWARD"
  | "POSTROUTING"
  | "out";

export type HookStation = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING" | "br-PREROUTING" | "br-FORWARD" | "br-POSTROUTING";

/** What runs in a hook, by priority; "conntrack" is connection tracking (−200), "confirm" its confirmation (last). */
export type Stage = "raw" | "conntrack" | "mangle" | "nat" | "filter" | "security" | "confirm";

/**
 * Each iptables hook's functions in the kernel's priority order: raw −300, conntrack −200, mangle
 * −150, nat (DNAT) −100, filter 0, security 50, nat (SNAT) 100, conntrack confirm last. nat has no
 * FORWARD chain, raw only PREROUTING and OUTPUT. Hopscope models no security table (none of these
 * nodes loads it); the view shows where it would sit.
 */
export const HOOK_STAGES: Readonly<Record<"PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING", readonly Stage[]>> = {
  PREROUTING: ["raw", "conntrack", "mangle", "nat"],
  INPUT: ["mangle", "filter", "security", "nat", "confirm"],
  FORWARD: ["mangle", "filter", "security"],
  OUTPUT: ["raw", "conntrack", "mangle", "nat", "filter", "security"],
  POSTROUTING: ["mangle", "nat", "confirm"],
};

/**
 * Each stage's priority in a hook, as the kernel orders the hook's functions; nat is DNAT (−100)
 * before routing and on OUTPUT, SNAT (100) on INPUT and POSTROUTING. An nftables base chain runs
 * at its own priority among them (kube-proxy's filter-prerouting-pre-dnat at −110: after mangle,
 * before nat); at equal priority the function registered LAST runs first (the kernel inserts a
 * hook before its equals; docs/kernel-lab-notes.md, "Equal priorities"), so kube-proxy's nat
 * chains, made after kubelet's iptables tables, run before the iptables nat table, as the engine
 * walks them.
 */
export function stagePriority(hook: keyof typeof HOOK_STAGES, stage: Stage): number {
  switch (stage) {
    case "raw":
      return -300;
    case "conntrack":
      return -200;
    case "mangle":
      return -150;
    case "nat":
      return hook === "PREROUTING" || hook === "OUTPUT" ? -100 : 100;
    case "filter":
      return 0;
    case "security":
      return 50;
    case "confirm":
      return Number.MAX_SAFE_INTEGER;
  }
}

/** A place in a hook's stages: one of iptables' (or conntrack's) stages, or an nftables base chain the packet entered. */
export type Slot = { readonly kind: "stage"; readonly stage: Stage; readonly priority: number } | { readonly kind: "nft"; readonly table: TablePass; readonly priority: number };

/** A hook's stages with the nftables base chains this pass entered placed at their priorities. */
export function hookSlots(hook: keyof typeof HOOK_STAGES, pass: Pass | undefined): Slot[] {
  const slots: Slot[] = HOOK_STAGES[hook].map((stage) => ({ kind: "stage", stage, priority: stagePriority(hook, stage) }));
  // A nat chain runs inside NAT's one hook (at the nat stage's priority), among the nat chains by its own.
  for (const t of pass?.tables ?? []) if (t.nft) slots.push({ kind: "nft", table: t, priority: t.nft.type === "nat" ? stagePriority(hook, "nat") : t.nft.priority });
  // At equal priority the nft chains (registered later) come before the iptables stages, in the order entered.
  const rank = (x: Slot) => (x.kind === "nft" ? 0 : 1);
  return slots.map((x, i) => ({ x, i })).sort((a, b) => a.x.priority - b.x.priority || rank(a.x) - rank(b.x) || a.i - b.i).map(({ x }) => x);
}

/** An nft base chain's priority as nft lists it: by name where it has one (dstnat - 10; dstnat and srcnat only on their hooks), else the number. */
export function nftPriorityText(hook: keyof typeof HOOK_STAGES, p: number): string {
  const named: [string, number][] = [["raw", -300], ["mangle", -150], ["filter", 0], ["security", 50]];
  if (hook === "PREROUTING") named.push(["dstnat", -100]);
  if (hook === "POSTROUTING") named.push(["srcnat", 100]);
  for (const [name, v] of named) {
    const d = p - v;
    if (d === 0) return name;
    if (Math.abs(d) <= 10) return `${name} ${d > 0 ? "+" : "-"} ${Math.abs(d)}`;
  }
  return String(p);
}

/** How a table pass is named: its stage, or an nft base chain's table, type and priority ("ip kube-proxy (nat, priority dstnat)"). */
export function tableLabel(hook: keyof typeof HOOK_STAGES, t: TablePass): string {
  if (t.nft) return `${t.nft.table} (${t.nft.type}, priority ${nftPriorityText(hook, t.nft.priority)})`;
  return t.stage === "confirm" ? "conntrack confirm" : t.stage;
}

/** The iptables hook a station runs (the bridge's hooks call the IPv4 ones under br_netfilter). */
export function ipHook(s: HookStation): keyof typeof HOOK_STAGES {
  return (s.startsWith("br-") ? s.slice(3) : s) as keyof typeof HOOK_STAGES;
}

export function isHook(s: Station): s is HookStation {
  return ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING", "br-PREROUTING", "br-FORWARD", "br-POSTROUTING"].includes(s);
}

/** One table (or conntrack stage) entered in one hook pass. */
export interface TablePass {
  /** For an nftables base chain: the iptables stage of its type (nat for a nat chain, else filter); `nft` places it. */
  readonly stage: Stage;
  /**
   * Set for an nftables base chain's walk: its table as nft names it ("ip kube-proxy"), the base
   * chain, its type and priority (the view places it among the stages by priority).
   */
  readonly nft?: { readonly table: string; readonly chain: string; readonly type: string; readonly priority: number };
  /** Chains entered, in order of first entry (the built-in one first). */
  readonly chains: string[];
  /** Indices into the flat steps. */
  readonly steps: number[];
  /** The last rule matched here: a terminal target decided; otherwise the chain's policy did. */
  decided?: { readonly step: number; readonly chain: string; readonly rule: string; readonly target: string; readonly index: number };
  /** The NAT this stage applied (a binding decided by a rule, or taken from conntrack). */
  nat?: number;
}

export interface Pass {
  readonly station: Station;
  /** The device, for in/out stations; the bridge, for br-*. */
  label?: string;
  readonly steps: number[];
  readonly tables: TablePass[];
  /** Passed without leaving a step (no rule matched, nothing for conntrack to do). */
  silent: boolean;
  /** For routing: what the decision was ("local", "forward", "output", or the bridge's "forward"/"flood"/"local"). */
  decision?: string;
  /** For routing and the bridge: the device the packet leaves by (the route's, or the bridge port). */
  dev?: string;
  /** OUTPUT only: the route was looked up again after nat OUTPUT changed the destination. */
  rerouted?: boolean;
  dropped?: boolean;
  /** Why, when it was dropped here. */
  dropReason?: string;
}

export interface NatChange {
  readonly step: number;
  readonly station: Station;
  readonly type: string;
  readonly before: StepPacket;
  readonly after: StepPacket;
  readonly changed: readonly string[];
  readonly rule?: string;
}

export interface HooksAt {
  readonly node: string;
  readonly pod?: string;
  /** The first and last step (flat indices) of this visit to the namespace. */
  readonly from: number;
  readonly to: number;
  /** What the packet passed here so far, in order, up to and including the cursor's step. */
  readonly passes: readonly Pass[];
  /** Where the cursor's step is; `nft` is the nft base chain's TablePass when it is in one. */
  readonly current: { readonly pass: number; readonly station: Station; readonly stage?: Stage; readonly chain?: string; readonly nft?: TablePass };
  readonly nats: readonly NatChange[];
  /** The packet as it came into this namespace (or was made here) and as it is at the cursor. */
  readonly entered: StepPacket;
  readonly now: StepPacket;
  /** Whether the bridge passed this packet to iptables (bridge-nf-call-iptables = 1), as far as the trace shows. */
  readonly brNetfilter: boolean;
}

/** The node's bridge and its ports (the pods' host-side veths), when the topology says. */
export interface NodeBridge {
  readonly bridge?: string;
  readonly ports?: ReadonlySet<string>;
}

const where = (s: FlatStep) => `${s.flow}|${s.step.node}|${s.step.pod ?? ""}`;

/**
 * The label of the local station a tunnel device stands at: wrapping, "flannel.1 (VXLAN)" (it
 * sends the datagram as the host would); unwrapping, "flannel.1 (VXLAN, UDP 8472)" (its socket).
 */
export function tunnelLabel(device: string, action: "encap" | "decap", port: number): string {
  return action === "encap" ? `${device} (VXLAN)` : `${device} (VXLAN, UDP ${port})`;
}

/** Whether a local station's label is a tunnel device's (tunnelLabel), not a process's. */
export function isTunnelLabel(label: string | undefined): boolean {
  return label !== undefined && / \(VXLAN(, UDP \d+)?\)$/.test(label);
}

/** The canonical paths through a namespace, for filling in the hooks passed silently. */
const PATHS: readonly (readonly Station[])[] = [
  ["in", "PREROUTING", "route-in", "INPUT", "local"],
  ["in", "PREROUTING", "route-in", "FORWARD", "POSTROUTING", "out"],
  ["local", "route-out", "OUTPUT", "POSTROUTING", "out"],
  ["br-in", "br-PREROUTING", "br-decision", "br-FORWARD", "br-POSTROUTING", "br-out"],
  ["br-in", "br-PREROUTING", "br-decision", "in"],
  ["out", "br-decision", "br-out"],
];

const DST_NAT = new Set(["DNAT", "un-SNAT"]);

/** Targets that end a table's walk for the packet: the verdict is theirs, not the policy's. */
export const TERMINAL = new Set(["ACCEPT", "DROP", "REJECT", "DNAT", "SNAT", "MASQUERADE"]);
/** Targets that are not chains ("none" is a rule without -j). */
const NON_CHAIN = new Set([...TERMINAL, "RETURN", "MARK", "LOG"]);

/** Whether a rule step's target is a chain (a jump or goto) rather than a target extension. */
export function isChain(target: string): boolean {
  return !NON_CHAIN.has(target) && target !== "none";
}

const IPTABLES_STAGES: ReadonlySet<string> = new Set(["raw", "mangle", "nat", "filter", "security"]);

/** The stage of a netfilter step: the rule's table, conntrack, NAT, confirmation; an nft rule's by its base chain's type. */
function stageOf(step: Step): Stage | undefined {
  const d = step.detail;
  if (d.kind === "rule" && d.family !== undefined) return d.base?.type === "nat" ? "nat" : "filter";
  if (d.kind === "rule") return IPTABLES_STAGES.has(d.table) ? (d.table as Stage) : undefined;
  if (d.kind === "nat") return "nat";
  if (d.kind === "conntrack") return d.event === "confirm" ? "confirm" : "conntrack";
  return undefined;
}

/** The steps of the visit that holds `cursor`: the run of steps in one flow at one node (or pod). */
export function visitRange(steps: readonly FlatStep[], cursor: number): { from: number; to: number } | undefined {
  const here = steps[cursor];
  if (!here) return undefined;
  const w = where(here);
  let from = cursor;
  while (from > 0 && where(steps[from - 1]!) === w) from--;
  let to = cursor;
  while (to < steps.length - 1 && where(steps[to + 1]!) === w) to++;
  return { from, to };
}

/**
 * The hooks the packet of `steps[cursor]` passed at its node so far. A device is taken for a
 * bridge port when the node's bridge lists it, or when the bridge handles the frame before any
 * routing.
 */
export function hooksAt(steps: readonly FlatStep[], cursor: number, where_: NodeBridge = {}): HooksAt | undefined {
  const bridgePorts = where_.ports ?? new Set<string>();
  const range = visitRange(steps, cursor);
  if (!range) return undefined;
  const { from, to } = range;
  const passes: Pass[] = [];
  const nats: NatChange[] = [];
  let brNetfilter = false;
  let bridgeName = where_.bridge;
  // Whether the packet is at the bridge's level (came in on a port, not yet passed up or out).
  let bridged = false;
  // Whether the bridge already ran PREROUTING for the packet it passes up to IP.
  let preDone = false;
  // Whether the packet was handed to the IP stack's output through the bridge device.
  let viaBridgeDev = false;

  const last = () => passes.at(-1);
  const open = (station: Station, step?: number, label?: string): Pass => {
    const prev = last();
    if (prev && prev.station === station && station !== "local") {
      if (step !== undefined) prev.steps.push(step);
      return prev;
    }
    if (prev) {
      for (const fill of between(prev.station, station)) {
        // The bridge calls iptables only for frames it bridges, and only with br_netfilter.
        if ((fill === "br-PREROUTING" || fill === "br-FORWARD" || fill === "br-POSTROUTING") && (!brNetfilter || viaBridgeDev)) continue;
        if (fill === "PREROUTING" && preDone) continue;
        passes.push({ station: fill, steps: [], tables: [], silent: true, ...(fill.startsWith("br-") && bridgeName && { label: bridgeName }) });
      }
    }
    const p: Pass = { station, steps: step !== undefined ? [step] : [], tables: [], silent: step === undefined, ...(label !== undefined && { label }) };
    passes.push(p);
    return p;
  };
  const isPort = (i: number, iface: string): boolean => {
    if (bridgePorts.has(iface)) return true;
    // A port when the bridge decides, passes the frame up, or sends it through its own device
    // (bridged DNAT), or refuses it, before any routing.
    for (let j = i + 1; j <= to; j++) {
      const s = steps[j]!.step;
      if (s.kind === "bridge") return true;
      if (s.kind === "wire" && (s.dir === "in" || s.iface === bridgeName)) return true;
      if (s.kind === "drop" && bridgeName !== undefined && s.detail.reason.startsWith(`${bridgeName} `)) return true;
      if (s.kind === "route" || s.kind === "deliver" || s.kind === "wire") return false;
    }
    return false;
  };

  let currentPass = 0;
  for (let i = from; i <= Math.min(cursor, to); i++) {
    const st = steps[i]!.step;
    const d = st.detail;
    const station = last()?.station;
    let pass: Pass;
    switch (d.kind) {
      case "wire": {
        const iface = st.iface ?? "?";
        if (st.dir === "in") {
          if (bridged) {
            // br_pass_frame_up: up to the bridge device's own IP stack.
            bridged = false;
            preDone = brNetfilter;
            bridgeName ??= iface;
            pass = open("in", i, iface);
            // The frame was for the bridge's own MAC: the bridge's decision was to pass it up.
            for (const p of passes) if (p.station === "br-decision" && p.decision === undefined) p.decision = "local";
          } else if (i === from && isPort(i, iface)) {
            bridged = true;
            pass = open("br-in", i, iface);
          } else {
            preDone = false;
            pass = open("in", i, iface);
          }
        } else if (bridged || viaBridgeDev) {
          // Out of a bridge port, or (bridged DNAT) through the bridge device's neighbour output.
          if (station === "br-decision" || station === "br-FORWARD" || station === "br-POSTROUTING") {
            pass = open("br-out", i, iface);
            bridged = false;
            viaBridgeDev = false;
          } else {
            pass = last()!;
            pass.steps.push(i);
          }
        } else {
          pass = open("out", i, iface);
          // A frame routed out of the bridge device goes on to the bridge's forwarding.
          const next = steps[i + 1];
          if (next && i + 1 <= to && next.step.kind === "bridge") viaBridgeDev = true;
        }
        break;
      }
      case "route": {
        const first = passes.length === 0;
        if (first || station === "local") {
          if (first) open("local", undefined, "a process");
          pass = open("route-out", i);
          pass.decision = d.decision;
          if (d.dev !== undefined) pass.dev = d.dev;
        } else if (station === "OUTPUT") {
          // ip_route_me_harder after nat OUTPUT changed the destination.
          pass = last()!;
          pass.rerouted = true;
          pass.steps.push(i);
        } else {
          pass = open("route-in", i);
          pass.decision = d.decision;
          if (d.dev !== undefined) pass.dev = d.dev;
        }
        break;
      }
      case "bridge": {
        bridgeName = d.bridge;
        if (!viaBridgeDev) bridged = true;
        pass = open("br-decision", i, d.bridge);
        pass.decision = d.action;
        if (d.port !== undefined) pass.dev = d.port;
        break;
      }
      case "deliver": {
        pass = open("local", i, d.to);
        break;
      }
      case "encap": {
        // A tunnel device hands the wrapped frame to the host's own stack as a locally sent UDP
        // datagram (its OUTPUT and POSTROUTING follow), and the receiving node's tunnel socket takes
        // the datagram after INPUT, as for local traffic; the frame it unwraps comes in on the device.
        bridged = false;
        viaBridgeDev = false;
        pass = open("local", i, tunnelLabel(d.device, d.action, d.port));
        break;
      }
      case "drop": {
        // The bridge's own refusals (no port for the MAC, no hairpin) are its forwarding decision's.
        if (bridged && bridgeName !== undefined && d.reason.startsWith(`${bridgeName} `)) open("br-decision", undefined, bridgeName);
        // No route: the routing decision is where it ends (before INPUT or FORWARD, or OUTPUT).
        else if (isNoRouteReason(d.reason)) {
          const st = last()?.station;
          if (st === undefined || st === "local") open("route-out");
          else if (st === "in" || st === "PREROUTING") open("route-in");
        }
        pass = last() ?? open("in", i);
        if (!pass.steps.includes(i)) pass.steps.push(i);
        pass.dropped = true;
        pass.dropReason = d.reason;
        pass.silent = false;
        break;
      }
      default: {
        // A netfilter step: which hook is it in?
        const target = hookFor(st, last(), bridged, viaBridgeDev);
        if (target.startsWith("br-")) {
          brNetfilter = true;
          bridgeName ??= "the bridge";
        }
        pass = open(target, i, target.startsWith("br-") ? bridgeName : undefined);
        pass.silent = false;
        const stage = stageOf(st) ?? "filter";
        const nft = d.kind === "rule" && d.family !== undefined ? { table: `${d.family} ${d.table}`, chain: d.base?.chain ?? d.chain, type: d.base?.type ?? "filter", priority: d.base?.priority ?? 0 } : undefined;
        let t = pass.tables.at(-1);
        // A new table pass when the stage changes, or the nft base chain does; a NAT step joins the walk that decided it.
        const sameNft = nft ? t?.nft?.table === nft.table && t.nft.chain === nft.chain : d.kind === "nat" || t?.nft === undefined;
        if (!t || t.stage !== stage || !sameNft) {
          t = { stage, chains: [], steps: [], ...(nft && { nft }) };
          pass.tables.push(t);
        }
        if (d.kind === "rule" && t.chains.length === 0 && nft && nft.chain !== d.chain) t.chains.push(nft.chain);
        t.steps.push(i);
        if (d.kind === "rule") {
          if (!t.chains.includes(d.chain)) t.chains.push(d.chain);
          // A jump or goto enters its chain, whether or not a rule there matches.
          if (isChain(d.target) && !t.chains.includes(d.target)) t.chains.push(d.target);
          t.decided = { step: i, chain: d.chain, rule: d.rule, target: d.target, index: d.index };
        }
        if (d.kind === "nat") {
          t.nat = i;
          nats.push({ step: i, station: target, type: d.type, before: d.before, after: d.after, changed: d.changed, ...(d.rule !== undefined && { rule: d.rule }) });
        }
      }
    }
    if (i === cursor) currentPass = passes.indexOf(pass);
  }
  const cur = passes[currentPass]!;
  const cs = steps[cursor]!.step;
  const stage = stageOf(cs);
  const curNft = cur.tables.find((t) => t.nft !== undefined && t.steps.includes(cursor));
  const first = steps[from]!.step;
  return {
    node: first.node,
    ...(first.pod !== undefined && { pod: first.pod }),
    from,
    to,
    passes,
    current: {
      pass: currentPass,
      station: cur.station,
      ...(stage && { stage }),
      ...(cs.detail.kind === "rule" && { chain: cs.detail.chain }),
      ...(curNft && { nft: curNft }),
    },
    nats,
    entered: first.packet,
    now: cs.packet,
    brNetfilter,
  };
}

/** Which hook a netfilter step (rule, NAT, conntrack) belongs to, from where the packet is. */
function hookFor(st: Step, prev: Pass | undefined, bridged: boolean, viaBridgeDev: boolean): Station {
  const d = st.detail;
  const station = prev?.station;
  const atBridge = bridged && !viaBridgeDev;
  if (d.kind === "rule") {
    const h = d.hook as "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";
    if (atBridge && (h === "PREROUTING" || h === "FORWARD" || h === "POSTROUTING")) return `br-${h}`;
    return h;
  }
  const output = station === "local" || station === "route-out" || station === "OUTPUT";
  const afterDecision = station === "br-decision" || station === "br-FORWARD" || station === "br-POSTROUTING";
  if (d.kind === "conntrack" && d.event !== "confirm") {
    if (station === "OUTPUT" || output) return "OUTPUT";
    if (atBridge && !afterDecision) return "br-PREROUTING";
    // A destroy follows the hit that ended the entry, in the same hook.
    if (d.event === "destroy" && station !== undefined && isHook(station)) return station;
    return "PREROUTING";
  }
  const src = d.kind === "conntrack" || (d.kind === "nat" && !DST_NAT.has(d.type));
  if (!src) {
    // DNAT, un-SNAT: before routing.
    if (output) return "OUTPUT";
    return atBridge ? "br-PREROUTING" : "PREROUTING";
  }
  // SNAT, MASQUERADE, un-DNAT, confirm: after routing.
  if (atBridge) return "br-POSTROUTING";
  if (station === "INPUT" || (station === "route-in" && prev?.decision === "local")) return "INPUT";
  return "POSTROUTING";
}

/** The stations on a canonical path strictly between `a` and `b`, when one path has both in that order. */
function between(a: Station, b: Station): Station[] {
  for (const path of PATHS) {
    const i = path.indexOf(a);
    const j = path.lastIndexOf(b);
    if (i >= 0 && j > i) {
      return path.slice(i + 1, j) as Station[];
    }
  }
  return [];
}
