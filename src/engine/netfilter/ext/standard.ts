/** The standard targets: the verdicts ACCEPT and DROP, RETURN, and a rule without -j (it only counts). */
import { CONTINUE, RETURN, type TargetModule } from "./api";

export interface AcceptTarget {
  readonly kind: "ACCEPT";
}
export interface DropTarget {
  readonly kind: "DROP";
}
export interface ReturnTarget {
  readonly kind: "RETURN";
}
/** A rule without -j: it only counts. */
export interface NoTarget {
  readonly kind: "none";
}

/** `-j KIND`, with no options and no text of its own in `iptables -L`. */
function standard<T extends AcceptTarget | DropTarget | ReturnTarget>(kind: T["kind"], apply: TargetModule<T>["apply"]): TargetModule<T> {
  return { named: true, options: {}, parse: () => ({ kind }) as T, apply, save: () => ` -j ${kind}`, list: () => "" };
}

export const ACCEPT = standard<AcceptTarget>("ACCEPT", (_t, _ctx, by) => ({ kind: "accept", by, chain: by.chain }));
export const DROP = standard<DropTarget>("DROP", (_t, _ctx, by) => ({ kind: "drop", by, chain: by.chain }));
export const RETURN_TARGET = standard<ReturnTarget>("RETURN", () => RETURN);

export const NO_TARGET: NoTarget = Object.freeze({ kind: "none" });

export const none: TargetModule<NoTarget> = {
  named: false,
  options: {},
  parse: () => NO_TARGET,
  apply: () => CONTINUE,
  save: () => "",
  list: () => "",
  column: () => "",
};
