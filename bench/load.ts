/**
 * [scale-ui] Loading a scenario in the page, the parts that run in Node: the worker's answer to
 * "run" (the engine's time and the answer's structured-clone size, which postMessage copies), the
 * store's flattening of the trace, and a node's rules for the panel (the outline, the text of the
 * rows in view, and what formatting every rule would cost). Generated clusters of 3 to 100 workers.
 */
import { serialize } from "node:v8";
import { flatten } from "../src/store/playback";
import { handle } from "../src/worker/handle";
import type { EngineResponse, Kind, ResultOf } from "../src/worker/protocol";
import { generatedScenario } from "./cluster";
import { line, median, ms } from "./util";

async function ok<K extends Kind>(p: Promise<EngineResponse<K>>): Promise<ResultOf<K>> {
  const r = await p;
  if (!r.ok) throw new Error(r.error);
  return r.result;
}

/** Milliseconds of each of `runs` calls (after one unmeasured). */
async function timed(fn: () => Promise<unknown>, runs: number): Promise<number[]> {
  await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const kb = (n: number) => `${(n / 1024).toLocaleString("en", { maximumFractionDigits: 1 })} KB`;

/** Workers, pods, services: the issue's 3×2, 20×30 and 100×30 (workers × pods per worker), and 100 workers with 3,000 pods and 1,000 services. */
const SIZES: readonly [number, number, number][] = [
  [3, 6, 3],
  [20, 600, 60],
  [100, 3000, 300],
  [100, 3000, 1000],
];

export async function runLoadBench(): Promise<void> {
  for (const [w, p, s] of SIZES) {
    const spec = generatedScenario(w, p, s);
    console.log(`\n[load] ${w} workers, ${p.toLocaleString("en")} pods, ${s.toLocaleString("en")} services (scenario JSON ${kb(JSON.stringify(spec).length)})`);
    let id = 0;
    const runs = w * p > 10_000 ? 3 : 7;
    const run = await timed(() => ok(handle({ id: id++, kind: "run", scenario: { spec } })), runs);
    const answer = await ok(handle({ id: id++, kind: "run", scenario: { spec } }));
    if (answer.kind !== "run") throw new Error(JSON.stringify(answer.issues.slice(0, 2)));
    line(`the worker's answer to "run" (build, trace, topology), median of ${runs}`, ms(median(run)));
    line("its structured-clone size (what postMessage copies)", `${kb(serialize(answer).length)} (trace ${kb(serialize(answer.trace).length)}, topology ${kb(serialize(answer.topology).length)})`);
    const t0 = performance.now();
    const steps = flatten(answer.trace);
    line(`the store flattens its trace (${steps.length} steps)`, ms(performance.now() - t0));
    // worker-0's rules, as the node panel asks for them.
    const first = performance.now();
    const outline = await ok(handle({ id: id++, kind: "rules", node: "worker-0" }));
    const firstMs = performance.now() - first;
    const total = outline.chains.reduce((n, c) => n + c.count, 0);
    const outlineMs = median(await timed(() => ok(handle({ id: id++, kind: "rules", node: "worker-0" })), 5));
    line(`worker-0's outline of rules (${outline.chains.length.toLocaleString("en")} chains, ${total.toLocaleString("en")} rules): first, again`, `${ms(firstMs)}, ${ms(outlineMs)}; ${kb(serialize(outline).length)}`);
    const window = await ok(handle({ id: id++, kind: "ruleText", node: "worker-0", from: Math.max(0, total - 250), count: 250 }));
    const windowMs = median(await timed(() => ok(handle({ id: id++, kind: "ruleText", node: "worker-0", from: Math.max(0, total - 250), count: 250 })), 5));
    line("the text of its last 250 rules (a chunk the panel asks for)", `${ms(windowMs)}, ${kb(serialize(window).length)}`);
    // What the panel used to ask for at load: every rule formatted (in chunks of the most one request may hold).
    const every = async () => {
      const texts: string[] = [];
      for (let from = 0; from < total; from += 5000) texts.push(...(await ok(handle({ id: id++, kind: "ruleText", node: "worker-0", from, count: 5000 }))).rules);
      return texts;
    };
    const all = await every();
    const allMs = median(await timed(every, 3));
    line("every one of its rules formatted (what the panel asked for before)", `${ms(allMs)}, ${kb(serialize(all).length)}`);
  }
}
