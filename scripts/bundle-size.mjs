// Prints the gzipped size of the built main bundle and the engine worker after every build.
// The worker loads its shell chunk on the first shell line: it is counted apart, as lazy. So are
// the page's chunks that only a dynamic import() loads (the exporters): what the page loads at
// start is the entry that index.html names and what it imports statically.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dir = "dist/assets";
const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
const workerEntry = files.find((f) => f.startsWith("engine.worker"));
// Chunks the worker imports: any built file its code names.
const workerCode = workerEntry ? readFileSync(join(dir, workerEntry), "utf8") : "";
const lazyOfWorker = new Set(files.filter((f) => f !== workerEntry && workerCode.includes(f)));
// The page's start: index.html's entry and its static imports, transitively.
const html = readFileSync("dist/index.html", "utf8");
const atStart = new Set([...html.matchAll(/src="[^"]*assets\/([^"]+\.js)"/g)].map((m) => m[1]));
for (const queue = [...atStart]; queue.length; ) {
  const code = readFileSync(join(dir, queue.pop()), "utf8");
  for (const m of code.matchAll(/(?:from|import)\s*["'`]\.\/([^"'`]+\.js)["'`]/g)) {
    if (!atStart.has(m[1])) {
      atStart.add(m[1]);
      queue.push(m[1]);
    }
  }
}
let main = 0;
let mainLazy = 0;
let worker = 0;
let workerLazy = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(join(dir, f))).length;
  const raw = statSync(join(dir, f)).size;
  const kind = f === workerEntry ? "worker" : lazyOfWorker.has(f) ? "worker, lazy" : atStart.has(f) ? "main" : "main, lazy";
  if (kind === "worker") worker += gz;
  else if (kind === "worker, lazy") workerLazy += gz;
  else if (kind === "main, lazy") mainLazy += gz;
  else main += gz;
  console.log(`${kind.padEnd(12)} ${f.padEnd(40)} ${(raw / 1024).toFixed(1).padStart(8)} KB raw ${(gz / 1024).toFixed(1).padStart(8)} KB gzip`);
}
const MAIN_BUDGET = 200 * 1024;
const WORKER_BUDGET = 80 * 1024;
console.log(
  `bundle main ${(main / 1024).toFixed(1)} KB gzip (budget ${MAIN_BUDGET / 1024} KB) + ${(mainLazy / 1024).toFixed(1)} KB loaded on demand, worker ${(worker / 1024).toFixed(1)} KB gzip at start (budget ${WORKER_BUDGET / 1024} KB) + ${(workerLazy / 1024).toFixed(1)} KB on the first shell line`,
);
// Over a budget fails the build (and so `npm run test:e2e`): what a first view loads must stay
// small; move what it does not need behind import() rather than raising the budget.
for (const [what, size, budget] of [["main bundle", main, MAIN_BUDGET], ["worker", worker, WORKER_BUDGET]]) {
  if (size > budget) {
    console.error(`bundle-size: the ${what} is ${(size / 1024).toFixed(1)} KB gzip, over its ${budget / 1024} KB budget`);
    process.exitCode = 1;
  }
}
