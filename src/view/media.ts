/** Media queries as React state: the page's layout follows the window (a phone, a small embed, a projector). */
import { useSyncExternalStore } from "react";

/** Whether a media query matches now, re-rendering when that changes; `fallback` where the browser cannot say. */
export function useMediaQuery(query: string, fallback = false): boolean {
  return useSyncExternalStore(
    (on) => {
      const mq = window.matchMedia?.(query);
      mq?.addEventListener("change", on);
      return () => mq?.removeEventListener("change", on);
    },
    () => window.matchMedia?.(query).matches ?? fallback,
  );
}
