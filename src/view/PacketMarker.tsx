/**
 * The packet: it travels along the wires (down to the host network, across, and up again) from
 * one hop to the next and stops at each decision. The moving position is animation state, so it
 * lives in a ref and is written straight to the SVG, never through React state. With
 * prefers-reduced-motion it jumps.
 */
import { useEffect, useRef } from "react";
import { PACKET, TEXT } from "./diagramStyle";

type Point = { readonly x: number; readonly y: number };

/** Waypoints along the drawn wires from a to b: via the host network when they are far apart. */
export function wirePath(a: Point, b: Point, busY: number): Point[] {
  if (Math.abs(a.x - b.x) < 30 || (a.y < busY - 20 && b.y < busY - 20)) return [a, b];
  return [a, { x: a.x, y: busY }, { x: b.x, y: busY }, b];
}

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

export function PacketMarker({ at, busY, reducedMotion, colour, badge, flipBadge }: { at: Point; busY: number; reducedMotion: boolean; colour: string; badge?: string; flipBadge?: boolean }) {
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
    const path = wirePath(from, at, busY);
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
  }, [x, y, busY, reducedMotion]);

  return (
    <g ref={ref} data-testid="packet" data-animating="no" aria-hidden="true">
      <circle r={PACKET.r} fill={colour} stroke={PACKET.outline} strokeWidth={3} />
      <circle r={PACKET.halo} fill="none" stroke={colour} strokeOpacity={0.4} strokeWidth={2} />
      {badge && <Badge text={badge} flip={flipBadge ?? false} />}
    </g>
  );
}

/** The packet's header beside it: it travels with the packet. */
function Badge({ text, flip }: { text: string; flip: boolean }) {
  const w = text.length * 6.7 + 14;
  const x = flip ? -22 - w : 22;
  return (
    <g transform={`translate(${x} -34)`} data-testid="packet-badge">
      <rect width={w} height={20} rx={10} fill={TEXT.badge} />
      <text x={7} y={14} fontSize={11} fontWeight={600} fill={TEXT.badgeText} fontFamily="ui-monospace, SFMono-Regular, Menlo, monospace">
        {text}
      </text>
    </g>
  );
}
