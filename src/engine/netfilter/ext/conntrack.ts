/** -m conntrack (libxt_conntrack): the connection's state; only --ctstate is simulated. */
import { CT_STATE_ORDER, type ConnState, type Negatable } from "../types";
import type { MatchContext } from "../walk";
import { Fail, type MatchDraft, type MatchModule } from "./api";
import { neg } from "./common";

export interface ConntrackMatch {
  readonly kind: "conntrack";
  readonly ctstate: Negatable<readonly ConnState[]>;
}

const STATES = new Set<string>(CT_STATE_ORDER);

/** The comma-separated states of the option (--ctstate, --state) a match needs; `missing` says it is not there. */
export function requiredStates(m: MatchDraft, option: string, missing: string): Negatable<readonly ConnState[]> {
  const o = m.opts.get(option);
  if (!o) throw new Fail(m.column, missing);
  const states: ConnState[] = [];
  for (const s of o.value[0]!.split(",")) {
    if (!STATES.has(s)) throw new Fail(o.column, `unknown connection state "${s}" (expected ${CT_STATE_ORDER.join(", ")})`);
    states.push(s as ConnState);
  }
  return { value: states, invert: o.invert };
}

/** States in the order libxt_conntrack prints them, whatever order they were given in. */
export function formatStates(states: readonly ConnState[]): string {
  return CT_STATE_ORDER.filter((s) => states.includes(s)).join(",");
}

function statesOf(ctx: MatchContext): ConnState[] {
  const s: ConnState[] = [ctx.ctState ?? "UNTRACKED"];
  if (ctx.ctSnat) s.push("SNAT");
  if (ctx.ctDnat) s.push("DNAT");
  return s;
}

export const conntrack: MatchModule<ConntrackMatch> = {
  options: { ctstate: 1 },
  parse: (m) => ({ kind: "conntrack", ctstate: requiredStates(m, "ctstate", "match conntrack needs --ctstate (the only option supported)") }),
  match(m, _p, ctx) {
    const states = statesOf(ctx);
    return m.ctstate.value.some((s) => states.includes(s)) !== m.ctstate.invert;
  },
  save: (m) => ` -m conntrack${neg(m.ctstate.invert)} --ctstate ${formatStates(m.ctstate.value)}`,
  list: (m) => (m.ctstate.invert ? " !" : "") + ` ctstate ${formatStates(m.ctstate.value)}`,
};
