/**
 * The packet: it travels along the wires (down to the host network, across, and up again) from
 * one hop to the next and stops at each decision. The moving position is animation state, so it
 * lives in a ref and is written straight to the SVG, never through React state. With
 * prefers-reduced-motion it jumps.
 */
import { useEffect, useRef } from "react";
import { PACKET, TEXT, TUNNEL } from "./diagramStyle";

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

/** A packet carried in a tunnel: the tunnel's name, the inner packet's header, and whether it is being wrapped or unwrapped here. */
export interface Wrapping {
  readonly tunnel: string;
  readonly inner: string;
  readonly change?: "encap" | "decap";
  /** At the step that wraps or unwraps it: what the node's tunnel device did, in words. */
  readonly note?: string;
  /** Changes with each step, so the wrapping's effect plays again. */
  readonly key: string;
}

export function PacketMarker({ at, route, reducedMotion, colour, badge, width, wrapped }: { at: Point; /** The wires between two places. */ route: (a: Point, b: Point) => Point[]; reducedMotion: boolean; colour: string; badge?: string; /** The diagram's width: the badge stays inside it. */ width: number; wrapped?: Wrapping }) {
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
    <g ref={ref} data-testid="packet" data-animating="no" data-wrapped={wrapped ? wrapped.tunnel : undefined} aria-hidden="true">
      {wrapped && <Envelope w={wrapped} reducedMotion={reducedMotion} key={wrapped.key} />}
      <circle r={PACKET.r} fill={colour} stroke={PACKET.outline} strokeWidth={3} />
      {!wrapped && <circle r={PACKET.halo} fill="none" stroke={colour} strokeOpacity={0.4} strokeWidth={2} />}
      {badge && <Badge text={badge} x={x} width={width} inner={wrapped?.inner} note={wrapped?.note} change={wrapped?.change} gap={wrapped ? TUNNEL.w / 2 + 6 : 22} />}
    </g>
  );
}

/**
 * The outer header around the packet: an envelope with the tunnel's name. Wrapping, it closes in
 * on the packet; unwrapping, it opens and fades (no movement with prefers-reduced-motion).
 */
function Envelope({ w, reducedMotion }: { w: Wrapping; reducedMotion: boolean }) {
  const { w: width, h, rx } = TUNNEL;
  const play = !reducedMotion && w.change !== undefined;
  const [from, to] = w.change === "decap" ? ["1", "1.6"] : ["1.8", "1"];
  return (
    <g data-testid="packet-envelope" data-change={w.change}>
      <g>
        {play && <animateTransform attributeName="transform" type="scale" from={from} to={to} dur="0.6s" fill="freeze" />}
        {play && w.change === "decap" && <animate attributeName="opacity" from="1" to="0.25" dur="0.6s" fill="freeze" />}
        <rect x={-width / 2} y={-h / 2} width={width} height={h} rx={rx} fill={TUNNEL.fill} fillOpacity={0.85} stroke={TUNNEL.stroke} strokeWidth={2.5} strokeDasharray={w.change === "decap" ? "5 4" : undefined} />
      </g>
      <text y={h / 2 + 13} textAnchor="middle" fontSize={11} fontWeight={700} className="lbl-11" fill={TUNNEL.text} stroke="white" strokeWidth={3} paintOrder="stroke" fontFamily="ui-sans-serif, system-ui, sans-serif">
        {w.tunnel}
      </text>
    </g>
  );
}

/** The packet's header beside it (and, in a tunnel, the inner packet's under it): it travels with the packet. */
function Badge({ text, x: at, width, inner, note, change, gap }: { text: string; x: number; width: number; inner?: string; note?: string; change?: "encap" | "decap"; gap: number }) {
  const w = Math.max(text.length, inner ? inner.length + 1 : 0, note ? note.length * 0.95 + 1 : 0) * 6.7 + 14;
  // To the packet's right, else its left, else as far inside the picture as it goes (a tunnel's
  // taller stack then goes under the packet's envelope, not over it).
  const beside = at + gap + w <= width ? gap : at - gap - w >= 0 ? -gap - w : undefined;
  const x = beside ?? Math.max(4 - at, width - 4 - w - at);
  const y = beside === undefined && inner ? TUNNEL.h / 2 + 18 : -34;
  return (
    <g transform={`translate(${x} ${y})`} data-testid="packet-badge">
      <rect width={text.length * 6.7 + 14} height={20} rx={10} fill={TEXT.badge} />
      <text x={7} y={14} fontSize={11} className="lbl-11" fontWeight={600} fill={TEXT.badgeText} fontFamily="ui-monospace, SFMono-Regular, Menlo, monospace">
        {text}
      </text>
      {inner && (
        <g transform="translate(8 22)" data-testid="packet-badge-inner">
          <rect width={inner.length * 6.7 + 14} height={19} rx={9.5} fill={TUNNEL.fill} stroke={TUNNEL.stroke} />
          <text x={7} y={13.5} fontSize={11} className="lbl-11" fill={TUNNEL.text} fontFamily="ui-monospace, SFMono-Regular, Menlo, monospace">
            {inner}
          </text>
        </g>
      )}
      {note && (
        <g transform={`translate(8 ${inner ? 44 : 22})`} data-testid="tunnel-chip" data-action={change}>
          <rect width={note.length * 6.4 + 14} height={19} rx={4} fill="white" stroke={TUNNEL.stroke} strokeDasharray="3 2" />
          <text x={7} y={13.5} fontSize={11} fontWeight={600} className="lbl-11" fill={TUNNEL.text} fontFamily="ui-sans-serif, system-ui, sans-serif">
            {note}
          </text>
        </g>
      )}
    </g>
  );
}
