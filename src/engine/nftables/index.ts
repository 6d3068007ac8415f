/**
 * nftables in the engine: the model (types), `nft -f` text in (parse), `nft list` text out
 * (print), and the walk of a base chain (eval). A namespace's ruleset is `Netns.nft`; load one
 * with `ns.loadNftLater((rs) => loadNft(rs, text))` (every change goes through applyNft/loadNft,
 * which keeps the ruleset's generation, so the namespace's derived facts stay right).
 */
export { applyNft, formatNftError, loadNft, MAX_NFT_BYTES, type NftBudget, type NftParseError } from "./parse";
export { formatNftRule, formatPriority, printChain, printOne, printRuleset, printSet, printTable, type PrintOptions } from "./print";
export { tableNeedsConntrack, walkNftChain, type NftContext, type NftMatched, type NftVerdict } from "./eval";
export { emptyNftRuleset, findTable, type Family, type NftChain, type NftRule, type NftRuleset, type NftSet, type NftTable } from "./types";
