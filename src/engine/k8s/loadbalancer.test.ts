/**
 * type LoadBalancer: the scenario's fields and their checks, what is allocated when absent,
 * kube-proxy 1.10's KUBE-FW rules, the modelled cloud load balancer, kubectl's view, and the
 * built-in "loadbalancer" scenario's trace hop by hop.
 */
import { describe, expect, it } from "vitest";
import { formatConntrackEntry } from "../conntrack/format";
import { loadBalancerPick, type LoadBalancerFrontend } from "../cloud/vpc";
import { iptablesSave } from "../netfilter/save";
import { formatRouteTable } from "../route/format";
import { builtinScenario } from "../scenarios/article";
import { kubectlDescribeService, kubectlGetServices } from "../shell/kubectl";
import type { Flow, Step } from "../trace";
import { runScenario, type RunResult } from "./run";
import { loadBalancerIngress, validateScenario, type ScenarioInput } from "./spec";

type Ok = Extract<RunResult, { ok: true }>;

function run(s: unknown, lang?: "ru"): Ok {
  const r = runScenario(s, lang ? { lang } : {});
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

/** The built-in scenario with its nginx service changed and its traffic replaced. */
function withNginx(change: Record<string, unknown>, traffic: ScenarioInput["traffic"] = []): ScenarioInput {
  const s = structuredClone(builtinScenario("loadbalancer")!);
  s.services = (s.services ?? []).map((sv) => (sv.name === "nginx" ? ({ ...sv, ...change } as typeof sv) : sv));
  s.traffic = traffic;
  return s;
}

function problems(s: unknown): string[] {
  const r = validateScenario(s);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

const nginxIndex = () => (builtinScenario("loadbalancer")!.services ?? []).findIndex((sv) => sv.name === "nginx");

describe("LoadBalancer fields: validation names the field", () => {
  const i = nginxIndex();
  it("accepts the built-in scenario", () => {
    expect(problems(builtinScenario("loadbalancer"))).toEqual([]);
  });

  const bad: [Record<string, unknown>, string, RegExp][] = [
    [{ loadBalancerIP: "8.8.8.8" }, `services.${i}.loadBalancerIP`, /not in a documentation range/],
    [{ loadBalancerIP: "203.0.113.50" }, `services.${i}.loadBalancerIP`, /client's own network 203\.0\.113\.0\/24/],
    [{ loadBalancerIP: "198.51.100.20" }, `services.${i}.loadBalancerIP`, /already worker-0's public IP/],
    [{ loadBalancerIP: "198.51.100" }, `services.${i}.loadBalancerIP`, /an IPv4 address/],
    [{ loadBalancerSourceRanges: ["203.0.113.1/24"] }, `services.${i}.loadBalancerSourceRanges.0`, /host bits set/],
    [{ loadBalancerSourceRanges: "203.0.113.0/24" }, `services.${i}.loadBalancerSourceRanges`, /array/i],
    [{ type: "NodePort" }, `services.${i}.loadBalancerIP`, /needs type LoadBalancer/],
    [{ type: "ExternalName" }, `services.${i}.type`, /one of "ClusterIP", "NodePort", "LoadBalancer"/],
    [{ healthCheckNodePort: 30500 }, `services.${i}.healthCheckNodePort`, /needs type LoadBalancer and externalTrafficPolicy Local/],
    [{ externalTrafficPolicy: "Local", healthCheckNodePort: 31088 }, `services.${i}.healthCheckNodePort`, /31088 is already a nodePort of default\/nginx/],
    [{ externalTrafficPolicy: "Local", healthCheckNodePort: 80 }, `services.${i}.healthCheckNodePort`, /a node port from 30000 to 32767/],
  ];
  for (const [change, path, message] of bad) {
    it(`${JSON.stringify(change)} → ${path}`, () => {
      const p = problems(withNginx(change));
      expect(p.some((l) => l.startsWith(`${path}: `) && message.test(l)), p.join("\n")).toBe(true);
    });
  }

  it("a nodePort on a ClusterIP service names both types it needs", () => {
    const s = withNginx({ type: "ClusterIP", loadBalancerIP: undefined, loadBalancerSourceRanges: undefined });
    expect(problems(s)).toContain(`services.${i}.ports.0.nodePort: a nodePort needs type NodePort or LoadBalancer`);
  });

  it('"via": "loadBalancer" needs a LoadBalancer service, and "via" takes two values', () => {
    const kubeDns = { kind: "dig" as const, from: { pod: "busybox0-rw89s" }, to: { service: "kube-dns", namespace: "kube-system", via: "loadBalancer" as const }, protocol: "UDP" as const };
    expect(problems(withNginx({}, [kubeDns]))).toEqual(["traffic.0.to.via: service kube-system/kube-dns is of type ClusterIP; only a LoadBalancer service has a load balancer"]);
    const wrong = { kind: "curl", from: { client: true }, to: { service: "nginx", via: "nodePort" } };
    expect(problems(withNginx({}, [wrong as never])).join("\n")).toMatch(/^traffic\.0\.to/);
  });
});

describe("LoadBalancer fields: what the cluster allocates when the scenario leaves them out", () => {
  it("the lowest free node ports from 30000 and the first free address from 198.51.100.100", () => {
    const s = withNginx({ loadBalancerIP: undefined, externalTrafficPolicy: "Local", ports: [{ protocol: "TCP", port: 80, targetPort: 80 }] });
    s.services!.push({ name: "web", type: "LoadBalancer", clusterIP: "10.32.0.90", selector: { run: "nginx" }, ports: [{ port: 8080, targetPort: 80, nodePort: 30000 }] });
    const r = validateScenario(s);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const nginx = r.scenario.services.find((x) => x.name === "nginx")!;
    const web = r.scenario.services.find((x) => x.name === "web")!;
    // 30000 is web's own: nginx gets 30001 for its port, 30002 for its health check.
    expect(nginx.ports[0]!.nodePort).toBe(30001);
    expect(nginx.healthCheckNodePort).toBe(30002);
    // The cloud's addresses are status, not spec: the spec keeps what the scenario wrote.
    expect(nginx.loadBalancerIP).toBeUndefined();
    expect([...loadBalancerIngress(r.scenario)]).toEqual([
      ["default/nginx", "198.51.100.100"],
      ["default/web", "198.51.100.101"],
    ]);
    expect(web.healthCheckNodePort).toBeUndefined();
  });

  it("runs out of addresses with a message at the service that finds none, quickly", () => {
    const s = withNginx({});
    s.cluster.serviceNetwork = "10.32.0.0/16";
    for (let k = 0; k < 400; k++) s.services!.push({ name: `lb-${k}`, type: "LoadBalancer", clusterIP: `10.32.${1 + Math.floor(k / 200)}.${(k % 200) + 1}`, ports: [{ port: 80 }] });
    const t0 = performance.now();
    const p = problems(s);
    expect(performance.now() - t0).toBeLessThan(2000);
    // 2 × 155 addresses (203.0.113.0/24 is the client's); nginx has its own, so lb-310 is the first left without one.
    const first = (s.services ?? []).findIndex((x) => x.name === "lb-310");
    expect(p).toEqual([`services.${first}.loadBalancerIP: no free load balancer address is left from .100 to .254 of the documentation ranges; give this one its loadBalancerIP`]);
  });

  it("leaves other scenarios as they were", () => {
    const plain = builtinScenario("nodeport")!;
    const r = validateScenario(plain);
    expect(r.ok && r.scenario.services.map((x) => x.type)).toEqual(["ClusterIP", "NodePort"]);
    expect(r.ok && r.scenario.services.some((x) => "loadBalancerIP" in x || "healthCheckNodePort" in x)).toBe(false);
  });
});

describe("kube-proxy 1.10's rules for a LoadBalancer service", () => {
  const r = run(builtinScenario("loadbalancer"));
  const nat = (node: string) => iptablesSave(r.cluster.world.get(node).nf, { table: "nat" }).split("\n");

  it("sends the load balancer's address to KUBE-FW, which masquerades, admits the source ranges and marks the rest for dropping", () => {
    const lines = nat("worker-0");
    const fw = "KUBE-FW-4N57TFCL4MD7ZTDA";
    expect(lines).toContain(`:${fw} - [0:0]`);
    expect(lines).toContain(`-A KUBE-SERVICES -d 198.51.100.80/32 -p tcp -m comment --comment "default/nginx: loadbalancer IP" -m tcp --dport 80 -j ${fw}`);
    expect(lines.filter((l) => l.startsWith(`-A ${fw} `))).toEqual([
      `-A ${fw} -m comment --comment "default/nginx: loadbalancer IP" -j KUBE-MARK-MASQ`,
      `-A ${fw} -s 203.0.113.0/24 -m comment --comment "default/nginx: loadbalancer IP" -j KUBE-SVC-4N57TFCL4MD7ZTDA`,
      `-A ${fw} -m comment --comment "default/nginx: loadbalancer IP" -j KUBE-MARK-DROP`,
    ]);
    // After the service's cluster IP rules, before the nodeports rule that must stay last.
    const at = (needle: string) => lines.findIndex((l) => l.startsWith("-A KUBE-SERVICES ") && l.includes(needle));
    expect(at("default/nginx: cluster IP")).toBeLessThan(at("default/nginx: loadbalancer IP"));
    expect(at("default/nginx: loadbalancer IP")).toBeLessThan(at("NOTE: this must be the last rule"));
  });

  it("with policy Local jumps to KUBE-XLB without masquerading; a range holding the node's address lets the address itself in", () => {
    const local = run(withNginx({ externalTrafficPolicy: "Local", loadBalancerSourceRanges: ["203.0.113.0/24", "10.240.0.0/24"] }));
    const fw = iptablesSave(local.cluster.world.get("worker-1").nf, { table: "nat" }).split("\n").filter((l) => l.startsWith("-A KUBE-FW-"));
    expect(fw).toEqual([
      `-A KUBE-FW-4N57TFCL4MD7ZTDA -s 203.0.113.0/24 -m comment --comment "default/nginx: loadbalancer IP" -j KUBE-XLB-4N57TFCL4MD7ZTDA`,
      `-A KUBE-FW-4N57TFCL4MD7ZTDA -s 10.240.0.0/24 -m comment --comment "default/nginx: loadbalancer IP" -j KUBE-XLB-4N57TFCL4MD7ZTDA`,
      `-A KUBE-FW-4N57TFCL4MD7ZTDA -s 198.51.100.80/32 -m comment --comment "default/nginx: loadbalancer IP" -j KUBE-XLB-4N57TFCL4MD7ZTDA`,
      `-A KUBE-FW-4N57TFCL4MD7ZTDA -m comment --comment "default/nginx: loadbalancer IP" -j KUBE-MARK-DROP`,
    ]);
  });

  it("writes no KUBE-FW chain for a service without endpoints (v1.10 guards it with hasEndpoints)", () => {
    const none = run(withNginx({ selector: { run: "nobody" } }));
    expect(iptablesSave(none.cluster.world.get("worker-0").nf, { table: "nat" })).not.toContain("KUBE-FW-");
  });

  it("every worker has the address as a local route, as GCE's guest agent adds it", () => {
    for (const w of ["worker-0", "worker-1", "worker-2"]) {
      expect(formatRouteTable(r.cluster.world.get(w).routes, "local")).toContain("local 198.51.100.80 dev eth0 proto 66 scope host \n");
    }
    expect(formatRouteTable(r.cluster.world.get("controller-0").routes, "local")).not.toContain("198.51.100.80");
  });
});

describe("kubectl shows the load balancer", () => {
  const r = run(builtinScenario("loadbalancer"));
  it("get svc: TYPE LoadBalancer, EXTERNAL-IP the address, PORT(S) port:nodePort", () => {
    const out = kubectlGetServices(r.cluster, {}).stdout.split("\n");
    expect(out.find((l) => l.startsWith("nginx"))).toMatch(/^nginx\s+LoadBalancer\s+10\.32\.0\.53\s+198\.51\.100\.80\s+80:31088\/TCP\s+/);
    expect(out.find((l) => l.startsWith("kubernetes"))).toMatch(/^kubernetes\s+ClusterIP\s+10\.32\.0\.1\s+<none>\s+443\/TCP/);
  });
  it("describe svc: LoadBalancer Ingress, External Traffic Policy, the source ranges", () => {
    const out = kubectlDescribeService(r.cluster, "nginx", "default").stdout;
    // kubectl 1.10 prints spec.loadBalancerIP on a second "IP:" line, then the ingress.
    expect(out).toMatch(/^IP:\s+10\.32\.0\.53\nIP:\s+198\.51\.100\.80\nLoadBalancer Ingress:\s+198\.51\.100\.80\nPort:/m);
    const allocated = run(withNginx({ loadBalancerIP: undefined }));
    const told = kubectlDescribeService(allocated.cluster, "nginx", "default").stdout;
    expect(told).toMatch(/^IP:\s+10\.32\.0\.53\nLoadBalancer Ingress:\s+198\.51\.100\.100\n/m);
    expect(kubectlGetServices(allocated.cluster, {}).stdout).toMatch(/^nginx\s+LoadBalancer\s+10\.32\.0\.53\s+198\.51\.100\.100\s+80:31088\/TCP/m);
    expect(out).toMatch(/^External Traffic Policy:\s+Cluster$/m);
    expect(out).toMatch(/^LoadBalancer Source Ranges:\s+203\.0\.113\.0\/24$/m);
    expect(out).not.toMatch(/HealthCheck NodePort/);
  });
});

const wires = (f: Flow) => f.steps.filter((s): s is Extract<Step, { kind: "wire" }> => s.kind === "wire");
const hops = (f: Flow) => wires(f).map((s) => `${s.pod ? `${s.node}/${s.pod}` : s.node} ${s.iface} ${s.dir} ${s.packet.src}:${s.packet.sport} > ${s.packet.dst}:${s.packet.dport}`);

describe('the built-in "loadbalancer" scenario', () => {
  const r = run(builtinScenario("loadbalancer"));
  const [syn, synack, ack, blocked] = r.trace.flows;

  it("traces the handshake from the internet and the blocked request from a pod", () => {
    expect(r.trace.flows.map((f) => `${f.name}: ${f.verdict}`)).toEqual(["request: delivered", "reply: delivered", "ack: delivered", "request: dropped"]);
  });

  it("the cloud picks a node by the 5-tuple's hash and forwards without NAT; the node DNATs and masquerades", () => {
    const pick = syn!.steps.find((s) => s.node === "vpc-router" && s.kind === "route")!;
    expect(pick.text).toMatch(/^The cloud load balancer's forwarding rule for 198\.51\.100\.80:80\/TCP \(service default\/nginx\) hashes .* sends it to worker-2 \(10\.240\.0\.22\), one of 3 target nodes\. It does no NAT/);
    expect(hops(syn!)).toEqual([
      "client eth0 out 203.0.113.10:30303 > 198.51.100.80:80",
      "vpc-router ext0 in 203.0.113.10:30303 > 198.51.100.80:80",
      "vpc-router eth0 out 203.0.113.10:30303 > 198.51.100.80:80",
      "worker-2 eth0 in 203.0.113.10:30303 > 198.51.100.80:80",
      "worker-2 eth0 out 10.240.0.22:30303 > 10.200.1.18:80",
      "vpc-router eth0 in 10.240.0.22:30303 > 10.200.1.18:80",
      "vpc-router eth0 out 10.240.0.22:30303 > 10.200.1.18:80",
      "worker-1 eth0 in 10.240.0.22:30303 > 10.200.1.18:80",
      "worker-1 cnio0 out 10.240.0.22:30303 > 10.200.1.18:80",
      "worker-1 vethb02ac211 out 10.240.0.22:30303 > 10.200.1.18:80",
      "worker-1/nginx-65899c769f-wxdx6 eth0 in 10.240.0.22:30303 > 10.200.1.18:80",
    ]);
    const nat = syn!.steps.filter((s): s is Extract<Step, { kind: "nat" }> => s.kind === "nat").map((s) => `${s.node} ${s.detail.type}`);
    expect(nat).toEqual(["worker-2 DNAT", "worker-2 MASQUERADE"]);
    expect(syn!.steps.some((s) => s.kind === "rule" && s.detail.rule.startsWith("-A KUBE-FW-4N57TFCL4MD7ZTDA -s 203.0.113.0/24"))).toBe(true);
  });

  it("the reply is un-NATed on the chosen node and reaches the client from the load balancer's address", () => {
    const unnat = synack!.steps.filter((s): s is Extract<Step, { kind: "nat" }> => s.kind === "nat").map((s) => `${s.node} ${s.detail.type}`);
    expect(unnat).toEqual(["worker-2 un-SNAT", "worker-2 un-DNAT"]);
    expect(hops(synack!).slice(-4)).toEqual([
      "worker-2 eth0 out 198.51.100.80:80 > 203.0.113.10:30303",
      "vpc-router eth0 in 198.51.100.80:80 > 203.0.113.10:30303",
      "vpc-router ext0 out 198.51.100.80:80 > 203.0.113.10:30303",
      "client eth0 in 198.51.100.80:80 > 203.0.113.10:30303",
    ]);
    // The connection's last packet goes to the same node: the same 5-tuple, the same hash.
    expect(hops(ack!)).toContain("worker-2 eth0 in 203.0.113.10:30303 > 198.51.100.80:80");
    const ct = r.cluster.world.get("worker-2").ct.list(r.cluster.world.now).map((e) => formatConntrackEntry(e, r.cluster.world.now));
    expect(ct.some((l) => l.includes("src=203.0.113.10 dst=198.51.100.80 sport=30303 dport=80 src=10.200.1.18 dst=10.240.0.22 sport=80 dport=30303 [ASSURED]"))).toBe(true);
  });

  it("a pod's request to the address is marked by KUBE-MARK-DROP, routed to INPUT by the local route, and dropped by KUBE-FIREWALL", () => {
    expect(blocked!.dropReason).toBe("DROP rule in filter KUBE-FIREWALL (on worker-0)");
    const rules = blocked!.steps.filter((s): s is Extract<Step, { kind: "rule" }> => s.kind === "rule").map((s) => s.detail.rule);
    expect(rules).toContain('-A KUBE-FW-4N57TFCL4MD7ZTDA -m comment --comment "default/nginx: loadbalancer IP" -j KUBE-MARK-DROP');
    expect(blocked!.steps.some((s) => s.kind === "route" && s.detail.route === "local 198.51.100.80 dev eth0 proto 66 scope host ")).toBe(true);
    expect(blocked!.steps.some((s) => s.node === "vpc-router")).toBe(false);
  });

  it("tells the load balancer's choice in Russian too", () => {
    const ru = run(builtinScenario("loadbalancer"), "ru");
    const pick = ru.trace.flows[0]!.steps.find((s) => s.node === "vpc-router" && s.kind === "route")!;
    expect(pick.text).toMatch(/^Правило переадресации облачного балансировщика для 198\.51\.100\.80:80\/TCP .* на worker-2 \(10\.240\.0\.22\)/);
  });
});

describe("the cloud load balancer's choice", () => {
  const f: LoadBalancerFrontend = { service: "default/web", ip: "198.51.100.80", proto: "tcp", port: 80, targets: ["a", "b", "c"].map((n, k) => ({ name: n, ip: `10.240.0.2${k}` })) };
  it("is the same for the same 5-tuple and seed, and spreads connections over the targets", () => {
    const picks = Array.from({ length: 300 }, (_, k) => loadBalancerPick(f, 1, { src: 0xcb00710a, sport: 30000 + k, dport: 80 }).name);
    expect(Array.from({ length: 300 }, (_, k) => loadBalancerPick(f, 1, { src: 0xcb00710a, sport: 30000 + k, dport: 80 }).name)).toEqual(picks);
    for (const n of ["a", "b", "c"]) expect(picks.filter((p) => p === n).length).toBeGreaterThan(60);
  });
  it("with policy Local goes only to nodes the health check finds serving, and to all when none is", () => {
    const healthy = { ...f, healthy: ["b"] };
    for (let k = 0; k < 50; k++) expect(loadBalancerPick(healthy, 1, { src: 1, sport: k, dport: 80 }).name).toBe("b");
    const none = { ...f, healthy: [] };
    expect(new Set(Array.from({ length: 50 }, (_, k) => loadBalancerPick(none, 1, { src: 1, sport: k, dport: 80 }).name)).size).toBe(3);
  });
  it("policy Local in a cluster: the connection goes to the node with the endpoint and keeps the client's address", () => {
    const local = run(withNginx({ externalTrafficPolicy: "Local" }, [{ kind: "curl", from: { client: true }, to: { service: "nginx", via: "loadBalancer" }, sport: 30303 }]));
    const first = local.trace.flows[0]!;
    expect(first.verdict).toBe("delivered");
    expect(hops(first).at(-1)).toBe("worker-1/nginx-65899c769f-wxdx6 eth0 in 203.0.113.10:30303 > 10.200.1.18:80");
    expect(first.steps.find((s) => s.node === "vpc-router" && s.kind === "route")!.text).toMatch(/worker-1 \(10\.240\.0\.21\), one of 1 nodes its health check finds serving/);
    // kube-proxy's health-check server answers on the allocated port on every worker.
    const hc = local.cluster.services.find((x) => x.name === "nginx")!.healthCheckNodePort;
    expect(hc).toBe(30000);
    for (const w of ["worker-0", "worker-1", "worker-2"]) expect(local.cluster.world.get(w).listener("tcp", 30000)?.app).toBe("kube-proxy (health check)");
  });
});
