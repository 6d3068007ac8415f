/**
 * -m rpfilter (xt_rpfilter): the reverse-path check. The packet's source is looked up as a
 * destination (with the skb's mark when --validmark); it passes when that route is unicast and
 * leaves by the device the packet came in on (--loose: any device; --accept-local: a local
 * route too). A zero source passes. Calico's raw cali-PREROUTING drops workloads' packets that
 * fail it (`--validmark --invert`), its anti-spoofing check.
 */
import { Fail, type MatchModule } from "./api";

export interface RpfilterMatch {
  readonly kind: "rpfilter";
  readonly invert: boolean;
  readonly loose: boolean;
  readonly validmark: boolean;
  readonly acceptLocal: boolean;
}

export const rpfilter: MatchModule<RpfilterMatch> = {
  options: { loose: 0, validmark: 0, "accept-local": 0, invert: 0 },
  parse(m) {
    for (const [k, o] of m.opts) if (o.invert) throw new Fail(o.column, `rpfilter's --${k} cannot be negated ("--invert" negates the match)`);
    return { kind: "rpfilter", invert: m.opts.has("invert"), loose: m.opts.has("loose"), validmark: m.opts.has("validmark"), acceptLocal: m.opts.has("accept-local") };
  },
  match(m, p, ctx) {
    let valid = true;
    if (p.src !== 0) {
      const r = ctx.reverseRoute?.(p.src);
      valid = r !== undefined && ((r.type === "unicast" && (m.loose || r.dev === ctx.inIface)) || (r.type === "local" && m.acceptLocal));
    }
    return valid !== m.invert;
  },
  save: (m) => ` -m rpfilter${m.loose ? " --loose" : ""}${m.validmark ? " --validmark" : ""}${m.acceptLocal ? " --accept-local" : ""}${m.invert ? " --invert" : ""}`,
  list: (m) => ` rpfilter${m.loose ? " loose" : ""}${m.validmark ? " validmark" : ""}${m.acceptLocal ? " accept-local" : ""}${m.invert ? " invert" : ""}`,
};
