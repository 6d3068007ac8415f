/**
 * The endpoints controller: for each service port, the pods its selector picks and the port
 * its targetPort names there, sorted as the Endpoints object lists them; the apiserver publishes
 * the kubernetes service's own endpoints (the controllers).
 */
import type { ProxyServicePort } from "../kube-proxy/proxier";
import type { PodInfo } from "./build";
import { loadBalancerIngress, type Scenario, type ServiceSpec } from "./spec";

export interface ServicePortInfo extends ProxyServicePort {
  readonly targetPort: number | string;
  /** What-if: endpoints kube-proxy still has rules for, whose pods are gone (not in the Endpoints object). */
  readonly staleEndpoints: readonly { readonly ip: string; readonly port: number }[];
}

/** Endpoint order of the Endpoints object: sorted by IP as a string (so 10.200.0.10 < 10.200.0.9). */
export function sortEndpoints<T extends { ip: string }>(eps: readonly T[]): T[] {
  return [...eps].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

/** Pods by "namespace/key=value", so a selector looks at the few pods that carry its first label. */
export function labelIndex(pods: readonly PodInfo[]): Map<string, PodInfo[]> {
  const index = new Map<string, PodInfo[]>();
  for (const p of pods) {
    for (const [k, val] of Object.entries(p.labels)) {
      const key = `${p.namespace}/${k}=${val}`;
      const list = index.get(key);
      if (list) list.push(p);
      else index.set(key, [p]);
    }
  }
  return index;
}

/** A service's ports with their endpoints resolved. */
export function resolvePorts(sv: ServiceSpec, index: ReadonlyMap<string, readonly PodInfo[]>, s: Scenario): ServicePortInfo[] {
  const terms = Object.entries(sv.selector);
  const candidates = terms.length === 0 ? [] : (index.get(`${sv.namespace}/${terms[0]![0]}=${terms[0]![1]}`) ?? []);
  const selected = candidates.filter((p) => terms.every(([k, val]) => p.labels[k] === val));
  const lbIp = sv.type === "LoadBalancer" ? loadBalancerIngress(s).get(`${sv.namespace}/${sv.name}`) : undefined;
  return sv.ports.map((port) => {
    const target = port.targetPort ?? port.port;
    let endpoints: { ip: string; port: number; node?: string }[];
    if (sv.namespace === "default" && sv.name === "kubernetes" && Object.keys(sv.selector).length === 0) {
      // The API server publishes its own endpoints: the controllers.
      endpoints = s.cluster.controllers.map((c) => ({ ip: c.ip, port: typeof target === "number" ? target : 6443, node: c.name }));
    } else {
      endpoints = [];
      for (const p of selected) {
        let num: number | undefined = typeof target === "number" ? target : undefined;
        if (typeof target === "string") {
          num = p.containers.flatMap((c) => c.ports).find((cp) => cp.name === target && cp.protocol === port.protocol)?.containerPort;
        }
        if (num !== undefined) endpoints.push({ ip: p.ip, port: num, node: p.node });
      }
    }
    return {
      namespace: sv.namespace,
      service: sv.name,
      portName: port.name,
      protocol: port.protocol,
      clusterIP: sv.clusterIP,
      port: port.port,
      ...(port.nodePort !== undefined && { nodePort: port.nodePort }),
      externalTrafficPolicy: sv.externalTrafficPolicy,
      // type LoadBalancer: the address the cloud gave (status.loadBalancer.ingress).
      ...(sv.type === "LoadBalancer" && lbIp !== undefined && { loadBalancerIPs: [lbIp] }),
      ...(sv.type === "LoadBalancer" && sv.loadBalancerSourceRanges?.length && { loadBalancerSourceRanges: sv.loadBalancerSourceRanges }),
      ...(sv.healthCheckNodePort !== undefined && { healthCheckNodePort: sv.healthCheckNodePort }),
      sessionAffinity: sv.sessionAffinity,
      endpoints: sortEndpoints(endpoints),
      targetPort: target,
      // A stale endpoint belongs to the port that targets its port number (any port of a one-port service).
      staleEndpoints: sv.staleEndpoints.filter((e) => target === e.port || sv.ports.length === 1),
    };
  });
}
