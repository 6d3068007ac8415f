/**
 * The nftables model against the real nft and kernel (nft v1.0.6 on the lab machine):
 * (a) our `nft list ruleset` (and `-a`) for rich rulesets equals what the kernel lists for the
 *     same input; (b) `nft -c -f` accepts what we print; (c) a router namespace with DNAT by a
 *     numgen vmap to two backends and masquerade: counters and conntrack entries after ten
 *     connections agree with the engine's where they are deterministic (which backend numgen
 *     picks is random in both, so only the totals and the shape of each entry are compared).
 * Skips with a printed reason when not root or nft is missing.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ipv4 } from "../addr/ipv4";
import { World } from "../world";
import { loadNft } from "../nftables/parse";
import { formatConntrackEntry } from "../conntrack/format";
import { nftRouterWorld, ROUTER_NFT } from "../nftables/router-lab";
import { applyNft, formatNftError } from "../nftables/parse";
import { printRuleset } from "../nftables/print";
import { emptyNftRuleset } from "../nftables/types";

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "nft", "conntrack", "curl", "python3"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = spawnSync("sh", ["-c", "ip netns add hsn-probe && ip netns del hsn-probe"], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create network namespaces: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = missing();
if (reason) {
  const msg = `skipped: nftables kernel tests: ${reason}`;
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

const fixtures = join(__dirname, "..", "nftables", "__fixtures__");
const ns = `hsn${process.pid % 10000}`;

function sh(script: string, input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", timeout: 50_000, ...(input !== undefined && { input }) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Loads `text` with the real nft in a fresh namespace and returns what it lists. */
function kernelList(text: string, handles: boolean, flag = ""): string {
  const n = `${ns}-l`;
  const r = sh(`set -e; ip netns add ${n}; trap 'ip netns del ${n}' EXIT; ip -n ${n} link set lo up; ip netns exec ${n} nft -f - ; ip netns exec ${n} nft ${handles ? "-a " : ""}${flag} list ruleset`, text);
  if (r.status !== 0) throw new Error(`nft refused the input: ${r.stderr}`);
  return r.stdout;
}

function ours(text: string, handles: boolean): string {
  const rs = emptyNftRuleset();
  const r = applyNft(rs, text);
  if (!r.ok) throw new Error(formatNftError(r.error));
  return printRuleset(rs, { handles });
}

describe.skipIf(reason !== undefined)("nftables: our printer against the real nft", () => {
  for (const f of ["kp", "rich", "attrs", "per", "iface", "ctvmap", "icmp", "router"]) {
    it(`${f}.nft: nft list ruleset and nft -a list ruleset are the kernel's, and nft -c accepts ours`, () => {
      const text = f === "router" ? ROUTER_NFT : readFileSync(join(fixtures, `${f}.nft`), "utf8");
      expect(ours(text, false)).toBe(kernelList(text, false));
      expect(ours(text, true)).toBe(kernelList(text, true));
      const rs = emptyNftRuleset();
      applyNft(rs, text);
      expect(printRuleset(rs, { numeric: true })).toBe(kernelList(text, false, "-n"));
      expect(printRuleset(rs, { stateless: true })).toBe(kernelList(text, false, "-s"));
      const n = `${ns}-c`;
      const check = sh(`ip netns add ${n}; ip netns exec ${n} nft -c -f -; rc=$?; ip netns del ${n}; exit $rc`, ours(text, false));
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
    });
  }
});

/** The router lab in namespaces: the same addresses and ruleset as nftRouterWorld. */
function routerLabScript(connections: number): string {
  const p = ns;
  return `set -e
cleanup() { for x in c r b1 b2; do ip netns pids ${p}-$x 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del ${p}-$x 2>/dev/null || true; done; }
trap cleanup EXIT
for x in c r b1 b2; do ip netns add ${p}-$x; ip -n ${p}-$x link set lo up; done
ip link add ${p}a type veth peer name r-cl netns ${p}-r
ip link set ${p}a netns ${p}-c name eth0
ip link add ${p}b type veth peer name r-b1 netns ${p}-r
ip link set ${p}b netns ${p}-b1 name eth0
ip link add ${p}d type veth peer name r-b2 netns ${p}-r
ip link set ${p}d netns ${p}-b2 name eth0
ip -n ${p}-c addr add 10.0.1.2/24 dev eth0; ip -n ${p}-c link set eth0 up; ip -n ${p}-c route add default via 10.0.1.1
ip -n ${p}-r addr add 10.0.1.1/24 dev r-cl; ip -n ${p}-r addr add 10.0.2.1/24 dev r-b1; ip -n ${p}-r addr add 10.0.3.1/24 dev r-b2
for i in r-cl r-b1 r-b2; do ip -n ${p}-r link set $i up; done
ip netns exec ${p}-r sysctl -qw net.ipv4.ip_forward=1
ip -n ${p}-b1 addr add 10.0.2.2/24 dev eth0; ip -n ${p}-b1 link set eth0 up; ip -n ${p}-b1 route add default via 10.0.2.1
ip -n ${p}-b2 addr add 10.0.3.2/24 dev eth0; ip -n ${p}-b2 link set eth0 up; ip -n ${p}-b2 route add default via 10.0.3.1
ip netns exec ${p}-r nft -f - <<'NFT'
${ROUTER_NFT}NFT
(ip netns exec ${p}-b1 python3 -m http.server 8080 --bind 10.0.2.2 >/dev/null 2>&1 &)
(ip netns exec ${p}-b2 python3 -m http.server 8080 --bind 10.0.3.2 >/dev/null 2>&1 &)
for t in $(seq 50); do ip netns exec ${p}-b1 ss -ltn | grep -q 8080 && ip netns exec ${p}-b2 ss -ltn | grep -q 8080 && break; sleep 0.1; done
for i in $(seq ${connections}); do ip netns exec ${p}-c curl -s -m 2 -o /dev/null --local-port $((42000 + i)) http://10.0.1.1/ || true; done
echo "=== ruleset"
ip netns exec ${p}-r nft list ruleset
echo "=== conntrack"
ip netns exec ${p}-r conntrack -L -p tcp 2>/dev/null
`;
}

/** `src=… dst=… sport=… dport=…` pairs of a conntrack line, original then reply. */
function tuples(line: string): string[] {
  return [...line.matchAll(/src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`);
}

/** A conntrack entry in the shape both sides share: which backend, and that ports were kept. */
function shape(line: string): string {
  const [o, r] = tuples(line);
  const [os, od, osp, odp] = o!.split(" ");
  const [rs, rd, rsp, rdp] = r!.split(" ");
  return `${os} ${od}:${odp} -> ${rs}:${rsp} masq=${rd} kept-port=${osp === rdp}`;
}

const COUNTED = /^\s*(.*?)counter packets (\d+) bytes (\d+)(.*)$/;

function counters(ruleset: string): string[] {
  return ruleset
    .split("\n")
    .filter((l) => COUNTED.test(l))
    .map((l) => {
      const m = COUNTED.exec(l)!;
      return `${m[1]}${m[4]} = ${m[2]}`;
    });
}

describe.skipIf(reason !== undefined)("nftables: a DNAT router in namespaces against the engine", () => {
  it("counts, chooses among backends and tracks connections as the kernel does", () => {
    const N = 10;
    const k = sh(routerLabScript(N));
    if (k.status !== 0) throw new Error(`lab failed: ${k.stderr}`);
    const [, rulesetPart, ctPart] = k.stdout.split(/=== (?:ruleset|conntrack)\n/);
    const kernelRules = rulesetPart!;
    const kernelCt = ctPart!.split("\n").filter((l) => l.startsWith("tcp"));

    const w = nftRouterWorld(3);
    for (let i = 1; i <= N; i++) {
      const r = w.send("client", { proto: "tcp", dst: ipv4("10.0.1.1"), sport: 42000 + i, dport: 80, tcp: { syn: true, ack: false, fin: false, rst: false, psh: false, seq: 1, ackSeq: 0, win: 64240 } });
      expect(r.flow.verdict).toBe("delivered");
    }
    const engineRules = printRuleset(w.get("router").nft);
    const engineCt = w.get("router").ct.list(w.now).map((e) => formatConntrackEntry(e, w.now));

    // Deterministic counters: every connection's first packet in pre, fwd (ct status dnat) and post.
    const kc = counters(kernelRules);
    const ec = counters(engineRules);
    for (const rule of [
      "ip daddr 10.0.1.1 tcp dport 80  numgen random mod 2 vmap { 0 : goto be1, 1 : goto be2 } = 10",
      "ct status dnat  accept = 10",
      'oifname "r-b*"  masquerade = 10',
      " = 0",
    ]) {
      expect(kc).toContain(rule);
      expect(ec).toContain(rule);
    }
    // numgen: both sides split the ten connections over the two backends.
    const split = (c: string[]) => c.filter((l) => / meta l4proto tcp dnat to 10\.0\.[23]\.2:8080 = /.test(l)).reduce((n, l) => n + Number(l.split(" = ")[1]), 0);
    expect(split(kc)).toBe(N);
    expect(split(ec)).toBe(N);
    // Conntrack: one entry per connection, to a backend, masqueraded to the router's address on its link, the port kept.
    expect(kernelCt).toHaveLength(N);
    expect(engineCt).toHaveLength(N);
    const allowed = new Set(["10.0.1.2 10.0.1.1:80 -> 10.0.2.2:8080 masq=10.0.2.1 kept-port=true", "10.0.1.2 10.0.1.1:80 -> 10.0.3.2:8080 masq=10.0.3.1 kept-port=true"]);
    for (const l of kernelCt) expect(allowed).toContain(shape(l));
    for (const l of engineCt) expect(allowed).toContain(shape(l));
  }, 60_000);
});

/**
 * The hook order: a filter chain at −95 after nat chains at −60, −50, −40 (NAT runs them all at
 * −100, by their priorities, until one binds), and two filter input chains of equal priority
 * (the later-created runs first). One TCP SYN; the kernel's whole listing must equal ours.
 */
const ORDER_NFT = `table ip t {
	chain f95 { type filter hook prerouting priority -95; ip daddr 198.51.100.2 tcp dport 80 counter; ip daddr 203.0.113.10 tcp dport 80 counter; ip daddr 203.0.113.20 tcp dport 80 counter; }
	chain n50 { type nat hook prerouting priority -50; tcp dport 80 counter dnat to 203.0.113.10; }
	chain n60 { type nat hook prerouting priority -60; tcp dport 80 counter; }
	chain n40 { type nat hook prerouting priority -40; tcp dport 80 counter dnat to 203.0.113.20; }
	chain same1 { type filter hook input priority 0; tcp dport 80 counter meta mark set 1; }
	chain same2 { type filter hook input priority 0; tcp dport 80 meta mark 1 counter; }
}
`;

describe.skipIf(reason !== undefined)("nftables: hook order against the kernel", () => {
  it("nat chains run at NAT's priority in their own order until one binds; equal priorities run the later-created first", () => {
    const p = `${ns}o`;
    const k = sh(`set -e
cleanup() { ip netns del ${p}-a 2>/dev/null || true; ip netns del ${p}-b 2>/dev/null || true; }
trap cleanup EXIT
ip netns add ${p}-a; ip netns add ${p}-b
ip link add ${p}x type veth peer name eth0 netns ${p}-b
ip link set ${p}x netns ${p}-a name eth0
ip -n ${p}-a addr add 198.51.100.1/24 dev eth0; ip -n ${p}-a link set eth0 up
ip -n ${p}-b addr add 198.51.100.2/24 dev eth0; ip -n ${p}-b link set eth0 up; ip -n ${p}-b link set lo up
ip -n ${p}-b addr add 203.0.113.10/32 dev lo; ip -n ${p}-b addr add 203.0.113.20/32 dev lo
ip netns exec ${p}-b nft -f - <<'NFT'
${ORDER_NFT}NFT
ip netns exec ${p}-a curl -s -m 1 http://198.51.100.2/ || true
ip netns exec ${p}-b nft list ruleset
`);
    if (k.status !== 0) throw new Error(`lab failed: ${k.stderr}`);

    const w = new World({ seed: 1 });
    w.addNetns({ name: "a", node: "a" });
    w.addNetns({ name: "b", node: "b" });
    w.veth({ ns: "a", name: "eth0" }, { ns: "b", name: "eth0" });
    w.get("a").addAddress("eth0", "198.51.100.1/24");
    w.get("b").addAddress("eth0", "198.51.100.2/24");
    w.get("b").addAddress("lo", "203.0.113.10/32", "host");
    w.get("b").addAddress("lo", "203.0.113.20/32", "host");
    w.get("b").loadNftLater((rs) => loadNft(rs, ORDER_NFT));
    w.send("a", { proto: "tcp", dst: ipv4("198.51.100.2"), sport: 40000, dport: 80, tcp: { syn: true, ack: false, fin: false, rst: false, psh: false, seq: 1, ackSeq: 0, win: 64240 } });
    expect(printRuleset(w.get("b").nft)).toBe(k.stdout);
  }, 30_000);
});
