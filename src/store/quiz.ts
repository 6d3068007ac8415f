/**
 * The quiz: predict, then reveal. At steps chosen from the trace (before a NAT rewrites an
 * address, before the packet leaves a machine, before kube-proxy's KUBE-SERVICES chain picks a
 * rule) the learner answers a multiple-choice question; while the quiz is on, stepping forward
 * past an unanswered question stops on it (the question is the step). The choices come from the
 * scenario itself: the packet's addresses and the cluster's other ones, the other machines, the
 * other rules of the chain on that node.
 */
import type { StateCreator } from "zustand";
import type { Topology } from "../engine/k8s/topology";
import type { Lang } from "../i18n/lang";
import type { FlatStep } from "./playback";
import type { Source } from "./scenario";
import type { HopscopeState } from "./store";

export type QuestionKind = "next" | "source" | "destination" | "rule";

export interface Question {
  /** `<flow>.<step>` of the step it is asked at: stable when shell lines add flows. */
  readonly key: string;
  /** The step it is asked at, an index into the store's steps. */
  readonly at: number;
  /** The step that shows the answer. */
  readonly reveal: number;
  readonly kind: QuestionKind;
  readonly prompt: string;
  /** Where the packet is, in a sentence. */
  readonly context: string;
  readonly choices: readonly string[];
  /** The index of the right choice. */
  readonly answer: number;
}

export const PROMPTS: Readonly<Record<QuestionKind, string>> = {
  next: "Where does the packet go next?",
  source: "What is the source address after this hop?",
  destination: "What is the destination address after this hop?",
  rule: "Which rule matches?",
};

/** The questions' words in each language (the store asks in the page's language). */
const WORDS: Readonly<
  Record<
    Lang,
    {
      readonly prompts: Readonly<Record<QuestionKind, string>>;
      readonly at: (node: string, packet: string) => string;
      readonly enters: (p: { node: string; packet: string; table: string; chain: string; hook: string }) => string;
      readonly entersNft: (p: { node: string; packet: string; table: string; chain: string; hook: string }) => string;
      readonly leaving: (packet: string, node: string) => string;
    }
  >
> = {
  en: {
    prompts: PROMPTS,
    at: (node, packet) => `On ${node}: ${packet}.`,
    enters: (p) => `On ${p.node}, the packet (${p.packet}) enters the ${p.table} table's ${p.chain} chain at ${p.hook}.`,
    entersNft: (p) => `On ${p.node}, the packet (${p.packet}) enters chain ${p.chain} of the nftables table ${p.table} at the ${p.hook} hook.`,
    leaving: (packet, node) => `The packet (${packet}) is leaving ${node}.`,
  },
  ru: {
    prompts: {
      next: "Куда пакет пойдёт дальше?",
      source: "Какой будет адрес источника после этого хопа?",
      destination: "Какой будет адрес назначения после этого хопа?",
      rule: "Какое правило сработает?",
    },
    at: (node, packet) => `На ${node}: ${packet}.`,
    enters: (p) => `На ${p.node} пакет (${p.packet}) входит в цепочку ${p.chain} таблицы ${p.table} на хуке ${p.hook}.`,
    entersNft: (p) => `На ${p.node} пакет (${p.packet}) входит в цепочку ${p.chain} таблицы nftables ${p.table} на хуке ${p.hook}.`,
    leaving: (packet, node) => `Пакет (${packet}) покидает ${node}.`,
  },
};

type RuleDetail = Extract<FlatStep["step"]["detail"], { kind: "rule" }>;

/** A rule step's table as the node panel's outline names it: an nft table with its family ("ip kube-proxy"). */
export function panelTable(d: RuleDetail): string {
  return d.family !== undefined ? `${d.family} ${d.table}` : d.table;
}

/**
 * The chain whose matching rule the quiz asks for: kube-proxy's service dispatch, KUBE-SERVICES in
 * iptables mode, the `services` chain of its nft table in nftables mode (where the answer is
 * one of its verdict-map rules, as nft lists them).
 */
function isServicesChain(d: RuleDetail): boolean {
  return d.family === undefined ? d.chain === "KUBE-SERVICES" : d.table === "kube-proxy" && d.chain === "services";
}

/** A rule's text as a choice: an nft rule without its counter's values (they change as packets pass; the panel lists nft -s). */
function ruleChoice(d: RuleDetail, text: string): string {
  return d.family !== undefined ? text.replace(/\bcounter packets \d+ bytes \d+/g, "counter") : text;
}

/** At most this many choices per question (the right one and up to three others). */
const MAX_CHOICES = 4;

/** A small stable hash, to place the right answer among the choices the same way every time. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function choicesWith(key: string, answer: string, others: readonly string[]): { choices: string[]; answer: number } | undefined {
  const distinct = [...new Set(others.filter((o) => o !== answer))].slice(0, MAX_CHOICES - 1);
  if (distinct.length === 0) return undefined;
  const at = hash(key) % (distinct.length + 1);
  const choices = [...distinct.slice(0, at), answer, ...distinct.slice(at)];
  return { choices, answer: at };
}

const place = (s: FlatStep) => s.step.pod ?? s.step.node;

function packetText(s: FlatStep): string {
  const p = s.step.packet;
  const port = (a: string, n?: number) => (n === undefined ? a : `${a}:${n}`);
  return `${p.proto.toUpperCase()} ${port(p.src, p.sport)} → ${port(p.dst, p.dport)}`;
}

/**
 * The questions for a trace, in step order: per flow, the first source rewrite (else the first
 * destination rewrite), the first rule kube-proxy's KUBE-SERVICES chain (in nftables mode its
 * nft table's services chain) matches, and the first
 * time the packet leaves a worker for another machine (else the first time it leaves any); a
 * question a flow before asked (same kind, place and answer) is not asked again. Rule
 * choices are the other rules of that chain on that node when `chainOf` knows them, else the
 * other rules the trace shows there.
 */
export function quizQuestions(
  steps: readonly FlatStep[],
  topology: Topology | undefined,
  chainOf: (node: string, table: string, chain: string) => readonly string[] | undefined = () => undefined,
  lang: Lang = "en",
): Question[] {
  const w = WORDS[lang];
  const out: Question[] = [];
  const addresses = topology ? [...topology.nodes.map((n) => n.ip), ...topology.pods.map((p) => p.ip), ...topology.services.map((s) => s.clusterIP)] : [];
  const machines = topology ? topology.nodes.filter((n) => n.kind !== "controller").map((n) => n.id) : [];
  const kindOf = (node: string) => topology?.nodes.find((n) => n.id === node)?.kind;
  // A question asked before (the same kind, at the same place, with the same answer: a TCP
  // handshake's third packet repeats the first's path) is not asked again.
  const seenQuestions = new Set<string>();
  let start = 0;
  while (start < steps.length) {
    const flow = steps[start]!.flow;
    let end = start;
    while (end < steps.length && steps[end]!.flow === flow) end++;
    const taken = new Set<number>();
    const add = (q: Question | undefined) => {
      if (!q || taken.has(q.at)) return;
      const same = `${q.kind}|${steps[q.at]!.step.node}|${q.choices[q.answer]!}`;
      if (seenQuestions.has(same)) return;
      seenQuestions.add(same);
      taken.add(q.at);
      out.push(q);
    };
    const keyOf = (i: number) => `${steps[i]!.flow}.${steps[i]!.index}`;

    // An address a NAT rewrites.
    const nats = [];
    for (let i = start + 1; i < end; i++) {
      const d = steps[i]!.step.detail;
      if (d.kind === "nat") nats.push({ i, d });
    }
    const src = nats.find((n) => n.d.changed.includes("src"));
    const dst = nats.find((n) => n.d.changed.includes("dst"));
    const nat = src ?? dst;
    if (nat) {
      const field = nat === src ? "src" : "dst";
      const at = nat.i - 1;
      const key = keyOf(at);
      const right = nat.d.after[field];
      const other = field === "src" ? nat.d.before.dst : nat.d.before.src;
      const c = choicesWith(key, right, [nat.d.before[field], other, ...addresses.filter((a) => a !== right).sort((a, b) => hash(key + a) - hash(key + b))]);
      if (c) add({ key, at, reveal: nat.i, kind: field === "src" ? "source" : "destination", prompt: w.prompts[field === "src" ? "source" : "destination"], context: w.at(steps[at]!.step.node, packetText(steps[at]!)), ...c });
    }

    // The rule kube-proxy's service chain (KUBE-SERVICES, or nft's services) matches.
    for (let i = start + 1; i < end; i++) {
      const s = steps[i]!;
      const d = s.step.detail;
      if (d.kind !== "rule" || !isServicesChain(d)) continue;
      const at = i - 1;
      const key = keyOf(at);
      const table = panelTable(d);
      const known = chainOf(s.step.node, table, d.chain);
      const seen: string[] = [];
      const answer = ruleChoice(d, d.rule);
      // Rules of the chain that match this packet too (a KUBE-MARK-MASQ before the KUBE-SVC one) are not wrong answers.
      const alsoMatch = new Set<string>();
      for (let j = start; j < end; j++) {
        const o = steps[j]!.step.detail;
        if (o.kind !== "rule" || steps[j]!.step.node !== s.step.node || panelTable(o) !== table) continue;
        const text = ruleChoice(o, o.rule);
        seen.push(text);
        if (o.chain === d.chain && text !== answer) alsoMatch.add(text);
      }
      const c = choicesWith(key, answer, (known && known.length > 1 ? known : seen).filter((r) => !alsoMatch.has(r)));
      const where = { node: s.step.node, packet: packetText(s), table, chain: d.chain };
      if (c) add({ key, at, reveal: i, kind: "rule", prompt: w.prompts.rule, context: d.family !== undefined ? w.entersNft({ ...where, hook: d.hook.toLowerCase() }) : w.enters({ ...where, hook: d.hook }), ...c });
      break;
    }

    // Where the packet goes when it leaves a machine.
    const leaves: number[] = [];
    for (let i = start; i + 1 < end; i++) if (steps[i]!.step.node !== steps[i + 1]!.step.node) leaves.push(i);
    const from = leaves.find((i) => kindOf(steps[i]!.step.node) === "worker") ?? leaves[0];
    if (from !== undefined) {
      const key = keyOf(from);
      const here = steps[from]!.step.node;
      const right = steps[from + 1]!.step.node;
      const last = steps[end - 1]!;
      // The flow's end (where many expect the packet to go straight to), then the other machines.
      const c = choicesWith(key, right, [last.step.node, place(last), ...machines.filter((m) => m !== here).sort((a, b) => hash(key + a) - hash(key + b))]);
      if (c) add({ key, at: from, reveal: from + 1, kind: "next", prompt: w.prompts.next, context: w.leaving(packetText(steps[from]!), here), ...c });
    }
    start = end;
  }
  return out.sort((a, b) => a.at - b.at);
}

export interface QuizScore {
  readonly right: number;
  readonly answered: number;
  readonly total: number;
}

export interface QuizSlice {
  /** Whether the quiz is on: questions are asked, and stepping past one waits for its answer. */
  readonly quizOn: boolean;
  /** The learner's answers (choice indices) by question key, for the scenario `quizFor`. */
  readonly quizAnswers: Readonly<Record<string, number>>;
  readonly quizFor?: Source;
  setQuiz(on: boolean): void;
  /** The questions for the trace on screen (computed once per trace, topology and rules). */
  quizQuestions(): readonly Question[];
  /** The question asked at step i, when the quiz is on. */
  questionAt(i: number): Question | undefined;
  /** The learner's answer to a question, if given (for the scenario on screen). */
  answerOf(q: Question): number | undefined;
  /** Answers the question at the cursor; undefined when there is none or it was answered. */
  answerQuiz(choice: number): { readonly correct: boolean; readonly question: Question; readonly score: QuizScore } | undefined;
  quizScore(): QuizScore;
  /** Where a forward move from `from` to `to` may go: the first unanswered question on the way stops it. */
  quizGate(from: number, to: number): number;
}

export const quizSlice: StateCreator<HopscopeState, [], [], QuizSlice> = (set, get) => {
  let cache: { steps: readonly FlatStep[]; topology?: Topology; chainRules: HopscopeState["chainRules"]; lang: Lang; questions: Question[] } | undefined;
  // The chains whose rules were asked for, per trace: a rule question's choices are that chain's rules.
  let asked: { steps: readonly FlatStep[]; chains: Set<string> } | undefined;
  const answers = () => {
    const { quizAnswers, quizFor, source } = get();
    return quizFor !== undefined && quizFor === source ? quizAnswers : {};
  };
  return {
    quizOn: false,
    quizAnswers: {},
    setQuiz(on) {
      set({ quizOn: on, ...(on && { playing: false }) });
    },
    quizQuestions() {
      const { steps, topology, chainRules, lang } = get();
      if (cache && cache.steps === steps && cache.topology === topology && cache.chainRules === chainRules && cache.lang === lang) return cache.questions;
      const questions = quizQuestions(steps, topology, (node, table, chain) => chainRules[`${node} ${table} ${chain}`], lang);
      cache = { steps, chainRules, lang, questions, ...(topology && { topology }) };
      if (get().status.kind === "ready") {
        if (asked?.steps !== steps) asked = { steps, chains: new Set() };
        for (const q of questions) {
          const s = q.kind === "rule" ? steps[q.reveal]?.step : undefined;
          if (s?.detail.kind !== "rule") continue;
          const table = panelTable(s.detail);
          const key = `${s.node} ${table} ${s.detail.chain}`;
          if (!chainRules[key] && !asked.chains.has(key)) {
            asked.chains.add(key);
            void get().fetchChainRules(s.node, table, s.detail.chain);
          }
        }
      }
      return questions;
    },
    questionAt(i) {
      if (!get().quizOn) return undefined;
      return get().quizQuestions().find((q) => q.at === i);
    },
    answerOf(q) {
      return answers()[q.key];
    },
    answerQuiz(choice) {
      const st = get();
      const q = st.questionAt(st.cursor);
      if (!q || st.answerOf(q) !== undefined || !Number.isInteger(choice) || choice < 0 || choice >= q.choices.length) return undefined;
      set({ quizAnswers: { ...answers(), [q.key]: choice }, quizFor: st.source });
      return { correct: choice === q.answer, question: q, score: get().quizScore() };
    },
    quizScore() {
      const a = answers();
      const qs = get().quizQuestions();
      let right = 0;
      let answered = 0;
      for (const q of qs) {
        const c = a[q.key];
        if (c === undefined) continue;
        answered++;
        if (c === q.answer) right++;
      }
      return { right, answered, total: qs.length };
    },
    quizGate(from, to) {
      if (!get().quizOn || to <= from) return to;
      const a = answers();
      const q = get()
        .quizQuestions()
        .find((x) => x.at >= from && x.at < to && a[x.key] === undefined);
      return q ? Math.max(from, q.at) : to;
    },
  };
};
