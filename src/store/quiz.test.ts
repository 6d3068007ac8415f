import { describe, expect, it, vi } from "vitest";
import { fakeEngine } from "./fake-engine";
import { describeTopology } from "../engine/k8s/topology";
import { runScenario } from "../engine/k8s/run";
import { printChain } from "../engine/nftables/print";
import { builtinScenario } from "../engine/scenarios/article";
import { flatten } from "./playback";
import { panelTable, quizQuestions, type Question } from "./quiz";
import { createHopscope, type FlatStep } from "./store";

async function loaded(id: string) {
  const store = createHopscope(fakeEngine().connect);
  // Every step, so that "the step after the question" is the trace's next one.
  store.setState({ level: "rules" });
  expect(await store.getState().load(id)).toBe("ready");
  return store;
}

/** What the reveal step shows, as the question's right choice should say it. */
function revealed(q: Question, steps: readonly FlatStep[]): string | undefined {
  const s = steps[q.reveal]!;
  const d = s.step.detail;
  if (q.kind === "next") return s.step.node;
  if (q.kind === "source") return d.kind === "nat" ? d.after.src : undefined;
  if (q.kind === "destination") return d.kind === "nat" ? d.after.dst : undefined;
  return d.kind === "rule" ? d.rule : undefined;
}

describe("the quiz's questions", () => {
  it.each(["pod-to-pod", "nodeport", "clusterip-dns-udp", "node-to-pod"])("%s: each question's right choice is what the next step shows, among distinct wrong ones", async (id) => {
    const store = await loaded(id);
    const { steps, topology } = store.getState();
    const qs = quizQuestions(steps, topology);
    expect(qs.length).toBeGreaterThanOrEqual(2);
    for (const q of qs) {
      expect(q.reveal).toBeGreaterThan(q.at);
      expect(steps[q.reveal]!.flow).toBe(steps[q.at]!.flow);
      expect(q.choices[q.answer], `${id} ${q.kind} at ${q.at}`).toBe(revealed(q, steps));
      expect(q.choices.length).toBeGreaterThanOrEqual(2);
      expect(q.choices.length).toBeLessThanOrEqual(4);
      expect(new Set(q.choices).size).toBe(q.choices.length);
      expect(q.key).toBe(`${steps[q.at]!.flow}.${steps[q.at]!.index}`);
    }
    expect([...qs].sort((a, b) => a.at - b.at)).toEqual(qs);
  });

  it("pod-to-pod asks where the masqueraded ping's source goes, and where the packet goes as it leaves worker-0", async () => {
    const store = await loaded("pod-to-pod");
    const { steps, topology } = store.getState();
    const qs = quizQuestions(steps, topology);
    const source = qs.find((q) => q.kind === "source")!;
    expect(source.choices[source.answer]).toBe("10.240.0.20");
    // The address before the MASQUERADE is the tempting wrong answer.
    expect(source.choices).toContain("10.200.0.21");
    const next = qs.find((q) => q.kind === "next" && steps[q.at]!.flow === 0)!;
    expect(steps[next.at]!.step.node).toBe("worker-0");
    expect(next.choices[next.answer]).toBe("vpc-router");
    expect(next.choices).toContain("worker-1");
  });

  it("NodePort asks which KUBE-SERVICES rule matches, its choices that chain's rules on worker-0 once they are fetched", async () => {
    const store = await loaded("nodeport");
    store.getState().setQuiz(true);
    const before = store.getState().quizQuestions().find((q) => q.kind === "rule")!;
    expect(before.choices[before.answer]).toMatch(/^-A KUBE-SERVICES .* -j KUBE-NODEPORTS$/);
    // Asking for the questions fetched that chain's rules on worker-0; then the choices are KUBE-SERVICES' own rules.
    await vi.waitFor(() => expect(store.getState().chainRules["worker-0 nat KUBE-SERVICES"]).toBeDefined());
    const rule = store.getState().quizQuestions().find((q) => q.kind === "rule")!;
    expect(rule.key).toBe(before.key);
    expect(rule.choices.length).toBe(4);
    for (const c of rule.choices) expect(c).toMatch(/^-A KUBE-SERVICES /);
    expect(rule.choices[rule.answer]).toMatch(/-j KUBE-NODEPORTS$/);
  });
});

describe("the quiz in the store", () => {
  it("is off by default: stepping is not stopped and no question is asked", async () => {
    const store = await loaded("pod-to-pod");
    const s = store.getState();
    expect(s.quizOn).toBe(false);
    s.setCursor(Number.MAX_SAFE_INTEGER);
    expect(store.getState().cursor).toBe(s.steps.length - 1);
    expect(s.quizQuestions().some((q) => s.questionAt(q.at) !== undefined)).toBe(false);
  });

  it("stops stepping forward at an unanswered question until it is answered, and scores the answers", async () => {
    const store = await loaded("pod-to-pod");
    store.getState().setQuiz(true);
    const qs = store.getState().quizQuestions();
    expect(qs.length).toBeGreaterThanOrEqual(3);
    const [first, second] = qs as [Question, Question];
    // Step by step from the start: the cursor stops on the first question and stays there.
    for (let i = 0; i < first.at + 5; i++) store.getState().move(1);
    expect(store.getState().cursor).toBe(first.at);
    expect(store.getState().questionAt(first.at)).toEqual(first);
    // A jump (the End key, the timeline, the host's goto) stops there too.
    store.getState().setCursor(Number.MAX_SAFE_INTEGER);
    expect(store.getState().cursor).toBe(first.at);
    // Playing stops at it.
    store.setState({ playing: true });
    store.getState().move(1);
    expect(store.getState().playing).toBe(false);
    // Answered right: the way is open until the next question.
    const r1 = store.getState().answerQuiz(first.answer)!;
    expect(r1.correct).toBe(true);
    expect(r1.score).toEqual({ right: 1, answered: 1, total: qs.length });
    // A second answer to the same question is refused.
    expect(store.getState().answerQuiz((first.answer + 1) % first.choices.length)).toBeUndefined();
    store.getState().move(1);
    expect(store.getState().cursor).toBe(first.at + 1);
    store.getState().setCursor(Number.MAX_SAFE_INTEGER);
    expect(store.getState().cursor).toBe(second.at);
    // Answered wrong: counted, not right.
    const wrong = (second.answer + 1) % second.choices.length;
    const r2 = store.getState().answerQuiz(wrong)!;
    expect(r2.correct).toBe(false);
    expect(store.getState().answerOf(second)).toBe(wrong);
    expect(store.getState().quizScore()).toEqual({ right: 1, answered: 2, total: qs.length });
    // An out-of-range or fractional choice is refused.
    store.getState().setCursor(Number.MAX_SAFE_INTEGER);
    expect(store.getState().answerQuiz(99)).toBeUndefined();
    expect(store.getState().answerQuiz(0.5)).toBeUndefined();
    // Going back is never stopped.
    store.getState().setCursor(0);
    expect(store.getState().cursor).toBe(0);
  });

  it("starts over with another scenario, and turning it off lets the reader step freely", async () => {
    const store = await loaded("pod-to-pod");
    store.getState().setQuiz(true);
    const first = store.getState().quizQuestions()[0]!;
    store.getState().setCursor(first.at);
    store.getState().answerQuiz(first.answer);
    expect(store.getState().quizScore().answered).toBe(1);
    await store.getState().load("nodeport");
    expect(store.getState().quizScore()).toMatchObject({ right: 0, answered: 0 });
    store.getState().setCursor(Number.MAX_SAFE_INTEGER);
    expect(store.getState().cursor).toBe(store.getState().quizQuestions()[0]!.at);
    store.getState().setQuiz(false);
    store.getState().setCursor(Number.MAX_SAFE_INTEGER);
    expect(store.getState().cursor).toBe(store.getState().steps.length - 1);
  });
});


describe("the quiz's choice of steps", () => {
  it("does not ask again what an earlier flow asked: NodePort's third packet takes the first one's path", async () => {
    const store = await loaded("nodeport");
    const { steps, topology } = store.getState();
    expect(new Set(steps.map((s) => s.flow)).size).toBeGreaterThanOrEqual(3);
    const qs = quizQuestions(steps, topology);
    const asked = qs.map((q) => `${q.kind}|${steps[q.at]!.step.node}|${q.choices[q.answer]!}`);
    expect(new Set(asked).size).toBe(asked.length);
    expect(qs.every((q) => steps[q.at]!.flow < 2)).toBe(true);
  });
});

describe("a rule question's wrong answers", () => {
  it("leave out the chain's other rules this packet also matches: from a node, KUBE-MARK-MASQ and then KUBE-SVC match", async () => {
    const store = await loaded("pod-to-pod");
    const r = await store.getState().execLine("worker-0", "dig @10.32.0.10 kubernetes.default.svc.cluster.local");
    expect(r.flows).toBeGreaterThan(0);
    await store.getState().fetchChainRules("worker-0", "nat", "KUBE-SERVICES");
    const { steps, topology, chainRules } = store.getState();
    const flow = steps.find((s) => s.origin !== undefined && s.flow > 1)!.flow;
    const matched = steps.filter((s) => s.flow === flow && s.step.node === "worker-0" && s.step.detail.kind === "rule" && s.step.detail.chain === "KUBE-SERVICES").map((s) => (s.step.detail.kind === "rule" ? s.step.detail.rule : ""));
    expect(matched.length).toBe(2);
    expect(matched[0]).toMatch(/-j KUBE-MARK-MASQ$/);
    const q = quizQuestions(steps, topology, (n, t, c) => chainRules[`${n} ${t} ${c}`]).find((x) => x.kind === "rule" && steps[x.at]!.flow === flow)!;
    expect(q.choices[q.answer]).toBe(matched[0]);
    expect(q.choices).not.toContain(matched[1]);
    expect(q.choices.length).toBe(4);
  });
});

describe("the quiz in Russian", () => {
  it("asks the same questions with the same choices, worded in Russian; the store asks in the page's language", async () => {
    const store = await loaded("nodeport");
    const { steps, topology } = store.getState();
    const en = quizQuestions(steps, topology);
    const ru = quizQuestions(steps, topology, undefined, "ru");
    const bare = (q: Question) => ({ key: q.key, at: q.at, reveal: q.reveal, kind: q.kind, choices: q.choices, answer: q.answer });
    expect(ru.map(bare)).toEqual(en.map(bare));
    for (const [i, q] of ru.entries()) {
      expect(q.prompt).toMatch(/[А-Яа-я]/);
      expect(q.prompt).not.toBe(en[i]!.prompt);
      expect(q.context).toMatch(/^(На |Пакет \()/);
    }
    const rule = ru.find((q) => q.kind === "rule")!;
    expect(rule.prompt).toBe("Какое правило сработает?");
    expect(rule.context).toMatch(/входит в цепочку KUBE-SERVICES таблицы nat на хуке PREROUTING\.$/);
    expect(store.getState().quizQuestions()[0]!.prompt).toBe(en[0]!.prompt);
    store.setState({ lang: "ru" });
    expect(store.getState().quizQuestions()[0]!.prompt).toBe(ru[0]!.prompt);
  });
});

describe("the quiz on kube-proxy in nftables mode", () => {
  const spec = structuredClone(builtinScenario("today-nodeport")) as { cluster: Record<string, unknown> };
  spec.cluster.kubeProxy = { mode: "nftables", version: "latest" };
  const r = runScenario(spec);
  if (!r.ok) throw new Error("scenario failed");
  const steps = flatten(r.trace);
  const topology = describeTopology(r.cluster);
  /** The chain's rules as the node panel lists them (nft -s). */
  const chainOf = (node: string, table: string, chain: string) => {
    if (table !== "ip kube-proxy") return undefined;
    const t = r.cluster.world.get(node).nft.tables.find((x) => x.name === "kube-proxy")!;
    const c = t.chains.get(chain)!;
    const lines = printChain(t, c, { stateless: true });
    return lines.slice(lines.length - 1 - c.rules.length, -1).map((l) => l.slice(2));
  };

  it("asks which rule of the nft table's services chain matches, worded for nftables, its choices that chain's rules", () => {
    const qs = quizQuestions(steps, topology, chainOf);
    const rules = qs.filter((q) => q.kind === "rule");
    expect(rules.length).toBeGreaterThan(0);
    for (const q of rules) {
      const d = steps[q.reveal]!.step.detail;
      expect(d.kind === "rule" && d.family).toBe("ip");
      if (d.kind !== "rule") continue;
      expect(d.chain).toBe("services");
      expect(q.context).toMatch(/enters chain services of the nftables table ip kube-proxy at the prerouting hook\.$/);
      expect(q.choices[q.answer]).toBe(d.rule.replace(/counter packets \d+ bytes \d+/g, "counter"));
      const known = chainOf(steps[q.reveal]!.step.node, "ip kube-proxy", "services")!;
      for (const c of q.choices) expect(known).toContain(c);
    }
    // Nothing assumes iptables: no iptables chain or table wording.
    for (const q of qs) expect(q.context).not.toMatch(/KUBE-|table's/);
    const ru = quizQuestions(steps, topology, chainOf, "ru").find((q) => q.kind === "rule")!;
    expect(ru.context).toMatch(/таблицы nftables ip kube-proxy на хуке prerouting\.$/);
  });

  it("without the chain's rules fetched, asks among the rules the trace shows in that nft table only", () => {
    for (const q of quizQuestions(steps, topology).filter((x) => x.kind === "rule")) {
      for (const c of q.choices) expect(c.startsWith("-A ")).toBe(false);
    }
    expect(panelTable({ kind: "rule", table: "kube-proxy", family: "ip", chain: "services", hook: "PREROUTING", index: 1, rule: "", target: "none", counters: { pkts: 0, bytes: 0 } })).toBe("ip kube-proxy");
  });
});
