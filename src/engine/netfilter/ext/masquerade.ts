/** -j MASQUERADE (libipt_MASQUERADE): SNAT to the address of the outgoing interface. */
import type { PortRange } from "../types";
import type { TargetModule } from "./api";
import { parsePortRange, portRange } from "./common";
import { checkPortProto, flagWords, natVerdict } from "./nat-range";

export interface MasqueradeTarget {
  readonly kind: "MASQUERADE";
  readonly ports?: PortRange;
  readonly random: boolean;
  readonly randomFully: boolean;
}

export const MASQUERADE: TargetModule<MasqueradeTarget> = {
  named: true,
  options: { "to-ports": 1, random: 0, "random-fully": 0 },
  tables: ["nat"],
  hooks: ["POSTROUTING"],
  parse(t, rule) {
    const o = t.opts.get("to-ports");
    const ports = o ? parsePortRange(o.value[0]!, o.column, "-") : undefined;
    checkPortProto(t, rule, ports);
    return { kind: "MASQUERADE", ...(ports && { ports }), random: t.opts.has("random"), randomFully: t.opts.has("random-fully") };
  },
  apply: natVerdict,
  save: (t) => " -j MASQUERADE" + (t.ports ? ` --to-ports ${portRange(t.ports, "-")}` : "") + flagWords({ random: t.random, "random-fully": t.randomFully }, "--"),
  // 1.6.1 knows no --random-fully (added in 1.6.2): a rule carrying it lists without it.
  list: (t) => (t.ports ? ` masq ports: ${portRange(t.ports, "-")}` : "") + flagWords({ random: t.random }, ""),
};
