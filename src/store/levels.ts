/**
 * Levels of detail: which of the trace's steps the reader steps through. "rules" is every step
 * (each rule that matched, each conntrack event, each wire); "hooks" keeps one step per
 * netfilter hook visited (the rule that decided there), every routing, NAT, conntrack, bridge,
 * delivery and drop step, and each packet's arrival on a wire; "hops" keeps one step per place
 * the packet visits: the last thing that happened there (so a NAT shows in the packet it
 * leaves with, and a drop or a delivery is the hop's step).
 */
import type { Level } from "../share/codec";
import type { FlatStep } from "./playback";

export { LEVELS, type Level } from "../share/codec";

const where = (s: FlatStep) => `${s.flow}|${s.step.node}|${s.step.pod ?? ""}`;

function hops(steps: readonly FlatStep[]): number[] {
  const out: number[] = [];
  steps.forEach((s, i) => {
    const next = steps[i + 1];
    if (!next || where(next) !== where(s)) out.push(i);
  });
  return out;
}

function hooks(steps: readonly FlatStep[]): number[] {
  const out: number[] = [];
  steps.forEach((s, i) => {
    const st = s.step;
    if (st.kind === "wire") {
      if (st.dir === "in") out.push(i);
      return;
    }
    if (st.kind === "rule") {
      // The last rule matched in this hook here is the one that decided (a jump's target, then its verdict).
      const next = steps[i + 1];
      const sameHook = next && next.step.kind === "rule" && where(next) === where(s) && next.step.detail.kind === "rule" && st.detail.kind === "rule" && next.step.detail.hook === st.detail.hook;
      if (!sameHook) out.push(i);
      return;
    }
    out.push(i);
  });
  return out;
}

const cache = new WeakMap<readonly FlatStep[], Map<Level, readonly number[]>>();

/** The indices (into `steps`) shown at a level, computed once per trace and level. */
export function visibleSteps(steps: readonly FlatStep[], level: Level): readonly number[] {
  let byLevel = cache.get(steps);
  if (!byLevel) {
    byLevel = new Map();
    cache.set(steps, byLevel);
  }
  let v = byLevel.get(level);
  if (!v) {
    v = level === "rules" ? steps.map((_, i) => i) : level === "hooks" ? hooks(steps) : hops(steps);
    byLevel.set(level, v);
  }
  return v;
}

/** The place of `cursor` at a level: the last visible step at or before it (0 when none is). */
export function placeOf(visible: readonly number[], cursor: number): number {
  let lo = 0;
  let hi = visible.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (visible[mid]! <= cursor) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The index of the first visible step after `cursor` (visible.length when none is). */
export function firstAbove(visible: readonly number[], cursor: number): number {
  let lo = 0;
  let hi = visible.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (visible[mid]! > cursor) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first step at or after `i` that the level shows (the last one when none is): where a new trace or flow opens. */
export function firstShownFrom(steps: readonly FlatStep[], level: Level, i: number): number {
  const visible = visibleSteps(steps, level);
  if (visible.length === 0) return i;
  return visible[Math.min(visible.length - 1, firstAbove(visible, i - 1))]!;
}
