/** Vitest's setup for every test file: the engine as the CLI has it, today's kube-proxies included. */
import { registerTodaysProxiers } from "../kube-proxy/today-proxiers";
import { registerOtherCnis } from "../cni/others";
import { installRussianBuiltins } from "../scenarios/russian";

registerTodaysProxiers();
registerOtherCnis();
installRussianBuiltins();
