/**
 * The editor slice: the scenario as a document the user changes, and the history of every
 * change. An edit is checked by the worker first: a valid one is traced and shown at once (and
 * becomes a step of the history), an invalid one stays in the editor with its problems, so
 * nothing typed is lost and the page keeps showing the last good trace. Picking another
 * scenario is a step of the history too: Undo brings an edited scenario back.
 */
import type { StateCreator } from "zustand";
import type { CniType, ScenarioInput } from "../engine/k8s/spec";
import { isDefaultKubeProxy, type KubeProxyChoice } from "../engine/kube-proxy/releases";
import type { EngineRequester } from "../worker/client";
import type { InvalidResult, Issue, TraceResult, ValidateResult } from "../worker/protocol";
import type { LoadOutcome, Source } from "./scenario";
import type { HopscopeState } from "./store";
import { NOTICES } from "./notices";

/** A step of the history: what was on screen, and a few words for it (the Compare picker shows them). */
export interface HistoryEntry {
  readonly source: Source;
  readonly label: string;
}

/** How many steps back Undo reaches. */
export const MAX_HISTORY = 100;

export type EditOutcome = LoadOutcome | "invalid";

export interface EditorSlice {
  readonly editorOpen: boolean;
  /** The document of the scenario on screen; undefined until the editor fetched a built-in's. */
  readonly doc?: ScenarioInput;
  /** An edit that was not applied, with what is wrong with it: the editor shows it, the page does not. */
  readonly pending?: { readonly doc: ScenarioInput; readonly issues: readonly Issue[] };
  /** What Undo goes back to (most recent last) and what Redo goes forward to (most recent last). */
  readonly past: readonly HistoryEntry[];
  readonly future: readonly HistoryEntry[];
  /** The label of the scenario on screen, for the history. */
  readonly currentLabel: string;
  openEditor(): Promise<void>;
  closeEditor(): void;
  /** Fetches the document of the scenario on screen (a built-in's from the worker). */
  ensureDoc(): Promise<ScenarioInput | undefined>;
  /** Checks a document and, when valid, shows its trace as a new step of the history. */
  edit(doc: ScenarioInput, label: string): Promise<EditOutcome>;
  /** Drops an edit that was not applied; the editor shows the scenario on screen again. */
  discardPending(): void;
  /** Starts from a blank cluster (one worker, no workloads, no traffic). */
  newScenario(): Promise<EditOutcome>;
  /** Shows a built-in scenario; what was on screen stays reachable with Undo. */
  pick(id: string): Promise<EditOutcome>;
  undo(): Promise<void>;
  redo(): Promise<void>;
  /** Checks scenario JSON text (the JSON view, as the user types). */
  validateText(text: string): Promise<ValidateResult>;
  /**
   * Runs the scenario on screen with another kube-proxy (an edit of `cluster.kubeProxy`, so Undo
   * goes back). Back to the article's default, a built-in's document is the built-in again.
   */
  setKubeProxy(choice: KubeProxyChoice): Promise<EditOutcome>;
  /** Traces a scenario on its own (Compare). */
  traceOf(source: Source): Promise<TraceResult | InvalidResult>;
  /** The document a source stands for (a built-in's from the worker). */
  docOf(source: Source): Promise<ScenarioInput | undefined>;
}

export const editorSlice =
  (engine: EngineRequester): StateCreator<HopscopeState, [], [], EditorSlice> =>
  (set, get) => {
    /** Shows `source` and records what was on screen before it; the caller says which list that goes to. */
    const show = async (source: Source, label: string, record: "past" | "future" | "none"): Promise<LoadOutcome> => {
      const before = get().source;
      const beforeLabel = get().currentLabel;
      const outcome = await get().load(source);
      if (outcome !== "ready") return outcome;
      const entry = before ? { source: before, label: beforeLabel } : undefined;
      if (entry && record === "past") set({ past: [...get().past, entry].slice(-MAX_HISTORY), future: [] });
      if (entry && record === "future") set({ future: [...get().future, entry].slice(-MAX_HISTORY) });
      set({ currentLabel: label });
      return outcome;
    };

    return {
      editorOpen: false,
      past: [],
      future: [],
      currentLabel: "",
      async openEditor() {
        set({ editorOpen: true });
        await get().ensureDoc();
      },
      closeEditor() {
        set({ editorOpen: false });
      },
      async ensureDoc() {
        const { source, doc } = get();
        if (doc || !source) return doc;
        if ("spec" in source) {
          set({ doc: source.spec });
          return source.spec;
        }
        const r = await engine.request({ kind: "document", of: { id: source.id } });
        // The scenario on screen may have changed while the worker answered.
        if (r.kind !== "document" || get().source !== source) return get().doc;
        const fetched = r.spec as ScenarioInput;
        set({ doc: fetched });
        return fetched;
      },
      async edit(doc, label) {
        const checked = await engine.request({ kind: "validate", text: JSON.stringify(doc) });
        if (checked.issues.length > 0) {
          set({ pending: { doc, issues: checked.issues } });
          return "invalid";
        }
        return show({ spec: doc }, label, "past");
      },
      async setKubeProxy(choice) {
        const doc = await get().ensureDoc();
        if (!doc) return "failed";
        const next = withKubeProxy(doc, choice);
        if (isDefaultKubeProxy(choice)) {
          const builtIn = get().scenarios.some((s) => s.id === next.id) ? await get().docOf({ id: next.id }) : undefined;
          if (builtIn && JSON.stringify(builtIn) === JSON.stringify(next)) return get().pick(next.id);
        }
        return get().edit(next, NOTICES[get().lang].kubeProxy(choice));
      },
      discardPending() {
        set({ pending: undefined });
      },
      async newScenario() {
        const r = await engine.request({ kind: "document", of: { blank: true } });
        if (r.kind !== "document") return "failed";
        return get().edit(r.spec as ScenarioInput, NOTICES[get().lang].newScenario);
      },
      async pick(id) {
        return show({ id }, get().scenarios.find((s) => s.id === id)?.title ?? id, "past");
      },
      async undo() {
        const past = get().past;
        const back = past.at(-1);
        if (!back) return;
        set({ past: past.slice(0, -1) });
        const outcome = await show(back.source, back.label, "future");
        // A step that no longer runs (it should not happen: each was shown once) is put back.
        if (outcome === "failed") set({ past: [...get().past, back] });
      },
      async redo() {
        const future = get().future;
        const next = future.at(-1);
        if (!next) return;
        set({ future: future.slice(0, -1) });
        const before = get().source;
        const beforeLabel = get().currentLabel;
        const outcome = await get().load(next.source);
        if (outcome !== "ready") {
          if (outcome === "failed") set({ future: [...get().future, next] });
          return;
        }
        if (before) set({ past: [...get().past, { source: before, label: beforeLabel }].slice(-MAX_HISTORY) });
        set({ currentLabel: next.label });
      },
      validateText(text) {
        return engine.request({ kind: "validate", text });
      },
      async docOf(source) {
        if ("spec" in source) return source.spec;
        const r = await engine.request({ kind: "document", of: { id: source.id } });
        return r.kind === "document" ? (r.spec as ScenarioInput) : undefined;
      },
      traceOf(source) {
        return engine.request({ kind: "trace", scenario: "id" in source ? source.id : { spec: source.spec }, lang: get().lang });
      },
    };
  };

/** The bridge plugin's own keys (10-bridge.conf's): another plugin's cluster must not carry them (the validator says so). */
const BRIDGE_KEYS = ["name", "bridge", "isGateway", "ipMasq", "hairpinMode"] as const;

/** The pod network's first octets each CNI's built-ins use: the article's 10.200.0.0/16, flannel's default 10.244.0.0/16. */
const POD_PREFIX = { bridge: '"10.200.', flannel: '"10.244.' } as const;

export interface CniChoice {
  readonly type: CniType;
  /** Calico's IP pool encapsulation ("none" when absent). */
  readonly encapsulation?: "none" | "ipip" | "vxlan";
}

/**
 * A document moved onto another CNI plugin: `cluster.cni` becomes that plugin's (the bridge
 * plugin's keys go, on the cluster and on every worker, when leaving it; back on the bridge plugin
 * its defaults apply again). With `renumber`, the pod network and every pod address move as the
 * built-ins do between the bridge plugin (10.200.0.0/16) and flannel (10.244.0.0/16, scenarios/cni.ts
 * onFlannel's rewrite), so a built-in's document moved there is that CNI's built-in.
 * A document moved onto Calico keeps its addresses: each worker's podCidr stands for its IPAM
 * block (the built-ins' /26 blocks come from scenarios/cni.ts onCalico). The app's switch and
 * Compare CNIs move documents without renumbering, so both sides carry the same packet.
 */
export function withCni(doc: ScenarioInput, choice: CniChoice | CniType, opts: { renumber?: boolean } = {}): ScenarioInput {
  const { type, encapsulation } = typeof choice === "string" ? { type: choice, encapsulation: undefined } : choice;
  const from = doc.cluster.cni?.type ?? "bridge";
  let moved = doc;
  if (opts.renumber && from !== type && (from === "bridge" || from === "flannel") && (type === "bridge" || type === "flannel")) {
    moved = JSON.parse(JSON.stringify(doc).replaceAll(POD_PREFIX[from], POD_PREFIX[type])) as ScenarioInput;
  }
  const c = moved.cluster;
  const stripWorker = <W extends { cni?: object }>(w: W): W => {
    if (!w.cni) return w;
    const { cni: _cni, ...rest } = w;
    return rest as W;
  };
  if (type === "bridge") {
    // The bridge plugin's defaults: its keys left out (a worker's overrides stay when it was on the bridge plugin already).
    const { cni: _old, ...cluster } = c;
    const keep = from === "bridge" && c.cni ? Object.fromEntries(Object.entries(c.cni).filter(([k]) => (BRIDGE_KEYS as readonly string[]).includes(k))) : {};
    return { ...moved, cluster: Object.keys(keep).length ? { ...cluster, cni: keep } : { ...cluster, workers: from === "bridge" ? cluster.workers : cluster.workers.map(stripWorker) } };
  }
  // Calico's encapsulation is always written: validation requires it (calico.yaml's own default,
  // IP-in-IP, is not modelled). Unchosen, it stays the document's or is routed ("none"), as the form shows.
  const calicoEncap = encapsulation ?? (from === "calico" ? c.cni?.encapsulation : undefined) ?? "none";
  const cni = { type, ...(type === "calico" && { encapsulation: calicoEncap }) };
  return { ...moved, cluster: { ...c, cni, workers: c.workers.map(stripWorker) } };
}

/** A document with `cluster.kubeProxy` set to a choice; the article's default is written by leaving the field out. */
export function withKubeProxy(doc: ScenarioInput, choice: KubeProxyChoice): ScenarioInput {
  const { kubeProxy: _old, ...cluster } = doc.cluster;
  return { ...doc, cluster: isDefaultKubeProxy(choice) ? cluster : { ...cluster, kubeProxy: { mode: choice.mode, version: choice.version } } };
}
