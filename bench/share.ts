/**
 * [share] How long a share link is: the view= part for an edited scenario (the article's cluster
 * plus 20 pods and 10 services) written whole and as a change from a built-in, and how long
 * writing it takes; then big generated clusters (3×2, 20×30, 100×30), written short (a worker
 * series, replicas spread) and the long way (every worker and every replica's node listed).
 */
import { scaleScenario, writtenOut } from "../src/engine/scenarios/generate";
import { encodeView } from "../src/share/codec";
import { articlePlus20Pods10Services } from "../src/share/sample-edit";
import { line, measure, median, ms } from "./util";

export function runShareBench(): void {
  const spec = articlePlus20Pods10Services();
  const part = { scenario: { spec }, panels: { detail: true, hops: true, node: true } };
  console.log("\n[share] the article's cluster + 20 pods + 10 services as a link's view= part");
  line("JSON of the document", `${JSON.stringify(spec).length.toLocaleString("en-US")} characters`);
  line("view= with the whole document (as version 2 links carry every edit)", `${encodeView(part, { compact: false }).length.toLocaleString("en-US")} characters`);
  line("view= as a change from a built-in (link version 3)", `${encodeView(part).length.toLocaleString("en-US")} characters`);
  line("writing view= as the whole document, median of 21", ms(median(measure(() => encodeView(part, { compact: false }), 21))));
  line("writing view= trying every built-in as the base, median of 21", ms(median(measure(() => encodeView(part), 21))));
}

export function runBigLinkBench(): void {
  const panels = { detail: true, hops: true, node: true };
  const kb = (n: number) => `${n.toLocaleString("en-US")} characters (${(n / 1024).toFixed(1)} KB)`;
  console.log("\n[share] big clusters' links (view=): written short (workerSeries, placement spread) / written out (each worker and replica listed)");
  for (const [workers, podsPerWorker, services] of [
    [3, 2, 3],
    [20, 30, 100],
    [100, 30, 100],
  ] as const) {
    const spec = scaleScenario({ workers, podsPerWorker, services });
    const t0 = performance.now();
    const short = encodeView({ scenario: { spec }, panels }).length;
    const took = performance.now() - t0;
    const long = encodeView({ scenario: { spec: writtenOut(spec) }, panels }).length;
    const what = `${workers} workers × ${podsPerWorker} pods, ${services} services`;
    line(`${what}: short`, `${kb(short)}${short <= 8192 ? "" : " (over 8 KB)"}, written in ${ms(took)}`);
    line(`${what}: written out`, kb(long));
  }
}
