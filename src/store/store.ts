/**
 * One zustand store. What a share URL will hold (scenario, step) apart from session state
 * (playing, speed, notices). The engine runs in its worker; the store only asks and keeps answers.
 */
import { create } from "zustand";
import type { Topology } from "../engine/k8s/topology";
import type { Step, Trace } from "../engine/trace";
import { EngineClient, createEngineWorker } from "../worker/client";
import type { NodeRule, ScenarioSummary } from "../worker/protocol";
import { DEFAULT_PANELS, MAX_SHARE_CHARS, MAX_SHELL_LINE, MAX_SHELL_LINES, decodeView, encodeView, parseHash, type Position, type ShareState, type ShellLine } from "../share/codec";

export type Source = ShareState["scenario"];
export type Panels = ShareState["panels"];

export interface EmbedOptions {
  readonly on: boolean;
  readonly autoplay: boolean;
  readonly hide: readonly string[];
}

export interface FlatStep {
  readonly flow: number;
  readonly flowName: string;
  /** What started the flow (a traffic item, a shell line). */
  readonly origin?: string;
  readonly index: number;
  readonly step: Step;
}

export type LoadOutcome = "ready" | "failed" | "superseded";

export interface ReplayEntry {
  readonly target: string;
  readonly line: string;
  readonly display: string;
}

/** How many lines of one replayed command's output the terminal gets. */
const REPLAY_SHOWN_LINES = 200;

export type Status = { readonly kind: "loading" } | { readonly kind: "ready" } | { readonly kind: "error"; readonly message: string };

export interface HopscopeState {
  readonly scenarios: readonly ScenarioSummary[];
  readonly scenario?: ScenarioSummary;
  readonly status: Status;
  readonly trace?: Trace;
  readonly topology?: Topology;
  /** The namespaces the node panel can show (workers, controllers, the VPC router, the client). */
  readonly nodes: readonly string[];
  /** Each node's nat and filter rules, fetched from the worker when the panel first shows the node. */
  readonly rules: Readonly<Record<string, readonly NodeRule[]>>;
  readonly steps: readonly FlatStep[];
  readonly cursor: number;
  readonly playing: boolean;
  /** Steps per second. */
  readonly speed: number;
  readonly notice?: string;
  readonly source?: Source;
  readonly panels: Panels;
  readonly embed: EmbedOptions;
  /** True while init() restores a view from the URL: the URL is not rewritten meanwhile. */
  readonly restoring: boolean;
  /** The shell's lines since the scenario loaded (up to what a link carries): a share link replays them. */
  readonly shellLines: readonly ShellLine[];
  /**
   * What replaying a link's shell lines printed, line by line, for the terminal to show when the
   * link opens (empty for a view without shell lines, and after a reload the engine needed).
   */
  readonly replayLog: readonly ReplayEntry[];
  /** Reads the URL's hash: the shared view (or a clear message about a bad one) and embed options. */
  init(hash?: string): Promise<void>;
  /**
   * Loads a scenario (at a position, replaying shell lines). Answers how it ended: shown, failed
   * (the status says why), or overtaken by a newer load, which then owns the page.
   */
  load(source: Source | string, at?: { flow: number; step: number }, shell?: readonly ShellLine[], opts?: { showReplay?: boolean }): Promise<LoadOutcome>;
  setPanels(p: Partial<Panels>): void;
  /** Fetches a node's rules for the panel (once per scenario load). */
  fetchRules(node: string): Promise<void>;
  /**
   * The view as a share link's parts: the `view` blob (scenario, panels, shell lines: computed
   * once and cached, since it only changes with them) and the position, which changes at every step.
   */
  shareView(): { readonly view: string; readonly at: Position } | undefined;
  setCursor(i: number): void;
  move(delta: number): void;
  togglePlay(): void;
  setSpeed(speed: number): void;
  dismissNotice(): void;
}

/** How long replaying a link's shell lines may take in all. */
const REPLAY_BUDGET_MS = 10_000;

let client: EngineClient | undefined;
function engine(onRestart: (reason: string) => void): EngineClient {
  client ??= new EngineClient(createEngineWorker, 15_000, onRestart);
  return client;
}

/** The first `max` lines of a text, and how many more there were. */
function firstLines(text: string, max: number): string {
  const lines = text.split("\n");
  if (lines.length <= max + 1) return text;
  return `${lines.slice(0, max).join("\n")}\n[hopscope: ${lines.length - max - 1} more lines not shown]\n`;
}

export function flatten(trace: Trace): FlatStep[] {
  return trace.flows.flatMap((f, flow) => f.steps.map((step, index) => ({ flow, flowName: f.name, ...(f.origin !== undefined && { origin: f.origin }), index, step })));
}

export const useHopscope = create<HopscopeState>((set, get) => {
  // A failed worker is replaced by a fresh one without the scenario: load it again, with the
  // shell's lines, so the page and the shell carry on where they were. A failure during that
  // reload is reported instead of retried.
  let autoReloading = false;
  // Each load gets a number; a load that a newer one overtook stops and sets nothing.
  let loadGeneration = 0;
  // The number of the load whose scenario is on screen.
  let shownGeneration = 0;
  // The link's view blob for the scenario, panels and shell lines it was made from.
  let viewCache: { source: Source; panels: Panels; shellLines: readonly ShellLine[]; view: string } | undefined;
  const restart = (reason: string) => {
    const { source, steps, cursor, shellLines } = get();
    if (!source) {
      set({ notice: `${reason}. The engine was restarted.` });
      return;
    }
    if (autoReloading) {
      set({ notice: `${reason}. The engine failed again while reloading; pick a scenario to try again.`, status: { kind: "error", message: reason } });
      return;
    }
    autoReloading = true;
    // "loading" at once, so a shell line typed now waits for the reload instead of meeting an empty worker.
    set({ notice: `${reason}. The engine was restarted; your scenario is reloaded.`, status: { kind: "loading" } });
    const at = steps[cursor];
    // After the failed request has been answered with its error.
    setTimeout(() => {
      void get()
        .load(source, at ? { flow: at.flow, step: at.index } : undefined, shellLines)
        .finally(() => {
          autoReloading = false;
        });
    }, 0);
  };
  // The view restored from the URL: one restore per hash at a time (React's StrictMode runs the
  // page's first effect twice in development; both calls share one restore), and a restore that
  // a newer one overtook stops without touching the page.
  let restoring: { hash: string; done: Promise<void> } | undefined;
  let restoreGeneration = 0;
  const restore = async (params: ReturnType<typeof parseHash>, current: () => boolean) => {
    try {
      const r = await engine(restart).request({ kind: "scenarios" });
      if (r.kind !== "scenarios") throw new Error("unexpected answer");
      if (!current()) return;
      set({ scenarios: r.scenarios });
      if (params.view !== undefined) {
        const decoded = decodeView(params);
        if (decoded.ok) {
          set({ panels: decoded.state.panels });
          const outcome = await get().load(decoded.state.scenario, { flow: decoded.state.flow, step: decoded.state.step }, decoded.state.shell, { showReplay: true });
          if (outcome !== "failed" || !current()) return;
          const status = get().status;
          set({ notice: `This link's scenario could not be run (${status.kind === "error" ? status.message : "the engine stopped"}). Showing the default scenario instead.` });
        } else {
          set({ notice: `${decoded.error} Showing the default scenario instead.` });
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
    panels: DEFAULT_PANELS,
    embed: { on: false, autoplay: false, hide: [] },
    restoring: false,
    shellLines: [],
    replayLog: [],
    status: { kind: "loading" },
    steps: [],
    cursor: 0,
    playing: false,
    speed: 2,
    init(hash?: string) {
      const key = hash ?? "";
      if (restoring?.hash === key) return restoring.done;
      const generation = ++restoreGeneration;
      const current = () => generation === restoreGeneration;
      const params = parseHash(key);
      set({ restoring: true, embed: { on: params.embed, autoplay: params.autoplay, hide: params.hide } });
      const done = restore(params, current).finally(() => {
        if (!current()) return;
        restoring = undefined;
        set({ restoring: false });
      });
      restoring = { hash: key, done };
      return done;
    },
    async load(source: Source | string, at?: { flow: number; step: number }, shell?: readonly ShellLine[], opts: { showReplay?: boolean } = {}) {
      const src: Source = typeof source === "string" ? { id: source } : source;
      const generation = ++loadGeneration;
      const current = () => generation === loadGeneration;
      set({ status: { kind: "loading" }, playing: false, shellLines: [] });
      try {
        const r = await engine(restart).request({ kind: "run", scenario: "id" in src ? src.id : { spec: src.spec } });
        if (!current()) return "superseded";
        if (r.kind === "invalid") {
          set({ status: { kind: "error", message: r.issues.map((i) => `${i.path}: ${i.message}`).join("; ") } });
          return "failed";
        }
        if (r.kind !== "run") throw new Error("unexpected answer");
        // A shared view's shell lines, replayed in order in the new session (what they changed,
        // counters zeroed, tables loaded, is back too); their flows join the trace.
        let trace = r.trace;
        const replayed: ShellLine[] = [];
        const log: ReplayEntry[] = [];
        const missing: string[] = [];
        const lines = shell ?? [];
        const started = performance.now();
        let cut: string | undefined;
        for (const s of lines) {
          // Each line has its own budget in the worker; the replay as a whole has one too.
          if (performance.now() - started > REPLAY_BUDGET_MS) {
            cut = `This link's shell session was replayed up to line ${replayed.length} of ${lines.length}: the replay ran for more than ${REPLAY_BUDGET_MS / 1000} s, the most it may take.`;
            break;
          }
          const e = await engine(restart).request({ kind: "exec", target: s.target, line: s.line });
          if (!current()) return "superseded";
          if (e.kind === "exec" && e.flows.length) trace = { ...trace, flows: trace.flows.concat(e.flows) };
          if (e.kind === "exec") log.push({ target: s.target, line: s.line, display: firstLines(e.display, REPLAY_SHOWN_LINES) });
          if (e.kind === "exec" && e.targetError !== undefined) missing.push(`line ${replayed.length + missing.length + 1} (${e.targetError})`);
          else replayed.push(s);
        }
        const notices = [
          ...(missing.length ? [`This link's shell lines name places this scenario does not have; ${missing.length === 1 ? "one was" : `${missing.length} were`} skipped: ${missing.slice(0, 3).join("; ")}${missing.length > 3 ? "; …" : ""}.`] : []),
          ...(cut ? [cut] : []),
        ];
        if (notices.length) set({ notice: notices.join(" ") });
        const steps = flatten(trace);
        let cursor = 0;
        if (at) {
          const i = steps.findIndex((x) => x.flow === at.flow && x.index === at.step);
          // A step past the end of the trace (the link is older than this trace) lands on the last one.
          cursor = i >= 0 ? i : steps.length - 1;
          if (cursor < 0) cursor = 0;
        }
        shownGeneration = generation;
        set({ source: src, scenario: r.scenario, trace, topology: r.topology, nodes: r.nodes, rules: {}, steps, cursor, shellLines: replayed, ...(opts.showReplay || lines.length === 0 ? { replayLog: log } : {}), status: { kind: "ready" } });
        return "ready";
      } catch (e) {
        if (!current()) return "superseded";
        set({ status: { kind: "error", message: e instanceof Error ? e.message : String(e) } });
        return "failed";
      }
    },
    setPanels(p: Partial<Panels>) {
      set({ panels: { ...get().panels, ...p } });
    },
    async fetchRules(node: string) {
      if (get().rules[node] || get().status.kind !== "ready") return;
      const shown = shownGeneration;
      try {
        const r = await engine(restart).request({ kind: "rules", node });
        // Rules asked for a scenario that has since been replaced are not this one's.
        if (r.kind === "rules" && shown === shownGeneration) set({ rules: { ...get().rules, [node]: r.rules } });
      } catch {
        // A failed worker reloads the scenario; the panel asks again then.
      }
    },
    shareView() {
      const { source, steps, cursor, panels, shellLines } = get();
      if (!source) return undefined;
      if (!viewCache || viewCache.source !== source || viewCache.panels !== panels || viewCache.shellLines !== shellLines) {
        const withShell = shellLines.length ? encodeView({ scenario: source, panels, shell: shellLines }) : undefined;
        // A session too long for a link is shared without its shell lines (the scenario and step still are).
        const view = withShell !== undefined && withShell.length <= MAX_SHARE_CHARS ? withShell : encodeView({ scenario: source, panels });
        viewCache = { source, panels, shellLines, view };
      }
      const at = steps[cursor];
      return { view: viewCache.view, at: { flow: at?.flow ?? 0, step: at?.index ?? 0 } };
    },
    setCursor(i: number) {
      const n = get().steps.length;
      set({ cursor: Math.max(0, Math.min(n - 1, i)) });
    },
    move(delta: number) {
      get().setCursor(get().cursor + delta);
    },
    togglePlay() {
      const { playing, cursor, steps } = get();
      if (!playing && cursor >= steps.length - 1) set({ cursor: 0 });
      set({ playing: !playing });
    },
    setSpeed(speed: number) {
      set({ speed });
    },
    dismissNotice() {
      set({ notice: undefined });
    },
  };
});

/**
 * Runs a shell line in the worker, on the loaded scenario's node or pod. Flows the line traced
 * (ping, curl, …) join the trace, and the view moves to the first of them.
 */
export async function execLine(target: string, line: string): Promise<{ display: string; code: number; flows: number }> {
  // While a scenario (re)loads, its session is being rebuilt: a line waits for it.
  await whenSettled();
  const r = await engine(() => undefined).request({ kind: "exec", target, line });
  if (r.kind !== "exec") throw new Error("unexpected answer");
  const { trace, shellLines } = useHopscope.getState();
  // A share link replays the session's lines in order. Past what a link may carry, or for a line
  // too long for one, the session goes on but the link stops growing.
  const keep = line.trim() !== "" && line.length <= MAX_SHELL_LINE && shellLines.length < MAX_SHELL_LINES;
  const lines = keep ? [...shellLines, { target, line }] : shellLines;
  if (r.flows.length && trace) {
    const next = { ...trace, flows: trace.flows.concat(r.flows) };
    const steps = flatten(next);
    const first = steps.findIndex((x) => x.flow === trace.flows.length);
    useHopscope.setState({ trace: next, steps, cursor: first >= 0 ? first : useHopscope.getState().cursor, playing: false, shellLines: lines });
  } else if (keep) useHopscope.setState({ shellLines: lines });
  return { display: r.display, code: r.code, flows: r.flows.length };
}

/** Tab completion of a shell line's last word. */
export async function completeLine(target: string, line: string): Promise<{ line: string; options: readonly string[] }> {
  const r = await engine(() => undefined).request({ kind: "complete", target, line });
  if (r.kind !== "complete") throw new Error("unexpected answer");
  return r;
}

/**
 * The session's capture as a pcapng file, named after its scenario: every frame of the
 * scenario's traffic and of the shell lines run since (the worker's capture is bounded like the
 * trace, at MAX_TRACE_STEPS frames).
 */
export async function pcapFile(): Promise<{ readonly name: string; readonly bytes: Uint8Array<ArrayBuffer>; readonly frames: number }> {
  await whenSettled();
  const r = await engine(() => undefined).request({ kind: "pcap" });
  if (r.kind !== "pcap") throw new Error("unexpected answer");
  // Scenario ids are lower-case letters, digits and dashes; anything else is not put in a file name.
  const id = r.scenario.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "") || "hopscope";
  return { name: `${id}.pcapng`, bytes: r.bytes, frames: r.frames };
}

/** Resolves once no scenario is loading. */
function whenSettled(): Promise<void> {
  if (useHopscope.getState().status.kind !== "loading") return Promise.resolve();
  return new Promise((resolve) => {
    const unsub = useHopscope.subscribe((st) => {
      if (st.status.kind !== "loading") {
        unsub();
        resolve();
      }
    });
  });
}
