/**
 * Two versions of a scenario side by side — before and after an edit, a fault on and off, two
 * scenarios — traced each on its own, aligned hop by hop (compare.ts), with the first place they
 * part highlighted and named in a sentence. A long comparison shows a window of rows around
 * that place, paged earlier and later, so the page never holds more than a few hundred rows.
 */
import { useEffect, useMemo, useRef, useState, type JSX, type Ref } from "react";
import { endpoints, type Step, type Trace } from "../engine/trace";
import type { InvalidResult, TraceResult } from "../worker/protocol";
import { alignTraces, firstDivergence, type Row } from "./compare";
import { useLang, useT } from "../i18n/use";
import { COMPARE, HOPS } from "./i18n/page";
import { KIND_COLOUR } from "./HopList";

export interface Version {
  readonly key: string;
  readonly label: string;
  readonly source: { readonly id: string } | { readonly spec: unknown };
}

export interface CompareProps {
  /** What can be picked: history entries, built-ins, a fault on and off. */
  readonly versions: readonly Version[];
  /** The keys of the two versions picked first (else the first two versions). */
  readonly initial?: readonly [string, string];
  /** Traces a version on its own (the worker's `trace` request). */
  readonly trace: (source: Version["source"]) => Promise<TraceResult | InvalidResult>;
  readonly onClose: () => void;
}

/** A version's trace as it stands: asked for, traced, refused, or failed. */
type Outcome =
  | { readonly kind: "trace"; readonly title: string; readonly trace: Trace }
  | { readonly kind: "invalid"; readonly issues: InvalidResult["issues"] }
  | { readonly kind: "error"; readonly message: string };

/** Up to this many rows are shown at once; a longer comparison is paged. */
export const SHOWN_ROWS = 250;
/** How many rows a page button adds. */
const PAGE = 100;
/** Rows shown above the divergence when a comparison opens. */
const BEFORE_DIVERGENCE = 30;


const btn = "rounded border border-slate-300 bg-white px-2.5 py-1 text-sm hover:bg-slate-100 disabled:opacity-40";

/** What a version's trace is cached by: its key and what it traces (an edited document changes under the same key). */
function cacheKey(v: Version): string {
  if ("id" in v.source) return `${v.key}\u0000id:${v.source.id}`;
  try {
    return `${v.key}\u0000spec:${JSON.stringify(v.source.spec)}`;
  } catch {
    return `${v.key}\u0000spec`;
  }
}

/** The window of rows shown: all of them when few, else from a little above the divergence. */
function defaultWindow(count: number, at: number | undefined): { start: number; end: number } {
  if (count <= SHOWN_ROWS) return { start: 0, end: count };
  const start = Math.max(0, Math.min(count - SHOWN_ROWS, (at ?? 0) - BEFORE_DIVERGENCE));
  return { start, end: start + SHOWN_ROWS };
}

export function Compare({ versions, initial, trace, onClose }: CompareProps): JSX.Element {
  const t = useT(COMPARE);
  const [picks, setPicks] = useState<readonly [string, string]>(() => initial ?? [versions[0]?.key ?? "", versions[1]?.key ?? versions[0]?.key ?? ""]);
  const [outcomes, setOutcomes] = useState<ReadonlyMap<string, Outcome>>(() => new Map());
  const pending = useRef(new Set<string>());
  const first = versions.find((v) => v.key === picks[0]);
  const second = versions.find((v) => v.key === picks[1]);
  const firstKey = useMemo(() => first && cacheKey(first), [first]);
  const secondKey = useMemo(() => second && cacheKey(second), [second]);

  // Trace each picked version once. Results are kept by version, so a pick that changes while
  // its trace is pending shows the newer pick's, and the older one's lands in the cache unseen.
  useEffect(() => {
    const wanted: [Version | undefined, string | undefined][] = [
      [first, firstKey],
      [second, secondKey],
    ];
    for (const [v, key] of wanted) {
      if (!v || key === undefined || outcomes.has(key) || pending.current.has(key)) continue;
      pending.current.add(key);
      const settle = (o: Outcome) => {
        pending.current.delete(key);
        setOutcomes((m) => new Map(m).set(key, o));
      };
      let answer: Promise<TraceResult | InvalidResult>;
      try {
        answer = trace(v.source);
      } catch (e) {
        answer = Promise.reject(e);
      }
      answer.then(
        (r) => settle(r.kind === "trace" ? { kind: "trace", title: r.scenario.title, trace: r.trace } : { kind: "invalid", issues: r.issues }),
        (e: unknown) => settle({ kind: "error", message: e instanceof Error ? e.message : String(e) }),
      );
    }
  }, [first, firstKey, second, secondKey, outcomes, trace]);

  // Escape closes, wherever the focus is.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !e.defaultPrevented) {
        e.preventDefault();
        onClose();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  // Focus the first picker when the panel opens, for the keyboard.
  const firstSelect = useRef<HTMLSelectElement>(null);
  useEffect(() => firstSelect.current?.focus(), []);

  const sides = [firstKey === undefined ? undefined : outcomes.get(firstKey), secondKey === undefined ? undefined : outcomes.get(secondKey)] as const;
  const traceA = sides[0]?.kind === "trace" ? sides[0].trace : undefined;
  const traceB = sides[1]?.kind === "trace" ? sides[1].trace : undefined;
  const labelA = first?.label ?? "first";
  const labelB = second?.label ?? "second";
  // The sentence names each side by its label; two versions of one name are told apart.
  const labels = useMemo<readonly [string, string]>(() => (labelA === labelB ? [`${labelA} (first)`, `${labelB} (second)`] : [labelA, labelB]), [labelA, labelB]);

  const rows = useMemo(() => (traceA && traceB ? alignTraces(traceA, traceB) : undefined), [traceA, traceB]);
  const lang = useLang();
  const divergence = useMemo(() => (rows ? firstDivergence(rows, labels, lang) : undefined), [rows, labels, lang]);
  const picked = [first, second] as const;

  return (
    <section role="region" aria-label={t.compare} className="flex h-full min-h-0 flex-col bg-white text-slate-900" data-testid="compare">
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2">
        <h2 className="text-lg font-semibold">{t.compare}</h2>
        {([t.first, t.second] as const).map((name, i) => (
          <label key={name} className="flex min-w-0 items-center gap-2 text-sm">
            <span className="shrink-0 text-slate-600">{name}</span>
            <select
              ref={i === 0 ? firstSelect : undefined}
              className="min-w-0 max-w-[16rem] rounded border border-slate-300 bg-white px-2 py-1"
              value={picks[i]}
              onChange={(e) => {
                const key = e.target.value;
                setPicks((p) => (i === 0 ? [key, p[1]] : [p[0], key]));
              }}
              data-testid={i === 0 ? "compare-first" : "compare-second"}
            >
              {!picked[i] && <option value={picks[i]}>{t.pickOption}</option>}
              {versions.map((v) => (
                <option key={v.key} value={v.key}>
                  {v.label}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button type="button" className={`${btn} ml-auto`} onClick={onClose} aria-label={t.closeName} data-testid="compare-close">
          {t.close}
        </button>
      </div>

      <div className="grid grid-cols-2 gap-3 border-b border-slate-200 px-4 py-2 text-sm">
        {sides.map((o, i) => (
          <SideStatus
            key={i}
            which={i === 0 ? "first" : "second"}
            label={labels[i]!}
            picked={!!picked[i]}
            outcome={o}
            onRetry={() => {
              const key = i === 0 ? firstKey : secondKey;
              if (key !== undefined) setOutcomes((m) => new Map([...m].filter(([k]) => k !== key)));
            }}
          />
        ))}
      </div>

      {rows && (
        <>
          <p role="status" className={`px-4 py-2 text-sm font-medium ${divergence ? "bg-amber-50 text-amber-950" : "text-emerald-800"}`} data-testid="divergence">
            {divergence ? divergence.text : t.same}
          </p>
          <RowTable key={`${firstKey}|${secondKey}`} rows={rows} labels={labels} divergence={divergence?.index} />
        </>
      )}
    </section>
  );
}

/** One version's state under its picker: tracing, traced, or why it could not be. */
function SideStatus({ which, label, picked, outcome, onRetry }: { which: "first" | "second"; label: string; picked: boolean; outcome: Outcome | undefined; onRetry: () => void }) {
  const t = useT(COMPARE);
  const testid = `compare-${which}-status`;
  if (!picked) return <p className="text-slate-500" data-testid={testid}>{t.pick}</p>;
  if (!outcome) {
    return (
      <p className="text-slate-600" data-testid={testid} aria-live="polite">
        {t.tracing}
      </p>
    );
  }
  if (outcome.kind === "trace") {
    const steps = outcome.trace.flows.reduce((n, f) => n + f.steps.length, 0);
    return (
      <p className="min-w-0 truncate text-slate-600" title={`${label}: ${outcome.title}`} data-testid={testid}>
        {t.traced({ title: outcome.title, flows: outcome.trace.flows.length, steps })}
      </p>
    );
  }
  return (
    <div role="alert" className="min-w-0 rounded border border-red-300 bg-red-50 p-2 text-red-800" data-testid={testid}>
      {outcome.kind === "invalid" ? (
        <>
          <p className="font-medium">{t.invalid({ label })}</p>
          <ul className="mt-1 list-disc space-y-0.5 pl-5 text-xs">
            {outcome.issues.map((x, k) => (
              <li key={k} className="break-words">
                {x.path && <span className="font-mono">{x.path}: </span>}
                {x.message}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <p className="break-words">
            {t.failed({ label, message: outcome.message })}
          </p>
          <button type="button" className={`${btn} mt-1`} onClick={onRetry} data-testid={`compare-${which}-retry`}>
            {t.retry}
          </button>
        </>
      )}
    </div>
  );
}

/** The rows, a window at a time, with the divergence highlighted and scrolled to. */
function RowTable({ rows, labels, divergence }: { rows: readonly Row[]; labels: readonly [string, string]; divergence: number | undefined }) {
  const t = useT(COMPARE);
  // A window the reader paged to; the default (around the divergence) until then.
  const [paged, setPaged] = useState<{ start: number; end: number }>();
  const { start, end } = paged ?? defaultWindow(rows.length, divergence);
  const box = useRef<HTMLDivElement>(null);
  const divRow = useRef<HTMLTableRowElement>(null);

  // The divergence scrolls into view inside the table's box when the comparison appears, and
  // when the reader goes back to it; not while they page.
  useEffect(() => {
    const el = box.current;
    const tr = divRow.current;
    if (paged || !el || !tr) return;
    if (el.scrollHeight > el.clientHeight) {
      el.scrollTop = Math.max(0, tr.getBoundingClientRect().top - el.getBoundingClientRect().top + el.scrollTop - el.clientHeight / 3);
    } else if (typeof tr.scrollIntoView === "function") {
      tr.scrollIntoView({ block: "nearest" });
    }
  }, [divergence, paged]);

  const earlier = () => setPaged({ start: Math.max(0, start - PAGE), end: Math.min(end, Math.max(0, start - PAGE) + SHOWN_ROWS) });
  const later = () => {
    const e = Math.min(rows.length, end + PAGE);
    setPaged({ start: Math.max(start, e - SHOWN_ROWS), end: e });
  };
  const windowed = rows.length > SHOWN_ROWS;
  const shown = rows.slice(start, end);
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      {windowed && (
        <div className="flex flex-wrap items-center gap-2 px-4 py-1 text-xs text-slate-600">
          <span data-testid="compare-window">
            {t.rows({ start: start + 1, end, total: rows.length })}
          </span>
          <button type="button" className={btn} onClick={earlier} disabled={start === 0} data-testid="compare-earlier">
            {t.earlier}
          </button>
          <button type="button" className={btn} onClick={later} disabled={end === rows.length} data-testid="compare-later">
            {t.later}
          </button>
          {divergence !== undefined && (divergence < start || divergence >= end) && (
            <button type="button" className={btn} onClick={() => setPaged(undefined)}>
              {t.back}
            </button>
          )}
        </div>
      )}
      <div ref={box} className="min-h-0 flex-1 overflow-auto" tabIndex={0} aria-label={t.table} data-testid="compare-rows">
        <table className="w-full min-w-[22rem] table-fixed border-collapse text-xs">
          <thead className="sticky top-0 z-10 bg-white text-left">
            <tr className="border-b border-slate-200">
              <th scope="col" className="w-1/2 px-2 py-1 font-semibold">
                {labels[0]}
              </th>
              <th scope="col" className="w-1/2 px-2 py-1 font-semibold">
                {labels[1]}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r, k) => {
              const i = start + k;
              const header = k === 0 || rows[i - 1]!.pair !== r.pair;
              const isDivergence = i === divergence;
              return (
                <FlowRows key={i} row={r} header={header} highlight={isDivergence} rowRef={isDivergence ? divRow : undefined} />
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function FlowRows({ row, header, highlight, rowRef }: { row: Row; header: boolean; highlight: boolean; rowRef: Ref<HTMLTableRowElement> | undefined }) {
  const t = useT(COMPARE);
  const tone = highlight ? "bg-amber-200 ring-2 ring-inset ring-amber-500" : row.same ? "" : "bg-amber-50";
  return (
    <>
      {header && (
        <tr data-testid="compare-flow">
          <th colSpan={2} scope="colgroup" className="bg-slate-50 px-2 pt-2 pb-1 text-left font-semibold uppercase tracking-wide text-slate-500">
            {row.flow}
          </th>
        </tr>
      )}
      <tr ref={rowRef} className={`border-b border-slate-100 align-top ${tone}`} data-same={row.same ? "yes" : "no"} data-testid={highlight ? "divergence-row" : undefined}>
        <Cell step={row.left} note={highlight ? t.firstDivergence : undefined} />
        <Cell step={row.right} />
      </tr>
    </>
  );
}

/** Where a step happened: node[/pod], then the interface and direction. */
function place(s: Step, dirWord: (dir: string) => string): string {
  return `${s.node}${s.pod ? `/${s.pod}` : ""}${s.iface ? ` · ${s.iface} ${s.dir ? dirWord(s.dir) : ""}`.trimEnd() : ""}`;
}

/** What a cell says about the step: the packet for a frame or a rewrite, the reason for a drop, else its text. */
function summary(s: Step): string {
  switch (s.kind) {
    case "wire":
      // A tunnel's datagram: the outer header, then the packet it carries.
      return s.packet.inner ? `${endpoints(s.packet)} [VXLAN VNI ${s.packet.vni ?? "?"}: ${endpoints(s.packet.inner)}]` : endpoints(s.packet);
    case "nat":
      return `${s.detail.type}: ${endpoints(s.detail.after)}`;
    case "drop":
      return `dropped: ${s.detail.reason}`;
    case "deliver":
      return `delivered: ${endpoints(s.packet)}`;
    default:
      return s.text;
  }
}

function Cell({ step, note }: { step: Step | undefined; note?: string | undefined }) {
  const t = useT(COMPARE);
  const kind = HOPS[useLang()].kind;
  if (!step) {
    return (
      <td className="px-1.5 py-1 text-slate-500 italic sm:px-2">
        {note && <span className="sr-only">{note}: </span>}
        {t.noHop}
      </td>
    );
  }
  return (
    <td className="px-1.5 py-1 break-words sm:px-2" title={step.text}>
      {note && <span className="sr-only">{note}: </span>}
      <div>
        <span className={`mr-1 font-mono ${KIND_COLOUR[step.kind] ?? ""}`}>{kind({ kind: step.kind })}</span>
        <span className="text-slate-600">{place(step, (dir) => t.dir({ dir }))}</span>
      </div>
      <div className={step.kind === "drop" ? "text-red-800" : step.kind === "wire" || step.kind === "nat" ? "font-mono" : ""}>{summary(step)}</div>
    </td>
  );
}
