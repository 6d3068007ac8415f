/**
 * Inside a node: the classic netfilter packet-flow diagram for the namespace of the current step,
 * with what this packet passed there so far lit up in order (the hooks, the tables and chains
 * entered in each, the rule that decided), the current hook, table and chain marked, and the
 * packet's addresses before and after each NAT. On a phone the diagram stacks vertically.
 */
import { useMemo } from "react";
import type { Topology } from "../engine/k8s/topology";
import type { StepPacket } from "../engine/trace";
import type { FlatStep } from "../store/playback";
import { useT } from "../i18n/use";
import { hooksText } from "./hooks-text";
import { TERMINAL, hookSlots, hooksAt, ipHook, isHook, isTunnelLabel, tableLabel, type HOOK_STAGES, type HooksAt, type HookStation, type Pass, type Station, type TablePass } from "./hooks";

/** Where each box sits in the wide grid (11 columns: boxes in odd ones, arrows between; 7 rows). */
const PLACE: Readonly<Record<Station, string>> = {
  "br-in": "md:col-start-1 md:row-start-1",
  "br-PREROUTING": "md:col-start-3 md:row-start-1",
  "br-decision": "md:col-start-5 md:row-start-1",
  "br-FORWARD": "md:col-start-7 md:row-start-1",
  "br-POSTROUTING": "md:col-start-9 md:row-start-1",
  "br-out": "md:col-start-11 md:row-start-1",
  in: "md:col-start-1 md:row-start-3",
  PREROUTING: "md:col-start-3 md:row-start-3",
  "route-in": "md:col-start-5 md:row-start-3",
  FORWARD: "md:col-start-7 md:row-start-3",
  POSTROUTING: "md:col-start-9 md:row-start-3",
  out: "md:col-start-11 md:row-start-3",
  INPUT: "md:col-start-5 md:row-start-5",
  OUTPUT: "md:col-start-9 md:row-start-5",
  local: "md:col-start-5 md:col-span-3 md:row-start-7",
  "route-out": "md:col-start-9 md:row-start-7",
};

/** The diagram's boxes in the order a phone stacks them (the wide grid places them itself). */
const BRIDGE_ROW: readonly Station[] = ["br-in", "br-PREROUTING", "br-decision", "br-FORWARD", "br-POSTROUTING", "br-out"];
const IP_BOXES: readonly Station[] = ["in", "PREROUTING", "route-in", "INPUT", "local", "route-out", "OUTPUT", "FORWARD", "POSTROUTING", "out"];

type Words = (typeof hooksText)["en"];

/** Arrows between boxes in the wide grid: [placement, glyph (or a word's key), the two stations it joins]. */
const ARROWS: readonly (readonly [string, string, Station, Station])[] = [
  ["md:col-start-2 md:row-start-3", "→", "in", "PREROUTING"],
  ["md:col-start-4 md:row-start-3", "→", "PREROUTING", "route-in"],
  ["md:col-start-6 md:row-start-3", "→", "route-in", "FORWARD"],
  ["md:col-start-8 md:row-start-3", "→", "FORWARD", "POSTROUTING"],
  ["md:col-start-10 md:row-start-3", "→", "POSTROUTING", "out"],
  ["md:col-start-5 md:row-start-4", "↓", "route-in", "INPUT"],
  ["md:col-start-5 md:row-start-6", "↓", "INPUT", "local"],
  ["md:col-start-8 md:row-start-7", "→", "local", "route-out"],
  ["md:col-start-9 md:row-start-6", "↑", "route-out", "OUTPUT"],
  ["md:col-start-9 md:row-start-4", "↑", "OUTPUT", "POSTROUTING"],
  ["md:col-start-1 md:row-start-2 text-[0.625rem]", "upToIp", "br-decision", "in"],
  ["md:col-start-11 md:row-start-2 text-[0.625rem]", "toBridge", "out", "br-decision"],
  ["md:col-start-2 md:row-start-1", "→", "br-in", "br-PREROUTING"],
  ["md:col-start-4 md:row-start-1", "→", "br-PREROUTING", "br-decision"],
  ["md:col-start-6 md:row-start-1", "→", "br-decision", "br-FORWARD"],
  ["md:col-start-8 md:row-start-1", "→", "br-FORWARD", "br-POSTROUTING"],
  ["md:col-start-10 md:row-start-1", "→", "br-POSTROUTING", "br-out"],
];

const hookDoc = (t: Words, hook: keyof typeof HOOK_STAGES): string => t[`doc${hook}`];

/** A label the hooks model gives in English words (not a device's name), in the page's language. */
function labelText(t: Words, label: string | undefined): string | undefined {
  return label === "a process" ? t.aProcess : label === "the bridge" ? t.theBridge : label === "a port" ? t.aPort : label;
}

function stationName(t: Words, s: Station, rawLabel?: string): string {
  const label = labelText(t, rawLabel);
  switch (s) {
    case "br-in":
    case "in":
      return label ? `${t.in}: ${label}` : t.in;
    case "br-out":
    case "out":
      return label ? `${t.out}: ${label}` : t.out;
    case "br-decision":
      return t.bridgingDecision;
    case "route-in":
    case "route-out":
      return t.routingDecision;
    case "local":
      // A tunnel device sends (or its socket takes) the datagram where a local process would.
      return isTunnelLabel(rawLabel) ? `${t.tunnelDevice}: ${rawLabel}` : t.localProcess;
    default:
      return ipHook(s);
  }
}

/** How a place is named in text: the bridge's hooks say so. */
function spoken(t: Words, s: Station, label?: string): string {
  const name = stationName(t, s, label);
  return s.startsWith("br-") && isHook(s) ? t.calledByBridge({ name }) : name;
}

export function endpointText(p: StepPacket): string {
  return p.sport !== undefined ? `${p.src}:${p.sport} → ${p.dst}:${p.dport}` : `${p.src} → ${p.dst}`;
}

/** What a stage (or an nft base chain) did, in words: the chains entered and the verdict. */
function stageText(w: Words, hook: keyof typeof HOOK_STAGES, t: TablePass, dropped: boolean): string {
  if (t.stage === "conntrack") return "conntrack";
  if (t.stage === "confirm") return "conntrack confirm";
  const label = tableLabel(hook, t);
  const chains = t.chains.join(" → ");
  if (!t.decided) return t.stage === "nat" && !t.nft ? w.fromConntrack({ stage: t.stage }) : `${label}: ${chains}`;
  const verdict = TERMINAL.has(t.decided.target) ? t.decided.target : dropped ? w.noRuleDecided : w.policyLetOn;
  return `${label}: ${chains}: ${verdict}`;
}

export function HooksView({ steps, cursor, topology, onGo }: { steps: readonly FlatStep[]; cursor: number; topology?: Topology; onGo?: (i: number) => void }) {
  const t = useT(hooksText);
  const here = steps[cursor]?.step;
  const nodeInfo = here ? topology?.nodes.find((n) => n.id === here.node) : undefined;
  const bridge = here && here.pod === undefined ? nodeInfo?.bridge?.name : undefined;
  const ports = useMemo(() => new Set(topology?.pods.filter((p) => p.node === here?.node).map((p) => p.hostVeth) ?? []), [topology, here?.node]);
  const h = useMemo(() => hooksAt(steps, cursor, { ...(bridge && { bridge }), ports }), [steps, cursor, bridge, ports]);
  if (!h || !here) {
    return (
      <section aria-label={t.hooksRegion} className="p-3 text-sm text-slate-600" data-testid="hooks-view">
        {t.noStep}
      </section>
    );
  }
  const where = h.pod ? t.podOn({ pod: h.pod, node: h.node }) : h.node;
  const name = t.name({ where, inPod: h.pod !== undefined });
  const showBridge = bridge !== undefined || h.passes.some((p) => p.station.startsWith("br-"));
  return (
    <section aria-label={name} id="hooks-view" tabIndex={-1} className="flex h-full min-h-0 flex-col overflow-y-auto text-xs md:flex-row md:overflow-hidden" data-testid="hooks-view">
      <figure className="min-w-0 flex-1 p-2 md:overflow-auto" aria-label={t.diagram({ name })}>
        <figcaption className="mb-1 flex flex-wrap items-baseline gap-x-2">
          <span className="font-semibold text-slate-800">{name}</span>
          <span className="text-slate-600" data-testid="hooks-now">
            {t.now}
            {describeCurrent(t, h)}
          </span>
          <span className="font-mono text-[0.625rem] text-slate-600" data-testid="hooks-packet-now">
            {endpointText(h.now)}
            {endpointText(h.entered) !== endpointText(h.now) && <span className="font-sans">{t.firstSeen({ packet: endpointText(h.entered) })}</span>}
          </span>
          <span className="sr-only" data-testid="hooks-summary">
            {summary(t, h)}
          </span>
        </figcaption>
        <div className="flex flex-col gap-1 md:grid md:grid-cols-[minmax(4rem,0.7fr)_0.75rem_minmax(7rem,1.3fr)_0.75rem_minmax(5rem,1fr)_0.75rem_minmax(5.5rem,1fr)_0.75rem_minmax(7rem,1.3fr)_0.75rem_minmax(4rem,0.7fr)] md:items-stretch md:gap-y-0.5">
          {showBridge && (
            <>
              <p className="mt-1 font-semibold text-slate-600 md:hidden">
                {t.bridgeHeading}
                {bridge ?? ""}
              </p>
              {/* On a phone the bridge's boxes show only when this packet came through the bridge. */}
              {BRIDGE_ROW.map((s) => (
                <Box key={s} t={t} station={s} h={h} bridge={bridge} onGo={onGo} phoneHidden={!h.passes.some((p) => p.station.startsWith("br-"))} />
              ))}
              <p className="text-[0.625rem] text-slate-500 md:col-span-9 md:col-start-2 md:row-start-2 md:text-center" data-testid="hooks-bridge-note">
                {bridgeNote(t, h, bridge)}
              </p>
              <p className="mt-1 font-semibold text-slate-600 md:hidden">IP</p>
            </>
          )}
          {IP_BOXES.map((s) => (
            <Box key={s} t={t} station={s} h={h} bridge={bridge} onGo={onGo} />
          ))}
          {ARROWS.filter(([, , a, b]) => showBridge || (!a.startsWith("br-") && !b.startsWith("br-"))).map(([place, glyph, a, b]) => (
            <span key={`${a}-${b}`} aria-hidden="true" className={`hidden self-center text-center md:block ${place} ${joined(h, a, b) ? "font-bold text-blue-700" : "text-slate-500"}`}>
              {glyph === "upToIp" || glyph === "toBridge" ? t[glyph] : glyph}
            </span>
          ))}
        </div>
      </figure>
      <div className="border-t border-slate-200 p-2 md:w-64 md:shrink-0 md:overflow-y-auto md:border-l md:border-t-0">
        <h3 className="mb-1 font-semibold text-slate-700">{t.inOrder({ where })}</h3>
        <ol className="space-y-1" data-testid="hooks-path">
          {h.passes.map((p, i) => (
            <li
              key={i}
              aria-current={i === h.current.pass ? "step" : undefined}
              className={`rounded px-1.5 py-0.5 ${i === h.current.pass ? "bg-amber-100 ring-1 ring-amber-500" : p.silent ? "text-slate-500" : ""}`}
            >
              <span className="font-semibold">{spoken(t, p.station, p.label)}</span>
              {p.decision && <span> ({decisionText(t, p)})</span>}
              {p.rerouted && <span>{t.rerouted}</span>}
              {p.silent && isHook(p.station) && <span>{t.nothingMatched}</span>}
              {p.dropped && (
                <span className="font-semibold text-red-700" data-testid="hooks-drop">
                  {t.droppedHere}
                  {p.dropReason ? `: ${p.dropReason}` : ""}
                </span>
              )}
              {p.tables.length > 0 && (
                <ul className="ml-3 list-disc">
                  {p.tables.map((tp, j) => (
                    <li key={j} className={i === h.current.pass && tp.steps.includes(cursor) ? "font-semibold" : ""}>
                      {isHook(p.station) ? stageText(t, ipHook(p.station), tp, p.dropped === true) : tp.stage}
                      {tp.decided && !TERMINAL.has(tp.decided.target) && <span className="block text-[0.625rem] text-slate-700">{t.lastRule}</span>}
                      {tp.decided && (
                        <code className="mt-0.5 block break-all rounded bg-slate-100 px-1 font-mono text-[0.625rem] text-slate-800" data-testid="hooks-rule">
                          {tp.decided.rule}
                        </code>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
        {h.nats.length > 0 && (
          <>
            <h3 className="mt-2 font-semibold text-slate-700">{t.natHeading}</h3>
            <ul className="space-y-1 font-mono text-[0.6875rem]" data-testid="hooks-nat">
              {h.nats.map((n) => (
                <li key={n.step} className={n.step === cursor ? "rounded bg-amber-100 px-1" : ""}>
                  <span className="font-sans font-semibold">
                    {t.natIn({ type: n.type, place: spoken(t, n.station) })}
                  </span>{" "}
                  <span data-testid="nat-before">{endpointText(n.before)}</span>
                  <span className="font-sans">{t.becomes}</span>
                  <span data-testid="nat-after">{endpointText(n.after)}</span>
                </li>
              ))}
            </ul>
          </>
        )}
        <p className="mt-2 text-[0.625rem] text-slate-500">
          {t.priorities}
        </p>
      </div>
    </section>
  );
}

function decisionText(t: Words, p: Pass): string {
  const dev = p.dev;
  switch (p.decision) {
    case "local":
      return p.station === "br-decision" ? t.upToHost : t.localHost;
    case "forward":
      return p.station === "br-decision" ? t.forwardedByFdb({ dev }) : t.forward({ dev });
    case "flood":
      return t.flooded({ dev });
    case "output":
      return t.outOf({ dev });
    default:
      return p.decision ?? "";
  }
}

function bridgeNote(t: Words, h: HooksAt, bridge: string | undefined): string {
  const bridged = h.passes.some((p) => p.station === "br-in");
  const name = bridge ?? t.theBridge;
  if (!bridged) return t.bridgeNoteIdle({ name });
  return h.brNetfilter ? t.bridgeNoteOn({ name }) : t.bridgeNoteOff({ name });
}

/** Whether the packet went from `a` straight to `b` here. */
function joined(h: HooksAt, a: Station, b: Station): boolean {
  for (let i = 1; i < h.passes.length; i++) if (h.passes[i - 1]!.station === a && h.passes[i]!.station === b) return true;
  return false;
}

function describeCurrent(t: Words, h: HooksAt): string {
  const p = h.passes[h.current.pass]!;
  const parts = [spoken(t, p.station, p.label)];
  if (h.current.nft && isHook(p.station)) parts.push(tableLabel(ipHook(p.station), h.current.nft));
  else if (h.current.stage) parts.push(h.current.stage === "confirm" ? "conntrack confirm" : h.current.stage);
  if (h.current.chain) parts.push(t.chain({ chain: h.current.chain }));
  return parts.join(", ");
}

function summary(w: Words, h: HooksAt): string {
  const path = h.passes
    .map((p) => {
      const named = (x: TablePass) => (x.nft && isHook(p.station) ? tableLabel(ipHook(p.station), x) : x.stage);
      const t = p.tables.map((x) => (x.decided && TERMINAL.has(x.decided.target) ? `${named(x)} ${x.decided.target}` : named(x))).join(", ");
      return `${spoken(w, p.station, p.label)}${t ? ` (${t})` : ""}`;
    })
    .join("; ");
  const nat = h.nats.map((n) => w.became({ type: n.type, before: endpointText(n.before), after: endpointText(n.after) })).join("; ");
  return w.summary({ now: describeCurrent(w, h), path, nat });
}

function Box({ t, station, h, bridge, onGo, phoneHidden = false }: { t: Words; station: Station; h: HooksAt; bridge: string | undefined; onGo: ((i: number) => void) | undefined; phoneHidden?: boolean }) {
  const passes = h.passes.filter((p) => p.station === station);
  const passed = passes.length > 0;
  const current = h.passes[h.current.pass]!.station === station;
  const pass = current ? h.passes[h.current.pass]! : passes.at(-1);
  const dropped = passes.some((p) => p.dropped);
  const label = labelText(t, pass?.label) ?? (station.startsWith("br-") && !isHook(station) && station !== "br-decision" ? t.aPort : station.startsWith("br-") ? bridge : undefined);
  const order = passes.map((p) => h.passes.indexOf(p) + 1);
  const tone = dropped
    ? "border-red-600 bg-red-50"
    : current
      ? "border-amber-500 bg-amber-50 ring-2 ring-amber-500"
      : passed
        ? "border-blue-600 bg-blue-50"
        : "border-dashed border-slate-300 bg-white text-slate-500";
  const first = passes.flatMap((p) => p.steps)[0];
  // In and out name their device on a line of its own.
  const edge = station === "in" || station === "out" || station === "br-in" || station === "br-out";
  const title = edge
    ? station.endsWith("in")
      ? t.in
      : t.out
    : station === "route-in" || station === "route-out"
      ? t.routingDecisionBox
      : stationName(t, station, isHook(station) ? undefined : label);
  const heading = (
    <span className="flex items-baseline gap-1">
      {order.length > 0 && (
        <span className="rounded-full bg-blue-700 px-1 text-[0.5625rem] font-bold text-white" aria-hidden="true">
          {order.join(",")}
        </span>
      )}
      <span className="font-semibold">{title}</span>
      {current && <span className="absolute -right-1 -top-1 size-2.5 rounded-full border border-white bg-orange-500 motion-safe:animate-pulse" aria-hidden="true" data-testid="hooks-packet" />}
    </span>
  );
  return (
    <div
      className={`relative min-w-0 rounded border px-1.5 py-1 ${phoneHidden ? "max-md:hidden" : ""} ${tone} ${PLACE[station]} ${station === "local" ? "md:text-center" : ""}`}
      data-testid={`hook-${station}`}
      data-passed={passed ? "yes" : "no"}
      aria-current={current ? "location" : undefined}
      title={isHook(station) ? `${ipHook(station)}: ${hookDoc(t, ipHook(station))}${station.startsWith("br-") ? t.bridgeCalls : ""}` : undefined}
    >
      {onGo && first !== undefined ? (
        <button type="button" className="text-left hover:underline" onClick={() => onGo(first)} aria-label={t.goFirst({ place: spoken(t, station, label) })}>
          {heading}
        </button>
      ) : (
        heading
      )}
      {edge && <span className="block font-mono text-[0.625rem] [overflow-wrap:anywhere]">{label}</span>}
      {dropped && <span className="block text-[0.625rem] font-semibold text-red-700">{t.dropped}</span>}
      {isHook(station) && (!station.startsWith("br-") || h.passes.some((p) => p.station === "br-in")) && <Stages station={station} pass={pass} h={h} current={current} />}
      {station === "route-in" || station === "route-out" || station === "br-decision" ? (
        pass?.decision ? <span className="block text-[0.625rem]">{decisionText(t, pass)}</span> : null
      ) : null}
    </div>
  );
}

function Stages({ station, pass, h, current }: { station: HookStation; pass: Pass | undefined; h: HooksAt; current: boolean }) {
  const bridgeHook = station.startsWith("br-");
  const hook = ipHook(station);
  return (
    <span className="mt-0.5 flex flex-wrap gap-0.5">
      {hookSlots(hook, pass).map((slot, k) => {
        const stage = slot.kind === "stage" ? slot.stage : undefined;
        const t = slot.kind === "nft" ? slot.table : pass?.tables.find((x) => x.stage === stage && !x.nft);
        const now = current && (slot.kind === "nft" ? h.current.nft === slot.table : h.current.stage === stage && !h.current.nft);
        const nat = t?.nat !== undefined;
        const none = stage === "security" || (bridgeHook && !h.brNetfilter);
        const tone = now
          ? "bg-amber-700 text-white font-bold"
          : nat
            ? "bg-amber-200 text-amber-950"
            : t
              ? slot.kind === "nft"
                ? "bg-violet-700 text-white"
                : "bg-blue-600 text-white"
              : none
                ? "border border-dotted border-slate-400 text-slate-600"
                : "bg-slate-100 text-slate-600";
        const chains = t?.chains.length ? `: ${t.chains.join(" → ")}` : "";
        const target = t?.decided ? ` (${t.decided.target})` : "";
        const name = slot.kind === "nft" ? slot.table.nft!.chain : stage === "confirm" ? "confirm" : stage!;
        return (
          <span
            key={slot.kind === "nft" ? `nft-${k}` : stage}
            className={`rounded px-1 text-[0.625rem] leading-4 ${tone}`}
            title={`${t ? tableLabel(hook, t) : stage === "confirm" ? "conntrack confirm" : stage}${chains}${target}`}
            data-testid={slot.kind === "nft" ? `stage-nft-${slot.table.nft!.chain}` : `stage-${stage}`}
            data-entered={t ? "yes" : "no"}
            aria-current={now ? "true" : undefined}
          >
            {name}
            {now && h.current.chain && h.current.chain !== name ? `: ${h.current.chain}` : t?.decided && TERMINAL.has(t.decided.target) ? ` ${t.decided.target}` : ""}
          </span>
        );
      })}
    </span>
  );
}
