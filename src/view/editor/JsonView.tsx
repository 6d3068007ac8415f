/**
 * The scenario as JSON: editable, checked as the user types (each problem at its line and
 * field), applied with Apply (or Ctrl+Enter); Import reads a .json file into it, Export saves
 * the scenario on screen.
 */
import { memo, useEffect, useRef, useState } from "react";
import type { ScenarioInput } from "../../engine/k8s/spec";
import type { Issue, ValidateResult } from "../../worker/protocol";
import { smallBtn } from "./fields";
import { useLang } from "../../i18n/use";
import { EDITOR } from "./i18n";

/** The largest file Import reads: a scenario at every limit is far smaller. */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The JSON view; drawn again only when its props change (not at every step of the trace: a big scenario's text is 800 KB). */
export const JsonView = memo(function JsonView(props: { doc: ScenarioInput; pendingIssues?: readonly Issue[]; validate: (text: string) => Promise<ValidateResult>; onApply: (doc: ScenarioInput) => void }) {
  const { doc, pendingIssues, validate, onApply } = props;
  const lang = useLang();
  const t = EDITOR[lang];
  const pretty = JSON.stringify(doc, null, 2);
  const [text, setText] = useState(pretty);
  const [dirty, setDirty] = useState(false);
  const [checked, setChecked] = useState<{ text: string; result: ValidateResult } | undefined>();
  const [importError, setImportError] = useState<string>();
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // The scenario changed elsewhere (the form, Undo): show it, unless the user has typed here.
  const [seen, setSeen] = useState(pretty);
  if (pretty !== seen) {
    setSeen(pretty);
    if (!dirty) setText(pretty);
  }

  // Checked a moment after the typing stops; an answer for older text is ignored.
  useEffect(() => {
    if (!dirty) return;
    let live = true;
    const timer = setTimeout(() => {
      void validate(text).then(
        (result) => live && setChecked({ text, result }),
        () => undefined,
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text, dirty, validate]);

  const current = checked?.text === text ? checked.result : undefined;
  const issues = dirty ? (current?.issues ?? []) : (pendingIssues ?? []);
  const canApply = dirty && current !== undefined && current.issues.length === 0 && current.spec !== undefined;
  const apply = () => {
    if (!canApply) return;
    onApply(current.spec as ScenarioInput);
    setDirty(false);
    setText(JSON.stringify(current.spec, null, 2));
  };
  const goTo = (i: Issue) => {
    const el = area.current;
    if (!el || i.line === undefined) return;
    const lines = text.split("\n");
    let offset = 0;
    for (let n = 0; n < i.line - 1 && n < lines.length; n++) offset += lines[n]!.length + 1;
    offset += (i.column ?? 1) - 1;
    el.focus();
    el.setSelectionRange(offset, offset);
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2 p-3">
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-40" disabled={!canApply} onClick={apply} title={t.applyTitle}>
          {t.apply}
        </button>
        <button
          type="button"
          className={smallBtn}
          disabled={!dirty}
          onClick={() => {
            setText(pretty);
            setDirty(false);
          }}
        >
          {t.revert}
        </button>
        <button type="button" className={smallBtn} onClick={() => fileInput.current?.click()}>
          {t.import}
        </button>
        <button type="button" className={smallBtn} onClick={() => download(`${doc.id}.json`, `${pretty}\n`)}>
          {t.export}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          className="hidden"
          data-testid="import-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = "";
            if (!f) return;
            if (f.size > MAX_IMPORT_BYTES) {
              setImportError(t.tooBig({ name: f.name, mb: new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }).format(f.size / 1048576), max: MAX_IMPORT_BYTES / 1048576 }));
              return;
            }
            setImportError(undefined);
            void f.text().then((t) => {
              setText(t);
              setDirty(true);
            });
          }}
        />
        <span className="text-xs text-slate-600" role="status" data-testid="json-status">
          {!dirty ? t.onScreen : current === undefined ? t.checking : current.issues.length === 0 ? t.valid : t.problems({ count: current.issues.length })}
        </span>
      </div>
      {importError && (
        <p role="alert" className="text-xs text-red-700">
          {importError}
        </p>
      )}
      <textarea
        ref={area}
        aria-label={t.jsonLabel}
        spellCheck={false}
        className="min-h-64 flex-1 resize-none rounded border border-slate-300 bg-white p-2 font-mono text-xs leading-snug"
        value={text}
        aria-invalid={issues.length > 0}
        onChange={(e) => {
          setText(e.target.value);
          setDirty(true);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            apply();
          }
        }}
      />
      {issues.length > 0 && (
        <ul className="max-h-40 overflow-y-auto text-xs text-red-800" aria-label={t.problemsLabel} data-testid="json-issues">
          {issues.slice(0, 50).map((i, n) => (
            <li key={n}>
              <button type="button" className="text-left underline decoration-dotted" onClick={() => goTo(i)}>
                {i.line !== undefined ? t.lineColumn({ line: i.line, column: i.column ?? 1 }) : "—"}
              </button>{" "}
              <span className="font-mono">{i.path || "(json)"}</span>: {i.message}
            </li>
          ))}
          {issues.length > 50 && <li>{t.more({ count: issues.length - 50 })}</li>}
        </ul>
      )}
    </div>
  );
});
