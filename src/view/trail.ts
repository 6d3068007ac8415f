/**
 * The path so far, for the picture: where the packet has been in the current flow, as segments
 * along the drawn wires, each with the addresses the packet had on it. A segment whose addresses
 * differ from the one before it is where a NAT shows (10.200.0.21 becomes 10.240.0.20 as the
 * packet leaves worker-0). Pure: the diagram draws what this returns.
 */
import type { Topology } from "../engine/k8s/topology";
import type { Step, StepPacket } from "../engine/trace";
import type { FlatStep } from "../store/playback";
import { eth0Point, hostRoute, type Layout } from "./layout";

type Point = { readonly x: number; readonly y: number };

export interface TrailSegment {
  /** Waypoints along the wires, from where the packet was to where it went. */
  readonly points: readonly Point[];
  /** The addresses on this segment, as `src → dst` (with ports for TCP and UDP). */
  readonly label: string;
  /** Which of source and destination differ from the previous labelled segment (a NAT before it). */
  readonly changed: { readonly src: boolean; readonly dst: boolean };
  /** Whether the label is drawn: the first segment, every change of addresses and each trip across the host network. */
  readonly labelled: boolean;
  /** The step the packet reached at the segment's end (an index into the trace's steps). */
  readonly step: number;
}

export function addressLabel(p: StepPacket): string {
  const port = (ip: string, n: number | undefined) => (n === undefined ? ip : `${ip}:${n}`);
  if (p.proto === "icmp") return `${p.src} → ${p.dst}`;
  return `${port(p.src, p.sport)} → ${port(p.dst, p.dport)}`;
}

const srcOf = (p: StepPacket) => (p.proto === "icmp" ? p.src : `${p.src}:${p.sport}`);
const dstOf = (p: StepPacket) => (p.proto === "icmp" ? p.dst : `${p.dst}:${p.dport}`);

/** At most this many segments are drawn (the last ones): a shell's long flows stay cheap to draw. */
export const MAX_TRAIL = 80;

/** A place the packet visits: a pod, or a node (worker, controller, router, client). */
type Place = { readonly node: string; readonly pod?: string };

/**
 * The drawn wires between two places, as waypoints: a pod's veth runs up to its node's bridge,
 * the bridge to the node's eth0 at the top of the node, eth0 up to the host network; the router
 * sits above the host network, and the client beside the router.
 */
function route(a: Place, b: Place, l: Layout, t: Topology): Point[] {
  const podAt = (p: string) => {
    const box = l.pods.get(p);
    return box ? { x: box.x + box.w - 18, y: box.y } : undefined;
  };
  const bridgeY = (n: string) => {
    const br = l.bridges.get(n);
    return br ? br.y + br.h / 2 : undefined;
  };
  const eth0 = (n: string): Point | undefined => eth0Point(l, t, n);
  // A pod to its own node: down its veth to the bridge, along it, up to eth0.
  const podToNode = (pod: string, node: string): Point[] => {
    const p = podAt(pod);
    const e = eth0(node);
    const y = bridgeY(node);
    if (!p || !e || y === undefined) return [];
    return [p, { x: p.x, y }, { x: e.x, y }, e];
  };
  if (a.pod !== undefined && b.pod !== undefined && a.node === b.node) {
    const p = podAt(a.pod);
    const q = podAt(b.pod);
    const y = bridgeY(a.node);
    return p && q && y !== undefined ? [p, { x: p.x, y }, { x: q.x, y }, q] : [];
  }
  if (a.pod !== undefined && b.pod === undefined && a.node === b.node) return podToNode(a.pod, a.node);
  if (a.pod === undefined && b.pod !== undefined && a.node === b.node) return podToNode(b.pod, b.node).reverse();
  // Between hosts: from each end's eth0 over the host network (its buses and trunk; the client through the router).
  const from = a.pod !== undefined ? podToNode(a.pod, a.node) : [];
  const to = b.pod !== undefined ? podToNode(b.pod, b.node).reverse() : [];
  const middle = hostRoute(l, t, a.node, b.node);
  if (middle.length === 0) return [];
  return [...from, ...middle, ...to];
}

/** The trail of the flow the cursor is in, from its first step up to the cursor: one segment per move between places. */
export function trailOf(steps: readonly FlatStep[], cursor: number, layout: Layout, topology: Topology): TrailSegment[] {
  const at = steps[cursor];
  if (!at) return [];
  let first = cursor;
  while (first > 0 && steps[first - 1]!.flow === at.flow) first--;
  // Far back in a long flow, start nearer the cursor: only the last MAX_TRAIL moves are drawn anyway.
  first = Math.max(first, cursor - MAX_TRAIL * 40);
  const out: TrailSegment[] = [];
  let place: Place | undefined;
  let labelledPacket: StepPacket | undefined;
  for (let i = first; i <= cursor; i++) {
    const s: Step = steps[i]!.step;
    const here: Place = s.pod === undefined ? { node: s.node } : { node: s.node, pod: s.pod };
    if (place && (place.node !== here.node || place.pod !== here.pod)) {
      const points = dedupe(route(place, here, layout, topology));
      if (points.length >= 2) {
        // The packet that travelled this segment: as it arrived (a wire step shows it as it was on the wire).
        const packet = s.packet;
        const changed = labelledPacket ? { src: srcOf(packet) !== srcOf(labelledPacket), dst: dstOf(packet) !== dstOf(labelledPacket) } : { src: false, dst: false };
        const acrossHosts = place.node !== here.node;
        const labelled = !labelledPacket || changed.src || changed.dst || acrossHosts;
        out.push({ points, label: addressLabel(packet), changed, labelled, step: i });
        if (labelled) labelledPacket = packet;
      }
    }
    place = here;
  }
  return out.slice(-MAX_TRAIL);
}

function dedupe(points: readonly Point[]): Point[] {
  return points.filter((p, i) => i === 0 || Math.hypot(p.x - points[i - 1]!.x, p.y - points[i - 1]!.y) > 0.5);
}

/** Where a segment's label goes: the middle of its longest leg. */
export function labelPoint(points: readonly Point[]): Point & { readonly horizontal: boolean } {
  let best = 0;
  let bestLen = -1;
  for (let i = 1; i < points.length; i++) {
    const len = Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
    if (len > bestLen) {
      bestLen = len;
      best = i;
    }
  }
  const a = points[best - 1] ?? points[0]!;
  const b = points[best] ?? points[0]!;
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, horizontal: Math.abs(b.x - a.x) >= Math.abs(b.y - a.y) };
}
