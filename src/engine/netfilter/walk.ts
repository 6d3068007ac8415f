/**
 * Traversal of one table's chains for one hook, as ipt_do_table does it: rules in order, the
 * header (addresses, interfaces, protocol) first, then each match; counters grow on every rule
 * that matches; jumps push a return point, gotos do not; the end of a built-in chain (or a
 * RETURN from it, or from a chain reached by goto from it) applies the policy.
 */
import type { Packet } from "../packet/packet";
import type { Rng } from "../rng";
import { countersOf, type AddrType, type Chain, type ConnState, type HookName, type Match, type Rule, type Table, type TableName, type Target } from "./types";

/** Everything a match may look at besides the packet. */
export interface MatchContext {
  readonly hook: HookName;
  readonly inIface?: string;
  readonly outIface?: string;
  /** The skb mark; MARK rules change it. */
  mark: number;
  /** The packet's conntrack state; undefined when it is untracked. */
  readonly ctState?: ConnState;
  /** Whether its connection has a source / destination NAT binding (ctstate SNAT/DNAT). */
  readonly ctSnat?: boolean;
  readonly ctDnat?: boolean;
  /** The route type of an address in this namespace (for -m addrtype); iface limits the lookup. */
  addrType(ip: number, iface?: string): AddrType;
  readonly rng: Rng;
  /** Per-rule state of `-m statistic --mode nth`. */
  readonly nth: Map<Match, number>;
  /** `-m recent` lists of the namespace: name → masked address → timestamps (ms), oldest first. */
  readonly recent?: Map<string, Map<number, number[]>>;
  /** Simulated time in milliseconds, for `-m recent --seconds`. */
  readonly now?: number;
}

/** xt_recent keeps the last ip_pkt_list_tot (20) timestamps per address. */
const RECENT_STAMPS = 20;

/** recent_mt: look the address up in the named list, then set, check, update or remove. */
function matchRecent(m: Extract<Match, { kind: "recent" }>, p: Packet, ctx: MatchContext): boolean {
  const lists = ctx.recent;
  if (!lists) return m.invert;
  const now = ctx.now ?? 0;
  let list = lists.get(m.name);
  if (!list) lists.set(m.name, (list = new Map()));
  const addr = ((m.side === "source" ? p.src : p.dst) & m.mask) >>> 0;
  const stamps = list.get(addr);
  if (!stamps) {
    if (m.mode !== "set") return m.invert;
    list.set(addr, [now]);
    return !m.invert;
  }
  let hit = false;
  if (m.mode === "set") hit = true;
  else if (m.mode === "remove") {
    list.delete(addr);
    return !m.invert;
  } else if (m.seconds !== undefined || m.hitcount !== undefined) {
    const since = now - (m.seconds ?? 0) * 1000;
    let hits = 0;
    for (const t of stamps) {
      if (m.seconds !== undefined && t < since) continue;
      if (m.hitcount === undefined || ++hits >= m.hitcount) {
        hit = true;
        break;
      }
    }
    // --reap (the kernel requires --seconds with it) may remove the oldest entry, even the one
    // being checked unless --update is about to refresh it.
    if (m.reap) reapOldest(list, m.mode === "update" && hit !== m.invert ? addr : undefined, since);
  } else hit = true;
  const result = hit !== m.invert;
  // --update refreshes the entry when the rule's final answer (after !) is a match.
  if (m.mode === "set" || (m.mode === "update" && result)) {
    const next = [...(list.get(addr) ?? []), now].slice(-RECENT_STAMPS);
    // Maps keep insertion order: re-inserting keeps the list least recently used first.
    list.delete(addr);
    list.set(addr, next);
  }
  return result;
}

/** recent_entry_reap: the least recently used entry goes if its last time is too old, unless --update is refreshing it. */
function reapOldest(list: Map<number, number[]>, protect: number | undefined, since: number): void {
  for (const [addr, stamps] of list) {
    if (addr !== protect && stamps[stamps.length - 1]! < since) list.delete(addr);
    return;
  }
}

export interface MatchedRule {
  readonly table: TableName;
  readonly chain: string;
  /** 1-based, as `iptables -L --line-numbers` counts. */
  readonly index: number;
  readonly rule: Rule;
}

export type ChainVerdict =
  | { readonly kind: "accept"; readonly by: MatchedRule | "policy"; readonly chain: string }
  | { readonly kind: "drop"; readonly by: MatchedRule | "policy"; readonly chain: string; readonly rejectWith?: string }
  | { readonly kind: "nat"; readonly by: MatchedRule; readonly target: Extract<Target, { kind: "DNAT" | "SNAT" | "MASQUERADE" }> };

const TCP_FLAG_BITS: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 };

function flagBits(names: readonly string[]): number {
  let b = 0;
  for (const n of names) b |= TCP_FLAG_BITS[n] ?? 0;
  return b;
}

export function tcpFlagBits(p: Packet): number {
  const t = p.tcp;
  if (!t) return 0;
  return (t.fin ? 1 : 0) | (t.syn ? 2 : 0) | (t.rst ? 4 : 0) | (t.psh ? 8 : 0) | (t.ack ? 16 : 0);
}

function ifaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  if (pattern.endsWith("+")) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

function statesOf(ctx: MatchContext): ConnState[] {
  const s: ConnState[] = [ctx.ctState ?? "UNTRACKED"];
  if (ctx.ctSnat) s.push("SNAT");
  if (ctx.ctDnat) s.push("DNAT");
  return s;
}

const PROTO_NUM = { icmp: 1, tcp: 6, udp: 17 } as const;

function matchOne(m: Match, p: Packet, ctx: MatchContext): boolean {
  switch (m.kind) {
    case "comment":
      return true;
    case "tcp":
    case "udp": {
      if (p.proto !== m.kind) return false;
      if (m.sport && (p.sport >= m.sport.value.min && p.sport <= m.sport.value.max) === m.sport.invert) return false;
      if (m.dport && (p.dport >= m.dport.value.min && p.dport <= m.dport.value.max) === m.dport.invert) return false;
      if (m.tcpFlags) {
        const ok = (tcpFlagBits(p) & flagBits(m.tcpFlags.value.mask)) === flagBits(m.tcpFlags.value.comp);
        if (ok === m.tcpFlags.invert) return false;
      }
      return true;
    }
    case "icmp": {
      if (p.proto !== "icmp" || !p.icmp) return false;
      const hit = m.type === 0xff || (p.icmp.type === m.type && p.icmp.code >= m.codeMin && p.icmp.code <= m.codeMax);
      return hit !== m.invert;
    }
    case "mark":
      return (((ctx.mark & m.mask) >>> 0) === m.value) !== m.invert;
    case "addrtype": {
      const iface = m.limitIfaceIn ? ctx.inIface : m.limitIfaceOut ? ctx.outIface : undefined;
      if (m.src && m.src.value.includes(ctx.addrType(p.src, iface)) === m.src.invert) return false;
      if (m.dst && m.dst.value.includes(ctx.addrType(p.dst, iface)) === m.dst.invert) return false;
      return true;
    }
    case "statistic": {
      if (m.mode === "random") return ((ctx.rng.nextU32() & 0x7fffffff) < m.probability) !== m.invert;
      // xt_statistic: the counter starts at every-1-packet, steps up to every-1 then wraps to 0,
      // and the rule matches on the wrap (checked in the lab: --every 3 --packet 0 takes packets 1, 4, 7).
      const prev = ctx.nth.get(m) ?? m.every - 1 - m.packet;
      const next = prev === m.every - 1 ? 0 : prev + 1;
      ctx.nth.set(m, next);
      return (next === 0) !== m.invert;
    }
    case "conntrack": {
      const states = statesOf(ctx);
      return m.ctstate.value.some((s) => states.includes(s)) !== m.ctstate.invert;
    }
    case "state": {
      const state = ctx.ctState ?? "UNTRACKED";
      return m.state.value.includes(state) !== m.state.invert;
    }
    case "recent":
      return matchRecent(m, p, ctx);
    case "multiport": {
      const hit = (port: number) => m.ports.some((r) => port >= r.min && port <= r.max);
      if (p.proto !== "tcp" && p.proto !== "udp") return false;
      const ok = m.flavor === "sports" ? hit(p.sport) : m.flavor === "dports" ? hit(p.dport) : hit(p.sport) || hit(p.dport);
      return ok !== m.invert;
    }
  }
}

/** The rule's header and matches against the packet. The header compares integers only. */
export function ruleMatches(r: Rule, p: Packet, protoNum: number, ctx: MatchContext): boolean {
  if ((((p.src & r.src.mask) >>> 0) === r.src.net) === r.srcInvert) return false;
  if ((((p.dst & r.dst.mask) >>> 0) === r.dst.net) === r.dstInvert) return false;
  if ((r.proto !== 0 || r.protoInvert) && (protoNum === r.proto) === r.protoInvert) return false;
  if (r.inIface && ifaceMatches(r.inIface.value, ctx.inIface) === r.inIface.invert) return false;
  if (r.outIface && ifaceMatches(r.outIface.value, ctx.outIface) === r.outIface.invert) return false;
  const ms = r.matches;
  for (let i = 0; i < ms.length; i++) if (!matchOne(ms[i]!, p, ctx)) return false;
  return true;
}

interface Frame {
  readonly chain: Chain;
  readonly next: number;
}

/**
 * Runs `hook`'s chain of `table`. `onMatch` hears every rule that matched, in order. The packet
 * may only change through MARK (ctx.mark); NAT targets end the walk and are applied by the caller.
 */
export function walkTable(
  tableName: TableName,
  table: Table,
  hook: HookName,
  packet: Packet,
  ctx: MatchContext,
  onMatch?: (m: MatchedRule) => void,
): ChainVerdict {
  const builtin = table.chains.get(hook);
  if (!builtin) return { kind: "accept", by: "policy", chain: hook };
  const protoNum = PROTO_NUM[packet.proto];
  const stack: Frame[] = [];
  let chain: Chain = builtin;
  let i = 0;
  const policy = (): ChainVerdict => {
    const pc = builtin.policyCounters;
    if (pc) {
      pc.pkts++;
      pc.bytes += packet.length;
    }
    return builtin.policy === "DROP" ? { kind: "drop", by: "policy", chain: hook } : { kind: "accept", by: "policy", chain: hook };
  };
  for (;;) {
    const rules = chain.rules;
    // Fast path: skip rules that do not match without leaving the loop.
    while (i < rules.length && !ruleMatches(rules[i]!, packet, protoNum, ctx)) i++;
    if (i >= rules.length) {
      const back = stack.pop();
      if (!back) return policy();
      chain = back.chain;
      i = back.next;
      continue;
    }
    const rule = rules[i]!;
    const counters = rule.shared ? countersOf(table, rule) : rule.counters;
    counters.pkts++;
    counters.bytes += packet.length;
    const matched: MatchedRule = { table: tableName, chain: chain.name, index: i + 1, rule };
    onMatch?.(matched);
    const t = rule.target;
    switch (t.kind) {
      case "ACCEPT":
        return { kind: "accept", by: matched, chain: chain.name };
      case "DROP":
        return { kind: "drop", by: matched, chain: chain.name };
      case "REJECT":
        return { kind: "drop", by: matched, chain: chain.name, rejectWith: t.rejectWith };
      case "DNAT":
      case "SNAT":
      case "MASQUERADE":
        return { kind: "nat", by: matched, target: t };
      case "RETURN": {
        const back = stack.pop();
        if (!back) return policy();
        chain = back.chain;
        i = back.next;
        continue;
      }
      case "jump":
      case "goto": {
        const next = table.chains.get(t.chain);
        if (!next) {
          // Cannot happen for a table that passed validateTable; treat like the kernel's ENOENT.
          return { kind: "drop", by: matched, chain: chain.name };
        }
        if (t.kind === "jump") {
          // Legacy ip_tables sizes its jump stack to the number of chains and refuses loops at
          // load time, so a validated table can never overflow it.
          if (stack.length > table.chains.size) return { kind: "drop", by: matched, chain: chain.name };
          stack.push({ chain, next: i + 1 });
        }
        chain = next;
        i = 0;
        continue;
      }
      case "MARK":
        ctx.mark = ((ctx.mark & ~t.mask) ^ t.value) >>> 0;
        i++;
        continue;
      case "LOG":
      case "none":
        i++;
        continue;
    }
  }
}
