/** What the worker does with each request; kept apart from the worker globals so tests can call it. */
import { runScenario } from "../engine/k8s/run";
import { withNarration, type NarrationLang } from "../engine/narrate";
import { plural } from "../i18n/lang";
import type { ShellSession } from "../engine/shell/session";
import type * as ShellModule from "./shell";
import { describeTopology } from "../engine/k8s/topology";
import { BUILTIN_SCENARIOS, blankScenario, builtinRussianLoaded, builtinScenario, builtinSummary } from "../engine/scenarios/article";
import { locatePath, parseJsonText } from "../engine/json-text";
import { clip, validateScenario } from "../engine/k8s/spec";
import { vpcPodRoutes, withCniBridges } from "./cni-topology";
import { kubeProxyProblem, resolveKubeProxy } from "../engine/kube-proxy/releases";
import { proxierLoaded } from "../engine/kube-proxy/select";
import { cniLoaded } from "../engine/cni/select";
import { formatRule } from "../engine/netfilter/format";
import { chainsInSaveOrder } from "../engine/netfilter/save";
import type { Netns } from "../engine/netns";
import { nftRuntime } from "../engine/nftables/runtime";
import { PcapngWriter } from "../engine/packet/pcapng";
import { MAX_RULE_TEXTS, type EngineRequest, type EngineResponse, type Kind, type RequestOf, type ResultOf, type RuleChain, type RunResult } from "./protocol";

/** The cluster of the last scenario run and every flow traced in it so far: what the shell's commands look at. */
let session: ShellSession | undefined;
/**
 * Every frame of that session, the scenario's and the shell lines' (the lines' packets cross the
 * same world), as a pcapng capture. Bounded like the trace: at most MAX_TRACE_STEPS frames.
 */
let capture: PcapngWriter | undefined;

/** The shell's modules, fetched on the first shell request. */
let shellModule: Promise<typeof ShellModule> | undefined;
const loadShell = () => (shellModule ??= import("./shell"));

/** How many lines of one command's output the terminal shows. */
export const MAX_TERMINAL_LINES = 5000;

export function capLines(text: string, max: number, lang: NarrationLang = "en"): string {
  let at = -1;
  for (let n = 0; n < max; n++) {
    at = text.indexOf("\n", at + 1);
    if (at < 0) return text;
  }
  if (at === text.length - 1) return text;
  const rest = text.slice(at + 1).split("\n").filter((l, i, a) => l !== "" || i < a.length - 1).length;
  const notice =
    lang === "ru"
      ? plural("ru", rest, { one: "не показана ещё # строка", few: "не показаны ещё # строки", many: "не показано ещё # строк", other: "не показано ещё # строки" }) +
        "; передайте вывод команды в grep, head или tail"
      : `${rest.toLocaleString("en")} more ${rest === 1 ? "line" : "lines"} not shown; pipe the command into grep, head or tail`;
  return `${text.slice(0, at + 1)}[hopscope: ${notice}]\n`;
}

/** The run scenario's title and description: a built-in's in `lang`; a scenario a user wrote keeps its own. */
function told(asked: string | { readonly spec: unknown }, s: { id: string; title: string; description: string }, lang: NarrationLang | undefined): { id: string; title: string; description: string } {
  return (typeof asked === "string" ? builtinSummary(asked, lang) : undefined) ?? s;
}

/** The tables the node panel shows, in iptables-save's order. */
const RULE_TABLES = ["nat", "filter"] as const;

/** One chain of the panel's outline and the text of its rules (formatted when asked for). */
interface PanelChain {
  readonly table: string;
  readonly name: string;
  readonly count: number;
  text(i: number): string;
}

/**
 * A node's chains in the panel's order: the nat and filter tables' in iptables-save's order, then
 * (on a node with nftables tables, kube-proxy's in nftables mode) each nft table's chains in the
 * order `nft list ruleset` prints them, the table named as nft names it ("ip kube-proxy"). An nft
 * rule's text is what `nft -s list` prints for it: the word `counter` stays, its values are the
 * panel's pkts and bytes columns, which follow the steps. Kept per namespace while its tables
 * hold the same number of chains (and its nft ruleset the same generation).
 */
const panelOrder = new WeakMap<Netns, { readonly key: string; readonly chains: readonly PanelChain[] }>();

function panelChains(ns: Netns): readonly PanelChain[] {
  const nf = ns.nf;
  const nft = ns.hasNft ? ns.nft : undefined;
  const key = RULE_TABLES.map((t) => (nf.loaded.has(t) ? nf.tables[t].chains.size : -1)).join(",") + (nft ? `;${nft.generation ?? 0}:${nft.tables.reduce((n, t) => n + t.chains.size, 0)}` : "");
  const kept = panelOrder.get(ns);
  if (kept?.key === key) return kept.chains;
  const chains: PanelChain[] = RULE_TABLES.flatMap((table) =>
    nf.loaded.has(table) ? chainsInSaveOrder(nf, table).map((chain): PanelChain => ({ table, name: chain.name, count: chain.rules.length, text: (i) => formatRule(chain.name, chain.rules[i]!) })) : [],
  );
  for (const t of nft?.tables ?? []) {
    for (const c of t.chains.values()) {
      let lines: readonly string[] | undefined;
      chains.push({
        table: `${t.family} ${t.name}`,
        name: c.name,
        count: c.rules.length,
        text: (i) => {
          // The chain's lines end with its rules and the closing brace.
          lines ??= nftRuntime().printChain(t, c, { stateless: true });
          return lines[lines.length - 1 - c.rules.length + i]!.replace(/^\t\t/, "");
        },
      });
    }
  }
  panelOrder.set(ns, { key, chains });
  return chains;
}

/** Each node's rules as the panel shows them, in lower case, formatted on the first search of its node. */
const searched = new WeakMap<Netns, { readonly chains: readonly unknown[]; readonly texts: readonly string[] }>();

function searchTexts(ns: Netns): readonly string[] {
  const chains = panelChains(ns);
  const kept = searched.get(ns);
  if (kept?.chains === chains) return kept.texts;
  const texts = chains.flatMap((c) => Array.from({ length: c.count }, (_, i) => c.text(i).toLowerCase()));
  searched.set(ns, { chains, texts });
  return texts;
}

/** A node, the VPC router or the client of the last scenario run, by name: the namespaces the node panel shows. */
function nodeNs(name: string) {
  const c = session?.cluster;
  return c && (c.nodes.some((n) => n.name === name) || name === c.router || name === c.client) ? c.world.get(name) : undefined;
}

type Handlers = { readonly [K in Kind]: (req: RequestOf<K>) => Promise<ResultOf<K>> | ResultOf<K> };

/** Each kind of request's answer: TypeScript checks that each returns its kind's result. */
const handlers: Handlers = {
  scenarios: async (req) => {
    await loadRussianFor(req.lang);
    return { kind: "scenarios", scenarios: BUILTIN_SCENARIOS.map((s) => ({ ...builtinSummary(s.id, req.lang)!, kubeProxy: resolveKubeProxy(s.cluster.kubeProxy), cni: s.cluster.cni?.type ?? "bridge" })) };
  },
  async run(req) {
    const input = typeof req.scenario === "string" ? builtinScenario(req.scenario) : req.scenario.spec;
    await loadKubeProxyFor(input);
    await loadCniFor(input);
    await loadRussianFor(req.lang);
    if (!input) {
      session = undefined;
      capture = undefined;
      return { kind: "invalid", issues: [{ path: "scenario", message: `unknown scenario "${String(req.scenario)}"` }] };
    }
    const t0 = performance.now();
    const pcap = new PcapngWriter();
    const r = runScenario(input, { taps: [pcap], ...(req.lang && { lang: req.lang }) });
    if (!r.ok) {
      // The page shows the error, not the previous scenario: the shell must not act on that one either.
      session = undefined;
      capture = undefined;
      return { kind: "invalid", issues: r.issues };
    }
    session = { cluster: r.cluster, flows: [...r.trace.flows] };
    capture = pcap;
    const s = told(req.scenario, r.cluster.scenario, req.lang);
    const nodes = [...r.cluster.nodes.filter((n) => n.role === "worker"), ...r.cluster.nodes.filter((n) => n.role === "controller")].map((n) => n.name);
    const answer: RunResult = {
      kind: "run",
      scenario: {
        id: s.id,
        title: s.title,
        description: s.description,
        kubeProxy: resolveKubeProxy(r.cluster.scenario.cluster.kubeProxy),
        cni: r.cluster.scenario.cluster.cni.type ?? "bridge",
        ...(r.cluster.scenario.cluster.cni.encapsulation && { encapsulation: r.cluster.scenario.cluster.cni.encapsulation }),
        vpcPodRoutes: vpcPodRoutes(r.cluster),
      },
      trace: r.trace,
      topology: withCniBridges(describeTopology(r.cluster), r.cluster),
      nodes: [...nodes, r.cluster.router, r.cluster.client],
    };
    // The engine's part of a load, in the worker's own timeline (the page's "run answered" adds the copying); the last one only.
    performance.clearMeasures("hopscope: engine run");
    performance.measure("hopscope: engine run", { start: t0, end: performance.now() });
    return answer;
  },
  rules(req) {
    const ns = nodeNs(req.node);
    const chains: RuleChain[] = [];
    if (ns) for (const c of panelChains(ns)) chains.push({ table: c.table, chain: c.name, count: c.count });
    return { kind: "rules", node: req.node, chains };
  },
  ruleText(req) {
    const ns = nodeNs(req.node);
    const from = Math.max(0, Math.floor(req.from));
    const end = from + Math.max(0, Math.min(MAX_RULE_TEXTS, Math.floor(req.count)));
    const rules: string[] = [];
    if (ns && end > from) {
      // Only the rules asked for are formatted: a big node's nat table holds tens of thousands.
      let row = 0;
      for (const chain of panelChains(ns)) {
        const n = chain.count;
        if (row + n > from) for (let i = Math.max(0, from - row); i < n && row + i < end; i++) rules.push(chain.text(i));
        row += n;
        if (row >= end) break;
      }
    }
    return { kind: "ruleText", node: req.node, from, rules };
  },
  ruleFind(req) {
    const ns = nodeNs(req.node);
    const needle = req.text.toLowerCase();
    if (!ns || needle === "") return { kind: "ruleFind", node: req.node, matches: 0 };
    const rows: number[] = [];
    searchTexts(ns).forEach((t, i) => t.includes(needle) && rows.push(i));
    if (rows.length === 0) return { kind: "ruleFind", node: req.node, matches: 0 };
    // The first match at or after `from`; going backwards, the one before that (or `from` itself).
    const after = rows.findIndex((r) => r >= req.from);
    let k: number;
    if (!req.backwards) k = after < 0 ? 0 : after;
    else if (after >= 0 && rows[after] === req.from) k = after;
    else k = (after < 0 ? rows.length : after) - 1;
    if (k < 0) k = rows.length - 1;
    return { kind: "ruleFind", node: req.node, matches: rows.length, row: rows[k]!, nth: k + 1 };
  },
  async exec(req) {
    if (!session) return { kind: "exec", code: 1, display: "no scenario is loaded\n", flows: [] };
    const { resolveTarget, runLine } = await loadShell();
    const t = resolveTarget(session.cluster, req.target);
    if ("error" in t) return { kind: "exec", code: 1, display: `${t.error}\n`, flows: [], targetError: t.error };
    const ns = t.ns;
    const r = withNarration(req.lang, () => runLine(session!, ns, req.line, { clock: () => performance.now() }));
    // A terminal is no place for a quarter of a million lines (iptables-save on a big node):
    // the page gets the first ones and the count of the rest; the CLI prints everything.
    return { kind: "exec", code: r.code, display: capLines(r.display, MAX_TERMINAL_LINES, req.lang), flows: r.flows };
  },
  pcap() {
    // An error answer, not a file: there is no capture to give.
    if (!session || !capture) throw new Error("no scenario is loaded");
    return { kind: "pcap", scenario: session.cluster.scenario.id, bytes: capture.bytes(), frames: capture.frames };
  },
  document(req) {
    if ("blank" in req.of) return { kind: "document", spec: blankScenario() };
    const spec = builtinScenario(req.of.id);
    if (!spec) return { kind: "invalid", issues: [{ path: "scenario", message: `unknown scenario "${clip(req.of.id)}"` }] };
    return { kind: "document", spec: structuredClone(spec) };
  },
  validate(req) {
    const parsed = parseJsonText(req.text);
    if (!parsed.ok) {
      const at = /line (\d+), column (\d+)/.exec(parsed.where);
      return { kind: "validate", issues: [{ path: "", message: parsed.message, ...(at && { line: Number(at[1]), column: Number(at[2]) }) }] };
    }
    const v = validateScenario(parsed.value);
    if (v.ok) return { kind: "validate", issues: [], spec: parsed.value };
    return { kind: "validate", issues: v.issues.map((i) => ({ ...i, ...locatePath(req.text, i.path) })) };
  },
  async trace(req) {
    const input = typeof req.scenario === "string" ? builtinScenario(req.scenario) : req.scenario.spec;
    await loadKubeProxyFor(input);
    await loadCniFor(input);
    await loadRussianFor(req.lang);
    if (!input) return { kind: "invalid", issues: [{ path: "scenario", message: `unknown scenario "${clip(String(req.scenario))}"` }] };
    const r = runScenario(input, req.lang ? { lang: req.lang } : {});
    if (!r.ok) return { kind: "invalid", issues: r.issues };
    const s = told(req.scenario, r.cluster.scenario, req.lang);
    return { kind: "trace", scenario: { id: s.id, title: s.title, description: s.description, kubeProxy: resolveKubeProxy(r.cluster.scenario.cluster.kubeProxy), cni: r.cluster.scenario.cluster.cni.type ?? "bridge" }, trace: r.trace, topology: withCniBridges(describeTopology(r.cluster), r.cluster) };
  },
  async complete(req) {
    if (!session) return { kind: "complete", line: req.line, options: [] };
    const { resolveTarget, complete } = await loadShell();
    const t = resolveTarget(session.cluster, req.target);
    if ("error" in t) return { kind: "complete", line: req.line, options: [] };
    return { kind: "complete", ...complete(session, t.ns, req.line) };
  },
};

/** A request's answer, or its failure as an error answer: nothing a request does escapes as an exception. */
/**
 * Today's kube-proxy rule writers load the first time a scenario asks for one (select.ts), so
 * the worker's start carries only the article's. A scenario whose choice is not modelled is left
 * to validation, which says so.
 */
async function loadKubeProxyFor(input: unknown): Promise<void> {
  const kp = (input as { cluster?: { kubeProxy?: unknown } } | undefined)?.cluster?.kubeProxy;
  if (typeof kp !== "object" || kp === null) return;
  const choice = resolveKubeProxy(kp as { mode?: "iptables" | "nftables"; version?: string });
  if (kubeProxyProblem(choice) !== undefined || proxierLoaded(choice)) return;
  const today = await import("../engine/kube-proxy/today-proxiers");
  today.registerTodaysProxiers();
}

/** flannel's (and Calico's) plugin loads the first time a scenario asks for it (cni/others.ts). */
async function loadCniFor(input: unknown): Promise<void> {
  const type = (input as { cluster?: { cni?: { type?: unknown } } } | undefined)?.cluster?.cni?.type;
  if (type !== "flannel" && type !== "calico") return;
  if (cniLoaded(type)) return;
  (await import("../engine/cni/others")).registerOtherCnis();
}

/** The built-ins' Russian texts load the first time a request is in Russian (scenarios/russian.ts). */
async function loadRussianFor(lang: NarrationLang | undefined): Promise<void> {
  if (lang !== "ru" || builtinRussianLoaded()) return;
  (await import("../engine/scenarios/russian")).installRussianBuiltins();
}

export async function handle<K extends Kind>(req: EngineRequest<K>): Promise<EngineResponse<K>> {
  try {
    const answer: (r: RequestOf<K>) => Promise<ResultOf<K>> | ResultOf<K> = handlers[req.kind];
    return { id: req.id, ok: true, result: await answer(req) };
  } catch (e) {
    return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
