/**
 * The diagram on screen as a standalone SVG file: what the page's styles (Tailwind classes,
 * inherited CSS) gave each element is written inline, the fonts become ones every system has,
 * and the background the page shows behind it is drawn in, at the size it has on screen.
 */

import { areaSize, type Area } from "./plan";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Fonts every system has (Windows and macOS: Arial/Helvetica; Linux: Liberation or DejaVu). */
const SANS = 'Arial, Helvetica, "Liberation Sans", "DejaVu Sans", sans-serif';
const MONO = '"Courier New", "Liberation Mono", "DejaVu Sans Mono", monospace';

/** The presentation properties a diagram uses, copied inline from the computed style. */
const SHAPE_PROPS = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "stroke-linecap", "stroke-linejoin", "opacity", "visibility"] as const;
const TEXT_PROPS = ["font-size", "font-weight", "font-style", "text-anchor", "dominant-baseline", "letter-spacing", "text-decoration"] as const;

/** The colour drawn behind the diagram: the first opaque background among it and its ancestors. */
function backdrop(el: Element): string {
  for (let e: Element | null = el; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg && bg !== "transparent" && !/rgba\(.*,\s*0\)$/.test(bg)) return bg;
  }
  return "#ffffff";
}

function inlineStyles(live: Element, copy: Element): void {
  const cs = getComputedStyle(live);
  if (cs.display === "none") {
    copy.remove();
    return;
  }
  const decls: string[] = [];
  for (const p of SHAPE_PROPS) decls.push(`${p}:${cs.getPropertyValue(p)}`);
  if (live.tagName === "text" || live.tagName === "tspan") {
    for (const p of TEXT_PROPS) decls.push(`${p}:${cs.getPropertyValue(p)}`);
    const family = /mono/i.test(cs.fontFamily) ? MONO : SANS;
    decls.push(`font-family:${family}`);
    copy.setAttribute("font-family", family);
  }
  copy.setAttribute("style", decls.join(";"));
  copy.removeAttribute("class");
  copy.removeAttribute("tabindex");
  // Interaction states mean nothing in a picture.
  copy.removeAttribute("aria-pressed");
  copy.removeAttribute("role");
  const liveKids = live.children;
  const copyKids = [...copy.children];
  for (let i = 0; i < liveKids.length; i++) if (copyKids[i]) inlineStyles(liveKids[i]!, copyKids[i]!);
}

/**
 * The diagram as an SVG document of `width`×`height` (the area's size unless given), with the
 * packet where it is now: the view as on screen (its size, the reader's zoom and pan), or the
 * whole diagram at its own size, unzoomed.
 */
export function serializeDiagram(svg: SVGSVGElement, opts: { width?: number; height?: number; title?: string; area?: Area } = {}): string {
  const area = opts.area ?? "screen";
  const size = areaSize(svg, area);
  const width = opts.width ?? size.width;
  const height = opts.height ?? size.height;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, copy);
  copy.removeAttribute("class");
  copy.removeAttribute("style");
  copy.removeAttribute("role");
  copy.setAttribute("x", "0");
  copy.setAttribute("y", "0");
  copy.setAttribute("width", String(size.width));
  copy.setAttribute("height", String(size.height));
  copy.setAttribute("overflow", "hidden");
  // The whole diagram: without the reader's zoom and pan (the transform of the zoomed group).
  if (area === "whole") copy.querySelector(":scope > g[transform]")?.removeAttribute("transform");

  const doc = document.implementation.createDocument(SVG_NS, "svg", null);
  const root = doc.documentElement;
  root.setAttribute("width", String(width));
  root.setAttribute("height", String(height));
  root.setAttribute("viewBox", `0 0 ${size.width} ${size.height}`);
  root.setAttribute("role", "img");
  const label = svg.getAttribute("aria-label");
  if (label) root.setAttribute("aria-label", label);
  const title = doc.createElementNS(SVG_NS, "title");
  title.textContent = opts.title ?? label ?? "Hopscope";
  root.appendChild(title);
  const bg = doc.createElementNS(SVG_NS, "rect");
  bg.setAttribute("width", String(size.width));
  bg.setAttribute("height", String(size.height));
  bg.setAttribute("fill", backdrop(svg));
  root.appendChild(bg);
  root.appendChild(doc.importNode(copy, true));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(doc)}\n`;
}

/** Draws an SVG document onto a new canvas of `width`×`height` device pixels. */
export async function rasterize(svgText: string, width: number, height: number): Promise<HTMLCanvasElement> {
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  try {
    const img = new Image();
    img.decoding = "sync";
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error("the browser could not draw the diagram as an image"));
      img.src = url;
    });
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("the browser has no 2D canvas to draw on");
    ctx.drawImage(img, 0, 0, width, height);
    return canvas;
  } finally {
    URL.revokeObjectURL(url);
  }
}
