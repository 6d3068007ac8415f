/**
 * [k8s-cluster] benchmark: a generated cluster of 100 workers, 10,000 pods and 5,000 services
 * (2 ports each, 1–10 endpoints). Prints the build time, a ClusterIP and a NodePort trace
 * (medians), and the heap.
 */
import { formatIpv4, ipv4 } from "../src/engine/addr/ipv4";
import { buildCluster } from "../src/engine/k8s/build";
import { validateScenario, type ScenarioInput } from "../src/engine/k8s/spec";
import { traceTraffic } from "../src/engine/k8s/traffic";
import { runBigNodeShellBench } from "./shell";
import { line, measure, median, ms } from "./util";

export function generatedScenario(workers: number, pods: number, services: number): ScenarioInput {
  const workloads: NonNullable<ScenarioInput["workloads"]> = [];
  const svcs: NonNullable<ScenarioInput["services"]> = [];
  let made = 0;
  for (let s = 0; s < services && made < pods; s++) {
    const replicas = Math.min(1 + (s % 10), pods - made);
    workloads.push({
      kind: "Deployment",
      name: `app${s}`,
      labels: { app: `app${s}` },
      replicas,
      podTemplateHash: 1_000_000 + s,
      containers: [{ name: "app", image: "nginx", ports: [{ name: "http", containerPort: 8080 }, { name: "metrics", containerPort: 9100 }] }],
      pods: Array.from({ length: replicas }, (_, k) => ({ node: `worker-${(made + k) % workers}` })),
    });
    made += replicas;
    svcs.push({
      name: `svc${s}`,
      type: s % 2 ? "NodePort" : "ClusterIP",
      clusterIP: formatIpv4(ipv4("10.32.0.0") + 2 + s * 2),
      selector: { app: `app${s}` },
      ports: [
        { name: "http", port: 80, targetPort: "http", ...(s % 2 ? { nodePort: 30000 + (s % 2700) } : {}) },
        { name: "metrics", port: 9100, targetPort: "metrics" },
      ],
    });
  }
  for (let s = svcs.length; s < services; s++) {
    svcs.push({ name: `svc${s}`, clusterIP: formatIpv4(ipv4("10.32.0.0") + 2 + s * 2), selector: { app: `app${s % 100}` }, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "metrics", port: 9100, targetPort: "metrics" }] });
  }
  return {
    version: 1,
    id: "generated",
    title: `${workers} workers, ${pods} pods, ${services} services`,
    cluster: {
      hostNetwork: "10.240.0.0/16",
      podNetwork: "10.200.0.0/16",
      serviceNetwork: "10.32.0.0/16",
      gateway: "10.240.0.1",
      controllers: [{ name: "controller-0", ip: "10.240.0.10" }],
      workers: Array.from({ length: workers }, (_, i) => ({ name: `worker-${i}`, ip: formatIpv4(ipv4("10.240.1.0") + i), publicIp: formatIpv4(ipv4("198.51.100.0") + (i % 250) + 1), podCidr: `10.200.${i}.0/24` })),
    },
    cloud: { client: { ip: "203.0.113.10" } },
    workloads,
    services: svcs,
    traffic: [{ kind: "ping", from: { node: "worker-0" }, to: { ip: "10.200.1.2" } }],
  };
}

export function runClusterBench(workers = 100, pods = 10_000, services = 5_000): void {
  console.log(`\n[k8s-cluster] generated cluster: ${workers} workers, ${pods.toLocaleString("en")} pods, ${services.toLocaleString("en")} services (2 ports each, 1-10 endpoints)`);
  const input = generatedScenario(workers, pods, services);
  const v = validateScenario(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues.slice(0, 3)));
  if (global.gc) global.gc();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const cluster = buildCluster(v.scenario);
  line("build the cluster (nodes' rules load when a packet first reaches them)", ms(performance.now() - t0));
  const podName = cluster.pods[0]!.name;
  // The services whose rules come first and last in KUBE-SERVICES (before the NodePort jump).
  const podNode = cluster.world.get(cluster.pods[0]!.node);
  const servicesChain = podNode.nf.tables.nat.chains.get("KUBE-SERVICES")!.rules.filter((r) => r.target.kind === "jump" && r.target.chain.startsWith("KUBE-SVC-"));
  // A generated service's http port (port 80) at rule k, or undefined for another rule.
  const serviceAt = (k: number) => {
    const r = servicesChain[k]!;
    const svc = cluster.services.find((x) => x.clusterIP === formatIpv4(r.dst.net));
    const http = r.matches.some((m) => (m.kind === "tcp" || m.kind === "udp") && m.dport?.value.min === 80);
    return svc && svc.name.startsWith("svc") && http ? { name: svc.name, port: "http", rule: k + 1 } : undefined;
  };
  const ks = servicesChain.map((_, k) => k);
  const top = ks.map(serviceAt).find(Boolean)!;
  const end = ks.reverse().map(serviceAt).find(Boolean)!;
  const clusterIp = (to: { name: string; port: string }) => (i: number) =>
    traceTraffic(cluster, { kind: "curl", from: { pod: podName }, to: { service: to.name, namespace: "default", port: to.port }, sport: 20000 + (i & 0x7fff) }, 0);
  const nodePort = (i: number) =>
    traceTraffic(cluster, { kind: "curl", from: { client: true }, to: { node: "worker-3", public: true }, port: 30001, sport: 40000 + (i & 0x3fff) }, 0);
  const first = performance.now();
  clusterIp(top)(-100);
  const touched = [...cluster.world.namespaces.values()].filter((n) => n.name.startsWith("worker-") && n.rulesMaterialised).length;
  line(`first (cold) ClusterIP trace, loading the rules of the ${touched} nodes it crosses`, ms(performance.now() - first));
  const again = performance.now();
  clusterIp(top)(-101);
  line("the same trace again, warm", ms(performance.now() - again));
  line(`ClusterIP trace to ${top.name} (KUBE-SERVICES rule ${top.rule}), median of 51 (SYN, SYN-ACK, ACK)`, ms(median(measure(clusterIp(top), 51, 3))));
  line(`ClusterIP trace to ${end.name} (rule ${end.rule} of ${servicesChain.length.toLocaleString("en")}), median of 51`, ms(median(measure(clusterIp(end), 51, 3))));
  line("NodePort trace from the internet, median of 51", ms(median(measure(nodePort, 51, 3))));
  if (global.gc) global.gc();
  const loaded = [...cluster.world.namespaces.values()].filter((n) => n.name.startsWith("worker-") && n.rulesMaterialised).length;
  line(`heap used by the cluster (${loaded} nodes' rules loaded)${global.gc ? "" : " (run with --expose-gc for a settled figure)"}`, `${((process.memoryUsage().heapUsed - heap0) / 1024 / 1024).toFixed(0)} MB`);
  // Every node's rules loaded, as a user who opens each node's panel or shell makes happen.
  const everyT0 = performance.now();
  for (const n of cluster.world.namespaces.values()) void n.nf;
  const everyMs = performance.now() - everyT0;
  if (global.gc) global.gc();
  const all = [...cluster.world.namespaces.values()].filter((n) => n.name.startsWith("worker-") && n.rulesMaterialised).length;
  line(`load every node's rules (${all} workers)`, ms(everyMs));
  line(`heap used by the cluster with every node's rules loaded`, `${((process.memoryUsage().heapUsed - heap0) / 1024 / 1024).toFixed(0)} MB`);
  const loadedNode = [...cluster.world.namespaces.values()].find((n) => n.name.startsWith("worker-") && n.rulesMaterialised)!;
  console.log(`\n[shell] on ${loadedNode.name} of that cluster (its kube-proxy rules loaded)`);
  runBigNodeShellBench(cluster, loadedNode.name);
}
