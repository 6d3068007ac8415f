/**
 * Rule text exactly as legacy iptables-save prints it:
 * `[!] -s` `[!] -d` `[!] -i` `[!] -o` `[!] -p`, then the matches in the order they were given
 * (each printed by its extension), then `-j TARGET` and its options (or `-g CHAIN`).
 */
import { formatCidr } from "../addr/ipv4";
import { matchModule, targetModule } from "./ext";
import { neg } from "./ext/common";
import { PROTO_NAMES, type Counters, type Match, type Rule, type Target } from "./types";

export { hex, quote } from "./ext/common";
export { formatStates } from "./ext/conntrack";
export { formatProbability } from "./ext/statistic";

export function formatProto(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

/** One match's text in a rule, from `-m`, with its leading space. */
export function formatMatch(m: Match): string {
  return matchModule(m).save(m);
}

/** The target's text in a rule, from `-j` or `-g` (nothing for a rule without one), with its leading space. */
export function formatTarget(t: Target): string {
  return targetModule(t).save(t);
}

/** The rule's header and matches (with a leading space), without its target. */
export function formatRuleHead(r: Rule): string {
  let s = "";
  if (r.src.prefix !== 0 || r.srcInvert) s += `${neg(r.srcInvert)} -s ${formatCidr(r.src)}`;
  if (r.dst.prefix !== 0 || r.dstInvert) s += `${neg(r.dstInvert)} -d ${formatCidr(r.dst)}`;
  if (r.inIface) s += `${neg(r.inIface.invert)} -i ${r.inIface.value}`;
  if (r.outIface) s += `${neg(r.outIface.invert)} -o ${r.outIface.value}`;
  if (r.proto !== 0 || r.protoInvert) s += `${neg(r.protoInvert)} -p ${formatProto(r.proto)}`;
  for (const m of r.matches) s += formatMatch(m);
  return s;
}

/** The rule's text after `-A CHAIN` (with a leading space), as iptables-save prints it. */
export function formatRuleBody(r: Rule): string {
  return formatRuleHead(r) + formatTarget(r.target);
}

/**
 * `-A CHAIN …` as iptables-save prints it; with counters (true: the rule's own, or the ones
 * given, e.g. a table's for a shared rule), prefixed by `[pkts:bytes] `.
 */
export function formatRule(chain: string, r: Rule, counters: boolean | Counters = false): string {
  const c = counters === true ? r.counters : counters === false ? undefined : counters;
  const prefix = c ? `[${c.pkts}:${c.bytes}] ` : "";
  return `${prefix}-A ${chain}${formatRuleBody(r)}`;
}
