/**
 * The registry of netfilter extensions: every match (`-m NAME`) and target (`-j NAME`) the model
 * knows, one module each. parse.ts, walk.ts, format.ts and shell/iptables-list.ts reach a match
 * or a target only through here.
 *
 * To add one, write ext/<name>.ts exporting
 *  - the type of its value: an interface with a literal `kind` (for a match, the name after -m),
 *    added to the Match or Target union in ../types.ts;
 *  - its module, a MatchModule or TargetModule (./api.ts): the options it takes and how many
 *    words each has; `parse`, from those options to the value, throwing Fail(column, message)
 *    for what iptables would refuse; `match` (for a target, `apply`: what the walk does next);
 *    `save`, its iptables-save text; `list`, its `iptables -L` text (with and without -n);
 * then list the module below under its kind. The compiler refuses a kind without a module.
 */
import type { Match, MatchKind, Target, TargetKind } from "../types";
import type { MatchModule, TargetDraft, TargetModule } from "./api";
import { addrtype } from "./addrtype";
import { comment } from "./comment";
import { conntrack } from "./conntrack";
import { DNAT } from "./dnat";
import { icmp } from "./icmp";
import { goto, jump } from "./jump";
import { LOG } from "./log";
import { mark } from "./mark";
import { MARK } from "./mark-target";
import { MASQUERADE } from "./masquerade";
import { multiport } from "./multiport";
import { nfacct } from "./nfacct";
import { NOTRACK } from "./notrack";
import { recent } from "./recent";
import { REJECT } from "./reject";
import { rpfilter } from "./rpfilter";
import { set } from "./set";
import { SNAT } from "./snat";
import { ACCEPT, DROP, none, RETURN_TARGET } from "./standard";
import { state } from "./state";
import { statistic } from "./statistic";
import { tcp } from "./tcp";
import { udp } from "./udp";

/** The member of a union `U` whose kind takes `K`. */
type Member<U, K> = U extends { readonly kind: infer UK } ? (K extends UK ? U : never) : never;

/** Matches by kind, which is the name after -m; in this order in the "supported" list of an error. */
const MATCHES = { comment, tcp, udp, icmp, mark, addrtype, statistic, conntrack, state, multiport, recent, nfacct, set, rpfilter } satisfies {
  readonly [K in MatchKind]: MatchModule<Member<Match, K>>;
};

/** Targets by kind: `-j KIND` for the named ones, a user chain (jump, goto), or no -j at all (none). */
const TARGETS = { ACCEPT, DROP, RETURN: RETURN_TARGET, REJECT, DNAT, SNAT, MASQUERADE, MARK, LOG, NOTRACK, jump, goto, none } satisfies {
  readonly [K in TargetKind]: TargetModule<Member<Target, K>>;
};

const MATCH_BY_NAME: ReadonlyMap<string, MatchModule> = new Map(Object.entries(MATCHES));
const TARGET_BY_KIND: ReadonlyMap<string, TargetModule> = new Map(Object.entries(TARGETS));
const TARGET_BY_NAME: ReadonlyMap<string, TargetModule> = new Map(Object.entries(TARGETS).filter(([, t]) => t.named));
/** The match `-p PROTO` loads by itself when one of its options follows (tcp, udp, icmp), by protocol number. */
const IMPLICIT: ReadonlyMap<number, { readonly name: string; readonly module: MatchModule }> = new Map(
  [...MATCH_BY_NAME].flatMap(([name, module]) => (module.implicitFor === undefined ? [] : [[module.implicitFor, { name, module }] as const])),
);

/** The names `-m` takes, in registry order. */
export const MATCH_NAMES: readonly string[] = Object.keys(MATCHES);

/** The module `-m NAME` loads, if there is one. */
export function matchByName(name: string): MatchModule | undefined {
  return MATCH_BY_NAME.get(name);
}

/** The module `-j NAME` names, if NAME is a target rather than a chain. */
export function targetByName(name: string): TargetModule | undefined {
  return TARGET_BY_NAME.get(name);
}

/** The match (and its name) loaded implicitly by `-p` with this protocol number, if any. */
export function implicitMatch(proto: number): { readonly name: string; readonly module: MatchModule } | undefined {
  return IMPLICIT.get(proto);
}

/** The module of a parsed match. */
export function matchModule(m: Match): MatchModule {
  return MATCH_BY_NAME.get(m.kind)!;
}

/** The module of a parsed target. */
export function targetModule(t: Target): TargetModule {
  return TARGET_BY_KIND.get(t.kind)!;
}

/** The module that parses a rule's -j or -g: a goto, the target named, or else a jump to a chain. */
export function draftTarget(t: TargetDraft): TargetModule {
  return t.goto ? goto : (t.module ?? jump);
}
