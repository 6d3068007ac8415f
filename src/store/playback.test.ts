import { describe, expect, it } from "vitest";
import { fakeEngine } from "./fake-engine";
import { visibleSteps } from "./levels";
import { createHopscope } from "./store";

async function loaded() {
  const store = createHopscope(fakeEngine().connect);
  // Every step: these tests are about the trace's own order (levels.test.ts and below cover the levels).
  store.setState({ level: "rules" });
  expect(await store.getState().load("same-node")).toBe("ready");
  return store;
}

describe("playback", () => {
  it("setCursor and move stay within the trace", async () => {
    const store = await loaded();
    const last = store.getState().steps.length - 1;
    expect(last).toBeGreaterThan(10);
    const at = (i: number) => {
      store.getState().setCursor(i);
      return store.getState().cursor;
    };
    expect(at(7)).toBe(7);
    expect(at(-3)).toBe(0);
    expect(at(Number.MAX_SAFE_INTEGER)).toBe(last);
    store.getState().move(1);
    expect(store.getState().cursor).toBe(last);
    store.getState().setCursor(0);
    store.getState().move(-1);
    expect(store.getState().cursor).toBe(0);
    store.getState().move(4);
    expect(store.getState().cursor).toBe(4);
  });

  it("setCursor on an empty trace stays at 0", () => {
    const store = createHopscope(fakeEngine().connect);
    store.getState().setCursor(5);
    expect(store.getState().cursor).toBe(0);
  });

  it("play from the last step starts again at the first; pause stays where it is", async () => {
    const store = await loaded();
    store.getState().setCursor(Number.MAX_SAFE_INTEGER);
    store.getState().togglePlay();
    expect(store.getState()).toMatchObject({ playing: true, cursor: 0 });
    store.getState().move(3);
    store.getState().togglePlay();
    expect(store.getState()).toMatchObject({ playing: false, cursor: 3 });
    store.getState().togglePlay();
    expect(store.getState()).toMatchObject({ playing: true, cursor: 3 });
  });

  it("at the hop level, a new trace opens on the level's first step; moving visits only its steps and the ends stop", async () => {
    const store = createHopscope(fakeEngine().connect);
    expect(store.getState().level).toBe("hops");
    expect(await store.getState().load("same-node")).toBe("ready");
    const { steps } = store.getState();
    const shown = visibleSteps(steps, "hops");
    expect(shown.length).toBeLessThan(steps.length);
    expect(store.getState().cursor).toBe(shown[0]);
    const visited = [store.getState().cursor];
    for (let i = 0; i < shown.length + 3; i++) {
      store.getState().move(1);
      if (store.getState().cursor !== visited.at(-1)) visited.push(store.getState().cursor);
    }
    expect(visited).toEqual(shown);
    store.getState().move(-2);
    expect(store.getState().cursor).toBe(shown.at(-3));
  });

  it("from a step the level does not show, forward and back go to the level's neighbours; switching level keeps the place", async () => {
    const store = createHopscope(fakeEngine().connect);
    await store.getState().load("same-node");
    const { steps } = store.getState();
    const shown = visibleSteps(steps, "hops");
    // A step between two shown ones, as a link or a click at the rules level leaves it.
    const k = shown.findIndex((v, i) => i > 0 && v - shown[i - 1]! > 1);
    expect(k).toBeGreaterThan(0);
    const between = shown[k - 1]! + 1;
    store.getState().setLevel("rules");
    store.getState().setCursor(between);
    store.getState().setLevel("hops");
    // The step the level shows for it (its hop): the place is kept, not reset.
    expect(store.getState().cursor).toBe(shown[k]);
    store.getState().setLevel("rules");
    store.getState().setCursor(between);
    store.setState({ level: "hops" });
    store.getState().move(1);
    expect(store.getState().cursor).toBe(shown[k]);
    store.getState().setCursor(between);
    store.getState().move(-1);
    expect(store.getState().cursor).toBe(shown[k - 1]);
  });
});
