/** What the NAT targets (DNAT, SNAT, MASQUERADE) share: address and port ranges, and their verdict. */
import { AddressError, formatIpv4, parseIpv4 } from "../../addr/ipv4";
import type { PortRange, Target } from "../types";
import type { MatchedRule } from "../walk";
import { Fail, type Flow, type RuleHead, type TargetDraft } from "./api";
import { parsePortRange, portRange } from "./common";

export interface NatRange {
  readonly minIp: number;
  readonly maxIp: number;
  readonly ports?: PortRange;
}

export type NatTarget = Extract<Target, { kind: "DNAT" | "SNAT" | "MASQUERADE" }>;

/** `ip[-ip][:port[-port]]`, as --to-destination and --to-source take it. */
export function parseNatRange(text: string, column: number, what: string): NatRange {
  const m = /^([0-9.]+)(?:-([0-9.]+))?(?::(\d+)(?:-(\d+))?)?$/.exec(text);
  if (!m) throw new Fail(column, `${what} "${text}" is not ip[-ip][:port[-port]]`);
  try {
    const minIp = parseIpv4(m[1]!);
    const maxIp = m[2] ? parseIpv4(m[2]) : minIp;
    if (maxIp < minIp) throw new Fail(column, `address range "${text}" runs backwards`);
    const ports = m[3] !== undefined ? parsePortRange(m[4] !== undefined ? `${m[3]}-${m[4]}` : m[3], column, "-") : undefined;
    return { minIp, maxIp, ...(ports && { ports }) };
  } catch (e) {
    if (e instanceof AddressError) throw new Fail(column, e.message);
    throw e;
  }
}

/** The same text in iptables-save and `iptables -L` (after "to:"). */
export function formatNatRange(r: NatRange): string {
  let s = formatIpv4(r.minIp);
  if (r.maxIp !== r.minIp) s += `-${formatIpv4(r.maxIp)}`;
  if (r.ports) s += `:${portRange(r.ports, "-")}`;
  return s;
}

/** The range of the option (--to-destination, --to-source) the target needs. */
export function requiredRange(t: TargetDraft, rule: RuleHead, option: string): NatRange {
  const o = t.opts.get(option);
  if (!o) throw new Fail(t.column, `target ${t.name} needs --${option}`);
  const range = parseNatRange(o.value[0]!, o.column, `--${option}`);
  checkPortProto(t, rule, range.ports);
  return range;
}

/** Ports can only be mapped for a protocol that has them. */
export function checkPortProto(t: TargetDraft, rule: RuleHead, ports: PortRange | undefined): void {
  if (ports && ((rule.proto !== 6 && rule.proto !== 17 && rule.proto !== 132) || rule.protoInvert)) {
    throw new Fail(t.column, `target ${t.name} with ports needs "-p tcp" or "-p udp" (iptables: Need TCP, UDP, SCTP or DCCP with port specification)`);
  }
}

/** The walk ends; the caller sets up the binding (the packet itself is rewritten by conntrack). */
export function natVerdict(t: NatTarget, _ctx: unknown, by: MatchedRule): Flow {
  return { kind: "nat", by, target: t };
}

/** The flags that follow the range, as `{ option: present }`, in their print order: ` --x` saved, ` x` listed. */
export function flagWords(flags: Readonly<Record<string, boolean>>, prefix: "--" | ""): string {
  let s = "";
  for (const k in flags) if (flags[k]) s += ` ${prefix}${k}`;
  return s;
}
