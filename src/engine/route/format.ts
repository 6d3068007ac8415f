/**
 * `ip route` text as iproute2 of the article's era prints it: fields in a fixed order, each
 * followed by one space (so every line ends with a space), type only when it is not unicast,
 * proto only when it is not "boot", scope only when it is not global, metric only when set.
 */
import { formatIpv4, formatRouteDst } from "../addr/ipv4";
import type { Route } from "./route";

export function formatRoute(r: Route): string {
  let s = "";
  if (r.type !== "unicast") s += `${r.type} `;
  s += `${formatRouteDst(r.dst)} `;
  if (r.via !== undefined) s += `via ${formatIpv4(r.via)} `;
  if (r.dev !== undefined) s += `dev ${r.dev} `;
  if (r.proto !== "boot") s += `proto ${r.proto} `;
  if (r.scope !== "global") s += `scope ${r.scope} `;
  if (r.src !== undefined) s += `src ${formatIpv4(r.src)} `;
  if (r.metric !== undefined && r.metric !== 0) s += `metric ${r.metric} `;
  if (r.onlink) s += "onlink ";
  return s;
}

/** `ip route [show] [table local|main]`: the table's routes in the kernel's dump order. */
export function formatRouteTable(routes: readonly Route[], table: "main" | "local" = "main"): string {
  return routes
    .filter((r) => r.table === table)
    .slice()
    .sort(compareForDump)
    .map((r) => formatRoute(r) + "\n")
    .join("");
}

/**
 * The order a walk of the kernel's FIB trie dumps routes in: by network address (so default
 * first), at the same address the longer prefix first (`broadcast 127.0.0.0` before
 * `local 127.0.0.0/8`), then by metric.
 */
function compareForDump(a: Route, b: Route): number {
  if (a.dst.net !== b.dst.net) return a.dst.net - b.dst.net;
  if (a.dst.prefix !== b.dst.prefix) return b.dst.prefix - a.dst.prefix;
  return (a.metric ?? 0) - (b.metric ?? 0);
}
