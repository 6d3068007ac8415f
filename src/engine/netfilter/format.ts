/**
 * Rule text exactly as legacy iptables-save prints it:
 * `[!] -s` `[!] -d` `[!] -i` `[!] -o` `[!] -p`, then the matches in the order they were given,
 * then `-j TARGET` and its options (or `-g CHAIN`).
 */
import { formatCidr, formatIpv4 } from "../addr/ipv4";
import {
  CT_STATE_ORDER,
  PROTO_NAMES,
  type ConnState,
  type Counters,
  type Match,
  type NatRange,
  type PortRange,
  type Rule,
  type Target,
} from "./types";

export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16);
}

/**
 * xtables_save_string: a string of only letters, digits, "_" and "-" is printed bare; anything
 * else goes in double quotes with `"`, `'` and `\` backslash-escaped (checked in the lab).
 */
export function quote(text: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(text)) return text;
  return '"' + text.replace(/[\\"']/g, (c) => "\\" + c) + '"';
}

export function formatProto(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

function portRange(r: PortRange, sep = ":"): string {
  return r.min === r.max ? String(r.min) : `${r.min}${sep}${r.max}`;
}

function neg(invert: boolean): string {
  return invert ? " !" : "";
}

export function formatStates(states: readonly ConnState[]): string {
  return CT_STATE_ORDER.filter((s) => states.includes(s)).join(",");
}

/** Probability as iptables prints it back: the kernel's 31-bit fixed point with %.11f. */
export function formatProbability(stored: number): string {
  return (stored / 0x80000000).toFixed(11);
}

export function formatMatch(m: Match): string {
  switch (m.kind) {
    case "comment":
      return ` -m comment --comment ${quote(m.comment)}`;
    case "tcp":
    case "udp": {
      let s = ` -m ${m.kind}`;
      if (m.sport) s += `${neg(m.sport.invert)} --sport ${portRange(m.sport.value)}`;
      if (m.dport) s += `${neg(m.dport.invert)} --dport ${portRange(m.dport.value)}`;
      if (m.tcpFlags) s += `${neg(m.tcpFlags.invert)} --tcp-flags ${m.tcpFlags.value.mask.join(",")} ${m.tcpFlags.value.comp.join(",") || "NONE"}`;
      return s;
    }
    case "icmp": {
      const code = m.codeMin === 0 && m.codeMax === 0xff ? "" : `/${m.codeMin}`;
      return ` -m icmp${neg(m.invert)} --icmp-type ${m.type}${code}`;
    }
    case "mark":
      return ` -m mark${neg(m.invert)} --mark ${hex(m.value)}${m.mask === 0xffffffff ? "" : "/" + hex(m.mask)}`;
    case "addrtype": {
      let s = " -m addrtype";
      if (m.src) s += `${neg(m.src.invert)} --src-type ${m.src.value.join(",")}`;
      if (m.dst) s += `${neg(m.dst.invert)} --dst-type ${m.dst.value.join(",")}`;
      if (m.limitIfaceIn) s += " --limit-iface-in";
      if (m.limitIfaceOut) s += " --limit-iface-out";
      return s;
    }
    case "statistic":
      if (m.mode === "random") return ` -m statistic --mode random${neg(m.invert)} --probability ${formatProbability(m.probability)}`;
      return ` -m statistic --mode nth${neg(m.invert)} --every ${m.every} --packet ${m.packet}`;
    case "conntrack":
      return ` -m conntrack${neg(m.ctstate.invert)} --ctstate ${formatStates(m.ctstate.value)}`;
    case "state":
      return ` -m state${neg(m.state.invert)} --state ${formatStates(m.state.value)}`;
    case "multiport":
      return ` -m multiport${neg(m.invert)} --${m.flavor} ${m.ports.map((p) => portRange(p)).join(",")}`;
    case "recent": {
      // libxt_recent's save order: mode, --seconds, --reap, --hitcount, --rttl, --name, --mask, side.
      let s = ` -m recent${neg(m.invert)} --${m.mode}`;
      if (m.seconds !== undefined) s += ` --seconds ${m.seconds}`;
      if (m.reap) s += " --reap";
      if (m.hitcount !== undefined) s += ` --hitcount ${m.hitcount}`;
      if (m.rttl) s += " --rttl";
      return s + ` --name ${m.name} --mask ${formatIpv4(m.mask)} --${m.side === "source" ? "rsource" : "rdest"}`;
    }
  }
}

function natRange(r: NatRange): string {
  let s = formatIpv4(r.minIp);
  if (r.maxIp !== r.minIp) s += `-${formatIpv4(r.maxIp)}`;
  if (r.ports) s += `:${portRange(r.ports, "-")}`;
  return s;
}

export function formatTarget(t: Target): string {
  switch (t.kind) {
    case "none":
      return "";
    case "ACCEPT":
    case "DROP":
    case "RETURN":
      return ` -j ${t.kind}`;
    case "jump":
      return ` -j ${t.chain}`;
    case "goto":
      return ` -g ${t.chain}`;
    case "REJECT":
      return ` -j REJECT --reject-with ${t.rejectWith}`;
    case "DNAT":
      return ` -j DNAT --to-destination ${natRange(t.range)}${t.random ? " --random" : ""}${t.persistent ? " --persistent" : ""}`;
    case "SNAT":
      return (
        ` -j SNAT --to-source ${natRange(t.range)}` +
        (t.random ? " --random" : "") +
        (t.randomFully ? " --random-fully" : "") +
        (t.persistent ? " --persistent" : "")
      );
    case "MASQUERADE":
      return (
        " -j MASQUERADE" +
        (t.ports ? ` --to-ports ${portRange(t.ports, "-")}` : "") +
        (t.random ? " --random" : "") +
        (t.randomFully ? " --random-fully" : "")
      );
    case "MARK":
      return ` -j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`;
    case "LOG":
      return " -j LOG" + (t.prefix !== undefined ? ` --log-prefix ${quote(t.prefix)}` : "") + (t.level !== undefined && t.level !== 4 ? ` --log-level ${t.level}` : "");
  }
}

/** The rule's text after `-A CHAIN` (with a leading space), as iptables-save prints it. */
export function formatRuleBody(r: Rule): string {
  let s = "";
  if (r.src.prefix !== 0 || r.srcInvert) s += `${neg(r.srcInvert)} -s ${formatCidr(r.src)}`;
  if (r.dst.prefix !== 0 || r.dstInvert) s += `${neg(r.dstInvert)} -d ${formatCidr(r.dst)}`;
  if (r.inIface) s += `${neg(r.inIface.invert)} -i ${r.inIface.value}`;
  if (r.outIface) s += `${neg(r.outIface.invert)} -o ${r.outIface.value}`;
  if (r.proto !== 0 || r.protoInvert) s += `${neg(r.protoInvert)} -p ${formatProto(r.proto)}`;
  for (const m of r.matches) s += formatMatch(m);
  s += formatTarget(r.target);
  return s;
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
