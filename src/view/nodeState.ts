/**
 * A node's rule counters and conntrack table as they stand after a given step, rebuilt from the
 * trace's steps so that stepping back undoes them. Pure, for the per-node panel and its tests.
 * Entries are told apart by the trace's `conn` number, never by reading conntrack's text.
 *
 * It also says which rules the current step is about: the ones it matched, and for a NAT step
 * the rule that decided the translation (for a reply's un-NAT, the rules that set the
 * connection's bindings up when its first packet passed); and which conntrack entry the step
 * shows, and whether `conntrack -L` would list it yet.
 */
import type { FlatStep } from "../store/store";

/** A rule's key in the panel: "nat/KUBE-SERVICES#3". */
export const ruleKey = (table: string, chain: string, index: number): string => `${table}/${chain}#${index}`;

export interface NodeView {
  /** Rule key → counters after the step. */
  readonly counters: ReadonlyMap<string, { pkts: number; bytes: number }>;
  /** Rules whose counters changed at exactly this step. */
  readonly changedNow: ReadonlySet<string>;
  /** The rules that decided the NAT shown at this step. */
  readonly decidedNow: ReadonlySet<string>;
  /** Confirmed conntrack entries, as conntrack -L prints them, in creation order. */
  readonly conntrack: readonly string[];
  /** The entry the current step created, hit or translated by. */
  readonly conntrackNow?: string;
  /** Set when that entry is not confirmed yet: conntrack -L does not list it. */
  readonly unconfirmedNow?: string;
}


const NAT_TARGETS = new Set(["DNAT", "SNAT", "MASQUERADE"]);

export function nodeView(steps: readonly FlatStep[], cursor: number, node: string): NodeView {
  const counters = new Map<string, { pkts: number; bytes: number }>();
  const changedNow = new Set<string>();
  const decidedNow = new Set<string>();
  const entries = new Map<number, string>();
  const confirmed = new Set<number>();
  // For each connection, the rules that set its NAT bindings up.
  const natRules = new Map<number, Set<string>>();
  let lastNatRule: string | undefined;
  let conntrackNow: number | undefined;
  for (let i = 0; i <= cursor && i < steps.length; i++) {
    const s = steps[i]!.step;
    if (s.node !== node || s.pod !== undefined) continue;
    const d = s.detail;
    if (d?.kind === "rule") {
      // An nft rule's table is named as nft names it ("ip kube-proxy"), as the panel's outline names it.
      const key = ruleKey(d.family !== undefined ? `${d.family} ${d.table}` : d.table, d.chain, d.index);
      counters.set(key, d.counters);
      if (i === cursor) changedNow.add(key);
      if (NAT_TARGETS.has(d.target)) lastNatRule = key;
    }
    if (d?.kind === "conntrack" && d.entry !== undefined && d.conn !== undefined) {
      if (d.event === "destroy") {
        entries.delete(d.conn);
        confirmed.delete(d.conn);
        continue;
      }
      entries.set(d.conn, d.entry);
      if (d.event === "confirm") confirmed.add(d.conn);
      if (i === cursor) conntrackNow = d.conn;
    }
    if (d?.kind === "nat") {
      const key = d.conn;
      if (entries.has(key)) entries.set(key, d.conntrack);
      if (!d.type.startsWith("un-") && lastNatRule) {
        const set = natRules.get(key) ?? new Set<string>();
        set.add(lastNatRule);
        natRules.set(key, set);
        if (i === cursor) decidedNow.add(lastNatRule);
      } else if (i === cursor) for (const r of natRules.get(key) ?? []) decidedNow.add(r);
      if (i === cursor) conntrackNow = key;
      lastNatRule = undefined;
    }
  }
  const conntrack = [...entries.entries()].filter(([k]) => confirmed.has(k)).map(([, line]) => line);
  const now = conntrackNow !== undefined ? entries.get(conntrackNow) : undefined;
  return {
    counters,
    changedNow,
    decidedNow,
    conntrack,
    ...(now !== undefined && { conntrackNow: now }),
    ...(now !== undefined && conntrackNow !== undefined && !confirmed.has(conntrackNow) && { unconfirmedNow: now }),
  };
}

/**
 * Whether the conntrack entry a step shows is confirmed by then (conntrack -L lists it): the
 * first packet of a connection creates an entry that is confirmed only when the packet leaves
 * the node (POSTROUTING) or is delivered to it (INPUT), so until then the table does not list it.
 */
export function confirmedAt(steps: readonly FlatStep[], cursor: number, node: string, conn: number): boolean {
  for (let i = 0; i <= cursor && i < steps.length; i++) {
    const s = steps[i]!.step;
    if (s.node !== node || s.pod !== undefined) continue;
    const d = s.detail;
    if (d?.kind === "conntrack" && d.event === "confirm" && d.conn === conn) return true;
  }
  return false;
}
