/** -m mark (libxt_mark): the skb mark under a mask. */
import { Fail, type MatchModule } from "./api";
import { hex, neg, parseNumber } from "./common";

export interface MarkMatch {
  readonly kind: "mark";
  readonly invert: boolean;
  readonly value: number;
  readonly mask: number;
}

export const mark: MatchModule<MarkMatch> = {
  options: { mark: 1 },
  parse(m) {
    const o = m.opts.get("mark");
    if (!o) throw new Fail(m.column, "match mark needs --mark");
    const [v, mask] = o.value[0]!.split("/");
    return {
      kind: "mark",
      invert: o.invert,
      value: parseNumber(v!, o.column, "mark"),
      mask: mask === undefined ? 0xffffffff : parseNumber(mask, o.column, "mask"),
    };
  },
  match: (m, _p, ctx) => (((ctx.mark & m.mask) >>> 0) === m.value) !== m.invert,
  save: (m) => ` -m mark${neg(m.invert)} --mark ${hex(m.value)}${m.mask === 0xffffffff ? "" : "/" + hex(m.mask)}`,
  list: (m) => " mark match" + (m.invert ? " !" : "") + ` ${hex(m.value)}` + (m.mask === 0xffffffff ? "" : `/${hex(m.mask)}`),
};
