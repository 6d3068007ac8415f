/** Every step as text: the diagram's text alternative, and a way to jump to any hop. */
import { useEffect, useRef } from "react";
import type { FlatStep } from "../store/store";

const KIND_COLOUR: Record<string, string> = {
  wire: "text-sky-700",
  route: "text-slate-700",
  rule: "text-purple-700",
  nat: "text-orange-700",
  conntrack: "text-emerald-700",
  bridge: "text-teal-700",
  deliver: "text-blue-800",
  drop: "text-red-700",
};

export function HopList({ steps, cursor, onPick }: { steps: readonly FlatStep[]; cursor: number; onPick: (i: number) => void }) {
  const current = useRef<HTMLLIElement>(null);
  useEffect(() => {
    current.current?.scrollIntoView({ block: "nearest" });
  }, [cursor]);
  return (
    <ol className="space-y-0.5 text-xs" data-testid="hop-list" aria-label="Hops of the packet, in order">
      {steps.map((s, i) => {
        const header = i === 0 || steps[i - 1]!.flow !== s.flow;
        const isCurrent = i === cursor;
        return (
          <li key={i} ref={isCurrent ? current : undefined} aria-current={isCurrent ? "step" : undefined} data-kind={s.step.kind}>
            {header && <div className="mt-2 mb-1 font-semibold uppercase tracking-wide text-slate-500">{s.flowName}</div>}
            <button
              type="button"
              tabIndex={-1}
              onClick={() => onPick(i)}
              className={`w-full rounded px-1.5 py-0.5 text-left ${isCurrent ? "bg-amber-200 ring-2 ring-amber-500" : "hover:bg-slate-100"}`}
            >
              <span className={`mr-1 font-mono ${KIND_COLOUR[s.step.kind] ?? ""}`}>{s.step.kind}</span>
              {s.step.text}
            </button>
          </li>
        );
      })}
    </ol>
  );
}
