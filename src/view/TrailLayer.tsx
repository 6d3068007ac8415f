/** The trail drawn under the packet: the wires it has followed, and the addresses it had on each. */
import type { Step, StepPacket } from "../engine/trace";
import { TRAIL } from "./diagramStyle";
import { labelPoint, type TrailSegment } from "./trail";
import type { Lang } from "../i18n/lang";
import { TOPOLOGY } from "./i18n/page";

const FONT = "ui-monospace, SFMono-Regular, Menlo, monospace";
/** Width of one character of the labels' 11 px monospace font, near enough to size their boxes. */
const CHAR_W = 6.7;

/** The packet's header, for its badge: protocol, then source → destination (ports for TCP and UDP). */
export function headerBadge(step: Step): string {
  return packetBadge(step.packet);
}

/** A packet's header in a few words: `ICMP 10.244.0.21 → 10.244.1.15`, ports after a colon. */
export function packetBadge(p: StepPacket): string {
  const proto = p.proto.toUpperCase();
  if (p.proto === "icmp") return `${proto} ${p.src} → ${p.dst}`;
  return `${proto} ${p.src}:${p.sport} → ${p.dst}:${p.dport}`;
}

/** What a drop's label says: where and why, in one line. */
export function dropLabel(step: Step, lang: Lang = "en"): string {
  const why = step.detail.kind === "drop" ? step.detail.reason : step.text;
  const where = step.pod ?? step.node;
  const text = TOPOLOGY[lang].droppedAt({ where, why });
  return text.length > 78 ? `${text.slice(0, 77)}…` : text;
}

type Placed = { x: number; y: number; w: number; h: number };
const overlaps = (a: Placed, b: Placed) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

export function Trail({ segments }: { segments: readonly TrailSegment[] }) {
  if (segments.length === 0) return null;
  const placed: Placed[] = [];
  const labels = segments.flatMap((s, i) => {
    if (!s.labelled) return [];
    const at = labelPoint(s.points);
    const [src, dst] = s.label.split(" → ") as [string, string];
    const w = s.label.length * CHAR_W + 12;
    const h = 17;
    // Along a horizontal wire the label sits above it; beside a vertical one, to its right.
    const box: Placed = at.horizontal ? { x: at.x - w / 2, y: at.y - h - 4, w, h } : { x: at.x + 8, y: at.y - h / 2, w, h };
    // Nudge past labels already placed (a reply over the request's wires).
    for (let k = 0; k < 6 && placed.some((p) => overlaps(p, box)); k++) box.y += at.horizontal ? -(h + 2) : h + 2;
    placed.push(box);
    const nat = s.changed.src || s.changed.dst;
    return [
      <g key={`l${i}`} transform={`translate(${box.x} ${box.y})`} data-testid="trail-label" data-nat={nat ? "yes" : "no"}>
        <rect width={w} height={h} rx={4} fill={nat ? TRAIL.nat : TRAIL.label} fillOpacity={0.94} stroke={nat ? TRAIL.natStroke : TRAIL.labelStroke} strokeWidth={nat ? 1.5 : 0.75} />
        <text x={6} y={12.5} fontSize={11} className="lbl-11" fontFamily={FONT} fill="#1f2937">
          <tspan fill={s.changed.src ? TRAIL.natText : undefined} fontWeight={s.changed.src ? 700 : 400}>
            {src}
          </tspan>
          <tspan> → </tspan>
          <tspan fill={s.changed.dst ? TRAIL.natText : undefined} fontWeight={s.changed.dst ? 700 : 400}>
            {dst}
          </tspan>
        </text>
      </g>,
    ];
  });
  return (
    <g data-testid="trail" pointerEvents="none">
      {segments.map((s, i) => (
        <polyline key={i} points={s.points.map((p) => `${p.x},${p.y}`).join(" ")} fill="none" stroke={TRAIL.stroke} strokeOpacity={TRAIL.opacity} strokeWidth={TRAIL.width} strokeLinecap="round" strokeLinejoin="round" />
      ))}
      {labels}
    </g>
  );
}
