/**
 * The diagram's topology on other CNIs: describeTopology finds a worker's bridge by the bridge
 * plugin's setting (`cluster.cni.bridge`, cnio0), which flannel's nodes do not have; their pods
 * hang on flannel's delegate bridge (cni0). This names the node's own bridge device, found in its
 * namespace (not by importing flannel's module: the worker loads that on demand).
 */
import { cidrContains, formatCidr, formatIpv4, parseCidr } from "../engine/addr/ipv4";
import type { Cluster } from "../engine/k8s/build";
import type { Topology } from "../engine/k8s/topology";

export function withCniBridges(t: Topology, c: Cluster): Topology {
  if ((c.scenario.cluster.cni.type ?? "bridge") === "bridge") return t;
  return {
    ...t,
    nodes: t.nodes.map((n) => {
      if (n.kind !== "worker" || n.bridge) return n;
      const br = c.world.get(n.id).ifaces.find((i) => i.kind === "bridge" && i.addrs.length > 0);
      const addr = br?.addrs[0];
      return br && addr ? { ...n, bridge: { name: br.name, ip: formatIpv4(addr.ip) } } : n;
    }),
  };
}

/** The VPC router's routes into the cluster's pod network, as `ip route` would name them (destination via gateway). */
export function vpcPodRoutes(c: Cluster): string[] {
  const pods = parseCidr(c.scenario.cluster.podNetwork);
  return c.world
    .get(c.router)
    .routes.filter((r) => r.table === "main" && r.dst.prefix >= pods.prefix && cidrContains(pods, r.dst.net))
    .map((r) => `${formatCidr(r.dst)}${r.via !== undefined ? ` via ${formatIpv4(r.via)}` : ""}`);
}
