/** What the UI draws: the cluster's machines, pods, networks and services, as plain data. */
import { formatIpv4 } from "../addr/ipv4";
import type { Cluster, PodInfo } from "./build";

export interface TopologyNode {
  /** The engine namespace's name, which trace steps name as `node`. */
  readonly id: string;
  readonly kind: "controller" | "worker" | "router" | "client";
  readonly ip: string;
  readonly publicIp?: string;
  readonly podCidr?: string;
  readonly bridge?: { readonly name: string; readonly ip: string };
}

export interface TopologyPod {
  readonly name: string;
  readonly namespace: string;
  readonly node: string;
  readonly ip: string;
  readonly hostVeth: string;
  /** Whether its shell is busybox's (the prompt `/ #` and busybox's ping, nslookup, wget). */
  readonly busybox: boolean;
}

export interface TopologyService {
  readonly name: string;
  readonly namespace: string;
  readonly clusterIP: string;
  readonly ports: readonly string[];
}

export interface Topology {
  readonly hostNetwork: string;
  readonly podNetwork: string;
  readonly serviceNetwork: string;
  readonly nodes: readonly TopologyNode[];
  readonly pods: readonly TopologyPod[];
  readonly services: readonly TopologyService[];
}

/** Whether a pod's containers include busybox, whose shell and applets a `kubectl exec` gets. */
export function runsBusybox(p: PodInfo): boolean {
  return p.containers.some((c) => c.image.split("/").pop()!.split(":")[0] === "busybox");
}

export function describeTopology(c: Cluster): Topology {
  const s = c.scenario;
  const nodes: TopologyNode[] = [];
  const router = c.world.get(c.router);
  nodes.push({ id: c.router, kind: "router", ip: s.cluster.gateway, publicIp: formatIpv4(router.iface("ext0")!.addrs[0]!.ip) });
  nodes.push({ id: c.client, kind: "client", ip: s.cloud.client.ip });
  for (const n of c.nodes) {
    const worker = s.cluster.workers.find((w) => w.name === n.name);
    const bridge = worker ? { ...s.cluster.cni, ...worker.cni }.bridge : undefined;
    const brIface = bridge ? c.world.get(n.name).iface(bridge) : undefined;
    nodes.push({
      id: n.name,
      kind: n.role,
      ip: n.ip,
      ...(n.publicIp && { publicIp: n.publicIp }),
      ...(n.podCidr && { podCidr: n.podCidr }),
      ...(bridge && brIface && { bridge: { name: bridge, ip: formatIpv4(brIface.addrs[0]!.ip) } }),
    });
  }
  return {
    hostNetwork: s.cluster.hostNetwork,
    podNetwork: s.cluster.podNetwork,
    serviceNetwork: s.cluster.serviceNetwork,
    nodes,
    pods: c.pods.map((p) => ({ name: p.name, namespace: p.namespace, node: p.node, ip: p.ip, hostVeth: p.hostVeth, busybox: runsBusybox(p) })),
    services: c.services.map((sv) => ({
      name: sv.name,
      namespace: sv.namespace,
      clusterIP: sv.clusterIP,
      ports: sv.portsResolved.map((p) => `${p.port}/${p.protocol}${p.nodePort !== undefined ? ` → NodePort ${p.nodePort}` : ""}`),
    })),
  };
}
