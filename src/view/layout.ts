/**
 * The topology's geometry, computed from what the cluster holds and the room the diagram has on
 * screen: pure and deterministic, so the same scenario in the same room always gives the same
 * picture. Units are the diagram container's CSS pixels, so at "Fit" a 12-unit label is drawn
 * about 12 px high whenever the picture fits its room.
 *
 * From 3 workers to 100: workers sit in rows ("shelves") under the host network, each row on a
 * bus of its own joined to the others by a trunk at the left. When everything does not fit, the
 * layout folds in steps until it does: pods the trace does not touch fold into "+N pods", then the
 * workers it does not touch shrink to tiles, then to small tiles. The reader can unfold a node or
 * the services list; what the trace touches is always drawn whole.
 */
import type { Topology, TopologyNode, TopologyPod } from "../engine/k8s/topology";
import type { Step } from "../engine/trace";

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

type Point = { readonly x: number; readonly y: number };

/** How a node is drawn: whole (header, bridge, pods), a tile (name, address, "+N pods") or a small tile (name, "+N pods"). */
export type NodeMode = "full" | "tile" | "mini";

/** A fold: the things a box holds but does not draw, with the button that unfolds them. */
export interface Fold {
  readonly box: Box;
  /** How many are folded (not drawn), or, when unfolded, how many could fold again. */
  readonly count: number;
  readonly unfolded: boolean;
}

export interface ServiceRow {
  /** "namespace/name". */
  readonly key: string;
  readonly x: number;
  /** The text's baseline. */
  readonly y: number;
  readonly w: number;
}

/** A wire of the host network: a horizontal bus over a row of nodes. */
export interface Bus {
  readonly y: number;
  readonly x1: number;
  readonly x2: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** The first bus, the one the router hangs off. */
  readonly hostLineY: number;
  /** The trunk at the left joining the buses, where controllers hang in a column. */
  readonly trunkX: number;
  readonly buses: readonly Bus[];
  /** Where each node's wire meets the host network: a bus (below it) or the trunk (beside it). */
  readonly attach: ReadonlyMap<string, { readonly on: "bus" | "trunk"; readonly at: Point }>;
  readonly nodes: ReadonlyMap<string, Box>;
  readonly modes: ReadonlyMap<string, NodeMode>;
  /** Bridges of workers drawn whole. */
  readonly bridges: ReadonlyMap<string, Box>;
  /** The pods drawn (folded ones are not). */
  readonly pods: ReadonlyMap<string, Box>;
  /** Per node with pods that fold: its "+N pods" button. */
  readonly podFolds: ReadonlyMap<string, Fold>;
  readonly services: Box;
  readonly serviceRows: readonly ServiceRow[];
  readonly serviceFold?: Fold;
  /** Where the minimap goes, on big clusters: beside the services, at the bottom right. */
  readonly minimap?: Box;
  /** Where the caption over the cells (untouched workers by name only) goes. */
  readonly cellsCaption?: Point;
  /** Two-line boxes (the third and fourth lines of headers and pods are left out). */
  readonly compact: boolean;
  /** Two-line headers (name, pod network) with the fold button beside the name, two-line pods. */
  readonly tight: boolean;
  /** Which rung of the ladder the layout took (0: everything whole … 7: cells, tight), and whether even that overflows its room. */
  readonly density: number;
  readonly overflows: boolean;
}

/** What the trace touches: drawn whole whatever the size of the cluster. */
export interface Involved {
  readonly nodes: ReadonlySet<string>;
  readonly pods: ReadonlySet<string>;
  /** "namespace/name" of services whose address a packet was sent to. */
  readonly services: ReadonlySet<string>;
}

export interface LayoutOptions {
  /** The room on screen, in CSS pixels. */
  readonly width?: number;
  /** The room on screen, in CSS pixels. */
  readonly height?: number;
  readonly involved?: Involved;
  /** Nodes the reader unfolded. */
  readonly unfolded?: ReadonlySet<string>;
  readonly servicesUnfolded?: boolean;
  /** The widths the router's and the client's longest lines need, in units. */
  readonly bandText?: { readonly router: number; readonly client: number };
}

/** The label sizes the diagram uses, in units; nothing is drawn smaller than SMALL. */
export const FONT = { title: 13, text: 12, small: 11 } as const;

/** The room the layout assumes when it is not told (the diagram column of a 1280×800 window). */
export const DEFAULT_ROOM = { width: 900, height: 480 };

const PAD = 10;
/** Room left at the top right for the Legend button drawn over the diagram. */
const LEGEND_W = 84;
/**
 * A layout "fits" when its Fit scale keeps the smallest label (11 units) at 10 px or more: it may
 * be this much taller than its room.
 */
const FIT_SLACK = 1.08;
const GAP = 12;
/** Vertical room between rows: a bus runs in it. */
const ROW_GAP = 34;
const POD_H = 54;
const POD_GAP = 8;
const POD_MIN_W = 132;
const BRIDGE_H = 26;
const FULL_MIN_W = 150;
const FULL_MAX_W = 300;
const TILE = { w: 124, h: 58 };
/** A cell: an untouched worker as its name only, in a grid without wires of its own. */
const CELL = { w: 62, h: 18 };
const CELL_GAP = 4;
const FOLD_H = 22;
const SERVICES_FOLD_W = 170;
const TIGHT_FOLD_W = 76;
const MINIMAP_W = 150;
const MINIMAP_MAX_H = 100;
/** Room at the top left for the diagram's search box. */
const SEARCH_W = 250;
/** Room above the first row of cells for their caption. */
const CELL_CAPTION = 20;
const SERVICE_ROW_H = 18;
const SERVICE_COL_W = 280;
/** Services listed whole without folding. */
const SERVICES_UNFOLDED_MAX = 9;
/** Pods of a cluster drawn whole when they fit: beyond this the untouched ones fold. */
const PODS_UNFOLDED_MAX = 60;

/** Measures text in the diagram's sans-serif font: an estimate by default, the browser's own metrics once the page sets them. */
let measure: (text: string, size: number, bold: boolean) => number = (text, size, bold) => text.length * size * (bold ? 0.62 : 0.58);

/** Lets the page measure labels with the browser's font metrics (a canvas), so that they are cut only when they must be. */
export function setTextMeasure(m: (text: string, size: number, bold: boolean) => number): void {
  measure = m;
}

/** Width of `text` at `size` units in the diagram's sans-serif font. */
export function textWidth(text: string, size: number, bold = false): number {
  return measure(text, size, bold);
}

/** `text` cut to fit `width` units at `size`, with an ellipsis when it was cut. */
export function fitText(text: string, width: number, size: number, bold = false): string {
  if (measure(text, size, bold) <= width) return text;
  // The longest prefix that fits with its ellipsis (binary search: labels are short, measuring is cheap).
  let lo = 1;
  let hi = text.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(`${text.slice(0, mid)}…`, size, bold) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

const key = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;

/** What a trace touches: its nodes, its pods, and the services its packets were sent to. */
export function involvedIn(steps: readonly { readonly step: Step }[], topology: Topology): Involved {
  const nodes = new Set<string>();
  const pods = new Set<string>();
  const dsts = new Set<string>();
  for (const { step } of steps) {
    nodes.add(step.node);
    if (step.pod !== undefined) pods.add(step.pod);
    dsts.add(step.packet.dst);
  }
  const services = new Set(topology.services.filter((s) => dsts.has(s.clusterIP)).map(key));
  return { nodes, pods, services };
}

const NOTHING: Involved = { nodes: new Set(), pods: new Set(), services: new Set() };

/** One rung of the ladder: how compact the boxes are, whether untouched pods fold, whether untouched nodes are tiles. */
interface Rung {
  /** Two-line boxes: the router's and nodes' headers and the pods lose their third and fourth lines. */
  readonly compact: boolean;
  /** Tighter still (a small embed): two-line headers and pods, the fold button in the header, services three to a row. */
  readonly tight?: boolean;
  readonly foldPods: boolean;
  /** 0: every node whole; 1: untouched nodes as tiles; 2: as small tiles. */
  readonly tiles: 0 | 1 | 2;
}

/** From the most to the least detailed: the first rung whose picture fits its room wins. */
const LADDER: readonly Rung[] = [
  { compact: false, foldPods: false, tiles: 0 },
  { compact: true, foldPods: false, tiles: 0 },
  { compact: true, tight: true, foldPods: false, tiles: 0 },
  { compact: false, foldPods: true, tiles: 0 },
  { compact: true, foldPods: true, tiles: 0 },
  { compact: true, foldPods: true, tiles: 1 },
  { compact: true, foldPods: true, tiles: 2 },
  { compact: true, tight: true, foldPods: true, tiles: 2 },
];

/** The sizes of a rung's boxes. */
function sizes(compact: boolean, tight = false) {
  if (tight) return { band: 44, bandGap: 22, header: (_hasPublic: boolean) => 40, bridge: 22, pod: 36, controller: 40 };
  return compact
    ? { band: 46, bandGap: 24, header: (_hasPublic: boolean) => 58, bridge: 24, pod: 40, controller: 44 }
    : { band: 62, bandGap: 30, header: (hasPublic: boolean) => (hasPublic ? 76 : 60), bridge: BRIDGE_H, pod: POD_H, controller: 62 };
}

const podsPerRow = (w: number) => Math.max(1, Math.floor((w - 20 + POD_GAP) / (POD_MIN_W + POD_GAP)));

/** How much larger than its units a picture may be drawn when its room is larger than it needs (a projector). */
const ENLARGE = [1.8, 1.55, 1.35, 1.18] as const;

export function layoutTopology(t: Topology, opts: LayoutOptions = {}): Layout {
  const W = opts.width ?? DEFAULT_ROOM.width;
  const H = opts.height ?? DEFAULT_ROOM.height;
  const base = climb(t, opts, W, H);
  // A room larger than the picture needs (a projector, a big window): the same picture, larger,
  // as long as it says as much (no more folding than at its own size).
  for (const k of ENLARGE) {
    if (W / k < 480) continue;
    const big = climb(t, opts, W / k, H / k);
    if (!big.overflows && big.density <= base.density) return big;
  }
  return base;
}

/** The first rung of the ladder whose picture fits the room (or the last rung). */
function climb(t: Topology, opts: LayoutOptions, width: number, H: number): Layout {
  const W = Math.max(320, width);
  const few = t.pods.length <= PODS_UNFOLDED_MAX;
  let last: Layout | undefined;
  for (let i = 0; i < LADDER.length; i++) {
    const rung = LADDER[i]!;
    // A big cluster never draws every pod: its untouched pods fold from the start.
    if (!few && !rung.foldPods) continue;
    last = layoutAt(t, opts, W, H, rung, i);
    if (!last.overflows) return last;
  }
  return last!;
}

function layoutAt(t: Topology, opts: LayoutOptions, W: number, H: number, rung: Rung, density: number): Layout {
  const size = sizes(rung.compact, rung.tight);
  const involved = opts.involved ?? NOTHING;
  const unfolded = opts.unfolded ?? new Set<string>();
  const router = t.nodes.find((n) => n.kind === "router");
  const client = t.nodes.find((n) => n.kind === "client");
  const controllers = t.nodes.filter((n) => n.kind === "controller");
  const workers = t.nodes.filter((n) => n.kind === "worker");
  const podsOf = new Map<string, TopologyPod[]>();
  for (const p of t.pods) {
    const list = podsOf.get(p.node);
    if (list) list.push(p);
    else podsOf.set(p.node, [p]);
  }

  // The top band: the router over the workers, the internet client at the right.
  const nodes = new Map<string, Box>();
  const narrow = W < 620;
  const colW = controllers.length === 0 || narrow ? 0 : rung.tiles ? 136 : Math.min(180, Math.max(150, Math.round(W * 0.16)));
  const trunkX = PAD + 6;
  const areaX = colW ? PAD + colW + 16 : PAD + 20;
  const areaW = W - areaX - PAD;
  // As wide as their text asks (the page measures it, in its language), within what the band has.
  const clientW = Math.min(230, Math.max(130, (opts.bandText?.client ?? 170) + 20));
  const legendRoomW = W >= 700 ? LEGEND_W : 0;
  // The top left corner is the search box's (Topology.tsx) when the band shares its row.
  const searchRoom = legendRoomW ? SEARCH_W : 0;
  const routerW = Math.min(W - PAD - searchRoom - clientW - legendRoomW - 36 - PAD, 330, Math.max(150, (opts.bandText?.router ?? 230) + 20));
  // The top right corner is the Legend button's (App.tsx): the client keeps clear of it. On a
  // narrow screen the band starts under the search box and the Legend button instead.
  const legendRoom = W >= 700 ? LEGEND_W : 0;
  const bandY = legendRoom ? PAD : PAD + 36;
  if (client) nodes.set(client.id, { x: W - PAD - clientW - legendRoom, y: bandY, w: clientW, h: size.band });
  if (router) {
    const wanted = areaX + areaW / 2 - routerW / 2;
    const x = Math.max(PAD + searchRoom, Math.min(wanted, W - PAD - clientW - legendRoom - 36 - routerW));
    nodes.set(router.id, { x, y: bandY, w: routerW, h: size.band });
  }
  const hostLineY = bandY + size.band + size.bandGap;

  // Services at the bottom: the touched ones (or all, when few or unfolded), and a fold button.
  // Beside the services, at the bottom right, the minimap of a big cluster has its own room.
  const mapW = rung.tiles ? MINIMAP_W + 10 : 0;
  const svcCols = Math.max(1, Math.floor((W - 2 * PAD - 24 - mapW) / (rung.tight ? SERVICE_COL_W - 40 : SERVICE_COL_W)));
  const svcColW = (W - 2 * PAD - 24 - mapW) / svcCols;
  const foldServices = t.services.length > SERVICES_UNFOLDED_MAX;
  const servicesShown = !foldServices || opts.servicesUnfolded ? t.services : t.services.filter((s) => involved.services.has(key(s)));
  const svcRows = Math.ceil(servicesShown.length / svcCols);
  // The fold button sits at the right of the band's title line.
  const servicesH = 30 + svcRows * SERVICE_ROW_H + 6;

  // Controllers: a column at the left on the trunk; on a narrow screen, tiles in the rows.
  const attach = new Map<string, { on: "bus" | "trunk"; at: Point }>();
  const top = hostLineY + 18;
  let columnBottom = top;
  if (colW) {
    controllers.forEach((c, i) => {
      const b = { x: PAD + 20, y: top + i * (size.controller + 10), w: colW - 20, h: size.controller };
      nodes.set(c.id, b);
      attach.set(c.id, { on: "trunk", at: { x: trunkX, y: b.y + size.controller / 2 } });
      columnBottom = b.y + size.controller;
    });
  }

  // The rows of nodes.
  type Item = { id: string; w: number; h: number; mode: NodeMode; shown: TopologyPod[]; fold?: Fold | undefined; perRow: number; header: number };
  const touched = (n: TopologyNode) => involved.nodes.has(n.id) || unfolded.has(n.id);
  const rowNodes: TopologyNode[] = [...(colW ? [] : controllers), ...workers];
  const whole = (n: TopologyNode) => (n.kind === "controller" ? !narrow : rung.tiles === 0 || touched(n));
  // Whole nodes first (in their order), then tiles, when some are tiles.
  const order = rung.tiles === 0 && !narrow ? rowNodes : [...rowNodes.filter(whole), ...rowNodes.filter((n) => !whole(n))];
  const nWhole = order.filter(whole).length;
  const perLine = Math.max(1, Math.min(nWhole || 1, Math.floor((areaW + GAP) / (FULL_MIN_W + GAP))));
  // Beside tiles, whole nodes leave room for them.
  const fullW = Math.min(rung.tiles ? 190 : FULL_MAX_W, (areaW - GAP * (perLine - 1)) / perLine);
  const tileSize = rung.tiles === 2 ? CELL : TILE;
  const tileW = Math.min(tileSize.w, narrow ? (areaW - 2 * GAP) / 3 : tileSize.w);
  const items: Item[] = order.map((n) => {
    const mine = podsOf.get(n.id) ?? [];
    if (whole(n)) {
      const foldable = mine.filter((p) => !involved.pods.has(p.name));
      const foldPods = rung.foldPods && foldable.length > 0;
      const open = unfolded.has(n.id) || !foldPods;
      const shown = open ? mine : mine.filter((p) => involved.pods.has(p.name));
      const perRow = podsPerRow(fullW);
      const fold = foldPods ? { box: { x: 0, y: 0, w: 0, h: FOLD_H }, count: foldable.length, unfolded: open } : undefined;
      const header = size.header(n.publicIp !== undefined);
      if (n.kind === "controller") return { id: n.id, w: fullW, h: size.controller, mode: "full", shown: [], perRow, header };
      const rows = Math.ceil(shown.length / perRow);
      const podsH = rows ? 16 + rows * (size.pod + POD_GAP) - POD_GAP : 0;
      const h = header + size.bridge + podsH + (fold && !rung.tight ? POD_GAP + FOLD_H : 0) + (rung.tight ? 8 : 10);
      return { id: n.id, w: fullW, h, mode: "full", shown, fold, perRow, header };
    }
    const tiles = n.kind === "controller" ? TILE : tileSize;
    const fold = mine.length && tiles !== CELL ? { box: { x: 0, y: 0, w: 0, h: 16 }, count: mine.length, unfolded: false } : undefined;
    return { id: n.id, w: n.kind === "controller" ? Math.min(TILE.w, (areaW - 2 * GAP) / 3) : tileW, h: tiles.h, mode: tiles === CELL ? "mini" : "tile", shown: [], fold, perRow: 1, header: 0 };
  });
  // Shelves: items left to right; beside a tall item, smaller ones stack in columns. Rows of
  // cells have no bus of their own and sit closer together, under a caption.
  const placed = new Map<string, Box>();
  const rows: { y: number; h: number; right: number; cells: boolean }[] = [];
  const isCell = (it: Item) => it.mode === "mini";
  let cellsCaption: Point | undefined;
  let y = top;
  let i = 0;
  while (i < items.length) {
    const cells = isCell(items[i]!);
    if (cells && rows.length && !rows.at(-1)!.cells) {
      // The gap before the first row of cells holds their caption instead of a bus.
      y -= ROW_GAP - CELL_CAPTION;
      cellsCaption = { x: areaX, y: y - 5 };
    }
    const rowH = items[i]!.h;
    // Rows of cells below the controllers' column take the whole width.
    const left = cells && colW && y > columnBottom + CELL_GAP ? PAD + 20 : areaX;
    if (cellsCaption && cellsCaption.y === y - 5) cellsCaption = { x: left, y: y - 5 };
    let x = left;
    let right = left;
    let bottom = y + rowH;
    while (i < items.length) {
      const it = items[i]!;
      if (x > left && x + it.w > areaX + areaW + 0.5) break;
      const vgap = isCell(it) ? CELL_GAP : GAP;
      if (it.h * 2 + vgap <= rowH) {
        // A column of small items as tall as the row.
        let cy = y;
        let colWidth = 0;
        while (i < items.length && items[i]!.h * 2 + vgap <= rowH && cy + items[i]!.h <= y + rowH + 0.5 && x + items[i]!.w <= areaX + areaW + 0.5) {
          placed.set(items[i]!.id, { x, y: cy, w: items[i]!.w, h: items[i]!.h });
          colWidth = Math.max(colWidth, items[i]!.w);
          cy += items[i]!.h + vgap;
          i++;
        }
        if (colWidth === 0) break;
        right = x + colWidth;
        x += colWidth + (isCell(items[i - 1]!) ? CELL_GAP : GAP);
        continue;
      }
      placed.set(it.id, { x, y, w: it.w, h: it.h });
      bottom = Math.max(bottom, y + it.h);
      right = x + it.w;
      x += it.w + (isCell(it) ? CELL_GAP : GAP);
      i++;
    }
    rows.push({ y, h: bottom - y, right, cells });
    y = bottom + (cells ? CELL_GAP : ROW_GAP);
  }
  const lastGap = rows.at(-1)?.cells ? CELL_GAP : ROW_GAP;
  const rowsBottom = Math.max(rows.length ? y - lastGap : top, columnBottom);

  // Buses: the first is the host line; each later row has its own, in the gap above it.
  const buses: Bus[] = rows.filter((r, k) => k === 0 || !r.cells).map((r, k) => ({ y: k === 0 ? hostLineY : r.y - ROW_GAP / 2, x1: trunkX, x2: Math.max(r.right - 10, areaX + 40) }));
  if (buses.length === 0) buses.push({ y: hostLineY, x1: trunkX, x2: W - PAD });
  if (router) {
    const r = nodes.get(router.id)!;
    buses[0] = { ...buses[0]!, x2: Math.max(buses[0]!.x2, r.x + r.w / 2) };
  }

  const bridges = new Map<string, Box>();
  const pods = new Map<string, Box>();
  const podFolds = new Map<string, Fold>();
  const modes = new Map<string, NodeMode>();
  for (const c of controllers) modes.set(c.id, "full");
  for (const it of items) {
    const b = placed.get(it.id);
    if (!b) continue;
    nodes.set(it.id, b);
    modes.set(it.id, it.mode);
    // The bus over the node's row (cells: the last bus above them).
    let busY = buses[0]!.y;
    for (const bus of buses) if (bus.y < b.y) busY = bus.y;
    attach.set(it.id, { on: "bus", at: { x: b.x + b.w / 2, y: busY } });
    const kind = t.nodes.find((n) => n.id === it.id)!.kind;
    if (it.mode === "full" && kind === "worker") {
      bridges.set(it.id, { x: b.x + 10, y: b.y + it.header, w: b.w - 20, h: size.bridge });
      const podW = (b.w - 20 - (it.perRow - 1) * POD_GAP) / it.perRow;
      it.shown.forEach((p, k) => {
        const r = Math.floor(k / it.perRow);
        const c = k % it.perRow;
        pods.set(p.name, { x: b.x + 10 + c * (podW + POD_GAP), y: b.y + it.header + size.bridge + 16 + r * (size.pod + POD_GAP), w: podW, h: size.pod });
      });
      // Tight: the fold button at the right of the name's line.
      if (it.fold) podFolds.set(it.id, { ...it.fold, box: rung.tight ? { x: b.x + b.w - 8 - TIGHT_FOLD_W, y: b.y + 5, w: TIGHT_FOLD_W, h: 18 } : { x: b.x + 10, y: b.y + b.h - 10 - FOLD_H, w: b.w - 20, h: FOLD_H } });
    } else if (it.fold) {
      podFolds.set(it.id, { ...it.fold, box: { x: b.x + 6, y: b.y + b.h - 20, w: b.w - 12, h: 16 } });
    }
  }

  const servicesY = rowsBottom + 18;
  const services = { x: PAD, y: servicesY, w: W - 2 * PAD - mapW, h: servicesH };
  const serviceRows: ServiceRow[] = servicesShown.map((s, k) => ({
    key: key(s),
    x: PAD + 12 + (k % svcCols) * svcColW,
    y: servicesY + 44 + Math.floor(k / svcCols) * SERVICE_ROW_H,
    w: svcColW - 12,
  }));
  const serviceFold = foldServices
    ? { box: { x: W - PAD - mapW - 12 - SERVICES_FOLD_W, y: servicesY + 5, w: SERVICES_FOLD_W, h: FOLD_H }, count: opts.servicesUnfolded ? t.services.length - involved.services.size : t.services.length - servicesShown.length, unfolded: opts.servicesUnfolded ?? false }
    : undefined;
  const needed = servicesY + servicesH + PAD;
  return {
    width: W,
    height: Math.max(H, needed),
    hostLineY,
    trunkX,
    buses,
    attach,
    nodes,
    modes,
    bridges,
    pods,
    podFolds,
    services,
    serviceRows,
    ...(serviceFold && { serviceFold }),
    ...(cellsCaption && { cellsCaption }),
    ...(mapW && { minimap: { x: W - PAD - MINIMAP_W, y: servicesY, w: MINIMAP_W, h: Math.min(servicesH, MINIMAP_MAX_H) } }),
    compact: rung.compact,
    tight: rung.tight ?? false,
    density,
    overflows: needed > H * FIT_SLACK,
  };
}

export function center(b: Box): { x: number; y: number } {
  return { x: b.x + b.w / 2, y: b.y + b.h / 2 };
}

/** Where a node's eth0 wire leaves its box: the top of a worker, the left of a controller on the trunk, the bottom of the router. */
export function eth0Point(l: Layout, t: Topology, node: string): Point | undefined {
  const box = l.nodes.get(node);
  if (!box) return undefined;
  const k = t.nodes.find((x) => x.id === node)?.kind;
  if (k === "router") return { x: box.x + box.w / 2, y: box.y + box.h };
  if (k === "client") return { x: box.x, y: box.y + box.h / 2 };
  if (l.attach.get(node)?.on === "trunk") return { x: box.x, y: box.y + box.h / 2 };
  return { x: box.x + box.w / 2, y: box.y };
}

/** The host network between two nodes' eth0: down (or up) to their buses, along them and the trunk. */
export function hostRoute(l: Layout, t: Topology, a: string, b: string): Point[] {
  const ea = eth0Point(l, t, a);
  const eb = eth0Point(l, t, b);
  if (!ea || !eb) return [];
  const onNet = (n: string, e: Point): Point => {
    const k = t.nodes.find((x) => x.id === n)?.kind;
    if (k === "router" || k === "client") return { x: e.x, y: l.hostLineY };
    return l.attach.get(n)?.at ?? { x: e.x, y: l.hostLineY };
  };
  const ka = t.nodes.find((x) => x.id === a)?.kind;
  const kb = t.nodes.find((x) => x.id === b)?.kind;
  // The router and the client share their own link, above the host network.
  if ((ka === "client" && kb === "router") || (ka === "router" && kb === "client")) {
    const r = l.nodes.get(ka === "router" ? a : b)!;
    const side = { x: r.x + r.w, y: r.y + r.h / 2 };
    return ka === "router" ? [side, eb] : [ea, side];
  }
  // The client reaches the host network through the router: along their link, then down from the router.
  if (ka === "client" || kb === "client") {
    const r = t.nodes.find((x) => x.kind === "router");
    const rb = r && l.nodes.get(r.id);
    if (!r || !rb) return [];
    const side = { x: rb.x + rb.w, y: rb.y + rb.h / 2 };
    const path = ka === "client" ? [ea, side, ...hostRoute(l, t, r.id, b)] : [...hostRoute(l, t, a, r.id), side, eb];
    return path;
  }
  const pa = onNet(a, ea);
  const pb = onNet(b, eb);
  const lead = [ea, pa];
  const tail = [pb, eb];
  if (Math.abs(pa.y - pb.y) < 0.5 && l.attach.get(a)?.on !== "trunk" && l.attach.get(b)?.on !== "trunk") return [...lead, ...tail];
  // Different buses (or the trunk): along the bus to the trunk, along the trunk, out along the other bus.
  return [...lead, { x: l.trunkX, y: pa.y }, { x: l.trunkX, y: pb.y }, ...tail];
}

/** The bus line just above a point (the first one for the band above the host network). */
function busAbove(l: Layout, p: Point): number {
  let y = l.hostLineY;
  for (const b of l.buses) if (b.y <= p.y + 0.5) y = b.y;
  return y;
}

/**
 * Waypoints along the drawn wires from one place of the packet to the next, for its animation:
 * straight within a box; otherwise up to the bus above each end and along the trunk between buses.
 */
export function wireRoute(l: Layout, a: Point, b: Point): Point[] {
  const ya = busAbove(l, a);
  const yb = busAbove(l, b);
  if ((ya === yb && Math.abs(a.x - b.x) < 30) || (a.y < l.hostLineY - 20 && b.y < l.hostLineY - 20)) return [a, b];
  if (ya === yb) return [a, { x: a.x, y: ya }, { x: b.x, y: yb }, b];
  return [a, { x: a.x, y: ya }, { x: l.trunkX, y: ya }, { x: l.trunkX, y: yb }, { x: b.x, y: yb }, b];
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
      const b = l.pods.get(pod.name);
      if (b) return { x: b.x + b.w - 18, y: b.y - 12 };
    }
    const br = l.bridges.get(s.node);
    if (br && info?.bridge?.name === s.iface) return center(br);
    if (info?.kind === "router" && s.iface === "ext0") return { x: node.x + node.w, y: node.y + node.h / 2 };
    const e = eth0Point(l, t, s.node);
    if (e) return e;
  }
  return { x: node.x + node.w / 2, y: node.y + Math.min(40, node.h / 2) };
}
