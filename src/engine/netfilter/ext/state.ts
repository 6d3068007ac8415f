/** -m state (libxt_state): the connection's state, as conntrack's --ctstate without the NAT states. */
import type { ConnState, Negatable } from "../types";
import type { MatchModule } from "./api";
import { neg } from "./common";
import { formatStates, requiredStates } from "./conntrack";

export interface StateMatch {
  readonly kind: "state";
  readonly state: Negatable<readonly ConnState[]>;
}

export const state: MatchModule<StateMatch> = {
  options: { state: 1 },
  parse: (m) => ({ kind: "state", state: requiredStates(m, "state", "match state needs --state") }),
  match: (m, _p, ctx) => m.state.value.includes(ctx.ctState ?? "UNTRACKED") !== m.state.invert,
  save: (m) => ` -m state${neg(m.state.invert)} --state ${formatStates(m.state.value)}`,
  // 1.6.1 loads -m state as an alias of conntrack and prints it through conntrack's dump.
  list: (m) => (m.state.invert ? " !" : "") + ` state ${formatStates(m.state.value)}`,
};
