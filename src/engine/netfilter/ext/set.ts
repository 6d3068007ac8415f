/**
 * -m set (libxt_set, revision 4 as iptables 1.8 loads it): whether the packet's source or
 * destination address is a member of an ipset. Only the single-dimension form (`src` or `dst`)
 * of an address set (hash:net) is modelled: the sets Calico's felix keeps of its IP pools.
 * The sets themselves are the namespace's (Ruleset.ipsets); a set that does not exist matches
 * nothing here, where the kernel would have refused the rule ("Set … doesn't exist.").
 */
import { Fail, type MatchModule } from "./api";

export interface SetMatch {
  readonly kind: "set";
  readonly invert: boolean;
  readonly name: string;
  readonly dir: "src" | "dst";
}

export const set: MatchModule<SetMatch> = {
  options: { "match-set": 2 },
  parse(m) {
    const o = m.opts.get("match-set");
    if (!o) throw new Fail(m.column, "match set needs --match-set NAME src|dst");
    const [name, flags] = o.value as [string, string];
    if (name.length > 31) throw new Fail(o.column, `set name "${name}" is longer than 31 characters`);
    if (flags !== "src" && flags !== "dst") throw new Fail(o.column, `--match-set ${name} "${flags}": only a single src or dst is modelled`);
    return { kind: "set", invert: o.invert, name, dir: flags };
  },
  match: (m, p, ctx) => (ctx.ipsetHas?.(m.name, m.dir === "src" ? p.src : p.dst) ?? false) !== m.invert,
  // As iptables 1.8.9 saved and listed felix's nat-outgoing rule in the lab (sets made over netlink, docs/kernel-lab-notes.md, Calico).
  save: (m) => `${m.invert ? " -m set !" : " -m set"} --match-set ${m.name} ${m.dir}`,
  list: (m) => `${m.invert ? " !" : ""} match-set ${m.name} ${m.dir}`,
};
