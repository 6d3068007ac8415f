import { describe, expect, it } from "vitest";
import { swipeStep } from "./swipe";

const at = (x: number, y: number, t = 0) => ({ x, y, t });

describe("swipeStep", () => {
  it("a quick leftward swipe steps forward, a rightward one back", () => {
    expect(swipeStep(at(300, 400), at(150, 410, 200))).toBe(1);
    expect(swipeStep(at(100, 400), at(260, 390, 200))).toBe(-1);
  });
  it("a tap, a short nudge, a slow drag or a vertical scroll does not step", () => {
    expect(swipeStep(at(200, 400), at(200, 400, 80))).toBe(0);
    expect(swipeStep(at(200, 400), at(160, 400, 100))).toBe(0);
    expect(swipeStep(at(300, 400), at(100, 400, 1500))).toBe(0);
    expect(swipeStep(at(200, 600), at(140, 300, 200))).toBe(0);
  });
});
