import { describe, expect, it } from "vitest";
import { MAX_SHELL_LINES, encodeView, formatHash, type ShellLine } from "../share/codec";
import { fakeEngine } from "./fake-engine";
import { createHopscope } from "./store";

function setup() {
  const fake = fakeEngine();
  const store = createHopscope(fake.connect);
  // Positions here are steps of the whole trace, as at the "rules" level.
  store.setState({ level: "rules" });
  return { store, engine: fake.engine };
}

const PANELS = { detail: true, hops: true, node: true };
const POD = "worker-0/busybox0-rw89s";
const PING = { target: POD, line: "ping -c 1 10.200.1.15" };

/** A version 2 link to pod-to-pod with these shell lines, at a position. */
function linkWithShell(shell: readonly ShellLine[], at = { flow: 0, step: 0 }): string {
  return formatHash({ view: encodeView({ scenario: { id: "pod-to-pod" }, panels: PANELS, shell }), at, embed: false, autoplay: false, hide: [], level: "rules" });
}

describe("a link's shell lines", () => {
  it("are replayed in order, their flows join the trace, and the position may be in one of them", async () => {
    const { store, engine } = setup();
    const lines = [PING, { target: "worker-0", line: "sudo conntrack -L | grep -c 10.200.1.15" }];
    await store.getState().init(linkWithShell(lines, { flow: 3, step: 2 }));
    const s = store.getState();
    expect(engine().log()).toEqual(["scenarios", "run pod-to-pod", `exec ${POD} ${PING.line}`, "exec worker-0 sudo conntrack -L | grep -c 10.200.1.15"]);
    expect(s.trace?.flows.map((f) => f.name)).toEqual(["request", "reply", "ping request", "ping reply"]);
    expect(s.steps.filter((x) => x.flow >= 2).length).toBeGreaterThan(0);
    expect(s.steps[s.cursor]).toMatchObject({ flow: 3, index: 2 });
    expect(s.shellLines).toEqual(lines);
    // What each line printed is there for the terminal; the conntrack line saw the ping's entry.
    expect(s.replayLog.map((e) => [e.target, e.line])).toEqual(lines.map((l) => [l.target, l.line]));
    expect(s.replayLog[0]?.display).toMatch(/^PING 10\.200\.1\.15 /);
    expect(s.replayLog[1]?.display).toMatch(/^2\n/);
    expect(s.notice).toBeUndefined();
  });

  it("skip a line for a node the scenario does not have, and the notice says which", async () => {
    const { store } = setup();
    const lines = [{ target: "worker-9", line: "ip route" }, PING];
    await store.getState().init(linkWithShell(lines));
    const s = store.getState();
    expect(s.notice).toMatch(/^This link's shell lines name places this scenario does not have; one was skipped: line 1 \(unknown node "worker-9".*\)\.$/);
    expect(s.shellLines).toEqual([PING]);
    expect(s.replayLog).toHaveLength(2);
    expect(s.trace?.flows).toHaveLength(4);
  });

  it("are not shown again by a plain load: the replay log is for a link that opens", async () => {
    const { store } = setup();
    await store.getState().init(linkWithShell([PING]));
    const log = store.getState().replayLog;
    expect(log).toHaveLength(1);
    await store.getState().load({ id: "pod-to-pod" }, undefined, [PING]);
    expect(store.getState().replayLog).toBe(log);
    await store.getState().load({ id: "same-node" });
    expect(store.getState().replayLog).toEqual([]);
  });
});

describe("the shell's lines", () => {
  it("add their flows to the trace and move the view to the first of them; the link keeps each line", async () => {
    const { store } = setup();
    await store.getState().load("pod-to-pod");
    store.getState().move(5);
    store.setState({ playing: true });
    const quiet = await store.getState().execLine("worker-0", "ip route");
    expect(quiet.flows).toBe(0);
    expect(store.getState().cursor).toBe(5);
    expect(store.getState().playing).toBe(true);
    const flowsBefore = store.getState().trace?.flows.length;
    const r = await store.getState().execLine(PING.target, PING.line);
    const s = store.getState();
    expect(r).toMatchObject({ code: 0, flows: 2 });
    expect(r.display).toMatch(/^PING 10\.200\.1\.15 /);
    expect(s.trace?.flows.length).toBe(flowsBefore! + 2);
    expect(s.steps[s.cursor]).toMatchObject({ flow: flowsBefore, index: 0 });
    expect(s.playing).toBe(false);
    expect(s.shellLines).toEqual([{ target: "worker-0", line: "ip route" }, PING]);
    // An empty line is not kept; nor is one past what a link carries.
    await s.execLine("worker-0", "   ");
    expect(store.getState().shellLines).toHaveLength(2);
    store.setState({ shellLines: Array.from({ length: MAX_SHELL_LINES }, () => PING) });
    await s.execLine("worker-0", "ip link");
    expect(store.getState().shellLines).toHaveLength(MAX_SHELL_LINES);
  });

  it("a line typed while a scenario loads waits for the load, and joins that scenario's session", async () => {
    const { store, engine } = setup();
    const loading = store.getState().load("pod-to-pod", undefined, [PING]);
    const typed = store.getState().execLine("worker-0", "sudo conntrack -L | grep -c 10.200.1.15");
    expect(await loading).toBe("ready");
    expect((await typed).display).toMatch(/^2\n/);
    expect(engine().log()).toEqual(["run pod-to-pod", `exec ${POD} ${PING.line}`, "exec worker-0 sudo conntrack -L | grep -c 10.200.1.15"]);
    expect(store.getState().shellLines).toEqual([PING, { target: "worker-0", line: "sudo conntrack -L | grep -c 10.200.1.15" }]);
  });

  it("complete a word, and the session's capture is named after its scenario", async () => {
    const { store } = setup();
    await store.getState().load("pod-to-pod");
    expect(await store.getState().completeLine("worker-0", "brctl show cn")).toEqual({ line: "brctl show cnio0 ", options: [] });
    const file = await store.getState().pcapFile();
    expect(file.name).toBe("pod-to-pod.pcapng");
    expect(file.frames).toBe(store.getState().steps.filter((x) => x.step.kind === "wire").length);
  });
});
