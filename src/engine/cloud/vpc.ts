/**
 * The cloud around the cluster: the VPC router on the host network (a fabric that routes each
 * pod CIDR to its worker and does not decrement TTL), the edge's 1:1 NAT between public and
 * private addresses, and the client on the internet behind the router's public side.
 */
import { formatIpv4, ipv4, parseCidr, type Ipv4 } from "../addr/ipv4";
import type { Scenario } from "../k8s/spec";
import { iptablesRestoreOrThrow } from "../netfilter/save";
import type { World } from "../world";

export const ROUTER = "vpc-router";
/** The L2 segments: the VPC subnet of the nodes, and the internet side of the router. */
export const SEGMENT_HOST = "vpc";
export const SEGMENT_INTERNET = "internet";

/** A node's default route as DHCP installs it on the cloud's images. */
export function dhcpDefaultRoute(via: Ipv4, dev: string, src: Ipv4) {
  return { table: "main" as const, type: "unicast" as const, dst: parseCidr("0.0.0.0/0"), via, dev, proto: "dhcp" as const, scope: "global" as const, src, metric: 100 };
}

/** The router and the client; the node addresses come later, as the nodes join the VPC segment. */
export function setUpCloud(world: World, s: Scenario): { router: string; client: string } {
  const clientNet = parseCidr(`${s.cloud.client.ip}/24`);
  const routerPublic = formatIpv4(clientNet.net + (ipv4(s.cloud.client.ip) === clientNet.net + 1 ? 254 : 1));
  world.addNetns({ name: ROUTER, node: ROUTER, ipForward: true, fabric: true });
  world.ether(ROUTER, "eth0", SEGMENT_HOST, "42:01:0a:f0:00:01");
  world.get(ROUTER).addAddress("eth0", `${s.cluster.gateway}/${parseCidr(s.cluster.hostNetwork).prefix}`);
  world.ether(ROUTER, "ext0", SEGMENT_INTERNET);
  world.get(ROUTER).addAddress("ext0", `${routerPublic}/24`);
  const client = s.cloud.client.name;
  world.addNetns({ name: client, node: client });
  world.ether(client, "eth0", SEGMENT_INTERNET);
  world.get(client).addAddress("eth0", `${s.cloud.client.ip}/24`);
  world.get(client).addRoute({ ...dhcpDefaultRoute(ipv4(routerPublic), "eth0", ipv4(s.cloud.client.ip)), proto: "boot", metric: undefined });
  return { router: ROUTER, client };
}

/** The VPC routes for the pod CIDRs ("auto": one per worker) and the edge's 1:1 NAT for the nodes' public addresses. */
export function routeAndPublish(world: World, s: Scenario, nodes: readonly { name: string; ip: string; publicIp?: string }[]): void {
  const routes = s.cloud.podRoutes === "auto" ? s.cluster.workers.map((w) => ({ dst: w.podCidr, via: w.ip })) : s.cloud.podRoutes;
  for (const r of routes) {
    world.get(ROUTER).addRoute({ table: "main", type: "unicast", dst: parseCidr(r.dst), via: ipv4(r.via), dev: "eth0", proto: "static", scope: "global" });
  }
  const edge: string[] = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"];
  for (const n of nodes) {
    if (!n.publicIp) continue;
    edge.push(`-A PREROUTING -d ${n.publicIp}/32 -m comment --comment "public IP of ${n.name}" -j DNAT --to-destination ${n.ip}`);
    edge.push(`-A POSTROUTING -s ${n.ip}/32 -o ext0 -m comment --comment "public IP of ${n.name}" -j SNAT --to-source ${n.publicIp}`);
  }
  edge.push("COMMIT", "");
  iptablesRestoreOrThrow(world.get(ROUTER).nf, edge.join("\n"), {}, "vpc-router rules");
}
