/**
 * `nft [-a] [-n] [-s] list ruleset|tables|table|chain|set|map …` in the engine's shell, printing what nft
 * 1.0.6 prints (nftables/print.ts) and its errors: a message, the command line, and carets under
 * the word at fault, on stderr with status 1 (checked against the real nft in a namespace, e.g.
 * `nft list table ip nope` → `Error: No such file or directory` with `^^^^` under `nope`).
 *
 * On a node whose iptables is the nf_tables variant (today's nodes, in both kube-proxy modes) the
 * iptables tables are nftables tables too: nft lists them (netfilter/nft-list.ts) in the order
 * they were made, before kube-proxy's own table (kubelet makes mangle, filter and nat before
 * kube-proxy starts), each with nft's warning on stderr when iptables-nft wrote xt expressions
 * into it. The handles iptables-nft's objects got depend on every iptables call since boot, which
 * the simulation does not replay, so `nft -a` on those tables says so instead of inventing them.
 * The article's 2018 node (Ubuntu 18.04, legacy iptables) has no nftables package: `nft` is not
 * found there.
 */
import { hasXtStatements, iptablesNftTables, nftChainLines, nftTableText, nftWarning, type NftListOptions } from "../netfilter/nft-list";
import type { Table, TableName } from "../netfilter/types";
import type { Netns } from "../netns";
import { printChain, printOne, printRuleset, printSet, printTable } from "../nftables/print";
import { FAMILIES, findTable, type Family } from "../nftables/types";
import type { CommandHandler, CommandResult } from "./exec";
import { clusterIptables } from "./iptables-list";

/** The error nft prints for `words` with carets under word `at` (or after the end when at = words.length). */
function nftError(message: string, words: readonly string[], at: number): CommandResult {
  const line = words.join(" ");
  let col = 0;
  for (let i = 0; i < Math.min(at, words.length); i++) col += words[i]!.length + 1;
  const carets = at >= words.length ? " ".repeat(line.length) + "^" : " ".repeat(col) + "^".repeat(Math.max(1, words[at]!.length));
  return { stdout: "", stderr: `Error: ${message}\n${line}\n${carets}\n`, code: 1 };
}

const NOENT = "No such file or directory";

/** One listed piece: text for stdout, and the warning nft writes to stderr just before it. */
interface Piece {
  readonly text: string;
  readonly warning?: string;
}

/** The pieces as nft writes them: stdout, stderr, and both interleaved as a terminal shows them. */
function emit(pieces: readonly Piece[]): CommandResult {
  const stdout = pieces.map((p) => p.text).join("");
  const stderr = pieces.map((p) => p.warning ?? "").join("");
  return { stdout, stderr, code: 0, ...(stderr && { terminal: pieces.map((p) => (p.warning ?? "") + p.text).join("") }) };
}

const NO_HANDLES = "nft: (hopscope: the handles iptables-nft gave the tables of the node's iptables depend on every iptables call since boot and are not simulated; nft -a list table ip kube-proxy lists kube-proxy's own with handles)\n";

export interface NftShellOptions {
  /** The node's iptables is the nf_tables variant: its tables (ns.nf) are listed as nftables tables. */
  readonly iptablesNft?: boolean;
}

/** Runs nft's list commands on a namespace's ruleset. */
export function nftCommand(ns: Netns, args: readonly string[], now?: number, shell: NftShellOptions = {}): CommandResult {
  let handles = false;
  let numeric = false;
  let stateless = false;
  let i = 0;
  for (; i < args.length && args[i]!.startsWith("-"); i++) {
    const a = args[i]!;
    if (a === "-a" || a === "--handle") handles = true;
    else if (a === "-n" || a === "--numeric") numeric = true;
    else if (a === "-s" || a === "--stateless") stateless = true;
    else if (/^-[ans]+$/.test(a)) {
      handles ||= a.includes("a");
      numeric ||= a.includes("n");
      stateless ||= a.includes("s");
    } else if (a.startsWith("--")) return { stdout: "", stderr: `nft: unrecognized option '${a}'\n`, code: 1 };
    else return { stdout: "", stderr: `nft: invalid option -- '${[...a.slice(1)].find((ch) => !"ans".includes(ch)) ?? a.slice(1)}'\n`, code: 1 };
  }
  const words = args.slice(i);
  if (words.length === 0) return { stdout: "", stderr: "nft: no command specified\n", code: 1 };
  const o = { handles, numeric, stateless, ...(now !== undefined && { now }) };
  if (words[0] !== "list") {
    if (["add", "insert", "delete", "flush", "create", "replace", "destroy", "-f"].includes(words[0]!)) {
      return { stdout: "", stderr: "nft: this simulated node lists its ruleset only: use nft list ruleset|tables|table|chain|set|map\n", code: 1 };
    }
    return nftError("syntax error, unexpected newline, expecting string", words, words.length);
  }
  const what = words[1];
  if (what === undefined) return nftError("syntax error, unexpected newline", words, 1);
  // The family is optional (ip by default) when the next word is not one.
  let k = 2;
  let family: Family = "ip";
  const famGiven = words[k] !== undefined && (FAMILIES as readonly string[]).includes(words[k]!);
  const rs = ns.nft;
  const xtables: Table[] = shell.iptablesNft ? iptablesNftTables(ns.nf).map((t: TableName) => ns.nf.tables[t]) : [];
  const xo: NftListOptions = { numeric, stateless };
  const xtPiece = (t: Table, text: string): Piece => ({ text, ...(hasXtStatements(t) && { warning: nftWarning(t.name) }) });
  switch (what) {
    case "ruleset":
    case "tables": {
      let only: Family | undefined;
      if (words.length > 2) {
        if (!famGiven || words.length > 3) return nftError("syntax error, unexpected string, expecting end of file or newline or semicolon", words, famGiven ? 3 : 2);
        only = words[2] as Family;
      }
      const ipt = only === undefined || only === "ip" ? xtables : [];
      if (what === "tables") {
        return { stdout: [...ipt.map((t) => `table ip ${t.name}\n`), ...rs.tables.filter((t) => !only || t.family === only).map((t) => `table ${t.family} ${t.name}\n`)].join(""), stderr: "", code: 0 };
      }
      if (handles && ipt.length) return { stdout: "", stderr: NO_HANDLES, code: 1 };
      return emit([...ipt.map((t) => xtPiece(t, nftTableText(t, xo))), { text: printRuleset(rs, o, only) }]);
    }
    case "table":
    case "chain":
    case "set":
    case "map": {
      if (famGiven && words.length > 3) {
        family = words[2] as Family;
        k = 3;
      }
      const tableName = words[k];
      if (tableName === undefined) return nftError("syntax error, unexpected newline, expecting string", words, words.length);
      const xt = family === "ip" ? xtables.find((t) => t.name === tableName) : undefined;
      if (xt) {
        // One of iptables-nft's tables (kube-proxy's table is never named like one).
        if (what === "table" && words.length > k + 1) return nftError("syntax error, unexpected string, expecting end of file or newline or semicolon", words, k + 1);
        if (what !== "table") {
          const name = words[k + 1];
          if (name === undefined) return nftError("syntax error, unexpected newline, expecting string", words, words.length);
          if (words.length > k + 2) return nftError("syntax error, unexpected string, expecting end of file or newline or semicolon", words, k + 2);
          if (what !== "chain") return nftError(NOENT, words, k + 1);
          if (handles) return { stdout: "", stderr: NO_HANDLES, code: 1 };
          const lines = nftChainLines(xt, name, xo);
          if (!lines) return nftError(NOENT, words, k + 1);
          return emit([xtPiece(xt, [`table ip ${xt.name} {`, ...lines, "}"].join("\n") + "\n")]);
        }
        if (handles) return { stdout: "", stderr: NO_HANDLES, code: 1 };
        return emit([xtPiece(xt, nftTableText(xt, xo))]);
      }
      const table = findTable(rs, family, tableName);
      if (what === "table") {
        if (words.length > k + 1) return nftError("syntax error, unexpected string, expecting end of file or newline or semicolon", words, k + 1);
        if (!table) return nftError(NOENT, words, k);
        return { stdout: printTable(table, o), stderr: "", code: 0 };
      }
      const name = words[k + 1];
      if (name === undefined) return nftError("syntax error, unexpected newline, expecting string", words, words.length);
      if (words.length > k + 2) return nftError("syntax error, unexpected string, expecting end of file or newline or semicolon", words, k + 2);
      if (!table) return nftError(NOENT, words, k);
      if (what === "chain") {
        const chain = table.chains.get(name);
        if (!chain) return nftError(NOENT, words, k + 1);
        return { stdout: printOne(table, printChain(table, chain, o)), stderr: "", code: 0 };
      }
      const set = table.sets.get(name);
      if (!set || set.map !== (what === "map")) return nftError(NOENT, words, k + 1);
      return { stdout: printOne(table, printSet(set, o)), stderr: "", code: 0 };
    }
    default:
      return nftError("syntax error, unexpected string", words, 1);
  }
}

/** `nft` on a node of the cluster: not installed on the article's 2018 nodes (legacy iptables). */
export const nft: CommandHandler = (c, ns, args) => {
  const flavor = clusterIptables(c.scenario);
  if (flavor.variant === "legacy") return { stdout: "", stderr: "nft: command not found\n", code: 127, missing: true };
  return nftCommand(ns, args, c.world.now, { iptablesNft: true });
};
