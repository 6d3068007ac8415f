/**
 * The editor beside the diagram: Undo and Redo, a new scenario, Compare; the scenario as a form
 * (with the what-if faults and click-to-send) or as JSON. Every change goes through the store's
 * edit(), which checks it, traces it and records it.
 */
import { useCallback, useEffect, useState } from "react";
import type { ScenarioInput } from "../../engine/k8s/spec";
import type { Topology } from "../../engine/k8s/topology";
import { useHopscope } from "../../store/store";
import { smallBtn } from "./fields";
import { FaultsForm } from "./FaultsForm";
import { JsonView } from "./JsonView";
import { ScenarioForm, describeTraffic } from "./ScenarioForm";
import { SendForm, type SendDraft } from "./SendForm";
import { useLang } from "../../i18n/use";
import { EDITOR } from "./i18n";

export function EditorPanel(props: {
  topology?: Topology;
  send: SendDraft;
  onSend: (d: SendDraft) => void;
  picking: boolean;
  onPicking: (on: boolean) => void;
  onCompare: () => void;
  onClose: () => void;
}) {
  const { topology, send, onSend, picking, onPicking, onCompare, onClose } = props;
  const lang = useLang();
  const t = EDITOR[lang];
  const doc = useHopscope((s) => s.doc);
  const pending = useHopscope((s) => s.pending);
  const canUndo = useHopscope((s) => s.past.length > 0);
  const canRedo = useHopscope((s) => s.future.length > 0);
  const busy = useHopscope((s) => s.status.kind === "loading");
  const { edit, undo, redo, newScenario, discardPending, validateText } = useHopscope.getState();
  const [tab, setTab] = useState<"form" | "json">("form");
  const source = useHopscope((s) => s.source);
  // A built-in on screen (picked, or reached by Undo): its document comes from the worker.
  useEffect(() => {
    if (!doc && source) void useHopscope.getState().ensureDoc();
  }, [doc, source]);
  const shown = pending?.doc ?? doc;
  // One function for the page's life: the form is not drawn again at every step of the trace.
  const onEdit = useCallback((d: ScenarioInput, label: string) => void edit(d, label), [edit]);
  const onApplyJson = useCallback((d: ScenarioInput) => onEdit(d, t.hJson), [onEdit, t]);

  return (
    <section className="flex min-h-0 flex-1 flex-col bg-white" aria-label={t.editor} data-testid="editor">
      <div className="flex flex-wrap items-center gap-1.5 border-b border-slate-200 px-3 py-2">
        <h2 className="mr-auto text-sm font-semibold">{t.title}</h2>
        <button type="button" className={smallBtn} onClick={() => void undo()} disabled={!canUndo || busy} title={t.undoTitle}>
          {t.undo}
        </button>
        <button type="button" className={smallBtn} onClick={() => void redo()} disabled={!canRedo || busy} title={t.redoTitle}>
          {t.redo}
        </button>
        <button type="button" className={smallBtn} onClick={onCompare} disabled={busy}>
          {t.compare}
        </button>
        <button type="button" className={smallBtn} onClick={() => void newScenario()} disabled={busy}>
          {t.newScenario}
        </button>
        <button type="button" className={smallBtn} onClick={onClose} aria-label={t.close}>
          ✕
        </button>
      </div>
      {pending && (
        <div role="alert" className="flex items-start gap-2 border-b border-red-200 bg-red-50 px-3 py-2 text-xs text-red-800" data-testid="pending">
          <span className="flex-1">
            {t.notApplied({ count: pending.issues.length })}
            <span className="block">{pending.issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join("; ")}</span>
          </span>
          <button type="button" className={smallBtn} onClick={discardPending}>
            {t.discard}
          </button>
        </div>
      )}
      <div className="flex gap-1 border-b border-slate-200 px-2 pt-1 text-xs" role="tablist" aria-label={t.views}>
        {(["form", "json"] as const).map((v) => (
          <button key={v} type="button" role="tab" aria-selected={tab === v} onClick={() => setTab(v)} className={`rounded-t px-2 py-0.5 ${tab === v ? "bg-slate-100 font-semibold" : "text-slate-600"}`}>
            {v === "form" ? t.form : t.json}
          </button>
        ))}
      </div>
      {!shown ? (
        <p className="p-3 text-sm text-slate-600">{t.loading}</p>
      ) : tab === "form" ? (
        <div className="min-h-0 flex-1 overflow-y-auto">
          {topology && (
            <SendForm
              topology={topology}
              draft={send}
              onDraft={onSend}
              picking={picking}
              onPicking={onPicking}
              onSend={(item) => {
                // The new packet's flows come after the ones on screen: play from the first of them.
                const before = useHopscope.getState().trace?.flows.length ?? 0;
                onPicking(false);
                void edit({ ...shown, traffic: [...shown.traffic, item] }, describeTraffic(item, lang)).then((outcome) => {
                  if (outcome !== "ready") return;
                  const { steps, setCursor } = useHopscope.getState();
                  const first = steps.findIndex((x) => x.flow >= before);
                  if (first >= 0) setCursor(first);
                });
              }}
            />
          )}
          <FaultsForm doc={shown} onEdit={onEdit} />
          <ScenarioForm doc={shown} issues={pending?.issues} onEdit={onEdit} />
        </div>
      ) : (
        <JsonView doc={shown} pendingIssues={pending?.issues} validate={validateText} onApply={onApplyJson} />
      )}
    </section>
  );
}
