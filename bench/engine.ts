/**
 * [engine-core] benchmarks: a nat table of 100,000 kube-proxy-shaped KUBE-SERVICES rules.
 * - parse the iptables-save text (target: under 1 s);
 * - trace one packet that matches the last rule, through a node, at 1,000, 10,000 and 100,000
 *   rules, with the fixed per-packet cost (a table of one rule) and the first, cold packet apart;
 * - a bare loop over the same rules doing the header comparisons the matcher does (addresses
 *   with masks, protocol, port), run alternately with the trace in one loop, and the
 *   ratio between the two (target: within 3x).
 */
import { formatIpv4, ipv4, parseCidr } from "../src/engine/addr/ipv4";
import { parseIptablesSave } from "../src/engine/netfilter/parse";
import { iptablesRestore } from "../src/engine/netfilter/save";
import { World } from "../src/engine/world";
import { line, measure, median, ms } from "./util";

const RULES = 100_000;

function vip(i: number): string {
  // 10.32.0.0/12-ish service addresses, unique per rule.
  return formatIpv4(ipv4("10.32.0.0") + 1 + i);
}

export function kubeServicesText(n: number): string {
  const parts: string[] = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]", ":KUBE-SERVICES - [0:0]"];
  for (let i = 0; i < n; i++) parts.push(`:KUBE-SVC-${String(i).padStart(16, "0")} - [0:0]`);
  parts.push(":KUBE-SEP-LAST0000000000000 - [0:0]");
  parts.push(`-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`);
  for (let i = 0; i < n; i++) {
    parts.push(`-A KUBE-SERVICES -d ${vip(i)}/32 -p tcp -m comment --comment "default/svc-${i}:http cluster IP" -m tcp --dport ${1 + (i % 60000)} -j KUBE-SVC-${String(i).padStart(16, "0")}`);
  }
  const last = String(n - 1).padStart(16, "0");
  parts.push(`-A KUBE-SVC-${last} -m comment --comment "default/svc-${n - 1}:http" -j KUBE-SEP-LAST0000000000000`);
  parts.push(`-A KUBE-SEP-LAST0000000000000 -p tcp -m comment --comment "default/svc-${n - 1}:http" -m tcp -j DNAT --to-destination 10.200.1.18:80`);
  parts.push("COMMIT", "");
  return parts.join("\n");
}

interface Bench {
  readonly trace: (i: number) => void;
  readonly bare: () => number;
}

/**
 * A node with a KUBE-SERVICES chain of `n` rules whose last one matches, a client in front of
 * it and the endpoint pod behind it; `trace` sends one SYN through it, `bare` walks the same
 * rules comparing what the matcher compares for them (source and destination with their
 * masks, the protocol, the tcp match's destination port) and stops at the first that matches.
 */
function setUp(n: number): Bench & { node: ReturnType<World["addNetns"]> } {
  const text = kubeServicesText(n);
  const w = new World({ seed: 1 });
  const node = w.addNetns({ name: "node", node: "worker-0", ipForward: true });
  const r = iptablesRestore(node.nf, text);
  if (!r.ok) throw new Error(r.error.message);
  // The node: eth0 on a segment with a client, and a pod network behind it.
  w.addNetns({ name: "client", node: "client" });
  w.addNetns({ name: "pod", node: "worker-1", pod: "nginx" });
  w.ether("client", "eth0", "lan");
  w.ether("node", "eth0", "lan");
  w.get("client").addAddress("eth0", "10.240.0.99/24");
  node.addAddress("eth0", "10.240.0.20/24");
  w.get("client").addRoute({ table: "main", type: "unicast", dst: parseCidr("10.32.0.0/12"), via: ipv4("10.240.0.20"), dev: "eth0", proto: "boot", scope: "global" });
  w.veth({ ns: "node", name: "veth-pod" }, { ns: "pod", name: "eth0" });
  node.addAddress("veth-pod", "10.200.1.1/24");
  w.get("pod").addAddress("eth0", "10.200.1.18/24");
  w.get("pod").listeners.push({ proto: "tcp", port: 80, app: "nginx" });

  const target = ipv4(vip(n - 1));
  const port = 1 + ((n - 1) % 60000);
  const src = ipv4("10.240.0.99");
  const trace = (i: number) => {
    const res = w.send("client", {
      proto: "tcp",
      dst: target,
      sport: 20000 + (i & 0x7fff) + (i < 0 ? 40000 : 0),
      dport: port,
      tcp: { syn: true, ack: false, fin: false, rst: false, psh: false, seq: 1, ackSeq: 0, win: 64240 },
    });
    if (res.flow.verdict !== "delivered") throw new Error(`trace failed: ${res.flow.dropReason}`);
  };
  const rules = node.nf.tables.nat.chains.get("KUBE-SERVICES")!.rules;
  const bare = () => {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if ((((src & rule.src.mask) >>> 0) === rule.src.net) === rule.srcInvert) continue;
      if ((((target & rule.dst.mask) >>> 0) === rule.dst.net) === rule.dstInvert) continue;
      if ((rule.proto !== 0 || rule.protoInvert) && (6 === rule.proto) === rule.protoInvert) continue;
      let portOk = true;
      for (const m of rule.matches) {
        if (m.kind === "tcp" && m.dport) portOk = (port >= m.dport.value.min && port <= m.dport.value.max) !== m.dport.invert;
      }
      if (portOk) return i;
    }
    return -1;
  };
  return { node, trace, bare };
}

/** Runs the trace and the bare loop alternately, so both meet the same machine state; returns their times. */
function interleaved(b: Bench, runs: number): { trace: number[]; bare: number[] } {
  for (let i = 0; i < 10; i++) {
    b.trace(-1 - i);
    b.bare();
  }
  const trace: number[] = [];
  const bare: number[] = [];
  let sink = 0;
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    b.trace(i);
    trace.push(performance.now() - t0);
    t0 = performance.now();
    sink += b.bare();
    bare.push(performance.now() - t0);
  }
  if (sink < 0) throw new Error("the bare loop found nothing");
  return { trace, bare };
}

export function runEngineBench(): void {
  console.log(`\n[engine-core] nat table of ${RULES.toLocaleString("en")} KUBE-SERVICES rules, matching rule last`);
  const text = kubeServicesText(RULES);
  const w = new World({ seed: 1 });
  const node = w.addNetns({ name: "node", node: "worker-0", ipForward: true });
  const parseTimes = measure(() => {
    const r = parseIptablesSave(text);
    if (!r.ok) throw new Error(r.error.message);
  }, 5, 1);
  line("parse the iptables-save text into rules (median of 5)", ms(median(parseTimes)));
  const loadTimes = measure(() => {
    const r = iptablesRestore(node.nf, text);
    if (!r.ok) throw new Error(r.error.message);
  }, 5, 1);
  line("iptables-restore: parse + the kernel's checks + commit (median)", ms(median(loadTimes)));

  // The fixed cost of a packet: the same node with one rule, which matches.
  const one = setUp(1);
  const fixed = median(interleaved(one, 201).trace);
  line("trace one packet through a table of 1 rule: the fixed per-packet cost (median of 201)", ms(fixed));
  console.log("  (the bare loop compares each rule's source and destination with their masks, the protocol and the tcp port, as the matcher does;");
  console.log("   trace and bare loop run alternately in one loop)");
  for (const n of [1_000, 10_000, 100_000]) {
    const b = setUp(n);
    const cold0 = performance.now();
    b.trace(-1000);
    const cold = performance.now() - cold0;
    const runs = n >= 100_000 ? 51 : 201;
    const t = interleaved(b, runs);
    const tm = median(t.trace);
    const bm = median(t.bare);
    line(`${n.toLocaleString("en")} rules: first (cold) packet`, ms(cold));
    line(`${n.toLocaleString("en")} rules: trace, median of ${runs}`, ms(tm));
    line(`${n.toLocaleString("en")} rules: bare loop over the same rules, median`, ms(bm));
    console.log(`${`${n.toLocaleString("en")} rules: ratio`.padEnd(66)} ${(tm / bm).toFixed(2)} (trace / bare loop)`);
    const perRule = (x: number) => `${((x * 1e6) / n).toFixed(1)} ns`;
    line(`${n.toLocaleString("en")} rules: per rule, trace less its fixed cost / bare loop`, tm > fixed ? `${perRule(tm - fixed)} / ${perRule(bm)}` : `within the fixed cost's noise / ${perRule(bm)}`);
  }
}
