/** Small shared pieces of the page's popups and toggles: a press outside an open popup (the header's menu, the legend) closes it. */
import { useEffect, type RefObject } from "react";

/** While `open`, a pointer press outside every element of `inside` calls `onOutside`. */
export function useOutsidePress(open: boolean, inside: readonly RefObject<HTMLElement | null>[], onOutside: () => void): void {
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!inside.some((r) => r.current?.contains(e.target as Node))) onOutside();
    };
    document.addEventListener("pointerdown", onDown);
    return () => document.removeEventListener("pointerdown", onDown);
    // `inside` and `onOutside` are a fresh array and closure each render; what matters is `open`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
}

/** The header's toggle buttons (Tour, Quiz, Edit scenario, Menu): pressed ones in their colour, the rest plain. */
export function toggleClass(on: boolean, tone: "blue" | "amber" = "blue"): string {
  const pressed = tone === "amber" ? "border-amber-600 bg-amber-50 text-amber-900" : "border-blue-700 bg-blue-50 text-blue-800";
  return `rounded border px-2.5 py-1 text-sm ${on ? pressed : "border-slate-300 bg-white hover:bg-slate-100"}`;
}
