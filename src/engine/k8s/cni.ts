/**
 * What the CNI bridge plugin v0.6.0 with host-local IPAM sets up for a pod: the IP (handed out
 * round-robin from the last reserved one, skipping the gateway), the veth pair's names and MACs,
 * and, with ipMasq, one CNI-… chain per pod plus its POSTROUTING jump.
 */
import { broadcastOf, formatIpv4, parseCidr, type Cidr } from "../addr/ipv4";
import { cniChain, cniComment, hexId } from "./names";

/** host-local's state for one node's range: the addresses in use and the last one handed out. */
export class HostLocal {
  private readonly used = new Set<number>();
  private last: number;
  readonly range: Cidr;

  constructor(subnet: string) {
    this.range = parseCidr(subnet);
    this.last = this.gateway;
  }

  get gateway(): number {
    return this.range.net + 1;
  }

  private get first(): number {
    return this.range.net + 2;
  }

  private get lastUsable(): number {
    return broadcastOf(this.range) - 1;
  }

  /** A requested address: it must be in the range, not the gateway, and free. */
  reserve(ip: number): string | undefined {
    if (ip < this.range.net + 1 || ip > this.lastUsable) return `${formatIpv4(ip)} is outside ${formatIpv4(this.range.net)}/${this.range.prefix}'s usable range`;
    if (ip === this.gateway) return `${formatIpv4(ip)} is the bridge's gateway address`;
    if (this.used.has(ip)) return `${formatIpv4(ip)} is already taken`;
    this.used.add(ip);
    this.last = ip;
    return undefined;
  }

  /** The next free address after the last one reserved, wrapping after broadcast-1 back to .2. */
  next(): number | undefined {
    const size = this.lastUsable - this.first + 1;
    for (let k = 1; k <= size; k++) {
      const ip = this.first + ((this.last - this.first + k) % size + size) % size;
      if (!this.used.has(ip) && ip !== this.gateway) {
        this.used.add(ip);
        this.last = ip;
        return ip;
      }
    }
    return undefined;
  }
}

/** 0a:58 followed by the pod IP's four bytes, as hwaddr.GenerateHardwareAddr4 made them. */
export function podMac(ip: number): string {
  const b = [0x0a, 0x58, (ip >>> 24) & 255, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/**
 * containerd's network namespace name: cni- and a random UUID (here derived from the sandbox;
 * `attempt` > 0 derives another one, as a new random draw would, when the first is taken).
 */
export function netnsName(sandboxId: string, attempt = 0): string {
  const h = hexId(attempt ? `netns/${sandboxId}/${attempt}` : `netns/${sandboxId}`, 32);
  return `cni-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The host side of the pod's veth: veth and 4 random bytes in hex (`attempt` > 0: another draw, when the name is taken). */
export function hostVethName(sandboxId: string, attempt = 0): string {
  return "veth" + hexId(attempt ? `veth/${sandboxId}/${attempt}` : `veth/${sandboxId}`, 8);
}

/** The ipMasq chain and rules for one pod (nat table), in the order the plugin appends them. */
export function cniMasqRules(networkName: string, sandboxId: string, podSubnet: string): { chain: string; chainRules: string[]; postrouting: string } {
  const chain = cniChain(networkName, sandboxId);
  const comment = `-m comment --comment ${JSON.stringify(cniComment(networkName, sandboxId))}`;
  return {
    chain,
    chainRules: [`-A ${chain} -d ${podSubnet} ${comment} -j ACCEPT`, `-A ${chain} ! -d 224.0.0.0/4 ${comment} -j MASQUERADE`],
    postrouting: `-A POSTROUTING -s ${podSubnet} ${comment} -j ${chain}`,
  };
}
