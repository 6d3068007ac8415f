/**
 * A node's rules as the page holds them: the outline the worker sends (each chain of the nat and
 * filter tables in iptables-save order, then of any nftables table, with its number of rules) and
 * where each rule sits in it. The texts stay in the worker until a row is shown: a node of a 1,000-service cluster has
 * tens of thousands of rules, and formatting, copying and drawing them all cost seconds.
 */
import type { RuleChain } from "../worker/protocol";

export interface NodeRules {
  readonly chains: readonly RuleChain[];
  /** The rows: every rule of every chain. */
  readonly total: number;
  /** Each chain's first row, in the order of `chains` (for the binary search from a row to its chain). */
  readonly starts: readonly number[];
  /** Each table's first row and rule count, in the order iptables-save prints them. */
  readonly tables: readonly { readonly table: string; readonly start: number; readonly count: number }[];
  /** "table/chain" → its index in `chains`. */
  readonly byName: ReadonlyMap<string, number>;
}

export function nodeRules(chains: readonly RuleChain[]): NodeRules {
  const starts: number[] = [];
  const tables: { table: string; start: number; count: number }[] = [];
  const byName = new Map<string, number>();
  let row = 0;
  chains.forEach((c, i) => {
    starts.push(row);
    byName.set(`${c.table}/${c.chain}`, i);
    const last = tables.at(-1);
    if (last?.table === c.table) last.count += c.count;
    else tables.push({ table: c.table, start: row, count: c.count });
    row += c.count;
  });
  return { chains, total: row, starts, tables, byName };
}

/** The row of a chain's rule (`index` counts from 1, as rule steps do), or undefined when the node has no such rule. */
export function rowOf(r: NodeRules, table: string, chain: string, index: number): number | undefined {
  const i = r.byName.get(`${table}/${chain}`);
  if (i === undefined || index < 1 || index > r.chains[i]!.count) return undefined;
  return r.starts[i]! + index - 1;
}

/** The chain and position (from 1) of a row. */
export function ruleAt(r: NodeRules, row: number): { readonly table: string; readonly chain: string; readonly index: number } | undefined {
  if (row < 0 || row >= r.total) return undefined;
  let lo = 0;
  let hi = r.starts.length - 1;
  // The last chain that starts at or before the row: an empty chain starts where the next one does.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (r.starts[mid]! <= row) lo = mid;
    else hi = mid - 1;
  }
  const c = r.chains[lo]!;
  return { table: c.table, chain: c.chain, index: row - r.starts[lo]! + 1 };
}

/** Whether an outline table is an nftables table: nft names it with its family ("ip kube-proxy"), iptables by name ("nat"). */
export const isNftTable = (table: string): boolean => table.includes(" ");

/** The outline's nftables tables, in its order. */
export function nftTablesOf(r: NodeRules | undefined): string[] {
  return (r?.tables ?? []).filter((tb) => isNftTable(tb.table)).map((tb) => tb.table);
}

/**
 * Whether a row is an nft rule with no counter statement: nft keeps no counts for it, so the
 * panel shows none (an iptables rule always has its counters).
 */
export function countsNothing(table: string, text: string | undefined): boolean {
  return isNftTable(table) && text !== undefined && !/(^| )counter( |$)/.test(text);
}
