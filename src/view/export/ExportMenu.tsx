/**
 * "Export": a small dialog from the header with the view as a PNG or SVG image, the current flow
 * as a GIF animation or a WebM video (one frame per step at the level of detail), and the flow's
 * narration as Markdown. The work itself (and its encoders) is loaded when an export starts.
 * Long exports show their progress and can be cancelled; a failure is said in words.
 */
import { useEffect, useId, useRef, useState } from "react";
import { LEVELS, type Level } from "../../store/levels";
import { useT } from "../../i18n/use";
import { useHopscope } from "../../store/store";
import { exportText } from "./i18n";
import type { ExportKind } from "./names";
import { diagramSize, findDiagram, flowSteps, pixelSize, screenSize, type Area } from "./plan";
import { keepTabInside, saveFile } from "../dom";

/** The choices in order; each is labelled by its kind's catalog entry. */
const CHOICES: readonly ExportKind[] = ["png", "svg", "gif", "webm", "md"];

const SCALES = [1, 2, 3] as const;

type Run = { readonly kind: ExportKind; readonly done: number; readonly total: number; readonly abort: AbortController };
type Outcome = { readonly ok: boolean; readonly text: string };

export function ExportMenu() {
  const t = useT(exportText);
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
        setOutcome({ ok: true, text: t.saved({ name: file.name, summary: file.summary }) });
      } catch (e) {
        if (e instanceof Cancelled) setOutcome({ ok: true, text: t.cancelled });
        else throw e;
      }
    } catch (e) {
      setOutcome({ ok: false, text: t.failed({ message: e instanceof Error ? e.message : String(e) }) });
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
    // The focus stays in the dialog.
    keepTabInside(e, dialogRef.current);
  };

  const describe = (kind: ExportKind): string => {
    const size = sizes ? pixelSize(sizes[area], kind, scale) : undefined;
    // No line breaks inside a size or a count.
    const px = size ? `${size.width}\u00a0×\u00a0${size.height}\u00a0px` : "";
    const n = t.frames({ n: frames });
    switch (kind) {
      case "png":
        return t.thisStep({ step, px });
      case "svg":
        return t.thisStepVector({ step, px });
      case "gif":
        return t.thisFlow({ frames: n, px });
      case "webm":
        return t.thisFlow({ frames: n, px });
      case "md":
        return t.inWords({ n: frames });
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
        {t.export}
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
                {t.export}
              </h2>
              <button type="button" className="rounded px-2 py-0.5 text-slate-600 hover:bg-slate-100" onClick={close} aria-label={t.close}>
                ✕
              </button>
            </div>
            <div className="mb-3 flex flex-wrap gap-3">
              <label className="flex items-center gap-1">
                <span className="text-slate-600">{t.area}</span>
                <select className="rounded border border-slate-300 bg-white px-1 py-0.5" value={area} disabled={run !== undefined} onChange={(e) => setArea(e.target.value as Area)} data-testid="export-area">
                  <option value="screen">{t.areaScreen}</option>
                  <option value="whole">{t.areaWhole}</option>
                </select>
              </label>
              <label className="flex items-center gap-1">
                <span className="text-slate-600">{t.scale}</span>
                <select className="rounded border border-slate-300 bg-white px-1 py-0.5" value={scale} disabled={run !== undefined} onChange={(e) => setScale(Number(e.target.value))} data-testid="export-scale">
                  {SCALES.map((s) => (
                    <option key={s} value={s}>
                      {s}×
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-1">
                <span className="text-slate-600">{t.level}</span>
                <select
                  className="rounded border border-slate-300 bg-white px-1 py-0.5"
                  value={level}
                  disabled={run !== undefined}
                  onChange={(e) => useHopscope.getState().setLevel(e.target.value as Level)}
                  data-testid="export-level"
                >
                  {LEVELS.map((l) => (
                    <option key={l} value={l}>
                      {t.levelName({ level: l })}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <label className="mb-3 flex items-center gap-2">
              <input type="checkbox" checked={captions} disabled={run !== undefined} onChange={(e) => setCaptions(e.target.checked)} data-testid="export-captions" />
              <span>{t.captions}</span>
            </label>
            <ul className="space-y-1">
              {CHOICES.map((kind) => {
                const id = `${titleId}-${kind}`;
                return (
                  <li key={kind} className="flex items-center gap-2">
                    <button
                      type="button"
                      className={`${btn} w-44 shrink-0 text-left`}
                      disabled={run !== undefined || !hasSteps}
                      aria-describedby={id}
                      onClick={() => void start(kind)}
                      data-export-choice=""
                      data-testid={`export-${kind}`}
                    >
                      {t[kind]}
                    </button>
                    <span id={id} className="text-xs text-slate-600">
                      {describe(kind)}
                    </span>
                  </li>
                );
              })}
            </ul>
            {!hasSteps && <p className="mt-2 text-xs text-slate-600">{t.nothing}</p>}
            {run && (
              <div className="mt-3 flex items-center gap-2" data-testid="export-progress">
                <progress className="h-2 flex-1" max={run.total} value={run.done} aria-label={t.progress} />
                <span className="text-xs tabular-nums text-slate-600">
                  {run.total > 1 ? t.frameOf({ done: run.done, total: run.total }) : t.working}
                </span>
                <button type="button" className={btn} onClick={() => run.abort.abort()}>
                  {t.cancel}
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
