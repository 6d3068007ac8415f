/** The article's cluster with extra workloads and services, as tests build scenarios from it. */
import type { ScenarioInput } from "../k8s/spec";
import { articleCluster } from "../scenarios/article";

export function articleScenario(
  id: string,
  extra: Partial<Pick<ScenarioInput, "workloads" | "services">>,
  traffic: ScenarioInput["traffic"] = [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" } }],
): ScenarioInput {
  const c = articleCluster();
  return {
    version: 1,
    id,
    title: id,
    seed: 1,
    ...c,
    workloads: [...(c.workloads ?? []), ...(extra.workloads ?? [])],
    services: [...(c.services ?? []), ...(extra.services ?? [])],
    traffic,
  };
}

/** A three-replica "web" Deployment (ports http 8080 and metrics 9100) placed as given. */
export function webDeployment(pods: readonly { node: string; ip: string; name?: string }[]) {
  return {
    kind: "Deployment" as const,
    name: "web",
    labels: { app: "web" },
    replicas: pods.length,
    podTemplateHash: 1234567890,
    containers: [{ name: "web", image: "nginx", ports: [{ name: "http", containerPort: 8080, protocol: "TCP" as const }, { name: "metrics", containerPort: 9100, protocol: "TCP" as const }] }],
    pods: pods.map((p) => ({ ...p })),
  };
}
