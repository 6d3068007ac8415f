/**
 * The topology's geometry: pure and deterministic, so the same scenario always gives the same
 * picture. Coordinates are in a 1280×800 view box.
 */
import type { Topology, TopologyNode, TopologyPod } from "../engine/k8s/topology";
import type { Step } from "../engine/trace";

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly hostLineY: number;
  readonly nodes: ReadonlyMap<string, Box>;
  readonly bridges: ReadonlyMap<string, Box>;
  readonly pods: ReadonlyMap<string, Box>;
  readonly services: Box;
}

export const VIEW = { width: 1280, height: 800 };

export function layoutTopology(t: Topology): Layout {
  const nodes = new Map<string, Box>();
  const bridges = new Map<string, Box>();
  const pods = new Map<string, Box>();
  const hostLineY = 190;
  const router = t.nodes.find((n) => n.kind === "router");
  const client = t.nodes.find((n) => n.kind === "client");
  if (router) nodes.set(router.id, { x: 520, y: 30, w: 220, h: 82 });
  if (client) nodes.set(client.id, { x: 1000, y: 30, w: 240, h: 82 });
  const controllers = t.nodes.filter((n) => n.kind === "controller");
  controllers.forEach((c, i) => nodes.set(c.id, { x: 40, y: 230 + i * 84, w: 170, h: 70 }));
  const workers = t.nodes.filter((n) => n.kind === "worker");
  const left = 250;
  const right = 1240;
  const gap = 16;
  const w = workers.length ? (right - left - gap * (workers.length - 1)) / workers.length : 0;
  workers.forEach((n, i) => {
    const box = { x: left + i * (w + gap), y: 230, w, h: 400 };
    nodes.set(n.id, box);
    bridges.set(n.id, { x: box.x + 14, y: box.y + 96, w: box.w - 28, h: 34 });
    const mine = t.pods.filter((p) => p.node === n.id);
    const perRow = mine.length > 4 ? 2 : 1;
    const podW = (box.w - 28 - (perRow - 1) * 10) / perRow;
    mine.forEach((p, k) => {
      const row = Math.floor(k / perRow);
      const col = k % perRow;
      pods.set(p.name, { x: box.x + 14 + col * (podW + 10), y: box.y + 160 + row * 74, w: podW, h: 62 });
    });
  });
  return { width: VIEW.width, height: VIEW.height, hostLineY, nodes, bridges, pods, services: { x: 40, y: 660, w: 1200, h: 120 } };
}

export function center(b: Box): { x: number; y: number } {
  return { x: b.x + b.w / 2, y: b.y + b.h / 2 };
}

/** Where the packet is drawn for a step: on the pod, the bridge, the node's link or the node. */
export function stepPosition(l: Layout, t: Topology, s: Step): { x: number; y: number } {
  if (s.pod !== undefined) {
    const b = l.pods.get(s.pod);
    if (b) return s.kind === "wire" ? { x: b.x + b.w / 2, y: b.y } : center(b);
  }
  const node = l.nodes.get(s.node);
  if (!node) return { x: l.width / 2, y: l.height / 2 };
  const info: TopologyNode | undefined = t.nodes.find((n) => n.id === s.node);
  if (s.kind === "wire" && s.iface) {
    const pod: TopologyPod | undefined = t.pods.find((p) => p.node === s.node && p.hostVeth === s.iface);
    if (pod) {
      const b = l.pods.get(pod.name)!;
      return { x: b.x + b.w - 18, y: b.y - 12 };
    }
    const br = l.bridges.get(s.node);
    if (br && info?.bridge?.name === s.iface) return center(br);
    if (info?.kind === "router" && s.iface === "ext0") return { x: node.x + node.w, y: node.y + node.h / 2 };
    if (info?.kind === "client") return { x: node.x, y: node.y + node.h / 2 };
    if (info?.kind === "router") return { x: node.x + node.w / 2, y: node.y + node.h };
    return { x: node.x + node.w / 2, y: node.y };
  }
  return { x: node.x + node.w / 2, y: node.y + 40 };
}
