/**
 * The CNI bridge plugin v0.6.0 with host-local IPAM, as KTHW configures it (10-bridge.conf):
 * a Linux bridge per node with the gateway address, one veth pair per pod (the host end a port of
 * the bridge), the pod's address handed out round-robin from the node's range, and, with ipMasq,
 * one CNI-… chain per pod plus its POSTROUTING jump.
 */
import { sha512 } from "@noble/hashes/sha2.js";
import { broadcastOf, formatIpv4, parseCidr, type Cidr, type Ipv4 } from "../addr/ipv4";
import { hex, utf8Bytes } from "../hash";
import { hexId } from "../k8s/ids";
import { ScenarioError } from "../k8s/spec";
import type { Netns } from "../netns";
import type { World } from "../world";
import type { CniNode, CniPlugin, PodAttachment, PodNetwork } from "./plugin";

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

/** The host side of the pod's veth: veth and 4 random bytes in hex (`attempt` > 0: another draw, when the name is taken). */
export function hostVethName(containerId: string, attempt = 0): string {
  return "veth" + hexId(attempt ? `veth/${containerId}/${attempt}` : `veth/${containerId}`, 8);
}

/** host-local's answer to CNI ADD: the address the pod asked for, when it may have it, else the next free one; a ScenarioError (at the pod's path) otherwise. */
export function assignAddress(hl: HostLocal, node: CniNode, pod: PodAttachment): number {
  if (pod.ip !== undefined) {
    const problem = hl.reserve(pod.ip);
    if (problem) throw new ScenarioError(`${pod.path}.ip`, problem);
    return pod.ip;
  }
  const got = hl.next();
  if (got === undefined) throw new ScenarioError(pod.path, `host-local on ${node.name} has no free address left in ${node.podCidr}`);
  return got;
}

/** The host end's name: the real one is a random draw, retried when taken; this one is derived, and drawn again likewise. */
export function freeHostVethName(nodeNs: Netns, containerId: string): string {
  let name = hostVethName(containerId);
  for (let k = 1; nodeNs.iface(name); k++) name = hostVethName(containerId, k);
  return name;
}

/** The plugin's masquerade chain: "CNI-" + hex(sha512(network name + container id)), 28 characters in all. */
export function cniChain(networkName: string, containerId: string): string {
  return ("CNI-" + hex(sha512(utf8Bytes(networkName + containerId)))).slice(0, 28);
}

/** The comment on every rule of that chain: name: "bridge" id: "<container id>". */
export function cniComment(networkName: string, containerId: string): string {
  return `name: ${JSON.stringify(networkName)} id: ${JSON.stringify(containerId)}`;
}

/** The ipMasq chain and rules for one pod (nat table), in the order the plugin appends them. */
export function cniMasqRules(networkName: string, containerId: string, podSubnet: string): { chain: string; chainRules: string[]; postrouting: string } {
  const chain = cniChain(networkName, containerId);
  const comment = `-m comment --comment ${JSON.stringify(cniComment(networkName, containerId))}`;
  return {
    chain,
    chainRules: [`-A ${chain} -d ${podSubnet} ${comment} -j ACCEPT`, `-A ${chain} ! -d 224.0.0.0/4 ${comment} -j MASQUERADE`],
    postrouting: `-A POSTROUTING -s ${podSubnet} ${comment} -j ${chain}`,
  };
}

/** A bridge plugin for one cluster: it keeps each node's host-local state and next veth index. */
export function bridgePlugin(): CniPlugin {
  const ipam = new Map<string, HostLocal>();
  const nextIfindex = new Map<string, number>();
  return {
    type: "bridge",
    setUpNode(world: World, node: CniNode) {
      const hl = new HostLocal(node.podCidr);
      ipam.set(node.name, hl);
      const br = world.bridge(node.name, node.config.bridge, podMac(hl.gateway));
      br.mtu = 1500;
      world.get(node.name).addAddress(node.config.bridge, `${formatIpv4(hl.gateway)}/${hl.range.prefix}`);
      // lo, eth0 and the bridge come first; the pods' host ends follow.
      nextIfindex.set(node.name, 4);
    },

    addPod(world: World, node: CniNode, pod: PodAttachment): PodNetwork {
      const hl = ipam.get(node.name)!;
      const ip = assignAddress(hl, node, pod);
      const nodeNs = world.get(node.name);
      const hostIface = freeHostVethName(nodeNs, pod.containerId);
      const index = nextIfindex.get(node.name)!;
      nextIfindex.set(node.name, index + 1);
      world.veth({ ns: pod.netns, name: "eth0", mac: podMac(ip), ifindex: 3 }, { ns: node.name, name: hostIface, ifindex: index });
      world.enslave(node.name, hostIface, node.config.bridge);
      // hairpinMode: the plugin turns hairpin on for the pod's port (netlink's IFLA_BRPORT_MODE).
      if (node.config.hairpinMode) nodeNs.requireIface(hostIface).hairpin = true;
      const podNs = world.get(pod.netns);
      podNs.addAddress("eth0", `${formatIpv4(ip)}/${hl.range.prefix}`);
      podNs.addRoute({ table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: hl.gateway as Ipv4, dev: "eth0", proto: "boot", scope: "global" });
      return { ip, hostIface, ...(node.config.ipMasq && { natChain: cniChain(node.config.name, pod.containerId) }) };
    },

    natRules(node: CniNode, pods: readonly { readonly containerId: string }[]) {
      if (!node.config.ipMasq) return { chains: [], rules: [] };
      const chains: string[] = [];
      const rules: string[] = [];
      for (const p of pods) {
        const m = cniMasqRules(node.config.name, p.containerId, node.podCidr);
        chains.push(`:${m.chain} - [0:0]`);
        rules.push(m.postrouting, m.chainRules[0]!, m.chainRules[1]!);
      }
      return { chains, rules };
    },
  };
}
