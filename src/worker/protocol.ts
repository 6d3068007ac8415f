/**
 * The typed protocol between the UI thread and the engine worker — the only module both sides
 * import. Requests carry an id; every answer, good or bad, comes back as data with that id.
 */
import type { Topology } from "../engine/k8s/topology";
import type { Flow, Trace } from "../engine/trace";

export interface ScenarioSummary {
  readonly id: string;
  readonly title: string;
  readonly description: string;
}

/** One of a node's iptables rules, in iptables-save order, for the per-node panel. */
export interface NodeRule {
  readonly table: string;
  readonly chain: string;
  /** 1-based position in its chain, as rule steps count. */
  readonly index: number;
  readonly rule: string;
}

export type EngineRequest =
  | { readonly id: number; readonly kind: "scenarios" }
  /** A built-in scenario by id, or a whole scenario document (validated by the worker). */
  | { readonly id: number; readonly kind: "run"; readonly scenario: string | { readonly spec: unknown } }
  /** A shell line on a node or pod of the last scenario run: "worker-0" or "worker-0/<pod>". */
  | { readonly id: number; readonly kind: "exec"; readonly target: string; readonly line: string }
  /** Tab completion of a shell line's last word on that node or pod. */
  | { readonly id: number; readonly kind: "complete"; readonly target: string; readonly line: string }
  /** A node's nat and filter rules, formatted when the panel shows the node. */
  | { readonly id: number; readonly kind: "rules"; readonly node: string }
  /** The session's frames (the scenario's traffic and every shell line's since) as a pcapng file. */
  | { readonly id: number; readonly kind: "pcap" };

export type EngineResult =
  | { readonly kind: "scenarios"; readonly scenarios: readonly ScenarioSummary[] }
  | {
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
  | { readonly kind: "rules"; readonly node: string; readonly rules: readonly NodeRule[] }
  | { readonly kind: "invalid"; readonly issues: readonly { readonly path: string; readonly message: string }[] }
  | {
      readonly kind: "exec";
      readonly code: number;
      /** stdout and stderr in the order a terminal shows them. */
      readonly display: string;
      /** Flows the line traced (ping, curl, nslookup …), to be appended to the trace. */
      readonly flows: readonly Flow[];
      /** Set when the line was not run because its node or pod is not in the scenario. */
      readonly targetError?: string;
    }
  | { readonly kind: "complete"; readonly line: string; readonly options: readonly string[] }
  | {
      readonly kind: "pcap";
      /** The id of the scenario the session runs (the file is named after it). */
      readonly scenario: string;
      readonly bytes: Uint8Array<ArrayBuffer>;
      /** Frames in the file. */
      readonly frames: number;
    };

export type EngineResponse =
  | { readonly id: number; readonly ok: true; readonly result: EngineResult }
  | { readonly id: number; readonly ok: false; readonly error: string };
