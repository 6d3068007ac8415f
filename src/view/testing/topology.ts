/**
 * Topologies of any size, as the worker describes a cluster, for the layout's tests and
 * benchmark (no engine run: a 10,000-pod topology is made in milliseconds).
 */
import type { Topology } from "../../engine/k8s/topology";
import type { Involved } from "../layout";

/** `workers` workers with `perWorker` pods each, `services` services, three controllers, the router and the client. */
export function syntheticTopology(workers: number, perWorker: number, services = 3): Topology {
  const nodes: Topology["nodes"][number][] = [
    { id: "vpc-router", kind: "router", ip: "10.240.0.1", publicIp: "203.0.113.1" },
    { id: "internet-client", kind: "client", ip: "203.0.113.10" },
    ...[0, 1, 2].map((i) => ({ id: `controller-${i}`, kind: "controller" as const, ip: `10.240.0.${10 + i}` })),
    ...Array.from({ length: workers }, (_, i) => ({ id: `worker-${i}`, kind: "worker" as const, ip: `10.240.${Math.floor(i / 200)}.${20 + (i % 200)}`, podCidr: `10.200.${i}.0/24`, bridge: { name: "cnio0", ip: `10.200.${i}.1` } })),
  ];
  const pods = Array.from({ length: workers * perWorker }, (_, k) => {
    const w = k % workers;
    const n = Math.floor(k / workers);
    return { name: `app-${w}-${n}`, namespace: "default", node: `worker-${w}`, ip: `10.200.${w}.${n + 2}`, hostVeth: `veth${k}`, busybox: false };
  });
  const svcs = Array.from({ length: services }, (_, i) => ({ name: `svc${i}`, namespace: "default", clusterIP: `10.32.${Math.floor(i / 250)}.${(i % 250) + 2}`, ports: ["80/TCP"] }));
  return { hostNetwork: "10.240.0.0/16", podNetwork: "10.200.0.0/16", serviceNetwork: "10.32.0.0/16", nodes, pods, services: svcs };
}

/** A trace that crosses the cluster: a pod on worker-0 to a pod on worker-1 through a service. */
export function crossing(t: Topology): Involved {
  const p0 = t.pods.find((p) => p.node === "worker-0");
  const p1 = t.pods.find((p) => p.node === "worker-1");
  return {
    nodes: new Set(["worker-0", "worker-1", "vpc-router"].filter((n) => t.nodes.some((x) => x.id === n))),
    pods: new Set([p0?.name, p1?.name].filter((x): x is string => x !== undefined)),
    services: new Set(t.services.length ? [`default/${t.services[0]!.name}`] : []),
  };
}

