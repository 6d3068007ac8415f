/**
 * [engine-core] benchmarks: a nat table of 100,000 kube-proxy-shaped KUBE-SERVICES rules.
 * - parse the iptables-save text (target: under 1 s);
 * - trace one packet that matches the last rule, through a node (target: median under 5 ms);
 * - a bare loop over the same rules comparing one integer each, in the same process, and the
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

  const target = vip(RULES - 1);
  const port = 1 + ((RULES - 1) % 60000);
  const trace = (i: number) => {
    const r = w.send("client", {
      proto: "tcp",
      dst: ipv4(target),
      sport: 20000 + (i & 0x7fff) + (i < 0 ? 40000 : 0),
      dport: port,
      tcp: { syn: true, ack: false, fin: false, rst: false, psh: false, seq: 1, ackSeq: 0, win: 64240 },
    });
    if (r.flow.verdict !== "delivered") throw new Error(`trace failed: ${r.flow.dropReason}`);
  };
  const traceTimes = measure(trace, 101, 10);

  const rules = node.nf.tables.nat.chains.get("KUBE-SERVICES")!.rules;
  const want = ipv4(target);
  let sink = 0;
  const bare = () => {
    // One integer comparison per rule: the floor any walk over these rules has to pay.
    for (let i = 0; i < rules.length; i++) {
      if (rules[i]!.dst.net === want) {
        sink += i;
        break;
      }
    }
  };
  const bareTimes = measure(bare, 101, 10);
  if (sink === 0) throw new Error("the bare loop found nothing");
  const t = median(traceTimes);
  const b = median(bareTimes);
  line("trace one packet through the table (median of 101)", ms(t));
  line("bare loop over the same rules, one integer each (median)", ms(b));
  console.log(`ratio ${(t / b).toFixed(2)} (trace / bare loop; target ≤ 3)`);
}
