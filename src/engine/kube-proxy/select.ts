/**
 * The proxier a scenario's `cluster.kubeProxy` names (releases.ts lists what is modelled).
 * The article's 1.10 is always here; today's rule writers are registered by today-proxiers.ts,
 * which Node entry points (the CLI, the benchmarks, the tests' setup) call at start and the Web
 * Worker loads on demand, the first time a scenario asks for one, so a first view of the
 * article's cluster does not load them.
 */
import { iptablesProxier110 } from "./iptables-1.10";
import type { Proxier } from "./proxier";
import type { KubeProxyChoice } from "./releases";

export interface ProxierCluster {
  readonly podNetwork: string;
  readonly serviceNetwork: string;
}

type Factory = (cluster: ProxierCluster) => Proxier;

const key = (kp: KubeProxyChoice) => `${kp.mode} ${kp.version}`;

const FACTORIES = new Map<string, Factory>([[key({ mode: "iptables", version: "1.10" }), (c) => iptablesProxier110(c.podNetwork)]]);

/** Makes a modelled kube-proxy available to proxierFor. */
export function registerProxier(kp: KubeProxyChoice, factory: Factory): void {
  FACTORIES.set(key(kp), factory);
}

/** Whether proxierFor can give this kube-proxy now (its rule writer is loaded). */
export function proxierLoaded(kp: KubeProxyChoice): boolean {
  return FACTORIES.has(key(kp));
}

/** The proxier for a validated scenario's choice. */
export function proxierFor(kp: KubeProxyChoice, cluster: ProxierCluster): Proxier {
  const make = FACTORIES.get(key(kp));
  if (!make) throw new Error(`kube-proxy ${kp.version} in ${kp.mode} mode is not loaded (today-proxiers.ts registers today's releases)`);
  return make(cluster);
}
