import { describe, expect, it } from "vitest";
import type { Topology } from "../engine/k8s/topology";
import { FONT, layoutTopology, type Box, type Layout } from "./layout";
import { crossing, syntheticTopology as cluster } from "./testing/topology";

const overlap = (a: Box, b: Box) => a.x < b.x + b.w - 0.01 && b.x < a.x + a.w - 0.01 && a.y < b.y + b.h - 0.01 && b.y < a.y + a.h - 0.01;
const inside = (a: Box, b: Box) => a.x >= b.x - 0.01 && a.y >= b.y - 0.01 && a.x + a.w <= b.x + b.w + 0.01 && a.y + a.h <= b.y + b.h + 0.01;

/** Every box with a positive size, inside the picture, and no two siblings overlapping. */
function checkBoxes(l: Layout, t: Topology): void {
  const picture = { x: 0, y: 0, w: l.width, h: l.height };
  const nodes = [...l.nodes.entries()];
  for (const [id, b] of nodes) {
    expect(b.w, id).toBeGreaterThan(0);
    expect(b.h, id).toBeGreaterThan(0);
    expect(inside(b, picture), `${id} ${JSON.stringify(b)} inside ${l.width}×${l.height}`).toBe(true);
    expect(overlap(b, l.services), `${id} overlaps the services`).toBe(false);
  }
  for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) expect(overlap(nodes[i]![1], nodes[j]![1]), `${nodes[i]![0]} overlaps ${nodes[j]![0]}`).toBe(false);
  const podsByNode = new Map<string, Box[]>();
  for (const [name, b] of l.pods) {
    const node = t.pods.find((p) => p.name === name)!.node;
    expect(b.w, name).toBeGreaterThan(0);
    expect(inside(b, l.nodes.get(node)!), `${name} inside ${node}`).toBe(true);
    expect(overlap(b, l.bridges.get(node)!), `${name} overlaps the bridge`).toBe(false);
    podsByNode.set(node, [...(podsByNode.get(node) ?? []), b]);
  }
  for (const boxes of podsByNode.values()) for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) expect(overlap(boxes[i]!, boxes[j]!)).toBe(false);
  for (const [node, f] of l.podFolds) {
    expect(inside(f.box, l.nodes.get(node)!), `${node}'s fold inside it`).toBe(true);
    for (const [name, b] of l.pods) expect(overlap(f.box, b), `${node}'s fold over ${name}`).toBe(false);
  }
  expect(inside(l.services, picture)).toBe(true);
  for (const r of l.serviceRows) expect(inside({ x: r.x, y: r.y - 13, w: r.w, h: 16 }, l.services), r.key).toBe(true);
  if (l.serviceFold) expect(inside(l.serviceFold.box, l.services)).toBe(true);
  if (l.minimap) {
    expect(inside(l.minimap, picture)).toBe(true);
    expect(overlap(l.minimap, l.services), "the minimap over the services").toBe(false);
    for (const [id, b] of nodes) expect(overlap(l.minimap, b), `the minimap over ${id}`).toBe(false);
  }
}

/** The smallest label's size in pixels when the picture is fitted into its room. */
const fitPx = (l: Layout, room: { width: number; height: number }, size: number) => size * Math.min(room.width / l.width, room.height / l.height);

describe("the layout", () => {
  const rooms = [
    { width: 900, height: 480, name: "1280×800" },
    { width: 899, height: 440, name: "1280×800 with a two-row header" },
    { width: 799, height: 358, name: "an 800×450 embed" },
    { width: 1540, height: 760, name: "1920×1080" },
    { width: 390, height: 705, name: "a phone (between its header and controls)" },
  ];
  const sizes: [number, number, number][] = [
    [3, 2, 3],
    [20, 30, 3],
    [100, 30, 1000],
    [3, 0, 0],
    [1, 1, 1],
    [100, 100, 5000],
  ];
  for (const room of rooms) {
    for (const [w, p, s] of sizes) {
      it(`${w} workers × ${p} pods, ${s} services in ${room.name}: no overlaps, no negative sizes`, () => {
        const t = cluster(w, p, s);
        const l = layoutTopology(t, { width: room.width, height: room.height, involved: crossing(t) });
        checkBoxes(l, t);
        // What the trace touches is drawn whole.
        for (const n of crossing(t).pods) expect(l.pods.has(n), n).toBe(true);
        if (w >= 2) expect(l.modes.get("worker-1")).toBe("full");
      });
    }
  }

  it("at Fit in a 1280×800 window, every label is 10 px or more for 3×2 and 20×30, and the names for 100×30", () => {
    const room = { width: 900, height: 480 };
    for (const [w, p, s] of [[3, 2, 3], [20, 30, 3]] as const) {
      const t = cluster(w, p, s);
      const l = layoutTopology(t, { ...room, involved: crossing(t) });
      expect(fitPx(l, room, FONT.small), `${w}×${p}`).toBeGreaterThanOrEqual(10);
    }
    const t = cluster(100, 30, 1000);
    const l = layoutTopology(t, { ...room, involved: crossing(t) });
    expect(fitPx(l, room, FONT.text)).toBeGreaterThanOrEqual(10);
  });

  it("the article's small cluster draws every pod; a big one folds what the trace does not touch", () => {
    const small = cluster(3, 2);
    const l = layoutTopology(small, { width: 900, height: 480, involved: crossing(small) });
    expect(l.pods.size).toBe(6);
    expect(l.podFolds.size).toBe(0);
    const big = cluster(20, 30);
    const b = layoutTopology(big, { width: 900, height: 480, involved: crossing(big) });
    expect(b.pods.size).toBe(2);
    expect(b.podFolds.get("worker-0")).toMatchObject({ count: 29, unfolded: false });
    // Unfolded by the reader: every pod of worker-0 is drawn.
    const open = layoutTopology(big, { width: 900, height: 480, involved: crossing(big), unfolded: new Set(["worker-0"]) });
    expect([...open.pods.keys()].filter((n) => n.startsWith("app-0-"))).toHaveLength(30);
    expect(open.podFolds.get("worker-0")).toMatchObject({ unfolded: true });
  });

  it("services beyond a few fold into a button; the touched one stays listed", () => {
    const t = cluster(3, 2, 1000);
    const l = layoutTopology(t, { width: 900, height: 480, involved: crossing(t) });
    expect(l.serviceRows.map((r) => r.key)).toEqual(["default/svc0"]);
    expect(l.serviceFold).toMatchObject({ count: 999, unfolded: false });
    const all = layoutTopology(t, { width: 900, height: 480, involved: crossing(t), servicesUnfolded: true });
    expect(all.serviceRows).toHaveLength(1000);
  });

  it("a projector's room draws the same picture larger", () => {
    const t = cluster(3, 2);
    const normal = layoutTopology(t, { width: 900, height: 480, involved: crossing(t) });
    const big = layoutTopology(t, { width: 1540, height: 760, involved: crossing(t) });
    expect(fitPx(big, { width: 1540, height: 760 }, FONT.text)).toBeGreaterThan(fitPx(normal, { width: 900, height: 480 }, FONT.text) * 1.3);
  });

  it("lays out 100 workers and 10,000 pods quickly", () => {
    const t = cluster(100, 100, 5000);
    const inv = crossing(t);
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) layoutTopology(t, { width: 900, height: 480, involved: inv });
    // Generous: the benchmark prints the real figure (npm run bench).
    expect((performance.now() - t0) / 5).toBeLessThan(500);
  });
});

describe("the wires between places", () => {
  it("on one row: down to the bus, along it, up; on different rows: along the trunk; the router and the client: their own link", async () => {
    const { wireRoute, hostRoute } = await import("./layout");
    const t = cluster(20, 2);
    const l = layoutTopology(t, { width: 900, height: 1400 });
    const row = (id: string) => l.nodes.get(id)!.y;
    const w0 = l.nodes.get("worker-0")!;
    const sameRow = t.nodes.find((n) => n.kind === "worker" && n.id !== "worker-0" && row(n.id) === w0.y)!;
    const otherRow = t.nodes.find((n) => n.kind === "worker" && row(n.id) > w0.y)!;
    const a = { x: w0.x + 20, y: w0.y + 40 };
    const sb = l.nodes.get(sameRow.id)!;
    expect(wireRoute(l, a, { x: sb.x + 20, y: sb.y + 40 })).toEqual([a, { x: a.x, y: l.hostLineY }, { x: sb.x + 20, y: l.hostLineY }, { x: sb.x + 20, y: sb.y + 40 }]);
    const ob = l.nodes.get(otherRow.id)!;
    const far = wireRoute(l, a, { x: ob.x + 20, y: ob.y + 40 });
    expect(far.some((p) => p.x === l.trunkX)).toBe(true);
    expect(hostRoute(l, t, "worker-0", otherRow.id).filter((p) => p.x === l.trunkX)).toHaveLength(2);
    const r = l.nodes.get("vpc-router")!;
    const c = l.nodes.get("internet-client")!;
    expect(hostRoute(l, t, "vpc-router", "internet-client")).toEqual([{ x: r.x + r.w, y: r.y + r.h / 2 }, { x: c.x, y: c.y + c.h / 2 }]);
    // Inside one box the packet moves straight.
    expect(wireRoute(l, a, { x: a.x + 10, y: a.y + 30 })).toHaveLength(2);
  });
});
