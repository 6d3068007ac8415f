/**
 * Clusters of any size for the layout's checks: `workers` workers with `podsPerWorker` pods each
 * (spread by Deployments of up to 1,000 replicas), `services` services, and two flows that cross
 * the cluster: a ping from a pod on worker-0 to a pod on worker-1, and a curl to a ClusterIP.
 */
export function clusterScenario(workers: number, podsPerWorker: number, services = 3): Record<string, unknown> {
  const total = Math.max(0, workers * podsPerWorker - 2);
  const deployments = [];
  for (let made = 0, k = 0; made < total; k++) {
    const replicas = Math.min(1000, total - made);
    deployments.push({ kind: "Deployment", name: `app${k}`, labels: { app: "web" }, replicas, containers: [{ name: "web", image: "nginx", ports: [{ name: "http", containerPort: 80 }] }] });
    made += replicas;
  }
  return {
    version: 1,
    id: `cluster-${workers}x${podsPerWorker}`,
    title: `${workers} workers × ${podsPerWorker} pods`,
    cluster: {
      hostNetwork: "10.240.0.0/24",
      podNetwork: "10.200.0.0/16",
      serviceNetwork: "10.32.0.0/24",
      gateway: "10.240.0.1",
      controllers: [0, 1, 2].map((i) => ({ name: `controller-${i}`, ip: `10.240.0.${10 + i}` })),
      workers: Array.from({ length: workers }, (_, i) => ({ name: `worker-${i}`, ip: `10.240.0.${20 + i}`, podCidr: `10.200.${i}.0/24` })),
    },
    cloud: { client: { ip: "203.0.113.10" } },
    workloads: [
      { kind: "Pod", name: "client-0", labels: { app: "client" }, node: "worker-0", containers: [{ name: "busybox", image: "busybox" }] },
      { kind: "Pod", name: "server-1", labels: { app: "web" }, node: "worker-1", containers: [{ name: "web", image: "nginx", ports: [{ name: "http", containerPort: 80 }] }] },
      ...deployments,
    ],
    services: Array.from({ length: services }, (_, i) => ({ name: i === 0 ? "web" : `svc${i}`, clusterIP: `10.32.0.${10 + i}`, selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] })),
    traffic: [
      { kind: "ping", from: { pod: "client-0" }, to: { pod: "server-1" } },
      { kind: "curl", from: { pod: "client-0" }, to: { service: "web" } },
    ],
  };
}
