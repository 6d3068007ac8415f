/**
 * Every step as text: the diagram's text alternative, and a way to jump to any hop. A long
 * trace (a shell session's hundreds of pings) is drawn in a window: only the rows in view are in
 * the page, each one line high, so a trace of tens of thousands of steps scrolls and steps as
 * fast as a short one.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { placeOf } from "../store/levels";
import type { FlatStep } from "../store/store";
import type { Lang } from "../i18n/lang";
import { useLang } from "../i18n/use";
import { HOPS } from "./i18n/page";
import { inNextFrame } from "./windowing";

/** A flow's outcome in the page's language ("delivered", or "dropped: " and the engine's reason). */
export function outcomeText(outcome: string, lang: Lang): string {
  const t = HOPS[lang];
  if (outcome === "delivered") return t.delivered;
  return outcome.startsWith("dropped: ") ? t.dropped + outcome.slice("dropped: ".length) : outcome;
}

/** Each step kind's colour, wherever steps are listed (the hop list, Compare). */
export const KIND_COLOUR: Record<string, string> = {
  wire: "text-sky-700",
  route: "text-slate-700",
  rule: "text-purple-700",
  nat: "text-orange-700",
  conntrack: "text-emerald-700",
  bridge: "text-teal-700",
  encap: "text-violet-700",
  deliver: "text-blue-800",
  drop: "text-red-700",
};

/** Above this many steps the list is windowed. */
export const WINDOW_ABOVE = 400;
const ROW = 22;
const OVERSCAN = 15;

type Row = { readonly header: string } | { readonly step: number };

/** A flow's name, and what started it. */
function FlowHeader({ s }: { s: FlatStep }) {
  const lang = useLang();
  return (
    <div className="mt-2 mb-1 text-slate-500" data-testid="flow-header">
      <span className="font-semibold uppercase tracking-wide">{s.flowName}</span>
      {s.origin && <span className="font-mono normal-case"> · {s.origin}</span>}
      <span className={`${s.outcome === "delivered" ? "text-emerald-700" : "text-red-700"}`}> · {outcomeText(s.outcome, lang)}</span>
    </div>
  );
}

function StepButton({ s, i, current, onPick, nowrap }: { s: FlatStep; i: number; current: boolean; onPick: (i: number) => void; nowrap?: boolean }) {
  const t = HOPS[useLang()];
  return (
    <button
      type="button"
      tabIndex={-1}
      onClick={() => onPick(i)}
      className={`w-full rounded px-1.5 py-0.5 text-left ${nowrap ? "truncate" : ""} ${current ? "bg-amber-200 ring-2 ring-amber-500" : "hover:bg-slate-100"}`}
      title={nowrap ? s.step.text : undefined}
    >
      {/* On the current step's highlight the kind takes the text's colour: an accent on amber is hard to read. */}
      <span className={`mr-1 font-mono ${current ? "font-semibold" : (KIND_COLOUR[s.step.kind] ?? "")}`}>{t.kind({ kind: s.step.kind })}</span>
      {s.step.text}
    </button>
  );
}

interface ListProps {
  steps: readonly FlatStep[];
  /** The steps listed: the current level's (indices into steps). */
  shown: readonly number[];
  cursor: number;
  onPick: (i: number) => void;
}

/** The listed steps, and which of them is current: the cursor's, or the level's last one before it. */
export function HopList(props: Omit<ListProps, "cursor"> & { cursor: number }) {
  const current = props.shown.length ? props.shown[placeOf(props.shown, props.cursor)]! : -1;
  return props.shown.length > WINDOW_ABOVE ? <WindowedList {...props} cursor={current} /> : <FullList {...props} cursor={current} />;
}

function FullList({ steps, shown, cursor, onPick }: ListProps) {
  const t = HOPS[useLang()];
  const current = useRef<HTMLLIElement>(null);
  const box = useRef<HTMLOListElement>(null);
  // The current step scrolls into view inside the list only: the page and the panel around it
  // stay where the reader put them (scrollIntoView would move every scrolling ancestor).
  // Measured in the next frame, with the layout the browser makes for it anyway (see inNextFrame).
  useEffect(
    () =>
      inNextFrame(() => {
        const li = current.current;
        const ol = box.current;
        if (!li || !ol || ol.scrollHeight <= ol.clientHeight) return;
        if (li.offsetTop < ol.scrollTop) ol.scrollTop = li.offsetTop;
        else if (li.offsetTop + li.offsetHeight > ol.scrollTop + ol.clientHeight) ol.scrollTop = li.offsetTop + li.offsetHeight - ol.clientHeight;
      }),
    [cursor],
  );
  return (
    <ol ref={box} className="relative min-h-0 flex-1 space-y-0.5 overflow-y-auto text-xs" data-testid="hop-list" aria-label={t.list}>
      {shown.map((i, k) => {
        const s = steps[i]!;
        const header = k === 0 || steps[shown[k - 1]!]!.flow !== s.flow;
        const isCurrent = i === cursor;
        return (
          <li key={i} ref={isCurrent ? current : undefined} aria-current={isCurrent ? "step" : undefined} data-kind={s.step.kind}>
            {header && <FlowHeader s={s} />}
            <StepButton s={s} i={i} current={isCurrent} onPick={onPick} />
          </li>
        );
      })}
    </ol>
  );
}

function WindowedList({ steps, shown, cursor, onPick }: ListProps) {
  const lang = useLang();
  const box = useRef<HTMLOListElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  // One row per step, and one before each flow's first step for its name.
  const { rows, rowOfStep } = useMemo(() => {
    const rows: Row[] = [];
    const rowOfStep = new Int32Array(steps.length);
    shown.forEach((i, k) => {
      const s = steps[i]!;
      if (k === 0 || steps[shown[k - 1]!]!.flow !== s.flow) rows.push({ header: `${s.origin ? `${s.flowName} · ${s.origin}` : s.flowName} · ${outcomeText(s.outcome, lang)}` });
      rowOfStep[i] = rows.length;
      rows.push({ step: i });
    });
    return { rows, rowOfStep };
  }, [steps, shown, lang]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || 400);
    measure();
    const ro = typeof ResizeObserver === "undefined" ? undefined : new ResizeObserver(measure);
    ro?.observe(el);
    return () => ro?.disconnect();
  }, []);

  // Keep the current step in view, as the full list does.
  useEffect(() => {
    const el = box.current;
    const row = rowOfStep[cursor];
    if (!el || row === undefined) return;
    return inNextFrame(() => {
      const top = row * ROW;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW - el.clientHeight;
    });
  }, [cursor, rowOfStep]);

  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW) + OVERSCAN);
  return (
    <ol
      ref={box}
      className="relative min-h-0 flex-1 overflow-y-auto text-xs"
      style={{ minHeight: 160 }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid="hop-list"
      data-windowed="true"
      aria-label={HOPS[lang].windowed({ count: shown.length })}
    >
      <li aria-hidden="true" style={{ height: rows.length * ROW }} className="pointer-events-none" />
      {rows.slice(first, last).map((r, k) => {
        const at = first + k;
        const style = { position: "absolute" as const, top: at * ROW, left: 0, right: 0, height: ROW };
        if ("header" in r) {
          return (
            <li key={`h${at}`} style={style} className="truncate pt-1 font-semibold text-slate-500" title={r.header} data-testid="flow-header">
              {r.header}
            </li>
          );
        }
        const s = steps[r.step]!;
        const isCurrent = r.step === cursor;
        return (
          <li key={r.step} style={style} aria-current={isCurrent ? "step" : undefined} data-kind={s.step.kind}>
            <StepButton s={s} i={r.step} current={isCurrent} onPick={onPick} nowrap />
          </li>
        );
      })}
    </ol>
  );
}
