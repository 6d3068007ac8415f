/**
 * The diagram's topology on other CNIs: describeTopology finds a worker's bridge by the bridge
 * plugin's setting (`cluster.cni.bridge`, cnio0), which flannel's nodes do not have; their pods
 * hang on flannel's delegate bridge, cni0. This names it, as the node's own interface shows it.
 */
import { formatIpv4 } from "../engine/addr/ipv4";
import type { Cluster } from "../engine/k8s/build";
import type { Topology } from "../engine/k8s/topology";
import { FLANNEL_BRIDGE } from "../engine/cni/flannel";

export function withCniBridges(t: Topology, c: Cluster): Topology {
  if ((c.scenario.cluster.cni.type ?? "bridge") !== "flannel") return t;
  return {
    ...t,
    nodes: t.nodes.map((n) => {
      if (n.kind !== "worker" || n.bridge) return n;
      const br = c.world.get(n.id).iface(FLANNEL_BRIDGE);
      const addr = br?.addrs[0];
      return br && addr ? { ...n, bridge: { name: FLANNEL_BRIDGE, ip: formatIpv4(addr.ip) } } : n;
    }),
  };
}
