/** -m multiport (libxt_multiport): up to 15 ports or ranges, on one side or either. */
import type { PortRange } from "../types";
import { Fail, type MatchModule } from "./api";
import { neg, parsePortRange, portRange, service } from "./common";

export interface MultiportMatch {
  readonly kind: "multiport";
  readonly flavor: "sports" | "dports" | "ports";
  readonly invert: boolean;
  readonly ports: readonly PortRange[];
}

const FLAVORS = ["sports", "dports", "ports"] as const;

export const multiport: MatchModule<MultiportMatch> = {
  options: { sports: 1, "source-ports": 1, dports: 1, "destination-ports": 1, ports: 1 },
  aliases: { "source-ports": "sports", "destination-ports": "dports" },
  parse(m, rule) {
    const keys = FLAVORS.filter((k) => m.opts.get(k));
    if (keys.length !== 1) throw new Fail(m.column, "match multiport needs exactly one of --sports, --dports, --ports");
    if (rule.proto !== 6 && rule.proto !== 17 && rule.proto !== 132) throw new Fail(m.column, `match multiport needs "-p tcp" or "-p udp"`);
    const o = m.opts.get(keys[0]!)!;
    const ports = o.value[0]!.split(",").map((p) => parsePortRange(p, o.column));
    const count = ports.reduce((n, p) => n + (p.min === p.max ? 1 : 2), 0);
    if (count > 15) throw new Fail(o.column, "multiport takes at most 15 ports (a range counts as two)");
    return { kind: "multiport", flavor: keys[0]!, invert: o.invert, ports };
  },
  match(m, p) {
    const hit = (port: number) => m.ports.some((r) => port >= r.min && port <= r.max);
    if (p.proto !== "tcp" && p.proto !== "udp") return false;
    const ok = m.flavor === "sports" ? hit(p.sport) : m.flavor === "dports" ? hit(p.dport) : hit(p.sport) || hit(p.dport);
    return ok !== m.invert;
  },
  save: (m) => ` -m multiport${neg(m.invert)} --${m.flavor} ${m.ports.map((p) => portRange(p)).join(",")}`,
  list: (m, proto, f) =>
    // libxt_multiport v1: the inversion comes after "dports " with a space of its own.
    ` multiport ${m.flavor} ` +
    (m.invert ? " !" : "") +
    m.ports.map((p) => (p.min === p.max ? service(p.min, proto, f) : `${service(p.min, proto, f)}:${service(p.max, proto, f)}`)).join(","),
};
