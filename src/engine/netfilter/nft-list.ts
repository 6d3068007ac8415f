/**
 * iptables-nft's tables as `nft list ruleset` (nftables v1.0.6) prints them. On a node whose
 * iptables is the nf_tables variant, every iptables rule is an nftables rule in a table of family
 * ip (filter, nat, mangle, raw); nft prints what iptables-nft wrote: the matches it expressed
 * natively as nft expressions, the ones it could not as `xt match <name>`, and a comment match
 * as nothing at all (leaving its separating space behind, hence the double spaces).
 *
 * Every form here was loaded with iptables-restore (v1.8.9, nf_tables) in a network namespace
 * and listed with nft; docs/kernel-lab-notes.md ("iptables-nft rules in nft list ruleset")
 * records what it printed, and src/engine/lab/nft-list.test.ts checks this module against it.
 */
import { formatIpv4, type Cidr } from "../addr/ipv4";
import { ICMP_TYPES, L4PROTO_NAMES } from "../nftables/types";
import { parseIptablesSave } from "./parse";
import { restoreParsed } from "./save";
import type { ConnState, HookName, Match, Rule, Ruleset, Table, TableName, Target } from "./types";
import { emptyRuleset, readCounters, TABLE_HOOKS } from "./types";

/**
 * How nft's options change the listing of iptables-nft's tables (checked in the lab, see
 * docs/kernel-lab-notes.md "nft -s and -n on iptables-nft's tables"): `-s` drops the counters'
 * values and keeps the word `counter`; `-n` turns the base chains' priorities and the protocol
 * after `meta l4proto` (the rule's -p, native) into numbers, while what nft translates back from
 * xtables matches (icmp types, ct states, fib route types) keeps its names.
 */
export interface NftListOptions {
  readonly stateless?: boolean;
  readonly numeric?: boolean;
}

/** The standard priorities as numbers (nft -n). */
const PRIORITY_NUMBERS: Readonly<Record<TableName, number>> = { raw: -300, mangle: -150, nat: -100, filter: 0 };

/** The base chain line of each of iptables-nft's built-in chains. */
function baseChainLine(table: TableName, hook: HookName, numeric = false): string {
  const h = hook.toLowerCase();
  if (numeric) {
    const prio = table === "nat" ? (hook === "PREROUTING" || hook === "OUTPUT" ? -100 : 100) : PRIORITY_NUMBERS[table];
    const type = table === "nat" ? "nat" : table === "mangle" && hook === "OUTPUT" ? "route" : "filter";
    return `type ${type} hook ${h} priority ${prio};`;
  }
  switch (table) {
    case "nat":
      // nft names a priority only on the hooks where the name means it: dstnat on prerouting, srcnat on postrouting.
      return hook === "PREROUTING" ? `type nat hook ${h} priority dstnat;` : hook === "POSTROUTING" ? `type nat hook ${h} priority srcnat;` : `type nat hook ${h} priority ${hook === "INPUT" ? 100 : -100};`;
    case "mangle":
      return `type ${hook === "OUTPUT" ? "route" : "filter"} hook ${h} priority mangle;`;
    case "raw":
      return `type filter hook ${h} priority raw;`;
    case "filter":
      return `type filter hook ${h} priority filter;`;
  }
}

const REJECT_TYPES: Readonly<Record<string, string>> = {
  "icmp-net-unreachable": "net-unreachable",
  "icmp-host-unreachable": "host-unreachable",
  "icmp-proto-unreachable": "prot-unreachable",
  "icmp-net-prohibited": "net-prohibited",
  "icmp-host-prohibited": "host-prohibited",
  "icmp-admin-prohibited": "admin-prohibited",
};

const LOG_LEVELS = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
const hex8 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, "0")}`;

function address(c: Cidr): string {
  return c.prefix === 32 ? formatIpv4(c.net) : `${formatIpv4(c.net)}/${c.prefix}`;
}

function ports(r: { min: number; max: number }): string {
  return r.min === r.max ? String(r.min) : `${r.min}-${r.max}`;
}

function iface(name: string): string {
  return JSON.stringify(name.endsWith("+") ? `${name.slice(0, -1)}*` : name);
}

function ctStates(states: readonly ConnState[], invert: boolean): string {
  // iptables-nft writes the SNAT and DNAT states as ct status; nft prints that part alone.
  if (states.includes("SNAT")) return "ct status snat";
  if (states.includes("DNAT")) return "ct status dnat";
  return `ct state ${invert ? "! " : ""}${states.map((s) => s.toLowerCase()).join(",")}`;
}

const TCP_FLAG_ORDER = ["fin", "syn", "rst", "psh", "ack", "urg"];
function flagList(names: readonly string[]): string {
  const lower = names.map((n) => n.toLowerCase());
  if (lower.includes("all")) return TCP_FLAG_ORDER.join(",");
  return TCP_FLAG_ORDER.filter((f) => lower.includes(f)).join(",");
}

/** A match as nft prints it, and whether it is a transport-header comparison (which makes `meta l4proto` implied). */
function matchText(m: Match, proto: string): { text: string; transport: boolean; opaque: boolean } {
  switch (m.kind) {
    case "comment":
      return { text: "", transport: false, opaque: true };
    case "tcp":
    case "udp": {
      const parts: string[] = [];
      if (m.sport) parts.push(`${m.kind} sport ${m.sport.invert ? "!= " : ""}${ports(m.sport.value)}`);
      if (m.dport) parts.push(`${m.kind} dport ${m.dport.invert ? "!= " : ""}${ports(m.dport.value)}`);
      if (m.kind === "tcp" && m.tcpFlags) parts.push(`tcp flags ${m.tcpFlags.invert ? "!= " : ""}${flagList(m.tcpFlags.value.comp)} / ${flagList(m.tcpFlags.value.mask)}`);
      return { text: parts.join(" "), transport: parts.length > 0, opaque: false };
    }
    case "icmp":
      if (m.codeMin !== 0 || m.codeMax !== 0xff || !(m.type in ICMP_TYPES)) return { text: "xt match icmp", transport: false, opaque: true };
      return { text: `icmp type ${m.invert ? "!= " : ""}${ICMP_TYPES[m.type]}`, transport: false, opaque: false };
    case "mark":
      if (m.mask === 0xffffffff) return { text: `meta mark ${m.invert ? "!= " : ""}${hex8(m.value)}`, transport: false, opaque: false };
      return { text: `meta mark & ${hex8(m.mask)} ${m.invert ? "!=" : "=="} ${hex8(m.value)}`, transport: false, opaque: false };
    case "addrtype": {
      const parts: string[] = [];
      const one = (side: "saddr" | "daddr", v: { value: readonly string[]; invert: boolean }, limit: string) => {
        const types = v.value.map((t) => t.toLowerCase());
        const list = types.length === 1 ? types[0]! : `{ ${types.join(", ")} }`;
        parts.push(`fib ${side}${limit} type ${v.invert ? "!= " : ""}${list}`);
      };
      const limit = m.limitIfaceIn ? " . iif" : m.limitIfaceOut ? " . oif" : "";
      // With both a source and a destination type, nft prints the source's only (checked in the lab).
      if (m.src) one("saddr", m.src, limit);
      else if (m.dst) one("daddr", m.dst, limit);
      return { text: parts.join(" "), transport: false, opaque: false };
    }
    case "statistic":
      if (m.mode === "random") return { text: `meta random & 2147483647 ${m.invert ? ">=" : "<"} ${m.probability}`, transport: false, opaque: false };
      return { text: `numgen inc mod ${m.every} ${m.invert ? "!= " : ""}${m.packet}`, transport: false, opaque: false };
    case "conntrack":
      return { text: ctStates(m.ctstate.value, m.ctstate.invert), transport: false, opaque: false };
    case "state":
      return { text: ctStates(m.state.value, m.state.invert), transport: false, opaque: false };
    case "recent":
      return { text: "xt match recent", transport: false, opaque: true };
    case "nfacct":
      // No native form: nft prints the compat match by name, as it does recent's (this lab's
      // kernel has no xt_nfacct to show it; the form is nft's for every xt match).
      return { text: "xt match nfacct", transport: false, opaque: true };
    case "set":
      // No native form: nft listed felix's two set matches as `xt match set xt match set` (lab, Calico).
      return { text: "xt match set", transport: false, opaque: true };
    case "rpfilter":
      // Checked in the lab: natively a fib lookup of the source (with the mark under --validmark,
      // the input device unless --loose) unless --accept-local, which stays the compat match.
      if (m.acceptLocal) return { text: "xt match rpfilter", transport: false, opaque: true };
      return { text: `fib saddr${m.validmark ? " . mark" : ""}${m.loose ? "" : " . iif"} oif ${m.invert ? "0" : "!= 0"}`, transport: false, opaque: false };
    case "multiport": {
      const list = m.ports.map(ports).join(", ");
      // --ports (either side): a concatenation of source and destination port, any on the other side.
      if (m.flavor === "ports") return { text: `${proto} sport . ${proto} dport ${m.invert ? "!= " : ""}{ ${m.ports.flatMap((r) => [`0-65535 . ${ports(r)}`, `${ports(r)} . 0-65535`]).join(", ")} }`, transport: false, opaque: false };
      const side = m.flavor === "sports" ? "sport" : "dport";
      return { text: m.invert || m.ports.length === 1 ? `${proto} ${side} ${m.invert ? "!= " : ""}${list}` : `${proto} ${side} { ${list} }`, transport: false, opaque: false };
    }
  }
}

function natTo(range: { minIp: number; maxIp: number; ports?: { min: number; max: number } }): string {
  const ip = range.minIp === range.maxIp ? formatIpv4(range.minIp) : `${formatIpv4(range.minIp)}-${formatIpv4(range.maxIp)}`;
  return range.ports ? `${ip}:${ports(range.ports)}` : ip;
}

function targetText(t: Target): string {
  switch (t.kind) {
    case "ACCEPT":
      return "accept";
    case "DROP":
      return "drop";
    case "RETURN":
      return "return";
    case "jump":
      return `jump ${t.chain}`;
    case "goto":
      return `goto ${t.chain}`;
    case "none":
      return "";
    case "REJECT":
      if (t.rejectWith === "icmp-port-unreachable") return "reject";
      if (t.rejectWith === "tcp-reset") return "reject with tcp reset";
      return `reject with icmp type ${REJECT_TYPES[t.rejectWith] ?? t.rejectWith}`;
    case "DNAT":
      return `dnat to ${natTo(t.range)}${t.random ? " random" : ""}${t.persistent ? " persistent" : ""}`;
    case "SNAT":
      return `snat to ${natTo(t.range)}${t.randomFully ? " fully-random" : t.random ? " random" : ""}${t.persistent ? " persistent" : ""}`;
    case "MASQUERADE":
      return `masquerade${t.ports ? ` to :${ports(t.ports)}` : ""}${t.randomFully ? " fully-random" : t.random ? " random" : ""}`;
    case "MARK": {
      // The kernel's mark = (mark & ~mask) ^ value, printed in its simplest form.
      const { value, mask } = t;
      if (mask === 0xffffffff) return `meta mark set ${hex(value)}`;
      if (value === mask) return `meta mark set mark or ${hex(value)}`;
      if (value === 0) return `meta mark set mark and ${hex(~mask)}`;
      if (mask === 0) return `meta mark set mark xor ${hex(value)}`;
      return `meta mark set mark and ${hex(~mask)} xor ${hex(value)}`;
    }
    case "NOTRACK":
      return "notrack";
    case "LOG": {
      const parts = ["log"];
      if (t.prefix !== undefined) parts.push(`prefix ${JSON.stringify(t.prefix)}`);
      if (t.level !== undefined && t.level !== 4) parts.push(`level ${LOG_LEVELS[t.level] ?? t.level}`);
      return parts.join(" ");
    }
  }
}

/** One rule as nft prints it, after its chain's two tabs. */
export function nftRuleText(table: Table, rule: Rule, o: NftListOptions = {}): string {
  const matches = rule.matches.map((m) => matchText(m, L4PROTO_NAMES[rule.proto] ?? String(rule.proto)));
  // `meta l4proto` is left out when a tcp/udp header comparison that implies it follows with no
  // opaque (xt) match between them: nft removes the dependency it can see is redundant.
  let implied = false;
  for (const m of matches) {
    if (m.opaque) break;
    if (m.transport) {
      implied = true;
      break;
    }
  }
  const parts: string[] = [];
  if (rule.inIface) parts.push(`iifname ${rule.inIface.invert ? "!= " : ""}${iface(rule.inIface.value)}`);
  if (rule.outIface) parts.push(`oifname ${rule.outIface.invert ? "!= " : ""}${iface(rule.outIface.value)}`);
  if (rule.proto !== 0 && !(implied && !rule.protoInvert)) parts.push(`meta l4proto ${rule.protoInvert ? "!= " : ""}${o.numeric ? rule.proto : (L4PROTO_NAMES[rule.proto] ?? rule.proto)}`);
  if (rule.src.prefix > 0 || rule.srcInvert) parts.push(`ip saddr ${rule.srcInvert ? "!= " : ""}${address(rule.src)}`);
  if (rule.dst.prefix > 0 || rule.dstInvert) parts.push(`ip daddr ${rule.dstInvert ? "!= " : ""}${address(rule.dst)}`);
  let text = parts.map((p) => `${p} `).join("");
  for (const m of matches) text += `${m.text} `;
  const target = targetText(rule.target);
  let counter = "counter";
  if (!o.stateless) {
    const c = readCounters(table, rule);
    counter = `counter packets ${c.pkts} bytes ${c.bytes}`;
  }
  return `${text}${counter}${target ? ` ${target}` : ""}`;
}

/** One chain's lines (inside its table's braces) as nft prints them. */
export function nftChainLines(table: Table, chainName: string, o: NftListOptions = {}): string[] | undefined {
  const c = table.chains.get(chainName);
  if (!c) return undefined;
  const lines = [`\tchain ${c.name} {`];
  if (c.policy !== undefined) lines.push(`\t\t${baseChainLine(table.name, c.name as HookName, o.numeric)} policy ${c.policy.toLowerCase()};`);
  for (const r of c.rules) lines.push(`\t\t${nftRuleText(table, r, o)}`);
  lines.push("\t}");
  return lines;
}

/** A table of iptables-nft as `nft list table ip <name>` prints it. */
export function nftTableText(table: Table, o: NftListOptions = {}): string {
  const lines = [`table ip ${table.name} {`];
  [...table.chains.keys()].forEach((name, i) => {
    if (i > 0) lines.push("");
    lines.push(...nftChainLines(table, name, o)!);
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

/**
 * Whether iptables-nft wrote any rule of the table through the xtables compatibility layer (a
 * match or target with no native form), which is what makes nft print its warning for the
 * table. Native in iptables 1.8.9 (checked one rule at a time in the lab): -s/-d/-i/-o/-p, the
 * tcp and udp matches, the mark match and the plain verdicts and jumps; every other match and
 * target is an xt expression. A table without such a rule gets no warning (kubelet's mangle
 * table with its empty chains, for one).
 */
export function hasXtStatements(table: Table): boolean {
  for (const c of table.chains.values()) {
    for (const r of c.rules) {
      if (r.matches.some((m) => m.kind !== "tcp" && m.kind !== "udp" && m.kind !== "mark")) return true;
      if (!["ACCEPT", "DROP", "RETURN", "jump", "goto", "none"].includes(r.target.kind)) return true;
    }
  }
  return false;
}

/** The warning nft writes (to stderr) before each table iptables-nft owns (see hasXtStatements). */
export function nftWarning(table: TableName): string {
  return `# Warning: table ip ${table} is managed by iptables-nft, do not touch!\n`;
}

/**
 * The loaded tables in the order they were made (nft lists tables by creation): `order` gives
 * it; tables it leaves out follow in the order legacy iptables-save prints them.
 */
export function iptablesNftTables(ruleset: Ruleset, order: readonly TableName[] = []): TableName[] {
  const out = order.filter((t) => ruleset.loaded.has(t));
  for (const t of ruleset.loaded) if (!out.includes(t)) out.push(t);
  return out;
}

/** Whether a chain name is one of iptables-nft's built-in (base) chains of that table. */
export function isBaseChain(table: TableName, chain: string): boolean {
  return (TABLE_HOOKS[table] as readonly string[]).includes(chain);
}

/**
 * `iptables-restore --counters < text; nft list ruleset` in a fresh namespace, as the engine
 * prints it: the text's tables in the order it makes them. Throws on text that does not parse.
 */
export function listIptablesTextAsNft(text: string): string {
  const parsed = parseIptablesSave(text);
  if (!parsed.ok) throw new Error(`line ${parsed.error.line}: ${parsed.error.message}`);
  const rs = emptyRuleset();
  const r = restoreParsed(rs, parsed.value, { counters: true });
  if (!r.ok) throw new Error(`line ${r.error.line}: ${r.error.message}`);
  return iptablesNftTables(rs, parsed.value.tables.map((t) => t.name)).map((t) => nftTableText(rs.tables[t])).join("");
}
