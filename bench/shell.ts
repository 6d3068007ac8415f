/** [shell] How long the shell's commands take: the article's walk-through, and listing a big node's rules. */
import { performance } from "node:perf_hooks";
import type { Cluster } from "../src/engine/k8s/build";
import { runScenario } from "../src/engine/k8s/run";
import { builtinScenario } from "../src/engine/scenarios/article";
import { runLine } from "../src/engine/shell/session";
import { resolveTarget } from "../src/engine/shell/exec";
import { ARTICLE_WALKTHROUGH, type WalkVars } from "../src/engine/testing/walkthrough";
import { line, median, ms } from "./util";

export function runShellBench(): void {
  console.log(`\n[shell] the article's walk-through on the pod-to-pod cluster (${ARTICLE_WALKTHROUGH.length} commands, a fresh session each run)`);
  const totals: number[] = [];
  const perCommand = ARTICLE_WALKTHROUGH.map(() => [] as number[]);
  for (let run = 0; run < 11; run++) {
    const r = runScenario(builtinScenario("pod-to-pod"));
    if (!r.ok) throw new Error("scenario failed");
    const session = { cluster: r.cluster, flows: [...r.trace.flows] };
    const vars: WalkVars = {};
    let total = 0;
    ARTICLE_WALKTHROUGH.forEach((step, i) => {
      const t = resolveTarget(r.cluster, step.target);
      if ("error" in t) throw new Error(t.error);
      const l = step.line(vars);
      const t0 = performance.now();
      const out = runLine(session, t.ns, l);
      const dt = performance.now() - t0;
      step.learn?.(out.stdout, vars);
      perCommand[i]!.push(dt);
      total += dt;
    });
    totals.push(total);
  }
  line("whole walk-through, median of 11", ms(median(totals)));
  const medians = perCommand.map((xs, i) => ({ name: ARTICLE_WALKTHROUGH[i]!.name, ms: median(xs) })).sort((a, b) => b.ms - a.ms);
  for (const m of medians.slice(0, 3)) line(`  slow: ${m.name}, median of 11`, ms(m.ms));
}

/** Listing a node of the generated 100-worker cluster whose kube-proxy rules are loaded. */
export function runBigNodeShellBench(cluster: Cluster, node: string): void {
  const session = { cluster, flows: [] };
  const ns = cluster.world.get(node);
  const time = (l: string) => {
    const xs: number[] = [];
    let out = "";
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      out = runLine(session, ns, l).stdout;
      xs.push(performance.now() - t0);
    }
    line(`${l} → ${out.trim()} lines, median of 5`, ms(median(xs)));
  };
  time("sudo iptables-save -t nat | wc -l");
  time("sudo iptables -t nat -L KUBE-SERVICES -n | wc -l");
}
