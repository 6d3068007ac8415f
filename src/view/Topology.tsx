/**
 * The cluster drawn as SVG. React renders the elements; D3 owns one thing, the zoom/pan
 * transform of the viewport group (through a ref, set up and torn down in an effect).
 */
import { select, zoom, zoomIdentity, type ZoomBehavior } from "d3";
import { useEffect, useMemo, useRef } from "react";
import type { Topology as TopologyData } from "../engine/k8s/topology";
import type { Step } from "../engine/trace";
import { center, layoutTopology, stepPosition, type Box } from "./layout";
import { PacketMarker } from "./PacketMarker";
import { C, FILL, SERVICES_DASH, STROKE, WIRE } from "./diagramStyle";

function Label({ x, y, children, size = 13, weight = 400, fill = C.ink, anchor = "start" }: { x: number; y: number; children: React.ReactNode; size?: number; weight?: number; fill?: string; anchor?: "start" | "middle" | "end" }) {
  return (
    <text x={x} y={y} fontSize={size} fontWeight={weight} fill={fill} textAnchor={anchor} fontFamily="ui-sans-serif, system-ui, sans-serif">
      {children}
    </text>
  );
}

function Rect({ b, stroke, fill = FILL.node, dash, active }: { b: Box; stroke: string; fill?: string; dash?: string; active?: boolean }) {
  return <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={8} fill={fill} stroke={stroke} strokeWidth={active ? STROKE.active : STROKE.normal} strokeDasharray={dash} />;
}

/** What a click on the diagram picks while the editor sends a packet. */
export type PickTarget = { readonly node: string } | { readonly pod: string } | { readonly client: true } | { readonly service: string; readonly namespace: string };

/** Props that make an element of the diagram a button for picking it (keyboard too: Tab, then Enter or Space). */
function pickable(onPick: ((t: PickTarget) => void) | undefined, target: PickTarget, label: string, picked: boolean) {
  if (!onPick) return {};
  return {
    role: "button",
    tabIndex: 0,
    "aria-label": label,
    "aria-pressed": picked,
    className: "cursor-pointer outline-none [&:focus-visible>rect]:stroke-[#D55E00] [&:hover>rect]:stroke-[#D55E00]",
    onClick: (e: React.MouseEvent) => {
      e.stopPropagation();
      onPick(target);
    },
    onKeyDown: (e: React.KeyboardEvent) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        e.stopPropagation();
        onPick(target);
      }
    },
  };
}

const same = (a: PickTarget | undefined, b: PickTarget) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

export function Topology({
  topology,
  step,
  reducedMotion,
  fitSignal,
  onPick,
  picked,
}: {
  topology: TopologyData;
  step?: Step;
  reducedMotion: boolean;
  fitSignal: number;
  /** Set while the editor picks a packet's source and destination on the diagram. */
  onPick?: (t: PickTarget) => void;
  /** What is picked so far (drawn highlighted). */
  picked?: readonly PickTarget[];
}) {
  const isPicked = (t: PickTarget) => (picked ?? []).some((p) => same(p, t));
  const layout = useMemo(() => layoutTopology(topology), [topology]);
  const svgRef = useRef<SVGSVGElement>(null);
  const gRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<SVGSVGElement, unknown> | null>(null);

  useEffect(() => {
    const svg = svgRef.current;
    const g = gRef.current;
    if (!svg || !g) return;
    const behaviour = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.5, 4])
      .on("zoom", (ev) => g.setAttribute("transform", ev.transform.toString()));
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
  const activeNode = step?.pod === undefined ? step?.node : undefined;
  const router = topology.nodes.find((n) => n.kind === "router");
  const client = topology.nodes.find((n) => n.kind === "client");
  return (
    <svg ref={svgRef} viewBox={`0 0 ${layout.width} ${layout.height}`} className="h-full w-full select-none" role="img" aria-label="Cluster topology: the host network, each worker's pod network on its cnio0 bridge, the VPC router, the internet and the virtual service network" data-testid="topology">
      <g ref={gRef}>
        {/* internet and the VPC router */}
        {router && client && (
          <line x1={layout.nodes.get(router.id)!.x + layout.nodes.get(router.id)!.w} y1={71} x2={layout.nodes.get(client.id)!.x} y2={71} stroke={C.net} strokeWidth={WIRE.link} />
        )}
        {router && <line x1={center(layout.nodes.get(router.id)!).x} y1={112} x2={center(layout.nodes.get(router.id)!).x} y2={layout.hostLineY} stroke={C.host} strokeWidth={WIRE.link} />}
        <line x1={26} y1={layout.hostLineY} x2={1240} y2={layout.hostLineY} stroke={C.host} strokeWidth={WIRE.bus} />
        <Label x={40} y={layout.hostLineY - 10} weight={600} fill={C.host}>
          host network {topology.hostNetwork}
        </Label>
        {topology.nodes.map((n) => {
          const b = layout.nodes.get(n.id)!;
          const active = activeNode === n.id;
          if (n.kind === "router") {
            return (
              <g key={n.id} data-testid={`node-${n.id}`}>
                <Rect b={b} stroke={C.host} fill={FILL.router} active={active} />
                <Label x={b.x + 12} y={b.y + 24} weight={600}>VPC router (cloud fabric)</Label>
                <Label x={b.x + 12} y={b.y + 44} size={12}>{n.ip} · routes per pod CIDR</Label>
                <Label x={b.x + 12} y={b.y + 64} size={12} fill={C.muted}>1:1 public NAT · internet side {n.publicIp}</Label>
              </g>
            );
          }
          if (n.kind === "client") {
            return (
              <g key={n.id} data-testid={`node-${n.id}`} {...pickable(onPick, { client: true }, "Pick the internet client", isPicked({ client: true }))}>
                <Rect b={b} stroke={C.net} fill={FILL.client} active={active || isPicked({ client: true })} />
                <Label x={b.x + 12} y={b.y + 24} weight={600}>Internet client</Label>
                <Label x={b.x + 12} y={b.y + 44} size={12}>{n.ip}</Label>
                <Label x={b.x + 12} y={b.y + 64} size={12} fill={C.muted}>(documentation range)</Label>
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
            <g key={n.id} data-testid={`node-${n.id}`} {...pickable(onPick, { node: n.id }, `Pick ${n.id}`, isPicked({ node: n.id }))}>
              {link}
              <Rect b={b} stroke={C.host} active={active || isPicked({ node: n.id })} />
              <Label x={b.x + 12} y={b.y + 24} weight={600}>{n.id}</Label>
              <Label x={b.x + 12} y={b.y + 44} size={12}>eth0 {n.ip}</Label>
              {n.publicIp && <Label x={b.x + 12} y={b.y + 62} size={12} fill={C.muted}>public {n.publicIp}</Label>}
              {n.podCidr && <Label x={b.x + 12} y={b.y + 82} size={12} fill={C.pod}>pod network {n.podCidr}</Label>}
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
                <Label x={br.x + 10} y={br.y + 22} size={12} weight={600} fill={C.pod}>
                  {n.bridge!.name} {n.bridge!.ip} (bridge)
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
            <g key={p.name} data-testid={`pod-${p.name}`} {...pickable(onPick, { pod: p.name }, `Pick pod ${p.name}`, isPicked({ pod: p.name }))}>
              <Rect b={b} stroke={C.pod} fill={FILL.pod} active={step?.pod === p.name || isPicked({ pod: p.name })} />
              <Label x={b.x + 10} y={b.y + 20} size={12} weight={600}>{p.name.length > 30 ? p.name.slice(0, 29) + "…" : p.name}</Label>
              <Label x={b.x + 10} y={b.y + 38} size={12}>eth0 {p.ip}</Label>
              <Label x={b.x + 10} y={b.y + 55} size={11} fill={C.muted}>{p.hostVeth} on the host</Label>
            </g>
          );
        })}
        {/* the service network: virtual */}
        <rect x={layout.services.x} y={layout.services.y} width={layout.services.w} height={layout.services.h} rx={10} fill={FILL.services} stroke={C.svc} strokeWidth={STROKE.normal} strokeDasharray={SERVICES_DASH} />
        <Label x={56} y={layout.services.y + 24} weight={600} fill={C.svc}>
          service network {topology.serviceNetwork} — virtual: no wire, only kube-proxy's iptables rules on every node
        </Label>
        {topology.services.map((s, i) => {
          const t: PickTarget = { service: s.name, namespace: s.namespace };
          const x = 56 + (i % 3) * 400;
          const y = layout.services.y + 50 + Math.floor(i / 3) * 20;
          return (
            <g key={`${s.namespace}/${s.name}`} data-testid={`service-${s.namespace}-${s.name}`} {...pickable(onPick, t, `Pick service ${s.namespace}/${s.name}`, isPicked(t))}>
              {onPick && <rect x={x - 4} y={y - 14} width={390} height={19} rx={4} fill={isPicked(t) ? FILL.servicePicked : "transparent"} />}
              <Label x={x} y={y} size={12} weight={isPicked(t) ? 600 : 400}>
                {s.namespace}/{s.name} {s.clusterIP} · {s.ports.join(", ")}
              </Label>
            </g>
          );
        })}
        {here && <PacketMarker at={here} busY={layout.hostLineY} reducedMotion={reducedMotion} colour={C.packet} />}
      </g>
    </svg>
  );
}
