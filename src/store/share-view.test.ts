import { describe, expect, it, vi } from "vitest";
import type * as Codec from "../share/codec";
import { encodeView } from "../share/codec";
import { decodeView } from "../share/decode";
import { fakeEngine } from "./fake-engine";
import { createHopscope } from "./store";

// encodeView, watched: the store must compress the view once, not at every step.
vi.mock("../share/codec", async (importOriginal) => {
  const codec = await importOriginal<typeof Codec>();
  return { ...codec, encodeView: vi.fn(codec.encodeView) };
});

describe("shareView", () => {
  it("is nothing before a scenario loaded", () => {
    expect(createHopscope(fakeEngine().connect).getState().shareView()).toBeUndefined();
  });

  it("encodes the view once while only the position changes, again when the panels or shell lines change", async () => {
    const store = createHopscope(fakeEngine().connect);
    store.setState({ level: "rules" });
    await store.getState().load("pod-to-pod");
    const encode = vi.mocked(encodeView);
    encode.mockClear();
    const first = store.getState().shareView()!;
    store.getState().setCursor(3);
    const second = store.getState().shareView()!;
    store.getState().move(20);
    const third = store.getState().shareView()!;
    expect(encode).toHaveBeenCalledTimes(1);
    expect(second.view).toBe(first.view);
    expect(third.view).toBe(first.view);
    expect([first.at, second.at, third.at]).toEqual([
      { flow: 0, step: 0 },
      { flow: 0, step: 3 },
      { flow: 0, step: 23 },
    ]);
    expect(decodeView(third)).toMatchObject({ ok: true, state: { scenario: { id: "pod-to-pod" }, flow: 0, step: 23 } });

    store.getState().setPanels({ hops: false });
    const panels = store.getState().shareView()!;
    expect(encode).toHaveBeenCalledTimes(2);
    expect(decodeView(panels)).toMatchObject({ ok: true, state: { panels: { detail: true, hops: false, node: true } } });

    await store.getState().execLine("worker-0", "ip route");
    const shell = store.getState().shareView()!;
    expect(encode).toHaveBeenCalledTimes(3);
    expect(decodeView(shell)).toMatchObject({ ok: true, state: { shell: [{ target: "worker-0", line: "ip route" }] } });
  });
});
