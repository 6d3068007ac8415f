/**
 * The scenario as a form: what it is, its networks, CNI options, workers, controllers,
 * Deployments and Pods, services and traffic. Each change is one edit (checked, traced, and a
 * step Undo goes back over); a field that is wrong keeps what was typed and says why.
 */
import { addDeployment, addService, addWorker, freeNodePort, removeAt, renumber, removeWorker, replaceAt, setControllers, type ServiceInput, type WorkloadInput } from "../../engine/k8s/edit";
import { scenarioWorkers, listWorkerSeries, type CniType, type PlacementPolicy, type ScenarioInput } from "../../engine/k8s/spec";
import type { Issue } from "../../worker/protocol";
import { kubeProxyChoices, resolveKubeProxy } from "../../engine/kube-proxy/releases";
import { withCni, withKubeProxy } from "../../store/editor";
import { useHopscope } from "../../store/store";
import { CheckField, NumberField, Section, SelectField, TextField, issuesAt, smallBtn } from "./fields";
import type { Lang } from "../../i18n/lang";
import { memo, useId, useState } from "react";
import { useLang, useT } from "../../i18n/use";
import { EDITOR } from "./i18n";

type Doc = ScenarioInput;
type Edit = (doc: Doc, label: string) => void;

/** Items of a list the form shows at first, and more at each press: a 1,000-service scenario would otherwise be a million fields and options. */
const SHOWN_AT_ONCE = 50;

/** How many of a list's `count` items are shown, and the button that shows more (none when all are). */
function useShown(count: number): { shown: number; more: React.ReactNode } {
  const t = useT(EDITOR);
  const [shown, setShown] = useState(SHOWN_AT_ONCE);
  const more =
    count > shown ? (
      <button type="button" className={smallBtn} onClick={() => setShown(shown + SHOWN_AT_ONCE)}>
        {t.showMore({ more: Math.min(SHOWN_AT_ONCE, count - shown), shown, count })}
      </button>
    ) : null;
  return { shown, more };
}

export function describeTraffic(t: Doc["traffic"][number], lang: Lang = "en"): string {
  if (lang === "ru") return describeTrafficRu(t);
  const from = "pod" in t.from ? t.from.pod : "node" in t.from ? t.from.node : "the client";
  const to = t.to;
  const where =
    "pod" in to ? to.pod : "node" in to ? `${to.node}${to.public ? " (public)" : ""}` : "service" in to ? `service ${to.namespace ?? "default"}/${to.service}` : "ip" in to ? to.ip : "the client";
  return `${t.kind} from ${from} to ${where}${t.port !== undefined ? ` port ${t.port}` : ""}${t.protocol ? ` (${t.protocol})` : ""}`;
}

/** A traffic item in Russian: the command, then source → destination. */
function describeTrafficRu(t: Doc["traffic"][number]): string {
  const from = "pod" in t.from ? t.from.pod : "node" in t.from ? t.from.node : "клиент";
  const to = t.to;
  const where =
    "pod" in to ? to.pod : "node" in to ? `${to.node}${to.public ? " (публичный адрес)" : ""}` : "service" in to ? `сервис ${to.namespace ?? "default"}/${to.service}` : "ip" in to ? to.ip : "клиент";
  return `${t.kind}: ${from} → ${where}${t.port !== undefined ? `, порт ${t.port}` : ""}${t.protocol ? ` (${t.protocol})` : ""}`;
}

function Networks({ doc, issues, onEdit }: { doc: Doc; issues?: readonly Issue[]; onEdit: Edit }) {
  const t = useT(EDITOR);
  const c = doc.cluster;
  // A network moved to another block takes its addresses along (workers, pods, ClusterIPs, traffic).
  const set = (k: "hostNetwork" | "podNetwork" | "serviceNetwork" | "gateway", v: string) =>
    onEdit(k === "gateway" ? { ...doc, cluster: { ...c, gateway: v } } : renumber(doc, k, v), `${k} ${v}`);
  return (
    <Section title={t.networks}>
      <div className="grid grid-cols-2 gap-2">
        <TextField label={t.hostNetwork} value={c.hostNetwork} path="cluster.hostNetwork" issues={issues} onCommit={(v) => set("hostNetwork", v)} />
        <TextField label={t.gateway} value={c.gateway} path="cluster.gateway" issues={issues} onCommit={(v) => set("gateway", v)} />
        <TextField label={t.podNetwork} value={c.podNetwork} path="cluster.podNetwork" issues={issues} onCommit={(v) => set("podNetwork", v)} />
        <TextField label={t.serviceNetwork} value={c.serviceNetwork} path="cluster.serviceNetwork" issues={issues} onCommit={(v) => set("serviceNetwork", v)} />
      </div>
      <CniField doc={doc} issues={issues} onEdit={onEdit} />
      {(c.cni?.type ?? "bridge") === "bridge" ? (
      <div className="flex flex-wrap gap-3">
        <CheckField label={t.allNodes({ name: "ipMasq" })} checked={c.cni?.ipMasq ?? true} onChange={(v) => onEdit({ ...doc, cluster: { ...c, cni: { ...c.cni, ipMasq: v } } }, t.hOnOff({ name: "ipMasq", on: v }))} />
        <CheckField label={t.allNodes({ name: "hairpinMode" })} checked={c.cni?.hairpinMode ?? false} onChange={(v) => onEdit({ ...doc, cluster: { ...c, cni: { ...c.cni, hairpinMode: v } } }, t.hOnOff({ name: "hairpinMode", on: v }))} />
      </div>
      ) : (
        <p className="text-xs text-slate-600" data-testid="bridge-keys-note">{t.bridgeKeysNote}</p>
      )}
      <KubeProxyField doc={doc} issues={issues} onEdit={onEdit} />
    </Section>
  );
}

/**
 * cluster.cni.type: the bridge plugin (the article's), flannel with its VXLAN backend (the one
 * modelled), Calico with its IP pool's encapsulation (offered once Calico's plugin is there: the
 * built-ins list scenarios on it). IP-in-IP is listed but not offered: the kernel here has no ipip
 * module to check tunl0 against.
 */
function CniField({ doc, issues, onEdit }: { doc: Doc; issues?: readonly Issue[] | undefined; onEdit: Edit }) {
  const t = useT(EDITOR);
  const calico = useHopscope((s) => s.scenarios.some((x) => x.cni === "calico"));
  const cni = doc.cluster.cni;
  const type = cni?.type ?? "bridge";
  const id = useId();
  const options: (readonly [CniType, string, boolean])[] = [
    ["bridge", t.cniBridge, true],
    ["flannel", t.cniFlannel, true],
    ["calico", calico ? "Calico" : t.calicoLater, calico || type === "calico"],
  ];
  const problems = issuesAt(issues, "cluster.cni.type");
  return (
    <div className="flex flex-wrap items-end gap-3" data-testid="cni-field">
      <label className="flex flex-col gap-0.5 text-xs text-slate-600">
        {t.cni}
        <select
          className="rounded border border-slate-300 bg-white px-1.5 py-1 text-sm text-slate-900"
          value={type}
          onChange={(e) => {
            const next = e.target.value as CniType;
            onEdit(withCni(doc, next), t.hCni({ type: next }));
          }}
          aria-invalid={problems.length > 0}
          data-path="cluster.cni.type"
          data-testid="cni-select"
        >
          {options.map(([v, text, enabled]) => (
            <option key={v} value={v} disabled={!enabled}>
              {text}
            </option>
          ))}
        </select>
      </label>
      {type === "flannel" && (
        <label className="flex flex-col gap-0.5 text-xs text-slate-600">
          {t.backend}
          {/* vxlan is the one backend modelled: shown, not a choice. */}
          <select className="rounded border border-slate-300 bg-white px-1.5 py-1 text-sm text-slate-900" value="vxlan" disabled data-path="cluster.cni.backend">
            <option value="vxlan">vxlan</option>
          </select>
        </label>
      )}
      {type === "calico" && (
        <label className="flex flex-col gap-0.5 text-xs text-slate-600">
          {t.encapsulation}
          <select
            className="rounded border border-slate-300 bg-white px-1.5 py-1 text-sm text-slate-900"
            value={cni?.encapsulation ?? "none"}
            onChange={(e) => {
              const encapsulation = e.target.value as "none" | "vxlan";
              onEdit(withCni(doc, { type: "calico", encapsulation }), `${t.hCni({ type: "calico" })} · ${encapsulation}`);
            }}
            aria-describedby={id}
            data-path="cluster.cni.encapsulation"
          >
            <option value="none">{t.encapNone}</option>
            <option value="vxlan">VXLAN</option>
            <option value="ipip" disabled>
              {t.encapIpip}
            </option>
          </select>
          <span id={id} className="max-w-64 text-slate-500">
            {t.ipipHint}
          </span>
        </label>
      )}
      {problems.map((p, i) => (
        <p key={i} className="text-xs text-red-700">
          {p.message}
        </p>
      ))}
    </div>
  );
}

/** cluster.kubeProxy: the modelled releases, and a value the document has that is none of them (its issue shows). */
function KubeProxyField({ doc, issues, onEdit }: { doc: Doc; issues?: readonly Issue[] | undefined; onEdit: Edit }) {
  const t = useT(EDITOR);
  const choices = kubeProxyChoices();
  const here = resolveKubeProxy(doc.cluster.kubeProxy);
  const key = `${here.mode} ${here.version}`;
  const options: (readonly [string, string])[] = choices.map((c) => [`${c.mode} ${c.version}`, t.kubeProxyChoice(c)] as const);
  if (!options.some(([k]) => k === key)) options.unshift([key, t.kubeProxyChoice(here)]);
  return (
    <div className="mt-2 max-w-72">
      <SelectField
        label={t.kubeProxy}
        value={key}
        options={options}
        path="cluster.kubeProxy.version"
        issues={[...issuesAt(issues, "cluster.kubeProxy.version"), ...issuesAt(issues, "cluster.kubeProxy.mode")]}
        onChange={(v) => {
          const picked = choices.find((c) => `${c.mode} ${c.version}` === v);
          if (picked) onEdit(withKubeProxy(doc, picked), t.kubeProxyChoice(picked));
        }}
      />
    </div>
  );
}

function Workers({ doc, issues, onEdit }: { doc: Doc; issues?: readonly Issue[]; onEdit: Edit }) {
  const t = useT(EDITOR);
  const c = doc.cluster;
  const setWorker = (i: number, w: Doc["cluster"]["workers"][number], label: string) => onEdit({ ...doc, cluster: { ...c, workers: replaceAt(c.workers, i, w) } }, label);
  // Workers of a series (cluster.workerSeries) follow the listed ones; the form says what they
  // are and can write them out, each then editable like any listed worker.
  const all = scenarioWorkers(doc);
  const series = c.workerSeries;
  const fromSeries = all.slice(c.workers.length);
  const workersShown = useShown(c.workers.length);
  return (
    <Section
      title={t.workers({ count: all.length })}
      actions={
        <>
          <button type="button" className={smallBtn} onClick={() => onEdit(addWorker(doc), t.hAddWorker)}>
            {t.addWorker}
          </button>
          <NumberField label={t.controllers} value={c.controllers.length} path="cluster.controllers" issues={issues} min={0} max={50} onCommit={(n) => onEdit(setControllers(doc, Math.max(0, Math.min(50, n ?? 0))), t.hControllers({ count: n ?? 0 }))} />
        </>
      }
    >
      {c.workers.slice(0, workersShown.shown).map((w, i) => (
        <fieldset key={i} className="grid grid-cols-2 gap-1.5 rounded border border-slate-200 p-2" aria-label={w.name}>
          <TextField label={t.name} value={w.name} path={`cluster.workers.${i}.name`} issues={issues} onCommit={(v) => setWorker(i, { ...w, name: v }, t.hRename({ name: w.name }))} />
          <TextField label={t.address} value={w.ip} path={`cluster.workers.${i}.ip`} issues={issues} onCommit={(v) => setWorker(i, { ...w, ip: v }, t.hField({ name: w.name, field: "address" }))} />
          <TextField label={t.podCidr} value={w.podCidr} path={`cluster.workers.${i}.podCidr`} issues={issues} onCommit={(v) => setWorker(i, { ...w, podCidr: v }, t.hField({ name: w.name, field: "pod CIDR" }))} />
          <TextField label={t.publicIp} value={w.publicIp ?? ""} path={`cluster.workers.${i}.publicIp`} issues={issues} onCommit={(v) => { const { publicIp: _p, ...rest } = w; setWorker(i, v ? { ...rest, publicIp: v } : rest, t.hField({ name: w.name, field: "public IP" })); }} />
          <div className="col-span-full flex flex-wrap items-center gap-3">
            {(c.cni?.type ?? "bridge") === "bridge" && (
            <>
            <CheckField label="ipMasq" checked={w.cni?.ipMasq ?? c.cni?.ipMasq ?? true} onChange={(v) => setWorker(i, { ...w, cni: { ...w.cni, ipMasq: v } }, t.hOnOffAt({ name: "ipMasq", on: v, node: w.name }))} />
            <CheckField label="hairpinMode" checked={w.cni?.hairpinMode ?? c.cni?.hairpinMode ?? false} onChange={(v) => setWorker(i, { ...w, cni: { ...w.cni, hairpinMode: v } }, t.hOnOffAt({ name: "hairpinMode", on: v, node: w.name }))} />
            </>
            )}
            <button type="button" className={`${smallBtn} ml-auto`} onClick={() => onEdit(removeWorker(doc, w.name), t.hRemove({ name: w.name }))} aria-label={t.removeNamed({ name: w.name })} disabled={all.length <= 1}>
              {t.remove}
            </button>
          </div>
        </fieldset>
      ))}
      {workersShown.more}
      {series && (
        <div className="flex flex-wrap items-center gap-2 rounded border border-dashed border-slate-300 p-2 text-xs text-slate-700" data-testid="worker-series">
          <span>
            {t.workerSeries({ count: series.count, after: c.workers.length > 0, first: fromSeries[0]?.name ?? series.firstName, last: fromSeries.at(-1)?.name ?? series.firstName, ip: series.firstIp, podCidr: series.firstPodCidr })}
          </span>
          <button type="button" className={`${smallBtn} ml-auto`} onClick={() => onEdit(listWorkerSeries(doc), t.hListSeries)} disabled={fromSeries.length === 0}>
            {t.listSeries}
          </button>
          {issuesAt(issues, "cluster.workerSeries").length > 0 && <span className="basis-full text-red-700">{issuesAt(issues, "cluster.workerSeries").map((x) => `${x.path}: ${x.message}`).join("; ")}</span>}
        </div>
      )}
    </Section>
  );
}

function Workloads({ doc, issues, onEdit }: { doc: Doc; issues?: readonly Issue[]; onEdit: Edit }) {
  const t = useT(EDITOR);
  const list = doc.workloads ?? [];
  const set = (i: number, w: WorkloadInput, label: string) => onEdit({ ...doc, workloads: replaceAt(list, i, w) }, label);
  const workloadsShown = useShown(list.length);
  return (
    <Section
      title={t.workloads({ count: list.length })}
      actions={
        <button type="button" className={smallBtn} onClick={() => onEdit(addDeployment(doc), t.hAddDeployment)}>
          {t.addDeployment}
        </button>
      }
    >
      {list.slice(0, workloadsShown.shown).map((w, i) => {
        const port = w.containers[0]?.ports?.[0]?.containerPort;
        const setPort = (p: number | undefined) => {
          const c0 = w.containers[0]!;
          const ports = p === undefined ? [] : [{ ...(c0.ports?.[0] ?? { name: "http", protocol: "TCP" as const }), containerPort: p }];
          set(i, { ...w, containers: replaceAt(w.containers, 0, { ...c0, ports }) }, t.hField({ name: w.name, field: "port" }));
        };
        return (
          <fieldset key={i} className="grid grid-cols-2 gap-1.5 rounded border border-slate-200 p-2" aria-label={`${w.kind} ${w.name}`}>
            <TextField label={t.kindName({ kind: w.kind })} value={w.name} path={`workloads.${i}.name`} issues={issues} onCommit={(v) => set(i, { ...w, name: v }, t.hRename({ name: w.name }))} />
            {w.kind === "Pod" ? (
              <TextField label={t.node} value={w.node} path={`workloads.${i}.node`} issues={issues} onCommit={(v) => set(i, { ...w, node: v }, t.hField({ name: w.name, field: "node" }))} />
            ) : (
              <NumberField label={t.replicas} value={w.replicas} path={`workloads.${i}.replicas`} issues={issues} min={0} onCommit={(n) => set(i, { ...w, replicas: n ?? 0, ...(w.pods && w.pods.length > (n ?? 0) && { pods: w.pods.slice(0, n ?? 0) }) }, t.hReplicas({ name: w.name, count: n ?? 0 }))} />
            )}
            {w.kind !== "Pod" && (
              <SelectField<PlacementPolicy>
                label={t.placement}
                value={w.placement ?? "round-robin"}
                options={[
                  ["round-robin", t.placementRoundRobin],
                  ["spread", t.placementSpread],
                ]}
                path={`workloads.${i}.placement`}
                issues={issues}
                onChange={(p) => {
                  // round-robin is the default: it is left out, as a document that never had the field.
                  const { placement: _old, ...rest } = w;
                  set(i, p === "round-robin" ? rest : { ...rest, placement: p }, t.hPlacement({ name: w.name, placement: p }));
                }}
              />
            )}
            <TextField label={t.image} value={w.containers[0]?.image ?? ""} path={`workloads.${i}.containers.0.image`} issues={issues} onCommit={(v) => set(i, { ...w, containers: replaceAt(w.containers, 0, { ...w.containers[0]!, image: v }) }, t.hField({ name: w.name, field: "image" }))} />
            <NumberField label={t.containerPort} value={port} path={`workloads.${i}.containers.0.ports`} issues={issues} onCommit={setPort} />
            <TextField label={t.labels} value={Object.entries(w.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(", ")} path={`workloads.${i}.labels`} issues={issues} onCommit={(v) => set(i, { ...w, labels: parseLabels(v) }, t.hField({ name: w.name, field: "labels" }))} />
            <div className="flex items-end justify-end">
              <button type="button" className={smallBtn} onClick={() => onEdit({ ...doc, workloads: removeAt(list, i) }, t.hRemove({ name: w.name }))} aria-label={t.removeNamed({ name: `${w.kind} ${w.name}` })}>
                {t.remove}
              </button>
            </div>
            {issuesAt(issues, `workloads.${i}`).length > 0 && <span className="col-span-full text-xs text-red-700">{issuesAt(issues, `workloads.${i}`).filter((x) => !/\.(name|node|replicas|placement|image|ports|labels)/.test(x.path.slice(`workloads.${i}`.length))).map((x) => x.message).join("; ")}</span>}
          </fieldset>
        );
      })}
      {workloadsShown.more}
    </Section>
  );
}

/** "app=web, tier=front" as labels; pieces without "=" are left out. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    const [k, ...v] = part.split("=");
    if (k && k.trim() && v.length) out[k.trim()] = v.join("=").trim();
  }
  return out;
}

function Services({ doc, issues, onEdit }: { doc: Doc; issues?: readonly Issue[]; onEdit: Edit }) {
  const t = useT(EDITOR);
  const list = doc.services ?? [];
  const set = (i: number, s: ServiceInput, label: string) => onEdit({ ...doc, services: replaceAt(list, i, s) }, label);
  const workloads = doc.workloads ?? [];
  const servicesShown = useShown(list.length);
  // The workloads a selector can pick, written once for every service shown.
  const workloadChoices: (readonly [string, string])[] = workloads.map((w) => [JSON.stringify(w.labels ?? {}), `${w.name} (${Object.entries(w.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(", ") || t.noLabels})`] as const);
  return (
    <Section
      title={t.services({ count: list.length })}
      actions={
        <>
          <button type="button" className={smallBtn} onClick={() => onEdit(addService(doc, "ClusterIP"), t.hAddService({ type: "ClusterIP" }))}>
            {t.addClusterIp}
          </button>
          <button type="button" className={smallBtn} onClick={() => onEdit(addService(doc, "NodePort"), t.hAddService({ type: "NodePort" }))}>
            {t.addNodePort}
          </button>
        </>
      }
    >
      {list.slice(0, servicesShown.shown).map((s, i) => {
        const p0 = s.ports[0]!;
        const setPort = (p: Partial<typeof p0>, label: string) => set(i, { ...s, ports: replaceAt(s.ports, 0, { ...p0, ...p }) }, label);
        const selectorKey = JSON.stringify(s.selector ?? {});
        const choices = [...workloadChoices];
        if (!choices.some(([k]) => k === selectorKey)) choices.unshift([selectorKey, Object.entries(s.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(", ") || t.noSelector]);
        return (
          <fieldset key={i} className="grid grid-cols-2 gap-1.5 rounded border border-slate-200 p-2" aria-label={`service ${s.name}`}>
            <TextField label={t.serviceName} value={s.name} path={`services.${i}.name`} issues={issues} onCommit={(v) => set(i, { ...s, name: v }, t.hRename({ name: s.name }))} />
            <SelectField
              label={t.type}
              value={s.type ?? "ClusterIP"}
              options={[["ClusterIP", "ClusterIP"], ["NodePort", "NodePort"], ["LoadBalancer", "LoadBalancer"]]}
              path={`services.${i}.type`}
              issues={issues}
              onChange={(ty) => {
                const { nodePort: _n, ...rest } = p0;
                // A load balancer's own fields go with the type; a NodePort or LoadBalancer keeps a node port.
                const { loadBalancerIP: _ip, loadBalancerSourceRanges: _r, healthCheckNodePort: _h, ...plain } = s;
                const kept = ty === "LoadBalancer" ? s : plain;
                const port = ty === "ClusterIP" ? rest : { ...rest, nodePort: p0.nodePort ?? freeNodePort(doc) };
                set(i, { ...kept, type: ty, ports: replaceAt(s.ports, 0, port) }, t.hType({ name: s.name, type: ty }));
              }}
            />
            <TextField label="ClusterIP" value={s.clusterIP} path={`services.${i}.clusterIP`} issues={issues} onCommit={(v) => set(i, { ...s, clusterIP: v }, `${s.name} ClusterIP`)} />
            <SelectField label={t.selector} value={selectorKey} options={choices} path={`services.${i}.selector`} issues={issues} onChange={(k) => set(i, { ...s, selector: JSON.parse(k) as Record<string, string> }, t.hField({ name: s.name, field: "selector" }))} />
            <NumberField label={t.port} value={p0.port} path={`services.${i}.ports.0.port`} issues={issues} onCommit={(n) => setPort({ port: n ?? 0 }, t.hField({ name: s.name, field: "port" }))} />
            <TextField
              label={t.targetPort}
              value={p0.targetPort === undefined ? "" : String(p0.targetPort)}
              path={`services.${i}.ports.0.targetPort`}
              issues={issues}
              onCommit={(v) => {
                const { targetPort: _t, ...rest } = p0;
                set(i, { ...s, ports: replaceAt(s.ports, 0, v.trim() === "" ? rest : { ...rest, targetPort: /^\d+$/.test(v.trim()) ? Number(v) : v.trim() }) }, `${s.name} targetPort`);
              }}
            />
            {(s.type === "NodePort" || s.type === "LoadBalancer") && <NumberField label="nodePort" value={p0.nodePort} path={`services.${i}.ports.0.nodePort`} issues={issues} onCommit={(n) => setPort({ nodePort: n }, `${s.name} nodePort`)} />}
            {s.type === "LoadBalancer" && (
              <TextField
                label="loadBalancerIP"
                value={s.loadBalancerIP ?? ""}
                path={`services.${i}.loadBalancerIP`}
                issues={issues}
                onCommit={(v) => {
                  const { loadBalancerIP: _ip, ...rest } = s;
                  set(i, v.trim() === "" ? rest : { ...rest, loadBalancerIP: v.trim() }, `${s.name} loadBalancerIP`);
                }}
              />
            )}
            <SelectField label={t.protocol} value={p0.protocol ?? "TCP"} options={[["TCP", "TCP"], ["UDP", "UDP"]]} path={`services.${i}.ports.0.protocol`} issues={issues} onChange={(v) => setPort({ protocol: v }, t.hField({ name: s.name, field: "protocol" }))} />
            <SelectField label="externalTrafficPolicy" value={s.externalTrafficPolicy ?? "Cluster"} options={[["Cluster", "Cluster"], ["Local", "Local"]]} path={`services.${i}.externalTrafficPolicy`} issues={issues} onChange={(v) => set(i, { ...s, externalTrafficPolicy: v }, `${s.name} externalTrafficPolicy ${v}`)} />
            <SelectField label="sessionAffinity" value={s.sessionAffinity ?? "None"} options={[["None", "None"], ["ClientIP", "ClientIP"]]} path={`services.${i}.sessionAffinity`} issues={issues} onChange={(v) => set(i, { ...s, sessionAffinity: v }, `${s.name} sessionAffinity ${v}`)} />
            <div className="col-span-full flex justify-end">
              <button type="button" className={smallBtn} onClick={() => onEdit({ ...doc, services: removeAt(list, i) }, t.hRemove({ name: s.name }))} aria-label={t.removeService({ name: s.name })}>
                {t.remove}
              </button>
            </div>
          </fieldset>
        );
      })}
      {servicesShown.more}
    </Section>
  );
}

function Traffic({ doc, onEdit }: { doc: Doc; onEdit: Edit }) {
  const lang = useLang();
  const tr = EDITOR[lang];
  return (
    <Section title={tr.traffic({ count: doc.traffic.length })}>
      {doc.traffic.length === 0 && <p className="text-xs text-slate-500">{tr.noTraffic}</p>}
      <ol className="flex flex-col gap-1">
        {doc.traffic.map((t, i) => (
          <li key={i} className="flex items-center gap-2 text-xs">
            <span className="min-w-0 flex-1">{describeTraffic(t, lang)}</span>
            <button type="button" className={smallBtn} onClick={() => onEdit({ ...doc, traffic: removeAt(doc.traffic, i) }, tr.hRemove({ name: describeTraffic(t, lang) }))} aria-label={tr.removeNamed({ name: describeTraffic(t, lang) })}>
              {tr.remove}
            </button>
          </li>
        ))}
      </ol>
    </Section>
  );
}

/** The form; drawn again only when its document, issues or edit function change (not at every step). */
export const ScenarioForm = memo(function ScenarioForm({ doc, issues, onEdit }: { doc: Doc; issues?: readonly Issue[]; onEdit: Edit }) {
  const t = useT(EDITOR);
  return (
    <div>
      <Section title={t.scenario}>
        <TextField label={t.titleField} value={doc.title} path="title" issues={issues} onCommit={(v) => onEdit({ ...doc, title: v }, t.hTitle)} wide />
        <TextField label={t.description} value={doc.description ?? ""} path="description" issues={issues} onCommit={(v) => onEdit({ ...doc, description: v }, t.hDescription)} wide />
        <TextField label={t.id} value={doc.id} path="id" issues={issues} onCommit={(v) => onEdit({ ...doc, id: v }, "Id")} wide />
      </Section>
      <Networks doc={doc} issues={issues} onEdit={onEdit} />
      <Workers doc={doc} issues={issues} onEdit={onEdit} />
      <Workloads doc={doc} issues={issues} onEdit={onEdit} />
      <Services doc={doc} issues={issues} onEdit={onEdit} />
      <Traffic doc={doc} onEdit={onEdit} />
    </div>
  );
});
