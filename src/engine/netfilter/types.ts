/**
 * The netfilter model: tables, chains, rules, matches and targets as plain data. The matches
 * and targets are defined by their extensions in ext/ and gathered into unions here.
 */
import type { Cidr } from "../addr/ipv4";
import type { AddrtypeMatch } from "./ext/addrtype";
import type { CommentMatch } from "./ext/comment";
import type { ConntrackMatch } from "./ext/conntrack";
import type { DnatTarget } from "./ext/dnat";
import type { IcmpMatch } from "./ext/icmp";
import type { GotoTarget, JumpTarget } from "./ext/jump";
import type { LogTarget } from "./ext/log";
import type { MarkMatch } from "./ext/mark";
import type { MarkTarget } from "./ext/mark-target";
import type { NotrackTarget } from "./ext/notrack";
import type { RpfilterMatch } from "./ext/rpfilter";
import type { SetMatch } from "./ext/set";
import type { MasqueradeTarget } from "./ext/masquerade";
import type { NfacctMatch } from "./ext/nfacct";
import type { MultiportMatch } from "./ext/multiport";
import type { RecentMatch } from "./ext/recent";
import type { RejectTarget } from "./ext/reject";
import type { SnatTarget } from "./ext/snat";
import type { AcceptTarget, DropTarget, NoTarget, ReturnTarget } from "./ext/standard";
import type { StateMatch } from "./ext/state";
import type { StatisticMatch } from "./ext/statistic";
import type { TcpUdpMatch } from "./ext/tcp";

export type {
  AcceptTarget,
  AddrtypeMatch,
  CommentMatch,
  ConntrackMatch,
  DnatTarget,
  DropTarget,
  GotoTarget,
  IcmpMatch,
  JumpTarget,
  LogTarget,
  MarkMatch,
  MarkTarget,
  MasqueradeTarget,
  MultiportMatch,
  NoTarget,
  RecentMatch,
  RejectTarget,
  ReturnTarget,
  SnatTarget,
  StateMatch,
  StatisticMatch,
  TcpUdpMatch,
};
export type { NatRange } from "./ext/nat-range";

export type TableName = "raw" | "mangle" | "nat" | "filter";
export type HookName = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";

/** Built-in chains of each table, in hook order (the order iptables-save prints them). */
export const TABLE_HOOKS: Readonly<Record<TableName, readonly HookName[]>> = {
  raw: ["PREROUTING", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  filter: ["INPUT", "FORWARD", "OUTPUT"],
};

export const TABLE_NAMES: readonly TableName[] = ["raw", "mangle", "nat", "filter"];

export interface Counters {
  pkts: number;
  bytes: number;
}

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export type ConnState = "INVALID" | "NEW" | "RELATED" | "ESTABLISHED" | "UNTRACKED" | "SNAT" | "DNAT";
/** The order libxt_conntrack prints states in. */
export const CT_STATE_ORDER: readonly ConnState[] = ["INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"];

export type AddrType =
  | "UNSPEC"
  | "UNICAST"
  | "LOCAL"
  | "BROADCAST"
  | "ANYCAST"
  | "MULTICAST"
  | "BLACKHOLE"
  | "UNREACHABLE"
  | "PROHIBIT"
  | "THROW"
  | "NAT"
  | "XRESOLVE";

export interface Negatable<T> {
  readonly value: T;
  readonly invert: boolean;
}

/** A rule's match: one member per extension, each defined by its module in ext/. */
export type Match = CommentMatch | TcpUdpMatch | IcmpMatch | MarkMatch | AddrtypeMatch | StatisticMatch | ConntrackMatch | StateMatch | RecentMatch | MultiportMatch | NfacctMatch | SetMatch | RpfilterMatch;

export type MatchKind = Match["kind"];

/** A rule's target: one member per extension, each defined by its module in ext/. */
export type Target =
  | AcceptTarget
  | DropTarget
  | ReturnTarget
  | JumpTarget
  | GotoTarget
  | RejectTarget
  | DnatTarget
  | SnatTarget
  | MasqueradeTarget
  | MarkTarget
  | LogTarget
  | NotrackTarget
  | NoTarget;

export type TargetKind = Target["kind"];

/**
 * One rule. The header (addresses, interfaces, protocol) is kept as integers so that the walk
 * over a long chain compares numbers only; an absent address is 0.0.0.0/0.
 */
export interface Rule {
  readonly src: Cidr;
  readonly srcInvert: boolean;
  readonly dst: Cidr;
  readonly dstInvert: boolean;
  readonly inIface: Negatable<string> | undefined;
  readonly outIface: Negatable<string> | undefined;
  /** Protocol number; 0 means any. */
  readonly proto: number;
  readonly protoInvert: boolean;
  readonly matches: readonly Match[];
  readonly target: Target;
  /** Mutable: the kernel's per-rule counters (for a shared rule, see the table's overlay). */
  readonly counters: Counters;
  /**
   * The same rule object sits in several namespaces' tables (kube-proxy writes identical rules
   * on every node); its counters then live in each table's overlay, never in the rule.
   */
  readonly shared: boolean;
}

export type Policy = "ACCEPT" | "DROP";

export interface Chain {
  readonly name: string;
  /** Built-in chains have a policy and policy counters; user chains have neither. */
  readonly policy?: Policy;
  readonly policyCounters?: Counters;
  readonly rules: Rule[];
}

export interface Table {
  readonly name: TableName;
  /** Built-in chains first, then user chains; iptables-save sorts user chains itself. */
  readonly chains: Map<string, Chain>;
  /** This table's counters of shared rules, created when one first counts. */
  readonly overlay: Map<Rule, Counters>;
}

/** A rule's counters in a table, for counting: a shared rule gets its own entry in the overlay. */
export function countersOf(table: Table, rule: Rule): Counters {
  if (!rule.shared) return rule.counters;
  let c = table.overlay.get(rule);
  if (!c) {
    c = { pkts: 0, bytes: 0 };
    table.overlay.set(rule, c);
  }
  return c;
}

/** A rule's counters in a table, for reading. */
export function readCounters(table: Table, rule: Rule): Counters {
  return rule.shared ? (table.overlay.get(rule) ?? ZERO_COUNTERS) : rule.counters;
}

const ZERO_COUNTERS: Counters = Object.freeze({ pkts: 0, bytes: 0 });

/**
 * All four tables of a namespace. `loaded` lists the tables whose module is loaded, in the
 * order legacy iptables-save prints them (the reverse of registration: filter, nat, mangle, raw);
 * a table is loaded once anything uses it.
 */
export interface Ruleset {
  /** Replaced whole when iptables-restore commits a table, as the kernel swaps in a new one. */
  readonly tables: Record<TableName, Table>;
  readonly loaded: Set<TableName>;
  /** The namespace's ipsets (`-m set`), by name: their members. */
  readonly ipsets: Map<string, readonly Cidr[]>;
}

/** The order legacy iptables-save prints loaded tables in. */
export const SAVE_TABLE_ORDER: readonly TableName[] = ["filter", "nat", "mangle", "raw"];

export function emptyTable(name: TableName): Table {
  const chains = new Map<string, Chain>();
  for (const hook of TABLE_HOOKS[name]) {
    chains.set(hook, { name: hook, policy: "ACCEPT", policyCounters: { pkts: 0, bytes: 0 }, rules: [] });
  }
  return { name, chains, overlay: new Map() };
}

export function emptyRuleset(loaded: readonly TableName[] = []): Ruleset {
  return {
    tables: { raw: emptyTable("raw"), mangle: emptyTable("mangle"), nat: emptyTable("nat"), filter: emptyTable("filter") },
    loaded: new Set(loaded),
    ipsets: new Map(),
  };
}

export function isBuiltinChain(table: TableName, chain: string): boolean {
  return (TABLE_HOOKS[table] as readonly string[]).includes(chain);
}

export const PROTO_NAMES: Readonly<Record<number, string>> = { 1: "icmp", 6: "tcp", 17: "udp", 132: "sctp", 0: "all" };
export const PROTO_BY_NAME: Readonly<Record<string, number>> = { all: 0, icmp: 1, tcp: 6, udp: 17, sctp: 132 };
