/**
 * The cloud around the cluster: the VPC router on the host network (a fabric that routes each
 * pod CIDR to its worker and does not decrement TTL), the edge's 1:1 NAT between public and
 * private addresses, the client on the internet behind the router's public side, and the load
 * balancers of type LoadBalancer services (publishLoadBalancers).
 */
import { formatIpv4, ipv4, parseCidr, type Ipv4 } from "../addr/ipv4";
import type { Scenario } from "../k8s/spec";
import type { ProxyServicePort } from "../kube-proxy/proxier";
import { say } from "../narrate";
import { iptablesRestoreOrThrow } from "../netfilter/save";
import { hashString } from "../rng";
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

/**
 * The VPC routes for the pod networks "auto" gives: one per worker's pod CIDR when the pods'
 * own addresses cross the VPC (the bridge plugin's routed pods); none under an overlay (flannel's
 * VXLAN, Calico's), whose packets between nodes carry only the nodes' addresses, nor under Calico
 * routed, whose nodes route each other's blocks directly.
 */
export function autoPodRoutes(s: Scenario): { dst: string; via: string }[] {
  if (s.cluster.cni.type === "flannel") return [];
  // Calico: VXLAN is an overlay like flannel's; routed ("none"), each node's BIRD routes every
  // other block via that node's address on the segment they share, so the pods' packets go
  // node to node without the VPC router, and egress is masqueraded (natOutgoing).
  if (s.cluster.cni.type === "calico") return [];
  return s.cluster.workers.map((w) => ({ dst: w.podCidr, via: w.ip }));
}

/** The VPC routes for the pod CIDRs (autoPodRoutes for "auto") and the edge's 1:1 NAT for the nodes' public addresses. */
export function routeAndPublish(world: World, s: Scenario, nodes: readonly { name: string; ip: string; publicIp?: string }[]): void {
  const routes = s.cloud.podRoutes === "auto" ? autoPodRoutes(s) : s.cloud.podRoutes;
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

/** A type LoadBalancer service's port as the cloud sees it: the forwarding rule's address, protocol and port, and where its traffic may go. */
export interface LoadBalancerFrontend {
  /** "namespace/name". */
  readonly service: string;
  readonly ip: string;
  readonly proto: "tcp" | "udp";
  readonly port: number;
  /** The target pool: every worker, in the scenario's order. */
  readonly targets: readonly { readonly name: string; readonly ip: string }[];
  /** externalTrafficPolicy Local: the nodes the health check on healthCheckNodePort finds serving (a local endpoint). */
  readonly healthy?: readonly string[];
  /** The port the health check asks (kube-proxy's health-check server on every node). */
  readonly healthCheckNodePort?: number;
}

/**
 * The nodes a connection to a frontend may be sent to: with a health check (policy Local), the
 * targets it finds serving; when it finds none, all of them, as a GCE target pool sends to every
 * instance when none is healthy.
 */
export function loadBalancerTargets(f: LoadBalancerFrontend): readonly { readonly name: string; readonly ip: string }[] {
  if (!f.healthy) return f.targets;
  const up = f.targets.filter((t) => f.healthy!.includes(t.name));
  return up.length ? up : f.targets;
}

/**
 * The node the load balancer sends a connection to: a hash of its 5-tuple (GCE's target pools
 * with session affinity NONE hash the 5-tuple), seeded by the scenario's seed so the same
 * scenario always picks the same node, and every packet of a connection goes to one node.
 */
export function loadBalancerPick(f: LoadBalancerFrontend, seed: number, p: { src: number; sport: number; dport: number }): { readonly name: string; readonly ip: string } {
  const targets = loadBalancerTargets(f);
  return targets[hashString(`lb|${seed}|${f.proto}|${formatIpv4(p.src)}|${p.sport}|${f.ip}|${p.dport}`) % targets.length]!;
}

/**
 * The cloud load balancers of type LoadBalancer services, modelled on Google Cloud's external
 * passthrough network load balancer (KTHW ran on GCE; a LoadBalancer service there got a
 * forwarding rule and a target pool of the cluster's nodes):
 * - The router (which stands for the cloud's fabric) forwards a packet for a forwarding rule's
 *   address, protocol and port to one target node, picked by loadBalancerPick. It does no NAT:
 *   the packet arrives at the node with the load balancer's address still its destination.
 * - Every worker has that address as a local route (`local <ip> dev eth0 proto 66 scope host` in
 *   table local), as GCE's guest agent adds for each forwarded IP of its instance. kube-proxy's
 *   nat PREROUTING rules DNAT the packet before routing, so the route is not what accepts it;
 *   it matters for what no rule DNATs: `-m addrtype --dst-type LOCAL` matches it, and a packet
 *   KUBE-FW marked for dropping is routed to INPUT, where KUBE-FIREWALL drops it (without the
 *   route the node would forward it, and FORWARD has no KUBE-FIREWALL).
 * - A reply leaves the node with the load balancer's address as its source (conntrack undoes
 *   the DNAT) and the router routes it to the client as any packet: the cloud sends it back.
 * - externalTrafficPolicy Local: the cloud's health check asks kube-proxy on healthCheckNodePort,
 *   which answers 200 only on a node with a local endpoint; the target set is those nodes.
 */
export function publishLoadBalancers(world: World, s: Scenario, frontends: readonly LoadBalancerFrontend[]): void {
  if (frontends.length === 0) return;
  const router = world.get(ROUTER);
  const byKey = new Map<string, LoadBalancerFrontend>();
  for (const f of frontends) byKey.set(`${f.ip}|${f.proto}|${f.port}`, f);
  router.steer = (p) => {
    if (p.proto === "icmp") return undefined;
    const f = byKey.get(`${formatIpv4(p.dst)}|${p.proto}|${p.dport}`);
    if (!f) return undefined;
    const node = loadBalancerPick(f, s.seed, p);
    const frontend = `${f.ip}:${f.port}/${f.proto.toUpperCase()}`;
    return {
      via: ipv4(node.ip),
      dev: "eth0",
      text: say.loadBalancerPicks(frontend, f.service, node.name, node.ip, loadBalancerTargets(f).length, f.healthy !== undefined),
      route: `${f.ip} via ${node.ip} dev eth0 (load balancer ${frontend}, 5-tuple hash) `,
    };
  };
  const ips = [...new Set(frontends.map((f) => f.ip))];
  const healthPorts = [...new Set(frontends.flatMap((f) => (f.healthCheckNodePort !== undefined ? [f.healthCheckNodePort] : [])))];
  for (const w of s.cluster.workers) {
    const ns = world.get(w.name);
    for (const ip of ips) ns.addRoute({ table: "local", type: "local", dst: parseCidr(`${ip}/32`), dev: "eth0", proto: "66", scope: "host" });
    // kube-proxy's health-check server listens on every node (200 where the service has a local endpoint, 503 elsewhere).
    for (const port of healthPorts) ns.listeners.push({ proto: "tcp", port, app: "kube-proxy (health check)" });
  }
}

/** The frontends of a cluster's LoadBalancer service ports (kube-proxy's view of them: ports with loadBalancerIPs). */
export function loadBalancerFrontends(s: Scenario, ports: readonly ProxyServicePort[]): LoadBalancerFrontend[] {
  const targets = s.cluster.workers.map((w) => ({ name: w.name, ip: w.ip }));
  const out: LoadBalancerFrontend[] = [];
  for (const p of ports) {
    for (const ip of p.loadBalancerIPs ?? []) {
      const healthy =
        p.externalTrafficPolicy === "Local"
          ? { healthy: [...new Set(p.endpoints.flatMap((e) => (e.node !== undefined ? [e.node] : [])))], ...(p.healthCheckNodePort !== undefined && { healthCheckNodePort: p.healthCheckNodePort }) }
          : {};
      out.push({ service: `${p.namespace}/${p.service}`, ip, proto: p.protocol === "TCP" ? "tcp" : "udp", port: p.port, targets, ...healthy });
    }
  }
  return out;
}
