/** -j DNAT (libipt_DNAT): rewrite the destination of the connection. */
import type { TargetModule } from "./api";
import { flagWords, formatNatRange, natVerdict, requiredRange, type NatRange } from "./nat-range";

export interface DnatTarget {
  readonly kind: "DNAT";
  readonly range: NatRange;
  readonly random: boolean;
  readonly persistent: boolean;
}

const flags = (t: DnatTarget) => ({ random: t.random, persistent: t.persistent });

export const DNAT: TargetModule<DnatTarget> = {
  named: true,
  options: { "to-destination": 1, random: 0, persistent: 0 },
  tables: ["nat"],
  hooks: ["PREROUTING", "OUTPUT"],
  parse(t, rule) {
    const range = requiredRange(t, rule, "to-destination");
    return { kind: "DNAT", range, random: t.opts.has("random"), persistent: t.opts.has("persistent") };
  },
  apply: natVerdict,
  save: (t) => ` -j DNAT --to-destination ${formatNatRange(t.range)}` + flagWords(flags(t), "--"),
  list: (t) => ` to:${formatNatRange(t.range)}` + flagWords(flags(t), ""),
};
