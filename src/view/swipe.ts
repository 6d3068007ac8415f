/**
 * Swipe to step on a touch screen: a quick one-finger horizontal swipe steps forward (finger moving
 * left, like turning a page) or back (moving right). It is taken on the narration, the hop detail
 * and list and the footer, not on the diagram, where one finger pans (d3-zoom); a swipe that starts
 * on a slider or in a text field is theirs.
 */
import { useRef } from "react";

/** Shortest horizontal travel that counts as a swipe, in CSS pixels. */
export const SWIPE_MIN_PX = 50;
/** Longest time a swipe may take; a slower drag is reading or scrolling. */
export const SWIPE_MAX_MS = 800;

export type TouchPoint = { readonly x: number; readonly y: number; readonly t: number };

/**
 * The step a touch from `start` to `end` asks for: 1 (forward), -1 (back) or 0 (not a swipe: too
 * short, too slow or more vertical than horizontal, as a scroll is).
 */
export function swipeStep(start: TouchPoint, end: TouchPoint): -1 | 0 | 1 {
  const dx = end.x - start.x;
  const dy = end.y - start.y;
  if (Math.abs(dx) < SWIPE_MIN_PX || Math.abs(dx) < 2 * Math.abs(dy) || end.t - start.t > SWIPE_MAX_MS) return 0;
  return dx < 0 ? 1 : -1;
}

/** Where a swipe may not start: controls that use a horizontal drag or typing themselves. */
const OWN_GESTURES = 'input[type="range"], input[type="text"], input:not([type]), textarea, select, svg[data-testid="topology"]';

/** Touch handlers for an element: a swipe on it calls onStep(1) or onStep(-1). */
export function useSwipe(onStep: (delta: 1 | -1) => void) {
  const start = useRef<TouchPoint | undefined>(undefined);
  return {
    onTouchStart: (e: React.TouchEvent) => {
      const touch = e.touches[0];
      start.current =
        e.touches.length === 1 && touch && !(e.target as Element).closest?.(OWN_GESTURES) ? { x: touch.clientX, y: touch.clientY, t: e.timeStamp } : undefined;
    },
    onTouchMove: (e: React.TouchEvent) => {
      // A second finger makes it a pinch, not a swipe.
      if (e.touches.length > 1) start.current = undefined;
    },
    onTouchEnd: (e: React.TouchEvent) => {
      const from = start.current;
      start.current = undefined;
      const touch = e.changedTouches[0];
      if (!from || !touch) return;
      const step = swipeStep(from, { x: touch.clientX, y: touch.clientY, t: e.timeStamp });
      if (step !== 0) onStep(step);
    },
    onTouchCancel: () => {
      start.current = undefined;
    },
  };
}
