/**
 * The editor's form fields: each keeps what the user types until it is committed (Enter or
 * leaving the field), so a half-typed address never reaches the engine, and shows the
 * validator's message for its path beside it.
 */
import { useId, useState } from "react";
import type { Issue } from "../../worker/protocol";
import { useT } from "../../i18n/use";
import { EDITOR } from "./i18n";

export const input = "w-full min-w-0 rounded border border-slate-300 bg-white px-1.5 py-0.5 text-sm aria-[invalid=true]:border-red-500";
export const smallBtn = "rounded border border-slate-300 bg-white px-2 py-0.5 text-xs hover:bg-slate-100 disabled:opacity-40";

/** The issues at a path or below it (a field's own message first). */
export function issuesAt(issues: readonly Issue[] | undefined, path: string): Issue[] {
  return (issues ?? []).filter((i) => i.path === path || i.path.startsWith(`${path}.`));
}

function Problem({ id, issues }: { id: string; issues: readonly Issue[] }) {
  if (issues.length === 0) return null;
  return (
    <span id={id} className="block text-xs text-red-700" role="alert">
      {issues.map((i) => i.message).join("; ")}
    </span>
  );
}

export function TextField(props: { label: string; value: string; path: string; issues?: readonly Issue[]; onCommit: (v: string) => void; placeholder?: string; wide?: boolean }) {
  const { label, value, path, issues, onCommit, placeholder, wide } = props;
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  const id = useId();
  // A new value from outside (Undo, another field's edit) replaces what the field shows.
  if (value !== seen) {
    setSeen(value);
    setText(value);
  }
  const mine = issuesAt(issues, path);
  const commit = () => {
    if (text !== value) onCommit(text);
  };
  return (
    <label className={`flex flex-col gap-0.5 text-xs text-slate-600 ${wide ? "col-span-full" : ""}`}>
      {label}
      <input
        className={input}
        value={text}
        placeholder={placeholder}
        aria-invalid={mine.length > 0}
        aria-describedby={mine.length ? id : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
          if (e.key === "Escape") setText(value);
        }}
        data-path={path}
      />
      <Problem id={id} issues={mine} />
    </label>
  );
}

export function NumberField(props: { label: string; value: number | undefined; path: string; issues?: readonly Issue[]; min?: number; max?: number; onCommit: (v: number | undefined) => void }) {
  const { label, value, path, issues, min, max, onCommit } = props;
  const t = useT(EDITOR);
  const shown = value === undefined ? "" : String(value);
  const [text, setText] = useState(shown);
  const [seen, setSeen] = useState(shown);
  const id = useId();
  if (shown !== seen) {
    setSeen(shown);
    setText(shown);
  }
  const mine = issuesAt(issues, path);
  const commit = () => {
    if (text === shown) return;
    const n = text.trim() === "" ? undefined : Number(text);
    // Not a number: kept as typed, with a message, until it is one (nothing is sent).
    if (n !== undefined && !Number.isFinite(n)) return;
    onCommit(n);
  };
  const notNumber = text.trim() !== "" && !Number.isFinite(Number(text));
  return (
    <label className="flex flex-col gap-0.5 text-xs text-slate-600">
      {label}
      <input
        className={input}
        inputMode="numeric"
        value={text}
        aria-invalid={mine.length > 0 || notNumber}
        aria-describedby={mine.length || notNumber ? id : undefined}
        onChange={(e) => setText(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
          if (e.key === "Escape") setText(shown);
        }}
        data-path={path}
        {...(min !== undefined && { "aria-valuemin": min })}
        {...(max !== undefined && { "aria-valuemax": max })}
      />
      <Problem id={id} issues={notNumber ? [{ path, message: t.aNumber }, ...mine] : mine} />
    </label>
  );
}

export function SelectField<T extends string>(props: { label: string; value: T; options: readonly (readonly [T, string])[]; path: string; issues?: readonly Issue[]; onChange: (v: T) => void }) {
  const { label, value, options, path, issues, onChange } = props;
  const mine = issuesAt(issues, path);
  const id = useId();
  return (
    <label className="flex flex-col gap-0.5 text-xs text-slate-600">
      {label}
      <select className={input} value={value} onChange={(e) => onChange(e.target.value as T)} aria-invalid={mine.length > 0} aria-describedby={mine.length ? id : undefined} data-path={path}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      <Problem id={id} issues={mine} />
    </label>
  );
}

export function CheckField(props: { label: string; checked: boolean; onChange: (v: boolean) => void; title?: string }) {
  return (
    <label className="flex items-center gap-1.5 text-xs text-slate-700" title={props.title}>
      <input type="checkbox" checked={props.checked} onChange={(e) => props.onChange(e.target.checked)} />
      {props.label}
    </label>
  );
}

export function Section(props: { title: string; children: React.ReactNode; actions?: React.ReactNode; open?: boolean }) {
  return (
    <details className="border-b border-slate-200 px-3 py-2" open={props.open ?? true}>
      <summary className="cursor-pointer select-none text-xs font-semibold uppercase tracking-wide text-slate-500">{props.title}</summary>
      <div className="mt-2 flex flex-col gap-2">{props.children}</div>
      {props.actions && <div className="mt-2 flex flex-wrap gap-2">{props.actions}</div>}
    </details>
  );
}
