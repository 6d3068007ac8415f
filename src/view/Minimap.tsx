/**
 * An overview of a big diagram in a corner: every node as a small box and the part on screen as
 * a frame. A click moves the view there. The frame follows the zoom through a callback, without
 * React renders.
 */
import { useEffect, useRef } from "react";
import type { ZoomTransform } from "d3";
import type { Layout } from "./layout";
import { C } from "./diagramStyle";

const WIDTH = 150;

export function Minimap({ layout, label, subscribe, onGo }: { layout: Layout; label: string; subscribe: (f: (t: ZoomTransform) => void) => void; onGo: (x: number, y: number) => void }) {
  const frame = useRef<SVGRectElement>(null);
  const scale = WIDTH / layout.width;
  const height = Math.max(40, Math.min(160, layout.height * scale));
  const sy = height / layout.height;
  useEffect(() => {
    subscribe((t) => {
      const f = frame.current;
      if (!f) return;
      // The view box's corners, brought back through the zoom: what is on screen, in layout units.
      f.setAttribute("x", String((-t.x / t.k) * scale));
      f.setAttribute("y", String((-t.y / t.k) * sy));
      f.setAttribute("width", String((layout.width / t.k) * scale));
      f.setAttribute("height", String((layout.height / t.k) * sy));
    });
  }, [subscribe, layout, scale, sy]);
  return (
    <svg
      width={WIDTH}
      height={height}
      viewBox={`0 0 ${WIDTH} ${height}`}
      className="diagram-colours absolute bottom-2 right-2 z-10 cursor-pointer rounded border border-slate-300 bg-white/90"
      role="img"
      aria-label={label}
      data-testid="minimap"
      onClick={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        onGo((e.clientX - r.left) / scale, (e.clientY - r.top) / sy);
      }}
    >
      {[...layout.nodes.values()].map((b, i) => (
        <rect key={i} x={b.x * scale} y={b.y * sy} width={Math.max(1, b.w * scale)} height={Math.max(1, b.h * sy)} fill={C.host} fillOpacity={0.35} />
      ))}
      <rect x={layout.services.x * scale} y={layout.services.y * sy} width={layout.services.w * scale} height={layout.services.h * sy} fill={C.svc} fillOpacity={0.25} />
      <rect ref={frame} x={0} y={0} width={WIDTH} height={height} fill="none" stroke={C.packet} strokeWidth={2} />
    </svg>
  );
}
