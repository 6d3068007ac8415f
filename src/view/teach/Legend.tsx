/**
 * The diagram's legend: a "Legend" button that opens a panel of swatches, each drawn with the
 * same constants the diagram uses (../diagramStyle), so it says what the picture shows. It is a
 * disclosure (aria-expanded); Escape closes it and gives the focus back to the button.
 */
import { useEffect, useId, useRef, useState } from "react";
import { useLang, useT } from "../../i18n/use";
import { C, DROP, FILL, PACKET, SERVICES_DASH, STROKE, TRAIL, TUNNEL, WIRE } from "../diagramStyle";
import { teachText } from "./i18n";
import { useOutsidePress } from "../outside";

const W = 44;
const H = 24;

function Swatch({ children }: { children: React.ReactNode }) {
  return (
    <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-hidden="true" className="diagram-colours shrink-0">
      {children}
    </svg>
  );
}

const box = (stroke: string, fill: string, opts: { dash?: string; width?: number } = {}) => (
  <rect x={3} y={3} width={W - 6} height={H - 6} rx={5} fill={fill} stroke={stroke} strokeWidth={opts.width ?? STROKE.normal} strokeDasharray={opts.dash} />
);

/** What the legend lists: a swatch and what it stands for. */
export const LEGEND_ITEMS: readonly { readonly key: string; readonly label: string; readonly ru: string; readonly swatch: React.ReactNode }[] = [
  { key: "node", label: "A node (worker or controller): its eth0 address, public address and pod network", ru: "Узел (воркер или контроллер): его адрес на eth0, публичный адрес и сеть подов", swatch: box(C.host, FILL.node) },
  { key: "host-net", label: "The host network: one L2 segment all nodes sit on", ru: "Сеть хостов: один L2-сегмент, в котором стоят все узлы", swatch: <line x1={2} y1={H / 2} x2={W - 2} y2={H / 2} stroke={C.host} strokeWidth={WIRE.bus} /> },
  { key: "bridge", label: "A node's CNI bridge, cnio0 (flannel's cni0): the pods' switch and gateway", ru: "Мост CNI узла, cnio0 (у flannel — cni0): коммутатор и шлюз подов", swatch: box(C.pod, FILL.bridge) },
  { key: "pod", label: "A pod: its eth0 address and the host end of its veth", ru: "Под: его адрес на eth0 и конец veth на хосте", swatch: box(C.pod, FILL.pod) },
  { key: "veth", label: "A veth pair: the pod's eth0 to its port on cnio0", ru: "Пара veth: от eth0 пода до его порта на cnio0", swatch: <line x1={W / 2} y1={2} x2={W / 2} y2={H - 2} stroke={C.pod} strokeWidth={WIRE.link} /> },
  { key: "router", label: "The VPC router (cloud fabric): routes each pod network to its node, and the 1:1 public NAT", ru: "Маршрутизатор VPC (облачная сеть): направляет сеть подов каждого узла на этот узел и делает публичный NAT 1:1", swatch: box(C.host, FILL.router) },
  { key: "client", label: "A client on the internet, and its link to the VPC edge", ru: "Клиент в интернете и его канал до границы VPC", swatch: (
      <>
        {box(C.net, FILL.client)}
        <line x1={2} y1={H - 2} x2={W - 2} y2={H - 2} stroke={C.net} strokeWidth={WIRE.link} />
      </>
    ) },
  { key: "services", label: "The service network: virtual, only kube-proxy's iptables (or nftables) rules", ru: "Сеть сервисов: виртуальная, только правила iptables (или nftables) kube-proxy", swatch: box(C.svc, FILL.services, { dash: SERVICES_DASH }) },
  { key: "packet", label: "The packet, where the current step happens", ru: "Пакет — там, где происходит текущий шаг", swatch: (
      <>
        <circle cx={W / 2} cy={H / 2} r={PACKET.r * 0.55} fill={C.packet} stroke={PACKET.outline} strokeWidth={2} />
        <circle cx={W / 2} cy={H / 2} r={PACKET.halo * 0.55} fill="none" stroke={C.packet} strokeOpacity={0.4} strokeWidth={1.5} />
      </>
    ) },
  { key: "tunnel", label: "A packet inside a tunnel (flannel's VXLAN): the outer header goes node to node, the pods' packet inside it", ru: "Пакет внутри туннеля (VXLAN у flannel): внешний заголовок идёт от узла к узлу, пакет подов — внутри него", swatch: (
      <>
        <rect x={W / 2 - 14} y={2} width={28} height={H - 4} rx={5} fill={TUNNEL.fill} stroke={TUNNEL.stroke} strokeWidth={1.5} />
        <circle cx={W / 2} cy={H / 2} r={PACKET.r * 0.5} fill={C.packet} stroke={PACKET.outline} strokeWidth={1.5} />
      </>
    ) },
  { key: "active", label: "A thick outline: the box the packet is in now", ru: "Толстая рамка: блок, в котором пакет сейчас", swatch: box(C.pod, FILL.pod, { width: STROKE.active }) },
  { key: "trail", label: "The path so far, along the wires, labelled with the packet's addresses on each segment", ru: "Пройденный путь по проводам, с адресами пакета на каждом участке", swatch: (
      <>
        <line x1={2} y1={H - 5} x2={W - 2} y2={H - 5} stroke={TRAIL.stroke} strokeWidth={TRAIL.width} strokeOpacity={TRAIL.opacity} />
        <rect x={6} y={2} width={W - 12} height={11} rx={3} fill={TRAIL.label} stroke={TRAIL.labelStroke} />
      </>
    ) },
  { key: "nat", label: "A segment whose addresses a NAT changed: its label is highlighted", ru: "Участок, адреса на котором изменил NAT: его подпись выделена", swatch: (
      <>
        <line x1={2} y1={H - 5} x2={W - 2} y2={H - 5} stroke={TRAIL.stroke} strokeWidth={TRAIL.width} strokeOpacity={TRAIL.opacity} />
        <rect x={6} y={2} width={W - 12} height={11} rx={3} fill={TRAIL.nat} stroke={TRAIL.natStroke} />
      </>
    ) },
  { key: "drop", label: "A drop: where the packet died, with the reason beside it", ru: "Отброс: где пакет погиб, с причиной рядом", swatch: (
      <text x={W / 2} y={H / 2 + 7} textAnchor="middle" fontSize={20} fontWeight={700} fill={DROP.colour}>
        {DROP.mark}
      </text>
    ) },
];

export function Legend() {
  const t = useT(teachText);
  const lang = useLang();
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [open]);
  // A click outside closes it too.
  useOutsidePress(open, [panel, button], () => setOpen(false));

  return (
    <div className="absolute right-2 top-2 z-20 flex max-w-[calc(100%-1rem)] flex-col items-end">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
        className="rounded border border-slate-300 bg-white/95 px-2.5 py-1 text-sm shadow-sm hover:bg-slate-100"
      >
        {t.legend}
      </button>
      <div
        ref={panel}
        id={id}
        hidden={!open}
        role="region"
        aria-label={t.legendRegion}
        className="mt-1 max-h-[70vh] w-80 max-w-full overflow-y-auto rounded border border-slate-300 bg-white p-2 text-xs text-slate-800 shadow-lg"
        data-testid="legend"
      >
        <ul className="space-y-1">
          {LEGEND_ITEMS.map((it) => (
            <li key={it.key} className="flex items-center gap-2" data-legend={it.key}>
              <Swatch>{it.swatch}</Swatch>
              <span>{lang === "ru" ? it.ru : it.label}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
