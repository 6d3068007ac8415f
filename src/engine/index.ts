/** The engine's public surface: what the worker, the CLI and the benchmarks import. */
export * from "./addr/ipv4";
export * from "./packet/packet";
export { tcpdumpLine, tcpdumpEther, tcpdumpTime } from "./packet/format";
export { encodeFrame, encodeIpv4, decodeFrame, decodeIpv4, type DecodedFrame, type DecodedIpv4 } from "./packet/wire";
export { PcapngWriter, captureName, type PcapngOptions } from "./packet/pcapng";
export * from "./route/route";
export { formatRoute, formatRouteTable } from "./route/format";
export * from "./netfilter/types";
export { formatRule, formatRuleBody, formatMatch, formatTarget } from "./netfilter/format";
export { parseIptablesSave, formatParseError, tokenize, type ParseError, type Result } from "./netfilter/parse";
export { iptablesSave, iptablesRestore, iptablesRestoreOrThrow, loadIptablesSave, ctime } from "./netfilter/save";
export { walkTable, ruleMatches, type MatchContext, type ChainVerdict, type MatchedRule } from "./netfilter/walk";
export * from "./conntrack/conntrack";
export { formatConntrackEntry, conntrackSummary } from "./conntrack/format";
export { Netns, type Iface, type NetnsOptions, type Listener } from "./netns";
export { World, type PacketSpec, type FlowResult, type Delivery, type Tap, type TapEvent } from "./world";
export * from "./trace";
export { seededRng, hashString, type Rng } from "./rng";
