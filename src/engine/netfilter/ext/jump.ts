/** `-j CHAIN` and `-g CHAIN`: a user chain as the target (iptables' standard target with a chain). */
import { Fail, type TargetModule } from "./api";

export interface JumpTarget {
  readonly kind: "jump";
  readonly chain: string;
}
export interface GotoTarget {
  readonly kind: "goto";
  readonly chain: string;
}

export const jump: TargetModule<JumpTarget> = {
  named: false,
  options: {},
  parse(t) {
    // Whether the chain exists is checked at COMMIT, when all chains are known.
    if (t.opts.size > 0) throw new Fail(t.column, `target "${t.name}" takes no options`);
    return { kind: "jump", chain: t.name };
  },
  // The walk pushes a return point and enters the chain.
  apply: (t) => t,
  save: (t) => ` -j ${t.chain}`,
  list: () => "",
  column: (t) => t.chain,
};

export const goto: TargetModule<GotoTarget> = {
  named: false,
  options: {},
  parse: (t) => ({ kind: "goto", chain: t.name }),
  // The walk enters the chain without a return point.
  apply: (t) => t,
  save: (t) => ` -g ${t.chain}`,
  // The row's "[goto] " is printed with the header columns, as iptables does for IPT_F_GOTO.
  list: () => "",
  column: (t) => t.chain,
};
