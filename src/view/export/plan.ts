/** What an export will hold, worked out before it runs (the menu shows it): sizes and frames. */
import { visibleSteps, type Level } from "../../store/levels";
import type { FlatStep } from "../../store/store";
import type { ExportKind } from "./names";

/** The pixel size of an export of a `screen`-sized view at `scale`: video needs even sides. */
export function pixelSize(screen: { width: number; height: number }, kind: ExportKind, scale: number): { width: number; height: number } {
  const even = (n: number) => (kind === "webm" ? n + (n % 2) : n);
  return { width: even(Math.max(1, Math.round(screen.width * scale))), height: even(Math.max(1, Math.round(screen.height * scale))) };
}

/** The steps (indices into `steps`) of the flow that step `cursor` belongs to, at `level`. */
export function flowSteps(steps: readonly FlatStep[], cursor: number, level: Level): readonly number[] {
  const here = steps[cursor];
  if (!here) return [];
  return visibleSteps(steps, level).filter((i) => steps[i]!.flow === here.flow);
}

/** The on-screen size of the diagram, CSS pixels, rounded. */
export function screenSize(svg: SVGSVGElement): { width: number; height: number } {
  const r = svg.getBoundingClientRect();
  return { width: Math.max(1, Math.round(r.width)), height: Math.max(1, Math.round(r.height)) };
}

/** What a picture shows: the view as it is on screen (its size and zoom), or the whole diagram at its own size. */
export type Area = "screen" | "whole";

/** The diagram's own size: its view box. */
export function diagramSize(svg: SVGSVGElement): { width: number; height: number } {
  const vb = svg.viewBox.baseVal;
  return vb && vb.width > 0 && vb.height > 0 ? { width: Math.round(vb.width), height: Math.round(vb.height) } : screenSize(svg);
}

/** The size, in CSS pixels, of a picture of `area`. */
export function areaSize(svg: SVGSVGElement, area: Area): { width: number; height: number } {
  return area === "whole" ? diagramSize(svg) : screenSize(svg);
}

/** The diagram on the page. */
export function findDiagram(): SVGSVGElement | null {
  return document.querySelector<SVGSVGElement>('svg[data-testid="topology"]');
}
