// Prints the gzipped size of the built main bundle and the engine worker after every build.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dir = "dist/assets";
const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
let main = 0;
let worker = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(join(dir, f))).length;
  const raw = statSync(join(dir, f)).size;
  const isWorker = f.includes("worker");
  if (isWorker) worker += gz;
  else main += gz;
  console.log(`${isWorker ? "worker" : "main  "} ${f.padEnd(40)} ${(raw / 1024).toFixed(1).padStart(8)} KB raw ${(gz / 1024).toFixed(1).padStart(8)} KB gzip`);
}
console.log(`bundle main ${(main / 1024).toFixed(1)} KB gzip (budget 200 KB), worker ${(worker / 1024).toFixed(1)} KB gzip (budget 80 KB)`);
