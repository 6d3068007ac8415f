/** -m comment (libxt_comment): text that matches everything. */
import { Fail, type MatchModule } from "./api";
import { quote } from "./common";

export interface CommentMatch {
  readonly kind: "comment";
  readonly comment: string;
}

export const comment: MatchModule<CommentMatch> = {
  options: { comment: 1 },
  parse(m) {
    const o = m.opts.get("comment");
    if (!o) throw new Fail(m.column, `match comment needs --comment`);
    if (o.invert) throw new Fail(o.column, `"!" cannot negate --comment`);
    if (o.value[0]!.length > 255) throw new Fail(o.column, "a comment must be at most 255 characters");
    return { kind: "comment", comment: o.value[0]! };
  },
  match: () => true,
  save: (m) => ` -m comment --comment ${quote(m.comment)}`,
  list: (m) => ` /* ${m.comment} */`,
};
