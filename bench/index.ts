/** `npm run bench`: every benchmark, each printing its figures. */
import { runClusterBench } from "./cluster";
import { runEngineBench } from "./engine";
import { runShellBench } from "./shell";

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
runEngineBench();
runClusterBench();
runShellBench();
