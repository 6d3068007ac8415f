/** `npm run bench`: every benchmark, each printing its figures; `npm run bench -- share shell` runs only those named. */
import { runClusterBench } from "./cluster";
import { runEditorBench } from "./editor";
import { runEngineBench } from "./engine";
import { runLoadBench } from "./load";
import { runModernBench } from "./modern";
import { runBigLinkBench, runShareBench } from "./share";
import { runShellBench } from "./shell";
import { runLayoutBench } from "./layout";
import { runUiBench } from "./ui";
import { registerTodaysProxiers } from "../src/engine/kube-proxy/today-proxiers";
import { registerOtherCnis } from "../src/engine/cni/others";

registerTodaysProxiers();
registerOtherCnis();

const benches: Record<string, () => void | Promise<void>> = {
  engine: runEngineBench,
  cluster: runClusterBench,
  shell: runShellBench,
  share: () => {
    runShareBench();
    runBigLinkBench();
  },
  editor: runEditorBench,
  load: runLoadBench,
  layout: runLayoutBench,
  ui: runUiBench,
  modern: runModernBench,
};
const named = process.argv.slice(2);
const unknown = named.filter((n) => !(n in benches));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}; there are ${Object.keys(benches).join(", ")}`);
  process.exit(2);
}
console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const [name, run] of Object.entries(benches)) if (!named.length || named.includes(name)) await run();
