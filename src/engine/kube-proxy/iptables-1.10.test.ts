import { describe, expect, it } from "vitest";
import { iptablesSave } from "../netfilter/save";
import { articleScenario, webDeployment } from "../testing/article-scenario";
import { runScenario } from "../k8s/run";
import { validateScenario, type ScenarioInput } from "../k8s/spec";

function withExtra(extra: Partial<Pick<ScenarioInput, "workloads" | "services">>): ScenarioInput {
  return articleScenario("extra", extra);
}

function natLines(s: ScenarioInput, node = "worker-0", table: "nat" | "filter" = "nat"): string[] {
  const r = runScenario(s);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return iptablesSave(r.cluster.world.get(node).nf, { table }).split("\n").filter((l) => l.startsWith("-A"));
}

// Endpoints sort by IP string: 10.200.0.10 < 10.200.1.10 < 10.200.2.9.
const web = webDeployment([
  { node: "worker-2", ip: "10.200.2.9" },
  { node: "worker-1", ip: "10.200.1.10" },
  { node: "worker-0", ip: "10.200.0.10" },
]);

describe("kube-proxy rules for services the article does not show", () => {
  it("spreads three endpoints with 0.33332999982 and 0.50000000000, endpoints sorted by IP string", () => {
    const lines = natLines(withExtra({ workloads: [web], services: [{ name: "web", clusterIP: "10.32.0.80", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] }] }));
    const svc = lines.filter((l) => l.includes('--comment "default/web:http" -') && l.startsWith("-A KUBE-SVC-"));
    expect(svc).toHaveLength(3);
    expect(svc[0]).toContain("-m statistic --mode random --probability 0.33332999982 -j KUBE-SEP-");
    expect(svc[1]).toContain("-m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-");
    expect(svc[2]).not.toContain("statistic");
    // 10.200.0.10 < 10.200.1.10 < 10.200.2.9 as strings; the named targetPort resolves to 8080.
    const dnat = lines.filter((l) => l.includes("default/web:http") && l.includes("DNAT")).map((l) => l.split("--to-destination ")[1]);
    expect(dnat.sort()).toEqual(["10.200.0.10:8080", "10.200.1.10:8080", "10.200.2.9:8080"]);
    const order = svc.map((l) => l.split(" -j ")[1]);
    const sepOf = (ep: string) => lines.find((l) => l.endsWith(`--to-destination ${ep}`))!.split(" ")[1];
    expect(order).toEqual([sepOf("10.200.0.10:8080"), sepOf("10.200.1.10:8080"), sepOf("10.200.2.9:8080")]);
  });

  it("gives the kubernetes Service 1.10.2's ClientIP affinity: an rcheck rule per endpoint before the balancing rules, a --set on each DNAT", () => {
    const lines = natLines(withExtra({}));
    const svc = lines.filter((l) => l.startsWith("-A KUBE-SVC-NPX46M4PTMTKRN6Y "));
    const seps = ["KUBE-SEP-HFMBYHW5FO36NATD", "KUBE-SEP-E6U6KEZPQBWVNUQ2", "KUBE-SEP-WRZKKJS6MWEUDTA4"];
    expect(svc.slice(0, 3)).toEqual(
      seps.map((sep) => `-A KUBE-SVC-NPX46M4PTMTKRN6Y -m comment --comment "default/kubernetes:https" -m recent --rcheck --seconds 10800 --reap --name ${sep} --mask 255.255.255.255 --rsource -j ${sep}`),
    );
    expect(svc.slice(3).map((l) => l.split(" -j ")[1])).toEqual(seps);
    expect(lines).toContain(
      '-A KUBE-SEP-HFMBYHW5FO36NATD -p tcp -m comment --comment "default/kubernetes:https" -m recent --set --name KUBE-SEP-HFMBYHW5FO36NATD --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.240.0.10:6443',
    );
    // A Service without affinity gets none of it.
    expect(lines.filter((l) => l.includes("recent") && !l.includes("kubernetes:https"))).toEqual([]);
  });

  it("writes one SVC chain per named port and per protocol on the same port", () => {
    const lines = natLines(
      withExtra({
        workloads: [web],
        services: [
          { name: "web", clusterIP: "10.32.0.80", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "metrics", port: 9100, targetPort: "metrics" }] },
        ],
      }),
    );
    expect(lines.filter((l) => l.startsWith("-A KUBE-SERVICES -d 10.32.0.80/32")).map((l) => l.split(" cluster IP")[0]!.split("--comment ")[1])).toEqual(['"default/web:http', '"default/web:metrics']);
    // kube-dns has dns (UDP) and dns-tcp (TCP) on port 53: two chains, as the article shows.
    expect(lines.filter((l) => l.startsWith("-A KUBE-SERVICES -d 10.32.0.10/32")).length).toBe(2);
  });

  it("rejects traffic to a service without endpoints in the filter table", () => {
    const lines = natLines(withExtra({ services: [{ name: "empty", clusterIP: "10.32.0.99", selector: { app: "none" }, ports: [{ port: 80 }] }] }), "worker-0", "filter");
    expect(lines).toContain('-A KUBE-SERVICES -d 10.32.0.99/32 -p tcp -m comment --comment "default/empty: has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable');
  });

  it("writes KUBE-XLB for externalTrafficPolicy Local, with only the node's own endpoints", () => {
    const s = withExtra({
      workloads: [web],
      services: [{ name: "web", type: "NodePort", externalTrafficPolicy: "Local", clusterIP: "10.32.0.80", selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http", nodePort: 30080 }] }],
    });
    const w1 = natLines(s, "worker-1");
    expect(w1).toContain('-A KUBE-NODEPORTS -s 127.0.0.0/8 -p tcp -m comment --comment "default/web:http" -m tcp --dport 30080 -j KUBE-MARK-MASQ');
    const xlb = w1.filter((l) => l.startsWith("-A KUBE-XLB-"));
    expect(xlb[0]).toContain('-s 10.200.0.0/16 -m comment --comment "Redirect pods trying to reach external loadbalancer VIP to clusterIP" -j KUBE-SVC-');
    expect(xlb.slice(1)).toHaveLength(1);
    expect(xlb[1]).toContain('-m comment --comment "Balancing rule 0 for default/web:http" -j KUBE-SEP-');
  });
});

describe("scenario validation names the field", () => {
  it.each<[string, (s: ScenarioInput) => unknown, string, RegExp]>([
    ["a bad IP", (s) => ({ ...s, cluster: { ...s.cluster, gateway: "10.240.0.300" } }), "cluster.gateway", /IPv4 address/],
    ["a pod CIDR outside the pod network", (s) => ({ ...s, cluster: { ...s.cluster, workers: [{ ...s.cluster.workers[0]!, podCidr: "10.99.0.0/24" }] } }), "cluster.workers.0.podCidr", /not inside the pod network/],
    ["an unknown field", (s) => ({ ...s, colour: "blue" }), "colour", /^unknown field "colour": the scenario format has no such field here$/],
    ["another version", (s) => ({ ...s, version: 2 }), "version", /reads scenario version 1, not 2/],
    ["a missing traffic list", (s) => ({ ...s, traffic: undefined }), "traffic", /^missing: this field is required$/],
    ["a service outside the service network", (s) => ({ ...s, services: [{ name: "x", clusterIP: "10.33.0.1", ports: [{ port: 80 }] }] }), "services.0.clusterIP", /not in the service network/],
    ["traffic to an unknown service", (s) => ({ ...s, traffic: [{ kind: "dig", from: { pod: "x" }, to: { service: "nope" } }] }), "traffic.0.to.service", /no service default\/nope/],
  ])("%s", (_name, mutate, path, message) => {
    const r = validateScenario(mutate(withExtra({})));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const issue = r.issues.find((i) => i.path === path);
      expect(issue, JSON.stringify(r.issues)).toBeDefined();
      expect(issue!.message).toMatch(message);
    }
  });

  it("reports a pod that does not exist at build time, with its path", () => {
    const s = withExtra({});
    const r = runScenario({ ...s, traffic: [{ kind: "ping", from: { pod: "ghost" }, to: { ip: "10.200.1.15" } }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ path: "traffic.0.from.pod" });
  });
});
