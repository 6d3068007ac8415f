/**
 * [editor] How long an edit of the article's cluster takes to become a new trace: the work the
 * engine's worker does for the page's two requests, checking the edited document (JSON text in,
 * problems out) and running it (cluster, trace, topology), with the time the answer takes to
 * cross to the page (a structured clone, as postMessage makes) included. Drawing it is the
 * browser's (a few milliseconds for the article's hundred steps; not measured here).
 */
import { setFault } from "../src/engine/k8s/faults";
import { builtinScenario } from "../src/engine/scenarios/article";
import { handle } from "../src/worker/handle";
import { line, median, ms } from "./util";

/** The editor's two requests for an edit, answered as the worker answers them, and their answers cloned as postMessage does. */
async function editRoundTrip(doc: unknown, id: number): Promise<number> {
  const t0 = performance.now();
  const checked = await handle({ id, kind: "validate", text: JSON.stringify(doc) });
  structuredClone(checked);
  const run = await handle({ id: id + 1, kind: "run", scenario: { spec: doc } });
  if (!run.ok || run.result.kind !== "run") throw new Error("the edited scenario did not run");
  structuredClone(run);
  return performance.now() - t0;
}

export async function runEditorBench(): Promise<void> {
  const base = builtinScenario("pod-to-pod")!;
  const edits = [
    setFault(base, { kind: "ipmasq-off", worker: "worker-0" }, true),
    { ...base, title: "renamed" },
    setFault(base, { kind: "vpc-route-wrong-worker", worker: "worker-1", via: "worker-2" }, true),
    setFault(builtinScenario("nodeport")!, { kind: "kube-proxy-stopped", worker: "worker-0", service: "default/nginx" }, true),
  ];
  console.log("\n[editor] an edit of the article's cluster until its new trace is ready for the page (check + run + answer cloned), target 300 ms");
  for (let i = 0; i < 5; i++) await editRoundTrip(edits[i % edits.length], 1000 + i * 2);
  const times: number[] = [];
  for (let i = 0; i < 41; i++) times.push(await editRoundTrip(edits[i % edits.length], 2000 + i * 2));
  times.sort((a, b) => a - b);
  line("median of 41 edits (four kinds)", ms(median(times)));
  line("slowest of 41", ms(times.at(-1)!));
}
