/**
 * `nft -f` text (and `nft list ruleset` output, which is the same language) → commands, and the
 * commands applied to a ruleset as one transaction: on any error nothing changes. Errors name
 * the line and column and what was wrong; nothing else is thrown out of `applyNft`.
 *
 * Syntax covered: what kube-proxy's nftables mode writes (pkg/proxy/nftables/proxier_test.go's
 * expected dumps, read at kubernetes/kubernetes 030880a5dc5449403c6d1f0aa146a7dc21d6c6dc and
 * 81810de635aa13aa0a32992f6def3aa9d6025ebc, whose base rules agree; that either is 1.37's exact
 * code is not certain), and what `nft list` prints for it and for host firewalls (ct state vmap,
 * icmp types, interface names, nfproto); see print.ts for the kernel-checked output. Not covered:
 * ip6 addresses as values beyond text, xt-compat forms iptables-nft leaves (`meta random & … <`),
 * maps with data other than verdicts and addresses, flowtables, objects, quotas, limits.
 */
import { AddressError, parseIpv4 } from "../addr/ipv4";
import {
  FAMILIES,
  L4PROTO_BY_NAME,
  NFPROTO_BY_NAME,
  ICMP_CODES,
  ICMP_TYPES,
  STD_PRIOS,
  CT_STATE_BITS,
  CT_STATUS_BITS,
  findTable,
  selectorType,
  type BaseChain,
  type DataType,
  type Family,
  type LeftExpr,
  type NatRange,
  type NftChain,
  type NftHook,
  type NftRule,
  type NftRuleset,
  type NftSet,
  type NftTable,
  type RightExpr,
  type Selector,
  type SetElement,
  type Stmt,
  type Value,
  type VerdictVal,
} from "./types";

export interface NftParseError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatNftError(e: NftParseError, source = "input"): string {
  return `${source}:${e.line}:${e.column}: Error: ${e.message}`;
}

/** Budgets: a file larger or slower than these is refused, as a pasted blob could be anything. */
export const MAX_NFT_BYTES = 4_000_000;
export const MAX_NFT_MS = 3_000;

export interface NftBudget {
  /** A clock in milliseconds (the caller's; the engine has none); without one, no time limit. */
  readonly clock?: () => number;
  readonly timeMs?: number;
  /** The most text taken (MAX_NFT_BYTES unless said otherwise). */
  readonly maxBytes?: number;
}

class NftFail extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

type TokKind = "word" | "string" | "{" | "}" | ";" | "," | "nl";
interface Tok {
  readonly kind: TokKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === "\n") {
      out.push({ kind: "nl", text: "\n", line, column: i - lineStart + 1 });
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "\\" && text[i + 1] === "\n") {
      i += 2;
      line++;
      lineStart = i;
      continue;
    }
    if (c === "#") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    const column = i - lineStart + 1;
    if (c === "{" || c === "}" || c === ";" || c === ",") {
      out.push({ kind: c, text: c, line, column });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"' && text[j] !== "\n") j++;
      if (text[j] !== '"') throw new NftFail(line, column, "unterminated string");
      out.push({ kind: "string", text: text.slice(i + 1, j), line, column });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < n && !/[\s{};,"#]/.test(text[j]!)) j++;
    const w = text.slice(i, j);
    if (w.length > 1 && w.endsWith(":")) {
      // `3: drop` is `3 : drop`; `10.0.0.1:80` stays whole.
      out.push({ kind: "word", text: w.slice(0, -1), line, column });
      out.push({ kind: "word", text: ":", line, column: column + w.length - 1 });
    } else out.push({ kind: "word", text: w, line, column });
    i = j;
  }
  out.push({ kind: "nl", text: "", line, column: i - lineStart + 1 });
  return out;
}

/** A parsed command; apply() carries it out on a ruleset. */
type Cmd =
  | { readonly op: "add-table"; readonly at: Tok; readonly family: Family; readonly name: string; readonly comment?: string; readonly create: boolean }
  | { readonly op: "add-chain"; readonly at: Tok; readonly family: Family; readonly table: string; readonly name: string; readonly base?: BaseChain; readonly comment?: string; readonly create: boolean }
  | { readonly op: "add-set"; readonly at: Tok; readonly family: Family; readonly table: string; readonly set: Omit<NftSet, "handle">; readonly create: boolean }
  | { readonly op: "add-rule"; readonly at: Tok; readonly family: Family; readonly table: string; readonly chain: string; readonly stmts: Stmt[]; readonly comment?: string; readonly insert: boolean; readonly replace?: boolean; readonly position?: number; readonly anon: number }
  | { readonly op: "add-element"; readonly at: Tok; readonly family: Family; readonly table: string; readonly set: string; readonly elements: SetElement[]; readonly del: boolean }
  | { readonly op: "flush"; readonly at: Tok; readonly what: "ruleset" | "table" | "chain" | "set"; readonly family?: Family; readonly table?: string; readonly name?: string }
  | { readonly op: "add-counter"; readonly at: Tok; readonly family: Family; readonly table: string; readonly name: string; readonly comment?: string; readonly create: boolean }
  | { readonly op: "delete"; readonly at: Tok; readonly what: "table" | "chain" | "set" | "rule" | "counter"; readonly family: Family; readonly table: string; readonly name?: string; readonly handle?: number };

const HOOKS: readonly NftHook[] = ["prerouting", "input", "forward", "output", "postrouting", "ingress", "egress"];
const VERDICTS = new Set(["accept", "drop", "return", "continue", "jump", "goto"]);
const DATATYPES = new Set<DataType>(["ipv4_addr", "ipv6_addr", "inet_proto", "inet_service", "mark", "ifname", "verdict", "integer", "ether_addr"]);
const SERVICES: Readonly<Record<string, number>> = { ssh: 22, http: 80, https: 443, domain: 53, smtp: 25, ntp: 123 };

class Parser {
  private i = 0;
  private readonly deadline: number;
  private readonly clock: (() => number) | undefined;
  constructor(
    private readonly toks: Tok[],
    budget: NftBudget,
  ) {
    this.clock = budget.clock;
    this.deadline = (this.clock?.() ?? 0) + (budget.timeMs ?? MAX_NFT_MS);
  }

  private peek(o = 0): Tok {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)]!;
  }
  private next(): Tok {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  private fail(t: Tok, msg: string): never {
    throw new NftFail(t.line, t.column, msg);
  }
  private isWord(text?: string, o = 0): boolean {
    const t = this.peek(o);
    return t.kind === "word" && (text === undefined || t.text === text);
  }
  private word(what: string): Tok {
    const t = this.next();
    if (t.kind !== "word" && t.kind !== "string") this.fail(t, `syntax error, expecting ${what}`);
    return t;
  }
  private expectWord(text: string): Tok {
    const t = this.next();
    if (t.kind !== "word" || t.text !== text) this.fail(t, `syntax error, unexpected ${show(t)}, expecting ${text}`);
    return t;
  }
  private expect(kind: TokKind): Tok {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `syntax error, unexpected ${show(t)}, expecting ${kind === "nl" ? "newline" : `'${kind}'`}`);
    return t;
  }
  private atEnd(): boolean {
    const k = this.peek().kind;
    return k === "nl" || k === ";" || k === "}";
  }
  private atEof(): boolean {
    return this.i >= this.toks.length - 1;
  }
  private skipSeps(): void {
    while (!this.atEof() && (this.peek().kind === "nl" || this.peek().kind === ";")) this.next();
  }
  private endOfCommand(): void {
    const t = this.peek();
    if (t.kind === "nl" || t.kind === ";") {
      this.next();
      return;
    }
    if (t.kind === "}") return;
    this.fail(t, `syntax error, unexpected ${show(t)}`);
  }
  private tick(): void {
    if (this.clock && this.clock() > this.deadline) this.fail(this.peek(), "the ruleset takes too long to parse");
  }

  commands(): Cmd[] {
    const out: Cmd[] = [];
    for (;;) {
      this.tick();
      this.skipSeps();
      const t = this.peek();
      if (this.atEof()) break;
      if (t.kind !== "word") this.fail(t, `syntax error, unexpected ${show(t)}`);
      this.command(out);
    }
    return out;
  }

  private family(): Family {
    const t = this.peek();
    if (t.kind === "word" && (FAMILIES as readonly string[]).includes(t.text) && this.peek(1).kind === "word") {
      this.next();
      return t.text as Family;
    }
    return "ip";
  }

  private name(what: string): string {
    const t = this.word(what);
    if (t.kind === "word" && VERDICTS.has(t.text)) this.fail(t, `syntax error, unexpected ${t.text}, expecting string`);
    return t.text;
  }

  private command(out: Cmd[]): void {
    const t = this.next();
    switch (t.text) {
      case "table":
        return this.tableBlock(t, out);
      case "add":
      case "create":
      case "insert":
      case "replace":
        return this.add(t, out);
      case "flush":
        return this.flush(t, out);
      case "delete":
      case "destroy":
        return this.del(t, out);
      default:
        this.fail(t, `syntax error, unexpected ${show(t)}`);
    }
  }

  private add(verb: Tok, out: Cmd[]): void {
    const obj = this.word("table, chain, rule, set, map or element");
    const create = verb.text === "create";
    if (verb.text === "insert" || verb.text === "replace") {
      if (obj.text !== "rule") this.fail(obj, `syntax error, unexpected ${obj.text}, expecting rule`);
    }
    switch (obj.text) {
      case "table": {
        const family = this.family();
        const name = this.name("table name");
        let comment: string | undefined;
        if (this.peek().kind === "{") {
          this.next();
          for (;;) {
            this.skipSeps();
            if (this.peek().kind === "}") break;
            const k = this.word("comment or flags");
            if (k.text === "comment") comment = this.string();
            else if (k.text === "flags") this.flagList();
            else this.fail(k, `syntax error, unexpected ${k.text}`);
          }
          this.expect("}");
        }
        out.push({ op: "add-table", at: obj, family, name, create, ...(comment !== undefined && { comment }) });
        return this.endOfCommand();
      }
      case "chain": {
        const family = this.family();
        const table = this.name("table name");
        const name = this.name("chain name");
        let spec: { base?: BaseChain; comment?: string } = {};
        if (this.peek().kind === "{") {
          this.next();
          spec = this.chainSpec(undefined);
          this.expect("}");
        }
        out.push({ op: "add-chain", at: obj, family, table, name, create, ...spec });
        return this.endOfCommand();
      }
      case "set":
      case "map": {
        const family = this.family();
        const table = this.name("table name");
        const name = this.name("set name");
        this.expect("{");
        const set = this.setSpec(name, obj.text === "map");
        this.expect("}");
        out.push({ op: "add-set", at: obj, family, table, set, create });
        return this.endOfCommand();
      }
      case "rule": {
        const family = this.family();
        const table = this.name("table name");
        const chain = this.name("chain name");
        let position: number | undefined;
        if (this.isWord("position") || this.isWord("handle") || this.isWord("index")) {
          const kw = this.next();
          const n = this.word("number");
          if (!/^\d+$/.test(n.text)) this.fail(n, `syntax error, ${kw.text} needs a number`);
          position = Number(n.text);
        }
        if (verb.text === "replace" && position === undefined) this.fail(this.peek(), "syntax error, replace rule needs a handle");
        const r = this.ruleBody();
        out.push({ op: "add-rule", family, table, chain, insert: verb.text === "insert", ...(verb.text === "replace" && { replace: true }), ...r, ...(position !== undefined && { position }) });
        return this.endOfCommand();
      }
      case "element": {
        const family = this.family();
        const table = this.name("table name");
        const set = this.name("set name");
        const elements = this.elementsBlock(undefined);
        out.push({ op: "add-element", at: obj, family, table, set, elements, del: false });
        return this.endOfCommand();
      }
      case "counter": {
        // A named counter object (kube-proxy adds and deletes some when a feature gate is off).
        const family = this.family();
        const table = this.name("table name");
        const name = this.name("counter name");
        let comment: string | undefined;
        if (this.peek().kind === "{") {
          this.next();
          for (;;) {
            this.skipSeps();
            if (this.peek().kind === "}") break;
            const k = this.word("comment");
            if (k.text === "comment") comment = this.string();
            else this.fail(k, `syntax error, unexpected ${k.text}`);
          }
          this.expect("}");
        }
        out.push({ op: "add-counter", at: obj, family, table, name, create, ...(comment !== undefined && { comment }) });
        return this.endOfCommand();
      }
      default:
        this.fail(obj, `syntax error, unexpected ${show(obj)}`);
    }
  }

  private flush(verb: Tok, out: Cmd[]): void {
    const obj = this.word("ruleset, table, chain, set or map");
    if (obj.text === "ruleset") {
      if (this.isWord() && (FAMILIES as readonly string[]).includes(this.peek().text)) this.next();
      out.push({ op: "flush", at: verb, what: "ruleset" });
      return this.endOfCommand();
    }
    const family = this.family();
    const table = this.name("table name");
    if (obj.text === "table") out.push({ op: "flush", at: verb, what: "table", family, table });
    else if (obj.text === "chain" || obj.text === "set" || obj.text === "map") out.push({ op: "flush", at: verb, what: obj.text === "chain" ? "chain" : "set", family, table, name: this.name("name") });
    else this.fail(obj, `syntax error, unexpected ${show(obj)}`);
    return this.endOfCommand();
  }

  private del(verb: Tok, out: Cmd[]): void {
    const obj = this.word("table, chain, rule, set, map or element");
    const family = this.family();
    const table = this.name("table name");
    switch (obj.text) {
      case "table":
        out.push({ op: "delete", at: verb, what: "table", family, table });
        break;
      case "chain":
        out.push({ op: "delete", at: verb, what: "chain", family, table, name: this.name("chain name") });
        break;
      case "set":
      case "map":
        out.push({ op: "delete", at: verb, what: "set", family, table, name: this.name("set name") });
        break;
      case "counter":
        out.push({ op: "delete", at: verb, what: "counter", family, table, name: this.name("counter name") });
        break;
      case "rule": {
        const name = this.name("chain name");
        this.expectWord("handle");
        const n = this.word("handle");
        if (!/^\d+$/.test(n.text)) this.fail(n, "syntax error, handle needs a number");
        out.push({ op: "delete", at: verb, what: "rule", family, table, name, handle: Number(n.text) });
        break;
      }
      case "element": {
        const set = this.name("set name");
        out.push({ op: "add-element", at: verb, family, table, set, elements: this.elementsBlock(undefined), del: true });
        break;
      }
      default:
        this.fail(obj, `syntax error, unexpected ${show(obj)}`);
    }
    return this.endOfCommand();
  }

  /** `table [family] name { … }`: chains first, then sets, then rules, as nft sends them. */
  private tableBlock(kw: Tok, out: Cmd[]): void {
    const family = this.family();
    const table = this.name("table name");
    this.expect("{");
    let comment: string | undefined;
    const chains: Cmd[] = [];
    const sets: Cmd[] = [];
    const rules: Cmd[] = [];
    for (;;) {
      this.tick();
      this.skipSeps();
      if (this.peek().kind === "}") break;
      const t = this.word("chain, set, map, comment or flags");
      if (t.text === "comment") comment = this.string();
      else if (t.text === "flags") this.flagList();
      else if (t.text === "chain") {
        const name = this.name("chain name");
        this.expect("{");
        const spec = this.chainSpec((r) => rules.push({ op: "add-rule", family, table, chain: name, insert: false, ...r }));
        this.expect("}");
        chains.push({ op: "add-chain", at: t, family, table, name, create: false, ...spec });
      } else if (t.text === "set" || t.text === "map") {
        const name = this.name("set name");
        this.expect("{");
        const set = this.setSpec(name, t.text === "map");
        this.expect("}");
        sets.push({ op: "add-set", at: t, family, table, set, create: false });
      } else this.fail(t, `syntax error, unexpected ${show(t)}`);
      this.endOfCommand();
    }
    this.expect("}");
    out.push({ op: "add-table", at: kw, family, name: table, create: false, ...(comment !== undefined && { comment }) }, ...chains, ...sets, ...rules);
    this.endOfCommand();
  }

  private string(): string {
    const t = this.next();
    if (t.kind !== "string" && t.kind !== "word") this.fail(t, `syntax error, unexpected ${show(t)}, expecting string`);
    return t.text;
  }

  private flagList(): string[] {
    const out = [this.word("flag").text];
    while (this.peek().kind === ",") {
      this.next();
      out.push(this.word("flag").text);
    }
    return out;
  }

  /** The inside of a chain's braces: its type/hook/priority, policy, comment, and (in a block) rules. */
  private chainSpec(onRule: ((r: { at: Tok; stmts: Stmt[]; comment?: string; anon: number }) => void) | undefined): { base?: BaseChain; comment?: string } {
    let base: { type: BaseChain["type"]; hook: NftHook; priority: number; device?: string } | undefined;
    let policy: "accept" | "drop" | undefined;
    let comment: string | undefined;
    for (;;) {
      this.tick();
      this.skipSeps();
      const t = this.peek();
      if (t.kind === "}") break;
      if (this.isWord("type") && !base) {
        this.next();
        const type = this.word("chain type");
        if (type.text !== "filter" && type.text !== "nat" && type.text !== "route") this.fail(type, `unknown chain type ${type.text}`);
        this.expectWord("hook");
        const hook = this.word("hook");
        if (!(HOOKS as readonly string[]).includes(hook.text)) this.fail(hook, `unknown chain hook ${hook.text}`);
        let device: string | undefined;
        if (this.isWord("device")) {
          this.next();
          device = this.string();
        }
        this.expectWord("priority");
        const priority = this.priority(hook.text as NftHook);
        base = { type: type.text, hook: hook.text as NftHook, priority, ...(device !== undefined && { device }) };
      } else if (this.isWord("policy")) {
        this.next();
        const p = this.word("accept or drop");
        if (p.text !== "accept" && p.text !== "drop") this.fail(p, `syntax error, unexpected ${p.text}, expecting accept or drop`);
        policy = p.text;
      } else if (this.isWord("comment") && (this.peek(1).kind === "string" || this.peek(1).kind === "word") && isEnd(this.peek(2))) {
        this.next();
        comment = this.string();
      } else if (onRule) {
        onRule(this.ruleBody());
      } else this.fail(t, `syntax error, unexpected ${show(t)}`);
      this.endOfCommand();
    }
    if (policy && !base) this.fail(this.peek(), "policy is only valid for a base chain");
    return {
      ...(base && { base: { type: base.type, hook: base.hook, priority: base.priority, policy: policy ?? "accept", ...(base.device !== undefined && { device: base.device }) } }),
      ...(comment !== undefined && { comment }),
    };
  }

  /** `-110`, `filter`, `dstnat - 10`, `srcnat + 5`. */
  private priority(hook: NftHook): number {
    const t = this.word("priority");
    let value: number;
    if (/^[+-]?\d+$/.test(t.text)) value = Number(t.text);
    else {
      const m = /^([a-z]+)([+-]\d+)?$/.exec(t.text);
      const std = m && STD_PRIOS.find((p) => p.name === m[1]);
      if (!m || !std) this.fail(t, `'${t.text}' is invalid priority.`);
      if (std.hooks && !std.hooks.includes(hook)) this.fail(t, `'${t.text}' is invalid priority in this context.`);
      value = std.value + (m[2] ? Number(m[2]) : 0);
    }
    if (this.isWord("+") || this.isWord("-")) {
      const sign = this.next().text;
      const n = this.word("number");
      if (!/^\d+$/.test(n.text)) this.fail(n, "syntax error, expecting number");
      value += sign === "+" ? Number(n.text) : -Number(n.text);
    } else if (this.isWord() && /^[+-]\d+$/.test(this.peek().text)) value += Number(this.next().text);
    return value;
  }

  private setSpec(name: string, map: boolean): Omit<NftSet, "handle"> {
    let key: DataType[] | undefined;
    let data: DataType | undefined;
    const flags: string[] = [];
    let timeout: number | undefined;
    let size: number | undefined;
    let comment: string | undefined;
    let counter = false;
    let elements: SetElement[] = [];
    let elementsAt: Tok | undefined;
    for (;;) {
      this.tick();
      this.skipSeps();
      if (this.peek().kind === "}") break;
      const t = this.word("set attribute");
      switch (t.text) {
        case "type": {
          key = [this.datatype()];
          while (this.isWord(".")) {
            this.next();
            key.push(this.datatype());
          }
          if (map) {
            this.expectWord(":");
            data = this.datatype();
          }
          break;
        }
        case "flags":
          for (const f of this.flagList()) {
            if (!["constant", "interval", "timeout", "dynamic"].includes(f)) this.fail(t, `unknown set flag ${f}`);
            if (!flags.includes(f)) flags.push(f);
          }
          break;
        case "timeout":
          timeout = this.duration();
          break;
        case "size": {
          const n = this.word("size");
          if (!/^\d+$/.test(n.text)) this.fail(n, "syntax error, size needs a number");
          size = Number(n.text);
          break;
        }
        case "comment":
          comment = this.string();
          break;
        case "counter":
          counter = true;
          break;
        case "policy":
          this.word("policy");
          break;
        case "elements":
          this.expectWord("=");
          elementsAt = t;
          elements = this.elementsBlock({ key: key ?? [], ...(data && { data }) });
          break;
        default:
          this.fail(t, `syntax error, unexpected ${show(t)}`);
      }
      this.endOfCommand();
    }
    if (!key) this.fail(this.peek(), `set '${name}' needs a type`);
    if (elementsAt && elements.some((e) => e.key.some((v) => v.kind === "range")) && !flags.includes("interval")) {
      this.fail(elementsAt, "You must add 'flags interval' to your set declaration if you want to add prefix elements");
    }
    if (counter) flags.push("counter");
    return {
      name,
      map,
      key,
      ...(data && { data }),
      flags,
      ...(timeout !== undefined && { timeout }),
      ...(size !== undefined && { size }),
      ...(comment !== undefined && { comment }),
      elements,
    };
  }

  private datatype(): DataType {
    const t = this.word("data type");
    if (!DATATYPES.has(t.text as DataType)) this.fail(t, `unknown datatype ${t.text}`);
    return t.text as DataType;
  }

  /** `10800s`, `3h`, `1h30m`, `90s`, in seconds. */
  private duration(): number {
    const t = this.word("time");
    const re = /(\d+)(d|h|m|s|ms)/gy;
    let total = 0;
    let m: RegExpExecArray | null;
    let at = 0;
    while ((m = re.exec(t.text))) {
      const n = Number(m[1]);
      total += m[2] === "d" ? n * 86400 : m[2] === "h" ? n * 3600 : m[2] === "m" ? n * 60 : m[2] === "s" ? n : n / 1000;
      at = re.lastIndex;
    }
    if (at !== t.text.length || at === 0) {
      if (/^\d+$/.test(t.text)) return Number(t.text);
      this.fail(t, `wrong time format ${t.text}`);
    }
    return total;
  }

  /**
   * `{ a, b . c comment "x" : goto y }`: a set's or map's elements. `types` gives the key's
   * field types when the set is known at parse time; otherwise values are kept by their look.
   */
  private elementsBlock(types: { key: readonly DataType[]; data?: DataType } | undefined): SetElement[] {
    this.expect("{");
    const out: SetElement[] = [];
    for (;;) {
      this.tick();
      while (!this.atEof() && this.peek().kind === "nl") this.next();
      if (this.peek().kind === "}" || this.atEof()) break;
      const key: Value[] = [];
      let f = 0;
      key.push(this.value(types?.key[f++]));
      while (this.isWord(".")) {
        this.next();
        key.push(this.value(types?.key[f++]));
      }
      let comment: string | undefined;
      // Element options nft prints; `expires` and `counter` are taken and dropped.
      for (;;) {
        if (this.isWord("comment")) {
          this.next();
          comment = this.string();
        } else if (this.isWord("timeout") || this.isWord("expires")) {
          this.next();
          this.duration();
        } else if (this.isWord("counter")) {
          this.next();
          if (this.isWord("packets")) for (let k = 0; k < 4; k++) this.next();
        } else break;
      }
      let data: Value | VerdictVal | undefined;
      if (this.isWord(":")) {
        this.next();
        if (this.isWord() && VERDICTS.has(this.peek().text) && (!types || types.data === "verdict" || types.data === undefined)) data = this.verdict();
        else data = this.value(types?.data);
      }
      out.push({ key, ...(data && { data }), ...(comment !== undefined && { comment }) });
      while (!this.atEof() && this.peek().kind === "nl") this.next();
      if (this.peek().kind === ",") {
        this.next();
        continue;
      }
      if (this.peek().kind !== "}") this.fail(this.peek(), `syntax error, unexpected ${show(this.peek())}, expecting comma or '}'`);
    }
    this.expect("}");
    return out;
  }

  private verdict(): VerdictVal {
    const t = this.next();
    if (t.text === "jump" || t.text === "goto") return { kind: t.text, chain: this.name("chain name") };
    if (t.text === "accept" || t.text === "drop" || t.text === "return" || t.text === "continue") return { kind: t.text };
    this.fail(t, `syntax error, unexpected ${show(t)}, expecting verdict`);
  }

  /** One field's value, read by its type when known, else by its look. */
  private value(type: DataType | undefined): Value {
    const t = this.next();
    if (t.kind === "string") {
      const wildcard = t.text.endsWith("*");
      return { kind: "str", v: wildcard ? t.text.slice(0, -1) : t.text, ...(wildcard && { wildcard }) };
    }
    if (t.kind !== "word") this.fail(t, `syntax error, unexpected ${show(t)}, expecting value`);
    try {
      return parseValue(t.text, type);
    } catch (e) {
      if (e instanceof AddressError || e instanceof ValueError) this.fail(t, e.message);
      throw e;
    }
  }

  /** A rule's statements up to the end of the line; a trailing `comment "…"` is the rule's. */
  private ruleBody(): { at: Tok; stmts: Stmt[]; comment?: string; anon: number } {
    const at = this.peek();
    const stmts: Stmt[] = [];
    let comment: string | undefined;
    let anon = 0;
    while (!this.atEnd()) {
      this.tick();
      if (this.isWord("comment")) {
        this.next();
        comment = this.string();
        continue;
      }
      const s = this.stmt();
      if ((s.kind === "match" && s.right.kind === "set") || (s.kind === "vmap" && s.map.kind === "set")) anon++;
      stmts.push(s);
    }
    if (stmts.length === 0) this.fail(at, "syntax error, a rule needs a statement");
    return { at, stmts: dropDependencies(stmts), ...(comment !== undefined && { comment }), anon };
  }

  private stmt(): Stmt {
    const t = this.peek();
    if (t.kind !== "word") this.fail(t, `syntax error, unexpected ${show(t)}`);
    switch (t.text) {
      case "accept":
      case "drop":
      case "return":
      case "continue":
      case "jump":
      case "goto":
        return { kind: "verdict", verdict: this.verdict() };
      case "counter": {
        this.next();
        const c = { packets: 0, bytes: 0 };
        if (this.isWord("packets")) {
          this.next();
          c.packets = this.count();
          this.expectWord("bytes");
          c.bytes = this.count();
        }
        return { kind: "counter", counter: c };
      }
      case "notrack":
        this.next();
        return { kind: "notrack" };
      case "log": {
        this.next();
        let prefix: string | undefined;
        let level: string | undefined;
        for (;;) {
          if (this.isWord("prefix")) {
            this.next();
            prefix = this.string();
          } else if (this.isWord("level")) {
            this.next();
            level = this.word("level").text;
          } else break;
        }
        return { kind: "log", ...(prefix !== undefined && { prefix }), ...(level !== undefined && { level }) };
      }
      case "reject":
        return this.reject();
      case "dnat":
      case "snat":
      case "masquerade":
      case "redirect":
        return this.nat();
      case "update":
      case "add": {
        this.next();
        const ref = this.word("@set");
        if (!ref.text.startsWith("@")) this.fail(ref, "syntax error, expecting @set");
        this.expect("{");
        const key = this.left();
        this.expect("}");
        return { kind: "update", set: ref.text.slice(1), key };
      }
      default:
        return this.relational();
    }
  }

  private count(): number {
    const t = this.word("number");
    if (!/^\d+$/.test(t.text)) this.fail(t, "syntax error, expecting number");
    return Number(t.text);
  }

  private reject(): Stmt {
    this.next();
    if (!this.isWord("with")) return { kind: "reject" };
    this.next();
    const t = this.word("icmp, icmpx, icmpv6 or tcp");
    if (t.text === "tcp") {
      this.expectWord("reset");
      return { kind: "reject", with: { type: "tcp reset" } };
    }
    if (t.text !== "icmp" && t.text !== "icmpx" && t.text !== "icmpv6") this.fail(t, `syntax error, unexpected ${t.text}`);
    if (this.isWord("type")) this.next();
    const code = this.word("icmp code").text;
    return { kind: "reject", with: { type: t.text, code } };
  }

  private nat(): Stmt {
    const t = this.next();
    const type = t.text as "dnat" | "snat" | "masquerade" | "redirect";
    let ipFamily = false;
    let range: NatRange | undefined;
    if (this.isWord("ip") && (type === "dnat" || type === "snat")) {
      this.next();
      ipFamily = true;
    }
    // `ip addr . port to A . P` or `… to numgen random mod N map { K : A . P, … }`.
    let concat = false;
    let pick: { mod: number; offset: number; targets: { key: number; ip: number; port: number }[] } | undefined;
    if (this.isWord("addr") && (type === "dnat" || type === "snat")) {
      this.next();
      this.expectWord(".");
      this.expectWord("port");
      concat = true;
    }
    const addrPort = (): { ip: number; port: number } => {
      const a = this.word("address");
      const ip = parseValue(a.text, "ipv4_addr");
      this.expectWord(".");
      const p = this.word("port");
      const port = parseValue(p.text, "inet_service");
      if (ip.kind !== "int") this.fail(a, "syntax error, expecting an address");
      if (port.kind !== "int") this.fail(p, "syntax error, expecting a port");
      return { ip: ip.v, port: port.v };
    };
    if (this.isWord("to")) {
      this.next();
      // nft lists `ip addr . port to numgen …` back as `ip to numgen …`: read both.
      if ((concat || ipFamily) && this.isWord("numgen")) {
        concat = true;
        const at = this.next();
        this.expectWord("random");
        this.expectWord("mod");
        const mod = this.count();
        if (mod === 0) this.fail(at, "numgen modulus must be positive");
        let offset = 0;
        if (this.isWord("offset")) {
          this.next();
          offset = this.count();
        }
        this.expectWord("map");
        this.expect("{");
        const targets: { key: number; ip: number; port: number }[] = [];
        for (;;) {
          this.tick();
          while (!this.atEof() && this.peek().kind === "nl") this.next();
          if (this.peek().kind === "}" || this.atEof()) break;
          const key = this.count();
          this.expectWord(":");
          targets.push({ key, ...addrPort() });
          while (!this.atEof() && this.peek().kind === "nl") this.next();
          if (this.peek().kind === ",") this.next();
          else if (this.peek().kind !== "}") this.fail(this.peek(), `syntax error, unexpected ${show(this.peek())}, expecting comma or '}'`);
        }
        this.expect("}");
        pick = { mod, offset, targets };
      } else if (concat) {
        const t = addrPort();
        range = { minIp: t.ip, maxIp: t.ip, minPort: t.port, maxPort: t.port };
      } else {
        const w = this.word("address");
        range = parseNatTo(w, type, (msg) => this.fail(w, msg));
      }
    } else if (type === "dnat" || type === "snat") this.fail(this.peek(), `syntax error, unexpected ${show(this.peek())}, expecting to`);
    let flags: string[] = [];
    if (this.isWord() && /^(random|fully-random|persistent)$/.test(this.peek().text)) flags = this.flagList();
    return { kind: "nat", type, flags, ...(range && { range }), ...(ipFamily && { ipFamily }), ...(concat && { concat }), ...(pick && { pick }) };
  }

  /** A selector, or a concatenation of them. */
  private left(): Selector[] {
    const out = [this.selector()];
    while (this.isWord(".")) {
      this.next();
      out.push(this.selector());
    }
    return out;
  }

  private selector(): Selector {
    const t = this.next();
    switch (t.text) {
      case "ip":
      case "ip6": {
        const f = this.word("field");
        const ok = t.text === "ip" ? ["saddr", "daddr", "protocol"] : ["saddr", "daddr", "nexthdr"];
        if (!ok.includes(f.text)) this.fail(f, `syntax error, unexpected ${f.text}`);
        return { kind: "payload", proto: t.text, field: f.text as "saddr" };
      }
      case "icmp": {
        const f = this.word("field");
        if (f.text !== "type" && f.text !== "code") this.fail(f, `syntax error, unexpected ${f.text}`);
        return { kind: "payload", proto: "icmp", field: f.text };
      }
      case "th":
      case "tcp":
      case "udp": {
        const f = this.word("field");
        if (f.text !== "sport" && f.text !== "dport") this.fail(f, `syntax error, unexpected ${f.text}`);
        return { kind: "payload", proto: t.text, field: f.text };
      }
      case "meta": {
        const k = this.word("meta key");
        if (!["l4proto", "mark", "iifname", "oifname", "nfproto", "iif", "oif"].includes(k.text)) this.fail(k, `syntax error, unexpected ${k.text}`);
        return { kind: "meta", key: k.text as "mark", bare: false };
      }
      case "mark":
      case "iifname":
      case "oifname":
      case "iif":
      case "oif":
        return { kind: "meta", key: t.text, bare: true };
      case "ct": {
        const k = this.word("ct key");
        if (k.text !== "state" && k.text !== "status" && k.text !== "mark") this.fail(k, `syntax error, unexpected ${k.text}`);
        return { kind: "ct", key: k.text };
      }
      case "fib": {
        const a = this.word("saddr or daddr");
        if (a.text !== "saddr" && a.text !== "daddr") this.fail(a, `syntax error, unexpected ${a.text}`);
        let iface: "iif" | "oif" | undefined;
        if (this.isWord(".")) {
          this.next();
          const i = this.word("iif or oif");
          if (i.text !== "iif" && i.text !== "oif") this.fail(i, `syntax error, unexpected ${i.text}`);
          iface = i.text;
        }
        this.expectWord("type");
        return { kind: "fib", addr: a.text, ...(iface && { iface }) };
      }
      case "numgen": {
        this.expectWord("random");
        this.expectWord("mod");
        const n = this.count();
        if (n === 0) this.fail(t, "numgen modulus must be positive");
        let offset = 0;
        if (this.isWord("offset")) {
          this.next();
          offset = this.count();
        }
        return { kind: "numgen", mod: n, offset };
      }
      default:
        this.fail(t, `syntax error, unexpected ${show(t)}`);
    }
  }

  private relational(): Stmt {
    const at = this.peek();
    const left = this.left();
    const only = left.length === 1 ? left[0]! : undefined;
    if (this.isWord("set")) {
      if (!only || !((only.kind === "meta" && only.key === "mark") || (only.kind === "ct" && only.key === "mark"))) this.fail(at, "only a mark can be set here");
      this.next();
      const ct = only.kind === "ct";
      const v = this.peek();
      if (v.kind === "word" && (v.text === "mark" || v.text === "meta" || v.text === "ct")) {
        this.selector();
        const opT = this.word("operator");
        const op = opT.text === "or" ? "|" : opT.text === "xor" ? "^" : opT.text === "and" ? "&" : opT.text;
        if (op !== "|" && op !== "^" && op !== "&") this.fail(opT, `syntax error, unexpected ${opT.text}`);
        return { kind: "markset", op, value: this.intValue(), ...(ct && { ct }) };
      }
      return { kind: "markset", value: this.intValue(), ...(ct && { ct }) };
    }
    if (this.isWord("vmap")) {
      this.next();
      const m = this.mapRef(left);
      return { kind: "vmap", left, map: m };
    }
    let mask: number | undefined;
    if (this.isWord("&") || this.isWord("and")) {
      this.next();
      mask = this.intValue();
    }
    let op: "==" | "!=" = "==";
    if (this.isWord("!=") || this.isWord("==") || this.isWord("eq") || this.isWord("ne")) {
      const o = this.next().text;
      op = o === "!=" || o === "ne" ? "!=" : "==";
    }
    const right = this.right(left);
    return { kind: "match", left, op, ...(mask !== undefined && { mask }), right };
  }

  private intValue(): number {
    const t = this.word("number");
    const n = /^0x[0-9a-f]+$/i.test(t.text) ? parseInt(t.text, 16) : /^\d+$/.test(t.text) ? Number(t.text) : NaN;
    if (!Number.isFinite(n) || n > 0xffffffff) this.fail(t, `Could not parse number ${t.text}`);
    return n;
  }

  private mapRef(left: LeftExpr): Extract<RightExpr, { kind: "set" | "ref" }> {
    const t = this.peek();
    if (t.kind === "word" && t.text.startsWith("@")) {
      this.next();
      return { kind: "ref", name: t.text.slice(1) };
    }
    if (t.kind === "{") return { kind: "set", elements: this.elementsBlock({ key: left.map(selectorType), data: "verdict" }) };
    this.fail(t, `syntax error, unexpected ${show(t)}, expecting @map or '{'`);
  }

  private right(left: LeftExpr): RightExpr {
    const t = this.peek();
    const types = left.map((s) => typeOfSel(s));
    if (t.kind === "word" && t.text.startsWith("@")) {
      this.next();
      return { kind: "ref", name: t.text.slice(1) };
    }
    if (t.kind === "{") return { kind: "set", elements: this.elementsBlock({ key: types.map((x) => x ?? "ct_state") }) };
    const only = left[0]!;
    if (left.length === 1 && only.kind === "ct" && only.key !== "mark") {
      const bits = only.key === "state" ? CT_STATE_BITS : CT_STATUS_BITS;
      const names = this.flagList();
      for (const n of names) if (!bits.some(([b]) => b === n)) this.fail(t, `Could not parse ct ${only.key} '${n}'`);
      return { kind: "flags", names };
    }
    const values: Value[] = [this.value(types[0])];
    for (let f = 1; f < left.length; f++) {
      this.expectWord(".");
      values.push(this.value(types[f]));
    }
    return { kind: "value", values };
  }
}

function isEnd(t: Tok): boolean {
  return t.kind === "nl" || t.kind === ";" || t.kind === "}";
}

function show(t: Tok): string {
  if (t.kind === "nl") return t.text === "" ? "end of file" : "newline";
  if (t.kind === "string") return `quoted string`;
  return t.kind === "word" ? t.text : `'${t.kind}'`;
}

/** The type a value on the right of a selector is read as; fib reads route types by name. */
function typeOfSel(s: Selector): DataType | undefined {
  if (s.kind === "fib") return undefined;
  return selectorType(s);
}

class ValueError extends Error {}

const FIB_TYPES = new Set(["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit"]);

/** One value by its type (or, without one, by its look: address, number, name). */
export function parseValue(text: string, type: DataType | undefined): Value {
  const num = (s: string): number => {
    if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
    if (/^\d+$/.test(s)) return Number(s);
    throw new ValueError(`Could not parse number ${s}`);
  };
  const t = type ?? guessType(text);
  switch (t) {
    case "ipv4_addr": {
      const slash = text.indexOf("/");
      if (slash >= 0) {
        const ip = parseIpv4(text.slice(0, slash));
        const p = Number(text.slice(slash + 1));
        if (!/^\d+$/.test(text.slice(slash + 1)) || p > 32) throw new ValueError(`Could not parse prefix ${text}`);
        const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
        const lo = (ip & mask) >>> 0;
        return { kind: "range", lo, hi: (lo | (~mask >>> 0)) >>> 0, prefix: p };
      }
      const dash = text.indexOf("-");
      if (dash >= 0) return { kind: "range", lo: parseIpv4(text.slice(0, dash)), hi: parseIpv4(text.slice(dash + 1)) };
      return { kind: "int", v: parseIpv4(text) };
    }
    case "inet_proto": {
      const n = L4PROTO_BY_NAME[text] ?? (/^\d+$/.test(text) ? Number(text) : undefined);
      if (n === undefined || n > 255) throw new ValueError(`Could not parse Internet protocol ${text}`);
      return { kind: "int", v: n };
    }
    case "inet_service": {
      const dash = text.indexOf("-");
      const port = (s: string) => {
        const n = SERVICES[s] ?? (/^\d+$/.test(s) ? Number(s) : NaN);
        if (!(n >= 0 && n <= 65535)) throw new ValueError(`Could not resolve service: ${s}`);
        return n;
      };
      if (dash > 0) return { kind: "range", lo: port(text.slice(0, dash)), hi: port(text.slice(dash + 1)) };
      return { kind: "int", v: port(text) };
    }
    case "ifname":
      return text.endsWith("*") ? { kind: "str", v: text.slice(0, -1), wildcard: true } : { kind: "str", v: text };
    case "ipv6_addr":
    case "ether_addr":
      return { kind: "str", v: text };
    case "icmp_type":
    case "icmp_code": {
      const names = t === "icmp_type" ? ICMP_TYPES : ICMP_CODES;
      const byName = Object.entries(names).find(([, n]) => n === text);
      const n = byName ? Number(byName[0]) : /^\d+$/.test(text) ? Number(text) : undefined;
      if (n === undefined || n > 255) throw new ValueError(`Could not parse ICMP ${t === "icmp_type" ? "type" : "code"} ${text}`);
      return { kind: "int", v: n };
    }
    case "nf_proto": {
      const n = NFPROTO_BY_NAME[text] ?? (/^\d+$/.test(text) ? Number(text) : undefined);
      if (n === undefined || n > 255) throw new ValueError(`Could not parse netfilter protocol ${text}`);
      return { kind: "int", v: n };
    }
    case "iface_index":
      return { kind: "str", v: text };
    case "ct_state":
      if (!CT_STATE_BITS.some(([n]) => n === text) && !CT_STATUS_BITS.some(([n]) => n === text)) throw new ValueError(`Could not parse ct state ${text}`);
      return { kind: "str", v: text };
    default: {
      if (FIB_TYPES.has(text)) return { kind: "str", v: text };
      const dash = text.indexOf("-", 1);
      if (dash > 0) return { kind: "range", lo: num(text.slice(0, dash)), hi: num(text.slice(dash + 1)) };
      const v = num(text);
      if (v > 0xffffffff) throw new ValueError(`Value ${text} exceeds valid range`);
      return { kind: "int", v };
    }
  }
}

function guessType(text: string): DataType | undefined {
  if (/^\d+\.\d+\.\d+\.\d+/.test(text)) return "ipv4_addr";
  if (L4PROTO_BY_NAME[text] !== undefined) return "inet_proto";
  if (text.includes(":")) return "ipv6_addr";
  return undefined;
}

/** `10.0.0.1`, `10.0.0.1:80`, `10.0.0.1-10.0.0.9:80-90`, `:8080` (masquerade/redirect). */
function parseNatTo(w: Tok, type: string, fail: (msg: string) => never): NatRange {
  const text = w.text;
  const colon = text.indexOf(":");
  const addr = colon >= 0 ? text.slice(0, colon) : text;
  const ports = colon >= 0 ? text.slice(colon + 1) : undefined;
  const out: { minIp?: number; maxIp?: number; minPort?: number; maxPort?: number } = {};
  try {
    if (addr !== "") {
      if (type === "masquerade" || type === "redirect") fail(`syntax error, ${type} takes only ports`);
      const v = parseValue(addr, "ipv4_addr");
      if (v.kind === "int") out.minIp = out.maxIp = v.v;
      else if (v.kind === "range") {
        out.minIp = v.lo;
        out.maxIp = v.hi;
      }
    } else if (type === "dnat" || type === "snat") fail("syntax error, expecting address");
    if (ports !== undefined) {
      const v = parseValue(ports, "inet_service");
      if (v.kind === "int") out.minPort = out.maxPort = v.v;
      else if (v.kind === "range") {
        out.minPort = v.lo;
        out.maxPort = v.hi;
      }
    }
  } catch (e) {
    if (e instanceof AddressError || e instanceof ValueError) fail(e.message);
    throw e;
  }
  return out;
}

/** nft lists `meta l4proto udp udp dport 53` as `udp dport 53`: the protocol match was implied. */
function dropDependencies(stmts: Stmt[]): Stmt[] {
  return stmts.filter((s, i) => {
    if (s.kind !== "match" || s.op !== "==" || s.mask !== undefined || s.left.length !== 1 || s.right.kind !== "value") return true;
    const sel = s.left[0]!;
    const isProto = (sel.kind === "meta" && sel.key === "l4proto") || (sel.kind === "payload" && sel.proto === "ip" && sel.field === "protocol");
    if (!isProto) return true;
    const v = s.right.values[0]!;
    if (v.kind !== "int" || (v.v !== 6 && v.v !== 17 && v.v !== 1)) return true;
    const name = v.v === 6 ? "tcp" : v.v === 17 ? "udp" : "icmp";
    const next = stmts[i + 1];
    return !(next && next.kind === "match" && next.left.length === 1 && next.left[0]!.kind === "payload" && next.left[0]!.proto === name);
  });
}

// ---------------------------------------------------------------------------------------------
// Applying commands

function copyRuleset(rs: NftRuleset): NftRuleset {
  return {
    lastTableHandle: rs.lastTableHandle,
    registrations: rs.registrations,
    tables: rs.tables.map((t) => ({
      ...t,
      sets: new Map([...t.sets].map(([k, s]) => [k, { ...s, flags: [...s.flags], elements: [...s.elements] }])),
      chains: new Map([...t.chains].map(([k, c]) => [k, { ...c, rules: [...c.rules] }])),
      ...(t.counters && { counters: new Map([...t.counters].map(([k, o]) => [k, { ...o }])) }),
    })),
  };
}

function commit(into: NftRuleset, from: NftRuleset): void {
  into.tables.splice(0, into.tables.length, ...from.tables);
  into.lastTableHandle = from.lastTableHandle;
  into.registrations = from.registrations;
  into.generation = (into.generation ?? 0) + 1;
}

const FAMILY_OK_HOOKS: Readonly<Record<string, readonly NftHook[]>> = {
  ip: ["prerouting", "input", "forward", "output", "postrouting"],
  ip6: ["prerouting", "input", "forward", "output", "postrouting"],
  inet: ["prerouting", "input", "forward", "output", "postrouting", "ingress"],
};

/**
 * Parses `text` and applies it to `rs` as one transaction (nft -f): on an error `rs` is left as
 * it was and the error says where.
 */
export function applyNft(rs: NftRuleset, text: string, budget: NftBudget = {}): { ok: true } | { ok: false; error: NftParseError } {
  const maxBytes = budget.maxBytes ?? MAX_NFT_BYTES;
  if (text.length > maxBytes) return { ok: false, error: { line: 1, column: 1, message: `the ruleset is larger than ${maxBytes} bytes` } };
  try {
    const cmds = new Parser(lex(text), budget).commands();
    const work = copyRuleset(rs);
    for (const c of cmds) apply(work, c);
    commit(rs, work);
    return { ok: true };
  } catch (e) {
    if (e instanceof NftFail) return { ok: false, error: { line: e.line, column: e.column, message: e.message } };
    throw e;
  }
}

/**
 * Like applyNft, for text the engine itself wrote: an error is an engine bug. Its size follows
 * from a validated scenario (kube-proxy's rules for up to LIMITS.services services run to tens of
 * megabytes), so the byte budget meant for typed or pasted input does not apply.
 */
export function loadNft(rs: NftRuleset, text: string, source = "nft"): void {
  const r = applyNft(rs, text, { maxBytes: Infinity });
  if (!r.ok) throw new Error(formatNftError(r.error, source));
}

function needTable(rs: NftRuleset, c: { at: Tok; family: Family; table: string }): NftTable {
  const t = findTable(rs, c.family, c.table);
  if (!t) throw new NftFail(c.at.line, c.at.column, `Could not process rule: No such file or directory (table ${c.family} ${c.table})`);
  return t;
}

function apply(rs: NftRuleset, c: Cmd): void {
  const fail: (msg: string) => never = (msg) => {
    throw new NftFail(c.at.line, c.at.column, msg);
  };
  switch (c.op) {
    case "add-table": {
      const t = findTable(rs, c.family, c.name);
      if (t) {
        if (c.create) fail("Could not process rule: File exists");
        if (c.comment !== undefined) t.comment = c.comment;
        return;
      }
      rs.tables.push({ family: c.family, name: c.name, handle: ++rs.lastTableHandle, sets: new Map(), chains: new Map(), lastHandle: 0, ...(c.comment !== undefined && { comment: c.comment }) });
      return;
    }
    case "add-chain": {
      const t = needTable(rs, c);
      const had = t.chains.get(c.name);
      if (c.base) {
        const ok = FAMILY_OK_HOOKS[c.family];
        if (ok && !ok.includes(c.base.hook)) fail(`Could not process rule: Operation not supported (hook ${c.base.hook} in family ${c.family})`);
        if (c.base.type === "nat" && c.base.hook === "forward") fail("Could not process rule: Operation not supported (nat chains have no forward hook)");
      }
      if (had) {
        if (c.create) fail("Could not process rule: File exists");
        if (c.base && !had.base) fail("Could not process rule: Operation not supported (a regular chain cannot become a base chain)");
        if (c.base && had.base) had.base = { ...had.base, policy: c.base.policy };
        if (c.comment !== undefined) had.comment = c.comment;
        return;
      }
      const chain: NftChain = { name: c.name, handle: ++t.lastHandle, rules: [], ...(c.base && { base: c.base, registered: ++rs.registrations }), ...(c.comment !== undefined && { comment: c.comment }) };
      t.chains.set(c.name, chain);
      return;
    }
    case "add-counter": {
      const t = needTable(rs, c);
      t.counters ??= new Map();
      if (t.counters.has(c.name)) {
        if (c.create) fail("Could not process rule: File exists");
        return;
      }
      t.counters.set(c.name, { name: c.name, handle: ++t.lastHandle, packets: 0, bytes: 0, ...(c.comment !== undefined && { comment: c.comment }) });
      return;
    }
    case "add-set": {
      const t = needTable(rs, c);
      const had = t.sets.get(c.set.name);
      if (had) {
        if (c.create) fail("Could not process rule: File exists");
        had.elements = mergeElements(had, c.set.elements, fail);
        return;
      }
      const dynamic = c.set.flags.includes("dynamic");
      const set: NftSet = { ...c.set, elements: [], handle: ++t.lastHandle, ...(dynamic && c.set.size === undefined && { size: 65535 }) };
      set.elements = mergeElements(set, c.set.elements, fail);
      t.sets.set(c.set.name, set);
      return;
    }
    case "add-element": {
      const t = needTable(rs, c);
      const set = t.sets.get(c.set);
      if (!set) fail(`Could not process rule: No such file or directory (set ${c.set})`);
      const elements = c.elements.map((e) => retype(e, set, fail));
      if (c.del) {
        for (const e of elements) {
          const i = set.elements.findIndex((x) => sameKey(x.key, e.key));
          if (i < 0) fail("Could not process rule: No such file or directory (element)");
          KEYS.delete(set.elements);
          set.elements.splice(i, 1);
        }
        return;
      }
      if (!set.flags.includes("interval") && elements.some((e) => e.key.some((v) => v.kind === "range" && !(set.key.length > 1)))) {
        fail("You must add 'flags interval' to your set declaration if you want to add prefix elements");
      }
      set.elements = mergeElements(set, elements, fail);
      return;
    }
    case "add-rule": {
      const t = needTable(rs, c);
      const chain = t.chains.get(c.chain);
      if (!chain) fail(`Could not process rule: No such file or directory (chain ${c.chain})`);
      for (const s of c.stmts) checkStmt(t, chain, s, fail);
      // An anonymous set of one element is its value; others take a handle before the rule.
      const stmts = c.stmts.map(simplifyAnon);
      for (const s of stmts) if ((s.kind === "match" && s.right.kind === "set") || (s.kind === "vmap" && s.map.kind === "set")) t.lastHandle++;
      if (c.replace) {
        // replace keeps the rule's handle and place.
        const i = chain.rules.findIndex((r) => r.handle === c.position);
        if (i < 0) fail(`Could not process rule: No such file or directory (handle ${c.position})`);
        chain.rules[i] = { handle: c.position!, stmts, ...(c.comment !== undefined && { comment: c.comment }) };
        return;
      }
      const rule: NftRule = { handle: ++t.lastHandle, stmts, ...(c.comment !== undefined && { comment: c.comment }) };
      if (c.position !== undefined) {
        const i = chain.rules.findIndex((r) => r.handle === c.position);
        if (i < 0) fail(`Could not process rule: No such file or directory (handle ${c.position})`);
        chain.rules.splice(c.insert ? i : i + 1, 0, rule);
      } else if (c.insert) chain.rules.unshift(rule);
      else chain.rules.push(rule);
      return;
    }
    case "flush": {
      if (c.what === "ruleset") {
        rs.tables.splice(0);
        return;
      }
      const t = needTable(rs, { at: c.at, family: c.family!, table: c.table! });
      if (c.what === "table") {
        // The kernel flushes the chains' rules only: sets keep their elements.
        for (const ch of t.chains.values()) ch.rules = [];
      } else if (c.what === "chain") {
        const ch = t.chains.get(c.name!);
        if (!ch) fail(`Could not process rule: No such file or directory (chain ${c.name})`);
        ch.rules = [];
      } else {
        const s = t.sets.get(c.name!);
        if (!s) fail(`Could not process rule: No such file or directory (set ${c.name})`);
        s.elements = [];
      }
      return;
    }
    case "delete": {
      const t = needTable(rs, c);
      if (c.what === "table") {
        rs.tables.splice(rs.tables.indexOf(t), 1);
      } else if (c.what === "chain") {
        const ch = t.chains.get(c.name!);
        if (!ch) fail(`Could not process rule: No such file or directory (chain ${c.name})`);
        if (ch.rules.length > 0 || referenced(t, c.name!)) fail("Could not process rule: Device or resource busy");
        t.chains.delete(c.name!);
      } else if (c.what === "set") {
        if (!t.sets.delete(c.name!)) fail(`Could not process rule: No such file or directory (set ${c.name})`);
      } else if (c.what === "counter") {
        if (!t.counters?.delete(c.name!)) fail(`Could not process rule: No such file or directory (counter ${c.name})`);
      } else {
        const ch = t.chains.get(c.name!);
        const i = ch ? ch.rules.findIndex((r) => r.handle === c.handle) : -1;
        if (!ch || i < 0) fail("Could not process rule: No such file or directory");
        ch.rules.splice(i, 1);
      }
      return;
    }
  }
}

function referenced(t: NftTable, chain: string): boolean {
  const hit = (v: VerdictVal | Value | undefined) => v !== undefined && "chain" in v && v.chain === chain;
  for (const c of t.chains.values()) {
    for (const r of c.rules) {
      for (const s of r.stmts) {
        if (s.kind === "verdict" && s.verdict.chain === chain) return true;
        if (s.kind === "vmap" && s.map.kind === "set" && s.map.elements.some((e) => hit(e.data))) return true;
      }
    }
  }
  for (const s of t.sets.values()) if (s.elements.some((e) => hit(e.data))) return true;
  return false;
}

function checkStmt(t: NftTable, chain: NftChain, s: Stmt, fail: (m: string) => never): void {
  const chainOk = (name: string | undefined) => {
    if (name !== undefined && !t.chains.has(name)) fail(`Could not process rule: No such file or directory (chain ${name})`);
  };
  if (s.kind === "verdict") chainOk(s.verdict.chain);
  if (s.kind === "vmap" && s.map.kind === "set") for (const e of s.map.elements) if (e.data && "chain" in e.data) chainOk(e.data.chain);
  const refName = s.kind === "match" && s.right.kind === "ref" ? s.right.name : s.kind === "vmap" && s.map.kind === "ref" ? s.map.name : s.kind === "update" ? s.set : undefined;
  if (refName !== undefined) {
    const set = t.sets.get(refName);
    if (!set) fail(`Could not process rule: No such file or directory (set ${refName})`);
    if (s.kind === "vmap" && (!set.map || set.data !== "verdict")) fail(`Could not process rule: ${refName} is not a verdict map`);
  }
  if (s.kind === "nat" && (!chain.base || chain.base.type !== "nat")) {
    // The kernel refuses NAT outside a nat chain only when the rule sits in a base chain of another type.
    if (chain.base) fail("Could not process rule: Operation not supported (NAT needs a nat chain)");
  }
}

function simplifyAnon(s: Stmt): Stmt {
  if (s.kind === "match" && s.right.kind === "set" && s.left.length === 1 && s.left[0]!.kind !== "ct") {
    const elements = withoutCovered(s.right.elements);
    if (elements.length === 1) return { ...s, right: { kind: "value", values: elements[0]!.key } };
    if (elements.length !== s.right.elements.length) return { ...s, right: { kind: "set", elements } };
  }
  return s;
}

/**
 * An anonymous interval set keeps no element that another of its ranges holds: `{ 10.240.0.0/24,
 * 203.0.113.0/24, 203.0.113.80 }` lists as `{ 10.240.0.0/24, 203.0.113.0/24 }` (nft 1.0.6 merged it
 * so in a namespace). Only single-field keys with a range among them are touched.
 */
function withoutCovered(elements: readonly SetElement[]): readonly SetElement[] {
  const ranges = elements.flatMap((e) => (e.key.length === 1 && e.key[0]!.kind === "range" ? [e.key[0]!] : []));
  if (ranges.length === 0) return elements;
  const span = (e: SetElement): [number, number] | undefined => {
    const v = e.key[0];
    if (e.key.length !== 1 || !v) return undefined;
    return v.kind === "range" ? [v.lo, v.hi] : v.kind === "int" ? [v.v, v.v] : undefined;
  };
  return elements.filter((e) => {
    const me = span(e);
    if (!me) return true;
    return !ranges.some((r) => r !== e.key[0] && r.kind === "range" && r.lo <= me[0] && me[1] <= r.hi && !(r.lo === me[0] && r.hi === me[1]));
  });
}

/** An element written before its set's type was known: read again by the set's key types. */
function retype(e: SetElement, set: NftSet, fail: (m: string) => never): SetElement {
  if (e.key.length !== set.key.length) fail(`Could not process rule: element has ${e.key.length} fields, set ${set.name} has ${set.key.length}`);
  const key = e.key.map((v, i) => reread(v, set.key[i]!, fail));
  let data = e.data;
  if (set.map) {
    if (!data) fail(`Could not process rule: map ${set.name} needs a value for each element`);
    if (set.data !== "verdict" && "kind" in data && data.kind !== "int" && data.kind !== "range" && data.kind !== "str") fail(`Could not process rule: map ${set.name} holds ${set.data}, not verdicts`);
    if (set.data !== "verdict" && set.data !== undefined && !("chain" in data) && (data.kind === "int" || data.kind === "range" || data.kind === "str")) data = reread(data, set.data, fail);
  }
  return { key, ...(data && { data }), ...(e.comment !== undefined && { comment: e.comment }) };
}

/** A value parsed by its look, read again as `type` (a number typed without context). */
function reread(v: Value, type: DataType, fail: (m: string) => never): Value {
  if (v.kind === "str") {
    if (type === "ifname" || type === "iface_index" || type === "ipv6_addr" || type === "ether_addr" || type === "integer") return v;
    try {
      return parseValue(v.v, type);
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
  }
  if (type === "inet_proto" && v.kind === "int" && v.v > 255) fail(`Could not parse Internet protocol ${v.v}`);
  return v;
}

function valueText(v: Value): string {
  return v.kind === "int" ? `i${v.v}` : v.kind === "range" ? `r${v.lo}-${v.hi}` : `s${v.v}${v.wildcard ? "*" : ""}`;
}

function keyOf(key: readonly Value[]): string {
  return key.map(valueText).join(" ");
}

function sameKey(a: readonly Value[], b: readonly Value[]): boolean {
  return keyOf(a) === keyOf(b);
}

/** Adds elements, an existing key keeping its place (nft add element on one that exists is a no-op). */
/**
 * The keys of an element array as mergeElements last left it, so that kube-proxy's thousands of
 * one-element `add element` commands cost one lookup each, not a pass over the set. Valid while the
 * array's length is what it was (a delete drops the entry; a rebuilt array has none).
 */
const KEYS = new WeakMap<SetElement[], { keys: Set<string>; length: number }>();

/** Adds elements not yet in the set, in place on the set's array (the transaction's own copy). */
function mergeElements(set: NftSet, add: readonly SetElement[], fail: (m: string) => never): SetElement[] {
  const out = set.elements as SetElement[];
  let known = KEYS.get(out);
  if (!known || known.length !== out.length) {
    known = { keys: new Set(out.map((e) => keyOf(e.key))), length: out.length };
    KEYS.set(out, known);
  }
  const seen = known.keys;
  for (const e of add) {
    const r = retype(e, set, fail);
    const k = keyOf(r.key);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  }
  known.length = out.length;
  return out;
}
