/**
 * Prose with its glossary terms marked: each term is focusable and described by a tooltip
 * (WAI-ARIA tooltip pattern). The tip shows on hover and on keyboard focus, stays while the
 * pointer is over it (WCAG 1.4.13: hoverable, persistent), and Escape dismisses it without
 * moving focus or pointer (dismissable). It is placed in the viewport (position: fixed), so a
 * scrolling panel does not clip it, and is at most the viewport's width less a margin, so it
 * fits a 390px phone.
 *
 * Only for prose: tool output (rules, conntrack lines, tcpdump) is never passed through this.
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useLang } from "../../i18n/use";
import { markTerms, type GlossaryEntry } from "./glossary";

/** How long the tip waits after the pointer leaves, so it can cross the gap onto the tip. */
const CLOSE_DELAY_MS = 200;
const MARGIN = 8;

export function Glossed({ text }: { text: string }) {
  const pieces = useMemo(() => markTerms(text), [text]);
  return (
    <>
      {pieces.map((p, i) => (typeof p === "string" ? p : <Term key={i} text={p.text} entry={p.entry} />))}
    </>
  );
}

function placeTip(term: HTMLElement, tip: HTMLElement): void {
  const r = term.getBoundingClientRect();
  const vw = document.documentElement.clientWidth;
  const vh = window.innerHeight;
  const width = Math.min(320, vw - 2 * MARGIN);
  tip.style.width = `${width}px`;
  tip.style.left = `${Math.max(MARGIN, Math.min(r.left, vw - width - MARGIN))}px`;
  const h = tip.offsetHeight;
  const below = r.bottom + 6;
  tip.style.top = `${below + h <= vh - MARGIN || r.top - 6 - h < MARGIN ? below : r.top - 6 - h}px`;
}

function Term({ text, entry }: { text: string; entry: GlossaryEntry }) {
  const lang = useLang();
  const said = lang === "ru" ? entry.ru : entry;
  const id = useId();
  const [hover, setHover] = useState(false);
  const [focus, setFocus] = useState(false);
  // Escape hides the tip until the pointer or the focus comes back.
  const [dismissed, setDismissed] = useState(false);
  const open = (hover || focus) && !dismissed;
  const termRef = useRef<HTMLSpanElement>(null);
  const tipRef = useRef<HTMLSpanElement>(null);
  const closeTimer = useRef<number | undefined>(undefined);

  useEffect(() => () => window.clearTimeout(closeTimer.current), []);

  // Escape anywhere dismisses an open tip (the pointer may be over it, focus elsewhere).
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setDismissed(true);
        e.stopPropagation();
      }
    };
    document.addEventListener("keydown", onKey, true);
    return () => document.removeEventListener("keydown", onKey, true);
  }, [open]);

  // Below the term, or above it when there is no room below; kept inside the viewport, and kept
  // by the term when a panel scrolls or the window resizes.
  useLayoutEffect(() => {
    const term = termRef.current;
    const tip = tipRef.current;
    if (!open || !term || !tip) return;
    const place = () => placeTip(term, tip);
    place();
    window.addEventListener("scroll", place, { capture: true, passive: true });
    window.addEventListener("resize", place);
    return () => {
      window.removeEventListener("scroll", place, { capture: true });
      window.removeEventListener("resize", place);
    };
  }, [open, entry, lang]);

  const enter = () => {
    window.clearTimeout(closeTimer.current);
    // A pointer that comes (back) onto the term shows a tip that Escape had dismissed.
    if (!hover) setDismissed(false);
    setHover(true);
  };
  const leave = () => {
    window.clearTimeout(closeTimer.current);
    closeTimer.current = window.setTimeout(() => {
      setHover(false);
      setDismissed(false);
    }, CLOSE_DELAY_MS);
  };

  return (
    <span className="relative" onMouseEnter={enter} onMouseLeave={leave}>
      <span
        ref={termRef}
        tabIndex={0}
        aria-describedby={id}
        className="cursor-help underline decoration-sky-700 decoration-dotted underline-offset-2"
        data-term={entry.term}
        onFocus={() => {
          setFocus(true);
          setDismissed(false);
        }}
        onBlur={() => setFocus(false)}
      >
        {text}
      </span>
      <span
        ref={tipRef}
        id={id}
        role="tooltip"
        hidden={!open}
        className="fixed z-50 rounded border border-slate-300 bg-white p-2 text-left text-xs font-normal leading-snug text-slate-800 normal-case shadow-lg"
      >
        <span className="mb-0.5 block font-semibold">{said.term}</span>
        <Definition text={said.definition} />
      </span>
    </span>
  );
}

/** A definition's `commands` and `-j TARGET`s, set as code. */
function Definition({ text }: { text: string }) {
  return (
    <>
      {text.split("`").map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="rounded bg-slate-100 px-0.5 font-mono text-[0.6875rem]">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}
