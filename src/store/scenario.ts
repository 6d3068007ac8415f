/**
 * The scenario slice: the scenario on screen (where it came from, its trace, topology, nodes and
 * the rules fetched for them), loading one, restoring the view a URL names, and that view as a
 * share link's parts. A failed engine is reloaded from here.
 */
import type { StateCreator } from "zustand";
import type { Topology } from "../engine/k8s/topology";
import type { Trace } from "../engine/trace";
import type { Lang } from "../i18n/lang";
import { firstShownFrom } from "./levels";
import { MAX_SHARE_CHARS, encodeView, linkVersion, parseHash, type HashParams, type Position, type ShareState, type ShellLine } from "../share/codec";
import type { EngineRequester } from "../worker/client";
import { MAX_RULE_TEXTS, type ScenarioSummary } from "../worker/protocol";
import { nodeRules, type NodeRules } from "./rules";
import { flatten } from "./playback";
import { replayLines } from "./shell";
import { NOTICES } from "./notices";
import type { HopscopeState } from "./store";
import type { Panels } from "./view";

export type Source = ShareState["scenario"];

/**
 * Loading's own timings as User Timing entries, for the browser's performance panel and the e2e
 * timings: "hopscope: run answered" (asked until the worker's answer arrived, cloned) and
 * "hopscope: run stored" (the trace flattened and set in the store; React renders after).
 * Nothing is recorded where the API is missing.
 */
function mark(name: string): string | undefined {
  if (typeof performance === "undefined" || typeof performance.mark !== "function") return undefined;
  const id = `hopscope: ${name} ${performance.now()}`;
  performance.mark(id);
  return id;
}

function measure(name: string, from: string | undefined): void {
  if (from === undefined) return;
  // The last load's figures only: a long session does not pile them up.
  performance.clearMeasures(`hopscope: ${name}`);
  performance.measure(`hopscope: ${name}`, from);
  performance.clearMarks(from);
}

const samePanels = (a: Panels, b: Panels) => a.detail === b.detail && a.hops === b.hops && a.node === b.node;

export type LoadOutcome = "ready" | "failed" | "superseded";

export type Status = { readonly kind: "loading" } | { readonly kind: "ready" } | { readonly kind: "error"; readonly message: string };

export interface ScenarioSlice {
  /** The language of the page and of the trace's sentences (`lang=` in the link). */
  readonly lang: Lang;
  /** Switches language: the scenario list and the trace are told again in it, at the same step. */
  setLang(lang: Lang): Promise<void>;
  /** The built-in scenarios, for the picker. */
  readonly scenarios: readonly ScenarioSummary[];
  readonly scenario?: ScenarioSummary;
  readonly status: Status;
  /** The scenario's trace, with the flows of the shell's lines after its own. */
  readonly trace?: Trace;
  readonly topology?: Topology;
  /** The namespaces the node panel can show (workers, controllers, the VPC router, the client). */
  readonly nodes: readonly string[];
  /** Each node's outline of nat and filter rules, fetched from the worker when the panel first shows the node. */
  readonly rules: Readonly<Record<string, NodeRules>>;
  /** The text of whole chains ("worker-0 nat KUBE-SERVICES" → its rules), fetched for the quiz's choices. */
  readonly chainRules: Readonly<Record<string, readonly string[]>>;
  /** What the scenario on screen was loaded from: a built-in's id, or a whole scenario. */
  readonly source?: Source;
  /** True while init() restores a view from the URL: the URL is not rewritten meanwhile. */
  readonly restoring: boolean;
  /** Reads the URL's hash: the shared view (or a clear message about a bad one) and embed options. */
  init(hash?: string): Promise<void>;
  /**
   * Loads a scenario (at a position, replaying shell lines). Answers how it ended: shown, failed
   * (the status says why), or overtaken by a newer load, which then owns the page.
   */
  load(source: Source | string, at?: Position, shell?: readonly ShellLine[], opts?: { showReplay?: boolean }): Promise<LoadOutcome>;
  /** Fetches a node's outline of rules for the panel (once per scenario load). */
  fetchRules(node: string): Promise<void>;
  /**
   * The text of a node's rules from row `from` of its outline (at most MAX_RULE_TEXTS), formatted
   * by the worker now; undefined when the scenario changed meanwhile or the worker failed.
   */
  ruleText(node: string, from: number, count: number): Promise<readonly string[] | undefined>;
  /**
   * Finds text in a node's rules: the matching row at or after `from` (before, `backwards`), and
   * how many match; undefined when the scenario changed meanwhile or the worker failed.
   */
  findRule(node: string, text: string, from: number, backwards?: boolean): Promise<{ readonly matches: number; readonly row?: number; readonly nth?: number } | undefined>;
  /** Fetches the text of one chain of a node's rules into `chainRules` (once per scenario load). */
  fetchChainRules(node: string, table: string, chain: string): Promise<void>;
  /**
   * The view as a share link's parts: the `view` blob (scenario, panels, shell lines: computed
   * once and cached, since it only changes with them) and the position, which changes at every step.
   */
  shareView(): { readonly view: string; readonly at: Position } | undefined;
  /**
   * The engine's worker failed and a fresh one, without the scenario, replaced it: reloads the
   * scenario with its position and shell lines. Called by the engine client.
   */
  engineRestarted(reason: string): void;
}

export const scenarioSlice =
  (engine: EngineRequester): StateCreator<HopscopeState, [], [], ScenarioSlice> =>
  (set, get) => {
    // A failure during the reload after a failure is reported instead of retried.
    let autoReloading = false;
    // Each load gets a number; a load that a newer one overtook stops and sets nothing.
    let loadGeneration = 0;
    // The number of the load whose scenario is on screen.
    let shownGeneration = 0;
    // The link's view blob for the scenario, panels and shell lines it was made from.
    let viewCache: { source: Source; panels: Panels; shellLines: readonly ShellLine[]; view: string } | undefined;
    // The link the view on screen was opened from: its own blob is that view's, as long as the
    // scenario, panels and shell lines are still the ones it named. Writing it again would cost a
    // big edited scenario a diff and a compression (a third of a second for 1,000 services) at load.
    let linked: { scenario: Source; panels: Panels; shell: readonly ShellLine[]; view: string } | undefined;
    // The view restored from the URL: one restore per hash at a time (React's StrictMode runs the
    // page's first effect twice in development; both calls share one restore), and a restore that
    // a newer one overtook stops without touching the page.
    let restoring: { hash: string; done: Promise<void> } | undefined;
    let restoreGeneration = 0;

    const restore = async (params: HashParams, current: () => boolean) => {
      try {
        const r = await engine.request({ kind: "scenarios", lang: get().lang });
        if (!current()) return;
        set({ scenarios: r.scenarios });
        if (params.view !== undefined) {
          // The link's reader is loaded only for a URL that holds a view, and the scenario
          // schema (the larger part) only for a view whose scenario is a document.
          const { readView } = await import("../share/read");
          if (!current()) return;
          let decoded = readView(params, get().lang);
          if (decoded.ok === "unchecked") {
            const { validateScenario } = await import("../engine/k8s/spec");
            if (!current()) return;
            decoded = decoded.finish(validateScenario);
          }
          if (decoded.ok) {
            // (A version 1 blob holds a position too: it is not the view's blob at any other step.)
            linked = linkVersion(decoded.state) === 1 ? undefined : { scenario: decoded.state.scenario, panels: decoded.state.panels, shell: decoded.state.shell ?? [], view: params.view };
            set({ panels: decoded.state.panels });
            const outcome = await get().load(decoded.state.scenario, { flow: decoded.state.flow, step: decoded.state.step }, decoded.state.shell, { showReplay: true });
            if (outcome !== "failed" || !current()) return;
            const status = get().status;
            const t = NOTICES[get().lang];
            set({ notice: t.linkFailed({ reason: status.kind === "error" ? status.message : t.engineStopped }) });
          } else {
            set({ notice: NOTICES[get().lang].badLink({ error: decoded.error }) });
          }
        }
        const first = r.scenarios[0];
        if (first && current()) await get().load({ id: first.id }, params.start !== undefined ? { flow: 0, step: params.start } : undefined);
      } catch (e) {
        if (current()) set({ status: { kind: "error", message: e instanceof Error ? e.message : String(e) } });
      }
    };

    return {
      scenarios: [],
      nodes: [],
      rules: {},
      chainRules: {},
      restoring: false,
      lang: "en",
      async setLang(lang: Lang) {
        if (lang === get().lang) return;
        set({ lang });
        const r = await engine.request({ kind: "scenarios", lang });
        if (get().lang !== lang) return;
        set({ scenarios: r.scenarios });
        const { source, steps, cursor, shellLines } = get();
        if (!source) return;
        const at = steps[cursor];
        await get().load(source, at ? { flow: at.flow, step: at.index } : undefined, shellLines);
      },
      status: { kind: "loading" },
      init(hash?: string) {
        const key = hash ?? "";
        if (restoring?.hash === key) return restoring.done;
        const generation = ++restoreGeneration;
        const current = () => generation === restoreGeneration;
        const params = parseHash(key);
        set({ restoring: true, embed: { on: params.embed, autoplay: params.autoplay, hide: params.hide }, level: params.level ?? "hops", quizOn: params.quiz === true, lang: params.lang ?? "en" });
        const done = restore(params, current).finally(() => {
          if (!current()) return;
          restoring = undefined;
          set({ restoring: false });
        });
        restoring = { hash: key, done };
        return done;
      },
      async load(source: Source | string, at?: Position, shell?: readonly ShellLine[], opts: { showReplay?: boolean } = {}) {
        const src: Source = typeof source === "string" ? { id: source } : source;
        const generation = ++loadGeneration;
        const current = () => generation === loadGeneration;
        set({ status: { kind: "loading" }, playing: false, shellLines: [] });
        try {
          const asked = mark("load");
          const r = await engine.request({ kind: "run", scenario: "id" in src ? src.id : { spec: src.spec }, lang: get().lang });
          measure("run answered", asked);
          if (!current()) return "superseded";
          if (r.kind === "invalid") {
            set({ status: { kind: "error", message: r.issues.map((i) => `${i.path}: ${i.message}`).join("; ") } });
            return "failed";
          }
          const lines = shell ?? [];
          const replay = await replayLines(engine, lines, current, get().lang);
          if (!replay) return "superseded";
          if (replay.notice !== undefined) set({ notice: replay.notice });
          const trace = replay.flows.length ? { ...r.trace, flows: r.trace.flows.concat(replay.flows) } : r.trace;
          const stored = mark("store");
          const steps = flatten(trace);
          // A new view opens on the level's first step; a link's position is kept as it was.
          let cursor = firstShownFrom(steps, get().level, 0);
          if (at) {
            const i = steps.findIndex((x) => x.flow === at.flow && x.index === at.step);
            // A step past the end of the trace (the link is older than this trace) lands on the last one.
            cursor = i >= 0 ? i : steps.length - 1;
            if (cursor < 0) cursor = 0;
            // A link made at another level (or before there were levels) opens on what this level shows for its step.
            cursor = firstShownFrom(steps, get().level, cursor);
          }
          shownGeneration = generation;
          set({
            source: src,
            scenario: r.scenario,
            trace,
            topology: r.topology,
            nodes: r.nodes,
            rules: {},
            chainRules: {},
            steps,
            cursor,
            shellLines: replay.replayed,
            ...(opts.showReplay || lines.length === 0 ? { replayLog: replay.log } : {}),
            status: { kind: "ready" },
            // The editor's view of it: an edited scenario is its own document; a built-in's is fetched when the editor needs it.
            doc: "spec" in src ? src.spec : undefined,
            currentLabel: "spec" in src ? `Edited: ${r.scenario.title}` : r.scenario.title,
            pending: undefined,
          });
          measure("run stored", stored);
          return "ready";
        } catch (e) {
          if (!current()) return "superseded";
          set({ status: { kind: "error", message: e instanceof Error ? e.message : String(e) } });
          return "failed";
        }
      },
      async fetchRules(node: string) {
        if (get().rules[node] || get().status.kind !== "ready") return;
        const shown = shownGeneration;
        try {
          const r = await engine.request({ kind: "rules", node });
          // Rules asked for a scenario that has since been replaced are not this one's.
          if (shown === shownGeneration) set({ rules: { ...get().rules, [node]: nodeRules(r.chains) } });
        } catch {
          // A failed worker reloads the scenario; the panel asks again then.
        }
      },
      async ruleText(node: string, from: number, count: number) {
        if (get().status.kind !== "ready") return undefined;
        const shown = shownGeneration;
        try {
          const r = await engine.request({ kind: "ruleText", node, from, count: Math.min(count, MAX_RULE_TEXTS) });
          return shown === shownGeneration ? r.rules : undefined;
        } catch {
          return undefined;
        }
      },
      async findRule(node: string, text: string, from: number, backwards?: boolean) {
        if (get().status.kind !== "ready") return undefined;
        const shown = shownGeneration;
        try {
          const r = await engine.request({ kind: "ruleFind", node, text, from, ...(backwards && { backwards }) });
          return shown === shownGeneration ? r : undefined;
        } catch {
          return undefined;
        }
      },
      async fetchChainRules(node: string, table: string, chain: string) {
        const key = `${node} ${table} ${chain}`;
        if (get().chainRules[key]) return;
        await get().fetchRules(node);
        const outline = get().rules[node];
        const i = outline?.byName.get(`${table}/${chain}`);
        if (!outline || i === undefined) return;
        const shown = shownGeneration;
        const texts = await get().ruleText(node, outline.starts[i]!, outline.chains[i]!.count);
        if (texts && shown === shownGeneration) set({ chainRules: { ...get().chainRules, [key]: texts } });
      },
      shareView() {
        const { source, steps, cursor, panels, shellLines } = get();
        if (!source) return undefined;
        if (!viewCache || viewCache.source !== source || viewCache.panels !== panels || viewCache.shellLines !== shellLines) {
          const l = linked;
          if (l && l.scenario === source && samePanels(l.panels, panels) && l.shell.length === shellLines.length && l.shell.every((x, i) => x.target === shellLines[i]!.target && x.line === shellLines[i]!.line)) {
            viewCache = { source, panels, shellLines, view: l.view };
            const at = steps[cursor];
            return { view: l.view, at: { flow: at?.flow ?? 0, step: at?.index ?? 0 } };
          }
          const withShell = shellLines.length ? encodeView({ scenario: source, panels, shell: shellLines }) : undefined;
          // A session too long for a link is shared without its shell lines (the scenario and step still are).
          const view = withShell !== undefined && withShell.length <= MAX_SHARE_CHARS ? withShell : encodeView({ scenario: source, panels });
          viewCache = { source, panels, shellLines, view };
        }
        const at = steps[cursor];
        return { view: viewCache.view, at: { flow: at?.flow ?? 0, step: at?.index ?? 0 } };
      },
      engineRestarted(reason: string) {
        const { source, steps, cursor, shellLines } = get();
        if (!source) {
          set({ notice: NOTICES[get().lang].restarted({ reason }) });
          return;
        }
        if (autoReloading) {
          set({ notice: NOTICES[get().lang].failedAgain({ reason }), status: { kind: "error", message: reason } });
          return;
        }
        autoReloading = true;
        // "loading" at once, so a shell line typed now waits for the reload instead of meeting an empty worker.
        set({ notice: NOTICES[get().lang].reloaded({ reason }), status: { kind: "loading" } });
        const at = steps[cursor];
        // After the failed request has been answered with its error.
        setTimeout(() => {
          void get()
            .load(source, at ? { flow: at.flow, step: at.index } : undefined, shellLines)
            .finally(() => {
              autoReloading = false;
            });
        }, 0);
      },
    };
  };
