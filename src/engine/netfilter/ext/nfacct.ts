/**
 * -m nfacct (libxt_nfacct): counts the packet in a named extended-accounting object
 * (nfnetlink_acct) and always matches. kube-proxy since v1.29 puts one on its INVALID drop and on
 * localhost NodePorts when the kernel has nfnetlink_acct. The kernel refuses the match
 * ("No chain/target/match by that name", ENOENT) until the named object exists; kube-proxy creates
 * it first. Checked in the lab (iptables 1.8.9, both backends, once the object was created):
 * iptables-save prints ` -m nfacct --nfacct-name  ct_state_invalid_dropped_pkts` and `-L`
 * ` nfacct-name  ct_state_invalid_dropped_pkts`, with two spaces before the name.
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
  // libxt_nfacct prints the option, then the name with a space of its own: two spaces (kernel lab).
  save: (m) => ` -m nfacct --nfacct-name  ${quote(m.name)}`,
  list: (m) => ` nfacct-name  ${quote(m.name)}`,
};
