import { describe, expect, it } from "vitest";
import { runScenario } from "../../engine/k8s/run";
import { builtinScenario } from "../../engine/scenarios/article";
import { visibleSteps } from "../../store/levels";
import { flatten } from "../../store/playback";
import { flowSteps, pixelSize } from "./plan";

describe("pixelSize", () => {
  it("scales the area and rounds; video gets even sides", () => {
    expect(pixelSize({ width: 899, height: 440 }, "png", 1)).toEqual({ width: 899, height: 440 });
    expect(pixelSize({ width: 899, height: 440 }, "gif", 2)).toEqual({ width: 1798, height: 880 });
    expect(pixelSize({ width: 899, height: 441 }, "webm", 1)).toEqual({ width: 900, height: 442 });
    expect(pixelSize({ width: 1, height: 1 }, "png", 0.1)).toEqual({ width: 1, height: 1 });
  });
});

describe("flowSteps", () => {
  it("is the level's steps of the cursor's flow, in order", () => {
    const r = runScenario(builtinScenario("nodeport"));
    if (!r.ok) throw new Error("nodeport did not run");
    const steps = flatten(r.trace);
    const last = steps.length - 1;
    const lastFlow = steps[last]!.flow;
    expect(lastFlow).toBeGreaterThan(0);
    for (const level of ["hops", "hooks", "rules"] as const) {
      const got = flowSteps(steps, last, level);
      expect(got.length).toBeGreaterThan(0);
      expect(got.every((i) => steps[i]!.flow === lastFlow)).toBe(true);
      expect([...got]).toEqual(visibleSteps(steps, level).filter((i) => steps[i]!.flow === lastFlow));
      expect(flowSteps(steps, 0, level).every((i) => steps[i]!.flow === 0)).toBe(true);
    }
    expect(flowSteps(steps, last, "hops").length).toBeLessThan(flowSteps(steps, last, "rules").length);
    expect(flowSteps([], 0, "hops")).toEqual([]);
  });
});
