import { describe, expect, it } from "vitest";
import { fakeEngine } from "./fake-engine";
import { createHopscope } from "./store";

async function loaded() {
  const store = createHopscope(fakeEngine().connect);
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
});
