/** Routing tables: longest-prefix match over the local table, then the main table. */
import { cidrContains, type Cidr, type Ipv4 } from "../addr/ipv4";

export type RouteType = "unicast" | "local" | "broadcast" | "unreachable" | "blackhole" | "prohibit";
/**
 * "66": no name in iproute2's rt_protos; the number GCE's guest agent gives the forwarded IPs' local routes.
 * "bird": 12, named in rt_protos (Calico's BIRD). "80": felix's own routes (dataplanedefs.DefaultRouteProto), unnamed.
 */
export type RouteProto = "kernel" | "boot" | "static" | "dhcp" | "66" | "bird" | "80";
export type RouteScope = "global" | "link" | "host";
export type RouteTable = "main" | "local";

export interface Route {
  readonly table: RouteTable;
  readonly type: RouteType;
  readonly dst: Cidr;
  readonly via?: Ipv4;
  readonly dev?: string;
  readonly proto: RouteProto;
  readonly scope: RouteScope;
  readonly src?: Ipv4;
  readonly metric?: number;
  /** `onlink`: the next hop is taken to be on the device's link though no address there covers it. */
  readonly onlink?: boolean;
}

export interface RouteMatch {
  readonly route: Route;
  /** The next hop: the gateway, or the destination itself for an on-link route. */
  readonly nexthop: Ipv4;
}

/**
 * The kernel's lookup: rule 0 consults the local table, rule 32766 the main table; within a
 * table the longest prefix wins and, among equal prefixes, the lowest metric.
 * `devUp` filters out routes whose device is down.
 */
export function lookupRoute(routes: readonly Route[], dst: Ipv4, devUp: (dev: string) => boolean): RouteMatch | undefined {
  for (const table of ["local", "main"] as const) {
    let best: Route | undefined;
    for (const r of routes) {
      if (r.table !== table || !cidrContains(r.dst, dst)) continue;
      if (r.dev !== undefined && !devUp(r.dev)) continue;
      if (
        best === undefined ||
        r.dst.prefix > best.dst.prefix ||
        (r.dst.prefix === best.dst.prefix && (r.metric ?? 0) < (best.metric ?? 0))
      ) {
        best = r;
      }
    }
    if (best) return { route: best, nexthop: best.via ?? dst };
  }
  return undefined;
}

/** Routes the same as `ip route del` would consider equal. */
export function sameRoute(a: Route, b: Route): boolean {
  return (
    a.table === b.table &&
    a.type === b.type &&
    a.dst.net === b.dst.net &&
    a.dst.prefix === b.dst.prefix &&
    (a.metric ?? 0) === (b.metric ?? 0) &&
    a.dev === b.dev &&
    a.via === b.via
  );
}
