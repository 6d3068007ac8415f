/** The editor's structural edits: the defaults they choose make a cluster that runs. */
import { describe, expect, it } from "vitest";
import { blankScenario } from "../scenarios/article";
import { addDeployment, addService, addTraffic, addWorker, freeClusterIP, removeWorker, setControllers } from "./edit";
import { runScenario } from "./run";

describe("building a cluster from a blank scenario", () => {
  it("three workers, a three-replica Deployment, a NodePort service, and a curl from the internet that is DNATed to a pod", () => {
    let d = blankScenario();
    d = addWorker(addWorker(d));
    expect(d.cluster.workers.map((w) => [w.name, w.ip, w.podCidr, w.publicIp])).toEqual([
      ["worker-0", "10.240.0.20", "10.200.0.0/24", "198.51.100.20"],
      ["worker-1", "10.240.0.21", "10.200.1.0/24", "198.51.100.21"],
      ["worker-2", "10.240.0.22", "10.200.2.0/24", "198.51.100.22"],
    ]);
    d = addDeployment(d, undefined, 3);
    d = addService(d, "NodePort", "web");
    expect(d.services).toEqual([{ name: "web", type: "NodePort", clusterIP: "10.32.0.10", selector: { app: "web" }, ports: [{ port: 80, targetPort: 80, protocol: "TCP", nodePort: 30000 }] }]);
    d = addTraffic(d, { kind: "curl", from: { client: true }, to: { node: "worker-1", public: true }, port: 30000 });
    const r = runScenario(d);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(new Set(r.cluster.pods.map((p) => p.node)).size).toBe(3);
    // The cloud's 1:1 NAT to worker-1's address, then kube-proxy's DNAT to a pod.
    const dnats = r.trace.flows[0]!.steps.filter((s) => s.detail.kind === "nat" && s.detail.type === "DNAT");
    expect(dnats.map((s) => s.node)).toEqual(["vpc-router", "worker-1"]);
    expect(dnats[1]!.packet.dst).toMatch(/^10\.200\.[012]\.\d+$/);
    expect(r.trace.flows.map((f) => `${f.name} ${f.verdict}`)).toEqual(["request delivered", "reply delivered", "ack delivered"]);
  });

  it("controllers come and go from .10 on; a removed worker takes its pods' placements, routes and traffic along", () => {
    let d = setControllers(addWorker(blankScenario()), 2);
    expect(d.cluster.controllers.map((c) => c.ip)).toEqual(["10.240.0.10", "10.240.0.11"]);
    d = { ...d, workloads: [{ kind: "Deployment", name: "web", labels: { app: "web" }, replicas: 2, containers: [{ name: "web", image: "nginx" }], pods: [{ node: "worker-0" }, { node: "worker-1" }] }] };
    d = addTraffic(d, { kind: "ping", from: { node: "worker-1" }, to: { node: "worker-0" } });
    const less = removeWorker(d, "worker-1");
    expect(less.cluster.workers.map((w) => w.name)).toEqual(["worker-0"]);
    expect(less.workloads![0]).toMatchObject({ replicas: 1, pods: [{ node: "worker-0" }] });
    expect(less.traffic).toEqual([]);
    expect(runScenario(less).ok).toBe(true);
    expect(setControllers(d, 0).cluster.controllers).toEqual([]);
  });

  it("a ClusterIP past the ones taken, skipping .1 (the kubernetes service's)", () => {
    const d = addService(addService(addDeployment(addWorker(blankScenario())), "ClusterIP"), "ClusterIP");
    expect(d.services!.map((s) => [s.name, s.clusterIP])).toEqual([["web", "10.32.0.10"], ["web-1", "10.32.0.11"]]);
    expect(freeClusterIP(d)).toBe("10.32.0.12");
  });
});

describe("moving a network to another RFC 1918 block", () => {
  it("moves every address in it, keeping offsets, and the article's cluster still runs the same way", async () => {
    const { builtinScenario } = await import("../scenarios/article");
    const { renumber } = await import("./edit");
    const d = renumber(renumber(renumber(builtinScenario("pod-to-pod")!, "podNetwork", "192.168.0.0/16"), "hostNetwork", "172.16.0.0/24"), "serviceNetwork", "10.96.0.0/24");
    expect(d.cluster.workers.map((w) => [w.ip, w.podCidr, w.publicIp])).toEqual([
      ["172.16.0.20", "192.168.0.0/24", "198.51.100.20"],
      ["172.16.0.21", "192.168.1.0/24", "198.51.100.21"],
      ["172.16.0.22", "192.168.2.0/24", "198.51.100.22"],
    ]);
    expect(d.cluster.gateway).toBe("172.16.0.1");
    expect(d.traffic[0]!.to).toEqual({ ip: "192.168.1.15" });
    const r = runScenario(d);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.trace.flows.map((f) => `${f.name} ${f.verdict}`)).toEqual(["request delivered", "reply delivered"]);
    const masq = r.trace.flows[0]!.steps.find((s) => s.detail.kind === "nat");
    expect(masq?.packet.src).toBe("172.16.0.20");
  });
});
