/**
 * [modern] benchmark: 5,000 services × 2 ports (1–10 endpoints) on 10 workers, traced through
 * each kube-proxy Hopscope models: 2018's 1.10 and today's in iptables mode (a KUBE-SERVICES
 * chain walked rule by rule) and in nftables mode (verdict maps looked up at once). Prints, per
 * kube-proxy, the first (cold) trace that loads the rules of the nodes it crosses, and the
 * median ClusterIP trace to the service written first and to the one written last, and a NodePort
 * trace; then the parse and print time of the 5,000-service `nft list ruleset`.
 */
import { buildCluster } from "../src/engine/k8s/build";
import { validateScenario } from "../src/engine/k8s/spec";
import { traceTraffic } from "../src/engine/k8s/traffic";
import { kubeProxyChoices, type KubeProxyChoice } from "../src/engine/kube-proxy/releases";
import { nftablesProxier } from "../src/engine/kube-proxy/nftables";
import { loadNft } from "../src/engine/nftables/parse";
import { printRuleset } from "../src/engine/nftables/print";
import { emptyNftRuleset } from "../src/engine/nftables/types";
import { installNftRuntime, nftRuntime } from "../src/engine/nftables/runtime";
import { generatedScenario } from "./cluster";
import { line, measure, median, ms } from "./util";

const SERVICES = 5_000;

function traceBench(kp: KubeProxyChoice): void {
  const input = generatedScenario(10, 1_000, SERVICES);
  const v = validateScenario({ ...input, cluster: { ...input.cluster, kubeProxy: kp } });
  if (!v.ok) throw new Error(JSON.stringify(v.issues.slice(0, 3)));
  console.log(`\nkube-proxy ${kp.version} in ${kp.mode} mode`);
  const t0 = performance.now();
  const cluster = buildCluster(v.scenario);
  line("build the cluster", ms(performance.now() - t0));
  const pod = cluster.pods[0]!.name;
  const clusterIp = (svc: string) => (i: number) =>
    traceTraffic(cluster, { kind: "curl", from: { pod }, to: { service: svc, namespace: "default", port: "http" }, sport: 20000 + (i & 0x7fff) }, 0);
  const nodePort = (i: number) => traceTraffic(cluster, { kind: "curl", from: { client: true }, to: { node: "worker-3", public: true }, port: 30001, sport: 40000 + (i & 0x3fff) }, 0);
  const cold = performance.now();
  clusterIp("svc200")(-100);
  line("first (cold) ClusterIP trace, loading the rules of the nodes it crosses", ms(performance.now() - cold));
  // svc200 and svc4900 select the same pods (app0), so only their place in the rules differs.
  line("ClusterIP trace to svc200 (written early), median of 31 (SYN, SYN-ACK, ACK)", ms(median(measure(clusterIp("svc200"), 31, 3))));
  line("ClusterIP trace to svc4900 (written late, same endpoints), median of 31", ms(median(measure(clusterIp("svc4900"), 31, 3))));
  if (kp.mode === "nftables") {
    // The nft rule walks alone, summed over a trace's packets on every node they cross.
    const rt = nftRuntime();
    let walking = 0;
    installNftRuntime({ ...rt, walk: (...a: Parameters<typeof rt.walk>) => { const t0 = performance.now(); const v = rt.walk(...a); walking += performance.now() - t0; return v; } });
    for (const svc of ["svc200", "svc4900"]) {
      walking = 0;
      measure(clusterIp(svc), 31, 0);
      line(`  of which nft rule walks, trace to ${svc}, mean of 31`, ms(walking / 31));
    }
    installNftRuntime(rt);
  }
  line("NodePort trace from the internet, median of 31", ms(median(measure(nodePort, 31, 3))));
}

/** kube-proxy 1.37's nftables rules for the same cluster's worker-0: load (nft -f), print (nft list ruleset), and read the listing back. */
function nftTextBench(): void {
  const input = generatedScenario(10, 1_000, SERVICES);
  const v = validateScenario(input);
  if (!v.ok) throw new Error(JSON.stringify(v.issues.slice(0, 3)));
  const cluster = buildCluster(v.scenario);
  const ports = cluster.services.flatMap((sv) => sv.portsResolved);
  const proxier = nftablesProxier(v.scenario.cluster.podNetwork, v.scenario.cluster.serviceNetwork);
  const text = proxier.rules(ports, { name: "worker-0", ip: cluster.nodes.find((n) => n.name === "worker-0")!.ip });
  console.log(`\nnft: kube-proxy 1.37's rules for worker-0 (${ports.length.toLocaleString("en")} service ports): ${(text.length / 1024).toFixed(0)} KB of nft -f text`);
  let listed = "";
  const load = measure(() => {
    const rs = emptyNftRuleset();
    loadNft(rs, text);
    listed = printRuleset(rs);
  }, 5, 1);
  const rs = emptyNftRuleset();
  const t0 = performance.now();
  loadNft(rs, text);
  line("parse and apply the nft -f text (one run)", ms(performance.now() - t0));
  line("parse and apply, then print nft list ruleset, median of 5", ms(median(load)));
  const print = measure(() => void printRuleset(rs), 5, 1);
  line(`print nft list ruleset (${(listed.length / 1024).toFixed(0)} KB, ${listed.split("\n").length.toLocaleString("en")} lines), median of 5`, ms(median(print)));
  const reread = measure(() => loadNft(emptyNftRuleset(), listed), 5, 1);
  line("parse the listing back (nft -f of nft list's output), median of 5", ms(median(reread)));
}

export function runModernBench(): void {
  console.log(`\n[modern] ${SERVICES.toLocaleString("en")} services × 2 ports, 10 workers, 1,000 pods`);
  for (const kp of kubeProxyChoices()) traceBench(kp);
  nftTextBench();
}
