/**
 * The cluster drawn as SVG. React renders the elements; D3 owns one thing, the zoom/pan
 * transform of the viewport group (through a ref, set up and torn down in an effect).
 */
import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from "d3";
import { useEffect, useMemo, useRef } from "react";
import type { Topology as TopologyData } from "../engine/k8s/topology";
import type { Step } from "../engine/trace";
import type { FlatStep } from "../store/playback";
import { center, layoutTopology, stepPosition, type Box } from "./layout";
import { PacketMarker } from "./PacketMarker";
import { Trail, dropLabel, headerBadge } from "./TrailLayer";
import { useLang } from "../i18n/use";
import { TOPOLOGY } from "./i18n/page";
import { trailOf } from "./trail";
import { C, DROP, FILL, SERVICES_DASH, STROKE, TEXT, WIRE } from "./diagramStyle";

function Label({ x, y, children, size = 13, weight = 400, fill = TEXT.ink, anchor = "start" }: { x: number; y: number; children: React.ReactNode; size?: number; weight?: number; fill?: string; anchor?: "start" | "middle" | "end" }) {
  return (
    <text x={x} y={y} fontSize={size} fontWeight={weight} fill={fill} textAnchor={anchor} fontFamily="ui-sans-serif, system-ui, sans-serif">
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
}) {
  const lang = useLang();
  const tr = TOPOLOGY[lang];
  const isPicked = (t: PickTarget) => (picked ?? []).some((p) => same(p, t));
  const layout = useMemo(() => layoutTopology(topology), [topology]);
  const svgRef = useRef<SVGSVGElement>(null);
  const gRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const transformRef = useRef<ZoomTransform>(zoomIdentity);

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
      });
    zoomRef.current = behaviour;
    select(svg).call(behaviour);
    return () => {
      select(svg).on(".zoom", null);
    };
  }, []);

  useEffect(() => {
    const svg = svgRef.current;
    if (svg && zoomRef.current) select(svg).call(zoomRef.current.transform, zoomIdentity);
  }, [fitSignal]);

  const here = step ? stepPosition(layout, topology, step) : undefined;
  const trail = useMemo(() => (steps && cursor !== undefined ? trailOf(steps, cursor, layout, topology) : []), [steps, cursor, layout, topology]);
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
    // Only when the packet nears the edge of what is shown (in view-box units).
    if (sx > layout.width * margin && sx < layout.width * (1 - margin) && sy > layout.height * margin && sy < layout.height * (1 - margin)) return;
    select(svg).call(z.translateTo, hx, hy);
  }, [hx, hy, layout.width, layout.height]);
  const activeNode = step?.pod === undefined ? step?.node : undefined;
  const router = topology.nodes.find((n) => n.kind === "router");
  const client = topology.nodes.find((n) => n.kind === "client");
  return (
    <svg ref={svgRef} viewBox={`0 0 ${layout.width} ${layout.height}`} className="diagram-colours h-full w-full select-none" role="img" aria-label={tr.label} data-testid="topology">
      <g ref={gRef}>
        {/* internet and the VPC router */}
        {router && client && (
          <line x1={layout.nodes.get(router.id)!.x + layout.nodes.get(router.id)!.w} y1={71} x2={layout.nodes.get(client.id)!.x} y2={71} stroke={C.net} strokeWidth={WIRE.link} />
        )}
        {router && <line x1={center(layout.nodes.get(router.id)!).x} y1={112} x2={center(layout.nodes.get(router.id)!).x} y2={layout.hostLineY} stroke={C.host} strokeWidth={WIRE.link} />}
        <line x1={26} y1={layout.hostLineY} x2={1240} y2={layout.hostLineY} stroke={C.host} strokeWidth={WIRE.bus} />
        <Label x={40} y={layout.hostLineY - 10} weight={600} fill={C.host}>
          {tr.hostNetwork} {topology.hostNetwork}
        </Label>
        {topology.nodes.map((n) => {
          const b = layout.nodes.get(n.id)!;
          const active = activeNode === n.id;
          if (n.kind === "router") {
            return (
              <g key={n.id} data-testid={`node-${n.id}`}>
                <Rect b={b} stroke={C.host} fill={FILL.router} active={active} />
                <Label x={b.x + 12} y={b.y + 24} weight={600}>{tr.router}</Label>
                <Label x={b.x + 12} y={b.y + 44} size={12}>{n.ip} · {tr.routes}</Label>
                <Label x={b.x + 12} y={b.y + 64} size={12} fill={TEXT.muted}>{tr.publicNat({ ip: n.publicIp ?? "" })}</Label>
              </g>
            );
          }
          if (n.kind === "client") {
            return (
              <g key={n.id} data-testid={`node-${n.id}`} {...pickable(onPick, { client: true }, tr.pickClient, isPicked({ client: true }))}>
                <Rect b={b} stroke={C.net} fill={FILL.client} active={active || isPicked({ client: true })} />
                <Label x={b.x + 12} y={b.y + 24} weight={600}>{tr.client}</Label>
                <Label x={b.x + 12} y={b.y + 44} size={12}>{n.ip}</Label>
                <Label x={b.x + 12} y={b.y + 64} size={12} fill={TEXT.muted}>{tr.docRange}</Label>
              </g>
            );
          }
          const x = b.x + b.w / 2;
          // Controllers hang off a riser at the left edge; workers straight below the host network.
          const link =
            n.kind === "controller" ? (
              <path d={`M 26 ${layout.hostLineY} V ${b.y + b.h / 2} H ${b.x}`} fill="none" stroke={C.host} strokeWidth={WIRE.link} />
            ) : (
              <line x1={x} y1={layout.hostLineY} x2={x} y2={b.y} stroke={C.host} strokeWidth={WIRE.link} />
            );
          return (
            <g key={n.id} data-testid={`node-${n.id}`} {...(onPick ? pickable(onPick, { node: n.id }, tr.pick({ name: n.id }), isPicked({ node: n.id })) : openable(onOpen, { node: n.id }, tr.openNode({ node: n.id })))}>
              {link}
              <Rect b={b} stroke={C.host} active={active || isPicked({ node: n.id })} />
              <Label x={b.x + 12} y={b.y + 24} weight={600}>{n.id}</Label>
              <Label x={b.x + 12} y={b.y + 44} size={12}>eth0 {n.ip}</Label>
              {n.publicIp && <Label x={b.x + 12} y={b.y + 62} size={12} fill={TEXT.muted}>{tr.public} {n.publicIp}</Label>}
              {n.podCidr && <Label x={b.x + 12} y={b.y + 82} size={12} fill={TEXT.pod}>{tr.podNetwork} {n.podCidr}</Label>}
            </g>
          );
        })}
        {topology.nodes
          .filter((n) => n.bridge)
          .map((n) => {
            const br = layout.bridges.get(n.id)!;
            return (
              <g key={`br-${n.id}`}>
                <rect x={br.x} y={br.y} width={br.w} height={br.h} rx={6} fill={FILL.bridge} stroke={C.pod} strokeWidth={STROKE.normal} />
                <Label x={br.x + 10} y={br.y + 22} size={12} weight={600} fill={TEXT.pod}>
                  {n.bridge!.name} {n.bridge!.ip} {tr.bridge}
                </Label>
              </g>
            );
          })}
        {/* veth links first, so that pod boxes sit on top of the links of the pods below them */}
        {topology.pods.map((p) => {
          const b = layout.pods.get(p.name)!;
          const br = layout.bridges.get(p.node)!;
          const x = b.x + b.w - 18;
          return <line key={`veth-${p.name}`} x1={x} y1={br.y + br.h} x2={x} y2={b.y} stroke={C.pod} strokeWidth={WIRE.link} />;
        })}
        {topology.pods.map((p) => {
          const b = layout.pods.get(p.name)!;
          return (
            <g key={p.name} data-testid={`pod-${p.name}`} {...(onPick ? pickable(onPick, { pod: p.name }, tr.pickPod({ pod: p.name }), isPicked({ pod: p.name })) : openable(onOpen, { pod: p.name }, tr.openShell({ pod: p.name })))}>
              <Rect b={b} stroke={C.pod} fill={FILL.pod} active={step?.pod === p.name || isPicked({ pod: p.name })} />
              <Label x={b.x + 10} y={b.y + 20} size={12} weight={600}>{p.name.length > 30 ? p.name.slice(0, 29) + "…" : p.name}</Label>
              <Label x={b.x + 10} y={b.y + 38} size={12}>eth0 {p.ip}</Label>
              <Label x={b.x + 10} y={b.y + 55} size={11} fill={TEXT.muted}>{p.hostVeth} {tr.onHost}</Label>
            </g>
          );
        })}
        {/* the service network: virtual */}
        <rect x={layout.services.x} y={layout.services.y} width={layout.services.w} height={layout.services.h} rx={10} fill={FILL.services} stroke={C.svc} strokeWidth={STROKE.normal} strokeDasharray={SERVICES_DASH} />
        <Label x={56} y={layout.services.y + 24} weight={600} fill={TEXT.svc}>
          {tr.services({ cidr: topology.serviceNetwork })}
        </Label>
        {topology.services.map((s, i) => {
          const t: PickTarget = { service: s.name, namespace: s.namespace };
          const x = 56 + (i % 3) * 400;
          const y = layout.services.y + 50 + Math.floor(i / 3) * 20;
          return (
            <g key={`${s.namespace}/${s.name}`} data-testid={`service-${s.namespace}-${s.name}`} {...pickable(onPick, t, tr.pickService({ name: `${s.namespace}/${s.name}` }), isPicked(t))}>
              {onPick && <rect x={x - 4} y={y - 14} width={390} height={19} rx={4} fill={isPicked(t) ? FILL.servicePicked : "transparent"} />}
              <Label x={x} y={y} size={12} weight={isPicked(t) ? 600 : 400}>
                {s.namespace}/{s.name} {s.clusterIP} · {s.ports.join(", ")}
              </Label>
            </g>
          );
        })}
        <Trail segments={trail} />
        {here && step?.kind === "drop" && (
          <g data-testid="drop-marker" transform={`translate(${here.x} ${here.y})`}>
            <path d="M -14 -14 L 14 14 M -14 14 L 14 -14" stroke={DROP.colour} strokeWidth={6} strokeLinecap="round" />
            <path d="M -14 -14 L 14 14 M -14 14 L 14 -14" stroke="white" strokeWidth={2} strokeLinecap="round" />
            <DropLabel x={here.x} width={layout.width} text={dropLabel(step, lang)} />
          </g>
        )}
        {here && step && step.kind !== "drop" && (
          <PacketMarker at={here} busY={layout.hostLineY} reducedMotion={reducedMotion} colour={C.packet} badge={headerBadge(step)} flipBadge={here.x > layout.width - 330} />
        )}
        {here && step && (step.kind === "rule" || step.kind === "nat") && step.pod === undefined && onOpen && !onPick && (
          <RuleChip x={here.x} y={here.y} width={layout.width} step={step} onOpen={onOpen} />
        )}
      </g>
    </svg>
  );
}

/** A drop's reason beside its ✕, kept inside the picture. */
function DropLabel({ x, width, text }: { x: number; width: number; text: string }) {
  const w = Math.min(520, text.length * 6.6 + 16);
  const left = x + 22 + w > width ? -22 - w : 22;
  return (
    <g>
      <rect x={left} y={-13} width={w} height={24} rx={5} fill={TEXT.dropFill} stroke={DROP.colour} />
      <text x={left + 8} y={4} fontSize={12} fontWeight={600} fill={TEXT.drop} fontFamily="ui-sans-serif, system-ui, sans-serif" data-testid="drop-reason">
        {text}
      </text>
    </g>
  );
}

/** At a rule or NAT step: the chain and target that decided, a button to the node's rules. */
function RuleChip({ x, y, width, step, onOpen }: { x: number; y: number; width: number; step: Step; onOpen: (t: OpenTarget) => void }) {
  const tr = TOPOLOGY[useLang()];
  const d = step.detail;
  const text = d.kind === "rule" ? `${d.table} ${d.chain} → ${d.target}` : d.kind === "nat" ? `${d.type}` : "";
  if (!text) return null;
  const w = text.length * 6.4 + 16;
  const left = Math.min(Math.max(4, x - w / 2), width - w - 4);
  return (
    <g transform={`translate(${left} ${y + 24})`} data-testid="rule-chip" {...openable(onOpen, { rule: { node: step.node } }, tr.showRule({ rule: text, node: step.node }))}>
      <rect width={w} height={20} rx={10} fill={TEXT.ruleFill} stroke="#6d28d9" />
      <text x={8} y={14} fontSize={11} fill={TEXT.rule} fontFamily="ui-monospace, monospace">
        {text}
      </text>
    </g>
  );
}
