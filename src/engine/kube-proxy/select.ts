/** The proxier a scenario's `cluster.kubeProxy` names (see releases.ts). */
import { iptablesProxier110 } from "./iptables-1.10";
import { iptablesProxierModern, KUBE_PROXY_MODERN_VERSION } from "./iptables-modern";
import type { Proxier } from "./proxier";
import type { KubeProxyChoice } from "./releases";

/** The proxier for a validated scenario's choice. */
export function proxierFor(kp: KubeProxyChoice, cluster: { readonly podNetwork: string; readonly serviceNetwork: string }): Proxier {
  if (kp.mode === "iptables" && kp.version === "1.10") return iptablesProxier110(cluster.podNetwork);
  if (kp.mode === "iptables" && kp.version === KUBE_PROXY_MODERN_VERSION) return iptablesProxierModern(cluster.podNetwork);
  throw new Error(`kube-proxy ${kp.version} in ${kp.mode} mode is not modelled`);
}
