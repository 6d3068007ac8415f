/**
 * A small hand-built topology for tests: client — router — server, the router masquerading
 * what it forwards towards the server, as a KTHW node masquerades pod traffic.
 *
 *   client 10.0.1.2/24 ── veth ── 10.0.1.1/24 router 10.0.2.1/24 ── veth ── 10.0.2.2/24 server
 */
import { ipv4 } from "../addr/ipv4";
import { iptablesRestoreOrThrow } from "../netfilter/save";
import { World } from "../world";

export const ROUTER_NAT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o r-sv -j MASQUERADE
COMMIT
`;

export function routerLab(opts: { masquerade?: boolean; ipForward?: boolean; seed?: number } = {}): World {
  const w = new World({ seed: opts.seed ?? 7 });
  w.addNetns({ name: "client", node: "client" });
  w.addNetns({ name: "router", node: "router", ipForward: opts.ipForward ?? true });
  w.addNetns({ name: "server", node: "server" });
  w.veth({ ns: "client", name: "eth0" }, { ns: "router", name: "r-cl" });
  w.veth({ ns: "router", name: "r-sv" }, { ns: "server", name: "eth0" });
  w.get("client").addAddress("eth0", "10.0.1.2/24");
  w.get("router").addAddress("r-cl", "10.0.1.1/24");
  w.get("router").addAddress("r-sv", "10.0.2.1/24");
  w.get("server").addAddress("eth0", "10.0.2.2/24");
  w.get("client").addRoute({ table: "main", type: "unicast", dst: { net: ipv4("0.0.0.0"), prefix: 0, mask: 0 }, via: ipv4("10.0.1.1"), dev: "eth0", proto: "boot", scope: "global" });
  w.get("server").addRoute({ table: "main", type: "unicast", dst: { net: ipv4("0.0.0.0"), prefix: 0, mask: 0 }, via: ipv4("10.0.2.1"), dev: "eth0", proto: "boot", scope: "global" });
  if (opts.masquerade ?? true) iptablesRestoreOrThrow(w.get("router").nf, ROUTER_NAT);
  return w;
}
