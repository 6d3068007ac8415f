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
 * a zero compares as 0x00000000, `dnat ip addr . port to A . P` is `dnat to A:P` and with a map
 * `dnat ip to numgen …`, an anonymous set of addresses is sorted with any address or
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
      .replace(/mark set mark or (\S+)/, "meta mark set meta mark | $1")
      .replace(/mark set mark xor (\S+)/, "meta mark set meta mark ^ $1")
      .replace(/^mark and (\S+) (==|!=) 0 /, "meta mark & $1 $2 0x00000000 ")
      .replace(/dnat ip addr \. port to (\d+\.\d+\.\d+\.\d+) \. (\d+)$/, "dnat to $1:$2")
      .replace(/dnat ip addr \. port to numgen/, "dnat ip to numgen")
      .replace(/\{ ([^{}:]+) \} (drop|accept)/, (_m, set: string, verdict: string) => `${anonymousSet(set.split(" , "))} ${verdict}`)
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

/** The services of the behaviour check: worker-0 of the article's addresses, two pods on its bridge. */
const LAB_PORTS: ProxyServicePort[] = [
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
    loadBalancerSourceRanges: ["198.51.100.0/24"],
    endpoints: [
      { ip: "10.200.0.10", port: 8080, node: "worker-0" },
      { ip: "10.200.0.11", port: 8080, node: "worker-0" },
    ],
  },
  {
    namespace: "kube-system",
    service: "kube-dns",
    portName: "dns",
    protocol: "UDP",
    clusterIP: "10.32.0.10",
    port: 53,
    externalTrafficPolicy: "Cluster",
    sessionAffinity: "ClientIP",
    affinitySeconds: 600,
    endpoints: [{ ip: "10.200.0.10", port: 53, node: "worker-0" }],
  },
  { namespace: "default", service: "gone", portName: "", protocol: "TCP", clusterIP: "10.32.0.99", port: 80, nodePort: 30099, externalTrafficPolicy: "Cluster", endpoints: [] },
];

/** [protocol, destination, port, source port] from the client or from pod b. */
type Probe = readonly ["tcp" | "udp", string, number, number];
const FROM_POD_B: Probe[] = [
  ...[0, 1, 2, 3, 4, 5].map((i): Probe => ["tcp", "10.32.0.80", 80, 41000 + i]),
  ["udp", "10.32.0.10", 53, 41100],
  ["udp", "10.32.0.10", 53, 41101],
  ["tcp", "10.32.0.80", 81, 41200],
  ["tcp", "10.32.0.77", 80, 41300],
  ["tcp", "10.32.0.99", 80, 41400],
];
const FROM_CLIENT: Probe[] = [
  ["tcp", "10.240.0.20", 30080, 42000],
  ["tcp", "10.240.0.20", 30080, 42001],
  ["tcp", "10.240.0.20", 30080, 42002],
  ["tcp", "10.32.0.80", 80, 42100],
  ["tcp", "10.32.0.99", 80, 42200],
  ["tcp", "10.240.0.20", 30099, 42300],
  ["tcp", "203.0.113.80", 80, 42400],
];

const SERVER_PY = `
import socket, sys, threading
name = sys.argv[1]
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("0.0.0.0", 8080)); t.listen(16)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 53))
def udp():
    while True:
        d, a = u.recvfrom(512); u.sendto(("%s %s:%d" % (name, a[0], a[1])).encode(), a)
threading.Thread(target=udp, daemon=True).start()
while True:
    c, a = t.accept(); c.sendall(("%s %s:%d" % (name, a[0], a[1])).encode()); c.close()
`;

const CLIENT_PY = `
import json, socket, sys
out = []
for proto, dst, port, sport in json.loads(sys.argv[1]):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", sport)); s.settimeout(1.0)
    try:
        if proto == "tcp":
            s.connect((dst, port)); r = "ok " + s.recv(200).decode()
        else:
            s.sendto(b"q", (dst, port)); r = "ok " + s.recvfrom(200)[0].decode()
    except socket.timeout:
        r = "timeout"
    except ConnectionRefusedError:
        r = "refused"
    except OSError as e:
        r = "error %d" % e.errno
    s.close()
    out.append([proto, dst, port, sport, r])
print(json.dumps(out))
`;

/**
 * A node namespace with the rules loaded, two pods on its bridge (hairpin on, bridged frames
 * through the IP hooks as on a kube-proxy node) and a client on its link; probes; what the kernel kept.
 */
function behaviourScript(p: string, rulesFile: string): string {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  return `
set -u
P=${p}
pids=""
cleanup() { for pid in $pids; do kill $pid 2>/dev/null; done; for n in node client poda podb; do ip netns del $P$n 2>/dev/null; done; }
trap cleanup EXIT
set -e
for n in node client poda podb; do ip netns add $P$n; ip -n $P$n link set lo up; done
ip link add eth0 netns $P"node" type veth peer name eth0 netns $P"client"
ip -n $P"node" addr add 10.240.0.20/24 dev eth0; ip -n $P"node" link set eth0 up
ip -n $P"client" addr add 10.240.0.99/24 dev eth0; ip -n $P"client" link set eth0 up
for r in 10.32.0.0/24 10.200.0.0/16 203.0.113.80/32; do ip -n $P"client" route add $r via 10.240.0.20; done
ip -n $P"node" link add cnio0 type bridge; ip -n $P"node" addr add 10.200.0.1/24 dev cnio0; ip -n $P"node" link set cnio0 up
i=10
for pod in poda podb; do
  ip link add veth$pod netns $P"node" type veth peer name eth0 netns $P$pod
  ip -n $P"node" link set veth$pod master cnio0 up
  ip -n $P"node" link set dev veth$pod type bridge_slave hairpin on
  ip -n $P$pod addr add 10.200.0.$i/24 dev eth0; ip -n $P$pod link set eth0 up
  ip -n $P$pod route add default via 10.200.0.1
  i=$((i+1))
done
ip netns exec $P"node" sysctl -qw net.ipv4.ip_forward=1
ip netns exec $P"node" sysctl -qw net.bridge.bridge-nf-call-iptables=1
# A node has a default route: a packet for a service IP kube-proxy does not DNAT is forwarded (to where nothing answers).
ip -n $P"node" neigh add 10.240.0.1 lladdr 02:00:00:00:00:01 dev eth0 nud permanent
ip -n $P"node" route add default via 10.240.0.1
# The client's packets for service IPs leave by the link they came in on: no ICMP redirect (whose
# sending would use up the client's ICMP rate-limit token and swallow the reject's port unreachable).
for c in all eth0; do ip netns exec $P"node" sysctl -qw net.ipv4.conf.$c.send_redirects=0; done
ip netns exec $P"node" nft -f ${rulesFile}
ip netns exec $P"node" nft -f - <<'NFT'
table ip m3trace {
  chain pre { type filter hook prerouting priority -150; ct state new meta nftrace set 1; }
  chain out { type filter hook output priority -150; ct state new meta nftrace set 1; }
}
NFT
ip netns exec $P"node" nft monitor trace > /tmp/$P.trace 2>&1 & pids="$pids $!"
ip netns exec $P"poda" python3 -c ${q(SERVER_PY)} a & pids="$pids $!"
ip netns exec $P"podb" python3 -c ${q(SERVER_PY)} b & pids="$pids $!"
for pod in poda podb; do for t in $(seq 50); do ip netns exec $P$pod ss -ltn | grep -q ':8080 ' && break; sleep 0.1; done; done
sleep 0.3
echo "=== podb"; ip netns exec $P"podb" python3 -c ${q(CLIENT_PY)} ${q(JSON.stringify(FROM_POD_B))}
echo "=== client"; ip netns exec $P"client" python3 -c ${q(CLIENT_PY)} ${q(JSON.stringify(FROM_CLIENT))}
sleep 0.3
echo "=== conntrack"; ip netns exec $P"node" conntrack -L 2>/dev/null | sort
echo "=== sets"; ip netns exec $P"node" nft list ruleset | grep -A6 'set affinity-' || true
echo "=== trace"; cat /tmp/$P.trace; rm -f /tmp/$P.trace
`;
}

function sections(out: string): Record<string, string> {
  const res: Record<string, string> = {};
  let name = "";
  for (const line of out.split("\n")) {
    const m = /^=== (\w+)$/.exec(line);
    if (m) name = m[1]!;
    else if (name) res[name] = (res[name] ? res[name] + "\n" : "") + line;
  }
  return res;
}

run("kube-proxy 1.37 nftables rules forwarding packets", () => {
  if (reason) return;
  const tools = ["python3", "conntrack", "ss"].find((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
  it.skipIf(tools !== undefined)("DNATs ClusterIP and NodePort connections, masquerades what needs it, rejects and drops the rest", () => {
    const dir = mkdtempSync(join(tmpdir(), "m3nft-"));
    const file = join(dir, "rules.nft");
    writeFileSync(file, nftablesProxier("10.200.0.0/16", "10.32.0.0/24").rules(LAB_PORTS, NODE));
    const r = sh(behaviourScript(`${PREFIX}b`, file), 55_000);
    rmSync(dir, { recursive: true, force: true });
    if (process.env.NFT_LAB_DUMP) writeFileSync(process.env.NFT_LAB_DUMP, r.stdout);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const s = sections(r.stdout);
    const podb = JSON.parse(s.podb!) as [string, string, number, number, string][];
    const client = JSON.parse(s.client!) as [string, string, number, number, string][];
    const web = podb.filter((x) => x[2] === 80 && x[1] === "10.32.0.80").map((x) => x[4]);
    // Pod b reaches a or b; to itself, the endpoint chain masquerades it (to the bridge's address).
    for (const w of web) expect(w).toMatch(/^ok (a 10\.200\.0\.11:4100\d|b 10\.200\.0\.1:\d+)$/);
    expect(podb.find((x) => x[3] === 41100)![4]).toBe("ok a 10.200.0.11:41100");
    expect(podb.find((x) => x[3] === 41200)![4]).toBe("refused"); // cluster-ips-check: a service IP, no such port
    expect(podb.find((x) => x[3] === 41300)![4]).toBe("timeout"); // cluster-ips-check: no such service IP
    expect(podb.find((x) => x[3] === 41400)![4]).toBe("refused"); // no endpoints
    for (const c of client.filter((x) => x[2] === 30080)) expect(c[4]).toMatch(/^ok [ab] 10\.200\.0\.1:\d+$/); // masqueraded out of cnio0
    expect(client.find((x) => x[3] === 42100)![4]).toMatch(/^ok [ab] 10\.200\.0\.1:\d+$/); // from outside the cluster CIDR
    expect(client.find((x) => x[3] === 42200)![4]).toBe("refused"); // no endpoints
    expect(client.find((x) => x[3] === 42300)![4]).toBe("refused"); // NodePort without endpoints
    expect(client.find((x) => x[3] === 42400)![4]).toBe("timeout"); // not in loadBalancerSourceRanges
    // fully-random: the masqueraded source ports are not the client's.
    const nodePortLines = s.conntrack!.split("\n").filter((l) => l.includes("dport=30080"));
    expect(nodePortLines).toHaveLength(3);
    const natPorts = nodePortLines.map((l) => /dst=10\.200\.0\.1 sport=8080 dport=(\d+)/.exec(l)?.[1]);
    expect(natPorts.every((x) => x !== undefined)).toBe(true);
    expect(natPorts.filter((x, i) => x === String(42000 + i))).toHaveLength(0);
    expect(s.trace).toContain("ip kube-proxy reject-chain rule reject (verdict drop)");
  });
});
