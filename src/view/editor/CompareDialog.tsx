/**
 * Compare, opened from the editor: the versions it offers are the scenario on screen, the steps
 * of the history (before and undone) and the built-in scenarios; it opens on the last edit
 * (before and now). When the two differ by one what-if fault, their labels name it, so the
 * sentence reads "ipMasq off on worker-0: the source stays …; without it: it becomes …".
 */
import { useEffect, useMemo, useState } from "react";
import { faultDifference, faultName } from "../../engine/k8s/faults";
import { useHopscope, type Source } from "../../store/store";
import { withCni, withKubeProxy } from "../../store/editor";
import { comparedCnis } from "../CompareCnis";
import type { ScenarioInput } from "../../engine/k8s/spec";
import { kubeProxyChoices } from "../../engine/kube-proxy/releases";
import { kubeProxyKey } from "../KubeProxySwitch";
import { Compare, type Version } from "../Compare";
import { useT } from "../../i18n/use";
import { EDITOR } from "./i18n";

/** The side of the last edit without the fault, named in the page's language when shown. */
const WITHOUT = "\u0000without";

export function CompareDialog({ onClose, initial: asked }: { onClose: () => void; initial?: readonly [string, string] | undefined }) {
  const t = useT(EDITOR);
  const source = useHopscope((s) => s.source);
  const currentLabel = useHopscope((s) => s.currentLabel);
  const past = useHopscope((s) => s.past);
  const future = useHopscope((s) => s.future);
  const scenarios = useHopscope((s) => s.scenarios);
  const [named, setNamed] = useState<Record<string, string>>({});
  // The scenario on screen's document, for its versions with each kube-proxy (a built-in's comes from the worker).
  const [doc, setDoc] = useState<{ of: Source; doc: ScenarioInput | undefined } | undefined>(undefined);
  useEffect(() => {
    if (!source) return;
    let live = true;
    void useHopscope
      .getState()
      .docOf(source)
      .then((d) => {
        if (live) setDoc({ of: source, doc: d });
      });
    return () => {
      live = false;
    };
  }, [source]);

  const versions = useMemo<Version[]>(() => {
    const out: Version[] = [];
    if (source) out.push({ key: "now", label: t.now({ label: currentLabel }), source });
    [...past].reverse().forEach((e, i) => out.push({ key: `before-${i}`, label: t.before({ label: e.label }), source: e.source }));
    [...future].reverse().forEach((e, i) => out.push({ key: `undone-${i}`, label: t.undone({ label: e.label }), source: e.source }));
    const d = doc && doc.of === source ? doc.doc : undefined;
    if (d) for (const kp of kubeProxyChoices()) out.push({ key: `kp-${kubeProxyKey(kp)}`, label: t.withKubeProxy(kp), source: { spec: withKubeProxy(d, kp) } });
    // The scenario on each CNI plugin modelled (Calico's once its built-ins are there). The
    // addresses stay (flannel takes any Network), so the two sides carry the same packet and the
    // first difference Compare names is the CNI's own, not a renumbered pod address.
    if (d)
      for (const type of comparedCnis(scenarios))
        out.push({ key: `cni-${type}`, label: type === "bridge" ? t.onBridge : type === "flannel" ? t.onFlannel : t.onCalico, source: { spec: withCni(d, type) } });
    for (const s of scenarios) out.push({ key: `builtin-${s.id}`, label: t.builtIn({ label: s.title }), source: { id: s.id } });
    return out.map((v) => (named[v.key] ? { ...v, label: named[v.key] === WITHOUT ? t.withoutIt : named[v.key]! } : v));
  }, [source, currentLabel, past, future, scenarios, named, t, doc]);

  // Asked-for versions (Compare kube-proxies) wait for the document they are made from.
  // (Until the document is fetched; should that fail, Compare opens on its usual pair.)
  const have = asked !== undefined && asked.every((k) => versions.some((v) => v.key === k));
  const waiting = asked !== undefined && !have && !(doc && doc.of === source);
  const initial: readonly [string, string] | undefined = (have ? asked : undefined) ?? (past.length > 0 ? ["before-0", "now"] : versions.length > 1 ? [versions[0]!.key, versions[1]!.key] : undefined);

  // The last edit's two sides, named by the fault they differ by when they differ by one.
  const before = past.at(-1)?.source;
  useEffect(() => {
    if (!before || !source) return;
    let live = true;
    const { docOf } = useHopscope.getState();
    void Promise.all([docOf(before), docOf(source)]).then(([a, b]) => {
      if (!live || !a || !b) return;
      const d = faultDifference(a, b);
      if (!d) return;
      const name = faultName(d.fault);
      setNamed(d.on === "a" ? { "before-0": name, now: WITHOUT } : { "before-0": WITHOUT, now: name });
    });
    return () => {
      live = false;
    };
  }, [before, source]);

  return (
    <div className="fixed inset-0 z-30 flex bg-slate-900/40 p-2 md:p-6" role="dialog" aria-modal="true" aria-label={t.compareTitle}>
      <div className="flex min-h-0 w-full flex-1 flex-col overflow-hidden rounded bg-white shadow-xl">
        {!waiting && <Compare versions={versions} {...(initial && { initial })} trace={(s) => useHopscope.getState().traceOf(s as Source)} onClose={onClose} />}
      </div>
    </div>
  );
}
