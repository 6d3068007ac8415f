/** -m icmp (libipt_icmp): the ICMP type and code; `-p icmp --icmp-type 8` loads it by itself. */
import { Fail, type MatchModule } from "./api";
import { neg, own } from "./common";

export interface IcmpMatch {
  readonly kind: "icmp";
  readonly invert: boolean;
  /** 0xff is any type. */
  readonly type: number;
  readonly codeMin: number;
  readonly codeMax: number;
}

/** The names --icmp-type takes: type, lowest code, highest code. */
const ICMP_TYPES: Record<string, [number, number, number]> = {
  "echo-reply": [0, 0, 0xff],
  pong: [0, 0, 0xff],
  "destination-unreachable": [3, 0, 0xff],
  "network-unreachable": [3, 0, 0],
  "host-unreachable": [3, 1, 1],
  "protocol-unreachable": [3, 2, 2],
  "port-unreachable": [3, 3, 3],
  "echo-request": [8, 0, 0xff],
  ping: [8, 0, 0xff],
  "time-exceeded": [11, 0, 0xff],
  "ttl-zero-during-transit": [11, 0, 0],
};

/** libipt_icmp's names, in its table order (the first entry with the type and code range wins). */
const ICMP_NAMES: readonly (readonly [string, number, number, number])[] = [
  ["any", 0xff, 0, 0xff],
  ["echo-reply", 0, 0, 0xff],
  ["destination-unreachable", 3, 0, 0xff],
  ["network-unreachable", 3, 0, 0],
  ["host-unreachable", 3, 1, 1],
  ["protocol-unreachable", 3, 2, 2],
  ["port-unreachable", 3, 3, 3],
  ["fragmentation-needed", 3, 4, 4],
  ["source-route-failed", 3, 5, 5],
  ["network-unknown", 3, 6, 6],
  ["host-unknown", 3, 7, 7],
  ["network-prohibited", 3, 9, 9],
  ["host-prohibited", 3, 10, 10],
  ["TOS-network-unreachable", 3, 11, 11],
  ["TOS-host-unreachable", 3, 12, 12],
  ["communication-prohibited", 3, 13, 13],
  ["host-precedence-violation", 3, 14, 14],
  ["precedence-cutoff", 3, 15, 15],
  ["source-quench", 4, 0, 0xff],
  ["redirect", 5, 0, 0xff],
  ["network-redirect", 5, 0, 0],
  ["host-redirect", 5, 1, 1],
  ["TOS-network-redirect", 5, 2, 2],
  ["TOS-host-redirect", 5, 3, 3],
  ["echo-request", 8, 0, 0xff],
  ["router-advertisement", 9, 0, 0xff],
  ["router-solicitation", 10, 0, 0xff],
  ["time-exceeded", 11, 0, 0xff],
  ["ttl-zero-during-transit", 11, 0, 0],
  ["ttl-zero-during-reassembly", 11, 1, 1],
  ["parameter-problem", 12, 0, 0xff],
  ["ip-header-bad", 12, 0, 0],
  ["required-option-missing", 12, 1, 1],
  ["timestamp-request", 13, 0, 0xff],
  ["timestamp-reply", 14, 0, 0xff],
  ["address-mask-request", 17, 0, 0xff],
  ["address-mask-reply", 18, 0, 0xff],
];

export const icmp: MatchModule<IcmpMatch> = {
  options: { "icmp-type": 1 },
  implicitFor: 1,
  parse(m, rule) {
    if (rule.proto !== 1 || rule.protoInvert) throw new Fail(m.column, `match icmp needs "-p icmp" before it`);
    const o = m.opts.get("icmp-type");
    if (!o) return { kind: "icmp", invert: false, type: 0xff, codeMin: 0, codeMax: 0xff };
    const text = o.value[0]!;
    const named = own(ICMP_TYPES, text);
    if (named) return { kind: "icmp", invert: o.invert, type: named[0], codeMin: named[1], codeMax: named[2] };
    const mm = /^(\d+)(?:\/(\d+))?$/.exec(text);
    if (!mm || Number(mm[1]) > 255 || Number(mm[2] ?? 0) > 255) throw new Fail(o.column, `unknown ICMP type "${text}"`);
    const code = mm[2] === undefined ? undefined : Number(mm[2]);
    return { kind: "icmp", invert: o.invert, type: Number(mm[1]), codeMin: code ?? 0, codeMax: code ?? 0xff };
  },
  match(m, p) {
    if (p.proto !== "icmp" || !p.icmp) return false;
    const hit = m.type === 0xff || (p.icmp.type === m.type && p.icmp.code >= m.codeMin && p.icmp.code <= m.codeMax);
    return hit !== m.invert;
  },
  save(m) {
    const code = m.codeMin === 0 && m.codeMax === 0xff ? "" : `/${m.codeMin}`;
    return ` -m icmp${neg(m.invert)} --icmp-type ${m.type}${code}`;
  },
  /** print_icmptype: a name, or `type N` glued to " icmp" (the famous `icmptype 8`). */
  list(m, _proto, f) {
    if (!f.numeric) {
      const hit = ICMP_NAMES.find(([, t, lo, hi]) => t === m.type && lo === m.codeMin && hi === m.codeMax);
      if (hit) return ` icmp ${m.invert ? "!" : ""}${hit[0]}`;
    }
    let s = " icmp" + (m.invert ? " !" : "") + `type ${m.type}`;
    if (m.codeMin === m.codeMax) s += ` code ${m.codeMin}`;
    else if (m.codeMin !== 0 || m.codeMax !== 0xff) s += ` codes ${m.codeMin}-${m.codeMax}`;
    return s;
  },
};
