/**
 * The part of pcap-filter(7) people type at tcpdump: protocols (`icmp`, `tcp`, `udp`, `ip`,
 * `arp`), `[src|dst] host ADDR`, `[src|dst] net CIDR`, `[src|dst] port N`, a bare address,
 * `and`/`&&`, `or`/`||`, `not`/`!` and parentheses, with pcap's precedence (not binds tightest;
 * and and or are equal and left-associative). Anything else is refused with tcpdump's message.
 */
import { cidrContains, isIpv4, parseCidr, parseIpv4 } from "../addr/ipv4";
import type { StepPacket } from "../trace";

export type PacketFilter = (p: StepPacket) => boolean;

type Dir = "src" | "dst" | undefined;

class FilterError extends Error {}

const MAX_NESTING = 100;

function tokenize(expr: string): string[] {
  return expr.replace(/([()])/g, " $1 ").replace(/&&/g, " and ").replace(/\|\|/g, " or ").replace(/!(?!=)/g, " not ").split(/\s+/).filter(Boolean);
}

function addrMatch(dir: Dir, test: (ip: number) => boolean): PacketFilter {
  return (p) => {
    const src = test(parseIpv4(p.src));
    const dst = test(parseIpv4(p.dst));
    return dir === "src" ? src : dir === "dst" ? dst : src || dst;
  };
}

/** Parses a filter expression; an error names what tcpdump would complain about. */
export function parsePcapFilter(expr: string): { ok: true; filter: PacketFilter } | { ok: false; error: string } {
  const toks = tokenize(expr);
  let i = 0;
  let depth = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  // Nesting (parentheses, "not") is bounded, so no expression can exhaust the stack.
  const nested = <T>(f: () => T): T => {
    if (++depth > MAX_NESTING) throw new FilterError(`expression nested more than ${MAX_NESTING} deep`);
    try {
      return f();
    } finally {
      depth--;
    }
  };

  const primitive = (): PacketFilter => {
    const t = next();
    if (t === undefined) throw new FilterError("syntax error");
    if (t === "(") {
      const f = nested(orExpr);
      if (next() !== ")") throw new FilterError("syntax error");
      return f;
    }
    if (t === "not") {
      const f = nested(primitive);
      return (p) => !f(p);
    }
    if (t === "icmp" || t === "tcp" || t === "udp") {
      const isProto = (p: StepPacket) => p.proto === t;
      // "tcp port 80", "udp src port 53", "tcp host A": a protocol right before a primitive qualifies it.
      const after = peek();
      if (after === "port" || after === "src" || after === "dst" || after === "host" || after === "net") {
        const rest = primitive();
        return (p) => isProto(p) && rest(p);
      }
      return isProto;
    }
    if (t === "ip") return () => true;
    if (t === "arp" || t === "ip6" || t === "icmp6") return () => false;
    let dir: Dir;
    let word = t;
    if (word === "src" || word === "dst") {
      dir = word;
      word = next() ?? "";
    }
    if (word === "port") {
      const n = next();
      if (n === undefined || !/^\d+$/.test(n) || Number(n) > 65535) throw new FilterError(`illegal port number ${n ?? ""}`);
      const port = Number(n);
      return (p) => {
        if (p.proto === "icmp") return false;
        const s = p.sport === port;
        const d = p.dport === port;
        return dir === "src" ? s : dir === "dst" ? d : s || d;
      };
    }
    if (word === "host") {
      const a = next() ?? "";
      if (!isIpv4(a)) throw new FilterError(`can't resolve host "${a}" (only addresses here; tcpdump -n does not look names up)`);
      const ip = parseIpv4(a);
      return addrMatch(dir, (x) => x === ip);
    }
    if (word === "net") {
      const a = next() ?? "";
      let cidr;
      try {
        cidr = parseCidr(a);
      } catch {
        throw new FilterError(`invalid net "${a}"`);
      }
      return addrMatch(dir, (x) => cidrContains(cidr, x));
    }
    if (isIpv4(word)) {
      const ip = parseIpv4(word);
      return addrMatch(dir, (x) => x === ip);
    }
    throw new FilterError(`syntax error in filter expression`);
  };

  const orExpr = (): PacketFilter => {
    let left = primitive();
    while (peek() === "and" || peek() === "or") {
      const op = next();
      const right = primitive();
      const l = left;
      left = op === "and" ? (p) => l(p) && right(p) : (p) => l(p) || right(p);
    }
    return left;
  };

  try {
    const filter = orExpr();
    if (i < toks.length) throw new FilterError("syntax error in filter expression");
    return { ok: true, filter };
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, error: e.message };
    throw e;
  }
}
