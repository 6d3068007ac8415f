/**
 * The header's "Menu": a disclosure button and the panel of controls folded into it (the panels'
 * checkboxes, the embed code, the pcap, the language and the theme; on a narrow screen the tour,
 * the quiz, the editor, the link and the export as well). The panel stays mounted while closed, so
 * its controls keep their state; one marked data-menu-close closes it when used. Keyboard: Enter or Space opens it and puts the focus on its first
 * control, ↓ and ↑ (or Tab) move between its controls, Escape closes it and gives the focus back to
 * the button; a click outside or the focus leaving it closes it too.
 */
import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from "react";
import { toggleClass, useOutsidePress } from "./outside";

const FOCUSABLE = 'button:not([disabled]), select:not([disabled]), input:not([disabled]), a[href], [tabindex="0"]';

export function HeaderMenu(props: { label: string; children: ReactNode; buttonRef?: RefObject<HTMLButtonElement | null> }) {
  const { label, children } = props;
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const own = useRef<HTMLButtonElement>(null);
  const button = props.buttonRef ?? own;
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();

  // A press outside closes the menu (without taking the focus anywhere).
  useOutsidePress(open, [root], () => setOpen(false));

  // Opened, the first control takes the focus.
  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (!open) return;
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    const target = e.target as HTMLElement;
    // A list keeps its arrows (they pick its options); elsewhere ↓ and ↑ go from control to control.
    if ((e.key !== "ArrowDown" && e.key !== "ArrowUp") || target.tagName === "SELECT" || !panel.current?.contains(target)) return;
    const items = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    const at = items.indexOf(target);
    if (!items.length) return;
    e.preventDefault();
    const next = e.key === "ArrowDown" ? (at + 1) % items.length : (at - 1 + items.length) % items.length;
    items[next]!.focus();
  };

  return (
    <div
      ref={root}
      className="relative shrink-0"
      onKeyDown={onKeyDown}
      onBlur={(e) => {
        // Tab past the last control (or Shift+Tab before the first) leaves the menu and closes it.
        if (e.relatedTarget && !root.current?.contains(e.relatedTarget as Node)) setOpen(false);
      }}
      onClick={(e) => {
        // A control that does its work elsewhere on the page (the tour, the quiz, the editor, a copy or a download) closes the menu.
        if ((e.target as HTMLElement).closest("[data-menu-close]") && panel.current?.contains(e.target as Node)) close();
      }}
    >
      <button
        ref={button}
        type="button"
        className={`whitespace-nowrap ${toggleClass(open)}`}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
        data-testid="header-menu"
      >
        <span aria-hidden="true">☰ </span>
        {label}
      </button>
      <div
        ref={panel}
        id={panelId}
        hidden={!open}
        role="group"
        aria-label={label}
        className="absolute right-0 top-full z-30 mt-1 w-80 max-w-[calc(100vw-1rem)] rounded border border-slate-300 bg-white p-3 text-sm text-slate-900 shadow-xl"
        data-testid="header-menu-panel"
      >
        {children}
      </div>
    </div>
  );
}

