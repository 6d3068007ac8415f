/**
 * -m nfacct (libxt_nfacct): counts the packet in a named extended-accounting object
 * (nfnetlink_acct) and always matches. kube-proxy since v1.29 puts one on its INVALID drop and on
 * localhost NodePorts when the kernel has nfnetlink_acct. Its save form is the one a real node's
 * iptables-save shows (` -m nfacct --nfacct-name ct_state_invalid_dropped_pkts`); the kernel of
 * Hopscope's lab has no xt_nfacct (iptables refuses the match there), so the `-L` form follows
 * libxt_nfacct's print function and is not checked against a kernel.
 */
import { Fail, type MatchModule } from "./api";
import { quote } from "./common";

export interface NfacctMatch {
  readonly kind: "nfacct";
  readonly name: string;
}

/** NFACCT_NAME_MAX: the object's name is at most 31 bytes. */
const NAME_MAX = 31;

export const nfacct: MatchModule<NfacctMatch> = {
  options: { "nfacct-name": 1 },
  parse(m) {
    const o = m.opts.get("nfacct-name");
    if (!o) throw new Fail(m.column, "match nfacct needs --nfacct-name");
    if (o.invert) throw new Fail(o.column, `"!" cannot negate --nfacct-name`);
    const name = o.value[0]!;
    if (name.length === 0 || name.length > NAME_MAX) throw new Fail(o.column, `--nfacct-name "${name}" must be 1 to ${NAME_MAX} characters`);
    if (name.includes("\n")) throw new Fail(o.column, "Newlines not allowed in --nfacct-name");
    return { kind: "nfacct", name };
  },
  match: () => true,
  save: (m) => ` -m nfacct --nfacct-name ${quote(m.name)}`,
  list: (m) => ` nfacct-name ${quote(m.name)}`,
};
