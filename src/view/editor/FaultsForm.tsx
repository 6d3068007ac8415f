/** The what-if faults as toggles: each names what it applies to, and is on when the document has it. */
import { useState } from "react";
import { faultAppliesTo, faultIsOn, faultKinds, setFault, type Fault, type FaultKind } from "../../engine/k8s/faults";
import { scenarioWorkers, type ScenarioInput } from "../../engine/k8s/spec";
import { Section } from "./fields";
import { useLang, useT } from "../../i18n/use";
import { EDITOR } from "./i18n";

const pick = "rounded border border-slate-300 bg-white px-1 py-0.5 text-xs";

type Doc = ScenarioInput;

/** The fault of a kind for the targets picked in its row. */
function faultFor(kind: FaultKind, worker: string, other: string, service: string, ip: string): Fault {
  switch (kind) {
    case "vpc-route-wrong-worker":
      return { kind, worker, via: other };
    case "kube-proxy-stopped":
      return { kind, worker, service };
    case "no-endpoints":
      return { kind, service };
    case "stale-endpoint":
      return { kind, service, ip, port: 80 };
    default:
      return { kind, worker };
  }
}

const needsWorker = (k: FaultKind) => k !== "no-endpoints" && k !== "stale-endpoint";
const needsService = (k: FaultKind) => k === "kube-proxy-stopped" || k === "no-endpoints" || k === "stale-endpoint";

function FaultRow({ doc, kind, label, about, onEdit }: { doc: Doc; kind: FaultKind; label: string; about: string; onEdit: (d: Doc, label: string) => void }) {
  const t = useT(EDITOR);
  const workers = scenarioWorkers(doc).map((w) => w.name);
  const services = (doc.services ?? []).map((s) => `${s.namespace ?? "default"}/${s.name}`);
  const [worker, setWorker] = useState(workers[0] ?? "");
  const [other, setOther] = useState(workers[1] ?? workers[0] ?? "");
  const [service, setService] = useState(services[0] ?? "");
  const [ip, setIp] = useState("");
  const w = workers.includes(worker) ? worker : (workers[0] ?? "");
  const o = workers.includes(other) ? other : (workers.find((x) => x !== w) ?? w);
  const svc = services.includes(service) ? service : (services[0] ?? "");
  // A stale endpoint's address: one in the pod network nobody has (the last worker's .250), unless typed.
  const lastCidr = scenarioWorkers(doc).at(-1)?.podCidr ?? "";
  const staleIp = ip || lastCidr.replace(/\.0\/24$/, ".250");
  const ready = (!needsWorker(kind) || w) && (!needsService(kind) || svc) && (kind !== "vpc-route-wrong-worker" || (o && o !== w));
  let on = false;
  let fault: Fault | undefined;
  if (ready) {
    fault = faultFor(kind, w, o, svc, staleIp);
    try {
      on = faultIsOn(doc, fault);
    } catch {
      fault = undefined;
    }
  }
  const name = `${label}${needsWorker(kind) ? t.faultOn({ node: w }) : ""}${needsService(kind) ? ` (${svc})` : ""}`;
  return (
    <div className="flex flex-wrap items-center gap-1.5 text-xs">
      <label className="flex items-center gap-1.5" title={about}>
        <input
          type="checkbox"
          checked={on}
          disabled={!fault}
          onChange={(e) => fault && onEdit(setFault(doc, fault, e.target.checked), t.hOnOff({ name, on: e.target.checked }))}
          aria-label={t.fault({ name })}
          data-testid={`fault-${kind}`}
        />
        <span className="font-medium">{label}</span>
      </label>
      {needsWorker(kind) && (
        <select className={pick} value={w} onChange={(e) => setWorker(e.target.value)} aria-label={t.faultNode({ label })}>
          {workers.map((x) => (
            <option key={x}>{x}</option>
          ))}
        </select>
      )}
      {kind === "vpc-route-wrong-worker" && (
        <>
          <span>{t.faultTo}</span>
          <select className={pick} value={o} onChange={(e) => setOther(e.target.value)} aria-label={t.faultSentTo({ label })}>
            {workers.filter((x) => x !== w).map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        </>
      )}
      {needsService(kind) &&
        (services.length ? (
          <select className={pick} value={svc} onChange={(e) => setService(e.target.value)} aria-label={t.faultService({ label })}>
            {services.map((x) => (
              <option key={x}>{x}</option>
            ))}
          </select>
        ) : (
          <span className="text-slate-500">{t.addServiceFirst}</span>
        ))}
      {kind === "stale-endpoint" && <input className={`${pick} w-28`} value={staleIp} onChange={(e) => setIp(e.target.value)} aria-label={t.staleAddress} />}
    </div>
  );
}

export function FaultsForm({ doc, onEdit }: { doc: Doc; onEdit: (d: Doc, label: string) => void }) {
  const t = useT(EDITOR);
  const lang = useLang();
  return (
    <Section title={t.faults}>
      <p className="text-xs text-slate-500">{t.faultsAbout}</p>
      {faultKinds(lang).filter((k) => faultAppliesTo(k.kind, doc.cluster.cni?.type)).map((k) => (
        <FaultRow key={k.kind} doc={doc} kind={k.kind} label={k.label} about={k.about} onEdit={onEdit} />
      ))}
    </Section>
  );
}
