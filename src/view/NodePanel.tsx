/** One node's nat rules with their counters, and its conntrack table, as of the current step. */
import { useMemo } from "react";
import type { FlatStep } from "../store/store";
import type { NodeRule } from "../worker/protocol";
import { nodeView } from "./nodeState";

export function NodePanel({ node, nodes, onNode, rules, steps, cursor }: { node: string; nodes: readonly string[]; onNode: (n: string) => void; rules: readonly NodeRule[]; steps: readonly FlatStep[]; cursor: number }) {
  const view = useMemo(() => nodeView(steps, cursor, node), [steps, cursor, node]);
  return (
    <div className="flex h-full min-h-0 flex-col text-xs" data-testid="node-panel">
      <div className="flex items-center gap-2 border-b border-slate-200 px-3 py-1.5">
        <label className="flex items-center gap-1 font-semibold">
          Node
          <select value={node} onChange={(e) => onNode(e.target.value)} className="rounded border border-slate-300 bg-white px-1 py-0.5 font-normal" data-testid="node-picker">
            {nodes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <span className="text-slate-500">iptables -t nat -L -v and conntrack -L after this step</span>
      </div>
      <div className="grid min-h-0 flex-1 grid-cols-2 gap-3 overflow-hidden p-2">
        <div className="min-h-0 overflow-auto">
          <table className="w-full font-mono text-[11px]" data-testid="nat-rules">
            <thead>
              <tr className="text-left text-slate-500">
                <th className="pr-2 text-right font-normal">pkts</th>
                <th className="pr-2 text-right font-normal">bytes</th>
                <th className="font-normal">rule</th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => {
                const key = `${r.chain}#${r.index}`;
                const c = view.counters.get(key) ?? { pkts: 0, bytes: 0 };
                const now = view.changedNow.has(key);
                return (
                  <tr key={key} className={now ? "bg-amber-200" : c.pkts > 0 ? "bg-amber-50" : ""} data-rule={key} data-pkts={c.pkts}>
                    <td className="pr-2 text-right align-top">{c.pkts}</td>
                    <td className="pr-2 text-right align-top">{c.bytes}</td>
                    <td className="break-all">{r.rule}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div className="min-h-0 overflow-auto">
          {view.conntrack.length === 0 ? (
            <p className="text-slate-500" data-testid="conntrack-table">No conntrack entries yet.</p>
          ) : (
            <ul className="space-y-1 font-mono text-[11px]" data-testid="conntrack-table">
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
