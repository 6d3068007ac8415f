import lzString from "lz-string";
import { describe, expect, it, vi } from "vitest";
import { encodeView, formatHash, type SharedView } from "../share/codec";
import { rowOf, ruleAt } from "./rules";
import { fakeEngine } from "./fake-engine";
import { visibleSteps } from "./levels";
import { createHopscope, type HopscopeState, type HopscopeStore } from "./store";

/** A store on the fake engine, and the fake once the store has made it. */
function setup() {
  const fake = fakeEngine();
  const store = createHopscope(fake.connect);
  // Positions here are steps of the whole trace, as at the "rules" level.
  store.setState({ level: "rules" });
  return { store, engine: fake.engine };
}

/** A version 2 link's hash. */
function link(view: SharedView, at: { flow: number; step: number }, extra = ""): string {
  // At the "rules" level, where a position is any step of the trace (levels.test.ts covers the others).
  return formatHash({ view: encodeView(view), at, embed: false, autoplay: false, hide: [], level: "rules" }) + extra;
}

/** Where the view is, as a link says it. */
function position(s: HopscopeState): { flow: number; step: number } | undefined {
  const at = s.steps[s.cursor];
  return at && { flow: at.flow, step: at.index };
}

/** Every scenario the store showed, as "<scenario id> from <source id>", in order. */
function recordScenarios(store: HopscopeStore): string[] {
  const seen: string[] = [];
  store.subscribe((s, prev) => {
    if (s.scenario !== prev.scenario || s.source !== prev.source) seen.push(`${s.scenario?.id} from ${s.source && "id" in s.source ? s.source.id : "(spec)"}`);
  });
  return seen;
}

const PANELS = { detail: false, hops: true, node: false };

describe("restoring a link's view", () => {
  it("init with a version 2 link restores its scenario, position and panels, and the hash's embed options", async () => {
    const { store, engine } = setup();
    await store.getState().init(link({ scenario: { id: "nodeport" }, panels: PANELS }, { flow: 2, step: 5 }, "&embed=1&hide=detail"));
    const s = store.getState();
    expect(s.status).toEqual({ kind: "ready" });
    expect(s.source).toEqual({ id: "nodeport" });
    expect(s.scenario?.id).toBe("nodeport");
    expect(position(s)).toEqual({ flow: 2, step: 5 });
    expect(s.panels).toEqual(PANELS);
    expect(s.embed).toEqual({ on: true, autoplay: false, hide: ["detail"] });
    expect(s.restoring).toBe(false);
    expect(s.notice).toBeUndefined();
    expect(s.scenarios.map((x) => x.id)).toContain("pod-to-pod");
    expect(engine().log()).toEqual(["scenarios", "run nodeport"]);
  });

  it("shares the view it was opened at with the link's own blob (nothing re-encoded), until the panels change", async () => {
    const { store } = setup();
    const view = { scenario: { id: "nodeport" }, panels: PANELS, shell: [{ target: "worker-0", line: "ip route" }] };
    // Written whole (a version 2 blob), which the encoder of today would write otherwise.
    const blob = lzString.compressToEncodedURIComponent(JSON.stringify({ v: 2, scenario: view.scenario, panels: view.panels, shell: [{ t: "worker-0", l: "ip route" }] }));
    expect(blob).not.toBe(encodeView(view));
    await store.getState().init(formatHash({ view: blob, at: { flow: 1, step: 2 }, embed: false, autoplay: false, hide: [], level: "rules" }));
    expect(store.getState().shareView()).toEqual({ view: blob, at: { flow: 1, step: 2 } });
    store.getState().setPanels({ node: true });
    expect(store.getState().shareView()?.view).toBe(encodeView({ ...view, panels: { ...PANELS, node: true } }));
    store.getState().setPanels({ node: false });
    expect(store.getState().shareView()?.view).toBe(blob);
  });

  it("a version 1 link (its blob holds its position) is shared with a blob of today's", async () => {
    const { store } = setup();
    const blob = lzString.compressToEncodedURIComponent(JSON.stringify({ v: 1, scenario: { id: "nodeport" }, flow: 0, step: 0, panels: PANELS }));
    await store.getState().init(`#view=${blob}&level=rules`);
    expect(store.getState().shareView()?.view).toBe(encodeView({ scenario: { id: "nodeport" }, panels: PANELS }));
  });

  it("a link without a level (made before levels existed) opens at the hop level, on the hop its step belongs to", async () => {
    const { store } = setup();
    await store.getState().init(formatHash({ view: encodeView({ scenario: { id: "same-node" }, panels: PANELS }), at: { flow: 0, step: 2 }, embed: false, autoplay: false, hide: [] }));
    const s = store.getState();
    expect(s.level).toBe("hops");
    const hops = visibleSteps(s.steps, "hops");
    const raw = s.steps.findIndex((x) => x.flow === 0 && x.index === 2);
    expect(hops).not.toContain(raw);
    expect(s.cursor).toBe(hops.find((h) => h >= raw));
  });

  it("two overlapping init() calls with one hash (React StrictMode) share one restore, and the view is the link's", async () => {
    const { store, engine } = setup();
    const hash = link({ scenario: { id: "same-node" }, panels: PANELS }, { flow: 1, step: 4 });
    const first = store.getState().init(hash);
    const second = store.getState().init(hash);
    expect(second).toBe(first);
    expect(store.getState().restoring).toBe(true);
    await Promise.all([first, second]);
    const s = store.getState();
    expect(engine().log()).toEqual(["scenarios", "run same-node"]);
    expect(s.scenario?.id).toBe("same-node");
    expect(position(s)).toEqual({ flow: 1, step: 4 });
    expect(s.panels).toEqual(PANELS);
    expect(s.restoring).toBe(false);
  });

  it("a bad link opens the default scenario at the hash's start step, with a message saying what was wrong", async () => {
    const { store } = setup();
    await store.getState().init("#view=%%%&start=3&level=rules");
    const s = store.getState();
    expect(s.notice).toMatch(/^The link's data has characters a Hopscope link never contains.* Showing the default scenario instead\.$/);
    expect(s.scenario?.id).toBe(s.scenarios[0]?.id);
    expect(position(s)).toEqual({ flow: 0, step: 3 });
  });

  it("a link whose scenario the engine will not run says so and opens the default scenario", async () => {
    const { store, engine } = setup();
    await store.getState().init(link({ scenario: { id: "no-such-scenario" }, panels: PANELS }, { flow: 0, step: 0 }));
    const s = store.getState();
    expect(s.notice).toBe(`This link's scenario could not be run (scenario: unknown scenario "no-such-scenario"). Showing the default scenario instead.`);
    expect(engine().log()).toEqual(["scenarios", "run no-such-scenario", `run ${s.scenarios[0]?.id}`]);
    expect(s.status).toEqual({ kind: "ready" });
  });
});

describe("loading", () => {
  it("a load overtaken by a newer one answers superseded and sets nothing", async () => {
    const { store } = setup();
    const seen = recordScenarios(store);
    const [older, newer] = await Promise.all([store.getState().load("nodeport", { flow: 1, step: 2 }), store.getState().load("same-node")]);
    expect({ older, newer }).toEqual({ older: "superseded", newer: "ready" });
    expect(seen).toEqual(["same-node from same-node"]);
    expect(position(store.getState())).toEqual({ flow: 0, step: 0 });
  });

  it("a load overtaken while it replays shell lines stops there and sets nothing", async () => {
    const { store, engine } = setup();
    const seen = recordScenarios(store);
    const lines = [
      { target: "worker-0", line: "ip route" },
      { target: "worker-0", line: "ip link" },
    ];
    let newer: Promise<string> | undefined;
    const older = store.getState().load("nodeport", undefined, lines);
    engine().onRequest = (r) => {
      if (r.kind === "exec" && !newer) newer = store.getState().load("same-node");
    };
    expect(await older).toBe("superseded");
    expect(await newer).toBe("ready");
    // The older load's second line was never sent.
    expect(engine().log()).toEqual(["run nodeport", "exec worker-0 ip route", "run same-node"]);
    expect(seen).toEqual(["same-node from same-node"]);
    expect(store.getState().shellLines).toEqual([]);
  });

  it("fetches a node's outline of rules when the panel asks for it, once per scenario load, and their text by rows", async () => {
    const { store, engine } = setup();
    await store.getState().load("pod-to-pod");
    expect(engine().log()).toEqual(["run pod-to-pod"]);
    await store.getState().fetchRules("worker-0");
    await store.getState().fetchRules("worker-0");
    const rules = store.getState().rules;
    expect(Object.keys(rules)).toEqual(["worker-0"]);
    const outline = rules["worker-0"]!;
    const services = rowOf(outline, "nat", "KUBE-SERVICES", 1)!;
    expect(services).toBeGreaterThan(0);
    expect(outline.tables.map((t) => t.table)).toEqual(["nat", "filter"]);
    expect(engine().log()).toEqual(["run pod-to-pod", "rules worker-0"]);
    // The text of the rows asked for, as iptables-save prints them.
    const texts = await store.getState().ruleText("worker-0", services, 2);
    expect(texts).toHaveLength(2);
    expect(texts![0]).toMatch(/^-A KUBE-SERVICES /);
    // The last rows: fewer than asked for at the end.
    const last = await store.getState().ruleText("worker-0", outline.total - 1, 10);
    expect(last).toHaveLength(1);
    expect(last![0]).toMatch(new RegExp(`^-A ${ruleAt(outline, outline.total - 1)!.chain} `));
    await store.getState().load("same-node");
    expect(store.getState().rules).toEqual({});
  });
});

describe("when the engine fails", () => {
  it("restarts with a notice and reloads the scenario at its position, with its shell lines", async () => {
    const { store, engine } = setup();
    await store.getState().load("pod-to-pod");
    await store.getState().execLine("worker-0/busybox0-rw89s", "ping -c 1 10.200.1.15");
    store.getState().move(3);
    const before = store.getState();
    expect(position(before)).toEqual({ flow: 2, step: 3 });
    engine().failNext("the engine worker failed: boom");
    await store.getState().fetchRules("worker-1");
    expect(store.getState().notice).toBe("the engine worker failed: boom. The engine was restarted; your scenario is reloaded.");
    expect(store.getState().status).toEqual({ kind: "loading" });
    await vi.waitFor(() => expect(store.getState().status).toEqual({ kind: "ready" }));
    const after = store.getState();
    expect(engine().log().slice(2)).toEqual(["rules worker-1", "run pod-to-pod", "exec worker-0/busybox0-rw89s ping -c 1 10.200.1.15"]);
    expect(position(after)).toEqual({ flow: 2, step: 3 });
    expect(after.trace?.flows).toHaveLength(4);
    expect(after.shellLines).toEqual(before.shellLines);
    expect(after.notice).toBe("the engine worker failed: boom. The engine was restarted; your scenario is reloaded.");
  });

  it("reports a failure during that reload instead of retrying", async () => {
    const { store, engine } = setup();
    await store.getState().load("same-node");
    engine().failNext("the engine did not answer within 15 s");
    engine().failNext("the engine worker failed: again");
    await store.getState().fetchRules("worker-0");
    await vi.waitFor(() => expect(store.getState().status.kind).toBe("error"));
    await new Promise((r) => setTimeout(r, 10));
    expect(store.getState().status).toEqual({ kind: "error", message: "the engine worker failed: again" });
    expect(store.getState().notice).toBe("the engine worker failed: again. The engine failed again while reloading; pick a scenario to try again.");
    expect(engine().log()).toEqual(["run same-node", "rules worker-0", "run same-node"]);
  });

  it("before any scenario loaded, only says the engine was restarted", async () => {
    const { store, engine } = setup();
    await store.getState().fetchRules("worker-0"); // not ready: asks nothing
    await store.getState().completeLine("worker-0", "ip ro");
    engine().failNext("the engine worker failed: early");
    await expect(store.getState().completeLine("worker-0", "ip ro")).rejects.toThrow("the engine worker failed: early");
    await new Promise((r) => setTimeout(r, 10));
    expect(store.getState().notice).toBe("the engine worker failed: early. The engine was restarted.");
    expect(engine().log()).toEqual(["complete worker-0 ip ro", "complete worker-0 ip ro"]);
  });
});
