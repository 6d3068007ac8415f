/**
 * iptables-save / iptables-restore text → rules. Errors name the line (and the token's column)
 * and the problem; nothing else is ever thrown out of `parseIptablesSave`.
 */
import { AddressError, isIpv4, parseCidr, parseIpv4, ANY, type Cidr } from "../addr/ipv4";
import {
  CT_STATE_ORDER,
  PROTO_BY_NAME,
  TABLE_HOOKS,
  TABLE_NAMES,
  isBuiltinChain,
  type AddrType,
  type Chain,
  type ConnState,
  type Counters,
  type Match,
  type NatRange,
  type Negatable,
  type Policy,
  type PortRange,
  type Rule,
  type TableName,
  type Target,
} from "./types";

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

/** A lookup in one of the tables below that ignores Object.prototype ("constructor", "__proto__"…). */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

class Fail extends Error {
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
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

interface MatchDraft {
  name: string;
  column: number;
  opts: Opts;
  implicit: boolean;
}

interface TargetDraft {
  name: string;
  column: number;
  goto: boolean;
  opts: Opts;
}

interface Opt {
  readonly value: string[];
  readonly invert: boolean;
  readonly column: number;
}

/** A rule's few options for one module: a small list beats a Map when there are 300,000 of them. */
class Opts {
  private readonly keys: string[] = [];
  private readonly vals: Opt[] = [];
  get(k: string): Opt | undefined {
    const i = this.keys.indexOf(k);
    return i < 0 ? undefined : this.vals[i];
  }
  has(k: string): boolean {
    return this.keys.includes(k);
  }
  set(k: string, v: Opt): void {
    this.keys.push(k);
    this.vals.push(v);
  }
  get size(): number {
    return this.keys.length;
  }
  *[Symbol.iterator](): IterableIterator<[string, Opt]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i]!, this.vals[i]!];
  }
}

/** Options each module takes, and how many arguments each option has. */
const MATCH_OPTIONS: Record<string, Record<string, number>> = {
  comment: { comment: 1 },
  tcp: { sport: 1, "source-port": 1, dport: 1, "destination-port": 1, "tcp-flags": 2, syn: 0 },
  udp: { sport: 1, "source-port": 1, dport: 1, "destination-port": 1 },
  icmp: { "icmp-type": 1 },
  mark: { mark: 1 },
  addrtype: { "src-type": 1, "dst-type": 1, "limit-iface-in": 0, "limit-iface-out": 0 },
  statistic: { mode: 1, probability: 1, every: 1, packet: 1 },
  conntrack: { ctstate: 1 },
  state: { state: 1 },
  multiport: { sports: 1, "source-ports": 1, dports: 1, "destination-ports": 1, ports: 1 },
  recent: { set: 0, rcheck: 0, update: 0, remove: 0, seconds: 1, reap: 0, hitcount: 1, rttl: 0, name: 1, mask: 1, rsource: 0, rdest: 0 },
};

const TARGET_OPTIONS: Record<string, Record<string, number>> = {
  ACCEPT: {},
  DROP: {},
  RETURN: {},
  REJECT: { "reject-with": 1 },
  DNAT: { "to-destination": 1, random: 0, persistent: 0 },
  SNAT: { "to-source": 1, random: 0, "random-fully": 0, persistent: 0 },
  MASQUERADE: { "to-ports": 1, random: 0, "random-fully": 0 },
  MARK: { "set-xmark": 1, "set-mark": 1, "and-mark": 1, "or-mark": 1, "xor-mark": 1 },
  LOG: { "log-prefix": 1, "log-level": 1 },
};

const ALIASES: Record<string, string> = {
  "source-port": "sport",
  "destination-port": "dport",
  "source-ports": "sports",
  "destination-ports": "dports",
};

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
        if (!own(MATCH_OPTIONS, a!.text)) throw new Fail(a!.column, `unsupported match module "${a!.text}" (supported: ${Object.keys(MATCH_OPTIONS).join(", ")})`);
        draft.matches.push({ name: a!.text, column: a!.column, opts: new Opts(), implicit: false });
        continue;
      }
      case "-j":
      case "--jump":
      case "-g":
      case "--goto": {
        if (inv) throw new Fail(invertCol, `"!" cannot negate ${t}`);
        if (draft.target) throw new Fail(tok.column, "a rule has only one target");
        const [a] = need(cur, tok, 1);
        draft.target = { name: a!.text, column: a!.column, goto: t === "-g" || t === "--goto", opts: new Opts() };
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
    // A module option goes to the newest match that knows it, or to the target after -j.
    if (draft.target && own(own(TARGET_OPTIONS, draft.target.name) ?? {}, opt) !== undefined) {
      if (draft.target.opts.has(opt)) throw new Fail(tok.column, `option "${t}" is given twice`);
      const args = need(cur, tok, TARGET_OPTIONS[draft.target.name]![opt]!);
      draft.target.opts.set(opt, { value: args.map((a) => a.text), invert: inv, column: tok.column });
      continue;
    }
    let owner: MatchDraft | undefined;
    for (let k = draft.matches.length - 1; k >= 0; k--) {
      if (own(MATCH_OPTIONS[draft.matches[k]!.name]!, opt) !== undefined) {
        owner = draft.matches[k];
        break;
      }
    }
    if (!owner && (draft.proto === 6 || draft.proto === 17) && own(MATCH_OPTIONS[draft.proto === 6 ? "tcp" : "udp"]!, opt) !== undefined) {
      // `-p tcp --dport 53` loads the tcp match implicitly; iptables-save then prints `-m tcp`.
      owner = { name: draft.proto === 6 ? "tcp" : "udp", column: tok.column, opts: new Opts(), implicit: true };
      draft.matches.push(owner);
    }
    if (!owner && draft.proto === 1 && opt === "icmp-type") {
      owner = { name: "icmp", column: tok.column, opts: new Opts(), implicit: true };
      draft.matches.push(owner);
    }
    if (!owner) {
      const where = draft.target ? `target ${draft.target.name}` : draft.matches.length ? `match ${draft.matches.map((m) => m.name).join("/")}` : "the rule";
      throw new Fail(tok.column, `unknown option "${t}" for ${where}`);
    }
    const key = own(ALIASES, opt) ?? opt;
    if (owner.opts.has(key)) throw new Fail(tok.column, `option "${t}" is given twice`);
    const args = need(cur, tok, MATCH_OPTIONS[owner.name]![opt]!);
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

function parseNumber(text: string, column: number, what: string, max = 0xffffffff): number {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) n = parseInt(text, 8);
  else if (/^\d+$/.test(text)) n = Number(text);
  else throw new Fail(column, `${what} "${text}" is not a number`);
  if (n > max) throw new Fail(column, `${what} "${text}" is out of range (max ${max})`);
  return n;
}

const SERVICES: Record<string, number> = { ssh: 22, domain: 53, http: 80, https: 443, "kubernetes": 6443 };

function parsePort(text: string, column: number): number {
  let n = 0;
  let digits = 0;
  for (; digits < text.length; digits++) {
    const c = text.charCodeAt(digits);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  if (digits === text.length && digits > 0 && digits <= 5 && n <= 65535) return n;
  const service = own(SERVICES, text);
  if (service !== undefined) return service;
  throw new Fail(column, `"${text}" is not a port number (0-65535)`);
}

function parsePortRange(text: string, column: number, sep = ":"): PortRange {
  const parts = text.split(sep);
  if (parts.length > 2) throw new Fail(column, `"${text}" is not a port or port range`);
  const min = parts[0] === "" ? 0 : parsePort(parts[0]!, column);
  const max = parts.length === 1 ? min : parts[1] === "" ? 65535 : parsePort(parts[1]!, column);
  if (min > max) throw new Fail(column, `port range "${text}" runs backwards`);
  return { min, max };
}

const STATES = new Set<string>(CT_STATE_ORDER);

function parseStates(text: string, column: number): ConnState[] {
  const out: ConnState[] = [];
  for (const s of text.split(",")) {
    if (!STATES.has(s)) throw new Fail(column, `unknown connection state "${s}" (expected ${CT_STATE_ORDER.join(", ")})`);
    out.push(s as ConnState);
  }
  return out;
}

/** In the order of their bits in xt_addrtype, which is the order iptables prints them in. */
const ADDR_TYPES: readonly string[] = ["UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"];

/** The flags iptables knows, in the order it prints them; ALL is these six. */
const TCP_FLAGS = ["FIN", "SYN", "RST", "PSH", "ACK", "URG"];

function parseFlags(text: string, column: number): string[] {
  if (text === "NONE") return [];
  if (text === "ALL") return [...TCP_FLAGS];
  const given = text.split(",");
  for (const f of given) if (!TCP_FLAGS.includes(f)) throw new Fail(column, `unknown TCP flag "${f}"`);
  return TCP_FLAGS.filter((f) => given.includes(f));
}

const ICMP_TYPES: Record<string, [number, number, number]> = {
  "echo-reply": [0, 0, 0xff],
  pong: [0, 0, 0xff],
  "destination-unreachable": [3, 0, 0xff],
  "network-unreachable": [3, 0, 0],
  "host-unreachable": [3, 1, 1],
  "protocol-unreachable": [3, 2, 2],
  "port-unreachable": [3, 3, 3],
  "echo-request": [8, 0, 0xff],
  ping: [8, 0, 0xff],
  "time-exceeded": [11, 0, 0xff],
  "ttl-zero-during-transit": [11, 0, 0],
};

const REJECT_WITH = new Set([
  "icmp-net-unreachable",
  "icmp-host-unreachable",
  "icmp-port-unreachable",
  "icmp-proto-unreachable",
  "icmp-net-prohibited",
  "icmp-host-prohibited",
  "icmp-admin-prohibited",
  "tcp-reset",
]);

const REJECT_ALIASES: Record<string, string> = {
  "net-unreach": "icmp-net-unreachable",
  "host-unreach": "icmp-host-unreachable",
  "port-unreach": "icmp-port-unreachable",
  "proto-unreach": "icmp-proto-unreachable",
  "net-prohib": "icmp-net-prohibited",
  "host-prohib": "icmp-host-prohibited",
  "admin-prohib": "icmp-admin-prohibited",
  "tcp-rst": "tcp-reset",
};

function finishMatch(m: MatchDraft, proto: number, protoInvert: boolean): Match {
  switch (m.name) {
    case "comment": {
      const o = m.opts.get("comment");
      if (!o) throw new Fail(m.column, `match comment needs --comment`);
      if (o.invert) throw new Fail(o.column, `"!" cannot negate --comment`);
      if (o.value[0]!.length > 255) throw new Fail(o.column, "a comment must be at most 255 characters");
      return { kind: "comment", comment: o.value[0]! };
    }
    case "tcp":
    case "udp": {
      const want = m.name === "tcp" ? 6 : 17;
      if (proto !== want || protoInvert) throw new Fail(m.column, `match ${m.name} needs "-p ${m.name}" before it`);
      const sp = m.opts.get("sport");
      const dp = m.opts.get("dport");
      const fl = m.opts.get("tcp-flags");
      const syn = m.opts.get("syn");
      if (fl && syn) throw new Fail(syn.column, "--syn and --tcp-flags cannot be combined");
      const sport = sp ? { value: parsePortRange(sp.value[0]!, sp.column), invert: sp.invert } : undefined;
      const dport = dp ? { value: parsePortRange(dp.value[0]!, dp.column), invert: dp.invert } : undefined;
      let tcpFlags;
      if (fl) tcpFlags = { value: { mask: parseFlags(fl.value[0]!, fl.column), comp: parseFlags(fl.value[1]!, fl.column) }, invert: fl.invert };
      if (syn) tcpFlags = { value: { mask: ["FIN", "SYN", "RST", "ACK"], comp: ["SYN"] }, invert: syn.invert };
      return { kind: m.name, ...(sport && { sport }), ...(dport && { dport }), ...(tcpFlags && { tcpFlags }) };
    }
    case "icmp": {
      if (proto !== 1 || protoInvert) throw new Fail(m.column, `match icmp needs "-p icmp" before it`);
      const o = m.opts.get("icmp-type");
      if (!o) return { kind: "icmp", invert: false, type: 0xff, codeMin: 0, codeMax: 0xff };
      const text = o.value[0]!;
      const named = own(ICMP_TYPES, text);
      if (named) return { kind: "icmp", invert: o.invert, type: named[0], codeMin: named[1], codeMax: named[2] };
      const mm = /^(\d+)(?:\/(\d+))?$/.exec(text);
      if (!mm || Number(mm[1]) > 255 || Number(mm[2] ?? 0) > 255) throw new Fail(o.column, `unknown ICMP type "${text}"`);
      const code = mm[2] === undefined ? undefined : Number(mm[2]);
      return { kind: "icmp", invert: o.invert, type: Number(mm[1]), codeMin: code ?? 0, codeMax: code ?? 0xff };
    }
    case "mark": {
      const o = m.opts.get("mark");
      if (!o) throw new Fail(m.column, "match mark needs --mark");
      const [v, mask] = o.value[0]!.split("/");
      return {
        kind: "mark",
        invert: o.invert,
        value: parseNumber(v!, o.column, "mark"),
        mask: mask === undefined ? 0xffffffff : parseNumber(mask, o.column, "mask"),
      };
    }
    case "addrtype": {
      const types = (k: string) => {
        const o = m.opts.get(k);
        if (!o) return undefined;
        const list = o.value[0]!.split(",");
        for (const t of list) if (!ADDR_TYPES.includes(t)) throw new Fail(o.column, `unknown address type "${t}"`);
        // Saved in the kernel's bit order, whatever order they were given in.
        return { value: ADDR_TYPES.filter((t) => list.includes(t)) as AddrType[], invert: o.invert };
      };
      const src = types("src-type");
      const dst = types("dst-type");
      if (!src && !dst) throw new Fail(m.column, "match addrtype needs --src-type or --dst-type");
      const limitIfaceIn = m.opts.get("limit-iface-in") !== undefined;
      const limitIfaceOut = m.opts.get("limit-iface-out") !== undefined;
      if (limitIfaceIn && limitIfaceOut) throw new Fail(m.column, "--limit-iface-in and --limit-iface-out cannot be combined");
      return { kind: "addrtype", ...(src && { src }), ...(dst && { dst }), limitIfaceIn, limitIfaceOut };
    }
    case "statistic": {
      const mode = (m.opts.get("mode")?.value[0] ?? "");
      if (mode === "random") {
        const o = m.opts.get("probability");
        if (!o) throw new Fail(m.column, "--mode random needs --probability");
        if (m.opts.get("every") || m.opts.get("packet")) throw new Fail(m.column, "--every and --packet go with --mode nth");
        const p = Number(o.value[0]);
        if (!/^\d*\.?\d+(e-?\d+)?$/i.test(o.value[0]!) || !(p >= 0 && p <= 1)) throw new Fail(o.column, `probability "${o.value[0]}" must be between 0 and 1`);
        return { kind: "statistic", mode: "random", invert: o.invert, probability: Math.round(p * 0x80000000) };
      }
      if (mode === "nth") {
        const e = m.opts.get("every");
        if (!e) throw new Fail(m.column, "--mode nth needs --every");
        if (m.opts.get("probability")) throw new Fail(m.column, "--probability goes with --mode random");
        const every = parseNumber(e.value[0]!, e.column, "--every");
        if (every === 0) throw new Fail(e.column, "--every must be at least 1");
        const p = m.opts.get("packet");
        if (!p) throw new Fail(e.column, `option "--every" also requires "--packet"`);
        const packet = parseNumber(p.value[0]!, p.column, "--packet");
        if (packet >= every) throw new Fail(p?.column ?? m.column, "--packet must be less than --every");
        return { kind: "statistic", mode: "nth", invert: e.invert, every, packet };
      }
      throw new Fail(m.opts.get("mode")?.column ?? m.column, `match statistic needs --mode random or --mode nth`);
    }
    case "conntrack": {
      const o = m.opts.get("ctstate");
      if (!o) throw new Fail(m.column, "match conntrack needs --ctstate (the only option supported)");
      return { kind: "conntrack", ctstate: { value: parseStates(o.value[0]!, o.column), invert: o.invert } };
    }
    case "state": {
      const o = m.opts.get("state");
      if (!o) throw new Fail(m.column, "match state needs --state");
      return { kind: "state", state: { value: parseStates(o.value[0]!, o.column), invert: o.invert } };
    }
    case "recent": {
      const modes = (["set", "rcheck", "update", "remove"] as const).filter((k) => m.opts.get(k));
      if (modes.length !== 1) throw new Fail(m.column, "match recent needs exactly one of --set, --rcheck, --update, --remove");
      const mode = modes[0]!;
      const modeOpt = m.opts.get(mode)!;
      const secondsOpt = m.opts.get("seconds");
      const hitOpt = m.opts.get("hitcount");
      if ((secondsOpt || hitOpt) && (mode === "set" || mode === "remove")) throw new Fail((secondsOpt ?? hitOpt)!.column, "--seconds and --hitcount go with --rcheck or --update");
      const seconds = secondsOpt ? parseNumber(secondsOpt.value[0]!, secondsOpt.column, "--seconds") : undefined;
      if (seconds === 0) throw new Fail(secondsOpt!.column, "--seconds must be at least 1");
      const reap = m.opts.get("reap") !== undefined;
      if (reap && seconds === undefined) throw new Fail(m.opts.get("reap")!.column, "--reap needs --seconds");
      const hitcount = hitOpt ? parseNumber(hitOpt.value[0]!, hitOpt.column, "--hitcount") : undefined;
      const nameOpt = m.opts.get("name");
      const name = nameOpt?.value[0] ?? "DEFAULT";
      if (name.length === 0 || name.length > 200 || /[/\s]/.test(name)) throw new Fail(nameOpt?.column ?? m.column, `bad --name "${name}"`);
      const maskOpt = m.opts.get("mask");
      let mask = 0xffffffff;
      if (maskOpt) {
        if (!isIpv4(maskOpt.value[0]!)) throw new Fail(maskOpt.column, `--mask "${maskOpt.value[0]}" is not an IPv4 mask`);
        mask = parseIpv4(maskOpt.value[0]!);
      }
      if (m.opts.get("rsource") && m.opts.get("rdest")) throw new Fail(m.column, "--rsource and --rdest cannot be combined");
      if (m.opts.get("rttl")) throw new Fail(m.opts.get("rttl")!.column, "--rttl is not simulated (the TTL is not kept in the recent lists)");
      return {
        kind: "recent",
        invert: modeOpt.invert,
        mode,
        ...(seconds !== undefined && { seconds }),
        reap,
        ...(hitcount !== undefined && { hitcount }),
        rttl: m.opts.get("rttl") !== undefined,
        name,
        mask,
        side: m.opts.get("rdest") ? "dest" : "source",
      };
    }
    case "multiport": {
      const keys = ["sports", "dports", "ports"].filter((k) => m.opts.get(k));
      if (keys.length !== 1) throw new Fail(m.column, "match multiport needs exactly one of --sports, --dports, --ports");
      if (proto !== 6 && proto !== 17 && proto !== 132) throw new Fail(m.column, `match multiport needs "-p tcp" or "-p udp"`);
      const o = m.opts.get(keys[0]!)!;
      const ports = o.value[0]!.split(",").map((p) => parsePortRange(p, o.column));
      const count = ports.reduce((n, p) => n + (p.min === p.max ? 1 : 2), 0);
      if (count > 15) throw new Fail(o.column, "multiport takes at most 15 ports (a range counts as two)");
      return { kind: "multiport", flavor: keys[0] as "sports" | "dports" | "ports", invert: o.invert, ports };
    }
  }
  throw new Fail(m.column, `unsupported match module "${m.name}"`);
}

function parseNatRange(text: string, column: number, what: string): NatRange {
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

function natOnly(t: TargetDraft, table: TableName): void {
  if (table !== "nat") throw new Fail(t.column, `target ${t.name} is only valid in the nat table, not ${table}`);
}

function finishTarget(t: TargetDraft, table: TableName): Target {
  for (const [k, o] of t.opts) if (o.invert) throw new Fail(o.column, `"!" cannot negate target option --${k}`);
  if (t.goto) return { kind: "goto", chain: t.name };
  switch (t.name) {
    case "ACCEPT":
    case "DROP":
    case "RETURN":
      return { kind: t.name };
    case "REJECT": {
      const w = t.opts.get("reject-with")?.value[0] ?? "icmp-port-unreachable";
      const canonical = own(REJECT_ALIASES, w) ?? w;
      if (!REJECT_WITH.has(canonical)) throw new Fail(t.opts.get("reject-with")!.column, `unknown --reject-with type "${w}"`);
      return { kind: "REJECT", rejectWith: canonical };
    }
    case "DNAT": {
      natOnly(t, table);
      const o = t.opts.get("to-destination");
      if (!o) throw new Fail(t.column, "target DNAT needs --to-destination");
      return { kind: "DNAT", range: parseNatRange(o.value[0]!, o.column, "--to-destination"), random: t.opts.has("random"), persistent: t.opts.has("persistent") };
    }
    case "SNAT": {
      natOnly(t, table);
      const o = t.opts.get("to-source");
      if (!o) throw new Fail(t.column, "target SNAT needs --to-source");
      return {
        kind: "SNAT",
        range: parseNatRange(o.value[0]!, o.column, "--to-source"),
        random: t.opts.has("random"),
        randomFully: t.opts.has("random-fully"),
        persistent: t.opts.has("persistent"),
      };
    }
    case "MASQUERADE": {
      natOnly(t, table);
      const o = t.opts.get("to-ports");
      const ports = o ? parsePortRange(o.value[0]!, o.column, "-") : undefined;
      return { kind: "MASQUERADE", ...(ports && { ports }), random: t.opts.has("random"), randomFully: t.opts.has("random-fully") };
    }
    case "MARK": {
      const given = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"].filter((k) => t.opts.has(k));
      if (given.length !== 1) throw new Fail(t.column, "target MARK needs exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark");
      const k = given[0]!;
      const o = t.opts.get(k)!;
      const [vText, mText] = o.value[0]!.split("/");
      const v = parseNumber(vText!, o.column, "mark");
      const mask = mText === undefined ? undefined : parseNumber(mText, o.column, "mask");
      if (mask !== undefined && k !== "set-xmark" && k !== "set-mark") throw new Fail(o.column, `--${k} takes no mask`);
      switch (k) {
        case "set-xmark":
          return { kind: "MARK", value: v, mask: mask ?? 0xffffffff };
        case "set-mark":
          return { kind: "MARK", value: v, mask: ((mask ?? 0xffffffff) | v) >>> 0 };
        case "and-mark":
          return { kind: "MARK", value: 0, mask: ~v >>> 0 };
        case "or-mark":
          return { kind: "MARK", value: v, mask: v };
        default:
          return { kind: "MARK", value: v, mask: 0 };
      }
    }
    case "LOG": {
      const p = t.opts.get("log-prefix");
      const l = t.opts.get("log-level");
      if (p && p.value[0]!.length > 29) throw new Fail(p.column, "--log-prefix must be at most 29 characters");
      const levels = ["emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"];
      let level: number | undefined;
      if (l) {
        const text = l.value[0]!;
        level = /^[0-7]$/.test(text) ? Number(text) : levels.indexOf(text === "panic" ? "emerg" : text === "warn" ? "warning" : text);
        if (level < 0) throw new Fail(l.column, `unknown --log-level "${text}"`);
      }
      return { kind: "LOG", ...(p && { prefix: p.value[0]! }), ...(level !== undefined && { level }) };
    }
  }
  // Anything else must be a user chain; checked at COMMIT when all chains are known.
  if (t.opts.size > 0) throw new Fail(t.column, `target "${t.name}" takes no options`);
  return { kind: "jump", chain: t.name };
}

function finishRule(d: RuleDraft, table: TableName): Rule {
  const matches = d.matches.map((m) => finishMatch(m, d.proto, d.protoInvert));
  const target = d.target ? finishTarget(d.target, table) : ({ kind: "none" } as const);
  const ports = target.kind === "MASQUERADE" ? target.ports : target.kind === "DNAT" || target.kind === "SNAT" ? target.range.ports : undefined;
  if (ports && ((d.proto !== 6 && d.proto !== 17 && d.proto !== 132) || d.protoInvert)) {
    throw new Fail(d.target!.column, `target ${target.kind} with ports needs "-p tcp" or "-p udp" (iptables: Need TCP, UDP, SCTP or DCCP with port specification)`);
  }
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

/** Hooks from which each target may be used (the kernel's checkentry). */
const TARGET_HOOKS: Partial<Record<Target["kind"], readonly string[]>> = {
  DNAT: ["PREROUTING", "OUTPUT"],
  SNAT: ["POSTROUTING", "INPUT"],
  MASQUERADE: ["POSTROUTING"],
  REJECT: ["INPUT", "FORWARD", "OUTPUT"],
};

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
  const visit = (name: string, hook: string, bit: number): TableProblem | undefined => {
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
      const allowed = TARGET_HOOKS[tg.kind];
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
