/** Puts the nftables engine behind runtime.ts (see there for who calls this and when). */
import { tableNeedsConntrack, walkNftChain } from "./eval";
import { loadNft } from "./parse";
import { formatNftRule, printChain } from "./print";
import { installNftRuntime } from "./runtime";

export function installNft(): void {
  installNftRuntime({ load: loadNft, walk: walkNftChain, formatRule: formatNftRule, printChain, tableNeedsConntrack });
}
