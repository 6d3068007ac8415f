/**
 * -j NOTRACK (the CT target's --notrack, in the raw table): the packet gets no conntrack entry,
 * so it is UNTRACKED and no NAT applies to it; the walk goes on to the next rule (XT_CONTINUE).
 */
import { CONTINUE, type TargetModule } from "./api";

export interface NotrackTarget {
  readonly kind: "NOTRACK";
}

export const NOTRACK: TargetModule<NotrackTarget> = {
  named: true,
  options: {},
  tables: ["raw"],
  parse: () => ({ kind: "NOTRACK" }),
  apply(_t, ctx) {
    ctx.notrack = true;
    return CONTINUE;
  },
  save: () => " -j NOTRACK",
  // iptables -L names the target by its module, CT (checked in the lab).
  list: () => " NOTRACK",
  column: () => "CT",
};
