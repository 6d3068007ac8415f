/**
 * "Export": a small dialog from the header with the view as a PNG or SVG image, the current flow
 * as a GIF animation or a WebM video (one frame per step at the level of detail), and the flow's
 * narration as Markdown. The work itself (and its encoders) is loaded when an export starts.
 * Long exports show their progress and can be cancelled; a failure is said in words.
 */
import { useEffect, useId, useRef, useState } from "react";
import { LEVELS, type Level } from "../../store/levels";
import { useHopscope } from "../../store/store";
import type { ExportKind } from "./names";
import { diagramSize, findDiagram, flowSteps, pixelSize, screenSize, type Area } from "./plan";

const CHOICES: readonly { kind: ExportKind; label: string }[] = [
  { kind: "png", label: "PNG image" },
  { kind: "svg", label: "SVG image" },
  { kind: "gif", label: "GIF animation" },
  { kind: "webm", label: "WebM video" },
  { kind: "md", label: "Narration (Markdown)" },
];

const SCALES = [1, 2, 3] as const;

/** Saves `blob` as a download named `name`. */
function saveFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

type Run = { readonly kind: ExportKind; readonly done: number; readonly total: number; readonly abort: AbortController };
type Outcome = { readonly ok: boolean; readonly text: string };

export function ExportMenu() {
  const [open, setOpen] = useState(false);
  const [scale, setScale] = useState<number>(1);
  const [area, setArea] = useState<Area>("screen");
  const [captions, setCaptions] = useState(false);
  const [sizes, setSizes] = useState<Record<Area, { width: number; height: number }>>();
  const [place, setPlace] = useState<{ top: number; left: number; width: number }>();
  const [run, setRun] = useState<Run>();
  const [outcome, setOutcome] = useState<Outcome>();
  const ready = useHopscope((s) => s.status.kind === "ready" && s.topology !== undefined);
  // Worked out only while the dialog is open (the page's store changes often).
  const frames = useHopscope((s) => (open ? flowSteps(s.steps, s.cursor, s.level).length : 0));
  const level = useHopscope((s) => s.level);
  const step = useHopscope((s) => s.cursor + 1);
  const hasSteps = useHopscope((s) => s.steps.length > 0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const runRef = useRef<Run | undefined>(undefined);
  const titleId = useId();

  const close = () => {
    runRef.current?.abort.abort();
    setOpen(false);
    buttonRef.current?.focus();
  };

  const openMenu = () => {
    const svg = findDiagram();
    setSizes(svg ? { screen: screenSize(svg), whole: diagramSize(svg) } : undefined);
    // Below the button, kept inside the window (the header wraps on narrow screens).
    const r = buttonRef.current?.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const width = Math.min(400, vw - 16);
    if (r) setPlace({ top: r.bottom + 4, left: Math.max(8, Math.min(r.right - width, vw - width - 8)), width });
    setOutcome(undefined);
    setOpen(true);
  };

  // The first choice takes the focus when the dialog opens.
  useEffect(() => {
    if (open) dialogRef.current?.querySelector<HTMLElement>("[data-export-choice]")?.focus();
  }, [open]);

  const start = async (kind: ExportKind) => {
    if (runRef.current) return;
    const abort = new AbortController();
    const r: Run = { kind, done: 0, total: kind === "gif" || kind === "webm" ? frames : 1, abort };
    runRef.current = r;
    setRun(r);
    setOutcome(undefined);
    try {
      const { runExport, Cancelled } = await import("./run");
      try {
        const file = await runExport({
          kind,
          scale,
          area,
          captions,
          signal: abort.signal,
          onProgress: (done, total) => setRun((cur) => (cur && cur.abort === abort ? { ...cur, done, total } : cur)),
        });
        if (abort.signal.aborted) throw new Cancelled();
        saveFile(file.name, file.blob);
        setOutcome({ ok: true, text: `Saved ${file.name} (${file.summary})` });
      } catch (e) {
        if (e instanceof Cancelled) setOutcome({ ok: true, text: "Export cancelled" });
        else throw e;
      }
    } catch (e) {
      setOutcome({ ok: false, text: `Could not export: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      runRef.current = undefined;
      setRun(undefined);
    }
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== "Tab") return;
    // The focus stays in the dialog.
    const items = [...(dialogRef.current?.querySelectorAll<HTMLElement>("button:not([disabled]), select:not([disabled]), input:not([disabled])") ?? [])];
    if (!items.length) return;
    const first = items[0]!;
    const last = items.at(-1)!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  const describe = (kind: ExportKind): string => {
    const size = sizes ? pixelSize(sizes[area], kind, scale) : undefined;
    // No line breaks inside a size or a count.
    const px = size ? `${size.width}\u00a0×\u00a0${size.height}\u00a0px` : "";
    const n = `${frames}\u00a0${frames === 1 ? "frame" : "frames"}`;
    switch (kind) {
      case "png":
        return `This step (${step}), ${px}`;
      case "svg":
        return `This step (${step}), vector, ${px}`;
      case "gif":
        return `This flow, ${n}, ${px}`;
      case "webm":
        return `This flow, ${n}, ${px}`;
      case "md":
        return `This flow's ${frames} ${frames === 1 ? "step" : "steps"} in words`;
    }
  };

  const btn = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100 disabled:opacity-50";
  return (
    <div>
      <button
        ref={buttonRef}
        type="button"
        className={btn}
        aria-haspopup="dialog"
        aria-expanded={open}
        disabled={!ready}
        onClick={() => (open ? close() : openMenu())}
        data-testid="export"
      >
        Export
      </button>
      {open && (
        <>
          <div className="fixed inset-0 z-30" aria-hidden="true" onClick={() => !run && close()} />
          <div
            ref={dialogRef}
            role="dialog"
            aria-modal="true"
            aria-labelledby={titleId}
            onKeyDown={onKeyDown}
            style={place && { top: place.top, left: place.left, width: place.width, maxHeight: `calc(100vh - ${place.top + 8}px)` }}
            className="fixed z-40 overflow-y-auto rounded border border-slate-300 bg-white p-3 text-sm text-slate-900 shadow-xl"
            data-testid="export-dialog"
          >
            <div className="mb-2 flex items-center justify-between gap-2">
              <h2 id={titleId} className="font-semibold">
                Export
              </h2>
              <button type="button" className="rounded px-2 py-0.5 text-slate-600 hover:bg-slate-100" onClick={close} aria-label="Close export">
                ✕
              </button>
            </div>
            <div className="mb-3 flex flex-wrap gap-3">
              <label className="flex items-center gap-1">
                <span className="text-slate-600">Area</span>
                <select className="rounded border border-slate-300 bg-white px-1 py-0.5" value={area} disabled={run !== undefined} onChange={(e) => setArea(e.target.value as Area)} data-testid="export-area">
                  <option value="screen">the view as on screen</option>
                  <option value="whole">the whole diagram</option>
                </select>
              </label>
              <label className="flex items-center gap-1">
                <span className="text-slate-600">Scale</span>
                <select className="rounded border border-slate-300 bg-white px-1 py-0.5" value={scale} disabled={run !== undefined} onChange={(e) => setScale(Number(e.target.value))} data-testid="export-scale">
                  {SCALES.map((s) => (
                    <option key={s} value={s}>
                      {s}×
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-1">
                <span className="text-slate-600">Level of detail</span>
                <select
                  className="rounded border border-slate-300 bg-white px-1 py-0.5"
                  value={level}
                  disabled={run !== undefined}
                  onChange={(e) => useHopscope.getState().setLevel(e.target.value as Level)}
                  data-testid="export-level"
                >
                  {LEVELS.map((l) => (
                    <option key={l} value={l}>
                      {l}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <label className="mb-3 flex items-center gap-2">
              <input type="checkbox" checked={captions} disabled={run !== undefined} onChange={(e) => setCaptions(e.target.checked)} data-testid="export-captions" />
              <span>Captions on animation frames (the step and its sentence)</span>
            </label>
            <ul className="space-y-1">
              {CHOICES.map((c) => {
                const id = `${titleId}-${c.kind}`;
                return (
                  <li key={c.kind} className="flex items-center gap-2">
                    <button
                      type="button"
                      className={`${btn} w-44 shrink-0 text-left`}
                      disabled={run !== undefined || !hasSteps}
                      aria-describedby={id}
                      onClick={() => void start(c.kind)}
                      data-export-choice=""
                      data-testid={`export-${c.kind}`}
                    >
                      {c.label}
                    </button>
                    <span id={id} className="text-xs text-slate-600">
                      {describe(c.kind)}
                    </span>
                  </li>
                );
              })}
            </ul>
            {!hasSteps && <p className="mt-2 text-xs text-slate-600">Nothing to export yet: the scenario has no traffic.</p>}
            {run && (
              <div className="mt-3 flex items-center gap-2" data-testid="export-progress">
                <progress className="h-2 flex-1" max={run.total} value={run.done} aria-label="Export progress" />
                <span className="text-xs tabular-nums text-slate-600">
                  {run.total > 1 ? `frame ${run.done} of ${run.total}` : "working…"}
                </span>
                <button type="button" className={btn} onClick={() => run.abort.abort()}>
                  Cancel
                </button>
              </div>
            )}
            <p role="status" className="mt-2 text-xs text-emerald-700" data-testid="export-outcome">
              {outcome?.ok ? outcome.text : ""}
            </p>
            {outcome?.ok === false && (
              <p role="alert" className="mt-1 rounded bg-red-50 p-2 text-xs text-red-800" data-testid="export-error">
                {outcome.text}
              </p>
            )}
          </div>
        </>
      )}
    </div>
  );
}
