/**
 * The cluster drawn as SVG. React renders the elements; D3 owns one thing, the zoom/pan
 * transform of the viewport group (through a ref, set up and torn down in an effect).
 *
 * The layout (./layout) is computed for the room the diagram has, so at "Fit" labels are drawn
 * at their size. Zoomed out further, labels that would be drawn under 10 px are hidden (semantic
 * zoom: the cluster's shape first, names and addresses as one zooms in), without a React render:
 * the zoom handler sets `data-hide` on the svg and CSS (index.css) hides those sizes.
 */
import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from "d3";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Topology as TopologyData } from "../engine/k8s/topology";
import type { Step } from "../engine/trace";
import type { FlatStep } from "../store/playback";
import { FONT, center, fitText, involvedIn, layoutTopology, setTextMeasure, textWidth, stepPosition, wireRoute, type Box, type Fold, type Layout } from "./layout";
import { PacketMarker, type Wrapping } from "./PacketMarker";
import { Trail, dropLabel, headerBadge, packetBadge } from "./TrailLayer";
import { useLang } from "../i18n/use";
import { TOPOLOGY } from "./i18n/page";
import { trailOf } from "./trail";
import { C, DROP, FILL, SERVICES_DASH, STROKE, TEXT, WIRE } from "./diagramStyle";
import { DiagramSearch } from "./DiagramSearch";
import { Minimap } from "./Minimap";
import type { Found } from "./search";

function Label({ x, y, children, size = FONT.text, weight = 400, fill = TEXT.ink, anchor = "start" }: { x: number; y: number; children: React.ReactNode; size?: number; weight?: number; fill?: string; anchor?: "start" | "middle" | "end" }) {
  return (
    <text x={x} y={y} fontSize={size} fontWeight={weight} fill={fill} textAnchor={anchor} fontFamily={FONT_FAMILY} className={`lbl-${size}`}>
      {children}
    </text>
  );
}

function Rect({ b, stroke, fill = FILL.node, dash, active }: { b: Box; stroke: string; fill?: string; dash?: string; active?: boolean }) {
  return <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={8} fill={fill} stroke={stroke} strokeWidth={active ? STROKE.active : STROKE.normal} strokeDasharray={dash} />;
}

/** What a click on the diagram opens when nothing is being picked: a node's panel, a pod's shell, a rule's detail. */
export type OpenTarget = { readonly node: string } | { readonly pod: string } | { readonly rule: { readonly node: string } };

/** Props that make an element of the diagram a button: a click, or Tab then Enter or Space, calls `act`. */
function asButton(act: () => void, label: string, pressed?: boolean) {
  return {
    role: "button",
    tabIndex: 0,
    "aria-label": label,
    ...(pressed !== undefined && { "aria-pressed": pressed }),
    className: "cursor-pointer outline-none [&:focus-visible>rect]:stroke-[#D55E00] [&:hover>rect]:stroke-[#D55E00]",
    onClick: (e: React.MouseEvent) => {
      e.stopPropagation();
      act();
    },
    onKeyDown: (e: React.KeyboardEvent) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        e.stopPropagation();
        act();
      }
    },
  };
}

/** Opens a node's panel, a pod's shell or a rule's node, when nothing is being picked. */
function openable(onOpen: ((t: OpenTarget) => void) | undefined, target: OpenTarget, label: string) {
  return onOpen ? asButton(() => onOpen(target), label) : {};
}

/** What a click on the diagram picks while the editor sends a packet. */
export type PickTarget = { readonly node: string } | { readonly pod: string } | { readonly client: true } | { readonly service: string; readonly namespace: string };

/** Picks a packet's end for the editor (keyboard too: Tab, then Enter or Space). */
function pickable(onPick: ((t: PickTarget) => void) | undefined, target: PickTarget, label: string, picked: boolean) {
  return onPick ? asButton(() => onPick(target), label, picked) : {};
}

const same = (a: PickTarget | undefined, b: PickTarget) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

const FONT_FAMILY = "ui-sans-serif, system-ui, sans-serif";

// Labels are cut to their boxes by the browser's own font metrics.
{
  const ctx = typeof document !== "undefined" ? document.createElement("canvas").getContext("2d") : null;
  if (ctx) {
    const cache = new Map<string, number>();
    setTextMeasure((text, size, bold) => {
      const k = `${size}${bold ? "b" : ""}:${text}`;
      let w = cache.get(k);
      if (w === undefined) {
        ctx.font = `${bold ? 600 : 400} ${size}px ${FONT_FAMILY}`;
        w = ctx.measureText(text).width;
        if (cache.size > 20_000) cache.clear();
        cache.set(k, w);
      }
      return w;
    });
  }
}

/** Labels drawn smaller than this many pixels are hidden (an embed asks for 11). */
const MIN_LABEL_PX = 10;
const LABEL_SIZES = [FONT.small, FONT.text, FONT.title] as const;

/** The sizes (in units) to hide at `scale` pixels per unit: "11 12" hides 11- and 12-unit labels. */
export function hiddenSizes(scale: number, min = MIN_LABEL_PX): string {
  return LABEL_SIZES.filter((s) => s * scale < min - 0.01).join(" ");
}

/** The svg's pixels per layout unit at zoom scale k: the view box is fitted into the element. */
function pixelsPerUnit(svg: SVGSVGElement, l: Layout, k: number): number {
  const r = svg.getBoundingClientRect();
  if (!r.width || !r.height) return k;
  return Math.min(r.width / l.width, r.height / l.height) * k;
}

/** The room the diagram has: its container's size, followed as the window changes. */
function useRoom(ref: React.RefObject<HTMLDivElement | null>): { width: number; height: number } | undefined {
  const [room, setRoom] = useState<{ width: number; height: number }>();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      const r = el.getBoundingClientRect();
      const next = { width: Math.round(r.width), height: Math.round(r.height) };
      if (next.width < 10 || next.height < 10) return;
      setRoom((old) => (old && Math.abs(old.width - next.width) < 2 && Math.abs(old.height - next.height) < 2 ? old : next));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return room;
}

export function Topology({
  topology,
  step,
  reducedMotion,
  fitSignal,
  onPick,
  picked,
  steps,
  cursor,
  onOpen,
  minLabelPx = MIN_LABEL_PX,
  kubeProxyMode = "iptables",
  noPodRoutes,
}: {
  topology: TopologyData;
  step?: Step;
  reducedMotion: boolean;
  fitSignal: number;
  /** The trace and the step on screen: the trail shows the current flow up to it. */
  steps?: readonly FlatStep[];
  cursor?: number;
  /** Opens what was clicked (when not picking for the editor). */
  onOpen?: (t: OpenTarget) => void;
  /** Set while the editor picks a packet's source and destination on the diagram. */
  onPick?: (t: PickTarget) => void;
  /** What is picked so far (drawn highlighted). */
  picked?: readonly PickTarget[];
  /** Labels that would be drawn smaller than this are hidden until one zooms in. */
  minLabelPx?: number;
  /** Which rules make the service network (kube-proxy's mode), for its label. */
  kubeProxyMode?: "iptables" | "nftables";
  /** The VPC router holds no routes into the pod network (flannel's overlay needs none). */
  /** The VPC router holds no pod routes: under an overlay (flannel, Calico's VXLAN), or because the nodes route the pods' packets to each other (Calico routed). */
  noPodRoutes?: "overlay" | "routed" | undefined;
}) {
  const lang = useLang();
  const tr = TOPOLOGY[lang];
  const isPicked = (t: PickTarget) => (picked ?? []).some((p) => same(p, t));
  const boxRef = useRef<HTMLDivElement>(null);
  const room = useRoom(boxRef);
  // What the reader unfolded; a new cluster starts folded again.
  const [unfolded, setUnfolded] = useState<{ of: TopologyData; nodes: ReadonlySet<string>; services: boolean }>({ of: topology, nodes: new Set(), services: false });
  if (unfolded.of !== topology) setUnfolded({ of: topology, nodes: new Set(), services: false });
  const open = unfolded;
  const involved = useMemo(() => involvedIn(steps ?? [], topology), [steps, topology]);
  const bandText = useMemo(() => {
    const r = topology.nodes.find((n) => n.kind === "router");
    const c = topology.nodes.find((n) => n.kind === "client");
    return {
      router: Math.max(textWidth(tr.router, FONT.title, true), textWidth(`${r?.ip ?? ""} · ${noPodRoutes === "routed" ? tr.noPodRoutesRouted : noPodRoutes ? tr.noPodRoutes : tr.routes}`, FONT.text), textWidth(tr.publicNat({ ip: r?.publicIp ?? "" }), FONT.small)),
      client: Math.max(textWidth(tr.client, FONT.title, true), textWidth(c?.ip ?? "", FONT.text), textWidth(tr.docRange, FONT.small)),
    };
  }, [topology, tr, noPodRoutes]);
  const layout = useMemo(
    () => layoutTopology(topology, { ...(room && { width: room.width, height: room.height }), involved, unfolded: open.nodes, servicesUnfolded: open.services, bandText }),
    [topology, room, involved, open.nodes, open.services, bandText],
  );
  const svgRef = useRef<SVGSVGElement>(null);
  const gRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const transformRef = useRef<ZoomTransform>(zoomIdentity);
  const layoutRef = useRef(layout);
  const minimapRef = useRef<((t: ZoomTransform) => void) | null>(null);
  const [found, setFound] = useState<Found>();

  // Labels too small to read at this zoom are hidden (by CSS, without a render).
  const applyScale = useCallback(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const px = pixelsPerUnit(svg, layoutRef.current, transformRef.current.k);
    svg.setAttribute("data-hide", hiddenSizes(px, minLabelPx));
    svg.setAttribute("data-px", px.toFixed(3));
  }, [minLabelPx]);

  useEffect(() => {
    const svg = svgRef.current;
    const g = gRef.current;
    if (!svg || !g) return;
    const behaviour = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.5, 4])
      .on("zoom", (ev) => {
        transformRef.current = ev.transform;
        g.setAttribute("transform", ev.transform.toString());
        svg.setAttribute("data-zoom", ev.transform.k.toFixed(2));
        applyScale();
        minimapRef.current?.(ev.transform);
      });
    zoomRef.current = behaviour;
    select(svg).call(behaviour);
    return () => {
      select(svg).on(".zoom", null);
    };
  }, [applyScale]);

  useEffect(() => {
    layoutRef.current = layout;
    applyScale();
  }, [layout, applyScale]);

  useEffect(() => {
    const svg = svgRef.current;
    if (svg && zoomRef.current) select(svg).call(zoomRef.current.transform, zoomIdentity);
  }, [fitSignal]);

  /** Brings a box to the middle of the view, zoomed so that it fills about half of it. */
  const focusBox = useCallback(
    (b: Box) => {
      const svg = svgRef.current;
      const z = zoomRef.current;
      if (!svg || !z) return;
      const l = layoutRef.current;
      // Close enough to read it (at least 1.5×), never so close that it spills out of the view.
      const k = Math.max(1.5, Math.min(4, 0.6 * Math.min(l.width / Math.max(b.w, 40), l.height / Math.max(b.h, 30))));
      const c = center(b);
      const to = zoomIdentity.translate(l.width / 2, l.height / 2).scale(k).translate(-c.x, -c.y);
      if (reducedMotion) select(svg).call(z.transform, to);
      else select(svg).transition().duration(350).call(z.transform, to);
    },
    [reducedMotion],
  );

  // What the search found: unfold what hides it, then (once the layout has it) bring it into view.
  const onFound = (f: Found) => {
    if (f.kind === "pod" && !layout.pods.has(f.name)) setUnfolded({ of: topology, nodes: new Set([...open.nodes, f.node]), services: open.services });
    if (f.kind === "service" && !layout.serviceRows.some((r) => r.key === f.key)) setUnfolded({ ...open, services: true });
    // A node drawn as a tile or a cell is drawn whole once found.
    if (f.kind === "node" && layout.modes.get(f.id) !== "full" && layout.modes.has(f.id)) setUnfolded({ of: topology, nodes: new Set([...open.nodes, f.id]), services: open.services });
    setFound(f);
  };
  const foundBox: Box | undefined = useMemo(() => {
    if (!found) return undefined;
    if (found.kind === "pod") return layout.pods.get(found.name);
    if (found.kind === "node") return layout.nodes.get(found.id);
    const r = layout.serviceRows.find((s) => s.key === found.key);
    return r ? { x: r.x - 4, y: r.y - 14, w: r.w, h: 19 } : undefined;
  }, [found, layout]);
  useEffect(() => {
    if (foundBox) focusBox(foundBox);
  }, [foundBox, focusBox]);

  const toggleNode = (node: string) => {
    const nodes = new Set(open.nodes);
    const wasOpen = nodes.has(node);
    if (wasOpen) nodes.delete(node);
    else nodes.add(node);
    setUnfolded({ of: topology, nodes, services: open.services });
  };

  const here = step ? stepPosition(layout, topology, step) : undefined;
  const trail = useMemo(() => (steps && cursor !== undefined ? trailOf(steps, cursor, layout, topology) : []), [steps, cursor, layout, topology]);
  const route = useCallback((a: { x: number; y: number }, b: { x: number; y: number }) => wireRoute(layout, a, b), [layout]);
  // Zoomed in, the view follows the packet: it keeps the scale and brings the packet to the middle.
  const hx = here?.x;
  const hy = here?.y;
  useEffect(() => {
    const svg = svgRef.current;
    const z = zoomRef.current;
    if (!svg || !z || hx === undefined || hy === undefined || transformRef.current.k < 1.2) return;
    const t = transformRef.current;
    const [sx, sy] = [t.applyX(hx), t.applyY(hy)];
    const margin = 0.2;
    const l = layoutRef.current;
    // Only when the packet nears the edge of what is shown (in view-box units).
    if (sx > l.width * margin && sx < l.width * (1 - margin) && sy > l.height * margin && sy < l.height * (1 - margin)) return;
    select(svg).call(z.translateTo, hx, hy);
  }, [hx, hy]);
  const activeNode = step?.pod === undefined ? step?.node : undefined;
  const router = topology.nodes.find((n) => n.kind === "router");
  const client = topology.nodes.find((n) => n.kind === "client");
  const rb = router && layout.nodes.get(router.id);
  const cb = client && layout.nodes.get(client.id);
  const lastBus = layout.buses.at(-1)!;
  const trunkBottom = Math.max(lastBus.y, ...[...layout.attach.values()].filter((a) => a.on === "trunk").map((a) => a.at.y));
  const servicesByKey = useMemo(() => new Map(topology.services.map((s) => [`${s.namespace}/${s.name}`, s])), [topology]);
  const podsByName = useMemo(() => new Map(topology.pods.map((p) => [p.name, p])), [topology]);
  // The minimap's frame follows the zoom (set from the zoom handler, not through React).
  const subscribeMinimap = useCallback((f: (t: ZoomTransform) => void) => {
    minimapRef.current = f;
    f(transformRef.current);
  }, []);
  // The minimap's place on screen: the layout's corner for it, through the view box's fit (not the zoom: it stays put).
  const mapAt: React.CSSProperties | undefined = useMemo(() => {
    const m = layout.minimap;
    if (!m || !room) return undefined;
    const s = Math.min(room.width / layout.width, room.height / layout.height);
    const ox = (room.width - layout.width * s) / 2;
    const oy = (room.height - layout.height * s) / 2;
    return { left: ox + m.x * s, top: oy + m.y * s, width: m.w * s, height: m.h * s };
  }, [layout, room]);
  const foldButton = (f: Fold, node: string | undefined) => {
    const label = node === undefined ? (f.unfolded ? tr.hideServices : tr.showServices({ n: f.count })) : f.unfolded ? tr.hidePods({ node }) : tr.showPods({ n: f.count, node });
    const text = node === undefined ? (f.unfolded ? tr.foldServices : tr.moreServices({ n: f.count })) : f.unfolded ? tr.foldPods : tr.morePods({ n: f.count });
    const act = () => (node === undefined ? setUnfolded({ ...open, services: !open.services }) : toggleNode(node));
    const size = f.box.h < 20 ? FONT.small : FONT.text;
    return (
      <g key={`fold-${node ?? "services"}`} data-testid={node === undefined ? "fold-services" : `fold-${node}`} data-unfolded={f.unfolded ? "yes" : "no"} {...asButton(act, label, f.unfolded)}>
        <rect x={f.box.x} y={f.box.y} width={f.box.w} height={f.box.h} rx={5} fill="white" stroke={C.muted} strokeDasharray="3 3" strokeWidth={1} />
        <Label x={f.box.x + 6} y={f.box.y + f.box.h / 2 + size * 0.36} size={size} fill={TEXT.muted}>
          {fitText(text, f.box.w - 10, size)}
        </Label>
      </g>
    );
  };
  return (
    <div ref={boxRef} className="relative h-full w-full">
      <svg
        ref={svgRef}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        className="diagram-colours block h-full w-full select-none"
        role="img"
        aria-label={tr.label}
        data-testid="topology"
        data-density={layout.density}
      >
        <g ref={gRef}>
          {/* internet and the VPC router */}
          {rb && cb && <line x1={rb.x + rb.w} y1={rb.y + rb.h / 2} x2={cb.x} y2={cb.y + cb.h / 2} stroke={C.net} strokeWidth={WIRE.link} />}
          {rb && <line x1={rb.x + rb.w / 2} y1={rb.y + rb.h} x2={rb.x + rb.w / 2} y2={layout.hostLineY} stroke={C.host} strokeWidth={WIRE.link} />}
          {/* the host network: a bus over each row of nodes, joined by the trunk at the left */}
          {layout.buses.map((b, i) => (
            <line key={`bus-${i}`} x1={b.x1} y1={b.y} x2={b.x2} y2={b.y} stroke={C.host} strokeWidth={WIRE.bus} data-testid="bus" />
          ))}
          {trunkBottom > layout.hostLineY && <line x1={layout.trunkX} y1={layout.hostLineY} x2={layout.trunkX} y2={trunkBottom} stroke={C.host} strokeWidth={WIRE.bus} />}
          <Label x={layout.trunkX + 12} y={layout.hostLineY - 8} weight={600} fill={C.host}>
            {fitText(`${tr.hostNetwork} ${topology.hostNetwork}`, Math.max(60, (rb ? rb.x + rb.w / 2 : layout.width) - layout.trunkX - 24), FONT.text, true)}
          </Label>
          {topology.nodes.map((n) => {
            const b = layout.nodes.get(n.id);
            if (!b) return null;
            const active = activeNode === n.id;
            const textW = b.w - 20;
            if (n.kind === "router") {
              return (
                <g key={n.id} data-testid={`node-${n.id}`}>
                  <Rect b={b} stroke={C.host} fill={FILL.router} active={active} />
                  <Label x={b.x + 10} y={b.y + 19} size={FONT.title} weight={600}>{fitText(tr.router, textW, FONT.title, true)}</Label>
                  <Label x={b.x + 10} y={b.y + 36}>{fitText(`${n.ip} · ${noPodRoutes === "routed" ? tr.noPodRoutesRouted : noPodRoutes ? tr.noPodRoutes : tr.routes}`, textW, FONT.text)}</Label>
                  {!layout.compact && <Label x={b.x + 10} y={b.y + 53} size={FONT.small} fill={TEXT.muted}>{fitText(tr.publicNat({ ip: n.publicIp ?? "" }), textW, FONT.small)}</Label>}
                </g>
              );
            }
            if (n.kind === "client") {
              return (
                <g key={n.id} data-testid={`node-${n.id}`} {...pickable(onPick, { client: true }, tr.pickClient, isPicked({ client: true }))}>
                  <Rect b={b} stroke={C.net} fill={FILL.client} active={active || isPicked({ client: true })} />
                  <Label x={b.x + 10} y={b.y + 19} size={FONT.title} weight={600}>{fitText(tr.client, textW, FONT.title, true)}</Label>
                  <Label x={b.x + 10} y={b.y + 36}>{n.ip}</Label>
                  {!layout.compact && <Label x={b.x + 10} y={b.y + 53} size={FONT.small} fill={TEXT.muted}>{fitText(tr.docRange, textW, FONT.small)}</Label>}
                </g>
              );
            }
            const mode = layout.modes.get(n.id) ?? "full";
            const at = layout.attach.get(n.id);
            // Controllers in the column hang off the trunk; everything in the rows, off its bus.
            const link =
              at?.on === "trunk" ? (
                <line x1={at.at.x} y1={at.at.y} x2={b.x} y2={at.at.y} stroke={C.host} strokeWidth={WIRE.link} />
              ) : at && mode !== "mini" ? (
                <line x1={b.x + b.w / 2} y1={at.at.y} x2={b.x + b.w / 2} y2={b.y} stroke={C.host} strokeWidth={WIRE.link} />
              ) : null;
            const hasPods = topology.pods.length > 0 && n.kind === "worker";
            const name = fitText(n.id, textW, mode === "full" ? FONT.title : FONT.text, true);
            return (
              <g key={n.id} data-testid={`node-${n.id}`} data-mode={mode} {...(onPick ? pickable(onPick, { node: n.id }, tr.pick({ name: n.id }), isPicked({ node: n.id })) : openable(onOpen, { node: n.id }, tr.openNode({ node: n.id })))}>
                {link}
                {mode === "mini" ? (
                  <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={4} fill={FILL.node} stroke={C.host} strokeWidth={1} />
                ) : (
                  <Rect b={b} stroke={C.host} active={active || isPicked({ node: n.id })} />
                )}
                {mode === "mini" ? (
                  <Label x={b.x + b.w / 2} y={b.y + 13} size={FONT.small} anchor="middle">{fitText(n.id, b.w - 6, FONT.small)}</Label>
                ) : mode === "full" && layout.tight && n.kind === "worker" ? (
                  <>
                    <Label x={b.x + 10} y={b.y + 17} size={FONT.title} weight={600}>{fitText(n.id, textW - (layout.podFolds.get(n.id)?.box.w ?? textWidth(n.ip, FONT.text)) - 8, FONT.title, true)}</Label>
                    {/* The fold button takes the line's right end; without one, the node's address does. */}
                    {!layout.podFolds.has(n.id) && <Label x={b.x + b.w - 10} y={b.y + 17} anchor="end">{n.ip}</Label>}
                    {n.podCidr && <Label x={b.x + 10} y={b.y + 33} size={FONT.small} fill={TEXT.pod}>{fitText(`${tr.podNetwork} ${n.podCidr}`, textW, FONT.small)}</Label>}
                  </>
                ) : mode === "full" ? (
                  <>
                    <Label x={b.x + 10} y={b.y + 18} size={FONT.title} weight={600}>{name}</Label>
                    <Label x={b.x + 10} y={b.y + 35}>{fitText(`eth0 ${n.ip}`, textW, FONT.text)}</Label>
                    {n.publicIp && !layout.compact && <Label x={b.x + 10} y={b.y + 51} size={FONT.small} fill={TEXT.muted}>{fitText(`${tr.public} ${n.publicIp}`, textW, FONT.small)}</Label>}
                    {n.podCidr && <Label x={b.x + 10} y={b.y + (n.publicIp && !layout.compact ? 67 : 51)} size={FONT.small} fill={TEXT.pod}>{fitText(`${tr.podNetwork} ${n.podCidr}`, textW, FONT.small)}</Label>}
                  </>
                ) : (
                  <>
                    <Label x={b.x + 6} y={b.y + 16} weight={600}>{fitText(n.id, b.w - 12, FONT.text, true)}</Label>
                    {mode === "tile" && <Label x={b.x + 6} y={b.y + 31} size={FONT.small}>{fitText(n.ip, b.w - 12, FONT.small)}</Label>}
                    {hasPods && !layout.podFolds.has(n.id) && <Label x={b.x + 6} y={b.y + b.h - 8} size={FONT.small} fill={TEXT.muted}>{tr.podCount({ n: 0 })}</Label>}
                  </>
                )}
              </g>
            );
          })}
          {topology.nodes
            .filter((n) => n.bridge && layout.bridges.has(n.id))
            .map((n) => {
              const br = layout.bridges.get(n.id)!;
              return (
                <g key={`br-${n.id}`}>
                  <rect x={br.x} y={br.y} width={br.w} height={br.h} rx={6} fill={FILL.bridge} stroke={C.pod} strokeWidth={STROKE.normal} />
                  <Label x={br.x + 8} y={br.y + br.h / 2 + 4.5} weight={600} fill={TEXT.pod}>
                    {fitText(`${n.bridge!.name} ${n.bridge!.ip} ${tr.bridge}`, br.w - 14, FONT.text, true)}
                  </Label>
                </g>
              );
            })}
          {/* veth links first, so that pod boxes sit on top of the links of the pods below them */}
          {[...layout.pods].map(([name, b]) => {
            const p = podsByName.get(name)!;
            const br = layout.bridges.get(p.node);
            if (!br) return null;
            const x = b.x + b.w - 18;
            return <line key={`veth-${name}`} x1={x} y1={br.y + br.h} x2={x} y2={b.y} stroke={C.pod} strokeWidth={WIRE.link} />;
          })}
          {[...layout.pods].map(([name, b]) => {
            const p = podsByName.get(name)!;
            const w = b.w - 16;
            return (
              <g key={name} data-testid={`pod-${name}`} {...(onPick ? pickable(onPick, { pod: name }, tr.pickPod({ pod: name }), isPicked({ pod: name })) : openable(onOpen, { pod: name }, tr.openShell({ pod: name })))}>
                <Rect b={b} stroke={C.pod} fill={FILL.pod} active={step?.pod === name || isPicked({ pod: name })} />
                <Label x={b.x + 8} y={b.y + (b.h < 40 ? 15 : 17)} weight={600}>{fitText(name, w, FONT.text, true)}</Label>
                <Label x={b.x + 8} y={b.y + (b.h < 40 ? 30 : 33)}>{fitText(`eth0 ${p.ip}`, w, FONT.text)}</Label>
                {b.h >= 50 && <Label x={b.x + 8} y={b.y + 48} size={FONT.small} fill={TEXT.muted}>{fitText(`${p.hostVeth} ${tr.onHost}`, w, FONT.small)}</Label>}
              </g>
            );
          })}
          {[...layout.podFolds].map(([node, f]) => foldButton(f, node))}
          {layout.cellsCaption && (
            <Label x={layout.cellsCaption.x} y={layout.cellsCaption.y} size={FONT.small} fill={TEXT.muted}>
              {fitText(tr.cells({ n: [...layout.modes.values()].filter((m) => m === "mini").length }), layout.width - layout.cellsCaption.x - 10, FONT.small)}
            </Label>
          )}
          {/* the service network: virtual */}
          <rect x={layout.services.x} y={layout.services.y} width={layout.services.w} height={layout.services.h} rx={10} fill={FILL.services} stroke={C.svc} strokeWidth={STROKE.normal} strokeDasharray={SERVICES_DASH} />
          <Label x={layout.services.x + 12} y={layout.services.y + 21} size={FONT.title} weight={600} fill={TEXT.svc}>
            {fitText(tr.services({ cidr: topology.serviceNetwork, rules: kubeProxyMode === "nftables" ? "nftables" : "iptables" }), layout.services.w - 24 - (layout.serviceFold ? layout.serviceFold.box.w + 12 : 0), FONT.title, true)}
          </Label>
          {layout.serviceRows.map((r) => {
            const s = servicesByKey.get(r.key)!;
            const t: PickTarget = { service: s.name, namespace: s.namespace };
            return (
              <g key={r.key} data-testid={`service-${s.namespace}-${s.name}`} {...pickable(onPick, t, tr.pickService({ name: r.key }), isPicked(t))}>
                {onPick && <rect x={r.x - 4} y={r.y - 14} width={r.w} height={19} rx={4} fill={isPicked(t) ? FILL.servicePicked : "transparent"} />}
                <Label x={r.x} y={r.y} weight={isPicked(t) ? 600 : 400}>
                  {fitText(`${r.key} ${s.clusterIP} · ${s.ports.join(", ")}`, r.w - 8, FONT.text)}
                </Label>
              </g>
            );
          })}
          {layout.serviceFold && foldButton(layout.serviceFold, undefined)}
          {foundBox && <rect x={foundBox.x - 4} y={foundBox.y - 4} width={foundBox.w + 8} height={foundBox.h + 8} rx={10} fill="none" stroke={C.packet} strokeWidth={3} strokeDasharray="6 4" pointerEvents="none" data-testid="found" />}
          <Trail segments={trail} />
          {here && step?.kind === "drop" && (
            <g data-testid="drop-marker" transform={`translate(${here.x} ${here.y})`}>
              <path d="M -14 -14 L 14 14 M -14 14 L 14 -14" stroke={DROP.colour} strokeWidth={6} strokeLinecap="round" />
              <path d="M -14 -14 L 14 14 M -14 14 L 14 -14" stroke="white" strokeWidth={2} strokeLinecap="round" />
              <DropLabel x={here.x} width={layout.width} text={dropLabel(step, lang)} />
            </g>
          )}
          {here && step && step.kind !== "drop" && (
            <PacketMarker at={here} route={route} reducedMotion={reducedMotion} colour={C.packet} badge={headerBadge(step)} width={layout.width} wrapped={wrappingOf(step, cursor, tr)} />
          )}
          {here && step && (step.kind === "rule" || step.kind === "nat") && step.pod === undefined && onOpen && !onPick && (
            <RuleChip x={here.x} y={here.y} width={layout.width} step={step} onOpen={onOpen} />
          )}
        </g>
      </svg>
      <DiagramSearch topology={topology} onFound={onFound} />
      {mapAt && (
        <Minimap
          layout={layout}
          label={tr.overview}
          at={mapAt}
          subscribe={subscribeMinimap}
          onGo={(x, y) => {
            const svg = svgRef.current;
            const z = zoomRef.current;
            if (svg && z) select(svg).call(z.translateTo, x, y);
          }}
        />
      )}
    </div>
  );
}

/** A drop's reason beside its ✕, kept inside the picture. */
function DropLabel({ x, width, text }: { x: number; width: number; text: string }) {
  const w = Math.min(520, text.length * 6.6 + 16);
  const left = x + 22 + w > width ? -22 - w : 22;
  return (
    <g>
      <rect x={left} y={-13} width={w} height={24} rx={5} fill={TEXT.dropFill} stroke={DROP.colour} />
      <text x={left + 8} y={4} fontSize={12} fontWeight={600} fill={TEXT.drop} fontFamily="ui-sans-serif, system-ui, sans-serif" data-testid="drop-reason" className="lbl-12">
        {text}
      </text>
    </g>
  );
}

/** How the packet is drawn when it travels inside a tunnel (its packet has an inner one). */
function wrappingOf(step: Step, cursor: number | undefined, tr: (typeof TOPOLOGY)["en"]): Wrapping | undefined {
  const inner = step.packet.inner;
  if (!inner) return undefined;
  const d = step.kind === "encap" ? step.detail : undefined;
  const note = d && (d.action === "encap" ? tr.encapChip({ device: d.device, vni: d.vni, dst: d.outer.dst }) : tr.decapChip({ device: d.device, vni: d.vni }));
  return { tunnel: "VXLAN", inner: tr.innerPacket({ packet: packetBadge(inner) }), ...(d && { change: d.action, note }), key: `${cursor ?? ""}:${d?.action ?? ""}` };
}

/** At a rule or NAT step: the chain and target that decided, a button to the node's rules. */
function RuleChip({ x, y, width, step, onOpen }: { x: number; y: number; width: number; step: Step; onOpen: (t: OpenTarget) => void }) {
  const tr = TOPOLOGY[useLang()];
  const d = step.detail;
  const text = d.kind === "rule" ? `${d.table} ${d.chain} → ${d.target}` : d.kind === "nat" ? `${d.type}` : "";
  if (!text) return null;
  const w = text.length * 6.7 + 16;
  const left = Math.min(Math.max(4, x - w / 2), width - w - 4);
  return (
    <g transform={`translate(${left} ${y + 24})`} data-testid="rule-chip" {...openable(onOpen, { rule: { node: step.node } }, tr.showRule({ rule: text, node: step.node }))}>
      <rect width={w} height={20} rx={10} fill={TEXT.ruleFill} stroke="#6d28d9" />
      <text x={8} y={14} fontSize={11} fill={TEXT.rule} fontFamily="ui-monospace, monospace" className="lbl-11">
        {text}
      </text>
    </g>
  );
}
