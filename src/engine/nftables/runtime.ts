/**
 * The nftables engine as the rest of the engine reaches it: the packet walk, the node builder and
 * the worker's rule panel call through here, so that the Web Worker's start does not carry the
 * nft parser, printer and evaluator (about 16 KB gzip) for the article's cluster, which has no nft
 * rules. install.ts sets it; today-proxiers.ts installs it with today's kube-proxies (Node entry
 * points at start, the worker the first time a scenario asks for today's kube-proxy). Nothing asks
 * for it before a namespace has nft rules, and those are only loaded through it.
 */
import type { NftContext, NftMatched, NftVerdict } from "./eval";
import type { PrintOptions } from "./print";
import type { NftChain, NftRule, NftRuleset, NftTable, Family } from "./types";
import type { Packet } from "../packet/packet";

export interface NftRuntime {
  /** Applies text the engine wrote (kube-proxy's rules); an error is an engine bug. */
  load(rs: NftRuleset, text: string, source: string): void;
  walk(table: NftTable, base: NftChain, packet: Packet, ctx: NftContext, onMatch?: (m: NftMatched) => void, now?: number): NftVerdict;
  formatRule(rule: NftRule, family: Family): string;
  printChain(table: NftTable, chain: NftChain, o?: PrintOptions): string[];
  tableNeedsConntrack(table: NftTable): boolean;
}

let installed: NftRuntime | undefined;

export function installNftRuntime(r: NftRuntime): void {
  installed = r;
}

export function nftRuntime(): NftRuntime {
  if (!installed) throw new Error("the nftables engine is not loaded (nftables/install.ts)");
  return installed;
}
