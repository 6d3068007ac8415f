/**
 * Traversal of one table's chains for one hook, as ipt_do_table does it: rules in order, the
 * header (addresses, interfaces, protocol) first, then each match; counters grow on every rule
 * that matches; jumps push a return point, gotos do not; the end of a built-in chain (or a
 * RETURN from it, or from a chain reached by goto from it) applies the policy.
 */
import type { Packet } from "../packet/packet";
import type { Rng } from "../rng";
import { matchModule, targetModule } from "./ext";
import { countersOf, type AddrType, type Chain, type ConnState, type HookName, type Match, type Rule, type Table, type TableName, type Target } from "./types";

export { tcpFlagBits } from "./ext/tcp";

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
  /** Whether an ipset of the namespace has the address (-m set); undefined when there is no such set. */
  readonly ipsetHas?: (name: string, ip: number) => boolean | undefined;
  /** The route the namespace has to an address, for -m rpfilter's reverse lookup. */
  readonly reverseRoute?: (ip: number) => { readonly type: string; readonly dev?: string } | undefined;
  /** Set by -j NOTRACK: the packet is to stay untracked. */
  notrack?: boolean;
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

function ifaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  if (pattern.endsWith("+")) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

const PROTO_NUM = { icmp: 1, tcp: 6, udp: 17 } as const;

/** The rule's header and matches against the packet. The header compares integers only. */
export function ruleMatches(r: Rule, p: Packet, protoNum: number, ctx: MatchContext): boolean {
  if ((((p.src & r.src.mask) >>> 0) === r.src.net) === r.srcInvert) return false;
  if ((((p.dst & r.dst.mask) >>> 0) === r.dst.net) === r.dstInvert) return false;
  if ((r.proto !== 0 || r.protoInvert) && (protoNum === r.proto) === r.protoInvert) return false;
  if (r.inIface && ifaceMatches(r.inIface.value, ctx.inIface) === r.inIface.invert) return false;
  if (r.outIface && ifaceMatches(r.outIface.value, ctx.outIface) === r.outIface.invert) return false;
  const ms = r.matches;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    if (!matchModule(m).match(m, p, ctx)) return false;
  }
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
    const flow = targetModule(t).apply(t, ctx, matched);
    switch (flow.kind) {
      case "continue":
        i++;
        continue;
      case "return": {
        const back = stack.pop();
        if (!back) return policy();
        chain = back.chain;
        i = back.next;
        continue;
      }
      case "jump":
      case "goto": {
        const next = table.chains.get(flow.chain);
        if (!next) {
          // Cannot happen for a table that passed validateTable; treat like the kernel's ENOENT.
          return { kind: "drop", by: matched, chain: chain.name };
        }
        if (flow.kind === "jump") {
          // Legacy ip_tables sizes its jump stack to the number of chains and refuses loops at
          // load time, so a validated table can never overflow it.
          if (stack.length > table.chains.size) return { kind: "drop", by: matched, chain: chain.name };
          stack.push({ chain, next: i + 1 });
        }
        chain = next;
        i = 0;
        continue;
      }
      default:
        return flow;
    }
  }
}
