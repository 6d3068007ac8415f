/** -j SNAT (libipt_SNAT): rewrite the source of the connection to a given address. */
import type { TargetModule } from "./api";
import { flagWords, formatNatRange, natVerdict, requiredRange, type NatRange } from "./nat-range";

export interface SnatTarget {
  readonly kind: "SNAT";
  readonly range: NatRange;
  readonly random: boolean;
  readonly randomFully: boolean;
  readonly persistent: boolean;
}

const flags = (t: SnatTarget) => ({ random: t.random, "random-fully": t.randomFully, persistent: t.persistent });

export const SNAT: TargetModule<SnatTarget> = {
  named: true,
  options: { "to-source": 1, random: 0, "random-fully": 0, persistent: 0 },
  tables: ["nat"],
  hooks: ["POSTROUTING", "INPUT"],
  parse(t, rule) {
    const range = requiredRange(t, rule, "to-source");
    return { kind: "SNAT", range, random: t.opts.has("random"), randomFully: t.opts.has("random-fully"), persistent: t.opts.has("persistent") };
  },
  apply: natVerdict,
  save: (t) => ` -j SNAT --to-source ${formatNatRange(t.range)}` + flagWords(flags(t), "--"),
  list: (t) => ` to:${formatNatRange(t.range)}` + flagWords(flags(t), ""),
};
