/**
 * A small nftables router for tests (engine and kernel lab alike):
 *
 *   client 10.0.1.2 ── 10.0.1.1 router ┬ r-b1 10.0.2.1 ── b1 10.0.2.2 (tcp 8080)
 *                                      └ r-b2 10.0.3.1 ── b2 10.0.3.2 (tcp 8080)
 *
 * with ROUTER_NFT: DNAT of 10.0.1.1:80 by a numgen vmap to the two backends,
 * masquerade towards them, and a forward chain that only lets DNATed connections through.
 */
import { ipv4 } from "../addr/ipv4";
import { World } from "../world";
import { loadNft } from "./parse";

export const ROUTER_NFT = `table ip lab {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr 10.0.1.1 tcp dport 80 counter numgen random mod 2 vmap { 0 : goto be1, 1 : goto be2 }
	}
	chain be1 {
		counter meta l4proto tcp dnat to 10.0.2.2:8080
	}
	chain be2 {
		counter meta l4proto tcp dnat to 10.0.3.2:8080
	}
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "r-b*" counter masquerade
	}
	chain filter-fwd {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		ct status dnat counter accept
		counter
	}
}
`;

/** client 10.0.1.2 — router (10.0.1.1; r-b1 10.0.2.1, r-b2 10.0.3.1) — b1 10.0.2.2, b2 10.0.3.2. */
export function nftRouterWorld(seed = 7): World {
  const w = new World({ seed });
  w.addNetns({ name: "client", node: "client" });
  w.addNetns({ name: "router", node: "router", ipForward: true });
  w.addNetns({ name: "b1", node: "b1" });
  w.addNetns({ name: "b2", node: "b2" });
  w.veth({ ns: "client", name: "eth0" }, { ns: "router", name: "r-cl" });
  w.veth({ ns: "router", name: "r-b1" }, { ns: "b1", name: "eth0" });
  w.veth({ ns: "router", name: "r-b2" }, { ns: "b2", name: "eth0" });
  w.get("client").addAddress("eth0", "10.0.1.2/24");
  w.get("router").addAddress("r-cl", "10.0.1.1/24");
  w.get("router").addAddress("r-b1", "10.0.2.1/24");
  w.get("router").addAddress("r-b2", "10.0.3.1/24");
  w.get("b1").addAddress("eth0", "10.0.2.2/24");
  w.get("b2").addAddress("eth0", "10.0.3.2/24");
  const dflt = (ns: string, via: string) => w.get(ns).addRoute({ table: "main", type: "unicast", dst: { net: ipv4("0.0.0.0"), prefix: 0, mask: 0 }, via: ipv4(via), dev: "eth0", proto: "boot", scope: "global" });
  dflt("client", "10.0.1.1");
  dflt("b1", "10.0.2.1");
  dflt("b2", "10.0.3.1");
  for (const b of ["b1", "b2"]) w.get(b).listeners.push({ proto: "tcp", port: 8080, app: "web" });
  w.get("router").loadNftLater((rs) => loadNft(rs, ROUTER_NFT, "router.nft"));
  return w;
}

