/** -j MARK (libxt_MARK): set bits of the skb mark; the walk goes on to the next rule. */
import { CONTINUE, Fail, type TargetModule } from "./api";
import { hex, parseNumber } from "./common";

/** MARK as the kernel keeps it: mark = (mark & ~mask) ^ value. */
export interface MarkTarget {
  readonly kind: "MARK";
  readonly value: number;
  readonly mask: number;
}

const OPERATIONS = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"];

export const MARK: TargetModule<MarkTarget> = {
  named: true,
  options: { "set-xmark": 1, "set-mark": 1, "and-mark": 1, "or-mark": 1, "xor-mark": 1 },
  parse(t) {
    const given = OPERATIONS.filter((k) => t.opts.has(k));
    if (given.length !== 1) throw new Fail(t.column, "target MARK needs exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark");
    const k = given[0]!;
    const o = t.opts.get(k)!;
    const [vText, mText] = o.value[0]!.split("/");
    const v = parseNumber(vText!, o.column, "mark");
    const mask = mText === undefined ? undefined : parseNumber(mText, o.column, "mask");
    if (mask !== undefined && k !== "set-xmark" && k !== "set-mark") throw new Fail(o.column, `--${k} takes no mask`);
    // Every operation as the value/mask pair libxt_MARK hands the kernel (and iptables-save prints).
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
  },
  apply(t, ctx) {
    ctx.mark = ((ctx.mark & ~t.mask) ^ t.value) >>> 0;
    return CONTINUE;
  },
  save: (t) => ` -j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`,
  list({ value, mask }) {
    if (value === 0) return ` MARK and ${hex(~mask >>> 0)}`;
    if (value === mask) return ` MARK or ${hex(value)}`;
    if (mask === 0) return ` MARK xor ${hex(value)}`;
    if (mask >>> 0 === 0xffffffff) return ` MARK set ${hex(value)}`;
    return ` MARK xset ${hex(value)}/${hex(mask)}`;
  },
};
