/**
 * One base chain of an nftables table, walked for one packet as nft_do_chain does it: each
 * rule's statements in order; a match or a lookup that fails ends the rule (NFT_BREAK) and the
 * next rule runs; `jump` pushes a return point (16 deep at most, NFT_JUMP_STACK_SIZE), `goto`
 * does not; `return` or the end of a chain pops, and the end of the base chain applies its
 * policy; `continue` ends the rule. A NAT statement sets up the binding and accepts (nft_nat);
 * the caller carries it out (walk/hooks.ts), as it does for iptables' NAT targets.
 */
import type { Packet } from "../packet/packet";
import { PROTO_NUMBER } from "../packet/packet";
import type { AddrType, ConnState } from "../netfilter/types";
import type { Rng } from "../rng";
import { CT_STATE_BITS, CT_STATUS_BITS, type NftChain, type NftHook, type NftRule, type NftSet, type NftTable, type RightExpr, type Selector, type SetElement, type Stmt, type Value, type VerdictVal } from "./types";

/** What nft expressions may read besides the packet (mirrors netfilter/walk.ts's MatchContext). */
export interface NftContext {
  readonly hook: NftHook;
  readonly inIface?: string;
  readonly outIface?: string;
  /** The skb mark; `meta mark set` changes it. */
  mark: number;
  /** The packet's conntrack state; undefined when it has no conntrack (ct state reads invalid). */
  readonly ctState?: ConnState;
  readonly ctSnat?: boolean;
  readonly ctDnat?: boolean;
  /** Whether the packet is tracked at all (ct status needs a connection). */
  readonly tracked?: boolean;
  addrType(ip: number, iface?: string): AddrType;
  readonly rng: Rng;
  /** Set by `notrack`. */
  notrack?: boolean;
}

export interface NftMatched {
  readonly table: NftTable;
  readonly chain: NftChain;
  /** 1-based position in its chain. */
  readonly index: number;
  readonly rule: NftRule;
  /** The verdict the rule gave, when it gave one (a vmap's choice included). */
  readonly verdict?: VerdictVal;
}

export type NftStmtOf<K extends Stmt["kind"]> = Extract<Stmt, { kind: K }>;

export type NftVerdict =
  | { readonly kind: "accept"; readonly by: NftMatched | "policy"; readonly chain: string }
  | { readonly kind: "drop"; readonly by: NftMatched | "policy"; readonly chain: string; readonly reject?: NftStmtOf<"reject"> }
  | { readonly kind: "nat"; readonly by: NftMatched; readonly nat: NftStmtOf<"nat"> };

const JUMP_STACK = 16;

const CT_BIT: Readonly<Record<string, number>> = Object.fromEntries([...CT_STATE_BITS, ...CT_STATUS_BITS.map(([n, b]) => [`status:${n}`, b] as const)]);

function stateBit(s: ConnState | undefined): number {
  switch (s) {
    case "NEW":
      return 8;
    case "ESTABLISHED":
      return 2;
    case "RELATED":
      return 4;
    case "UNTRACKED":
      return 64;
    default:
      return 1;
  }
}

type Read = number | string | undefined;

function read(sel: Selector, p: Packet, ctx: NftContext): Read {
  const proto = PROTO_NUMBER[p.proto];
  switch (sel.kind) {
    case "payload":
      switch (sel.proto) {
        case "ip":
          return sel.field === "saddr" ? p.src : sel.field === "daddr" ? p.dst : proto;
        case "ip6":
          return undefined;
        case "th":
          if (p.proto === "icmp") return undefined;
          return sel.field === "sport" ? p.sport : p.dport;
        case "tcp":
        case "udp":
          if (p.proto !== sel.proto) return undefined;
          return sel.field === "sport" ? p.sport : p.dport;
        case "icmp":
          if (p.proto !== "icmp" || !p.icmp) return undefined;
          return sel.field === "type" ? p.icmp.type : p.icmp.code;
      }
      return undefined;
    case "meta":
      switch (sel.key) {
        case "l4proto":
          return proto;
        case "nfproto":
          return 2;
        case "mark":
          return ctx.mark;
        case "iifname":
          return ctx.inIface ?? "";
        case "oifname":
          return ctx.outIface ?? "";
        case "iif":
          return ctx.inIface;
        case "oif":
          return ctx.outIface;
      }
      return undefined;
    case "ct":
      if (sel.key === "state") return ctx.tracked || ctx.ctState ? stateBit(ctx.ctState) : 1;
      if (sel.key === "status") {
        if (!ctx.tracked) return undefined;
        return (ctx.ctSnat ? 16 : 0) | (ctx.ctDnat ? 32 : 0) | 8;
      }
      return undefined;
    case "fib": {
      const ip = sel.addr === "saddr" ? p.src : p.dst;
      const iface = sel.iface === "iif" ? ctx.inIface : sel.iface === "oif" ? ctx.outIface : undefined;
      return ctx.addrType(ip, iface).toLowerCase();
    }
    case "numgen":
      // nft_ng_random: reciprocal_scale(prandom, modulus) + offset.
      return Math.floor((ctx.rng.nextU32() * sel.mod) / 0x1_0000_0000) + sel.offset;
  }
}

function valueHas(v: Value, x: Read): boolean {
  if (x === undefined) return false;
  switch (v.kind) {
    case "int":
      return x === v.v;
    case "range":
      return typeof x === "number" && x >= v.lo && x <= v.hi;
    case "str":
      // A ct state/status name against the packet's state bits.
      if (typeof x === "number") return (x & (CT_BIT[v.v] ?? CT_BIT[`status:${v.v}`] ?? 0)) !== 0;
      return v.wildcard ? x.startsWith(v.v) : x === v.v;
  }
}

function elementHas(e: SetElement, key: readonly Read[]): boolean {
  return e.key.length === key.length && e.key.every((v, i) => valueHas(v, key[i]));
}

/**
 * An exact-match index of a set's elements, for sets whose keys are all single values (kube-proxy's
 * service-ips map of a large cluster): a lookup costs one Map probe instead of a scan. Rebuilt
 * when the array changes length or is replaced; sets with ranges, wildcards or timeouts are scanned.
 */
interface SetIndex {
  readonly len: number;
  readonly first: SetElement | undefined;
  readonly map: Map<string, SetElement> | undefined;
}
const INDEXES = new WeakMap<readonly SetElement[], SetIndex>();
const INDEX_MIN = 16;

function keyText(key: readonly (number | string)[]): string {
  return key.join("\u0001");
}

function indexOf(elements: readonly SetElement[]): Map<string, SetElement> | undefined {
  if (elements.length < INDEX_MIN) return undefined;
  const had = INDEXES.get(elements);
  if (had && had.len === elements.length && had.first === elements[0]) return had.map;
  let map: Map<string, SetElement> | undefined = new Map();
  for (const e of elements) {
    if (e.expires !== undefined || e.key.some((v) => v.kind === "range" || (v.kind === "str" && v.wildcard))) {
      map = undefined;
      break;
    }
    const k = keyText(e.key.map((v) => (v.kind === "int" ? v.v : (v as { v: string }).v)));
    if (!map.has(k)) map.set(k, e);
  }
  INDEXES.set(elements, { len: elements.length, first: elements[0], map });
  return map;
}

function lookup(elements: readonly SetElement[], key: readonly Read[], now?: number): SetElement | undefined {
  const ix = indexOf(elements);
  if (ix) return ix.get(keyText(key as (number | string)[]));
  for (const e of elements) if (elementHas(e, key) && (e.expires === undefined || now === undefined || e.expires > now)) return e;
  return undefined;
}

function setOf(table: NftTable, r: Extract<RightExpr, { kind: "set" | "ref" }>): readonly SetElement[] {
  return r.kind === "set" ? r.elements : (table.sets.get(r.name)?.elements ?? []);
}

function matches(table: NftTable, s: NftStmtOf<"match">, p: Packet, ctx: NftContext, now: number | undefined): boolean {
  let key = s.left.map((sel) => read(sel, p, ctx));
  if (key.some((k) => k === undefined)) return false;
  if (s.mask !== undefined) key = key.map((k) => (typeof k === "number" ? (k & s.mask!) >>> 0 : k));
  const r = s.right;
  let hit: boolean;
  switch (r.kind) {
    case "value":
      hit = r.values.every((v, i) => valueHas(v, key[i]));
      break;
    case "flags": {
      const sel = s.left[0]!;
      const prefix = sel.kind === "ct" && sel.key === "status" ? "status:" : "";
      const mask = r.names.reduce((m, n) => m | (CT_BIT[prefix + n] ?? 0), 0);
      hit = ((key[0] as number) & mask) !== 0;
      break;
    }
    case "set":
    case "ref": {
      const sel = s.left[0]!;
      if (s.left.length === 1 && sel.kind === "ct" && sel.key !== "mark") {
        const prefix = sel.key === "status" ? "status:" : "";
        hit = setOf(table, r).some((e) => e.key[0]?.kind === "str" && ((key[0] as number) & (CT_BIT[prefix + e.key[0].v] ?? 0)) !== 0);
      } else hit = lookup(setOf(table, r), key, now) !== undefined;
      break;
    }
  }
  return hit === (s.op === "==");
}

function isVerdictData(d: unknown): d is VerdictVal {
  return typeof d === "object" && d !== null && ["accept", "drop", "return", "continue", "jump", "goto"].includes((d as { kind: string }).kind);
}

interface Frame {
  readonly chain: NftChain;
  readonly next: number;
}

/** What one rule asks for once its statements ran. */
type RuleEnd = { readonly kind: "break" } | { readonly kind: "next" } | { readonly kind: "verdict"; readonly v: VerdictVal } | { readonly kind: "reject"; readonly s: NftStmtOf<"reject"> } | { readonly kind: "nat"; readonly s: NftStmtOf<"nat"> };

function runRule(table: NftTable, rule: NftRule, p: Packet, ctx: NftContext, now: number | undefined): RuleEnd {
  for (const s of rule.stmts) {
    switch (s.kind) {
      case "match":
        if (!matches(table, s, p, ctx, now)) return { kind: "break" };
        break;
      case "vmap": {
        const key = s.left.map((sel) => read(sel, p, ctx));
        if (key.some((k) => k === undefined)) return { kind: "break" };
        const e = lookup(setOf(table, s.map), key);
        if (!e || !isVerdictData(e.data)) return { kind: "break" };
        return { kind: "verdict", v: e.data };
      }
      case "counter":
        s.counter.packets++;
        s.counter.bytes += p.length;
        break;
      case "markset":
        if (!s.ct) ctx.mark = (s.op === "|" ? ctx.mark | s.value : s.op === "^" ? ctx.mark ^ s.value : s.op === "&" ? ctx.mark & s.value : s.value) >>> 0;
        break;
      case "notrack":
        ctx.notrack = true;
        break;
      case "log":
        break;
      case "update": {
        const set: NftSet | undefined = table.sets.get(s.set);
        const key = s.key.map((sel) => read(sel, p, ctx));
        if (!set || key.some((k) => k === undefined)) return { kind: "break" };
        // update: add the key, or refresh its timeout (nft_dynset); expired elements are gone.
        const at = now ?? 0;
        if (set.timeout !== undefined) set.elements = set.elements.filter((e) => e.expires === undefined || e.expires > at);
        const i = set.elements.findIndex((e) => elementHas(e, key));
        const fresh = { key: key.map((k): Value => (typeof k === "number" ? { kind: "int", v: k } : { kind: "str", v: k! })), ...(set.timeout !== undefined && { expires: at + set.timeout * 1000 }) };
        if (i < 0) set.elements.push(fresh);
        else if (set.timeout !== undefined) set.elements[i] = { ...set.elements[i]!, expires: fresh.expires! };
        break;
      }
      case "verdict":
        return s.verdict.kind === "continue" ? { kind: "next" } : { kind: "verdict", v: s.verdict };
      case "reject":
        return { kind: "reject", s };
      case "nat": {
        if (!s.pick) return { kind: "nat", s };
        // The map's target for this connection: a key the map lacks ends the rule, as a failed lookup does.
        const k = Math.floor((ctx.rng.nextU32() * s.pick.mod) / 0x1_0000_0000) + s.pick.offset;
        const t = s.pick.targets.find((x) => x.key === k);
        if (!t) return { kind: "break" };
        return { kind: "nat", s: { kind: "nat", type: s.type, flags: s.flags, range: { minIp: t.ip, maxIp: t.ip, minPort: t.port, maxPort: t.port } } };
      }
    }
  }
  return { kind: "next" };
}

/**
 * Walks base chain `base` of `table`. `onMatch` hears every rule that ran to its end (all its
 * matches held), in order, before its verdict applies.
 */
export function walkNftChain(table: NftTable, base: NftChain, packet: Packet, ctx: NftContext, onMatch?: (m: NftMatched) => void, now?: number): NftVerdict {
  const stack: Frame[] = [];
  let chain = base;
  let i = 0;
  const policy = (): NftVerdict => (base.base?.policy === "drop" ? { kind: "drop", by: "policy", chain: base.name } : { kind: "accept", by: "policy", chain: base.name });
  for (;;) {
    if (i >= chain.rules.length) {
      const back = stack.pop();
      if (!back) return policy();
      chain = back.chain;
      i = back.next;
      continue;
    }
    const rule = chain.rules[i]!;
    const end = runRule(table, rule, packet, ctx, now);
    if (end.kind === "break") {
      i++;
      continue;
    }
    const matched: NftMatched = { table, chain, index: i + 1, rule, ...(end.kind === "verdict" && { verdict: end.v }) };
    onMatch?.(matched);
    if (end.kind === "next") {
      i++;
      continue;
    }
    if (end.kind === "reject") return { kind: "drop", by: matched, chain: chain.name, reject: end.s };
    if (end.kind === "nat") return { kind: "nat", by: matched, nat: end.s };
    const v = end.v;
    switch (v.kind) {
      case "accept":
        return { kind: "accept", by: matched, chain: chain.name };
      case "drop":
        return { kind: "drop", by: matched, chain: chain.name };
      case "continue":
        i++;
        continue;
      case "return": {
        const back = stack.pop();
        if (!back) return policy();
        chain = back.chain;
        i = back.next;
        continue;
      }
      case "jump":
      case "goto": {
        const next = table.chains.get(v.chain!);
        if (!next) return { kind: "drop", by: matched, chain: chain.name };
        if (v.kind === "jump") {
          if (stack.length >= JUMP_STACK) return { kind: "drop", by: matched, chain: chain.name };
          stack.push({ chain, next: i + 1 });
        }
        chain = next;
        i = 0;
        continue;
      }
    }
  }
}

/** Whether the ruleset needs conntrack: a nat chain, or a rule that reads ct. */
export function tableNeedsConntrack(t: NftTable): boolean {
  for (const c of t.chains.values()) {
    if (c.base?.type === "nat") return true;
    for (const r of c.rules) {
      for (const s of r.stmts) {
        if ((s.kind === "match" || s.kind === "vmap") && s.left.some((x) => x.kind === "ct")) return true;
        if (s.kind === "nat") return true;
      }
    }
  }
  return false;
}
