/**
 * The share link in the browser: the URL's hash follows the view, and a host page (slides, an
 * LMS) can drive an embedded Hopscope with postMessage. Nothing from a URL or a message is ever
 * executed or put into the page as HTML: it is decoded, validated and turned into store calls.
 */
import { useHopscope, type HopscopeState } from "../store/store";
import { afterPaint } from "../view/dom";
import { formatHash } from "./codec";
import { shareOffer } from "./offer";

/** The current view as a URL of this page: `#view=…&at=…`, with embed=1 for an iframe (and quiz=1 while the quiz is on). */
export function viewUrl(embed: boolean): string | undefined {
  const shared = useHopscope.getState().shareView();
  if (!shared) return undefined;
  const s0 = useHopscope.getState();
  return `${window.location.origin}${window.location.pathname}${formatHash({ view: shared.view, at: shared.at, embed, autoplay: false, hide: [], level: s0.level, quiz: s0.quizOn, lang: s0.lang })}`;
}

const bigDocuments = new WeakMap<object, boolean>();

/** Whether an edited scenario's document is big enough for its link part to take time to write (over 32 KB of JSON). */
function bigDocument(spec: unknown): boolean {
  if (typeof spec !== "object" || spec === null) return false;
  let big = bigDocuments.get(spec);
  if (big === undefined) bigDocuments.set(spec, (big = JSON.stringify(spec).length > 32 * 1024));
  return big;
}

/** Keeps location.hash in step with the store; returns the unsubscribe function. */
export function syncUrlWithStore(): () => void {
  let lastSource = useHopscope.getState().source;
  // Whether the view's link is too large, for the last view blob (it changes only with the scenario, panels or shell).
  let checked: { view: string; tooLarge: boolean } | undefined;
  // A write waiting for the page to be drawn, and whether a restored view is among what it writes.
  let waiting: { cancel: () => void; restored: boolean } | undefined;
  const write = (s: HopscopeState, restored: boolean) => {
    const shared = s.shareView();
    if (!shared || !s.source) return;
    // A view too large for a link is not written into the address bar (it would not open again);
    // the share buttons offer its scenario as a file instead.
    if (checked?.view !== shared.view) checked = { view: shared.view, tooLarge: shareOffer(s.source, shared.view).kind !== "link" };
    const tooLarge = checked.tooLarge;
    const hash = tooLarge ? "" : formatHash({ view: shared.view, at: shared.at, embed: s.embed.on, autoplay: s.embed.autoplay, hide: s.embed.hide, level: s.level, quiz: s.quizOn, lang: s.lang });
    const newScenario = !restored && lastSource !== undefined && s.source !== lastSource;
    lastSource = s.source;
    if (hash === window.location.hash) return;
    const url = hash || window.location.pathname + window.location.search;
    if (newScenario) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  };
  const unsubscribe = useHopscope.subscribe((s, prev) => {
    // While a view is restored from the URL (first load, back, forward) the URL is left alone;
    // once it is in, the URL is rewritten in place (a bad link becomes the default view's).
    if (s.restoring) return;
    const restored = prev.restoring;
    if (s.status.kind !== "ready") return;
    if (!restored && s.source === prev.source && s.cursor === prev.cursor && s.panels === prev.panels && s.shellLines === prev.shellLines && s.level === prev.level && s.quizOn === prev.quizOn && s.lang === prev.lang) return;
    if (waiting) {
      waiting.restored ||= restored;
      return;
    }
    // A big edited scenario's link part takes a third of a second to write (1,000 services), and
    // its URL (tens of KB) a few milliseconds to set at each step: after the page is drawn, the
    // steps of a frame at once. Anything else is written at once.
    if (s.source && "spec" in s.source && bigDocument(s.source.spec)) {
      const w: { restored: boolean; cancel: () => void } = { restored, cancel: () => undefined };
      w.cancel = afterPaint(() => {
        waiting = undefined;
        const now = useHopscope.getState();
        if (now.status.kind === "ready" && !now.restoring) write(now, w.restored);
      });
      waiting = w;
      return;
    }
    write(s, restored);
  });
  return () => {
    waiting?.cancel();
    unsubscribe();
  };
}

/** Messages a host page may send an embedded Hopscope. */
export type HostMessage =
  | { readonly type: "hopscope:play" }
  | { readonly type: "hopscope:pause" }
  | { readonly type: "hopscope:step"; readonly delta?: number }
  | { readonly type: "hopscope:goto"; readonly step: number }
  | { readonly type: "hopscope:quiz"; readonly on: boolean }
  | { readonly type: "hopscope:quiz-answer"; readonly choice: number };

function isHostMessage(d: unknown): d is HostMessage {
  if (typeof d !== "object" || d === null) return false;
  const m = d as { type?: unknown; delta?: unknown; step?: unknown; on?: unknown; choice?: unknown };
  switch (m.type) {
    case "hopscope:play":
    case "hopscope:pause":
      return true;
    case "hopscope:step":
      return m.delta === undefined || (typeof m.delta === "number" && Number.isInteger(m.delta));
    case "hopscope:goto":
      return typeof m.step === "number" && Number.isInteger(m.step);
    case "hopscope:quiz":
      return typeof m.on === "boolean";
    case "hopscope:quiz-answer":
      return typeof m.choice === "number" && Number.isInteger(m.choice) && m.choice >= 0;
    default:
      return false;
  }
}

/**
 * The host page's origin, where it is known: Chromium and Safari list the embedding page's
 * origin in location.ancestorOrigins; otherwise the referrer names it (by default a cross-origin
 * iframe is sent the embedding page's origin). Unknown: undefined.
 */
function knownHostOrigin(): string | undefined {
  const ancestors = (window.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  // An opaque origin ("null": a file:// or sandboxed page) cannot be posted to by name.
  const named = (o: string | undefined) => (o && o !== "null" ? o : undefined);
  if (ancestors && ancestors.length > 0) return named(ancestors[0]);
  try {
    if (document.referrer) return named(new URL(document.referrer).origin);
  } catch {
    // An unreadable referrer tells nothing.
  }
  return undefined;
}

/**
 * In embed mode only: listens for the host page's messages (from the parent window, nowhere
 * else) and tells the host which step is showing: { type: "hopscope:step-shown", step (0-based),
 * total, text }; with the quiz on, each question as it comes up ({ type: "hopscope:quiz-question",
 * step, kind, question, context, choices }) and each answer's result, given in the embed or by the
 * host ({ type: "hopscope:quiz-result", step, correct, answer, score, answered, total }); posted
 * to the host's origin when it is known (else to the origin the host's last message came from;
 * "*" only before either is known, for a step's public text).
 */
export function listenToHost(): () => void {
  if (window.parent === window) return () => undefined;
  let origin = knownHostOrigin();
  const onMessage = (ev: MessageEvent) => {
    if (ev.source !== window.parent || !isHostMessage(ev.data)) return;
    origin = knownHostOrigin() ?? (ev.origin !== "null" ? ev.origin : undefined);
    const st = useHopscope.getState();
    const m = ev.data;
    switch (m.type) {
      case "hopscope:play":
        if (!st.playing) st.togglePlay();
        break;
      case "hopscope:pause":
        if (st.playing) st.togglePlay();
        break;
      case "hopscope:step":
        st.move(m.delta ?? 1);
        break;
      case "hopscope:goto":
        st.setCursor(m.step);
        break;
      case "hopscope:quiz":
        st.setQuiz(m.on);
        break;
      case "hopscope:quiz-answer":
        // The result is posted below, as for an answer given in the embed itself.
        st.answerQuiz(m.choice);
        break;
    }
  };
  const post = (message: object) => window.parent.postMessage(message, origin ?? "*");
  window.addEventListener("message", onMessage);
  // The question last posted, so each is posted once when it comes up.
  let asked: string | undefined;
  const unsubscribe = useHopscope.subscribe((s, prev) => {
    if (s.status.kind !== "ready") return;
    if (s.cursor !== prev.cursor || s.steps !== prev.steps) {
      const step = s.steps[s.cursor];
      post({ type: "hopscope:step-shown", step: s.cursor, total: s.steps.length, text: step?.step.text ?? "" });
    }
    // A question now on screen and not yet answered: the host may show it and answer it.
    const q = s.questionAt(s.cursor);
    const open = q && s.answerOf(q) === undefined ? q : undefined;
    if (open && open.key !== asked) post({ type: "hopscope:quiz-question", step: open.at, kind: open.kind, question: open.prompt, context: open.context, choices: open.choices });
    asked = open?.key;
    // An answer just given (here or by the host): its result and the score.
    if (s.quizAnswers !== prev.quizAnswers && q && s.answerOf(q) !== undefined && (prev.quizFor !== s.quizFor || prev.quizAnswers[q.key] === undefined)) {
      const score = s.quizScore();
      post({ type: "hopscope:quiz-result", step: q.at, correct: s.answerOf(q) === q.answer, answer: q.answer, score: score.right, answered: score.answered, total: score.total });
    }
  });
  return () => {
    window.removeEventListener("message", onMessage);
    unsubscribe();
  };
}
