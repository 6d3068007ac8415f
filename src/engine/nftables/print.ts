/**
 * `nft list …` as nft 1.0.6 prints it. Every rule of layout here was read off the real tool
 * (goldens in __fixtures__, lab test src/engine/lab/nft.test.ts):
 * - tables in creation order; in a table its comment, then sets and maps, then chains, each in
 *   creation order, a blank line between blocks;
 * - a base chain's priority by name when within 10 of a named priority valid for the hook
 *   (`dstnat - 10`, `filter + 10`), else the number (output -100 is `-100`: dstnat is only
 *   prerouting's);
 * - set elements sorted: one field by value; a concatenation by its key bytes read as one
 *   little-endian number (nft sorts the key as a host-order integer); addresses two to a line,
 *   ports, protocols and marks five, anything else (concatenations, names) one;
 * - marks as 0x%08x, `mark set mark or X` as `meta mark set meta mark | X`;
 * - `reject` alone for the family's default (icmp port-unreachable in ip).
 */
import { formatIpv4 } from "../addr/ipv4";
import {
  CT_STATE_BITS,
  CT_STATUS_BITS,
  ICMP_CODES,
  ICMP_TYPES,
  L4PROTO_NAMES,
  STD_PRIOS,
  selectorType,
  type DataType,
  type Family,
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

export interface PrintOptions {
  /** `nft -a`: handles as `# handle N`. */
  readonly handles?: boolean;
  /** `nft -n`: numbers for protocols, types, states, route types and priorities. */
  readonly numeric?: boolean;
  /** `nft -s`: counters without their values. */
  readonly stateless?: boolean;
  /** Simulated time (ms), for elements that expire. */
  readonly now?: number;
}

/** icmpx reject codes (the inet family's), by number. */
const ICMPX_CODES: Readonly<Record<number, string>> = { 0: "no-route", 1: "port-unreachable", 2: "host-unreachable", 3: "admin-prohibited" };

/** The -n / -s modes of the listing in progress (set by the print functions below, one at a time). */
let mode: { numeric: boolean; stateless: boolean } = { numeric: false, stateless: false };

function withMode<T>(o: PrintOptions, f: () => T): T {
  const was = mode;
  mode = { numeric: o.numeric ?? false, stateless: o.stateless ?? false };
  try {
    return f();
  } finally {
    mode = was;
  }
}

/** Route types as nft -n prints them (fib … type). */
const FIB_TYPE_NUMBERS: Readonly<Record<string, number>> = { unspec: 0, unicast: 1, local: 2, broadcast: 3, anycast: 4, multicast: 5, blackhole: 6, unreachable: 7, prohibit: 8 };

export function formatPriority(hook: NftHook, p: number): string {
  if (mode.numeric) return String(p);
  for (const s of STD_PRIOS) {
    if (s.hooks && !s.hooks.includes(hook)) continue;
    const d = p - s.value;
    if (d === 0) return s.name;
    if (Math.abs(d) <= 10) return `${s.name} ${d > 0 ? "+" : "-"} ${Math.abs(d)}`;
  }
  return String(p);
}

function hex8(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

export function formatValue(v: Value, type: DataType | undefined): string {
  if (v.kind === "str") {
    if (type === "ifname" || type === "iface_index") return `"${v.v}${v.wildcard ? "*" : ""}"`;
    if (mode.numeric && type === "ct_state") return `0x${ctBit(v.v).toString(16)}`;
    if (mode.numeric && FIB_TYPE_NUMBERS[v.v] !== undefined) return String(FIB_TYPE_NUMBERS[v.v]);
    return v.v;
  }
  const one = (n: number): string => {
    if (mode.numeric && type !== "ipv4_addr" && type !== "mark") return String(n);
    switch (type) {
      case "ipv4_addr":
        return formatIpv4(n);
      case "inet_proto":
        return L4PROTO_NAMES[n] ?? String(n);
      case "mark":
        return hex8(n);
      case "icmp_type":
        return ICMP_TYPES[n] ?? String(n);
      case "icmp_code":
        return ICMP_CODES[n] ?? String(n);
      case "nf_proto":
        return n === 2 ? "ipv4" : n === 10 ? "ipv6" : String(n);
      default:
        return String(n);
    }
  };
  if (v.kind === "int") return one(v.v);
  if (v.prefix !== undefined && type === "ipv4_addr") return `${formatIpv4(v.lo)}/${v.prefix}`;
  return `${one(v.lo)}-${one(v.hi)}`;
}

export function formatVerdict(v: VerdictVal): string {
  return v.chain !== undefined ? `${v.kind} ${v.chain}` : v.kind;
}

function formatSelector(s: Selector): string {
  switch (s.kind) {
    case "payload":
      return `${s.proto} ${s.field}`;
    case "meta":
      return s.key === "iifname" || s.key === "oifname" || s.key === "iif" || s.key === "oif" ? s.key : `meta ${s.key}`;
    case "ct":
      return `ct ${s.key}`;
    case "fib":
      return `fib ${s.addr}${s.iface ? ` . ${s.iface}` : ""} type`;
    case "numgen":
      return `numgen random mod ${s.mod}${s.offset ? ` offset ${s.offset}` : ""}`;
  }
}

function fieldTypes(left: readonly Selector[]): (DataType | undefined)[] {
  return left.map((s) => (s.kind === "fib" ? undefined : selectorType(s)));
}

/** The bytes of one field of a key as the kernel stores it in a concatenation (4-byte aligned). */
function fieldBytes(v: Value, type: DataType | undefined): number[] {
  const n = v.kind === "int" ? v.v : v.kind === "range" ? v.lo : 0;
  switch (type) {
    case "ipv4_addr":
      return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    case "inet_proto":
      return [n & 255, 0, 0, 0];
    case "inet_service":
      return [(n >>> 8) & 255, n & 255, 0, 0];
    case "ifname": {
      const s = v.kind === "str" ? v.v : "";
      const out = new Array<number>(16).fill(0);
      for (let i = 0; i < Math.min(16, s.length); i++) out[i] = s.charCodeAt(i) & 255;
      return out;
    }
    default:
      return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
  }
}

function ctBit(name: string): number {
  return (CT_STATE_BITS.find(([n]) => n === name) ?? CT_STATUS_BITS.find(([n]) => n === name))?.[1] ?? 0;
}

/** nft's order of a set's elements (see the module comment). */
export function sortElements(elements: readonly SetElement[], types: readonly (DataType | undefined)[]): SetElement[] {
  const out = [...elements];
  if (types.length === 1) {
    const t = types[0];
    out.sort((a, b) => {
      const x = a.key[0]!;
      const y = b.key[0]!;
      if (x.kind === "str" || y.kind === "str") {
        if (x.kind !== "str" || y.kind !== "str") return 0;
        if (t === "ct_state") return ctBit(x.v) - ctBit(y.v);
        return x.v < y.v ? -1 : x.v > y.v ? 1 : 0;
      }
      const xv = x.kind === "int" ? x.v : x.lo;
      const yv = y.kind === "int" ? y.v : y.lo;
      return xv - yv;
    });
    return out;
  }
  const keyOf = (e: SetElement) => e.key.flatMap((v, i) => fieldBytes(v, types[i]));
  const keys = new Map(out.map((e) => [e, keyOf(e)]));
  out.sort((a, b) => {
    const x = keys.get(a)!;
    const y = keys.get(b)!;
    for (let i = Math.max(x.length, y.length) - 1; i >= 0; i--) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return out;
}

function formatElement(e: SetElement, types: readonly (DataType | undefined)[], dataType: DataType | undefined, now?: number): string {
  let s = e.key.map((v, i) => formatValue(v, types[i])).join(" . ");
  if (e.comment !== undefined) s += ` comment "${e.comment}"`;
  if (e.expires !== undefined) s += ` expires ${formatDuration(Math.max(0, e.expires - (now ?? 0)) / 1000)}`;
  if (e.data) s += " : " + ("chain" in e.data || isVerdict(e.data) ? formatVerdict(e.data as VerdictVal) : formatValue(e.data as Value, dataType));
  return s;
}

function isVerdict(d: Value | VerdictVal): d is VerdictVal {
  return ["accept", "drop", "return", "continue", "jump", "goto"].includes(d.kind);
}

/** How many elements share a line in `elements = { … }` before nft breaks it. */
function perLine(types: readonly (DataType | undefined)[]): number {
  if (types.length !== 1) return 1;
  switch (types[0]) {
    case "ipv4_addr":
    case "ipv6_addr":
      return 2;
    case "inet_proto":
    case "inet_service":
    case "mark":
    case "integer":
      return 5;
    default:
      return 1;
  }
}

function formatAnonSet(elements: readonly SetElement[], types: readonly (DataType | undefined)[], dataType: DataType | undefined): string {
  return `{ ${sortElements(elements, types)
    .map((e) => formatElement(e, types, dataType))
    .join(", ")} }`;
}

function formatRight(r: RightExpr, left: readonly Selector[]): string {
  const types = fieldTypes(left);
  switch (r.kind) {
    case "value":
      return r.values.map((v, i) => formatValue(v, types[i])).join(" . ");
    case "ref":
      return `@${r.name}`;
    case "set":
      return formatAnonSet(r.elements, types, undefined);
    case "flags": {
      const sel = left[0]!;
      const bits = sel.kind === "ct" && sel.key === "status" ? CT_STATUS_BITS : CT_STATE_BITS;
      return bits
        .filter(([n]) => r.names.includes(n))
        .map(([n, b]) => (mode.numeric ? `0x${b.toString(16)}` : n))
        .join(",");
    }
  }
}

export function formatStmt(s: Stmt, family: Family): string {
  switch (s.kind) {
    case "match": {
      const left = s.left.map(formatSelector).join(" . ");
      const right = formatRight(s.right, s.left);
      if (s.mask !== undefined) {
        const t = fieldTypes(s.left)[0];
        const fmt = (n: number) => (t === "mark" ? hex8(n) : String(n));
        return `${left} & ${fmt(s.mask)} ${s.op} ${right}`;
      }
      return s.op === "!=" ? `${left} != ${right}` : `${left} ${right}`;
    }
    case "vmap": {
      const left = s.left.map(formatSelector).join(" . ");
      return `${left} vmap ${s.map.kind === "ref" ? `@${s.map.name}` : formatAnonSet(s.map.elements, fieldTypes(s.left), "verdict")}`;
    }
    case "verdict":
      return formatVerdict(s.verdict);
    case "counter":
      return mode.stateless ? "counter" : `counter packets ${s.counter.packets} bytes ${s.counter.bytes}`;
    case "markset": {
      const key = s.ct ? "ct mark" : "meta mark";
      return s.op ? `${key} set ${key} ${s.op} ${hex8(s.value)}` : `${key} set ${hex8(s.value)}`;
    }
    case "nat": {
      let out = s.type;
      if (s.pick) {
        // nft 1.0.6 lists `dnat ip addr . port to numgen … map` as `dnat ip to numgen … map` (checked in a namespace).
        const targets = s.pick.targets.map((x) => `${x.key} : ${formatIpv4(x.ip)} . ${x.port}`).join(", ");
        out += ` ip to numgen random mod ${s.pick.mod}${s.pick.offset ? ` offset ${s.pick.offset}` : ""} map { ${targets} }`;
        if (s.flags.length > 0) out += " " + s.flags.join(",");
        return out;
      }
      if (s.ipFamily && family === "inet") out += " ip";
      const r = s.range;
      if (r) {
        let to = "";
        if (r.minIp !== undefined) to += r.minIp === r.maxIp ? formatIpv4(r.minIp) : `${formatIpv4(r.minIp)}-${formatIpv4(r.maxIp!)}`;
        if (r.minPort !== undefined) to += ":" + (r.minPort === r.maxPort ? String(r.minPort) : `${r.minPort}-${r.maxPort}`);
        out += ` to ${to}`;
      }
      if (s.flags.length > 0) out += " " + s.flags.join(",");
      return out;
    }
    case "reject": {
      if (!s.with) return "reject";
      if (s.with.type === "tcp reset") return "reject with tcp reset";
      const isDefault = s.with.code === "port-unreachable" && ((family === "ip" && s.with.type === "icmp") || (family === "inet" && s.with.type === "icmpx") || (family === "ip6" && s.with.type === "icmpv6"));
      if (isDefault) return "reject";
      let code = s.with.code ?? "";
      if (mode.numeric) {
        const names: Readonly<Record<number, string>> = s.with.type === "icmpx" ? ICMPX_CODES : ICMP_CODES;
        const n = Object.entries(names).find(([, v]) => v === code)?.[0];
        if (n !== undefined) code = n;
      }
      return `reject with ${s.with.type} ${code}`;
    }
    case "notrack":
      return "notrack";
    case "log":
      return ["log", ...(s.prefix !== undefined ? [`prefix "${s.prefix}"`] : []), ...(s.level !== undefined ? [`level ${s.level}`] : [])].join(" ");
    case "update":
      return `update @${s.set} { ${s.key.map(formatSelector).join(" . ")} }`;
  }
}

export function formatNftRule(r: NftRule, family: Family): string {
  return r.stmts.map((s) => formatStmt(s, family)).join(" ") + (r.comment !== undefined ? ` comment "${r.comment}"` : "");
}

/** A duration as nft prints it: 3h, 1h30m, 1m30s. */
export function formatDuration(seconds: number): string {
  let s = Math.round(seconds * 1000);
  const parts: string[] = [];
  for (const [unit, ms] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
    ["ms", 1],
  ] as const) {
    const n = Math.floor(s / ms);
    if (n > 0) parts.push(`${n}${unit}`);
    s -= n * ms;
  }
  return parts.length ? parts.join("") : "0s";
}

const handle = (o: PrintOptions, h: number) => (o.handles ? ` # handle ${h}` : "");

export function printSet(set: NftSet, o: PrintOptions = {}): string[] {
  return withMode(o, () => setLines(set, o));
}

function setLines(set: NftSet, o: PrintOptions): string[] {
  const lines = [`\t${set.map ? "map" : "set"} ${set.name} {${handle(o, set.handle)}`];
  lines.push(`\t\ttype ${set.key.join(" . ")}${set.map ? ` : ${set.data}` : ""}`);
  if (set.size !== undefined) lines.push(`\t\tsize ${set.size}`);
  const flags = set.flags.filter((f) => f !== "counter");
  if (flags.some((f) => f !== "timeout")) lines.push(`\t\tflags ${flags.join(",")}`);
  if (set.flags.includes("counter")) lines.push("\t\tcounter");
  // -n prints the timeout in seconds (10800s, not 3h).
  if (set.timeout !== undefined) lines.push(`\t\ttimeout ${mode.numeric ? `${set.timeout}s` : formatDuration(set.timeout)}`);
  if (set.comment !== undefined) lines.push(`\t\tcomment "${set.comment}"`);
  const live = set.elements.filter((e) => e.expires === undefined || o.now === undefined || e.expires > o.now);
  if (live.length > 0) {
    const types = set.key;
    const sorted = sortElements(live, types);
    const n = perLine(types);
    let text = "\t\telements = { ";
    sorted.forEach((e, i) => {
      if (i > 0) text += i % n === 0 ? ",\n\t\t\t     " : ", ";
      text += formatElement(e, types, set.data, o.now);
    });
    lines.push(text + " }");
  }
  lines.push("\t}");
  return lines;
}

export function printChain(t: NftTable, c: NftChain, o: PrintOptions = {}): string[] {
  return withMode(o, () => chainLines(t, c, o));
}

function chainLines(t: NftTable, c: NftChain, o: PrintOptions): string[] {
  const lines = [`\tchain ${c.name} {${handle(o, c.handle)}`];
  if (c.comment !== undefined) lines.push(`\t\tcomment "${c.comment}"`);
  if (c.base) {
    const dev = c.base.device !== undefined ? ` device "${c.base.device}"` : "";
    lines.push(`\t\ttype ${c.base.type} hook ${c.base.hook}${dev} priority ${formatPriority(c.base.hook, c.base.priority)}; policy ${c.base.policy};`);
  }
  for (const r of c.rules) lines.push(`\t\t${formatNftRule(r, t.family)}${handle(o, r.handle)}`);
  lines.push("\t}");
  return lines;
}

export function printTable(t: NftTable, o: PrintOptions = {}): string {
  return withMode(o, () => tableText(t, o));
}

function tableText(t: NftTable, o: PrintOptions): string {
  const lines = [`table ${t.family} ${t.name} {${handle(o, t.handle)}`];
  if (t.comment !== undefined) lines.push(`\tcomment "${t.comment}"`);
  const blocks: string[][] = [];
  // Named counters come first (as nft 1.0.6 listed them in a namespace), then sets, then chains.
  for (const k of t.counters?.values() ?? []) {
    const b = [`\tcounter ${k.name} {${handle(o, k.handle)}`];
    if (k.comment !== undefined) b.push(`\t\tcomment "${k.comment}"`);
    b.push(o.stateless ? "" : `\t\tpackets ${k.packets} bytes ${k.bytes}`, "\t}");
    blocks.push(b.filter((l) => l !== ""));
  }
  for (const s of t.sets.values()) if (!s.anonymous) blocks.push(printSet(s, o));
  for (const c of t.chains.values()) blocks.push(printChain(t, c, o));
  blocks.forEach((b, i) => {
    if (i > 0) lines.push("");
    lines.push(...b);
  });
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** `nft list ruleset [family]`. */
export function printRuleset(rs: NftRuleset, o: PrintOptions = {}, family?: Family): string {
  return rs.tables
    .filter((t) => family === undefined || t.family === family)
    .map((t) => printTable(t, o))
    .join("");
}

/** `nft list chain F T C` / `list set|map F T S`: the object inside its table's braces. */
export function printOne(t: NftTable, lines: string[]): string {
  return [`table ${t.family} ${t.name} {`, ...lines, "}"].join("\n") + "\n";
}
