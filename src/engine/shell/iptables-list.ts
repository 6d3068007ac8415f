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
 * The text each match and target adds to a row is its extension's (netfilter/ext/), as in
 * iptables the extensions' print functions write it; this file lays out the columns around it.
 *  - `-x` prints both counters `%8llu ` (the header's bytes column is `%10s`, the rows are not).
 *  - `-Z` with `-v` prints "Zeroing chain `X'" for every chain it zeroes, after the listing;
 *    without `-v` it zeroes silently. Like every legacy write, the commit also restarts the
 *    policy counters of all the table's built-in chains, named or not.
 */
import { formatIpv4, type Cidr } from "../addr/ipv4";
import { matchModule, targetModule } from "../netfilter/ext";
import { resolveKubeProxy } from "../kube-proxy/releases";
import type { ListOptions, ServiceTable } from "../netfilter/ext/api";
import { formatProto } from "../netfilter/format";
import { chainsInSaveOrder } from "../netfilter/save";
import { readCounters, type Chain, type Counters, type Match, type Rule, type Ruleset, type Table, type TableName, type Target } from "../netfilter/types";

/**
 * Which iptables a node runs, for the lines that name it: `iptables -V`, the prefix of its error
 * messages and iptables-save's header. A node of the article (kube-proxy 1.10) runs legacy 1.6.1;
 * a node of today's kube-proxy runs the nf_tables variant. The node's own tools (what its shell
 * runs) are Debian 12's: iptables 1.8.9 beside nftables 1.0.6, the nft whose `list ruleset`
 * Hopscope prints, and the pair Hopscope's kernel lab checks every printed form with. (kube-proxy's
 * own image, distroless-iptables on Debian trixie, carries 1.8.11; it writes the same rules.)
 */
export interface IptablesFlavor {
  readonly version: string;
  readonly variant: "legacy" | "nf_tables";
}

export const IPTABLES_LEGACY_161: IptablesFlavor = { version: "1.6.1", variant: "legacy" };
export const IPTABLES_NFT: IptablesFlavor = { version: "1.8.9", variant: "nf_tables" };

/** The iptables of a node whose kube-proxy has this version (1.10: the article's). */
export function iptablesFlavorFor(kubeProxyVersion: string): IptablesFlavor {
  return kubeProxyVersion === "1.10" ? IPTABLES_LEGACY_161 : IPTABLES_NFT;
}

/** The cluster's iptables, from its scenario's `cluster.kubeProxy` (absent: the article's). */
export function clusterIptables(scenario: { readonly cluster: { readonly kubeProxy?: { readonly mode?: "iptables" | "nftables"; readonly version?: string } | undefined } }): IptablesFlavor {
  return iptablesFlavorFor(resolveKubeProxy(scenario.cluster.kubeProxy).version);
}

/** `iptables -V`, and the start of its error messages: "iptables v1.6.1", "iptables v1.8.9 (nf_tables)". */
export function iptablesVersionText(f: IptablesFlavor, program = "iptables"): string {
  return `${program} v${f.version}${f.variant === "nf_tables" ? " (nf_tables)" : ""}`;
}

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
  /** The node's iptables: the nf_tables variant (1.8) prints protocol numbers under -n (checked with v1.8.9). */
  readonly flavor?: IptablesFlavor;
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

export type { ServiceTable };

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
    numericProto: (opts.numeric ?? false) && opts.flavor?.variant === "nf_tables",
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

/** The listing's flags; `numeric` and `services` are what the extensions' texts depend on. */
interface Format extends ListOptions {
  readonly verbose: boolean;
  readonly numericProto: boolean;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
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
  const module = targetModule(t);
  return module.column ? module.column(t) : t.kind;
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
  s += (r.protoInvert ? "!" : " ") + padEnd(f.numericProto ? String(r.proto) : formatProto(r.proto), 5);
  s += "-- ";
  if (f.verbose) s += " " + padEnd(formatIface(r.inIface, f.numeric), 6) + " " + padEnd(formatIface(r.outIface, f.numeric), 6) + " ";
  s += formatAddr(r.srcInvert, r.src, f.numeric);
  s += formatAddr(r.dstInvert, r.dst, f.numeric);
  if (r.target.kind === "goto") s += "[goto] ";
  for (const m of r.matches) s += formatMatchText(m, r.proto, f);
  s += formatTargetText(r.target, f.numeric);
  return s + "\n";
}

// ---- extensions: each match and target prints its own text ------------------------------------

/** One match's text as `iptables -L` prints it, with its leading space. */
export function formatMatchText(m: Match, proto: number, f: ListOptions): string {
  return matchModule(m).list(m, proto, f);
}

/** The target's text as `iptables -L` prints it, with its leading space (standard targets have none). */
export function formatTargetText(t: Target, numeric: boolean): string {
  return targetModule(t).list(t, numeric);
}
