/**
 * Running an export: loaded on demand (with the encoders it loads in turn), so the page does not
 * carry it. Pictures are of the view as it is; animations and the narration are of the flow the
 * current step belongs to, one frame per step at the store's level of detail. While frames are
 * captured the store's `exporting` flag holds the packet still at each step; the reader's step is
 * put back afterwards.
 */
import { flushSync } from "react-dom";
import { useHopscope, type FlatStep } from "../../store/store";
import { exportText } from "./i18n";
import { narrationMarkdown } from "./markdown";
import { exportName, type ExportKind } from "./names";
import { areaSize, findDiagram, flowSteps, pixelSize as sized, type Area } from "./plan";
import { rasterize, serializeDiagram } from "./svg";

export interface ExportRequest {
  readonly kind: ExportKind;
  /** Device pixels per CSS pixel. */
  readonly scale: number;
  /** The view as on screen, or the whole diagram (pictures and animations alike). */
  readonly area: Area;
  /** Animations: each frame says its step ("3/6") and the step's sentence in a band at the bottom. */
  readonly captions?: boolean;
  readonly signal: AbortSignal;
  readonly onProgress: (done: number, total: number) => void;
}

export interface ExportResult {
  readonly name: string;
  readonly blob: Blob;
  /** What was saved, in words. */
  readonly summary: string;
}

/** An export the reader cancelled. */
export class Cancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/** The page language's words. */
const words = () => exportText[useHopscope.getState().lang];

function diagram(): SVGSVGElement {
  const svg = findDiagram();
  if (!svg) throw new Error(words().noDiagram);
  return svg;
}

const pixelSize = (svg: SVGSVGElement, kind: ExportKind, req: ExportRequest) => sized(areaSize(svg, req.area), kind, req.scale);

/** The current flow's steps at the store's level: indices into `steps`. */
export function flowFrames(): { frames: readonly number[]; flow: number; level: string; steps: readonly FlatStep[] } {
  const { steps, cursor, level } = useHopscope.getState();
  const here = steps[cursor];
  if (!here) throw new Error(words().noSteps);
  const frames = flowSteps(steps, cursor, level);
  return { frames, flow: here.flow, level, steps };
}

/** Shows step `i` (or the current one) with the packet standing at it, synchronously. */
function show(i?: number): void {
  flushSync(() => {
    const st = useHopscope.getState();
    st.setExporting(true);
    useHopscope.setState(i === undefined ? { playing: false } : { playing: false, cursor: i });
  });
}

/** Lets the page paint and handle input (the Cancel button) between frames. */
const breathe = () => new Promise<void>((r) => setTimeout(r, 0));

/** Runs `body` with the diagram held still, then puts the reader's step back. */
async function still<T>(body: () => Promise<T>): Promise<T> {
  const saved = useHopscope.getState().cursor;
  try {
    show();
    return await body();
  } finally {
    flushSync(() => {
      useHopscope.setState({ cursor: saved });
      useHopscope.getState().setExporting(false);
    });
  }
}

function scenarioName(): string {
  const s = useHopscope.getState().scenario;
  return s?.id ?? s?.title ?? "scenario";
}

const toBlob = (canvas: HTMLCanvasElement, type: string) =>
  new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("the browser could not encode the image"))), type));

/** Splits `text` into lines no wider than `max` as `ctx` measures them. */
function wrap(ctx: CanvasRenderingContext2D, text: string, max: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** A band across the bottom of a frame: the step's number in the flow, then its sentence (at most three lines). */
function caption(canvas: HTMLCanvasElement, counter: string, text: string, scale: number): void {
  const ctx = canvas.getContext("2d")!;
  const size = Math.max(10, Math.round(14 * scale));
  const pad = Math.round(size * 0.6);
  ctx.font = `${size}px Arial, Helvetica, "Liberation Sans", "DejaVu Sans", sans-serif`;
  const counterWidth = ctx.measureText(counter).width + pad;
  let lines = wrap(ctx, text, canvas.width - 2 * pad - counterWidth);
  if (lines.length > 3) lines = [...lines.slice(0, 2), `${lines.slice(2).join(" ").slice(0, 80)}…`];
  const lineHeight = Math.round(size * 1.3);
  const band = lines.length * lineHeight + 2 * pad;
  ctx.fillStyle = "rgba(15, 23, 42, 0.85)";
  ctx.fillRect(0, canvas.height - band, canvas.width, band);
  ctx.textBaseline = "top";
  ctx.fillStyle = "#fdba74";
  ctx.fillText(counter, pad, canvas.height - band + pad);
  ctx.fillStyle = "#ffffff";
  lines.forEach((l, i) => ctx.fillText(l, pad + counterWidth, canvas.height - band + pad + i * lineHeight));
}

/** Each frame of the flow, drawn at `width`×`height`, handed to `take` in order. */
async function eachFrame(frames: readonly number[], width: number, height: number, req: ExportRequest, take: (canvas: HTMLCanvasElement, k: number) => Promise<void> | void): Promise<void> {
  const svg = diagram();
  for (let k = 0; k < frames.length; k++) {
    if (req.signal.aborted) throw new Cancelled();
    show(frames[k]);
    const canvas = await rasterize(serializeDiagram(svg, { width, height, area: req.area }), width, height);
    if (req.captions) caption(canvas, `${k + 1}/${frames.length}`, useHopscope.getState().steps[frames[k]!]?.step.text ?? "", req.scale);
    await take(canvas, k);
    req.onProgress(k + 1, frames.length);
    await breathe();
  }
  if (req.signal.aborted) throw new Cancelled();
}

/** Seconds each step is shown in an animation: the playback speed's. */
const stepSeconds = () => 1 / (useHopscope.getState().speed || 1);

async function gif(req: ExportRequest): Promise<ExportResult> {
  const { GIFEncoder, quantize, applyPalette } = await import("gifenc");
  const { frames, flow, level } = flowFrames();
  const { width, height } = pixelSize(diagram(), "gif", req);
  const enc = GIFEncoder();
  const delay = Math.round(stepSeconds() * 1000);
  await still(() =>
    eachFrame(frames, width, height, req, (canvas) => {
      const rgba = canvas.getContext("2d")!.getImageData(0, 0, width, height).data;
      const palette = quantize(rgba, 256);
      enc.writeFrame(applyPalette(rgba, palette), width, height, { palette, delay, repeat: 0 });
    }),
  );
  enc.finish();
  const bytes = enc.bytes();
  return {
    name: exportName(scenarioName(), "gif", { flow: flow + 1, level }),
    blob: new Blob([bytes.slice().buffer], { type: "image/gif" }),
    summary: words().summaryFrames({ n: frames.length, width, height }),
  };
}

async function webm(req: ExportRequest): Promise<ExportResult> {
  const { webmWriter } = await import("./webm");
  const { frames, flow, level } = flowFrames();
  const { width, height } = pixelSize(diagram(), "webm", req);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d")!;
  const video = await webmWriter(canvas, stepSeconds(), words());
  let buffer: ArrayBuffer;
  try {
    await still(() =>
      eachFrame(frames, width, height, req, async (frame, k) => {
        ctx.drawImage(frame, 0, 0);
        await video.add(k);
      }),
    );
    buffer = await video.finish();
  } catch (e) {
    await video.cancel().catch(() => undefined);
    throw e;
  }
  return {
    name: exportName(scenarioName(), "webm", { flow: flow + 1, level }),
    blob: new Blob([buffer], { type: "video/webm" }),
    summary: words().summaryFrames({ n: frames.length, width, height }),
  };
}

function markdown(): ExportResult {
  const { frames, flow, level, steps } = flowFrames();
  const first = steps[frames[0] ?? 0]!;
  const scenario = useHopscope.getState().scenario;
  const text = narrationMarkdown({
    scenarioTitle: scenario?.title ?? scenarioName(),
    ...(scenario?.description && { description: scenario.description }),
    flowName: first.flowName,
    ...(first.origin !== undefined && { origin: first.origin }),
    outcome: first.outcome,
    level,
    steps: frames.map((i) => steps[i]!.step),
    lang: useHopscope.getState().lang,
  });
  return {
    name: exportName(scenarioName(), "md", { flow: flow + 1, level }),
    blob: new Blob([text], { type: "text/markdown;charset=utf-8" }),
    summary: words().summarySteps({ n: frames.length, level: words().levelName({ level }) }),
  };
}

async function picture(req: ExportRequest, kind: "png" | "svg"): Promise<ExportResult> {
  const svg = diagram();
  const step = useHopscope.getState().cursor + 1;
  const name = exportName(scenarioName(), kind, { step });
  const { width, height } = pixelSize(svg, kind, req);
  return still(async () => {
    const text = serializeDiagram(svg, { width, height, area: req.area });
    if (kind === "svg") return { name, blob: new Blob([text], { type: "image/svg+xml" }), summary: `${width} × ${height}` };
    const canvas = await rasterize(text, width, height);
    return { name, blob: await toBlob(canvas, "image/png"), summary: `${width} × ${height}` };
  });
}

export async function runExport(req: ExportRequest): Promise<ExportResult> {
  switch (req.kind) {
    case "png":
    case "svg":
      return picture(req, req.kind);
    case "gif":
      return gif(req);
    case "webm":
      return webm(req);
    case "md":
      return markdown();
  }
}
