/** -j REJECT (libipt_REJECT): drop, answering with an ICMP error or a TCP reset. */
import { Fail, type TargetModule } from "./api";
import { own } from "./common";

export interface RejectTarget {
  readonly kind: "REJECT";
  readonly rejectWith: string;
}

const REJECT_WITH = new Set([
  "icmp-net-unreachable",
  "icmp-host-unreachable",
  "icmp-port-unreachable",
  "icmp-proto-unreachable",
  "icmp-net-prohibited",
  "icmp-host-prohibited",
  "icmp-admin-prohibited",
  "tcp-reset",
]);

const REJECT_ALIASES: Record<string, string> = {
  "net-unreach": "icmp-net-unreachable",
  "host-unreach": "icmp-host-unreachable",
  "port-unreach": "icmp-port-unreachable",
  "proto-unreach": "icmp-proto-unreachable",
  "net-prohib": "icmp-net-prohibited",
  "host-prohib": "icmp-host-prohibited",
  "admin-prohib": "icmp-admin-prohibited",
  "tcp-rst": "tcp-reset",
};

export const REJECT: TargetModule<RejectTarget> = {
  named: true,
  options: { "reject-with": 1 },
  hooks: ["INPUT", "FORWARD", "OUTPUT"],
  parse(t) {
    const w = t.opts.get("reject-with")?.value[0] ?? "icmp-port-unreachable";
    const canonical = own(REJECT_ALIASES, w) ?? w;
    if (!REJECT_WITH.has(canonical)) throw new Fail(t.opts.get("reject-with")!.column, `unknown --reject-with type "${w}"`);
    return { kind: "REJECT", rejectWith: canonical };
  },
  apply: (t, _ctx, by) => ({ kind: "drop", by, chain: by.chain, rejectWith: t.rejectWith }),
  save: (t) => ` -j REJECT --reject-with ${t.rejectWith}`,
  list: (t) => ` reject-with ${t.rejectWith}`,
};
