/** -m addrtype (libxt_addrtype): the route type of the source or destination address. */
import type { AddrType, Negatable } from "../types";
import { Fail, type MatchModule } from "./api";
import { neg } from "./common";

export interface AddrtypeMatch {
  readonly kind: "addrtype";
  readonly src?: Negatable<readonly AddrType[]>;
  readonly dst?: Negatable<readonly AddrType[]>;
  readonly limitIfaceIn: boolean;
  readonly limitIfaceOut: boolean;
}

/** In the order of their bits in xt_addrtype, which is the order iptables prints them in. */
const ADDR_TYPES: readonly AddrType[] = ["UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"];

const inBitOrder = (types: readonly string[]) => ADDR_TYPES.filter((t) => types.includes(t));

export const addrtype: MatchModule<AddrtypeMatch> = {
  options: { "src-type": 1, "dst-type": 1, "limit-iface-in": 0, "limit-iface-out": 0 },
  parse(m) {
    const types = (k: string) => {
      const o = m.opts.get(k);
      if (!o) return undefined;
      const list = o.value[0]!.split(",");
      for (const t of list) if (!(ADDR_TYPES as readonly string[]).includes(t)) throw new Fail(o.column, `unknown address type "${t}"`);
      // Saved in the kernel's bit order, whatever order they were given in.
      return { value: inBitOrder(list), invert: o.invert };
    };
    const src = types("src-type");
    const dst = types("dst-type");
    if (!src && !dst) throw new Fail(m.column, "match addrtype needs --src-type or --dst-type");
    const limitIfaceIn = m.opts.get("limit-iface-in") !== undefined;
    const limitIfaceOut = m.opts.get("limit-iface-out") !== undefined;
    if (limitIfaceIn && limitIfaceOut) throw new Fail(m.column, "--limit-iface-in and --limit-iface-out cannot be combined");
    return { kind: "addrtype", ...(src && { src }), ...(dst && { dst }), limitIfaceIn, limitIfaceOut };
  },
  match(m, p, ctx) {
    const iface = m.limitIfaceIn ? ctx.inIface : m.limitIfaceOut ? ctx.outIface : undefined;
    if (m.src && m.src.value.includes(ctx.addrType(p.src, iface)) === m.src.invert) return false;
    if (m.dst && m.dst.value.includes(ctx.addrType(p.dst, iface)) === m.dst.invert) return false;
    return true;
  },
  save(m) {
    let s = " -m addrtype";
    if (m.src) s += `${neg(m.src.invert)} --src-type ${m.src.value.join(",")}`;
    if (m.dst) s += `${neg(m.dst.invert)} --dst-type ${m.dst.value.join(",")}`;
    if (m.limitIfaceIn) s += " --limit-iface-in";
    if (m.limitIfaceOut) s += " --limit-iface-out";
    return s;
  },
  list(m) {
    let s = " ADDRTYPE match";
    if (m.src) s += ` src-type ${m.src.invert ? "!" : ""}${inBitOrder(m.src.value).join(",")}`;
    if (m.dst) s += ` dst-type ${m.dst.invert ? "!" : ""}${inBitOrder(m.dst.value).join(",")}`;
    if (m.limitIfaceIn) s += " limit-in";
    if (m.limitIfaceOut) s += " limit-out";
    return s;
  },
};
