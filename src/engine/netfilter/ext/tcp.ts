/** -m tcp (libxt_tcp): ports and flags; `-p tcp --dport 80` loads it by itself. */
import type { Packet } from "../../packet/packet";
import type { Negatable, PortRange } from "../types";
import { Fail, type ListOptions, type MatchModule } from "./api";
import { neg, parsePortRange, portRange, service } from "./common";

export interface TcpUdpMatch {
  readonly kind: "tcp" | "udp";
  readonly sport?: Negatable<PortRange>;
  readonly dport?: Negatable<PortRange>;
  /** tcp only: --tcp-flags mask comp (--syn is FIN,SYN,RST,ACK SYN). */
  readonly tcpFlags?: Negatable<{ readonly mask: readonly string[]; readonly comp: readonly string[] }>;
}

/** The flags iptables knows, in the order it prints them, with their bits; ALL is these six. */
const TCP_FLAGS: readonly (readonly [string, number])[] = [
  ["FIN", 0x01],
  ["SYN", 0x02],
  ["RST", 0x04],
  ["PSH", 0x08],
  ["ACK", 0x10],
  ["URG", 0x20],
];
const FLAG_NAMES = TCP_FLAGS.map(([n]) => n);

function parseFlags(text: string, column: number): string[] {
  if (text === "NONE") return [];
  if (text === "ALL") return [...FLAG_NAMES];
  const given = text.split(",");
  for (const f of given) if (!FLAG_NAMES.includes(f)) throw new Fail(column, `unknown TCP flag "${f}"`);
  return FLAG_NAMES.filter((f) => given.includes(f));
}

function flagBits(names: readonly string[]): number {
  let b = 0;
  for (const n of names) b |= TCP_FLAGS.find(([name]) => name === n)?.[1] ?? 0;
  return b;
}

export function tcpFlagBits(p: Packet): number {
  const t = p.tcp;
  if (!t) return 0;
  return (t.fin ? 1 : 0) | (t.syn ? 2 : 0) | (t.rst ? 4 : 0) | (t.psh ? 8 : 0) | (t.ack ? 16 : 0);
}

/** libxt_tcp print_tcpf: names in FIN..URG order, NONE for none. */
function tcpFlagNames(bits: number): string {
  const names = TCP_FLAGS.filter(([, b]) => bits & b).map(([n]) => n);
  return names.length ? names.join(",") : "NONE";
}

const hex2 = (n: number) => "0x" + n.toString(16).toUpperCase().padStart(2, "0");

/** libxt_tcp/udp print_ports: ` spt:[!]P` or ` spts:[!]A:B`; the full range uninverted prints nothing. */
function listPorts(name: string, p: Negatable<PortRange> | undefined, proto: number, f: ListOptions): string {
  if (!p) return "";
  const { min, max } = p.value;
  if (min === 0 && max === 0xffff && !p.invert) return "";
  const inv = p.invert ? "!" : "";
  if (min === max) return ` ${name}:${inv}${service(min, proto, f)}`;
  return ` ${name}s:${inv}${service(min, proto, f)}:${service(max, proto, f)}`;
}

const inRange = (port: number, r: PortRange) => port >= r.min && port <= r.max;

/** tcp and udp are one module but for the flags and the protocol they need. */
export function portMatch(kind: "tcp" | "udp", proto: number, options: Readonly<Record<string, number>>): MatchModule<TcpUdpMatch> {
  return {
    options,
    aliases: { "source-port": "sport", "destination-port": "dport" },
    implicitFor: proto,
    parse(m, rule) {
      if (rule.proto !== proto || rule.protoInvert) throw new Fail(m.column, `match ${kind} needs "-p ${kind}" before it`);
      const sp = m.opts.get("sport");
      const dp = m.opts.get("dport");
      const fl = m.opts.get("tcp-flags");
      const syn = m.opts.get("syn");
      if (fl && syn) throw new Fail(syn.column, "--syn and --tcp-flags cannot be combined");
      const sport = sp ? { value: parsePortRange(sp.value[0]!, sp.column), invert: sp.invert } : undefined;
      const dport = dp ? { value: parsePortRange(dp.value[0]!, dp.column), invert: dp.invert } : undefined;
      let tcpFlags;
      if (fl) tcpFlags = { value: { mask: parseFlags(fl.value[0]!, fl.column), comp: parseFlags(fl.value[1]!, fl.column) }, invert: fl.invert };
      if (syn) tcpFlags = { value: { mask: ["FIN", "SYN", "RST", "ACK"], comp: ["SYN"] }, invert: syn.invert };
      return { kind, ...(sport && { sport }), ...(dport && { dport }), ...(tcpFlags && { tcpFlags }) };
    },
    match(m, p) {
      if (p.proto !== m.kind) return false;
      if (m.sport && inRange(p.sport, m.sport.value) === m.sport.invert) return false;
      if (m.dport && inRange(p.dport, m.dport.value) === m.dport.invert) return false;
      if (m.tcpFlags) {
        const ok = (tcpFlagBits(p) & flagBits(m.tcpFlags.value.mask)) === flagBits(m.tcpFlags.value.comp);
        if (ok === m.tcpFlags.invert) return false;
      }
      return true;
    },
    save(m) {
      let s = ` -m ${m.kind}`;
      if (m.sport) s += `${neg(m.sport.invert)} --sport ${portRange(m.sport.value)}`;
      if (m.dport) s += `${neg(m.dport.invert)} --dport ${portRange(m.dport.value)}`;
      if (m.tcpFlags) s += `${neg(m.tcpFlags.invert)} --tcp-flags ${m.tcpFlags.value.mask.join(",")} ${m.tcpFlags.value.comp.join(",") || "NONE"}`;
      return s;
    },
    list(m, ruleProto, f) {
      let s = ` ${m.kind}` + listPorts("spt", m.sport, ruleProto, f) + listPorts("dpt", m.dport, ruleProto, f);
      if (m.tcpFlags) {
        const mask = flagBits(m.tcpFlags.value.mask);
        const comp = flagBits(m.tcpFlags.value.comp);
        if (mask || m.tcpFlags.invert) {
          s += ` flags:${m.tcpFlags.invert ? "!" : ""}`;
          s += f.numeric ? `${hex2(mask)}/${hex2(comp)}` : `${tcpFlagNames(mask)}/${tcpFlagNames(comp)}`;
        }
      }
      return s;
    },
  };
}

export const tcp = portMatch("tcp", 6, { sport: 1, "source-port": 1, dport: 1, "destination-port": 1, "tcp-flags": 2, syn: 0 });
