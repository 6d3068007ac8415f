/** -m recent (xt_recent): lists of addresses per name, per namespace (kube-proxy's ClientIP affinity). */
import { formatIpv4, isIpv4, parseIpv4 } from "../../addr/ipv4";
import type { Packet } from "../../packet/packet";
import type { MatchContext } from "../walk";
import { Fail, type MatchModule } from "./api";
import { neg, parseNumber } from "./common";

export interface RecentMatch {
  readonly kind: "recent";
  readonly invert: boolean;
  readonly mode: "set" | "rcheck" | "update" | "remove";
  readonly seconds?: number;
  readonly reap: boolean;
  readonly hitcount?: number;
  readonly rttl: boolean;
  readonly name: string;
  readonly mask: number;
  readonly side: "source" | "dest";
}

/** xt_recent keeps the last ip_pkt_list_tot (20) timestamps per address. */
const RECENT_STAMPS = 20;

/** recent_mt: look the address up in the named list, then set, check, update or remove. */
function matchRecent(m: RecentMatch, p: Packet, ctx: MatchContext): boolean {
  const lists = ctx.recent;
  if (!lists) return m.invert;
  const now = ctx.now ?? 0;
  let list = lists.get(m.name);
  if (!list) lists.set(m.name, (list = new Map()));
  const addr = ((m.side === "source" ? p.src : p.dst) & m.mask) >>> 0;
  const stamps = list.get(addr);
  if (!stamps) {
    if (m.mode !== "set") return m.invert;
    list.set(addr, [now]);
    return !m.invert;
  }
  let hit = false;
  if (m.mode === "set") hit = true;
  else if (m.mode === "remove") {
    list.delete(addr);
    return !m.invert;
  } else if (m.seconds !== undefined || m.hitcount !== undefined) {
    const since = now - (m.seconds ?? 0) * 1000;
    let hits = 0;
    for (const t of stamps) {
      if (m.seconds !== undefined && t < since) continue;
      if (m.hitcount === undefined || ++hits >= m.hitcount) {
        hit = true;
        break;
      }
    }
    // --reap (the kernel requires --seconds with it) may remove the oldest entry, even the one
    // being checked unless --update is about to refresh it.
    if (m.reap) reapOldest(list, m.mode === "update" && hit !== m.invert ? addr : undefined, since);
  } else hit = true;
  const result = hit !== m.invert;
  // --update refreshes the entry when the rule's final answer (after !) is a match.
  if (m.mode === "set" || (m.mode === "update" && result)) {
    const next = [...(list.get(addr) ?? []), now].slice(-RECENT_STAMPS);
    // Maps keep insertion order: re-inserting keeps the list least recently used first.
    list.delete(addr);
    list.set(addr, next);
  }
  return result;
}

/** recent_entry_reap: the least recently used entry goes if its last time is too old, unless --update is refreshing it. */
function reapOldest(list: Map<number, number[]>, protect: number | undefined, since: number): void {
  for (const [addr, stamps] of list) {
    if (addr !== protect && stamps[stamps.length - 1]! < since) list.delete(addr);
    return;
  }
}

const MODES = ["set", "rcheck", "update", "remove"] as const;

export const recent: MatchModule<RecentMatch> = {
  options: { set: 0, rcheck: 0, update: 0, remove: 0, seconds: 1, reap: 0, hitcount: 1, rttl: 0, name: 1, mask: 1, rsource: 0, rdest: 0 },
  parse(m) {
    const modes = MODES.filter((k) => m.opts.get(k));
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
  },
  match: matchRecent,
  save(m) {
    // libxt_recent's save order: mode, --seconds, --reap, --hitcount, --rttl, --name, --mask, side.
    let s = ` -m recent${neg(m.invert)} --${m.mode}`;
    if (m.seconds !== undefined) s += ` --seconds ${m.seconds}`;
    if (m.reap) s += " --reap";
    if (m.hitcount !== undefined) s += ` --hitcount ${m.hitcount}`;
    if (m.rttl) s += " --rttl";
    return s + ` --name ${m.name} --mask ${formatIpv4(m.mask)} --${m.side === "source" ? "rsource" : "rdest"}`;
  },
  list(m) {
    const mode = { set: "SET", rcheck: "CHECK", update: "UPDATE", remove: "REMOVE" }[m.mode];
    let s = (m.invert ? " !" : "") + ` recent: ${mode}`;
    if (m.seconds !== undefined) s += ` seconds: ${m.seconds}`;
    if (m.reap) s += " reap";
    if (m.hitcount !== undefined) s += ` hit_count: ${m.hitcount}`;
    if (m.rttl) s += " TTL-Match";
    return s + ` name: ${m.name} side: ${m.side} mask: ${formatIpv4(m.mask)}`;
  },
};
