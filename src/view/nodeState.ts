/**
 * A node's nat counters and conntrack table as they stand after a given step, rebuilt from the
 * trace's steps so that stepping back undoes them. Pure, for the per-node panel and its tests.
 */
import type { FlatStep } from "../store/store";

export interface NodeView {
  /** "chain#index" → counters after the step. */
  readonly counters: ReadonlyMap<string, { pkts: number; bytes: number }>;
  /** Rules whose counters changed at exactly this step. */
  readonly changedNow: ReadonlySet<string>;
  /** Confirmed conntrack entries, as conntrack -L prints them, in creation order. */
  readonly conntrack: readonly string[];
  /** The entry the current step created or hit. */
  readonly conntrackNow?: string;
}

/** The original tuple of a conntrack -L line: what identifies the connection. */
export function conntrackKey(line: string): string {
  const m = /^(\S+).*?(src=\S+ dst=\S+ (?:sport=\S+ dport=\S+|type=\S+ code=\S+ id=\S+))/.exec(line);
  return m ? `${m[1]} ${m[2]}` : line;
}

export function nodeView(steps: readonly FlatStep[], cursor: number, node: string): NodeView {
  const counters = new Map<string, { pkts: number; bytes: number }>();
  const changedNow = new Set<string>();
  const entries = new Map<string, string>();
  const confirmed = new Set<string>();
  let conntrackNow: string | undefined;
  for (let i = 0; i <= cursor && i < steps.length; i++) {
    const s = steps[i]!.step;
    if (s.node !== node || s.pod !== undefined) continue;
    const d = s.detail;
    if (d?.kind === "rule" && d.table === "nat") {
      const key = `${d.chain}#${d.index}`;
      counters.set(key, d.counters);
      if (i === cursor) changedNow.add(key);
    }
    if (d?.kind === "conntrack" && d.entry) {
      const key = conntrackKey(d.entry);
      entries.set(key, d.entry);
      if (d.event === "confirm") confirmed.add(key);
      if (i === cursor) conntrackNow = key;
    }
    if (d?.kind === "nat") {
      const key = conntrackKey(d.conntrack);
      if (entries.has(key)) entries.set(key, d.conntrack);
    }
  }
  const conntrack = [...entries.entries()].filter(([k]) => confirmed.has(k)).map(([, line]) => line);
  return { counters, changedNow, conntrack, ...(conntrackNow && { conntrackNow: entries.get(conntrackNow) }) };
}
