/** Today's kube-proxy rule writers, registered with select.ts (see there for who calls this and when). */
import { iptablesProxierModern, KUBE_PROXY_MODERN_VERSION } from "./iptables-modern";
import { nftablesProxier } from "./nftables";
import { registerProxier } from "./select";
import { installNft } from "../nftables/install";

export function registerTodaysProxiers(): void {
  // nftables mode needs the nft engine (nftables/runtime.ts).
  installNft();
  registerProxier({ mode: "iptables", version: KUBE_PROXY_MODERN_VERSION }, (c) => iptablesProxierModern(c.podNetwork));
  registerProxier({ mode: "nftables", version: KUBE_PROXY_MODERN_VERSION }, (c) => nftablesProxier(c.podNetwork, c.serviceNetwork));
}
