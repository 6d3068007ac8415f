import { describe, expect, it } from "vitest";
import { runScenario } from "../engine/k8s/run";
import { BUILTIN_SCENARIOS } from "../engine/scenarios/article";
import { firstAbove, placeOf, visibleSteps } from "./levels";
import { flatten, type FlatStep } from "./playback";

function stepsOf(id: string): FlatStep[] {
  const input = BUILTIN_SCENARIOS.find((s) => s.id === id);
  if (!input) throw new Error(`no built-in scenario ${id}`);
  const r = runScenario(input);
  if (!r.ok) throw new Error(`${id} did not run`);
  return flatten(r.trace);
}

describe("levels of detail", () => {
  it("NodePort at the hop level takes 30 steps or fewer, each a different place from the one before", () => {
    const steps = stepsOf("nodeport");
    const hops = visibleSteps(steps, "hops");
    expect(steps.length).toBeGreaterThan(60);
    expect(hops.length).toBeLessThanOrEqual(30);
    expect(hops.length).toBeGreaterThan(5);
    for (let i = 1; i < hops.length; i++) {
      const a = steps[hops[i - 1]!]!;
      const b = steps[hops[i]!]!;
      expect(`${a.flow}|${a.step.node}|${a.step.pod ?? ""}`).not.toBe(`${b.flow}|${b.step.node}|${b.step.pod ?? ""}`);
    }
    // The last step of the trace (how it ended) is always shown.
    expect(hops.at(-1)).toBe(steps.length - 1);
  });

  it("hooks sit between hops and rules, and keep every NAT and drop", () => {
    for (const id of ["nodeport", "no-route", "pod-to-internet"]) {
      const steps = stepsOf(id);
      const hops = visibleSteps(steps, "hops");
      const hooks = visibleSteps(steps, "hooks");
      const rules = visibleSteps(steps, "rules");
      expect(rules.length).toBe(steps.length);
      expect(hooks.length).toBeGreaterThan(hops.length);
      expect(hooks.length).toBeLessThan(rules.length);
      steps.forEach((s, i) => {
        if (s.step.kind === "nat" || s.step.kind === "drop") expect(hooks, `${id} step ${i} (${s.step.kind})`).toContain(i);
      });
    }
  });

  it("placeOf and firstAbove find a cursor's place among the visible steps", () => {
    const visible = [2, 5, 9];
    expect(placeOf(visible, 0)).toBe(0);
    expect(placeOf(visible, 5)).toBe(1);
    expect(placeOf(visible, 8)).toBe(1);
    expect(placeOf(visible, 100)).toBe(2);
    expect(firstAbove(visible, 1)).toBe(0);
    expect(firstAbove(visible, 5)).toBe(2);
    expect(firstAbove(visible, 9)).toBe(3);
  });
});
