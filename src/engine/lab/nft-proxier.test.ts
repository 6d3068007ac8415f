/**
 * kube-proxy 1.37's nftables rules against the kernel's nft: `nft -c -f` accepts the text the
 * proxier writes, loading it in a fresh network namespace and listing it gives the golden files
 * in src/engine/kube-proxy/__fixtures__ (what a real node's `nft list ruleset` prints), and the
 * listing holds, chain for chain, the rules the text wrote as nft prints them back.
 * Set UPDATE_NFT_FIXTURES=1 to rewrite the fixtures from this machine's kernel.
 * Needs root, iproute2 and nft.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildCluster } from "../k8s/build";
import { validateScenario } from "../k8s/spec";
import { nftablesProxier } from "../kube-proxy/nftables";
import type { ProxyServicePort } from "../kube-proxy/proxier";
import { BUILTIN_SCENARIOS } from "../scenarios/article";

const FIXTURES = join(__dirname, "..", "kube-proxy", "__fixtures__");
const UPDATE = process.env.UPDATE_NFT_FIXTURES === "1";
const PREFIX = `m3nft${process.pid}`;

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "nft"]) if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  const probe = spawnSync("sh", ["-c", `ip netns add ${PREFIX}p && ip netns del ${PREFIX}p`], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create network namespaces: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = missing();
if (reason) {
  const msg = `skipped: kube-proxy nftables kernel tests: ${reason}`;
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

function sh(script: string, timeout = 30_000) {
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", timeout, maxBuffer: 16 << 20 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Loads `text` in a fresh namespace: what `nft -c -f` said, and what `nft list ruleset` prints after `nft -f`. */
function loadAndList(name: string, text: string): { check: ReturnType<typeof sh>; list: string } {
  const dir = mkdtempSync(join(tmpdir(), "m3nft-"));
  const file = join(dir, "rules.nft");
  writeFileSync(file, text);
  const ns = `${PREFIX}${name}`;
  try {
    const check = sh(`ip netns add ${ns} && ip netns exec ${ns} nft -c -f ${file}`);
    const load = sh(`ip netns exec ${ns} nft -f ${file} && ip netns exec ${ns} nft list ruleset`);
    if (load.status !== 0) throw new Error(`nft -f failed: ${load.stderr}`);
    return { check, list: load.stdout };
  } finally {
    sh(`ip netns del ${ns} 2>/dev/null`);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The article's cluster (every built-in scenario has the same services): its service ports as build.ts resolves them. */
function articlePorts(): { ports: ProxyServicePort[]; podNetwork: string; serviceNetwork: string } {
  const v = validateScenario(BUILTIN_SCENARIOS[0]);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const c = buildCluster(v.scenario);
  return { ports: c.services.flatMap((s) => s.portsResolved), podNetwork: v.scenario.cluster.podNetwork, serviceNetwork: v.scenario.cluster.serviceNetwork };
}

/** Today's service types on the article's addresses: LoadBalancer with source ranges, eTP Local, UDP affinity, no endpoints. */
export const LB_MIXED_PORTS: ProxyServicePort[] = [
  {
    namespace: "default",
    service: "web",
    portName: "http",
    protocol: "TCP",
    clusterIP: "10.32.0.80",
    port: 80,
    nodePort: 30080,
    externalTrafficPolicy: "Cluster",
    loadBalancerIPs: ["203.0.113.80"],
    loadBalancerSourceRanges: ["203.0.113.0/24", "10.240.0.0/24"],
    endpoints: [
      { ip: "10.200.0.10", port: 8080, node: "worker-0" },
      { ip: "10.200.1.10", port: 8080, node: "worker-1" },
      { ip: "10.200.2.10", port: 8080, node: "worker-2" },
    ],
  },
  {
    namespace: "default",
    service: "web-local",
    portName: "",
    protocol: "TCP",
    clusterIP: "10.32.0.81",
    port: 80,
    nodePort: 30081,
    externalTrafficPolicy: "Local",
    loadBalancerIPs: ["203.0.113.81"],
    healthCheckNodePort: 32000,
    endpoints: [
      { ip: "10.200.0.10", port: 8080, node: "worker-0" },
      { ip: "10.200.1.10", port: 8080, node: "worker-1" },
    ],
  },
  {
    namespace: "default",
    service: "web-elsewhere",
    portName: "",
    protocol: "TCP",
    clusterIP: "10.32.0.82",
    port: 80,
    nodePort: 30082,
    externalTrafficPolicy: "Local",
    loadBalancerIPs: ["203.0.113.82"],
    healthCheckNodePort: 32001,
    endpoints: [{ ip: "10.200.2.10", port: 8080, node: "worker-2" }],
  },
  {
    namespace: "kube-system",
    service: "dns",
    portName: "dns",
    protocol: "UDP",
    clusterIP: "10.32.0.10",
    port: 53,
    externalTrafficPolicy: "Cluster",
    sessionAffinity: "ClientIP",
    affinitySeconds: 600,
    endpoints: [
      { ip: "10.200.0.27", port: 53, node: "worker-0" },
      { ip: "10.200.1.27", port: 53, node: "worker-1" },
    ],
  },
  {
    namespace: "default",
    service: "gone",
    portName: "http",
    protocol: "TCP",
    clusterIP: "10.32.0.99",
    port: 80,
    nodePort: 30099,
    externalTrafficPolicy: "Cluster",
    loadBalancerIPs: ["203.0.113.99"],
    loadBalancerSourceRanges: ["198.51.100.0/24"],
    endpoints: [],
  },
];

const NODE = { name: "worker-0", ip: "10.240.0.20" };

function fixtureCases(): { name: string; text: string }[] {
  const a = articlePorts();
  const p = nftablesProxier(a.podNetwork, a.serviceNetwork);
  return [
    { name: "article-worker-0", text: p.rules(a.ports, NODE) },
    { name: "lb-mixed-worker-0", text: p.rules(LB_MIXED_PORTS, NODE) },
  ];
}

/**
 * What nft should print for the transaction, chain by chain, worked out by hand from nft's
 * printing rules (not from a listing): `mark` is `meta mark`, `or`/`xor`/`and` are `|`/`^`/`&`,
 * a zero compares as 0x00000000, an anonymous set of addresses is sorted with any address or
 * network inside another left out (it is an interval set) and loses its braces when one is left,
 * and elements are joined by ", ".
 */
export function expectedChains(text: string): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const add = /^add chain ip kube-proxy (\S+)/.exec(l);
    if (add) {
      const deleted = lines[i + 1] === `delete chain ip kube-proxy ${add[1]}`;
      if (deleted) i++;
      else if (!chains.has(add[1]!)) chains.set(add[1]!, []);
      continue;
    }
    const rule = /^add rule ip kube-proxy (\S+) (.*)$/.exec(l);
    if (!rule) continue;
    const printed = rule[2]!
      .replace(/^mark set mark or (\S+)/, "meta mark set meta mark | $1")
      .replace(/^mark set mark xor (\S+)/, "meta mark set meta mark ^ $1")
      .replace(/^mark and (\S+) == 0 /, "meta mark & $1 == 0x00000000 ")
      .replace(/\{ ([^{}]+) \} (drop|accept)/, (_m, set: string, verdict: string) => `${anonymousSet(set.split(" , "))} ${verdict}`)
      .replaceAll(" , ", ", ");
    chains.get(rule[1]!)!.push(printed);
  }
  return chains;
}

/** An anonymous interval set of IPv4 addresses and networks as nft prints it. */
function anonymousSet(items: string[]): string {
  const range = (s: string) => {
    const [a, len] = s.split("/");
    const n = a!.split(".").reduce((x, o) => x * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(len ?? 32));
    return { s, lo: n, hi: n + size - 1 };
  };
  const rs = items.map(range).sort((x, y) => x.lo - y.lo);
  const kept = rs.filter((r) => !rs.some((o) => o !== r && o.lo <= r.lo && r.hi <= o.hi && (o.lo !== r.lo || o.hi !== r.hi)));
  return kept.length === 1 ? kept[0]!.s : `{ ${kept.map((r) => r.s).join(", ")} }`;
}

/** The chains of an `nft list ruleset` listing, rules as printed, in listing order. */
function listedChains(listing: string): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const l of listing.split("\n")) {
    const open = /^\tchain (\S+) \{$/.exec(l);
    if (open) {
      current = [];
      chains.set(open[1]!, current);
    } else if (l === "\t}") {
      current = undefined;
    } else if (current && l.startsWith("\t\t") && !/^\t\t(type |comment ")/.test(l)) {
      current.push(l.slice(2));
    }
  }
  return chains;
}

const run = reason && process.env.CI !== "true" ? describe.skip : describe;

run("kube-proxy 1.37 nftables rules in the kernel", () => {
  if (reason) {
    it("has what the lab needs (CI=true makes a missing kernel a failure)", () => {
      expect.fail(`kernel tests cannot run: ${reason}`);
    });
    return;
  }

  it.each(fixtureCases().map((c) => [c.name, c] as const))("%s: nft -c -f accepts it, and nft list ruleset prints the golden file", (name, c) => {
    const input = join(FIXTURES, `nft-${name}.input.nft`);
    const golden = join(FIXTURES, `nft-${name}.txt`);
    const { check, list } = loadAndList(name.replace(/[^a-z0-9]/g, "").slice(0, 12), c.text);
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
    if (UPDATE || !existsSync(golden)) {
      writeFileSync(input, c.text);
      writeFileSync(golden, list);
    }
    expect(c.text).toBe(readFileSync(input, "utf8"));
    expect(list).toBe(readFileSync(golden, "utf8"));
    // Chains in the order the transaction created them (a deleted base chain is made again later), each with its rules as expected.
    const want = expectedChains(c.text);
    const got = listedChains(list);
    expect([...got.keys()]).toEqual([...want.keys()]);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
  });

  it("nft refuses what kube-proxy would never write (the check can fail)", () => {
    const ns = `${PREFIX}bad`;
    const bad = 'add table ip kube-proxy { comment "x" ; }\nadd chain ip kube-proxy c { type filter hook prerouting priority dstnat-10 ; }\n';
    try {
      const check = sh(`ip netns add ${ns} && printf '%s' '${bad}' | ip netns exec ${ns} nft -c -f -`);
      expect(check.status).not.toBe(0);
      expect(check.stderr).toContain("invalid priority expression");
    } finally {
      sh(`ip netns del ${ns} 2>/dev/null`);
    }
  });
});
