/**
 * An edited scenario as a learner might share one, for the link-length test and benchmark: the
 * article's cluster plus ten Deployments of two pods each (20 pods, spread over the workers)
 * and a ClusterIP Service for each (10 services).
 */
import type { ScenarioInput } from "../engine/k8s/spec";
import { articleScenario } from "../engine/testing/article-scenario";

export function articlePlus20Pods10Services(): ScenarioInput {
  const apps = Array.from({ length: 10 }, (_, i) => `app${i}`);
  return articleScenario("article-plus-apps", {
    workloads: apps.map((app, i) => ({
      kind: "Deployment" as const,
      name: app,
      labels: { app },
      replicas: 2,
      podTemplateHash: 1_000_000 + i,
      containers: [{ name: "app", image: "nginx", ports: [{ name: "http", containerPort: 8080 }] }],
      pods: [{ node: `worker-${(2 * i) % 3}` }, { node: `worker-${(2 * i + 1) % 3}` }],
    })),
    services: apps.map((app, i) => ({ name: app, clusterIP: `10.32.0.${100 + i}`, selector: { app }, ports: [{ name: "http", port: 80, targetPort: "http" }] })),
  });
}
