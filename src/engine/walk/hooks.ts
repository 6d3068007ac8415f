/**
 * The netfilter hooks as a packet meets them in one namespace: each hook's functions in the
 * kernel's priority order (raw, conntrack, mangle, nat, filter, confirm), the chain walk of each
 * table with a step per matched rule, connection tracking, and NAT: the binding decided on a
 * connection's first packet and applied from conntrack to every packet after.
 *
 * nftables base chains join the same order by their priority. What the kernel showed (lab notes,
 * "nftables"): of equal priorities, the chain registered last runs first (nf_hook_entries_grow
 * inserts before its equals); the iptables tables count as registered first, at boot. Every nat
 * chain of a hook runs inside NAT's one hook at its fixed priority (−100 for prerouting/output,
 * +100 for input/postrouting), in their own priority order, until one sets up a binding: later
 * nat chains are skipped for that connection (nf_nat_inet_fn). A namespace without nftables
 * chains walks exactly as before.
 */
import type { Ipv4 } from "../addr/ipv4";
import { formatConntrackEntry } from "../conntrack/format";
import { natPacket, setupNat, type Manip } from "../conntrack/nat";
import { reason, say, why as explain, whyInvalid, whySourcePort, whyUnrepliedUdp } from "../narrate";
import { formatRule } from "../netfilter/format";
import { readCounters, type HookName, type TableName } from "../netfilter/types";
import { walkTable, type MatchContext, type MatchedRule } from "../netfilter/walk";
import type { Netns } from "../netns";
import type { NftContext, NftMatched, NftVerdict } from "../nftables/eval";
import { nftRuntime } from "../nftables/runtime";
import type { NftChain, NftHook, NftTable } from "../nftables/types";
import type { Packet } from "../packet/packet";
import { endpoints, stepPacket } from "../trace";
import { answerWithError } from "./ip";
import type { Attached, Skb, Verdict, Walk } from "./walk";

type HookStage = TableName | "conntrack" | "confirm";

/** The order of each hook's functions by priority: raw −300, conntrack −200, mangle −150, DNAT −100, filter 0, SNAT +100, confirm last. */
export const HOOK_ORDER: Readonly<Record<HookName, readonly HookStage[]>> = {
  PREROUTING: ["raw", "conntrack", "mangle", "nat"],
  INPUT: ["mangle", "filter", "nat", "confirm"],
  FORWARD: ["mangle", "filter"],
  OUTPUT: ["raw", "conntrack", "mangle", "nat", "filter"],
  POSTROUTING: ["mangle", "nat", "confirm"],
};

/** REJECT --reject-with: the ICMP type and code each answers with (tcp-reset sends a reset instead, which is not modelled). */
const REJECT_ICMP: Readonly<Record<string, readonly [number, number]>> = {
  "icmp-net-unreachable": [3, 0],
  "icmp-host-unreachable": [3, 1],
  "icmp-proto-unreachable": [3, 2],
  "icmp-port-unreachable": [3, 3],
  "icmp-net-prohibited": [3, 9],
  "icmp-host-prohibited": [3, 10],
  "icmp-admin-prohibited": [3, 13],
};

const MANIP_OF: Readonly<Record<HookName, Manip | undefined>> = {
  PREROUTING: "dst",
  OUTPUT: "dst",
  INPUT: "src",
  POSTROUTING: "src",
  FORWARD: undefined,
};

/** Each stage's priority (nat's depends on the hook: see NAT_PRIORITY). */
const STAGE_PRIORITY: Readonly<Record<Exclude<HookStage, "nat">, number>> = { raw: -300, conntrack: -200, mangle: -150, filter: 0, confirm: 2147483647 };
const NAT_PRIORITY: Readonly<Record<HookName, number>> = { PREROUTING: -100, OUTPUT: -100, INPUT: 100, POSTROUTING: 100, FORWARD: 0 };
const NFT_HOOK: Readonly<Record<HookName, NftHook>> = { PREROUTING: "prerouting", INPUT: "input", FORWARD: "forward", OUTPUT: "output", POSTROUTING: "postrouting" };

interface NftBase {
  readonly table: NftTable;
  readonly chain: NftChain;
  readonly priority: number;
  /** Registration order; the iptables tables are 0. */
  readonly registered: number;
}

/** Priority order; of equals, the one registered last first. */
function byPriority<T extends { priority: number; registered: number }>(a: T, b: T): number {
  return a.priority - b.priority || b.registered - a.registered;
}

/** The namespace's nft base chains on `hook` (ip and inet tables), by priority. */
function nftBaseChains(ns: Netns, hook: HookName, nat: boolean): NftBase[] {
  if (!ns.hasNft) return [];
  const want = NFT_HOOK[hook];
  const out: NftBase[] = [];
  for (const table of ns.nft.tables) {
    if (table.family !== "ip" && table.family !== "inet") continue;
    for (const chain of table.chains.values()) {
      const b = chain.base;
      if (!b || b.hook !== want || (b.type === "nat") !== nat) continue;
      out.push({ table, chain, priority: b.priority, registered: chain.registered ?? 0 });
    }
  }
  return out.sort(byPriority);
}

export function hook(w: Walk, ns: Netns, hook: HookName, skb: Skb): Verdict | undefined {
  const nft = nftBaseChains(ns, hook, false);
  if (nft.length > 0) return mergedHook(w, ns, hook, skb, nft);
  for (const stage of HOOK_ORDER[hook]) {
    switch (stage) {
      case "conntrack":
        conntrackIn(w, ns, skb);
        break;
      case "confirm":
        confirm(w, ns, skb);
        break;
      case "nat": {
        const v = nat(w, ns, hook, skb);
        if (v) return v;
        break;
      }
      default: {
        const v = table(w, ns, stage, hook, skb);
        if (v) return v;
      }
    }
  }
  return undefined;
}

/** A hook with nft base chains: the iptables stages and the chains, in priority order. */
function mergedHook(w: Walk, ns: Netns, hookName: HookName, skb: Skb, nft: readonly NftBase[]): Verdict | undefined {
  type Item = { readonly priority: number; readonly registered: number; readonly run: () => Verdict | undefined };
  const items: Item[] = [];
  for (const stage of HOOK_ORDER[hookName]) {
    const priority = stage === "nat" ? NAT_PRIORITY[hookName] : STAGE_PRIORITY[stage];
    const run =
      stage === "conntrack"
        ? () => (conntrackIn(w, ns, skb), undefined)
        : stage === "confirm"
          ? () => (confirm(w, ns, skb), undefined)
          : stage === "nat"
            ? () => nat(w, ns, hookName, skb)
            : () => table(w, ns, stage, hookName, skb);
    items.push({ priority, registered: 0, run });
  }
  for (const b of nft) items.push({ priority: b.priority, registered: b.registered, run: () => nftChain(w, ns, hookName, skb, b) });
  items.sort(byPriority);
  for (const it of items) {
    const v = it.run();
    if (v) return v;
  }
  return undefined;
}

function nftContext(w: Walk, ns: Netns, hookName: HookName, skb: Skb): NftContext {
  const ct = skb.ct;
  return {
    hook: NFT_HOOK[hookName],
    ...(skb.inIface !== undefined && { inIface: skb.inIface }),
    ...(skb.outIface !== undefined && { outIface: skb.outIface }),
    mark: skb.mark,
    ...(ct
      ? { ctState: ct.state, ctSnat: ct.entry.srcNat, ctDnat: ct.entry.dstNat, tracked: true }
      : skb.ctInvalid
        ? { ctState: "INVALID" as const }
        : skb.untracked
          ? { ctState: "UNTRACKED" as const }
          : {}),
    addrType: (ip, iface) => ns.addrType(ip, iface),
    rng: w.world.rng,
  };
}

/**
 * What an nft rule did, for its step, in the words iptables steps use (so that readers of the
 * trace treat both alike): the chain it jumped or went to, or ACCEPT, DROP, RETURN, REJECT, DNAT,
 * SNAT, MASQUERADE, REDIRECT, MARK, LOG, NOTRACK, or "none" (it only counted or matched).
 */
function nftTarget(m: NftMatched): { kind: string; chain?: string } {
  const v = m.verdict;
  if (v) {
    if (v.kind === "jump" || v.kind === "goto") return { kind: v.kind, chain: v.chain! };
    return { kind: v.kind === "continue" ? "none" : v.kind.toUpperCase() };
  }
  const last = m.rule.stmts[m.rule.stmts.length - 1]!;
  switch (last.kind) {
    case "nat":
      return { kind: last.type.toUpperCase() };
    case "reject":
      return { kind: "REJECT" };
    case "notrack":
      return { kind: "NOTRACK" };
    case "log":
      return { kind: "LOG" };
    case "markset":
      return { kind: "MARK" };
    default:
      return { kind: "none" };
  }
}

function nftRuleStep(w: Walk, ns: Netns, hookName: HookName, packet: Packet, m: NftMatched, b: NftBase): void {
  const t = nftTarget(m);
  const counter = m.rule.stmts.find((s) => s.kind === "counter");
  w.step(ns, packet, say.ruleMatched(m.table.name, m.chain.name, m.index, t), {
    kind: "rule",
    table: m.table.name,
    family: m.table.family,
    chain: m.chain.name,
    hook: hookName,
    index: m.index,
    handle: m.rule.handle,
    base: { chain: b.chain.name, type: b.chain.base!.type, priority: b.priority },
    rule: nftRuntime().formatRule(m.rule, m.table.family),
    target: t.chain ?? t.kind,
    counters: counter && counter.kind === "counter" ? { pkts: counter.counter.packets, bytes: counter.counter.bytes } : { pkts: 0, bytes: 0 },
  });
}

/** nft's reject as iptables' --reject-with names it, for the ICMP answer. */
function nftRejectWith(v: Extract<NftVerdict, { kind: "drop" }>): string | undefined {
  const r = v.reject;
  if (!r) return undefined;
  if (!r.with) return "icmp-port-unreachable";
  if (r.with.type === "tcp reset") return "tcp-reset";
  return `icmp-${r.with.code ?? "port-unreachable"}`;
}

function nftWalk(w: Walk, ns: Netns, hookName: HookName, skb: Skb, b: NftBase): NftVerdict {
  const ctx = nftContext(w, ns, hookName, skb);
  const v = nftRuntime().walk(b.table, b.chain, skb.packet, ctx, (m) => nftRuleStep(w, ns, hookName, skb.packet, m, b), w.world.now);
  skb.mark = ctx.mark;
  // nft_notrack: only a packet that has no conntrack yet becomes untracked.
  if (ctx.notrack && !skb.ct && !skb.ctInvalid) skb.untracked = true;
  return v;
}

function nftDrop(w: Walk, ns: Netns, skb: Skb, b: NftBase, v: Extract<NftVerdict, { kind: "drop" }>): Verdict {
  const label = `nft ${b.table.family} ${b.table.name}`;
  const rejectWith = nftRejectWith(v);
  const why = v.by === "policy" ? reason.policy(label, b.chain.name) : reason.rule(rejectWith ? "REJECT" : "DROP", label, v.chain);
  const icmp = rejectWith !== undefined ? REJECT_ICMP[rejectWith] : undefined;
  if (icmp) answerWithError(w, ns, skb, icmp[0], icmp[1]);
  const by = v.by === "policy" ? undefined : nftRuntime().formatRule(v.by.rule, b.table.family);
  return w.drop(ns, skb.packet, rejectWith ? `${why} (${rejectWith})` : why, by, rejectWith);
}

/** One nft base chain of a filter (or route) type. */
function nftChain(w: Walk, ns: Netns, hookName: HookName, skb: Skb, b: NftBase): Verdict | undefined {
  const v = nftWalk(w, ns, hookName, skb, b);
  if (v.kind === "drop") return nftDrop(w, ns, skb, b, v);
  if (v.kind === "nat") return w.drop(ns, skb.packet, reason.natOutside(v.nat.type));
  return undefined;
}

function context(w: Walk, ns: Netns, hook: HookName, skb: Skb): MatchContext {
  const ct = skb.ct;
  return {
    hook,
    ...(skb.inIface !== undefined && { inIface: skb.inIface }),
    ...(skb.outIface !== undefined && { outIface: skb.outIface }),
    mark: skb.mark,
    ...(ct ? { ctState: ct.state, ctSnat: ct.entry.srcNat, ctDnat: ct.entry.dstNat } : skb.ctInvalid ? { ctState: "INVALID" as const } : skb.untracked ? { ctState: "UNTRACKED" as const } : {}),
    addrType: (ip, iface) => ns.addrType(ip, iface),
    rng: w.world.rng,
    nth: ns.nth,
    recent: ns.recent,
    now: w.world.now,
    ipsetHas: (name, ip) => {
      const members = ns.nf.ipsets.get(name);
      return members && members.some((c) => ((ip & c.mask) >>> 0) === c.net);
    },
    reverseRoute: (ip) => {
      const m = ns.route(ip as Ipv4);
      return m && { type: m.route.type, ...(m.route.dev !== undefined && { dev: m.route.dev }) };
    },
  };
}

function ruleStep(w: Walk, ns: Netns, hook: HookName, packet: Packet, m: MatchedRule): void {
  const t = m.rule.target;
  w.step(ns, packet, say.ruleMatched(m.table, m.chain, m.index, t), {
    kind: "rule",
    table: m.table,
    chain: m.chain,
    hook,
    index: m.index,
    rule: formatRule(m.chain, m.rule),
    target: t.kind === "jump" || t.kind === "goto" ? t.chain : t.kind,
    counters: { ...readCounters(ns.nf.tables[m.table], m.rule) },
  });
}

function table(w: Walk, ns: Netns, table: TableName, hook: HookName, skb: Skb): Verdict | undefined {
  if (!ns.nf.loaded.has(table) || !ns.nf.tables[table].chains.has(hook)) return;
  const ctx = context(w, ns, hook, skb);
  const verdict = walkTable(table, ns.nf.tables[table], hook, skb.packet, ctx, (m) => ruleStep(w, ns, hook, skb.packet, m));
  skb.mark = ctx.mark;
  // -j NOTRACK: only a packet that has no conntrack yet becomes untracked.
  if (ctx.notrack && !skb.ct && !skb.ctInvalid) skb.untracked = true;
  if (verdict.kind === "drop") {
    const by = verdict.by === "policy" ? undefined : formatRule(verdict.by.chain, verdict.by.rule);
    const why = verdict.by === "policy" ? reason.policy(table, hook) : reason.rule(verdict.rejectWith ? "REJECT" : "DROP", table, verdict.chain);
    // ipt_REJECT answers the sender for the host (nf_send_unreach: an ICMP error, as icmp_send makes one).
    const icmp = verdict.rejectWith !== undefined ? REJECT_ICMP[verdict.rejectWith] : undefined;
    if (icmp) answerWithError(w, ns, skb, icmp[0], icmp[1]);
    return w.drop(ns, skb.packet, verdict.rejectWith ? `${why} (${verdict.rejectWith})` : why, by, verdict.rejectWith);
  }
  if (verdict.kind === "nat") return w.drop(ns, skb.packet, reason.natOutside(verdict.target.kind));
  return undefined;
}

function conntrackIn(w: Walk, ns: Netns, skb: Skb): void {
  if (skb.ct || skb.ctInvalid) return; // already tracked (looped back or bridged then routed)
  if (skb.untracked) return; // nft notrack at raw priority
  if (!ns.conntrackActive()) return;
  const info = ns.ct.track(skb.packet, w.world.now);
  if (info.state === "INVALID") {
    skb.ctInvalid = info.reason;
    w.step(ns, skb.packet, say.ctInvalid(info.reason), { kind: "conntrack", event: "invalid", state: "INVALID" }, undefined, whyInvalid(info.reason));
    return;
  }
  skb.ct = info;
  const line = formatConntrackEntry(info.entry, w.world.now);
  if (info.created) {
    w.step(ns, skb.packet, say.ctNew(ns.label), {
      kind: "conntrack",
      event: "new",
      state: "NEW",
      direction: "original",
      entry: line,
      conn: info.entry.id,
    });
  } else {
    w.step(ns, skb.packet, say.ctHit(ns.label, info.dir, info.state), {
      kind: "conntrack",
      event: "hit",
      state: info.state,
      direction: info.dir,
      entry: line,
      conn: info.entry.id,
    });
    if (info.destroyed) {
      w.step(ns, skb.packet, say.ctDestroyed(ns.label), {
        kind: "conntrack",
        event: "destroy",
        state: "CLOSE",
        direction: info.dir,
        entry: line,
        conn: info.entry.id,
      });
    }
  }
}

/** nf_ct_attach: an ICMP message the stack makes carries the connection it is about, so OUTPUT's conntrack leaves it be. */
export function attachConntrack(w: Walk, ns: Netns, skb: Skb, a: Attached): void {
  skb.ct = { state: "RELATED", entry: a.entry, dir: a.dir, created: false };
  w.step(ns, skb.packet, say.ctAttached(ns.label), {
    kind: "conntrack",
    event: "hit",
    state: "RELATED",
    direction: a.dir,
    entry: formatConntrackEntry(a.entry, w.world.now),
    conn: a.entry.id,
  });
}

function confirm(w: Walk, ns: Netns, skb: Skb): void {
  const ct = skb.ct;
  // __nf_conntrack_confirm: only the packet that made the entry confirms it, not an ICMP
  // message attached to it in the other direction.
  if (!ct || ct.entry.confirmed || ct.dir !== "original") return;
  ns.ct.confirm(ct.entry);
  w.step(
    ns,
    skb.packet,
    say.ctConfirmed(ns.label),
    {
      kind: "conntrack",
      event: "confirm",
      state: ct.state,
      direction: ct.dir,
      entry: formatConntrackEntry(ct.entry, w.world.now),
      conn: ct.entry.id,
    },
    undefined,
    // The entry conntrack -L now lists says [UNREPLIED]; for UDP, which has no handshake, that puzzles.
    skb.packet.proto === "udp" ? whyUnrepliedUdp(ns.label) : undefined,
  );
}

/** nf_nat_inet_fn: decide the binding on a connection's first packet, then rewrite from conntrack. */
function nat(w: Walk, ns: Netns, hook: HookName, skb: Skb): Verdict | undefined {
  const manip = MANIP_OF[hook]!;
  const ct = skb.ct;
  const nftNat = nftBaseChains(ns, hook, true);
  if (!ct || (!ns.nf.loaded.has("nat") && nftNat.length === 0)) return;
  const e = ct.entry;
  if (ct.state === "RELATED" && skb.packet.icmp?.type === 5) {
    // nf_nat_icmp_reply_translation: a redirect would let two hosts talk past the translation,
    // so NAT drops one about a connection it translates, or whose NAT is not settled yet.
    const why = explain.redirectNat();
    if (!e.srcNatDone || !e.dstNatDone) return w.drop(ns, skb.packet, reason.redirectUnsettled(hook), undefined, undefined, why);
    if (e.srcNat || e.dstNat) return w.drop(ns, skb.packet, reason.redirectTranslated(hook), undefined, undefined, why);
  }
  const done = manip === "src" ? e.srcNatDone : e.dstNatDone;
  let decidedBy: { rule: string; kind: "SNAT" | "DNAT" | "MASQUERADE"; random: boolean } | undefined;
  if (ct.state === "NEW" && ct.dir === "original" && !done) {
    // NAT's users in their order: the iptables nat table (registered first) and the nft nat
    // chains; the first that sets up a binding decides (none: a null binding).
    type User = { readonly priority: number; readonly registered: number; readonly nft?: NftBase };
    const users: User[] = [...(ns.nf.loaded.has("nat") ? [{ priority: NAT_PRIORITY[hook], registered: 0 }] : []), ...nftNat.map((b) => ({ priority: b.priority, registered: b.registered, nft: b }))];
    users.sort(byPriority);
    let range: { minIp: Ipv4; maxIp: Ipv4; ports?: { min: number; max: number }; randomPorts: boolean } | undefined;
    for (const u of users) {
      if (!u.nft) {
        const ctx = context(w, ns, hook, skb);
        const verdict = walkTable("nat", ns.nf.tables.nat, hook, skb.packet, ctx, (m) => ruleStep(w, ns, hook, skb.packet, m));
        skb.mark = ctx.mark;
        if (verdict.kind === "drop") return w.drop(ns, skb.packet, reason.rule("DROP", "nat", verdict.chain), verdict.by === "policy" ? undefined : formatRule(verdict.by.chain, verdict.by.rule));
        if (verdict.kind !== "nat") continue;
        const t = verdict.target;
        if (t.kind === "MASQUERADE") {
          const addr = ns.primaryAddress(skb.outIface!, skb.nexthop);
          if (addr === undefined) return w.drop(ns, skb.packet, reason.masqNoAddress(skb.outIface!));
          range = { minIp: addr, maxIp: addr, ...(t.ports && { ports: t.ports }), randomPorts: t.random || t.randomFully };
        } else {
          const randomPorts = t.kind !== "DNAT" && (t.random || t.randomFully);
          range = { minIp: t.range.minIp as Ipv4, maxIp: t.range.maxIp as Ipv4, ...(t.range.ports && { ports: t.range.ports }), randomPorts: randomPorts || (t.kind === "DNAT" && t.random) };
        }
        decidedBy = { rule: formatRule(verdict.by.chain, verdict.by.rule), kind: t.kind, random: t.kind !== "DNAT" && (t.random || t.randomFully) };
        break;
      }
      const b = u.nft;
      const v = nftWalk(w, ns, hook, skb, b);
      if (v.kind === "drop") return nftDrop(w, ns, skb, b, v);
      if (v.kind !== "nat") continue;
      const n = v.nat;
      const random = n.flags.includes("random") || n.flags.includes("fully-random");
      const ports = n.range?.minPort !== undefined ? { ports: { min: n.range.minPort, max: n.range.maxPort ?? n.range.minPort } } : {};
      if (n.type === "masquerade" || n.type === "redirect") {
        // redirect: the address of the interface the packet came in on (127.0.0.1 for local traffic).
        const addr = n.type === "masquerade" ? ns.primaryAddress(skb.outIface!, skb.nexthop) : skb.inIface !== undefined ? ns.primaryAddress(skb.inIface) : (0x7f000001 as Ipv4);
        if (addr === undefined) return w.drop(ns, skb.packet, reason.masqNoAddress(skb.outIface ?? skb.inIface ?? "?"));
        range = { minIp: addr, maxIp: addr, ...ports, randomPorts: n.type === "masquerade" && random };
      } else {
        const minIp = (n.range?.minIp ?? 0) as Ipv4;
        range = { minIp, maxIp: (n.range?.maxIp ?? minIp) as Ipv4, ...ports, randomPorts: random };
      }
      const kind = n.type === "masquerade" ? "MASQUERADE" : n.type === "snat" ? "SNAT" : "DNAT";
      decidedBy = { rule: nftRuntime().formatRule(v.by.rule, b.table.family), kind, random: kind !== "DNAT" && random };
      break;
    }
    let changed: boolean;
    if (range) changed = setupNat(ns.ct, e, manip, range, w.world.rng, w.world.now);
    else {
      const curr = manip === "src" ? e.reply.dst : e.reply.src;
      changed = setupNat(ns.ct, e, manip, { minIp: curr, maxIp: curr, randomPorts: false }, w.world.rng, w.world.now);
    }
    if (manip === "src") {
      e.srcNatDone = true;
      if (changed) e.srcNat = true;
    } else {
      e.dstNatDone = true;
      if (changed) e.dstNat = true;
    }
  }
  const before = skb.packet;
  const after = natPacket(e, ct.dir, manip, before);
  if (after === before) return undefined;
  skb.packet = after;
  const changedFields: ("src" | "dst" | "sport" | "dport" | "icmpId")[] = [];
  if (before.src !== after.src) changedFields.push("src");
  if (before.dst !== after.dst) changedFields.push("dst");
  if (before.sport !== after.sport) changedFields.push("sport");
  if (before.dport !== after.dport) changedFields.push("dport");
  if (before.icmp && after.icmp && before.icmp.id !== after.icmp.id) changedFields.push("icmpId");
  const type =
    ct.dir === "reply" ? (manip === "dst" ? "un-SNAT" : "un-DNAT") : decidedBy?.kind === "MASQUERADE" ? "MASQUERADE" : manip === "src" ? "SNAT" : "DNAT";
  const text = ct.dir === "reply" ? say.natReversed(manip, endpoints(before), endpoints(after)) : say.natApplied(type, manip, endpoints(before), endpoints(after));
  // The binding's first source NAT says why the port stayed (or moved): a kept port surprises.
  const why =
    decidedBy && decidedBy.kind !== "DNAT" && manip === "src"
      ? whySourcePort(decidedBy.kind, before.proto, before.proto === "icmp" ? before.icmp?.id : before.sport, after.proto === "icmp" ? after.icmp?.id : after.sport, decidedBy.random)
      : undefined;
  w.step(ns, after, text, {
    kind: "nat",
    type,
    before: stepPacket(before),
    after: stepPacket(after),
    changed: changedFields,
    ...(decidedBy && { rule: decidedBy.rule }),
    conntrack: formatConntrackEntry(e, w.world.now),
    conn: e.id,
  }, undefined, why);
  return undefined;
}

