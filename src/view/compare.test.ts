import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setFault, type Fault } from "../engine/k8s/faults";
import { runScenario } from "../engine/k8s/run";
import type { ScenarioInput } from "../engine/k8s/spec";
import { builtinScenario } from "../engine/scenarios/article";
import { FAULT_SCENARIOS, HAIRPIN_ON } from "../engine/testing/faults";
import type { Step, Trace } from "../engine/trace";
import { alignTraces, diffMatches, firstDivergence, MAX_EDITS, sameStep, type Row } from "./compare";

function trace(input: unknown): Trace {
  const r = runScenario(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.trace;
}

const builtin = (id: string): ScenarioInput => {
  const s = builtinScenario(id);
  if (!s) throw new Error(`no built-in ${id}`);
  return s;
};

/** A fault scenario with its fault off, and on. */
function faultPair(name: keyof typeof FAULT_SCENARIOS): [Trace, Trace] {
  const { scenario, fault } = FAULT_SCENARIOS[name];
  const off = name === "hairpinOff" ? HAIRPIN_ON : setFault(scenario, fault as Fault, false);
  return [trace(off), trace(scenario)];
}

const stepsOf = (t: Trace) => t.flows.flatMap((f) => f.steps);
const leftOnly = (rows: readonly Row[]) => rows.filter((r) => r.left && !r.right);
const rightOnly = (rows: readonly Row[]) => rows.filter((r) => r.right && !r.left);

/** Every step of each trace is in the rows once, in its order. */
function expectComplete(rows: readonly Row[], a: Trace, b: Trace) {
  expect(rows.flatMap((r) => (r.left ? [r.left] : []))).toEqual(stepsOf(a));
  expect(rows.flatMap((r) => (r.right ? [r.right] : []))).toEqual(stepsOf(b));
}

describe("the same scenario twice", () => {
  it("aligns every step with itself, all the same, and names no divergence", () => {
    const a = trace(builtin("pod-to-pod"));
    const b = trace(builtin("pod-to-pod"));
    const rows = alignTraces(a, b);
    expect(rows).toHaveLength(stepsOf(a).length);
    expect(rows.every((r) => r.same && r.left && r.right)).toBe(true);
    expect(rows.map((r) => r.flow)).toEqual(a.flows.flatMap((f) => f.steps.map(() => f.name)));
    expect(firstDivergence(rows, ["a", "b"])).toBeUndefined();
  });
});

describe("ipMasq on and off on worker-0 (the article's pod-to-pod ping)", () => {
  const on = trace(builtin("pod-to-pod"));
  const off = trace(setFault(builtin("pod-to-pod"), { kind: "ipmasq-off", worker: "worker-0" }, true));
  const rows = alignTraces(on, off);

  it("names the masquerade: the source becomes worker-0's address with it, and stays the pod's without", () => {
    const d = firstDivergence(rows, ["ipMasq on", "off"]);
    expect(d?.text).toBe("ipMasq on: the source becomes 10.240.0.20; off: it stays 10.200.0.21");
    // The row named is MASQUERADE's rewrite, which the other side does not have.
    expect(rows[d!.index]!.left?.kind).toBe("nat");
    expect(rows[d!.index]!.right).toBeUndefined();
  });

  it("says it in Russian too, with the same addresses", () => {
    expect(firstDivergence(rows, ["ipMasq вкл.", "выкл."], "ru")?.text).toBe("ipMasq вкл.: адрес источника становится 10.240.0.20; выкл.: остаётся 10.200.0.21");
    expect(firstDivergence(alignTraces(off, on), ["ipMasq выкл.", "вкл."], "ru")?.text).toBe("ipMasq выкл.: адрес источника остаётся 10.200.0.21; вкл.: становится 10.240.0.20");
  });

  it("says it the other way round with the sides swapped", () => {
    expect(firstDivergence(alignTraces(off, on), ["ipMasq off", "on"])?.text).toBe("ipMasq off: the source stays 10.200.0.21; on: it becomes 10.240.0.20");
  });

  it("shows the extra hops as gaps, and the rest of the path still side by side", () => {
    expectComplete(rows, on, off);
    const request = rows.filter((r) => r.pair === 0);
    // The CNI chain's two rule matches and its rewrite are the only extra steps; the other side has none.
    expect(leftOnly(request).map((r) => r.left!.text)).toEqual([
      expect.stringMatching(/^nat POSTROUTING rule 2 matches: jump to CNI-/),
      expect.stringMatching(/^nat CNI-\w+ rule 2 matches: MASQUERADE/),
      expect.stringMatching(/^MASQUERADE rewrites the source/),
    ]);
    expect(rightOnly(request)).toEqual([]);
    // Everything after the gap is paired with its counterpart, not shifted: same place, other source.
    const after = request.slice(request.findIndex((r) => r.left?.kind === "nat") + 1);
    expect(after.length).toBeGreaterThan(15);
    for (const r of after) {
      expect(r.left && r.right).toBeTruthy();
      expect([r.left!.kind, r.left!.node, r.left!.iface]).toEqual([r.right!.kind, r.right!.node, r.right!.iface]);
      expect([r.left!.packet.src, r.right!.packet.src, r.same]).toEqual(["10.240.0.20", "10.200.0.21", false]);
    }
    // The steps before it are the same on both sides.
    expect(request.slice(0, request.findIndex((r) => !r.same)).length).toBe(9);
  });

  it("pairs the request with the request and the reply with the reply", () => {
    expect([...new Set(rows.map((r) => `${r.pair}:${r.flow}`))]).toEqual(["0:request", "1:reply"]);
  });
});

describe("a fault that drops the packet (ip_forward off on worker-1)", () => {
  const [fine, broken] = faultPair("ipForwardOff");
  const rows = alignTraces(fine, broken);

  it("names the drop: where, why, and what the packet does without the fault", () => {
    const d = firstDivergence(rows, ["forwarding on", "forwarding off"]);
    expect(d?.text).toBe("forwarding on: the packet goes on to busybox0-g6pww; forwarding off: worker-1 drops it: forwarding is off (net.ipv4.ip_forward = 0)");
    // The drop comes right after the last hop both had (worker-1's route), before the hops only the other side has.
    expect(rows[d!.index]!.right?.kind).toBe("drop");
    expect(d!.index).toBe(rows.findIndex((r) => !r.same));
    expect(rows[d!.index - 1]).toMatchObject({ same: true, left: { kind: "route", node: "worker-1" } });
    const swapped = alignTraces(broken, fine);
    expect(swapped.find((r) => !r.same)?.left?.kind).toBe("drop");
    expect(firstDivergence(alignTraces(broken, fine), ["forwarding off", "on"])?.text).toBe(
      "forwarding off: worker-1 drops the packet: forwarding is off (net.ipv4.ip_forward = 0); on: it goes on to busybox0-g6pww",
    );
  });

  it("pairs the reply with nothing, and says so when it is the first difference", () => {
    expectComplete(rows, fine, broken);
    const reply = rows.filter((r) => r.pair === 1);
    expect(reply.length).toBe(fine.flows[1]!.steps.length);
    expect(reply.every((r) => r.flow === "reply" && r.left && !r.right && !r.same)).toBe(true);
    expect(firstDivergence(reply, ["forwarding on", "off"])).toEqual({ index: 0, text: "forwarding on: there is a reply, from busybox0-g6pww; off: no reply" });
  });
});

describe("naming other divergences, from the engine's what-if faults", () => {
  it("a different route: where each side sends the packet", () => {
    const [fine, broken] = faultPair("routeWrongWorker");
    const rows = alignTraces(fine, broken);
    const d = firstDivergence(rows, ["route right", "wrong"]);
    expect(d?.text).toBe("route right: vpc-router sends it via 10.240.0.21 out of eth0; wrong: sends it via 10.240.0.22 out of eth0");
    expect(rows[d!.index]!.left?.kind).toBe("route");
    expectComplete(rows, fine, broken);
  });

  it("a DNAT one side lacks: the destination becomes the pod's, or stays the node's; a rule that only moved up is not a difference", () => {
    const [fine, broken] = faultPair("kubeProxyStopped");
    const rows = alignTraces(fine, broken);
    expect(firstDivergence(rows, ["kube-proxy running", "stopped"])?.text).toBe("kube-proxy running: the destination becomes 10.200.1.18; stopped: it stays 10.240.0.20");
    // KUBE-SERVICES' jump to KUBE-NODEPORTS is rule 9 on one side and rule 7 on the other: the same match.
    const jump = rows.find((r) => r.left?.text.includes("jump to KUBE-NODEPORTS"))!;
    expect(jump.left!.text).not.toBe(jump.right!.text);
    expect(jump.same).toBe(true);
  });

  it("a DNAT to a stale endpoint: the destination stays the service's, or becomes the dead pod's", () => {
    const [fine, broken] = faultPair("staleEndpoint");
    expect(firstDivergence(alignTraces(fine, broken), ["no stale endpoint", "stale"])?.text).toBe("no stale endpoint: the destination stays 10.32.0.80; stale: it becomes 10.200.2.99");
  });

  it("a hop only one side has: its text, and no such hop", () => {
    const [fine, broken] = faultPair("bridgeNfOff");
    const rows = alignTraces(fine, broken);
    const d = firstDivergence(rows, ["bridge-nf on", "bridge-nf off"]);
    expect(d?.text).toBe("bridge-nf on: no such hop; bridge-nf off: worker-0 receives the packet on cnio0: 10.200.0.21.43002 > 10.32.0.10.53");
    expect(rows[d!.index]!.left).toBeUndefined();
  });

  it("when only rule matches and conntrack events differ, the first of them", () => {
    const a = trace(builtin("same-node"));
    const b = trace(setFault(builtin("same-node"), { kind: "bridge-nf-off", worker: "worker-0" }, true));
    const rows = alignTraces(a, b);
    // Everything that moves or changes the packet is the same.
    expect(rows.filter((r) => !r.same).every((r) => (r.left ?? r.right)!.kind === "rule" || (r.left ?? r.right)!.kind === "conntrack")).toBe(true);
    const d = firstDivergence(rows, ["bridge-nf on", "off"]);
    expect(d).toEqual({ index: rows.findIndex((r) => !r.same), text: "bridge-nf on: conntrack on worker-0 sees a new connection (state NEW); off: no such hop" });
  });
});

describe("naming packet fields", () => {
  it("a different source port from the start: the source port is X; Y", () => {
    const a = builtin("clusterip-dns-udp");
    const b = { ...a, traffic: a.traffic.map((t) => ({ ...t, sport: 53341 })) };
    const rows = alignTraces(trace(a), trace(b));
    expect(firstDivergence(rows, ["first", "second"])).toEqual({ index: 0, text: "first: the source port is 53340; second: 53341" });
  });

  it("two scenarios that differ from the first hop: the protocol, then the destination", () => {
    const ping = trace(builtin("pod-to-pod"));
    expect(firstDivergence(alignTraces(ping, trace(builtin("clusterip-dns-udp"))), ["ping", "dig"])).toEqual({ index: 0, text: "ping: the protocol is icmp; dig: udp" });
    expect(firstDivergence(alignTraces(ping, trace(builtin("same-node"))), ["across", "same node"])).toEqual({ index: 0, text: "across: the destination is 10.200.1.15; same node: 10.200.0.27" });
  });

  it("the TTL: becomes on the side that lowered it, stays on the other", () => {
    // The ping with one more router before the VPC's: from the router on, its TTL is one less.
    const a = trace(builtin("pod-to-pod"));
    const request = a.flows[0]!;
    const at = request.steps.findIndex((s) => s.node === "vpc-router");
    const lowered: Step[] = request.steps.map((s, i) => (i < at ? s : ({ ...s, packet: { ...s.packet, ttl: s.packet.ttl - 1 } } as Step)));
    const b: Trace = { ...a, flows: [{ ...request, steps: lowered }, ...a.flows.slice(1)] };
    const rows = alignTraces(a, b);
    expect(firstDivergence(rows, ["direct", "one more hop"])).toEqual({ index: at, text: "direct: the TTL stays 63; one more hop: it becomes 62" });
  });
});

describe("the diff", () => {
  /** The longest common subsequence's length, by the textbook table. */
  function lcs(a: readonly number[], b: readonly number[]): number {
    const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) t[i]![j] = a[i - 1] === b[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
    return t[a.length]![b.length]!;
  }

  it("matches a longest common subsequence, in order, only equal elements", () => {
    const seq = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 40 });
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const m = diffMatches(a, b)!;
        expect(m).toBeDefined();
        expect(m.length).toBe(lcs(a, b));
        m.forEach(([i, j], k) => {
          expect(a[i]).toBe(b[j]);
          if (k > 0) {
            expect(i).toBeGreaterThan(m[k - 1]![0]);
            expect(j).toBeGreaterThan(m[k - 1]![1]);
          }
        });
      }),
      { seed: 20240611, numRuns: 400 },
    );
  });

  it("gives up past its edit budget, and not before", () => {
    const a = Array.from({ length: 100 }, (_, i) => i);
    const b = Array.from({ length: 100 }, (_, i) => i + 1000);
    expect(diffMatches(a, b, 199)).toBeUndefined();
    expect(diffMatches(a, b, 200)).toEqual([]);
    expect(diffMatches([...a, 7], [7, ...a], 2)).toHaveLength(100);
  });
});

describe("long traces", () => {
  /** One flow of about n steps: the pod-to-pod ping's steps, again and again, on nodes named per round. */
  function longTrace(n: number, rename: (node: string, round: number) => string): Trace {
    const base = stepsOf(trace(builtin("pod-to-pod")));
    const steps: Step[] = [];
    for (let i = 0; steps.length < n; i++) for (const s of base) if (steps.length < n) steps.push({ ...s, node: rename(s.node, Math.floor(i / 10)) } as Step);
    return { scenario: "long", flows: [{ name: "request", verdict: "delivered", steps }] };
  }

  it("aligns 5,000 steps against 5,000 with a few missing, each missing one a gap", () => {
    const a = longTrace(5000, (n) => n);
    const missing = new Set([17, 1200, 1201, 2500, 4999]);
    const b: Trace = { ...a, flows: [{ ...a.flows[0]!, steps: a.flows[0]!.steps.filter((_, i) => !missing.has(i)) }] };
    const rows = alignTraces(a, b);
    expect(rows).toHaveLength(5000);
    expect(leftOnly(rows)).toHaveLength(missing.size);
    expect(rightOnly(rows)).toHaveLength(0);
    expect(rows.filter((r) => r.same)).toHaveLength(5000 - missing.size);
    expectComplete(rows, a, b);
  });

  it("falls back to position for flows that differ in more than MAX_EDITS steps, and still names where they part", () => {
    // Each round of ten pings on other nodes on each side: nothing lines up after the first.
    const a = longTrace(5000, (n, round) => (round === 0 ? n : `${n}-a${round}`));
    const b = longTrace(5000, (n, round) => (round === 0 ? n : `${n}-b${round}`));
    expect(5000 - 530 > MAX_EDITS).toBe(true);
    const rows = alignTraces(a, b);
    expect(rows).toHaveLength(5000);
    expect(rows.every((r) => r.left && r.right)).toBe(true);
    expectComplete(rows, a, b);
    const d = firstDivergence(rows, ["a", "b"]);
    expect(d?.index).toBe(530);
    expect(d?.text).toBe("a: busybox0-rw89s's routing table sends 10.200.1.15 via 10.200.0.1 out of eth0 (default route), on busybox0-rw89s on worker-0-a1; b: on busybox0-rw89s on worker-0-b1");
  });
});

describe("Compare across CNIs", () => {
  it("flannel's encap and decap steps are rows of its side only, and each side keeps all its steps in order", async () => {
    const { withCni } = await import("../store/editor");
    const bridge = builtin("today-pod-to-pod");
    const flannel = withCni(bridge, "flannel", { renumber: true });
    const [a, b] = [trace(bridge), trace(flannel)];
    const rows = alignTraces(a, b);
    expect(rows.filter((r) => r.left).map((r) => r.left)).toEqual(stepsOf(a));
    expect(rows.filter((r) => r.right).map((r) => r.right)).toEqual(stepsOf(b));
    const encaps = rows.filter((r) => r.right?.kind === "encap");
    expect(encaps).toHaveLength(4);
    expect(encaps.every((r) => r.left === undefined)).toBe(true);
    expect(firstDivergence(rows, ["bridge", "flannel"])).toBeDefined();
  });

  it("two encap steps match when the device, VNI, action and remote agree, not when the remote differs", () => {
    const steps = stepsOf(trace(builtin("flannel-pod-to-pod")));
    const encap = steps.find((s) => s.kind === "encap" && s.detail.action === "encap")!;
    expect(sameStep(encap, encap)).toBe(true);
    if (encap.kind !== "encap") throw new Error("not an encap step");
    const elsewhere = { ...encap, detail: { ...encap.detail, fdb: { mac: encap.detail.fdb!.mac, dst: "10.240.0.22" } } };
    expect(sameStep(encap, elsewhere)).toBe(false);
  });
});
