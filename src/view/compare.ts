/**
 * Two traces side by side: which flow goes with which, which step with which, and where they
 * first part, in one sentence. Pure data in, data out: the Compare panel draws it, the tests
 * check it against the engine's own traces.
 *
 * The alignment is a diff, done twice. Flows are paired by their names in order (request with
 * request, reply with reply; a flow one trace has and the other lacks pairs with nothing), then
 * the steps of each pair are aligned on where they happen — kind, node, pod, interface,
 * direction, and for a rule its table and chain — so that a hop one side has and the other
 * lacks shows as a gap, not as a shift of every step after it. Within a run of gaps, the first
 * trace's steps come before the second's, unless only the second's hold a drop: the drop then
 * sits next to the last hop both had.
 *
 * The cost is bounded. Each diff is Myers' greedy algorithm after trimming the common head and
 * tail: O((N+M)·D) time and O(D²) memory, where D counts the steps one side has and the other
 * lacks. D is capped at MAX_EDITS per pair of flows (and for the flows themselves): two flows
 * that differ in more steps than that (unrelated scenarios, a TTL loop against a clean run) are
 * aligned position by position instead, which is linear and honest (every such row says it
 * differs, and the divergence is still named). A whole trace (MAX_TRACE_STEPS, 25,000 steps)
 * against another thus costs at most (N+M)·MAX_EDITS key comparisons — tens of milliseconds,
 * usually far less, since flows are aligned one pair at a time.
 */
import type { Step, StepPacket, Trace } from "../engine/trace";
import { defineCatalog } from "../i18n/catalog";
import type { Lang } from "../i18n/lang";

/** One line of the comparison: a step of the first trace, of the second, or of both, at the same place. */
export interface Row {
  /** The flow's name ("request", "reply"…); "a / b" when a pair of flows has two names (position alignment). */
  readonly flow: string;
  /** Which pair of flows the row belongs to, counted from 0: rows of one pair are consecutive. */
  readonly pair: number;
  readonly left?: Step;
  readonly right?: Step;
  /** Both sides have the step, and the packet as seen there (and what was decided) is the same. */
  readonly same: boolean;
}

/** The most steps (or flows) a pair may have that the other lacks before the diff gives up for positions. */
export const MAX_EDITS = 400;

/** Where a step happens, as the alignment matches it. */
function placeKey(s: Step): string {
  const base = `${s.kind}|${s.node}|${s.pod ?? ""}|${s.iface ?? ""}|${s.dir ?? ""}`;
  return s.kind === "rule" ? `${base}|${s.detail.table}|${s.detail.chain}` : base;
}

export function samePacket(p: StepPacket, q: StepPacket): boolean {
  return p.proto === q.proto && p.src === q.src && p.dst === q.dst && p.sport === q.sport && p.dport === q.dport && p.ttl === q.ttl;
}

/** What a step decided, beyond the packet: the route taken, the rule, the NAT, the drop's reason… */
function sameDecision(l: Step, r: Step): boolean {
  switch (l.kind) {
    case "wire":
      return r.kind === "wire";
    case "route":
      return r.kind === "route" && l.detail.decision === r.detail.decision && l.detail.table === r.detail.table && l.detail.nexthop === r.detail.nexthop && l.detail.dev === r.detail.dev;
    case "rule":
      // Not the rule's position: a rule added or missing above it moves it, and that rule has its own row.
      return r.kind === "rule" && l.detail.target === r.detail.target && l.detail.rule === r.detail.rule;
    case "nat":
      return r.kind === "nat" && l.detail.type === r.detail.type && l.detail.changed.join() === r.detail.changed.join() && samePacket(l.detail.before, r.detail.before) && samePacket(l.detail.after, r.detail.after);
    case "conntrack":
      return r.kind === "conntrack" && l.detail.event === r.detail.event && l.detail.state === r.detail.state && l.detail.direction === r.detail.direction;
    case "bridge":
      return r.kind === "bridge" && l.detail.action === r.detail.action && l.detail.port === r.detail.port;
    case "encap":
      return r.kind === "encap" && l.detail.action === r.detail.action && l.detail.device === r.detail.device && l.detail.vni === r.detail.vni && l.detail.fdb?.dst === r.detail.fdb?.dst;
    case "deliver":
      return r.kind === "deliver" && l.detail.to === r.detail.to;
    case "drop":
      return r.kind === "drop" && l.detail.reason === r.detail.reason && l.detail.rule === r.detail.rule;
  }
}

export function sameStep(l: Step, r: Step): boolean {
  return placeKey(l) === placeKey(r) && samePacket(l.packet, r.packet) && sameDecision(l, r);
}

/**
 * The matched positions (i in a, j in b, in order) of a shortest edit script between a and b,
 * or undefined when it needs more than maxEdits insertions and deletions. Myers (1986), the
 * greedy forward pass, keeping each round's furthest points to walk the path back.
 */
export function diffMatches(a: ArrayLike<number>, b: ArrayLike<number>, maxEdits = MAX_EDITS): [number, number][] | undefined {
  const n = a.length;
  const m = b.length;
  // The common head and tail cost nothing and need no rounds.
  let head = 0;
  while (head < n && head < m && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < n - head && tail < m - head && a[n - 1 - tail] === b[m - 1 - tail]) tail++;
  const matches: [number, number][] = [];
  for (let i = 0; i < head; i++) matches.push([i, i]);
  const an = n - head - tail;
  const bm = m - head - tail;
  const middle = myers(an, bm, (x, y) => a[head + x] === b[head + y], maxEdits);
  if (!middle) return undefined;
  for (const [x, y] of middle) matches.push([head + x, head + y]);
  for (let t = tail; t > 0; t--) matches.push([n - t, m - t]);
  return matches;
}

function myers(n: number, m: number, eq: (x: number, y: number) => boolean, maxEdits: number): [number, number][] | undefined {
  if (n === 0 || m === 0) return [];
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const rounds: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && eq(x, y)) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        rounds.push(v.slice(off - d, off + d + 1));
        return walkBack(rounds, n, m);
      }
    }
    rounds.push(v.slice(off - d, off + d + 1));
  }
  return undefined;
}

/** The path back from (n, m) through each round's furthest points: the diagonal runs are the matches. */
function walkBack(rounds: readonly Int32Array[], n: number, m: number): [number, number][] {
  const out: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = rounds.length - 1; d > 0; d--) {
    const prev = rounds[d - 1]!; // k from -(d-1) to d-1, at index k + d - 1
    const k = x - y;
    const down = k === -d || (k !== d && prev[k - 1 + d - 1]! < prev[k + 1 + d - 1]!);
    const pk = down ? k + 1 : k - 1;
    const px = prev[pk + d - 1]!;
    const startX = down ? px : px + 1;
    while (x > startX) {
      x--;
      y--;
      out.push([x, y]);
    }
    x = px;
    y = px - pk;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    out.push([x, y]);
  }
  return out.reverse();
}

/**
 * Pairs of indices (either may be missing), in order: matched ones together, the unmatched of
 * a before the unmatched of b between two matches; by position when the diff is too long.
 */
function align(a: ArrayLike<number>, b: ArrayLike<number>): [number | undefined, number | undefined][] {
  const matches = diffMatches(a, b);
  const out: [number | undefined, number | undefined][] = [];
  if (!matches) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push([i < a.length ? i : undefined, i < b.length ? i : undefined]);
    return out;
  }
  let i = 0;
  let j = 0;
  for (const [mi, mj] of [...matches, [a.length, b.length] as [number, number]]) {
    while (i < mi) out.push([i++, undefined]);
    while (j < mj) out.push([undefined, j++]);
    if (mi < a.length) out.push([i++, j++]);
  }
  return out;
}

/** Strings to small numbers, so the diff compares numbers. */
function interner(): (s: string) => number {
  const ids = new Map<string, number>();
  return (s) => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size));
    return id;
  };
}

/** The two traces, flow by flow and hop by hop. */
export function alignTraces(a: Trace, b: Trace): Row[] {
  const flowId = interner();
  const stepId = interner();
  const rows: Row[] = [];
  const pairs = align(
    a.flows.map((f) => flowId(f.name)),
    b.flows.map((f) => flowId(f.name)),
  );
  pairs.forEach(([fi, fj], pair) => {
    const fa = fi === undefined ? undefined : a.flows[fi];
    const fb = fj === undefined ? undefined : b.flows[fj];
    const flow = fa && fb && fa.name !== fb.name ? `${fa.name} / ${fb.name}` : (fa ?? fb)!.name;
    const sa = fa?.steps ?? [];
    const sb = fb?.steps ?? [];
    const keysA = Int32Array.from(sa, (s) => stepId(placeKey(s)));
    const keysB = Int32Array.from(sb, (s) => stepId(placeKey(s)));
    // Between two aligned steps, the steps only the first trace has come before those only the
    // second has; unless the second's end in a drop and the first's do not: then the drop comes
    // first, next to the last step both had, where the packets part.
    let onlyA: Step[] = [];
    let onlyB: Step[] = [];
    const flush = () => {
      const dropsB = onlyB.some((s) => s.kind === "drop") && !onlyA.some((s) => s.kind === "drop");
      const gapsA = onlyA.map((left): Row => ({ flow, pair, left, same: false }));
      const gapsB = onlyB.map((right): Row => ({ flow, pair, right, same: false }));
      for (const r of dropsB ? [...gapsB, ...gapsA] : [...gapsA, ...gapsB]) rows.push(r);
      onlyA = [];
      onlyB = [];
    };
    for (const [i, j] of align(keysA, keysB)) {
      const left = i === undefined ? undefined : sa[i];
      const right = j === undefined ? undefined : sb[j];
      if (left && !right) onlyA.push(left);
      else if (right && !left) onlyB.push(right);
      else {
        flush();
        rows.push({ flow, pair, left: left!, right: right!, same: sameStep(left!, right!) });
      }
    }
    flush();
  });
  return rows;
}

export interface Divergence {
  /** The row the sentence is about. */
  readonly index: number;
  readonly text: string;
}

type Field = "proto" | "src" | "dst" | "sport" | "dport" | "ttl";

const FIELD_WORDS: Readonly<Record<Field, string>> = {
  proto: "the protocol",
  src: "the source",
  dst: "the destination",
  sport: "the source port",
  dport: "the destination port",
  ttl: "the TTL",
};

const FIELD_WORDS_RU: Readonly<Record<Field, string>> = {
  proto: "протокол",
  src: "адрес источника",
  dst: "адрес назначения",
  sport: "порт источника",
  dport: "порт назначения",
  ttl: "TTL",
};

const ADDRESS_FIELDS: readonly Field[] = ["proto", "src", "dst", "sport", "dport"];
const FIELDS: readonly Field[] = [...ADDRESS_FIELDS, "ttl"];

const value = (p: StepPacket, f: Field, w: Words) => String(p[f] ?? w.none);
const plain = (text: string) => text.replace(/[.\s]+$/, "");
const where = (s: Step, w: Words) => (s.pod ? w.on({ pod: s.pod, node: s.node }) : s.node);
const article = (word: string) => (/^[aeiou]/i.test(word) ? "an" : "a");

/** The sentences' words, in the page's language ("the packet" the first time a side names it, "it" after). */
const WORDS = defineCatalog(
  {
    field: (p: { field: Field }) => FIELD_WORDS[p.field],
    none: "none",
    on: (p: { pod: string; node: string }) => `${p.pod} on ${p.node}`,
    becomes: (p: { A: string; B: string; word: string; va: string; vb: string }) => `${p.A}: ${p.word} becomes ${p.va}; ${p.B}: it stays ${p.vb}`,
    stays: (p: { A: string; B: string; word: string; va: string; vb: string }) => `${p.A}: ${p.word} stays ${p.va}; ${p.B}: it becomes ${p.vb}`,
    is: (p: { A: string; B: string; word: string; va: string; vb: string }) => `${p.A}: ${p.word} is ${p.va}; ${p.B}: ${p.vb}`,
    drops: (p: { where: string; first: boolean; reason: string }) => `${p.where} drops ${p.first ? "the packet" : "it"}: ${p.reason}`,
    goesOnTo: (p: { first: boolean; to: string }) => `${p.first ? "the packet" : "it"} goes on to ${p.to}`,
    goesOnDrops: (p: { first: boolean; drops: string }) => `${p.first ? "the packet" : "it"} goes on, and ${p.drops} later`,
    goesOn: (p: { first: boolean }) => `${p.first ? "the packet" : "it"} goes on`,
    deliversHere: "delivers it here",
    sends: (p: { via?: string; dev: string }) => `sends it ${p.via ? `via ${p.via} ` : ""}out of ${p.dev}`,
    sameText: (p: { A: string; B: string; text: string; l: string; r: string }) => `${p.A}: ${p.text}, on ${p.l}; ${p.B}: on ${p.r}`,
    noHop: "no such hop",
    there: (p: { flow: string; from: string }) => `there is ${article(p.flow)} ${p.flow}, from ${p.from}`,
    noFlow: (p: { flow: string }) => `no ${p.flow}`,
  },
  {
    field: (p: { field: Field }) => FIELD_WORDS_RU[p.field],
    none: "нет",
    on: (p: { pod: string; node: string }) => `${p.pod} на ${p.node}`,
    becomes: (p: { A: string; B: string; word: string; va: string; vb: string }) => `${p.A}: ${p.word} становится ${p.va}; ${p.B}: остаётся ${p.vb}`,
    stays: (p: { A: string; B: string; word: string; va: string; vb: string }) => `${p.A}: ${p.word} остаётся ${p.va}; ${p.B}: становится ${p.vb}`,
    is: (p: { A: string; B: string; word: string; va: string; vb: string }) => `${p.A}: ${p.word} — ${p.va}; ${p.B}: ${p.vb}`,
    drops: (p: { where: string; first: boolean; reason: string }) => `${p.where} отбрасывает ${p.first ? "пакет" : "его"}: ${p.reason}`,
    goesOnTo: (p: { first: boolean; to: string }) => `${p.first ? "пакет" : "он"} идёт дальше, до ${p.to}`,
    goesOnDrops: (p: { first: boolean; drops: string }) => `${p.first ? "пакет" : "он"} идёт дальше, а потом ${p.drops}`,
    goesOn: (p: { first: boolean }) => `${p.first ? "пакет" : "он"} идёт дальше`,
    deliversHere: "доставляет его сюда",
    sends: (p: { via?: string; dev: string }) => `отправляет его ${p.via ? `через ${p.via} ` : ""}в ${p.dev}`,
    sameText: (p: { A: string; B: string; text: string; l: string; r: string }) => `${p.A}: ${p.text}, на ${p.l}; ${p.B}: на ${p.r}`,
    noHop: "такого хопа нет",
    there: (p: { flow: string; from: string }) => `есть поток «${p.flow}» от ${p.from}`,
    noFlow: (p: { flow: string }) => `потока «${p.flow}» нет`,
  },
);
type Words = (typeof WORDS)["en"];

/** The packet each side has at a row: its own step's, or the one it last had in the flow (a gap changes nothing). */
type Packets = readonly [StepPacket | undefined, StepPacket | undefined];
interface AtRow {
  readonly before: Packets;
  readonly at: Packets;
}

/** How a pair's flow ends on one side: its last step there, when that is a delivery or a drop. */
function fate(rows: readonly Row[], k: number, side: "left" | "right"): Step | undefined {
  const pair = rows[k]!.pair;
  let end = k;
  while (end < rows.length && rows[end]!.pair === pair) end++;
  for (let i = end - 1; i >= 0 && rows[i]!.pair === pair; i--) {
    const s = rows[i]![side];
    if (s) return s.kind === "deliver" || s.kind === "drop" ? s : undefined;
  }
  return undefined;
}

function packetSentence({ before, at }: AtRow, [A, B]: readonly [string, string], fields: readonly Field[], w: Words): string | undefined {
  const [pa, pb] = at;
  if (!pa || !pb) return undefined;
  const f = fields.find((x) => pa[x] !== pb[x]);
  if (!f) return undefined;
  const word = w.field({ field: f });
  const va = value(pa, f, w);
  const vb = value(pb, f, w);
  const movedA = before[0] !== undefined && value(before[0], f, w) !== va;
  const movedB = before[1] !== undefined && value(before[1], f, w) !== vb;
  if (movedA && !movedB) return w.becomes({ A, B, word, va, vb });
  if (movedB && !movedA) return w.stays({ A, B, word, va, vb });
  return w.is({ A, B, word, va, vb });
}

function dropSentence(rows: readonly Row[], k: number, [A, B]: readonly [string, string], w: Words): string | undefined {
  const l = rows[k]!.left;
  const r = rows[k]!.right;
  const dl = l?.kind === "drop" ? l : undefined;
  const dr = r?.kind === "drop" ? r : undefined;
  if (!dl && !dr) return undefined;
  const drops = (s: Step & { kind: "drop" }, first: boolean) => w.drops({ where: where(s, w), first, reason: s.detail.reason });
  const goesOn = (side: "left" | "right", first: boolean) => {
    const end = fate(rows, k, side);
    if (end?.kind === "deliver") return w.goesOnTo({ first, to: end.pod ?? end.node });
    if (end?.kind === "drop") return w.goesOnDrops({ first, drops: drops(end, false) });
    return w.goesOn({ first });
  };
  if (dl && dr) return `${A}: ${drops(dl, true)}; ${B}: ${drops(dr, false)}`;
  if (dl) return `${A}: ${drops(dl, true)}; ${B}: ${goesOn("right", false)}`;
  return `${A}: ${goesOn("left", true)}; ${B}: ${drops(dr!, false)}`;
}

function routeSays(s: Step & { kind: "route" }, w: Words): string {
  const d = s.detail;
  if (d.decision === "local") return w.deliversHere;
  return w.sends({ ...(d.nexthop && { via: d.nexthop }), dev: d.dev ?? "?" });
}

/** A row both sides have, named: the drop, then the packet, then what was decided there. */
function bothSentence(rows: readonly Row[], k: number, packets: AtRow, labels: readonly [string, string], w: Words): string {
  const [A, B] = labels;
  const l = rows[k]!.left!;
  const r = rows[k]!.right!;
  const drop = dropSentence(rows, k, labels, w);
  if (drop) return drop;
  const packet = packetSentence(packets, labels, FIELDS, w);
  if (packet) return packet;
  if (l.kind === "route" && r.kind === "route" && placeKey(l) === placeKey(r)) return `${A}: ${l.pod ?? l.node} ${routeSays(l, w)}; ${B}: ${routeSays(r, w)}`;
  // The same words in different places (flows aligned by position): where each happened.
  if (l.text === r.text) return w.sameText({ A, B, text: plain(l.text), l: where(l, w), r: where(r, w) });
  return `${A}: ${plain(l.text)}; ${B}: ${plain(r.text)}`;
}

function hopSentence(row: Row, [A, B]: readonly [string, string], w: Words): string {
  return row.left ? `${A}: ${plain(row.left.text)}; ${B}: ${w.noHop}` : `${A}: ${w.noHop}; ${B}: ${plain(row.right!.text)}`;
}

const gap = (r: Row) => !r.left !== !r.right;
/** Steps that record a decision without moving or changing the packet. */
const bookkeeping = (s: Step) => s.kind === "rule" || s.kind === "conntrack";

/**
 * Whether a row both sides have, and that is not the same, changes the packet, its path or its
 * fate: a drop, a different packet, a different place (rows aligned by position), a different
 * route, NAT or delivery. A different rule match, conntrack event or bridge lookup alone does not.
 */
function matters(row: Row): boolean {
  const l = row.left!;
  const r = row.right!;
  if (l.kind === "drop" || r.kind === "drop" || !samePacket(l.packet, r.packet)) return true;
  if (placeKey(l) !== placeKey(r)) return !(bookkeeping(l) && bookkeeping(r));
  return !bookkeeping(l) && l.kind !== "bridge";
}

/**
 * A run of hops only one side has, from its first that matters (row m): a drop in it; else a
 * step in it that rewrites the packet's addresses or ports, against the other side's packet as
 * it stands; else the row just after it, when the packets differ there; else row m itself.
 */
function runDivergence(rows: readonly Row[], m: number, pairEnd: number, before: Packets, labels: readonly [string, string], w: Words): Divergence {
  let end = m;
  while (end < pairEnd && gap(rows[end]!)) end++;
  for (let k = m; k < end; k++) {
    const drop = dropSentence(rows, k, labels, w);
    if (drop) return { index: k, text: drop };
  }
  let [a, b] = before;
  for (let k = m; k < end; k++) {
    const row = rows[k]!;
    const at: Packets = [row.left?.packet ?? a, row.right?.packet ?? b];
    const s = packetSentence({ before: [a, b], at }, labels, ADDRESS_FIELDS, w);
    if (s) return { index: k, text: s };
    [a, b] = at;
  }
  const next = rows[end];
  if (end < pairEnd && next && !next.same && !gap(next) && (dropSentence(rows, end, labels, w) || !samePacket(next.left!.packet, next.right!.packet))) {
    return { index: end, text: bothSentence(rows, end, { before: [a, b], at: [next.left!.packet, next.right!.packet] }, labels, w) };
  }
  return { index: m, text: hopSentence(rows[m]!, labels, w) };
}

/**
 * The first place the two traces part, named in one sentence ("ipMasq on: the source becomes
 * 10.240.0.20; off: it stays 10.200.0.21"); undefined when they are the same hop by hop. The
 * labels name the two sides, first and second, and each sentence gives them in that order.
 *
 * Rows are read in order from the first that is not the same, up to the first difference that
 * matters: one that changes the packet, its path or its fate. A rule match, a conntrack event
 * or a bridge lookup that one side has and the other lacks (or that differs on its own) is
 * bookkeeping: MASQUERADE's two rule matches come before its rewrite, and the rewrite is the
 * divergence. That row is named
 * - both sides have it: by a drop ("<A>: worker-1 drops the packet: <reason>; <B>: it goes on
 *   to busybox0-g6pww"), else the first packet field that differs — protocol, source,
 *   destination, ports, TTL: "becomes"/"stays" when one side changed it since its previous row
 *   and the other did not, "<A>: the source is X; <B>: Y" otherwise — else the route taken
 *   ("<A>: vpc-router sends it via X out of eth0; <B>: sends it via Y out of eth0"), else each
 *   side's step text;
 * - one side has it: see runDivergence (a drop, a rewrite, what follows), else "<A>: <that
 *   step's text>; <B>: no such hop";
 * - a flow one side has and the other lacks: "<A>: there is a reply, from <where>; <B>: no reply";
 * - flows that differ from their first step: their first packets ("the protocol is icmp; udp").
 * When only bookkeeping differs, the first row that is not the same is named by its texts.
 * The index is the row so named, so it may be a few rows past the first that is not the same.
 */
export function firstDivergence(rows: readonly Row[], labels: readonly [string, string], lang: Lang = "en"): Divergence | undefined {
  const w = WORDS[lang];
  const first = rows.findIndex((r) => !r.same);
  if (first < 0) return undefined;
  const [A, B] = labels;
  let k = first;
  while (k > 0 && rows[k - 1]!.pair === rows[first]!.pair) k--;
  let pair = -1;
  let pairEnd = k;
  let a: StepPacket | undefined;
  let b: StepPacket | undefined;
  for (; k < rows.length; k++) {
    const row = rows[k]!;
    if (row.pair !== pair) {
      pair = row.pair;
      a = b = undefined;
      while (pairEnd < rows.length && rows[pairEnd]!.pair === pair) pairEnd++;
      const flowRows = rows.slice(k, pairEnd);
      const firstLeft = flowRows.find((r) => r.left)?.left;
      const firstRight = flowRows.find((r) => r.right)?.right;
      if (!firstLeft || !firstRight) {
        // A flow only one side has.
        const s = (firstLeft ?? firstRight)!;
        const there = w.there({ flow: row.flow, from: s.pod ?? s.node });
        return { index: k, text: firstLeft ? `${A}: ${there}; ${B}: ${w.noFlow({ flow: row.flow })}` : `${A}: ${w.noFlow({ flow: row.flow })}; ${B}: ${there}` };
      }
      if (gap(row)) {
        // Flows that differ from their first step: their first packets, side by side.
        const s = packetSentence({ before: [undefined, undefined], at: [firstLeft.packet, firstRight.packet] }, labels, FIELDS, w);
        if (s) return { index: k, text: s };
      }
    }
    const before: Packets = [a, b];
    const at: Packets = [row.left?.packet ?? a, row.right?.packet ?? b];
    if (!row.same) {
      if (!gap(row)) {
        if (matters(row)) return { index: k, text: bothSentence(rows, k, { before, at }, labels, w) };
      } else if (!bookkeeping((row.left ?? row.right)!)) {
        return runDivergence(rows, k, pairEnd, before, labels, w);
      }
    }
    [a, b] = at;
  }
  const row = rows[first]!;
  if (gap(row)) return { index: first, text: hopSentence(row, labels, w) };
  return { index: first, text: bothSentence(rows, first, { before: [row.left!.packet, row.right!.packet], at: [row.left!.packet, row.right!.packet] }, labels, w) };
}
