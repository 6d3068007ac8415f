/**
 * Validation that names the field: hostile or mistaken scenario values get the validator's
 * message at their path (never an internal error, never a collision deep in the builder), and
 * no message repeats more than about 80 characters of what it was given.
 */
import { describe, expect, it } from "vitest";
import { articleScenario } from "../testing/article-scenario";
import { runScenario, runScenarioText } from "./run";
import { LIMITS, type ScenarioInput } from "./spec";

type Json = Record<string, unknown>;

/** The article's scenario with one change made to a deep copy of it. */
function edited(change: (s: Json & ScenarioInput) => void): ScenarioInput {
  const s = structuredClone(articleScenario("edited", {})) as Json & ScenarioInput;
  change(s);
  return s;
}

/** Runs a scenario and returns its issues as "path: message" lines (none when it ran). */
function problems(s: unknown): string[] {
  const r = runScenario(s);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

const workers = (s: ScenarioInput) => s.cluster.workers as Json[];

describe("scenario validation names the field", () => {
  it("accepts the article's scenario as it is", () => {
    expect(problems(articleScenario("plain", {}))).toEqual([]);
  });

  const badBridges: [string, RegExp][] = [
    ["eth0", /eth0 is already a node's interface/],
    ["lo", /lo is already a node's interface/],
    ["veth13c5665c", /veth<8 hex digits>/],
    ["", /an interface name/],
    ["a/b c", /an interface name/],
    ["$(id>/tmp/P)", /an interface name/],
    ["sixteen-chars-xx", /an interface name/],
    ["..", /an interface name/],
  ];
  for (const [name, why] of badBridges) {
    it(`refuses the bridge name ${JSON.stringify(name)}, cluster-wide and per worker`, () => {
      const cluster = problems(edited((s) => (s.cluster.cni = { ...s.cluster.cni, bridge: name })));
      expect(cluster).toHaveLength(1);
      expect(cluster[0]).toMatch(/^cluster\.cni\.bridge: /);
      expect(cluster[0]).toMatch(why);
      const worker = problems(edited((s) => (workers(s)[1]!.cni = { bridge: name })));
      expect(worker[0]).toMatch(/^cluster\.workers\.1\.cni\.bridge: /);
    });
  }

  it("takes a bridge name the kernel would take", () => {
    expect(problems(edited((s) => (s.cluster.cni = { ...s.cluster.cni, bridge: "br_pods.0-x" })))).toEqual([]);
  });

  it("refuses control characters in text: a newline in the title, an escape in the description or an image", () => {
    expect(problems(edited((s) => (s.title = "x\ntouch /tmp/PWNED\n#")))).toEqual(["title: no control characters (newlines, tabs, escapes)"]);
    expect(problems(edited((s) => (s.description = "a\u001b[31mred")))[0]).toMatch(/^description: no control characters/);
    expect(problems(edited((s) => ((s.workloads![0]! as Json).containers = [{ name: "c", image: "nginx\r" }])))[0]).toMatch(/^workloads\.0\.containers\.0\.image: no control characters/);
  });

  it("refuses a client named like a node or the VPC router, and nodes named like the router or a pod namespace", () => {
    expect(problems(edited((s) => (s.cloud.client = { ...s.cloud.client, name: "worker-1" })))).toEqual(["cloud.client.name: worker-1 is already a node's name"]);
    expect(problems(edited((s) => (s.cloud.client = { ...s.cloud.client, name: "vpc-router" })))[0]).toMatch(/^cloud\.client\.name: .*VPC router/);
    expect(problems(edited((s) => (workers(s)[0]!.name = "vpc-router")))[0]).toMatch(/^cluster\.workers\.0\.name: .*VPC router/);
    expect(problems(edited((s) => (workers(s)[2]!.name = "cni-1b2c3d4e-0000-4000-8000-00000000abcd")))[0]).toMatch(/^cluster\.workers\.2\.name: .*pods' network namespaces/);
    expect(problems(edited((s) => ((s.cluster.controllers as Json[])[0]!.name = "vpc-router")))[0]).toMatch(/^cluster\.controllers\.0\.name: /);
  });

  it("refuses a CIDR with host bits set, saying which network was meant", () => {
    expect(problems(edited((s) => (workers(s)[0]!.podCidr = "10.200.0.7/24")))).toEqual(["cluster.workers.0.podCidr: host bits set: the network is 10.200.0.0/24"]);
    expect(problems(edited((s) => (s.cluster.podNetwork = "10.200.3.0/16")))[0]).toBe("cluster.podNetwork: host bits set: the network is 10.200.0.0/16");
  });

  it("refuses a node at the host network's network or broadcast address", () => {
    expect(problems(edited((s) => (workers(s)[0]!.ip = "10.240.0.0")))).toContain("cluster.workers.0.ip: 10.240.0.0 is the host network's network address");
    expect(problems(edited((s) => ((s.cluster.controllers as Json[])[1]!.ip = "10.240.0.255")))).toContain("cluster.controllers.1.ip: 10.240.0.255 is the host network's broadcast address");
    expect(problems(edited((s) => (s.cluster.gateway = "10.240.0.255")))[0]).toMatch(/^cluster\.gateway: .*broadcast/);
  });

  it("refuses a client address inside the cluster (equal to a pod's), and public IPs twice over", () => {
    expect(problems(edited((s) => (s.cloud.client = { ...s.cloud.client, ip: "10.200.0.21" })))[0]).toMatch(/^cloud\.client\.ip: 10\.200\.0\.21 is in the pod network 10\.200\.0\.0\/16/);
    expect(problems(edited((s) => (workers(s)[1]!.publicIp = "198.51.100.20")))).toEqual(["cluster.workers.1.publicIp: 198.51.100.20 is already worker-0's public IP"]);
  });

  it("refuses overlapping networks", () => {
    expect(problems(edited((s) => (s.cluster.serviceNetwork = "10.200.128.0/24")))).toContain("cluster.serviceNetwork: 10.200.128.0/24 overlaps the pod network 10.200.0.0/16");
  });

  it("refuses duplicate container names, port names and nodePorts", () => {
    expect(
      problems(edited((s) => ((s.workloads![1]! as Json).containers = [{ name: "busybox", image: "busybox" }, { name: "busybox", image: "busybox" }]))),
    ).toEqual(["workloads.1.containers.1.name: container name busybox is used twice in this pod"]);
    const svc = (ports: Json[]) => ({ name: "web", clusterIP: "10.32.0.50", type: "NodePort", selector: { run: "nginx" }, ports });
    expect(problems(edited((s) => s.services!.push(svc([{ name: "a", port: 80 }, { name: "a", port: 81 }]) as never)))).toEqual([
      "services.2.ports.1.name: port name a is used twice in this service",
    ]);
    expect(problems(edited((s) => s.services!.push(svc([{ name: "a", port: 80 }, { name: "b", port: 80 }]) as never)))).toEqual(["services.2.ports.1.port: port 80/TCP is listed twice in this service"]);
    // The article's nginx service has nodePort 31088.
    const taken = problems(edited((s) => s.services!.push(svc([{ port: 80, nodePort: 31088 }]) as never)));
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatch(/^services\.2\.ports\.0\.nodePort: nodePort 31088 is already used by default\/nginx/);
    // One Service may offer a nodePort over TCP and UDP alike.
    expect(problems(edited((s) => s.services!.push(svc([{ name: "t", port: 53, nodePort: 30053 }, { name: "u", port: 53, protocol: "UDP", nodePort: 30053 }]) as never)))).toEqual([]);
  });

  it("refuses a CNI network name too long for the plugin's rule comment, without repeating it", () => {
    const issues = problems(edited((s) => (s.cluster.cni = { ...s.cluster.cni, name: "n".repeat(1_000_000) })));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^cluster\.cni\.name: at most 176 characters/);
    expect(issues[0]!.length).toBeLessThan(200);
    // The longest name allowed still fits an iptables comment (255 characters).
    const r = runScenario(edited((s) => (s.cluster.cni = { ...s.cluster.cni, name: "n".repeat(LIMITS.cniName) })));
    expect(r.ok).toBe(true);
  });

  it("cuts a huge bad value to about 80 characters in every message", () => {
    const huge = "x".repeat(1_000_000);
    for (const s of [
      edited((s) => (s.id = huge)),
      edited((s) => ((s.traffic[0] as Json).kind = huge)),
      edited((s) => ((s.workloads![0] as Json).labels = { [huge]: "v" })),
      edited((s) => ((s as Json).version = huge)),
      edited((s) => ((s.cluster as Json).gateway = huge)),
    ]) {
      const issues = problems(s);
      expect(issues.length).toBeGreaterThan(0);
      for (const i of issues) expect(i.length, i.slice(0, 300)).toBeLessThan(400);
    }
  });

  it("reads a file that starts with a UTF-8 byte-order mark", () => {
    const r = runScenarioText("\ufeff" + JSON.stringify(articleScenario("bom", {})));
    expect(r.ok).toBe(true);
  });

  it("names the line and column of a JSON syntax error in plain words", () => {
    const r = runScenarioText('{\n  "version": 1,\n  "id": }');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toEqual({ path: "(json line 3, column 9)", message: "a value was expected" });
  });
});

describe("scenario sizes: refused up front, or built without collisions", () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => i);

  it("refuses 100,000 traffic items at once, naming the limit", () => {
    const t0 = performance.now();
    const issues = problems(edited((s) => (s.traffic = many(100_000).map(() => ({ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" } })))));
    expect(issues).toEqual([`traffic: at most ${LIMITS.traffic} traffic items`]);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it("stops tracing a scenario whose traffic makes more steps than a trace holds, naming the item", () => {
    const s = edited((s) => (s.traffic = many(10).map(() => ({ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" } }))));
    expect(runScenario(s).ok).toBe(true);
    const r = runScenario(s, { maxSteps: 100 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.message).toMatch(/^the traffic up to here makes \d+ steps; a trace holds at most 100$/);
    if (!r.ok) expect(r.issues[0]!.path).toMatch(/^traffic\.[1-9]$/);
  });

  it("refuses 100,000 pods, and 1,000 Deployments of 1,000 replicas, naming the limit", () => {
    const deployments = (count: number, replicas: number) =>
      many(count).map((i) => ({ kind: "Deployment", name: `d${i}`, replicas, containers: [{ name: "c", image: "nginx" }] }));
    expect(problems(edited((s) => s.workloads!.push(...(deployments(100, 1000) as never[]))))).toEqual([
      `workloads: ${(100_004).toLocaleString("en")} pods in all; a scenario holds at most ${LIMITS.pods.toLocaleString("en")}`,
    ]);
    expect(problems(edited((s) => s.workloads!.push(...(deployments(1000, 1000) as never[]))))[0]).toMatch(/^workloads: 1,000,004 pods in all/);
  });

  it("gives two pods whose derived veth names would collide on one node different names", () => {
    // These two sandbox IDs derive the same veth name (their 32-bit seeds collide).
    const pod = (name: string, sandboxId: string) => ({ kind: "Pod", name, node: "worker-2", sandboxId, containers: [{ name: "c", image: "nginx" }] });
    const r = runScenario(
      edited((s) => s.workloads!.push(pod("a", "0000000000000000000000000000000000000000000000000000000000019dfa") as never, pod("b", "0000000000000000000000000000000000000000000000000000000000089cc0") as never)),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [a, b] = ["a", "b"].map((n) => r.cluster.pods.find((p) => p.name === n)!);
    expect(a!.hostVeth).not.toBe(b!.hostVeth);
    expect(b!.hostVeth).toMatch(/^veth[0-9a-f]{8}$/);
  });

  it("gives two pods whose derived network namespace names would collide different names, and refuses one sandbox ID twice", () => {
    const pod = (name: string, node: string, sandboxId: string) => ({ kind: "Pod", name, node, sandboxId, containers: [{ name: "c", image: "nginx" }] });
    const r = runScenario(
      edited((s) =>
        s.workloads!.push(
          pod("a", "worker-0", "000000000000000000000000000000000000000000000000000000000004078f") as never,
          pod("b", "worker-1", "00000000000000000000000000000000000000000000000000000000000898f0") as never,
        ),
      ),
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(new Set(r.cluster.pods.map((p) => p.netns)).size).toBe(r.cluster.pods.length);
    const twice = "00000000000000000000000000000000000000000000000000000000000898f0";
    expect(problems(edited((s) => s.workloads!.push(pod("a", "worker-0", twice) as never, pod("b", "worker-1", twice) as never)))).toEqual([
      "workloads.4.sandboxId: sandbox ID 000000000000… is already pod a's",
    ]);
  });

  it(`builds ${LIMITS.pods.toLocaleString("en")} pods with unique sandboxes, namespaces and veths`, () => {
    const s = edited((s) => {
      s.cluster.workers = many(20).map((i) => ({ name: `worker-${i}`, ip: `10.240.0.${20 + i}`, podCidr: `10.200.${i * 4}.0/22` }));
      s.workloads = many(20).map((i) => ({ kind: "Deployment", name: `d${i}`, replicas: LIMITS.pods / 20, containers: [{ name: "c", image: "nginx" }] }));
      s.services = [];
      s.traffic = [{ kind: "ping", from: { node: "worker-0" }, to: { node: "worker-1" } }];
    });
    const r = runScenario(s);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.cluster.pods).toHaveLength(LIMITS.pods);
    expect(new Set(r.cluster.pods.map((p) => p.sandboxId)).size).toBe(LIMITS.pods);
    expect(new Set(r.cluster.pods.map((p) => p.netns)).size).toBe(LIMITS.pods);
    expect(new Set(r.cluster.pods.map((p) => `${p.node}/${p.hostVeth}`)).size).toBe(LIMITS.pods);
  }, 60_000);
});

describe("what-if fault fields name the field", () => {
  it("refuses a sysctl value other than 0 or 1, and a sysctl the format does not know", () => {
    expect(problems(edited((s) => void (workers(s)[0]!.sysctl = { "net.ipv4.ip_forward": 2 })))).toEqual([expect.stringMatching(/^cluster\.workers\.0\.sysctl\.net\.ipv4\.ip_forward: /)]);
    expect(problems(edited((s) => void (workers(s)[1]!.sysctl = { "net.ipv4.conf.all.rp_filter": 1 })))).toEqual([expect.stringMatching(/^cluster\.workers\.1\.sysctl(\.net\.ipv4\.conf\.all\.rp_filter)?: /)]);
  });

  it("names a stopped kube-proxy's unknown service, and a stale endpoint outside the pod network", () => {
    expect(problems(edited((s) => void (workers(s)[2]!.kubeProxy = { stoppedBefore: ["default/nope"] })))).toEqual(["cluster.workers.2.kubeProxy.stoppedBefore.0: no service default/nope"]);
    expect(
      problems(
        edited((s) => {
          s.services = [...(s.services ?? []), { name: "web", clusterIP: "10.32.0.80", selector: { app: "web" }, ports: [{ port: 80 }], staleEndpoints: [{ ip: "10.240.0.99", port: 80 }] }];
        }),
      ),
    ).toEqual([`services.${articleScenario("x", {}).services!.length}.staleEndpoints.0.ip: 10.240.0.99 is not in the pod network 10.200.0.0/16`]);
  });
});
