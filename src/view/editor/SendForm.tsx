/**
 * Click-to-send: a source (pod, node, the client) and a destination (pod, service, node, the
 * client), picked on the diagram or in these lists, then ping, curl or dig and a port. Sending
 * adds the traffic to the scenario, so it is traced, played, shared and undone like any edit.
 */
import type { Topology } from "../../engine/k8s/topology";
import type { TrafficInput } from "../../engine/k8s/edit";
import type { PickTarget } from "../Topology";
import { input, smallBtn } from "./fields";
import type { Lang } from "../../i18n/lang";
import { useLang } from "../../i18n/use";
import { EDITOR } from "./i18n";

// The draft's shape lives apart, so the page can hold a draft without loading the editor.
export { EMPTY_SEND, toPublic, type SendDraft, type SendKind } from "./send-draft";
import { toPublic, type SendDraft, type SendKind } from "./send-draft";

const key = (t: PickTarget | undefined) => (t === undefined ? "" : JSON.stringify(t));

function label(t: PickTarget, lang: Lang): string {
  const tr = EDITOR[lang];
  if ("pod" in t) return tr.pod({ pod: t.pod });
  if ("node" in t) return t.node;
  if ("service" in t) return tr.service({ name: `${t.namespace}/${t.service}` });
  return tr.client;
}

/** The port a kind of traffic uses unless told: curl 80 (or a service's first port, or a NodePort), dig 53. */
export function defaultPort(d: SendDraft, topology: Topology): number | undefined {
  if (d.kind === "ping") return undefined;
  if (d.to && "service" in d.to) {
    const to = d.to;
    const svc = topology.services.find((s) => s.name === to.service && s.namespace === to.namespace);
    const first = svc?.ports[0]?.match(/^(\d+)/);
    if (first) return Number(first[1]);
  }
  // curl to a node: the first NodePort there is, as "80/TCP → NodePort 30000" names it.
  if (d.kind === "curl" && d.to && "node" in d.to) {
    for (const svc of topology.services) {
      for (const p of svc.ports) {
        const m = /NodePort (\d+)/.exec(p);
        if (m) return Number(m[1]);
      }
    }
  }
  return d.kind === "dig" ? 53 : 80;
}

/** The traffic item a draft makes, or why it cannot be sent yet. */
export function trafficOf(d: SendDraft, topology: Topology, lang: Lang = "en"): TrafficInput | string {
  const tr = EDITOR[lang];
  if (!d.from) return tr.noFrom;
  if (!d.to) return tr.noTo;
  if ("service" in d.from) return tr.fromService;
  if (key(d.from) === key(d.to)) return tr.same;
  const typed = d.port.trim();
  const port = typed === "" ? defaultPort(d, topology) : Number(typed);
  if (d.kind !== "ping" && (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535)) return tr.badPort;
  const from: TrafficInput["from"] = "pod" in d.from ? { pod: d.from.pod } : "node" in d.from ? { node: d.from.node } : { client: true };
  const to: TrafficInput["to"] =
    "pod" in d.to ? { pod: d.to.pod } : "node" in d.to ? { node: d.to.node, ...(toPublic(d) && topology.nodes.some((n) => n.id === (d.to as { node: string }).node && n.publicIp) && { public: true }) } : "service" in d.to ? { service: d.to.service, namespace: d.to.namespace } : { client: true };
  return { kind: d.kind, from, to, ...(d.kind !== "ping" && { port }), ...(d.kind === "dig" && { protocol: d.protocol }) };
}

export function SendForm(props: {
  topology: Topology;
  draft: SendDraft;
  onDraft: (d: SendDraft) => void;
  picking: boolean;
  onPicking: (on: boolean) => void;
  onSend: (t: TrafficInput) => void;
}) {
  const { topology, draft, onDraft, picking, onPicking, onSend } = props;
  const sources: PickTarget[] = [
    ...topology.pods.map((p) => ({ pod: p.name })),
    ...topology.nodes.filter((n) => n.kind === "worker" || n.kind === "controller").map((n) => ({ node: n.id })),
    { client: true as const },
  ];
  const destinations: PickTarget[] = [...topology.services.map((s) => ({ service: s.name, namespace: s.namespace })), ...sources];
  const lang = useLang();
  const t = EDITOR[lang];
  const result = trafficOf(draft, topology, lang);
  const toNode = draft.to && "node" in draft.to ? topology.nodes.find((n) => n.id === (draft.to as { node: string }).node) : undefined;
  return (
    <section className="flex flex-col gap-2 border-b border-slate-200 px-3 py-2" aria-label={t.sendPacket}>
      <div className="flex items-center gap-2">
        <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{t.sendPacket}</h3>
        <button type="button" className={`${smallBtn} ml-auto`} aria-pressed={picking} onClick={() => onPicking(!picking)} data-testid="pick-on-diagram">
          {picking ? t.stopPicking : t.pickOnDiagram}
        </button>
      </div>
      {picking && (
        <p className="text-xs text-slate-600" role="status">
          {draft.from === undefined ? t.clickSource : draft.to === undefined ? t.clickDestination({ from: label(draft.from, lang) }) : t.bothPicked}
        </p>
      )}
      <div className="grid grid-cols-2 gap-1.5">
        <label className="flex flex-col gap-0.5 text-xs text-slate-600">
          {t.from}
          <select className={input} value={key(draft.from)} onChange={(e) => onDraft({ ...draft, from: e.target.value ? (JSON.parse(e.target.value) as PickTarget) : undefined })}>
            <option value="">{t.pickOption}</option>
            {sources.map((target) => (
              <option key={key(target)} value={key(target)}>
                {label(target, lang)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs text-slate-600">
          {t.to}
          <select className={input} value={key(draft.to)} onChange={(e) => onDraft({ ...draft, to: e.target.value ? (JSON.parse(e.target.value) as PickTarget) : undefined })}>
            <option value="">{t.pickOption}</option>
            {destinations.map((target) => (
              <option key={key(target)} value={key(target)}>
                {label(target, lang)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs text-slate-600">
          {t.send}
          <select className={input} value={draft.kind} onChange={(e) => onDraft({ ...draft, kind: e.target.value as SendKind, port: "" })}>
            <option value="ping">{t.ping}</option>
            <option value="curl">{t.curl}</option>
            <option value="dig">{t.dig}</option>
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs text-slate-600">
          {t.port}
          <input className={input} inputMode="numeric" disabled={draft.kind === "ping"} value={draft.port} placeholder={String(defaultPort(draft, topology) ?? "")} onChange={(e) => onDraft({ ...draft, port: e.target.value })} />
        </label>
        {draft.kind === "dig" && (
          <label className="flex flex-col gap-0.5 text-xs text-slate-600">
            {t.protocol}
            <select className={input} value={draft.protocol} onChange={(e) => onDraft({ ...draft, protocol: e.target.value as "UDP" | "TCP" })}>
              <option>UDP</option>
              <option>TCP</option>
            </select>
          </label>
        )}
        {toNode?.publicIp && (
          <label className="col-span-full flex items-center gap-1.5 text-xs text-slate-700">
            <input type="checkbox" checked={toPublic(draft)} onChange={(e) => onDraft({ ...draft, publicAddress: e.target.checked })} />
            {t.toPublic({ ip: toNode.publicIp })}
          </label>
        )}
      </div>
      <div className="flex items-center gap-2">
        <button
          type="button"
          className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-40"
          disabled={typeof result === "string"}
          onClick={() => typeof result !== "string" && onSend(result)}
          data-testid="send"
        >
          {t.send}
        </button>
        {typeof result === "string" && <span className="text-xs text-slate-600">{result}</span>}
      </div>
    </section>
  );
}
