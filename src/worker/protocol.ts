/**
 * The typed protocol between the UI thread and the engine worker — the only module both sides
 * import. Requests carry an id; every answer, good or bad, comes back as data with that id.
 * Each kind of request has its kind of result (`Results`): `request({ kind: "rules", … })`
 * answers a `RulesResult`, and only `run` may also answer `invalid`.
 */
import type { NarrationLang } from "../engine/narrate";
import type { Topology } from "../engine/k8s/topology";
import type { Flow, Trace } from "../engine/trace";
import type { KubeProxyChoice } from "../engine/kube-proxy/releases";
import type { CniType } from "../engine/k8s/spec";

export interface ScenarioSummary {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The kube-proxy its nodes run (the default and "latest" resolved); in run and trace answers. */
  readonly kubeProxy?: KubeProxyChoice;
  /** The CNI plugin its cluster runs (`cluster.cni.type`, "bridge" when absent); the picker groups by it. */
  readonly cni?: CniType;
  /** In run answers on Calico: its IP pool's encapsulation ("none": routed by the nodes). */
  readonly encapsulation?: "none" | "ipip" | "vxlan";
  /**
   * In run answers: the VPC router's routes into the pod network ("10.200.0.0/24 via 10.240.0.20"),
   * as its routing table holds them (none on flannel's overlay).
   */
  readonly vpcPodRoutes?: readonly string[];
}

/**
 * One chain of a node's rules, for the per-node panel's outline: the chains of the nat and filter
 * tables in iptables-save order, each with its number of rules, then on a node with nftables
 * tables each nft table's chains in `nft list` order. A row of the panel is a rule's
 * place in that order (the nat table's first rule is row 0); its text is asked for when shown.
 */
export interface RuleChain {
  /** An iptables table ("nat", "filter"), or an nft table as nft names it, family first ("ip kube-proxy"). */
  readonly table: string;
  readonly chain: string;
  /** How many rules the chain holds. */
  readonly count: number;
}

/** The most rule texts one `ruleText` request answers with. */
export const MAX_RULE_TEXTS = 5000;

/** What each kind of request carries besides its kind and id. */
export interface Requests {
  /** The built-in scenarios' ids, titles and descriptions, the titles in `lang`. */
  readonly scenarios: { readonly lang?: NarrationLang };
  /** A built-in scenario by id, or a whole scenario document (validated by the worker). */
  /** `lang`: the language of the trace's sentences (English when absent). */
  readonly run: { readonly scenario: string | { readonly spec: unknown }; readonly lang?: NarrationLang };
  /** A shell line on a node or pod of the last scenario run: "worker-0" or "worker-0/<pod>"; its flows told in `lang`. */
  readonly exec: { readonly target: string; readonly line: string; readonly lang?: NarrationLang };
  /** Tab completion of a shell line's last word on that node or pod. */
  readonly complete: { readonly target: string; readonly line: string };
  /** A node's nat and filter chains, with how many rules each holds (nothing is formatted). */
  readonly rules: { readonly node: string };
  /**
   * The text of `count` of a node's rules (at most MAX_RULE_TEXTS), from row `from` of the
   * outline `rules` answers: formatted as iptables-save prints them, only when shown.
   */
  readonly ruleText: { readonly node: string; readonly from: number; readonly count: number };
  /**
   * Finds text (any case) in a node's rules as iptables-save prints them: the first matching row
   * at or after `from` (at or before it, `backwards`), wrapping around, and how many rows match.
   */
  readonly ruleFind: { readonly node: string; readonly text: string; readonly from: number; readonly backwards?: boolean };
  /** The session's frames (the scenario's traffic and every shell line's since) as a pcapng file. */
  readonly pcap: object;
  /** A scenario's document, to edit: a built-in's by id, or a blank one to build on. */
  readonly document: { readonly of: { readonly id: string } | { readonly blank: true } };
  /** Scenario JSON text as the editor holds it: checked, each problem placed in the text. */
  readonly validate: { readonly text: string };
  /** A scenario traced on its own, for comparing: the session (the shell's cluster) is not touched. */
  readonly trace: { readonly scenario: string | { readonly spec: unknown }; readonly lang?: NarrationLang };
}

export type Kind = keyof Requests;

/** A request of kind K (of any kind, by default) as the UI writes it: without an id. */
export type RequestOf<K extends Kind = Kind> = { [P in K]: { readonly kind: P } & Requests[P] }[K];

/** A request as it travels to the worker. */
export type EngineRequest<K extends Kind = Kind> = RequestOf<K> & { readonly id: number };

export interface ScenariosResult {
  readonly kind: "scenarios";
  readonly scenarios: readonly ScenarioSummary[];
}

export interface RunResult {
  readonly kind: "run";
  readonly scenario: ScenarioSummary;
  readonly trace: Trace;
  readonly topology: Topology;
  /**
   * The namespaces a step can happen in, for the node panel: workers, controllers, the VPC
   * router and the internet client (a pod's steps belong to its node's panel).
   */
  readonly nodes: readonly string[];
}

export interface RuleFindResult {
  readonly kind: "ruleFind";
  readonly node: string;
  /** How many of the node's rules contain the text. */
  readonly matches: number;
  /** The row found, and which of the matches it is (from 1); absent when none matches. */
  readonly row?: number;
  readonly nth?: number;
}

/** A scenario the worker would not run (unknown, or not a valid document), and why. */
export interface InvalidResult {
  readonly kind: "invalid";
  readonly issues: readonly { readonly path: string; readonly message: string }[];
}

export interface ExecResult {
  readonly kind: "exec";
  readonly code: number;
  /** stdout and stderr in the order a terminal shows them. */
  readonly display: string;
  /** Flows the line traced (ping, curl, nslookup …), to be appended to the trace. */
  readonly flows: readonly Flow[];
  /** Set when the line was not run because its node or pod is not in the scenario. */
  readonly targetError?: string;
}

export interface CompleteResult {
  readonly kind: "complete";
  readonly line: string;
  readonly options: readonly string[];
}

export interface RulesResult {
  readonly kind: "rules";
  readonly node: string;
  /** In iptables-save order: the nat table's chains, then the filter table's; none when the node has no rules. */
  readonly chains: readonly RuleChain[];
}

export interface RuleTextResult {
  readonly kind: "ruleText";
  readonly node: string;
  readonly from: number;
  /** The rules from row `from` on, as iptables-save prints them ("-A KUBE-SERVICES …"), an nft rule as `nft -s list` does; fewer at the end. */
  readonly rules: readonly string[];
}

export interface PcapResult {
  readonly kind: "pcap";
  /** The id of the scenario the session runs (the file is named after it). */
  readonly scenario: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Frames in the file. */
  readonly frames: number;
}

export interface DocumentResult {
  readonly kind: "document";
  readonly spec: unknown;
}

/** One problem in scenario JSON: the field's path ("" for the text itself), and where the text has it. */
export interface Issue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface ValidateResult {
  readonly kind: "validate";
  readonly issues: readonly Issue[];
  /** The document, when the text is a valid scenario. */
  readonly spec?: unknown;
}

export interface TraceResult {
  readonly kind: "trace";
  readonly scenario: ScenarioSummary;
  readonly trace: Trace;
  readonly topology: Topology;
}

/** What each kind of request is answered with. */
export interface Results {
  readonly scenarios: ScenariosResult;
  readonly run: RunResult | InvalidResult;
  readonly exec: ExecResult;
  readonly complete: CompleteResult;
  readonly rules: RulesResult;
  readonly ruleText: RuleTextResult;
  readonly ruleFind: RuleFindResult;
  readonly pcap: PcapResult;
  readonly document: DocumentResult | InvalidResult;
  readonly validate: ValidateResult;
  readonly trace: TraceResult | InvalidResult;
}

export type ResultOf<K extends Kind> = Results[K];

export type EngineResult = Results[Kind];

/** The result kinds each request kind may be answered with, for the one check at run time (in the client). */
export const RESULT_KINDS: { readonly [K in Kind]: readonly ResultOf<K>["kind"][] } = {
  scenarios: ["scenarios"],
  run: ["run", "invalid"],
  exec: ["exec"],
  complete: ["complete"],
  rules: ["rules"],
  ruleText: ["ruleText"],
  ruleFind: ["ruleFind"],
  pcap: ["pcap"],
  document: ["document", "invalid"],
  validate: ["validate"],
  trace: ["trace", "invalid"],
};

export type EngineResponse<K extends Kind = Kind> =
  | { readonly id: number; readonly ok: true; readonly result: ResultOf<K> }
  | { readonly id: number; readonly ok: false; readonly error: string };
