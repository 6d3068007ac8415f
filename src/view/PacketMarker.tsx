/**
 * The packet: it travels along the wires (down to the host network, across, and up again) from
 * one hop to the next and stops at each decision. The moving position is animation state, so it
 * lives in a ref and is written straight to the SVG, never through React state. With
 * prefers-reduced-motion it jumps.
 */
import { useEffect, useRef } from "react";
import { PACKET, TEXT } from "./diagramStyle";

type Point = { readonly x: number; readonly y: number };

function pointAt(path: readonly Point[], t: number): Point {
  const lengths = path.slice(1).map((p, i) => Math.hypot(p.x - path[i]!.x, p.y - path[i]!.y));
  const total = lengths.reduce((a, b) => a + b, 0) || 1;
  let d = t * total;
  for (let i = 0; i < lengths.length; i++) {
    const len = lengths[i]!;
    if (d <= len || i === lengths.length - 1) {
      const f = len ? Math.min(1, d / len) : 1;
      return { x: path[i]!.x + (path[i + 1]!.x - path[i]!.x) * f, y: path[i]!.y + (path[i + 1]!.y - path[i]!.y) * f };
    }
    d -= len;
  }
  return path[path.length - 1]!;
}

export function PacketMarker({ at, route, reducedMotion, colour, badge, width }: { at: Point; /** The wires between two places. */ route: (a: Point, b: Point) => Point[]; reducedMotion: boolean; colour: string; badge?: string; /** The diagram's width: the badge stays inside it. */ width: number }) {
  const ref = useRef<SVGGElement>(null);
  const last = useRef<Point | null>(null);

  const { x, y } = at;
  useEffect(() => {
    const g = ref.current;
    if (!g) return;
    const at = { x, y };
    const place = (p: Point) => g.setAttribute("transform", `translate(${p.x} ${p.y})`);
    const from = last.current;
    last.current = at;
    if (!from || reducedMotion) {
      place(at);
      g.setAttribute("data-animating", "no");
      return;
    }
    const path = route(from, at);
    const length = path.slice(1).reduce((s, p, i) => s + Math.hypot(p.x - path[i]!.x, p.y - path[i]!.y), 0);
    const duration = Math.min(600, Math.max(120, length * 0.8));
    const start = performance.now();
    let frame = 0;
    g.setAttribute("data-animating", "yes");
    const tick = (now: number) => {
      const t = Math.min(1, (now - start) / duration);
      const eased = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
      place(pointAt(path, eased));
      if (t < 1) frame = requestAnimationFrame(tick);
      else g.setAttribute("data-animating", "no");
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [x, y, route, reducedMotion]);

  return (
    <g ref={ref} data-testid="packet" data-animating="no" aria-hidden="true">
      <circle r={PACKET.r} fill={colour} stroke={PACKET.outline} strokeWidth={3} />
      <circle r={PACKET.halo} fill="none" stroke={colour} strokeOpacity={0.4} strokeWidth={2} />
      {badge && <Badge text={badge} x={x} width={width} />}
    </g>
  );
}

/** The packet's header beside it: it travels with the packet. */
function Badge({ text, x: at, width }: { text: string; x: number; width: number }) {
  const w = text.length * 6.7 + 14;
  // To the packet's right, else its left, else as far inside the picture as it goes.
  const x = at + 22 + w <= width ? 22 : at - 22 - w >= 0 ? -22 - w : Math.max(4 - at, width - 4 - w - at);
  return (
    <g transform={`translate(${x} -34)`} data-testid="packet-badge">
      <rect width={w} height={20} rx={10} fill={TEXT.badge} />
      <text x={7} y={14} fontSize={11} className="lbl-11" fontWeight={600} fill={TEXT.badgeText} fontFamily="ui-monospace, SFMono-Regular, Menlo, monospace">
        {text}
      </text>
    </g>
  );
}
