/**
 * An overview of a big diagram: every node as a small box and the part on screen as a frame,
 * in the corner the layout keeps for it (beside the services). A click moves the view there. The
 * frame follows the zoom through a callback, without React renders.
 */
import { useEffect, useRef } from "react";
import type { ZoomTransform } from "d3";
import type { Layout } from "./layout";
import { C } from "./diagramStyle";

export function Minimap({ layout, label, at, subscribe, onGo }: { layout: Layout; label: string; at: React.CSSProperties; subscribe: (f: (t: ZoomTransform) => void) => void; onGo: (x: number, y: number) => void }) {
  const frame = useRef<SVGRectElement>(null);
  useEffect(() => {
    subscribe((t) => {
      const f = frame.current;
      if (!f) return;
      // The view box's corners brought back through the zoom: what is on screen, in layout units.
      f.setAttribute("x", String(-t.x / t.k));
      f.setAttribute("y", String(-t.y / t.k));
      f.setAttribute("width", String(layout.width / t.k));
      f.setAttribute("height", String(layout.height / t.k));
    });
  }, [subscribe, layout]);
  return (
    <svg
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      className="diagram-colours absolute z-10 cursor-pointer rounded border border-slate-300 bg-white"
      style={at}
      role="img"
      aria-label={label}
      data-testid="minimap"
      onClick={(e) => {
        const m = e.currentTarget.getScreenCTM();
        if (!m) return;
        const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
        onGo(p.x, p.y);
      }}
    >
      {[...layout.nodes.values()].map((b, i) => (
        <rect key={i} x={b.x} y={b.y} width={b.w} height={b.h} fill={C.host} fillOpacity={0.35} />
      ))}
      <rect x={layout.services.x} y={layout.services.y} width={layout.services.w} height={layout.services.h} fill={C.svc} fillOpacity={0.25} />
      <rect ref={frame} x={0} y={0} width={layout.width} height={layout.height} fill="none" stroke={C.packet} strokeWidth={Math.max(2, layout.width / 80)} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
