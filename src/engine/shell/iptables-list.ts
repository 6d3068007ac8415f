/**
 * `iptables -t TABLE [-Z] -L [CHAIN] [-v] [-n] [-x] [--line-numbers]` as legacy iptables 1.6.1
 * prints it (Ubuntu 18.04, the KTHW nodes of 2018).
 *
 * Every format below was read in the 1.6.1 sources (iptables/iptables.c print_header,
 * print_firewall, list_entries, zero_entries; libxtables xtables_print_num; the extensions'
 * print functions) and checked byte for byte against iptables 1.6.1 built from its release
 * commit and run in a lab (see __fixtures__/README.md). Where 1.6.1 differs
 * from later releases it is 1.6.1 that is followed:
 *  - `-n` still prints protocol names (`all`, `tcp`, `!udp`); 1.8.x prints numbers.
 *  - The protocol column is `%-5s` with no separator of its own, so a name of five letters or
 *    more runs into `--` (1.8.9 forces a space).
 *  - LOG's level 4 is `warning` and 3 is `error` (1.8.x prints `warn`, `err`).
 *  - MASQUERADE knows no `--random-fully` (added in 1.6.2), so a MASQUERADE rule carrying that
 *    flag lists without it, exactly as 1.6.1 lists one created by a newer iptables.
 *  - `-x` prints both counters `%8llu ` (the header's bytes column is `%10s`, the rows are not).
 *  - `-Z` with `-v` prints "Zeroing chain `X'" for every chain it zeroes, after the listing;
 *    without `-v` it zeroes silently. Like every legacy write, the commit also restarts the
 *    policy counters of all the table's built-in chains, named or not.
 */
import { formatIpv4, type Cidr } from "../addr/ipv4";
import { formatProbability, formatProto, formatStates, hex } from "../netfilter/format";
import { chainsInSaveOrder } from "../netfilter/save";
import { readCounters, type AddrType, type Chain, type Counters, type Match, type NatRange, type PortRange, type Rule, type Ruleset, type Table, type TableName, type Target } from "../netfilter/types";

export interface IptablesListOptions {
  readonly table: TableName;
  /** `-L CHAIN`: only that chain. */
  readonly chain?: string;
  /** `-v`: counters and interfaces. */
  readonly verbose?: boolean;
  /** `-n`: no name lookups (addresses, ports, ICMP types, log levels). */
  readonly numeric?: boolean;
  /** `-x`: exact counters instead of K/M/G/T. */
  readonly exact?: boolean;
  /** `--line-numbers`. */
  readonly lineNumbers?: boolean;
  /**
   * `-Z`: list the counters as they were, then zero them: the listed chains' rules and
   * policies, and (a side effect of libiptc's commit) every built-in policy of the table.
   */
  readonly zero?: boolean;
  /**
   * The service names for ports when not `-n` (getservbyport on the node). Defaults to the
   * 2018 Ubuntu netbase entries of the ports a KTHW cluster meets.
   */
  readonly services?: ServiceTable;
}

/** What a shell command hands back: its output, its error text (without the newline) and its status. */
export interface CommandOutput {
  readonly stdout: string;
  readonly error?: string;
  readonly exitCode: number;
}

export type ServiceTable = Readonly<Record<"tcp" | "udp", Readonly<Record<number, string>>>>;

/**
 * /etc/services of Ubuntu 18.04 (netbase 5.4) for the ports worth naming here. Netbase of that
 * era listed most services for both tcp and udp; 6.0 (2020) dropped the UDP entries of
 * TCP-only protocols, which is why the Debian 12 lab prints `udp dpt:80` where a 2018 node,
 * with `http 80/udp` in its services, printed `udp dpt:http`.
 */
export const NETBASE_2018_SERVICES: ServiceTable = {
  tcp: { 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 53: "domain", 80: "http", 123: "ntp", 443: "https", 2000: "cisco-sccp", 8080: "http-alt" },
  udp: { 21: "fsp", 22: "ssh", 53: "domain", 80: "http", 123: "ntp", 443: "https", 2000: "cisco-sccp", 5353: "mdns", 8080: "http-alt" },
};

export const NO_CHAIN_ERROR = "iptables: No chain/target/match by that name.";

/**
 * The listing. With `zero`, counters are zeroed after they are printed (the only change this
 * function makes; IptablesListOptions.zero says which). An unknown chain prints nothing and
 * fails as iptables does.
 */
export function iptablesList(ruleset: Ruleset, opts: IptablesListOptions): CommandOutput {
  const table = ruleset.tables[opts.table];
  const all = chainsInSaveOrder(ruleset, opts.table);
  const chains = opts.chain === undefined ? all : all.filter((c) => c.name === opts.chain);
  if (chains.length === 0) return { stdout: "", error: NO_CHAIN_ERROR, exitCode: 1 };
  const f: Format = {
    verbose: opts.verbose ?? false,
    numeric: opts.numeric ?? false,
    exact: opts.exact ?? false,
    lineNumbers: opts.lineNumbers ?? false,
    services: opts.services ?? NETBASE_2018_SERVICES,
    table,
  };
  const refs = references(table);
  let out = chains.map((c) => formatChain(c, refs.get(c.name) ?? 0, f)).join("\n");
  if (opts.zero) {
    for (const c of chains) {
      if (f.verbose) out += `Zeroing chain \`${c.name}'\n`;
      zeroChain(c, table);
    }
    // Committing the table through libiptc also restarts every built-in chain's policy
    // counters: it hands the kernel the delta since it read them, and the kernel starts a
    // replaced table from zero (seen in the lab with 1.6.1 on live traffic).
    for (const c of all) if (c.policyCounters) zeroCounters(c.policyCounters);
  }
  return { stdout: out, exitCode: 0 };
}

interface Format {
  readonly verbose: boolean;
  readonly numeric: boolean;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
  readonly services: ServiceTable;
  /** Where shared rules keep their counters. */
  readonly table: Table;
}

function zeroCounters(k: Counters): void {
  k.pkts = 0;
  k.bytes = 0;
}

function zeroChain(c: Chain, table: Table): void {
  if (c.policyCounters) zeroCounters(c.policyCounters);
  for (const r of c.rules) {
    if (r.shared) table.overlay.delete(r);
    else zeroCounters(r.counters);
  }
}

/** libiptc's reference count: rules of the table that jump or go to the chain. */
function references(table: Table): Map<string, number> {
  const refs = new Map<string, number>();
  for (const c of table.chains.values()) {
    for (const r of c.rules) {
      if (r.target.kind === "jump" || r.target.kind === "goto") refs.set(r.target.chain, (refs.get(r.target.chain) ?? 0) + 1);
    }
  }
  return refs;
}

const padEnd = (s: string, n: number) => s.padEnd(n, " ");
const padStart = (s: string, n: number) => s.padStart(n, " ");

/**
 * xtables_print_num: `%5llu ` up to 99999, then rounded thousands `%4lluK ` (M, G, T); with
 * `-x`, `%8llu `. `table` false is the chain header's untabulated form (`%llu `).
 */
export function formatCount(n: number, exact: boolean, table = true): string {
  if (exact) return (table ? padStart(String(n), 8) : String(n)) + " ";
  if (n <= 99999) return (table ? padStart(String(n), 5) : String(n)) + " ";
  let v = n;
  for (const unit of ["K", "M", "G"]) {
    v = Math.floor((v + 500) / 1000);
    if (v <= 9999) return (table ? padStart(String(v), 4) : String(v)) + unit + " ";
  }
  v = Math.floor((v + 500) / 1000);
  return (table ? padStart(String(v), 4) : String(v)) + "T ";
}

function formatChain(c: Chain, refs: number, f: Format): string {
  let s = `Chain ${c.name}`;
  if (c.policy !== undefined) {
    s += ` (policy ${c.policy}`;
    if (f.verbose) s += ` ${formatCount(c.policyCounters!.pkts, f.exact, false)}packets, ${formatCount(c.policyCounters!.bytes, f.exact, false)}bytes`;
    s += ")\n";
  } else {
    s += ` (${refs} references)\n`;
  }
  s += columnHeader(f);
  c.rules.forEach((r, i) => (s += formatRow(r, i + 1, f)));
  return s;
}

function columnHeader(f: Format): string {
  let s = f.lineNumbers ? padEnd("num", 4) + " " : "";
  if (f.verbose) s += f.exact ? padStart("pkts", 8) + " " + padStart("bytes", 10) + " " : padStart("pkts", 5) + " " + padStart("bytes", 5) + " ";
  s += padEnd("target", 9) + " " + " prot " + "opt";
  if (f.verbose) s += " " + padEnd("in", 6) + " " + padEnd("out", 6) + " ";
  s += " " + padEnd("source", 19) + " " + " " + padEnd("destination", 19) + " ";
  return s + "\n";
}

/** The target column: a chain's name for -j/-g CHAIN, nothing for a rule without -j. */
export function targetName(t: Target): string {
  switch (t.kind) {
    case "jump":
    case "goto":
      return t.chain;
    case "none":
      return "";
    default:
      return t.kind;
  }
}

function formatAddr(invert: boolean, cidr: Cidr, numeric: boolean): string {
  // xtables_ipmask_to_numeric: no "/32"; the address itself is never resolved here (no DNS).
  const text = cidr.prefix === 0 && !numeric ? "anywhere" : formatIpv4(cidr.net) + (cidr.prefix === 32 ? "" : `/${cidr.prefix}`);
  return (invert ? "!" : " ") + padEnd(text, 19) + " ";
}

function formatIface(iface: Rule["inIface"], numeric: boolean): string {
  return (iface?.invert ? "!" : "") + (iface?.value ?? (numeric ? "*" : "any"));
}

function formatRow(r: Rule, num: number, f: Format): string {
  let s = f.lineNumbers ? padEnd(String(num), 4) + " " : "";
  const counters = readCounters(f.table, r);
  if (f.verbose) s += formatCount(counters.pkts, f.exact) + formatCount(counters.bytes, f.exact);
  s += padEnd(targetName(r.target), 9) + " ";
  s += (r.protoInvert ? "!" : " ") + padEnd(formatProto(r.proto), 5);
  s += "-- ";
  if (f.verbose) s += " " + padEnd(formatIface(r.inIface, f.numeric), 6) + " " + padEnd(formatIface(r.outIface, f.numeric), 6) + " ";
  s += formatAddr(r.srcInvert, r.src, f.numeric);
  s += formatAddr(r.dstInvert, r.dst, f.numeric);
  if (r.target.kind === "goto") s += "[goto] ";
  for (const m of r.matches) s += formatMatchText(m, r.proto, f);
  s += formatTargetText(r.target, f.numeric);
  return s + "\n";
}

// ---- matches -------------------------------------------------------------------------------

const TCP_FLAGS: readonly (readonly [string, number])[] = [
  ["FIN", 0x01],
  ["SYN", 0x02],
  ["RST", 0x04],
  ["PSH", 0x08],
  ["ACK", 0x10],
  ["URG", 0x20],
  ["ALL", 0x3f],
  ["NONE", 0],
];

function flagBits(names: readonly string[]): number {
  let bits = 0;
  for (const n of names) bits |= TCP_FLAGS.find(([name]) => name === n.toUpperCase())?.[1] ?? 0;
  return bits;
}

/** libxt_tcp print_tcpf: names in FIN..URG order, NONE for none. */
function tcpFlagNames(bits: number): string {
  const names = TCP_FLAGS.slice(0, 6)
    .filter(([, b]) => bits & b)
    .map(([n]) => n);
  return names.length ? names.join(",") : "NONE";
}

const hex2 = (n: number) => "0x" + n.toString(16).toUpperCase().padStart(2, "0");

/** What the match printers need: `-n` and the services to name ports by. */
type NameLookup = Pick<Format, "numeric" | "services">;

function service(port: number, proto: number, f: NameLookup): string {
  if (f.numeric) return String(port);
  const table = proto === 6 ? f.services.tcp : proto === 17 ? f.services.udp : undefined;
  return table?.[port] ?? String(port);
}

/** libxt_tcp/udp print_ports: ` spt:[!]P` or ` spts:[!]A:B`; the full range uninverted prints nothing. */
function ports(name: string, p: { value: PortRange; invert: boolean } | undefined, proto: number, f: NameLookup): string {
  if (!p) return "";
  const { min, max } = p.value;
  if (min === 0 && max === 0xffff && !p.invert) return "";
  const inv = p.invert ? "!" : "";
  if (min === max) return ` ${name}:${inv}${service(min, proto, f)}`;
  return ` ${name}s:${inv}${service(min, proto, f)}:${service(max, proto, f)}`;
}

/** libipt_icmp's names, in its table order (the first entry with the type and code range wins). */
const ICMP_NAMES: readonly (readonly [string, number, number, number])[] = [
  ["any", 0xff, 0, 0xff],
  ["echo-reply", 0, 0, 0xff],
  ["destination-unreachable", 3, 0, 0xff],
  ["network-unreachable", 3, 0, 0],
  ["host-unreachable", 3, 1, 1],
  ["protocol-unreachable", 3, 2, 2],
  ["port-unreachable", 3, 3, 3],
  ["fragmentation-needed", 3, 4, 4],
  ["source-route-failed", 3, 5, 5],
  ["network-unknown", 3, 6, 6],
  ["host-unknown", 3, 7, 7],
  ["network-prohibited", 3, 9, 9],
  ["host-prohibited", 3, 10, 10],
  ["TOS-network-unreachable", 3, 11, 11],
  ["TOS-host-unreachable", 3, 12, 12],
  ["communication-prohibited", 3, 13, 13],
  ["host-precedence-violation", 3, 14, 14],
  ["precedence-cutoff", 3, 15, 15],
  ["source-quench", 4, 0, 0xff],
  ["redirect", 5, 0, 0xff],
  ["network-redirect", 5, 0, 0],
  ["host-redirect", 5, 1, 1],
  ["TOS-network-redirect", 5, 2, 2],
  ["TOS-host-redirect", 5, 3, 3],
  ["echo-request", 8, 0, 0xff],
  ["router-advertisement", 9, 0, 0xff],
  ["router-solicitation", 10, 0, 0xff],
  ["time-exceeded", 11, 0, 0xff],
  ["ttl-zero-during-transit", 11, 0, 0],
  ["ttl-zero-during-reassembly", 11, 1, 1],
  ["parameter-problem", 12, 0, 0xff],
  ["ip-header-bad", 12, 0, 0],
  ["required-option-missing", 12, 1, 1],
  ["timestamp-request", 13, 0, 0xff],
  ["timestamp-reply", 14, 0, 0xff],
  ["address-mask-request", 17, 0, 0xff],
  ["address-mask-reply", 18, 0, 0xff],
];

/** libipt_icmp print_icmptype: a name, or `type N` glued to " icmp" (the famous `icmptype 8`). */
function icmpType(m: Extract<Match, { kind: "icmp" }>, numeric: boolean): string {
  if (!numeric) {
    const hit = ICMP_NAMES.find(([, t, lo, hi]) => t === m.type && lo === m.codeMin && hi === m.codeMax);
    if (hit) return ` ${m.invert ? "!" : ""}${hit[0]}`;
  }
  let s = (m.invert ? " !" : "") + `type ${m.type}`;
  if (m.codeMin === m.codeMax) s += ` code ${m.codeMin}`;
  else if (m.codeMin !== 0 || m.codeMax !== 0xff) s += ` codes ${m.codeMin}-${m.codeMax}`;
  return s;
}

/** The rtn_names order libxt_addrtype prints types in (the bit order). */
const ADDR_TYPE_ORDER: readonly AddrType[] = [
  "UNSPEC",
  "UNICAST",
  "LOCAL",
  "BROADCAST",
  "ANYCAST",
  "MULTICAST",
  "BLACKHOLE",
  "UNREACHABLE",
  "PROHIBIT",
  "THROW",
  "NAT",
  "XRESOLVE",
];

function addrTypes(types: readonly AddrType[]): string {
  return ADDR_TYPE_ORDER.filter((t) => types.includes(t)).join(",");
}

/** One match's text as `iptables -L` prints it, with its leading space. */
export function formatMatchText(m: Match, proto: number, f: NameLookup): string {
  switch (m.kind) {
    case "comment":
      return ` /* ${m.comment} */`;
    case "tcp":
    case "udp": {
      let s = ` ${m.kind}` + ports("spt", m.sport, proto, f) + ports("dpt", m.dport, proto, f);
      if (m.tcpFlags) {
        const mask = flagBits(m.tcpFlags.value.mask);
        const comp = flagBits(m.tcpFlags.value.comp);
        if (mask || m.tcpFlags.invert) {
          s += ` flags:${m.tcpFlags.invert ? "!" : ""}`;
          s += f.numeric ? `${hex2(mask)}/${hex2(comp)}` : `${tcpFlagNames(mask)}/${tcpFlagNames(comp)}`;
        }
      }
      return s;
    }
    case "icmp":
      return " icmp" + icmpType(m, f.numeric);
    case "mark":
      return " mark match" + (m.invert ? " !" : "") + ` ${hex(m.value)}` + (m.mask === 0xffffffff ? "" : `/${hex(m.mask)}`);
    case "addrtype": {
      let s = " ADDRTYPE match";
      if (m.src) s += ` src-type ${m.src.invert ? "!" : ""}${addrTypes(m.src.value)}`;
      if (m.dst) s += ` dst-type ${m.dst.invert ? "!" : ""}${addrTypes(m.dst.value)}`;
      if (m.limitIfaceIn) s += " limit-in";
      if (m.limitIfaceOut) s += " limit-out";
      return s;
    }
    case "statistic": {
      const inv = m.invert ? " !" : "";
      if (m.mode === "random") return ` statistic mode random${inv} probability ${formatProbability(m.probability)}`;
      return ` statistic mode nth${inv} every ${m.every}` + (m.packet ? ` packet ${m.packet}` : "");
    }
    case "recent": {
      const mode = { set: "SET", rcheck: "CHECK", update: "UPDATE", remove: "REMOVE" }[m.mode];
      let s = (m.invert ? " !" : "") + ` recent: ${mode}`;
      if (m.seconds !== undefined) s += ` seconds: ${m.seconds}`;
      if (m.reap) s += " reap";
      if (m.hitcount !== undefined) s += ` hit_count: ${m.hitcount}`;
      if (m.rttl) s += " TTL-Match";
      return s + ` name: ${m.name} side: ${m.side} mask: ${formatIpv4(m.mask)}`;
    }
    case "conntrack":
      return (m.ctstate.invert ? " !" : "") + ` ctstate ${formatStates(m.ctstate.value)}`;
    case "state":
      // 1.6.1 loads -m state as an alias of conntrack and prints it through conntrack's dump.
      return (m.state.invert ? " !" : "") + ` state ${formatStates(m.state.value)}`;
    case "multiport":
      // libxt_multiport v1: the inversion comes after "dports " with a space of its own.
      return (
        ` multiport ${m.flavor} ` +
        (m.invert ? " !" : "") +
        m.ports.map((p) => (p.min === p.max ? service(p.min, proto, f) : `${service(p.min, proto, f)}:${service(p.max, proto, f)}`)).join(",")
      );
  }
}

// ---- targets -------------------------------------------------------------------------------

function portRangeText(r: PortRange): string {
  return r.min === r.max ? String(r.min) : `${r.min}-${r.max}`;
}

function natRangeText(r: NatRange): string {
  let s = formatIpv4(r.minIp);
  if (r.maxIp !== r.minIp) s += `-${formatIpv4(r.maxIp)}`;
  if (r.ports) s += `:${portRangeText(r.ports)}`;
  return s;
}

/** libipt_LOG's table in its order: the first name with the level is printed. */
const LOG_LEVEL_NAMES: readonly (readonly [string, number])[] = [
  ["alert", 1],
  ["crit", 2],
  ["debug", 7],
  ["emerg", 0],
  ["error", 3],
  ["info", 6],
  ["notice", 5],
  ["panic", 0],
  ["warning", 4],
];

/** The target's text as `iptables -L` prints it, with its leading space (standard targets have none). */
export function formatTargetText(t: Target, numeric: boolean): string {
  switch (t.kind) {
    case "ACCEPT":
    case "DROP":
    case "RETURN":
    case "jump":
    case "goto":
    case "none":
      return "";
    case "REJECT":
      return ` reject-with ${t.rejectWith}`;
    case "DNAT":
      return ` to:${natRangeText(t.range)}` + (t.random ? " random" : "") + (t.persistent ? " persistent" : "");
    case "SNAT":
      return ` to:${natRangeText(t.range)}` + (t.random ? " random" : "") + (t.randomFully ? " random-fully" : "") + (t.persistent ? " persistent" : "");
    case "MASQUERADE":
      return (t.ports ? ` masq ports: ${portRangeText(t.ports)}` : "") + (t.random ? " random" : "");
    case "MARK": {
      const { value, mask } = t;
      if (value === 0) return ` MARK and ${hex(~mask >>> 0)}`;
      if (value === mask) return ` MARK or ${hex(value)}`;
      if (mask === 0) return ` MARK xor ${hex(value)}`;
      if (mask >>> 0 === 0xffffffff) return ` MARK set ${hex(value)}`;
      return ` MARK xset ${hex(value)}/${hex(mask)}`;
    }
    case "LOG": {
      const level = t.level ?? 4;
      let s = " LOG";
      if (numeric) s += ` flags 0 level ${level}`;
      else {
        const name = LOG_LEVEL_NAMES.find(([, l]) => l === level)?.[0];
        s += name !== undefined ? ` level ${name}` : ` UNKNOWN level ${level}`;
      }
      if (t.prefix !== undefined && t.prefix !== "") s += ` prefix "${t.prefix}"`;
      return s;
    }
  }
}
