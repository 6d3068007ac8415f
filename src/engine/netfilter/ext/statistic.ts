/** -m statistic (libxt_statistic): a random share of packets, or every nth (kube-proxy's load balancing). */
import { Fail, type MatchModule } from "./api";
import { neg, parseNumber } from "./common";

export type StatisticMatch =
  | {
      readonly kind: "statistic";
      readonly invert: boolean;
      /** random: probability as the kernel stores it, lround(p * 2^31). */
      readonly mode: "random";
      readonly probability: number;
    }
  | { readonly kind: "statistic"; readonly invert: boolean; readonly mode: "nth"; readonly every: number; readonly packet: number };

/** Probability as iptables prints it back: the kernel's 31-bit fixed point with %.11f. */
export function formatProbability(stored: number): string {
  return (stored / 0x80000000).toFixed(11);
}

export const statistic: MatchModule<StatisticMatch> = {
  options: { mode: 1, probability: 1, every: 1, packet: 1 },
  parse(m) {
    const mode = m.opts.get("mode")?.value[0] ?? "";
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
      if (packet >= every) throw new Fail(p.column, "--packet must be less than --every");
      return { kind: "statistic", mode: "nth", invert: e.invert, every, packet };
    }
    throw new Fail(m.opts.get("mode")?.column ?? m.column, `match statistic needs --mode random or --mode nth`);
  },
  match(m, _p, ctx) {
    if (m.mode === "random") return ((ctx.rng.nextU32() & 0x7fffffff) < m.probability) !== m.invert;
    // xt_statistic: the counter starts at every-1-packet, steps up to every-1 then wraps to 0,
    // and the rule matches on the wrap (checked in the lab: --every 3 --packet 0 takes packets 1, 4, 7).
    const prev = ctx.nth.get(m) ?? m.every - 1 - m.packet;
    const next = prev === m.every - 1 ? 0 : prev + 1;
    ctx.nth.set(m, next);
    return (next === 0) !== m.invert;
  },
  save(m) {
    if (m.mode === "random") return ` -m statistic --mode random${neg(m.invert)} --probability ${formatProbability(m.probability)}`;
    return ` -m statistic --mode nth${neg(m.invert)} --every ${m.every} --packet ${m.packet}`;
  },
  list(m) {
    const inv = m.invert ? " !" : "";
    if (m.mode === "random") return ` statistic mode random${inv} probability ${formatProbability(m.probability)}`;
    return ` statistic mode nth${inv} every ${m.every}` + (m.packet ? ` packet ${m.packet}` : "");
  },
};
