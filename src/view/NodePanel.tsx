/**
 * One node's nat and filter rules with their counters, and its conntrack table, as of the
 * current step. By default the panel shows the node where the step happens; picking a node pins
 * it until "Follow the packet" is pressed again.
 */
import { useEffect, useMemo, useRef } from "react";
import type { FlatStep } from "../store/store";
import type { NodeRule } from "../worker/protocol";
import { nodeView, ruleKey } from "./nodeState";
import { useT } from "../i18n/use";
import { NODE } from "./i18n/page";

export function NodePanel({
  node,
  nodes,
  pinned,
  onPin,
  rules,
  steps,
  cursor,
}: {
  node: string;
  nodes: readonly string[];
  /** Whether the user picked this node (else the panel follows the packet). */
  pinned: boolean;
  /** A node to pin, or undefined to follow the packet again. */
  onPin: (n: string | undefined) => void;
  /** The node's rules, or undefined while they are fetched. */
  rules: readonly NodeRule[] | undefined;
  steps: readonly FlatStep[];
  cursor: number;
}) {
  const t = useT(NODE);
  const view = useMemo(() => nodeView(steps, cursor, node), [steps, cursor, node]);
  const focusRow = useRef<HTMLTableRowElement>(null);
  const rulesBox = useRef<HTMLDivElement>(null);
  const focusKey = [...view.decidedNow, ...view.changedNow][0];
  // The rule in view inside the rules' own box: the page around it does not move.
  useEffect(() => {
    const row = focusRow.current;
    const box = rulesBox.current;
    if (!row || !box) return;
    const top = row.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + row.offsetHeight > box.scrollTop + box.clientHeight) box.scrollTop = top + row.offsetHeight - box.clientHeight;
  }, [focusKey, node, rules]);
  const tables = useMemo(() => {
    const by = new Map<string, NodeRule[]>();
    for (const r of rules ?? []) by.set(r.table, [...(by.get(r.table) ?? []), r]);
    return [...by.entries()];
  }, [rules]);
  return (
    <div className="flex h-full min-h-0 flex-col text-xs" data-testid="node-panel">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-1.5">
        <label className="flex items-center gap-1 font-semibold">
          {t.node}
          <select value={node} onChange={(e) => onPin(e.target.value)} className="rounded border border-slate-300 bg-white px-1 py-0.5 font-normal" data-testid="node-picker">
            {nodes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          aria-pressed={!pinned}
          onClick={() => onPin(pinned ? undefined : node)}
          className={`rounded border px-1.5 py-0.5 ${pinned ? "border-slate-300 bg-white" : "border-sky-400 bg-sky-50 text-sky-800"}`}
          data-testid="follow-packet"
        >
          {t.follow}
        </button>
        <span className="text-slate-500">{t.what}</span>
      </div>
      <div className="grid min-h-0 flex-1 grid-cols-2 gap-3 overflow-hidden p-2">
        <div ref={rulesBox} className="min-h-0 overflow-auto" data-testid="node-rules">
          {rules === undefined ? (
            <p className="text-slate-500">{t.reading({ node })}</p>
          ) : tables.length === 0 ? (
            <p className="text-slate-500" data-testid="no-rules">
              {t.noRules({ node })}
            </p>
          ) : (
            tables.map(([table, list]) => (
              <table key={table} className="mb-2 w-full font-mono text-[0.6875rem]" data-testid={`${table}-rules`}>
                <caption className="text-left font-sans font-semibold text-slate-600">{t.table({ table })}</caption>
                <thead>
                  <tr className="text-left text-slate-500">
                    <th className="pr-2 text-right font-normal">pkts</th>
                    <th className="pr-2 text-right font-normal">bytes</th>
                    <th className="font-normal">{t.rule}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((r) => {
                    const key = ruleKey(r.table, r.chain, r.index);
                    const c = view.counters.get(key) ?? { pkts: 0, bytes: 0 };
                    const now = view.changedNow.has(key);
                    const decided = view.decidedNow.has(key);
                    return (
                      <tr
                        key={key}
                        ref={key === focusKey ? focusRow : undefined}
                        className={decided ? "bg-orange-200 ring-1 ring-orange-400" : now ? "bg-amber-200" : c.pkts > 0 ? "bg-amber-50" : ""}
                        data-rule={`${r.chain}#${r.index}`}
                        data-table={r.table}
                        data-pkts={c.pkts}
                        data-now={now ? "matched" : decided ? "decided" : undefined}
                      >
                        <td className="pr-2 text-right align-top">{c.pkts}</td>
                        <td className="pr-2 text-right align-top">{c.bytes}</td>
                        <td className="break-all">
                          {r.rule}
                          {decided && <span className="ml-1 font-sans text-orange-800">{t.decided}</span>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            ))
          )}
        </div>
        <div className="min-h-0 overflow-auto">
          {view.unconfirmedNow && (
            <p className="mb-1 rounded bg-sky-50 p-1 text-sky-900" data-testid="conntrack-unconfirmed">
              {t.unconfirmed}
            </p>
          )}
          {view.conntrack.length === 0 ? (
            <p className="text-slate-500" data-testid="conntrack-table">{t.noEntries}</p>
          ) : (
            <ul className="space-y-1 font-mono text-[0.6875rem]" data-testid="conntrack-table">
              {view.conntrack.map((line) => (
                <li key={line} className={`whitespace-pre-wrap break-all rounded px-1 ${line === view.conntrackNow ? "bg-amber-200" : "bg-slate-100"}`}>
                  {line}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}
