/**
 * The formatting modules' commands, wired in by program name: ip link/addr, iptables -L,
 * brctl show. Arguments are parsed the way the real tools take them; bad ones get the tool's
 * own complaint.
 */
import { formatRuleHead, formatTarget } from "../netfilter/format";
import { chainsInSaveOrder } from "../netfilter/save";
import { readCounters, TABLE_NAMES, type Counters, type Ruleset, type TableName } from "../netfilter/types";
import { brctlShow } from "./brctl";
import type { CommandHandler, CommandResult } from "./exec";
import { ipAddr, ipEraOf, ipLink, type IpShowOptions } from "./ip";
import { ipNeigh, isNeighObject } from "./neigh";
import { clusterIptables, iptablesList, iptablesVersionText, NO_CHAIN_ERROR, type CommandOutput } from "./iptables-list";
import { nft } from "./nft";

function fromOutput(o: CommandOutput): CommandResult {
  return { stdout: o.stdout, stderr: o.error ? o.error + "\n" : "", code: o.exitCode };
}

/** `ip link|addr [show] [dev] X` with the global options already read (-4/-6, -o, -br, -s). */
export function ipShow(c: Parameters<CommandHandler>[0], ns: Parameters<CommandHandler>[1], args: readonly string[], globals: IpShowOptions): CommandResult {
  const [object, ...rest] = args;
  const isLink = object !== undefined && object.length >= 1 && "link".startsWith(object);
  const isAddr = object !== undefined && object.length >= 1 && ("address".startsWith(object) || object === "addr");
  const era = ipEraOf(c.scenario);
  if (object !== undefined && isNeighObject(object) && !isAddr) return ipNeigh(ns, c.world, rest, { era, ...(globals.stats && { stats: true }) });
  if (!isLink && !isAddr) return { stdout: "", stderr: `Object "${object}" is unknown, try "ip help".\n`, code: 255 };
  if (globals.details && era === "4.15") return { stdout: "", stderr: "(hopscope: ip -d is simulated on today's nodes (iproute2 6.1); the article's 2018 nodes ran iproute2 4.15, whose -d output was not captured)\n", code: 255 };
  let words = rest;
  if (words[0] === "show" || words[0] === "list" || words[0] === "lst") words = words.slice(1);
  let dev: string | undefined;
  if (words[0] === "dev") dev = words[1];
  else if (words.length === 1) dev = words[0];
  else if (words.length > 1) return { stdout: "", stderr: `Error: either "dev" is duplicate, or "${words[1]}" is a garbage.\n`, code: 255 };
  if (words[0] === "dev" && dev === undefined) return { stdout: "", stderr: 'Command line is not complete. Try option "help"\n', code: 255 };
  const opts = { ...globals, era, ...(dev !== undefined && { dev }) };
  return fromOutput(isLink ? ipLink(ns, c.world, opts) : ipAddr(ns, c.world, opts));
}

const ip: CommandHandler = (c, ns, args) => ipShow(c, ns, args, {});

const iptables: CommandHandler = (c, ns, args) => {
  const flavor = clusterIptables(c.scenario);
  const prog = iptablesVersionText(flavor);
  if (args.length === 1 && (args[0] === "-V" || args[0] === "--version")) return { stdout: prog + "\n", stderr: "", code: 0 };
  let table: TableName = "filter";
  let list = false;
  let zero = false;
  let rulesOut = false;
  let firstList: "L" | "S" | undefined;
  let chain: string | undefined;
  const flags = { verbose: false, numeric: false, exact: false, lineNumbers: false };
  const usage = (msg: string): CommandResult => ({ stdout: "", stderr: `${prog}: ${msg}\nTry \`iptables -h' or 'iptables --help' for more information.\n`, code: 2 });
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const takesChain = () => {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith("-")) {
        chain = next;
        i++;
      }
    };
    if (a === "-t" || a === "--table") {
      const t = args[++i];
      if (!t || !(TABLE_NAMES as readonly string[]).includes(t)) {
        const why = flavor.variant === "nf_tables" ? `table '${t ?? ""}' does not exist` : `can't initialize iptables table \`${t ?? ""}': Table does not exist (do you need to insmod?)`;
        return { stdout: "", stderr: `${prog}: ${why}\nPerhaps iptables or your kernel needs to be upgraded.\n`, code: 3 };
      }
      table = t as TableName;
    } else if (a === "-L" || a === "--list") {
      list = true;
      firstList ??= "L";
      takesChain();
    } else if (a === "-Z" || a === "--zero") {
      zero = true;
      takesChain();
    } else if (a === "-S" || a === "--list-rules") {
      rulesOut = true;
      firstList ??= "S";
      takesChain();
    } else if (/^-[vnxLZS]+$/.test(a)) {
      for (const ch of a.slice(1)) {
        if (ch === "v") flags.verbose = true;
        if (ch === "n") flags.numeric = true;
        if (ch === "x") flags.exact = true;
        if (ch === "L") list = true;
        if (ch === "Z") zero = true;
        if (ch === "S") rulesOut = true;
        if (ch === "L" || ch === "S") firstList ??= ch;
      }
      if (a.endsWith("L") || a.endsWith("Z") || a.endsWith("S")) takesChain();
    } else if (a === "--verbose") flags.verbose = true;
    else if (a === "--numeric") flags.numeric = true;
    else if (a === "--exact") flags.exact = true;
    else if (a === "--line-numbers") flags.lineNumbers = true;
    else if (a.startsWith("-")) return usage(`unknown option "${a}"`);
    else return usage(`Bad argument \`${a}'`);
  }
  // Like iptables' add_command: the second of two listing commands is the one refused.
  if (list && rulesOut) return usage(firstList === "L" ? "Cannot use -S with -L" : "Cannot use -L with -S");
  if (rulesOut) return fromOutput(iptablesListRules(ns.nf, table, chain, flags.verbose));
  if (!list) return usage("the simulated iptables lists rules: use -L or -S (with -t, -v, -n, -x, -Z, --line-numbers)");
  return fromOutput(iptablesList(ns.nf, { table, ...(chain !== undefined && { chain }), zero, flavor, ...flags }));
};

/**
 * `iptables -S [CHAIN] [-v]`: the chains' declarations (`-P` with the policy for built-ins, `-N`
 * for user chains, in iptables-save's order), then their rules as iptables-save writes them;
 * with -v each line carries `-c PKTS BYTES`, before the target (checked against iptables-legacy).
 */
function iptablesListRules(ruleset: Ruleset, tableName: TableName, chainName: string | undefined, verbose: boolean): CommandOutput {
  const table = ruleset.tables[tableName];
  const all = chainsInSaveOrder(ruleset, tableName);
  const chains = chainName === undefined ? all : all.filter((c) => c.name === chainName);
  if (chains.length === 0) return { stdout: "", error: NO_CHAIN_ERROR, exitCode: 1 };
  const count = (c: Counters | undefined) => (verbose && c ? ` -c ${c.pkts} ${c.bytes}` : "");
  let out = "";
  for (const c of chains) out += c.policy !== undefined ? `-P ${c.name} ${c.policy}${count(c.policyCounters)}\n` : `-N ${c.name}\n`;
  for (const c of chains) {
    for (const r of c.rules) {
      out += `-A ${c.name}${formatRuleHead(r)}${count(readCounters(table, r))}${formatTarget(r.target)}\n`;
    }
  }
  return { stdout: out, exitCode: 0 };
}

const brctl: CommandHandler = (_c, ns, args) => {
  if (args[0] !== "show") return { stdout: "", stderr: `never heard of command [${args[0] ?? ""}]\n`, code: 1 };
  return fromOutput(brctlShow(ns, args[1]));
};

export const EXTRA_COMMANDS: Readonly<Record<string, CommandHandler>> = { ip, iptables, brctl, nft };
