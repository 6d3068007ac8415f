/**
 * The typed protocol between the UI thread and the engine worker — the only module both sides
 * import. Requests carry an id; every answer, good or bad, comes back as data with that id.
 */
import type { Trace } from "../engine/trace";

export type EngineRequest =
  | { readonly id: number; readonly kind: "hello" }
  | { readonly id: number; readonly kind: "demo-trace" }
  /** For tests of the error path: the worker throws while handling it. */
  | { readonly id: number; readonly kind: "crash" };

export type EngineResult =
  | { readonly kind: "hello"; readonly engine: string; readonly namespaces: number }
  | { readonly kind: "demo-trace"; readonly trace: Trace };

export type EngineResponse =
  | { readonly id: number; readonly ok: true; readonly result: EngineResult }
  | { readonly id: number; readonly ok: false; readonly error: string };

export const ENGINE_NAME = "hopscope-engine";
