/**
 * A scrolling box's window: where it is scrolled to and how tall it is, for lists that draw only
 * the rows in view (the node panel's rules and conntrack entries; the hop list has its own).
 */
import { useLayoutEffect, useState, type RefObject } from "react";

/** Rows drawn above and below the ones in view, so a small scroll shows no gap. */
export const OVERSCAN = 20;

export function useScrollWindow(box: RefObject<HTMLElement | null>, on: boolean): { scrollTop: number; height: number; onScroll: (e: React.UIEvent<HTMLElement>) => void } {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !on) return;
    const measure = () => {
      setHeight(el.clientHeight || 400);
      setScrollTop(el.scrollTop);
    };
    measure();
    const ro = typeof ResizeObserver === "undefined" ? undefined : new ResizeObserver(measure);
    ro?.observe(el);
    return () => ro?.disconnect();
  }, [box, on]);
  return { scrollTop, height, onScroll: (e) => setScrollTop(e.currentTarget.scrollTop) };
}

/** The rows [first, last) of `rowHeight` px, `top` px into the box, that a window shows (with overscan). */
export function rowsInView(win: { scrollTop: number; height: number }, top: number, count: number, rowHeight: number): [number, number] {
  const first = Math.max(0, Math.floor((win.scrollTop - top) / rowHeight) - OVERSCAN);
  const last = Math.min(count, Math.ceil((win.scrollTop - top + win.height) / rowHeight) + OVERSCAN);
  return [first, Math.max(first, last)];
}

/**
 * Runs `fn` at the start of the next frame; returns its cancellation (an effect's cleanup). A
 * list's scroll-into-view reads the layout: at a step's commit that lays the whole page out an
 * extra time, in the frame it shares the layout the browser makes before drawing.
 */
export function inNextFrame(fn: () => void): () => void {
  const id = requestAnimationFrame(fn);
  return () => cancelAnimationFrame(id);
}
