/**
 * The CNI plugin a scenario's `cluster.cni.type` names. The article's bridge plugin is always
 * here; the others (flannel, Calico) are registered by others.ts, which Node entry points (the
 * CLI, the benchmarks, the tests' setup) call at start and the Web Worker loads the first time a
 * scenario asks for one, so a first view of the article's cluster does not carry them.
 */
import type { CniType } from "../k8s/spec";
import { bridgePlugin } from "./bridge";
import type { CniPlugin } from "./plugin";

const FACTORIES = new Map<CniType, () => CniPlugin>([["bridge", bridgePlugin]]);

/** Makes a CNI plugin available to cniPluginFor. */
export function registerCni(type: CniType, factory: () => CniPlugin): void {
  FACTORIES.set(type, factory);
}

/** Whether cniPluginFor can give this plugin now (its module is loaded). */
export function cniLoaded(type: CniType): boolean {
  return FACTORIES.has(type);
}

/** A new plugin instance (each cluster keeps its own IPAM state) for a validated scenario's type. */
export function cniPluginOf(type: CniType): CniPlugin {
  const make = FACTORIES.get(type);
  if (!make) throw new Error(`the ${type} CNI plugin is not loaded (cni/others.ts registers it)`);
  return make();
}
