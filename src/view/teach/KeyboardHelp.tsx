/**
 * The keyboard help: a modal dialog listing every key the app handles (./shortcuts). It opens on
 * `?` or its button; Escape or Close closes it and the focus goes back where it was. Tab stays
 * inside while it is open.
 */
import { useEffect, useEffectEvent, useId, useRef } from "react";
import { useLang, useT } from "../../i18n/use";
import { teachText } from "./i18n";
import { SHORTCUTS } from "./shortcuts";
import { keepTabInside } from "../dom";

export function KeyboardHelp({ onClose }: { onClose: () => void }) {
  const t = useT(teachText);
  const ru = useLang() === "ru";
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);

  const closeNow = useEffectEvent(() => onClose());
  useEffect(() => {
    // Where the focus was, to give it back on close.
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    // Escape closes it wherever the focus is (a click on the page may have moved it to the body).
    const onEscape = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.preventDefault();
      e.stopPropagation();
      closeNow();
    };
    document.addEventListener("keydown", onEscape);
    return () => {
      document.removeEventListener("keydown", onEscape);
      if (before && before.isConnected && before !== document.body) before.focus();
    };
  }, []);

  // Keep Tab inside the dialog: its only control is Close, besides the scrolling list.
  const onKeyDown = (e: React.KeyboardEvent) => keepTabInside(e, dialog.current);

  return (
    <div className="fixed inset-0 z-40 flex items-start justify-center bg-slate-900/40 p-2 md:items-center md:p-6" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={onKeyDown}
        className="flex max-h-full w-full max-w-xl flex-col rounded bg-white text-slate-900 shadow-xl"
        data-testid="keyboard-help"
      >
        <div className="flex items-center gap-2 border-b border-slate-200 px-4 py-2">
          <h2 id={titleId} className="flex-1 text-base font-semibold">
            {t.keysTitle}
          </h2>
          <button ref={close} type="button" onClick={onClose} className="rounded border border-slate-300 px-2.5 py-1 text-sm hover:bg-slate-100">
            {t.close}
          </button>
        </div>
        {/* The list scrolls on a small screen; it is focusable so the keyboard can scroll it. */}
        <div className="min-h-0 overflow-y-auto px-4 py-2" tabIndex={0} aria-label={t.keysList}>
          {SHORTCUTS.map((g) => (
            <section key={g.title} className="mb-3">
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{ru ? g.titleRu : g.title}</h3>
              <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                {g.items.map((s) => (
                  <div key={s.keys.join(" ")} className="contents">
                    <dt className="whitespace-nowrap">
                      {s.keys.map((k, i) => (
                        <span key={k}>
                          {i > 0 && <span className="text-slate-500">{t.or}</span>}
                          <kbd className="rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 font-mono text-xs">{ru && k === "Space" ? "Пробел" : k}</kbd>
                        </span>
                      ))}
                    </dt>
                    <dd>{ru ? s.ru : s.what}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </div>
    </div>
  );
}
