/**
 * iptables-save / iptables-restore text → rules. Errors name the line (and the token's column)
 * and the problem; nothing else is ever thrown out of `parseIptablesSave`.
 */
import { AddressError, parseCidr, ANY, type Cidr } from "../addr/ipv4";
import { draftTarget, implicitMatch, matchByName, MATCH_NAMES, targetByName, targetModule } from "./ext";
import { Fail, Opts, type MatchDraft, type RuleHead, type TargetDraft } from "./ext/api";
import { own } from "./ext/common";
import { NO_TARGET } from "./ext/standard";
import { PROTO_BY_NAME, TABLE_HOOKS, TABLE_NAMES, isBuiltinChain, type Chain, type Counters, type HookName, type Negatable, type Policy, type Rule, type TableName, type Target } from "./types";

export interface ParseError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type Result<T, E = ParseError> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function formatParseError(e: ParseError, source = "input"): string {
  return `${source}:${e.line}:${e.column}: ${e.message}`;
}

/** What one line of a table section asks for, in order. */
export type TableOp =
  | { readonly kind: "chain"; readonly line: number; readonly name: string; readonly policy?: Policy; readonly counters: Counters }
  | { readonly kind: "rule"; readonly line: number; readonly chain: string; readonly rule: Rule; readonly insertAt?: number };

/** One `*table … COMMIT` section. */
export interface ParsedTable {
  readonly name: TableName;
  readonly line: number;
  readonly commitLine: number;
  readonly ops: TableOp[];
  /** Chains the section declares, for the duplicate check. */
  readonly declared: Set<string>;
}

export interface ParsedSave {
  readonly tables: ParsedTable[];
}

interface Token {
  readonly text: string;
  readonly column: number;
}

/** Splits a line like iptables-restore does: whitespace separates, "…" groups, \ escapes inside quotes. */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    const start = i;
    // Fast path: a token without quotes is a plain slice of the line.
    while (i < n && (c = line.charCodeAt(i)) !== 32 && c !== 9 && c !== 34) i++;
    if (i >= n || c !== 34) {
      out.push({ text: line.slice(start, i), column: start + 1 });
      continue;
    }
    // A token with a quoted part: build it, honouring backslash escapes inside the quotes.
    let text = line.slice(start, i);
    let inQuote = false;
    let quoteStart = i;
    for (; i < n; i++) {
      const ch = line[i]!;
      if (inQuote) {
        // Copy the run up to the next quote or backslash in one slice.
        let j = i;
        while (j < n && line.charCodeAt(j) !== 34 && line.charCodeAt(j) !== 92) j++;
        if (j > i) {
          text += line.slice(i, j);
          i = j - 1;
          continue;
        }
        if (ch === "\\" && i + 1 < n) text += line[++i];
        else if (ch === '"') inQuote = false;
        else text += ch;
      } else if (ch === '"') {
        inQuote = true;
        quoteStart = i;
      } else if (ch === " " || ch === "\t") {
        break;
      } else {
        text += ch;
      }
    }
    if (inQuote) throw new Fail(quoteStart + 1, "unterminated quoted string");
    out.push({ text, column: start + 1 });
  }
  return out;
}

const MAX_CHAIN_NAME = 28;

/** Parses iptables-save output (with or without -c counters). */
export function parseIptablesSave(text: string): Result<ParsedSave> {
  let lineNo = 0;
  try {
    const tables: ParsedTable[] = [];
    let current: ParsedTable | undefined;
    const lines = text.split("\n");
    for (const raw of lines) {
      lineNo++;
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#")) continue;
      if (trimmed.startsWith("*")) {
        if (current) throw new Fail(1, `table "${current.name}" (line ${current.line}) has no COMMIT before "${trimmed}"`);
        const name = trimmed.slice(1);
        if (!(TABLE_NAMES as readonly string[]).includes(name)) {
          throw new Fail(2, `unknown table "${name}" (expected one of ${TABLE_NAMES.join(", ")})`);
        }
        if (tables.some((t) => t.name === name)) throw new Fail(2, `table "${name}" appears twice`);
        current = { name: name as TableName, line: lineNo, commitLine: 0, ops: [], declared: new Set() };
        continue;
      }
      if (!current) throw new Fail(1, `"${trimmed.slice(0, 40)}" is outside a table: expected a "*table" line first`);
      if (trimmed === "COMMIT") {
        tables.push({ ...current, commitLine: lineNo });
        current = undefined;
        continue;
      }
      if (trimmed.startsWith(":")) {
        parseChainLine(current, line, lineNo);
        continue;
      }
      parseRuleLine(current, line, lineNo);
    }
    if (current) throw new Fail(1, `table "${current.name}" (line ${current.line}) ends without COMMIT`);
    return { ok: true, value: { tables } };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: { line: lineNo, column: e.column, message: e.message } };
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { line: lineNo, column: 1, message: `internal error: ${message}` } };
  }
}

const COUNTERS = /^\[(\d+):(\d+)\]$/;

function parseCounters(tok: Token): Counters {
  const m = COUNTERS.exec(tok.text);
  if (!m) throw new Fail(tok.column, `"${tok.text}" is not a counter pair like [0:0]`);
  return { pkts: Number(m[1]), bytes: Number(m[2]) };
}

function checkChainName(name: string, column: number): void {
  if (name.length === 0) throw new Fail(column, "empty chain name");
  if (name.length > MAX_CHAIN_NAME) throw new Fail(column, `chain name "${name}" is longer than ${MAX_CHAIN_NAME} characters`);
  if (name.startsWith("-") || name === "!") throw new Fail(column, `"${name}" is not a valid chain name`);
}

const USER_CHAIN_LINE = /^:([^\s"!-][^\s"]{0,27}) - \[0:0\]$/;

function parseChainLine(table: ParsedTable, line: string, lineNo: number): void {
  // The common case, a user chain as iptables-save prints it, without the tokenizer.
  const quick = USER_CHAIN_LINE.exec(line);
  if (quick && !isBuiltinChain(table.name, quick[1]!)) {
    const name = quick[1]!;
    if (table.declared.has(name)) throw new Fail(2, `chain "${name}" is declared twice`);
    table.declared.add(name);
    table.ops.push({ kind: "chain", line: lineNo, name, counters: { pkts: 0, bytes: 0 } });
    return;
  }
  const toks = tokenize(line.trim().slice(1));
  const [nameTok, policyTok, countTok] = toks;
  if (!nameTok || !policyTok) throw new Fail(1, `chain line needs ":NAME POLICY [pkts:bytes]"`);
  const name = nameTok.text;
  checkChainName(name, nameTok.column + 1);
  if (table.declared.has(name)) throw new Fail(nameTok.column + 1, `chain "${name}" is declared twice`);
  table.declared.add(name);
  const counters = countTok ? parseCounters({ ...countTok, column: countTok.column + 1 }) : { pkts: 0, bytes: 0 };
  if (toks.length > 3) throw new Fail(toks[3]!.column + 1, `unexpected "${toks[3]!.text}" after the chain's counters`);
  const builtin = isBuiltinChain(table.name, name);
  if (builtin) {
    if (policyTok.text !== "ACCEPT" && policyTok.text !== "DROP") {
      throw new Fail(policyTok.column + 1, `built-in chain ${name} needs policy ACCEPT or DROP, not "${policyTok.text}"`);
    }
    table.ops.push({ kind: "chain", line: lineNo, name, policy: policyTok.text as Policy, counters });
  } else {
    if (policyTok.text !== "-") {
      throw new Fail(policyTok.column + 1, `user chain ${name} cannot have a policy ("${policyTok.text}"); write "-"`);
    }
    table.ops.push({ kind: "chain", line: lineNo, name, counters });
  }
}

/** Where a rule's options are going: the header, the last loaded match, or the target. */
interface RuleDraft {
  src: Cidr;
  srcInvert: boolean;
  dst: Cidr;
  dstInvert: boolean;
  inIface?: Negatable<string>;
  outIface?: Negatable<string>;
  proto: number;
  protoInvert: boolean;
  matches: MatchDraft[];
  target?: TargetDraft;
  counters?: Counters;
  /** Header options already given, as bits: -s 1, -d 2, -i 4, -o 8, -p 16. */
  seen: number;
}

function parseRuleLine(table: ParsedTable, line: string, lineNo: number): void {
  const toks = tokenize(line);
  let i = 0;
  let counters: Counters | undefined;
  if (toks[0] && toks[0].text.startsWith("[")) {
    counters = parseCounters(toks[0]);
    i = 1;
  }
  const cmd = toks[i];
  if (!cmd) throw new Fail(1, "empty rule");
  const chainTok = toks[i + 1];
  let insertAt: number | undefined;
  switch (cmd.text) {
    case "-A":
    case "--append":
    case "-I":
    case "--insert":
      break;
    case "-N":
    case "--new-chain":
    case "-P":
    case "--policy":
    case "-F":
    case "--flush":
    case "-X":
    case "--delete-chain":
    case "-D":
    case "--delete":
    case "-R":
    case "--replace":
      throw new Fail(cmd.column, `command "${cmd.text}" is not supported here: declare chains with ":NAME - [0:0]" lines and add rules with -A`);
    default:
      throw new Fail(cmd.column, `expected a rule ("-A CHAIN …") or a chain line (":CHAIN …"), got "${cmd.text}"`);
  }
  if (!chainTok) throw new Fail(cmd.column, `${cmd.text} needs a chain name`);
  checkChainName(chainTok.text, chainTok.column);
  i += 2;
  const inserting = cmd.text === "-I" || cmd.text === "--insert";
  if (inserting) insertAt = 1;
  if (inserting && toks[i] && /^\d+$/.test(toks[i]!.text)) {
    insertAt = Number(toks[i]!.text);
    if (insertAt < 1) throw new Fail(toks[i]!.column, `rule position ${insertAt} must be at least 1`);
    i++;
  }
  const draft: RuleDraft = { src: ANY, srcInvert: false, dst: ANY, dstInvert: false, proto: 0, protoInvert: false, matches: [], seen: 0 };
  if (counters) draft.counters = counters;
  let invert = false;
  let invertCol = 0;
  // The cursor lives in an object so the helpers below need no per-line closures.
  const cur = { toks, i };
  for (; cur.i < toks.length; cur.i++) {
    const tok = toks[cur.i]!;
    const t = tok.text;
    if (t === "!") {
      if (invert) throw new Fail(tok.column, `"!" is given twice`);
      invert = true;
      invertCol = tok.column;
      continue;
    }
    const inv = invert;
    invert = false;
    switch (t) {
      case "-s":
      case "--source":
      case "--src": {
        once(draft, tok, 1);
        const [a] = need(cur, tok, 1);
        draft.src = cidrArg(a!);
        draft.srcInvert = inv;
        continue;
      }
      case "-d":
      case "--destination":
      case "--dst": {
        once(draft, tok, 2);
        const [a] = need(cur, tok, 1);
        draft.dst = cidrArg(a!);
        draft.dstInvert = inv;
        continue;
      }
      case "-i":
      case "--in-interface": {
        once(draft, tok, 4);
        const [a] = need(cur, tok, 1);
        draft.inIface = { value: ifaceArg(a!), invert: inv };
        continue;
      }
      case "-o":
      case "--out-interface": {
        once(draft, tok, 8);
        const [a] = need(cur, tok, 1);
        draft.outIface = { value: ifaceArg(a!), invert: inv };
        continue;
      }
      case "-p":
      case "--protocol": {
        once(draft, tok, 16);
        const [a] = need(cur, tok, 1);
        const name = a!.text.toLowerCase();
        const num = /^\d+$/.test(name) ? Number(name) : own(PROTO_BY_NAME, name);
        if (num === undefined || num > 255) throw new Fail(a!.column, `unknown protocol "${a!.text}"`);
        draft.proto = num;
        draft.protoInvert = inv;
        continue;
      }
      case "-m":
      case "--match": {
        if (inv) throw new Fail(invertCol, `"!" cannot negate ${t}`);
        const [a] = need(cur, tok, 1);
        const module = matchByName(a!.text);
        if (!module) throw new Fail(a!.column, `unsupported match module "${a!.text}" (supported: ${MATCH_NAMES.join(", ")})`);
        draft.matches.push({ module, name: a!.text, column: a!.column, opts: new Opts() });
        continue;
      }
      case "-j":
      case "--jump":
      case "-g":
      case "--goto": {
        if (inv) throw new Fail(invertCol, `"!" cannot negate ${t}`);
        if (draft.target) throw new Fail(tok.column, "a rule has only one target");
        const [a] = need(cur, tok, 1);
        draft.target = { name: a!.text, column: a!.column, goto: t === "-g" || t === "--goto", module: targetByName(a!.text), opts: new Opts() };
        continue;
      }
      case "-c":
      case "--set-counters": {
        const [p, b] = need(cur, tok, 2);
        if (!/^\d+$/.test(p!.text) || !/^\d+$/.test(b!.text)) throw new Fail(tok.column, `-c needs two numbers`);
        draft.counters = { pkts: Number(p!.text), bytes: Number(b!.text) };
        continue;
      }
    }
    if (!t.startsWith("--")) throw new Fail(tok.column, `unexpected "${t}"`);
    const opt = t.slice(2);
    // A module option goes to the target after -j, or to the newest match that knows it.
    const targetArgs = draft.target?.module && own(draft.target.module.options, opt);
    if (targetArgs !== undefined) {
      if (draft.target!.opts.has(opt)) throw new Fail(tok.column, `option "${t}" is given twice`);
      const args = need(cur, tok, targetArgs);
      draft.target!.opts.set(opt, { value: args.map((a) => a.text), invert: inv, column: tok.column });
      continue;
    }
    let owner: MatchDraft | undefined;
    for (let k = draft.matches.length - 1; k >= 0; k--) {
      if (own(draft.matches[k]!.module.options, opt) !== undefined) {
        owner = draft.matches[k];
        break;
      }
    }
    const implicit = owner ? undefined : implicitMatch(draft.proto);
    if (implicit && own(implicit.module.options, opt) !== undefined) {
      // `-p tcp --dport 53` loads the tcp match implicitly; iptables-save then prints `-m tcp`.
      owner = { ...implicit, column: tok.column, opts: new Opts() };
      draft.matches.push(owner);
    }
    if (!owner) {
      const where = draft.target ? `target ${draft.target.name}` : draft.matches.length ? `match ${draft.matches.map((m) => m.name).join("/")}` : "the rule";
      throw new Fail(tok.column, `unknown option "${t}" for ${where}`);
    }
    const key = (owner.module.aliases && own(owner.module.aliases, opt)) ?? opt;
    if (owner.opts.has(key)) throw new Fail(tok.column, `option "${t}" is given twice`);
    const args = need(cur, tok, owner.module.options[opt]!);
    owner.opts.set(key, { value: args.map((a) => a.text), invert: inv, column: tok.column });
  }
  if (invert) throw new Fail(invertCol, `"!" at the end of the rule negates nothing`);
  const rule = finishRule(draft, table.name);
  table.ops.push({ kind: "rule", line: lineNo, chain: chainTok.text, rule, ...(insertAt !== undefined && { insertAt }) });
}

/** Takes the `n` arguments of the option at the cursor. */
function need(cur: { toks: Token[]; i: number }, tok: Token, n: number): Token[] {
  const args: Token[] = [];
  for (let k = 1; k <= n; k++) {
    const a = cur.toks[cur.i + k];
    // An option in place of an argument means the argument is missing.
    const t = a?.text;
    if (t === undefined || (t.length >= 2 && t.charCodeAt(0) === 45 && (t.charCodeAt(1) === 45 || (t.length === 2 && /[a-zA-Z]/.test(t[1]!))))) {
      throw new Fail(tok.column, `option "${tok.text}" needs ${n === 1 ? "an argument" : n + " arguments"}`);
    }
    args.push(a!);
  }
  cur.i += n;
  return args;
}

function once(draft: RuleDraft, tok: Token, bit: number): void {
  if (draft.seen & bit) throw new Fail(tok.column, `option "${tok.text}" is given twice`);
  draft.seen |= bit;
}

function cidrArg(tok: Token): Cidr {
  if (tok.text.includes(",")) throw new Fail(tok.column, `address lists ("${tok.text}") are not supported; write one rule per address`);
  try {
    return parseCidr(tok.text);
  } catch (e) {
    if (e instanceof AddressError) throw new Fail(tok.column, e.message);
    throw e;
  }
}

function ifaceArg(tok: Token): string {
  if (tok.text.length === 0 || tok.text.length > 15) throw new Fail(tok.column, `interface name "${tok.text}" must be 1-15 characters`);
  return tok.text;
}

function finishTarget(t: TargetDraft, head: RuleHead): Target {
  for (const [k, o] of t.opts) if (o.invert) throw new Fail(o.column, `"!" cannot negate target option --${k}`);
  const module = draftTarget(t);
  if (module.tables && !module.tables.includes(head.table)) {
    throw new Fail(t.column, `target ${t.name} is only valid in the ${module.tables.join("/")} table, not ${head.table}`);
  }
  return module.parse(t, head);
}

function finishRule(d: RuleDraft, table: TableName): Rule {
  const head: RuleHead = { proto: d.proto, protoInvert: d.protoInvert, table };
  const matches = d.matches.map((m) => m.module.parse(m, head));
  const target = d.target ? finishTarget(d.target, head) : NO_TARGET;
  // Every rule has the same shape (absent interfaces are undefined, not missing), so the walk's
  // property loads stay monomorphic over long chains.
  return {
    src: d.src,
    srcInvert: d.srcInvert,
    dst: d.dst,
    dstInvert: d.dstInvert,
    inIface: d.inIface,
    outIface: d.outIface,
    proto: d.proto,
    protoInvert: d.protoInvert,
    matches,
    target,
    counters: d.counters ?? { pkts: 0, bytes: 0 },
    shared: false,
  };
}

export interface TableProblem {
  readonly message: string;
  readonly rule?: Rule;
}

/**
 * Walks the jump graph from every built-in chain. A chain reached from itself is a loop
 * (iptables-restore fails with "Too many levels of symbolic links"); targets are checked against
 * the hooks that reach them, as the kernel's checkentry does when the table is loaded.
 */
export function validateTable(tableName: TableName, chains: ReadonlyMap<string, Chain>): TableProblem | undefined {
  // Which hooks reach each chain, as a bit set; a chain is walked once per hook at most.
  const reached = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const hooks = TABLE_HOOKS[tableName];
  const visit = (name: string, hook: HookName, bit: number): TableProblem | undefined => {
    if (onStack.has(name)) {
      const cycle = [...stack.slice(stack.indexOf(name)), name].join(" -> ");
      return { message: `chain loop ${cycle}: the kernel refuses the table (Too many levels of symbolic links)` };
    }
    const seen = reached.get(name) ?? 0;
    if (seen & bit) return undefined;
    reached.set(name, seen | bit);
    stack.push(name);
    onStack.add(name);
    for (const rule of chains.get(name)?.rules ?? []) {
      const tg = rule.target;
      if (tg.kind === "jump" || tg.kind === "goto") {
        const p = visit(tg.chain, hook, bit);
        if (p) return p;
        continue;
      }
      const allowed = targetModule(tg).hooks;
      if (allowed && !allowed.includes(hook)) {
        return { rule, message: `target ${tg.kind} in chain ${name} is reached from ${hook}, but it is only usable from ${allowed.join("/")}` };
      }
    }
    stack.pop();
    onStack.delete(name);
    return undefined;
  };
  for (let h = 0; h < hooks.length; h++) {
    const problem = visit(hooks[h]!, hooks[h]!, 1 << h);
    if (problem) return problem;
  }
  // iptables itself refuses -i in OUTPUT/POSTROUTING and -o in PREROUTING/INPUT, but only in those
  // chains by name: in a user chain reached from there the rule loads and never matches.
  for (const name of ["OUTPUT", "POSTROUTING", "PREROUTING", "INPUT"]) {
    const noIn = name === "OUTPUT" || name === "POSTROUTING";
    for (const rule of chains.get(name)?.rules ?? []) {
      if (noIn && rule.inIface) return { rule, message: `Can't use -i with ${name}: there is no input interface there` };
      if (!noIn && rule.outIface) return { rule, message: `Can't use -o with ${name}: there is no output interface there` };
    }
  }
  return undefined;
}
