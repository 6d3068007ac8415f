/**
 * Calico v3.32 (calico-node: felix, and BIRD when routed; the calico CNI plugin with calico-ipam)
 * as it sets a node and its pods up, with the IP pool's encapsulation "none" (routed) or "vxlan":
 *
 * - IPAM: Calico hands each node /26 blocks of the pool (the first block's index seeded by a hash
 *   of the hostname), ignoring the node's podCIDR. Here the scenario's `podCidr` of each worker
 *   stands for its affine block (the built-ins give /26 blocks). Within a block, addresses go in
 *   order from the block's first (ordinal 0): under VXLAN calico-node takes `.0` for vxlan.calico
 *   before any pod, so pods start at `.1`; routed, the first pod gets `.0`. An address a pod asks
 *   for is honoured when it is in the block and free.
 * - Per pod: the veth's host end `cali` + sha1("<namespace>.<pod>")[:11 hex], MAC
 *   ee:ee:ee:ee:ee:ee, no address, proxy_arp=1 and proxy_delay=0 (route_localnet and forwarding
 *   too); the pod's eth0 with its address as /32 and the routes `169.254.1.1 dev eth0 scope link`
 *   then `default via 169.254.1.1 dev eth0`; MTU felix's (the host's 1460, less 50 under VXLAN);
 *   on the node `<pod> dev caliX scope link` (proto boot) and felix's permanent ARP entry for the
 *   pod (route_table.go WithStaticARPEntries, the endpoint's MAC from the CNI).
 * - Routed: BIRD's `blackhole <block> proto bird` and `<block> via <node> dev eth0 proto bird`
 *   for each other node's block.
 * - VXLAN: felix's vxlan.calico (VNI 4096, port 4789, nolearning, MTU host − 50, MAC 0x66 and
 *   sha1(node name)'s first five bytes, the block's `.0` as /32), per remote node a permanent
 *   neighbour (its tunnel address → its VTEP MAC), an FDB entry (that MAC → its address) and
 *   `<block> via <tunnel address> dev vxlan.calico onlink`; `blackhole <block> proto 80`.
 * - felix's iptables rules as far as modelled (felixRawRules, felixNatRules), each with the
 *   `cali:` comment felix computes (felixRuleHashes).
 *
 * Sources read (for facts): projectcalico/calico v3.32.1 cni-plugin (dataplane_linux.go,
 * utils), felix (dataplane/linux, routetable, calc/vxlan_resolver.go, rules, iptables,
 * generictables/rules.go), libcalico-go ipam, confd's BIRD templates. Checked in the kernel:
 * docs/kernel-lab-notes.md, "Calico".
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha224 } from "@noble/hashes/sha2.js";
import { broadcastOf, formatIpv4, parseCidr, type Cidr, type Ipv4 } from "../addr/ipv4";
import { hex, utf8Bytes } from "../hash";
import { ScenarioError } from "../k8s/spec";
import { generatedMac } from "../netns";
import type { World } from "../world";
import type { CniNode, CniPlugin, PodAttachment, PodNetwork, TableLines } from "./plugin";

export const CALICO_VTEP = "vxlan.calico";
export const CALICO_VNI = 4096;
export const CALICO_VXLAN_PORT = 4789;
/** felix's vxlanMTUOverhead (int_dataplane.go). */
export const CALICO_VXLAN_OVERHEAD = 50;
/** The pods' gateway: a link-local address no device has, answered by the cali device's proxy ARP. */
export const CALICO_GATEWAY = "169.254.1.1";
/** The CNI plugin's hostSideMAC. */
export const CALICO_HOST_MAC = "ee:ee:ee:ee:ee:ee";
/** felix's ipsets of the pools (v3.31+: the all-pools set is network-ip-pools). */
export const CALICO_MASQ_SET = "cali40masq-ipam-pools";
export const CALICO_POOLS_SET = "cali40network-ip-pools";

export type CalicoEncapsulation = "none" | "vxlan";

/** The host end of a pod's veth: cali + the first 11 hex digits of sha1("<namespace>.<pod>") (VethNameForWorkload). */
export function calicoVethName(namespace: string, pod: string): string {
  return "cali" + hex(sha1(utf8Bytes(`${namespace}.${pod}`))).slice(0, 11);
}

/** The VTEP MAC felix gives a node without vxlanTunnelMACAddr: "f" (0x66) and the first five bytes of sha1(node name). */
export function calicoVtepMac(node: string): string {
  const h = sha1(utf8Bytes(node));
  return [0x66, ...h.slice(0, 5)].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** The node's tunnel address under VXLAN: its block's first address, the first calico-node allocates. */
export function calicoTunnelAddress(block: string): Ipv4 {
  return parseCidr(block).net;
}

/**
 * felix's rule hashes (generictables/rules.go RuleHashes): sha224 of the chain's name, then for
 * each rule sha224(previous hash ‖ "-A CHAIN HASH " + felix's rendering of the rule's matches and
 * action), its URL-safe base64's first 16 characters. Rules felix appends to a chain that is not
 * its own are hashed as a chain "CHAIN*appends*" (iptables/table.go).
 */
export function felixRuleHashes(chain: string, rendered: readonly string[]): string[] {
  let h = sha224(utf8Bytes(chain));
  return rendered.map((r) => {
    const buf = new Uint8Array(h.length + utf8Bytes(`-A ${chain} HASH ${r}`).length);
    buf.set(h);
    buf.set(utf8Bytes(`-A ${chain} HASH ${r}`), h.length);
    h = sha224(buf);
    return base64Url(h).slice(0, 16);
  });
}

function base64Url(bytes: Uint8Array): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let s = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let k = 0; k < chars; k++) s += abc[(n >> (18 - 6 * k)) & 63];
  }
  return s;
}

/**
 * One felix rule: how felix renders it (what its hash is of) and how iptables-save prints it
 * (`-p`, `-i`, `-o` first, then the hash comment, then the matches; `-j` for `--jump`).
 */
interface FelixRule {
  readonly felix: string;
  /** iptables-save's text before the comment (`-p udp`, `-i cali+`), if any. */
  readonly head?: string;
  /** iptables-save's text after the comment. */
  readonly tail: string;
}

/** A chain of felix's rules as iptables-restore lines, each with its hash comment. */
function felixLines(chain: string, rules: readonly FelixRule[], opts: { insert?: boolean; appendsTo?: boolean } = {}): string[] {
  const hashes = felixRuleHashes(opts.appendsTo ? `${chain}*appends*` : chain, rules.map((r) => r.felix));
  const lines = rules.map((r, i) => `-A ${chain}${r.head ? ` ${r.head}` : ""} -m comment --comment "cali:${hashes[i]}" ${r.tail}`);
  // Inserted rules go in at the top, in their order (felix's default ChainInsertMode).
  return opts.insert ? lines.map((l, i) => l.replace(`-A ${chain} `, `-I ${chain} ${i + 1} `)) : lines;
}

const jump = (chain: string): FelixRule => ({ felix: `--jump ${chain}`, tail: `-j ${chain}` });

/**
 * felix's raw table (static.go): the top-level jumps, and cali-PREROUTING / cali-OUTPUT: the
 * mark bits cleared, VXLAN's own UDP port left untracked (NOTRACK: the outer packets get no
 * conntrack entry), the workloads' packets marked and checked by rpfilter (anti-spoofing),
 * host endpoints' chains (empty: none are configured). Checked against felix's fv dump.
 */
export function felixRawRules(encap: CalicoEncapsulation): TableLines {
  const notrack: FelixRule = { felix: `-p udp --dport ${CALICO_VXLAN_PORT} --jump NOTRACK`, head: "-p udp", tail: `-m udp --dport ${CALICO_VXLAN_PORT} -j NOTRACK` };
  const clear: FelixRule = { felix: "--jump MARK --set-mark 0/0x1b0000", tail: "-j MARK --set-xmark 0x0/0x1b0000" };
  const accepted: FelixRule = { felix: "-m mark --mark 0x10000/0x10000 --jump ACCEPT", tail: "-m mark --mark 0x10000/0x10000 -j ACCEPT" };
  const pre: FelixRule[] = [
    clear,
    ...(encap === "vxlan" ? [notrack] : []),
    { felix: "--in-interface cali+ --jump MARK --set-mark 0x80000/0x80000", head: "-i cali+", tail: "-j MARK --set-xmark 0x80000/0x80000" },
    { felix: "-m mark --mark 0x80000/0x80000 --jump cali-rpf-skip", tail: "-m mark --mark 0x80000/0x80000 -j cali-rpf-skip" },
    { felix: "-m mark --mark 0x80000/0x80000 -m rpfilter --invert --validmark --jump DROP", tail: "-m mark --mark 0x80000/0x80000 -m rpfilter --validmark --invert -j DROP" },
    { felix: "-m mark --mark 0/0x80000 --jump cali-from-host-endpoint", tail: "-m mark --mark 0x0/0x80000 -j cali-from-host-endpoint" },
    accepted,
  ];
  const out: FelixRule[] = [clear, jump("cali-to-host-endpoint"), ...(encap === "vxlan" ? [notrack] : []), accepted];
  return {
    chains: [":cali-OUTPUT - [0:0]", ":cali-PREROUTING - [0:0]", ":cali-from-host-endpoint - [0:0]", ":cali-rpf-skip - [0:0]", ":cali-to-host-endpoint - [0:0]"],
    rules: [...felixLines("PREROUTING", [jump("cali-PREROUTING")], { insert: true }), ...felixLines("OUTPUT", [jump("cali-OUTPUT")], { insert: true }), ...felixLines("cali-OUTPUT", out), ...felixLines("cali-PREROUTING", pre)],
  };
}

/**
 * felix's nat table: cali-PREROUTING and cali-OUTPUT inserted (floating IPs' DNAT, empty),
 * cali-POSTROUTING appended after kube-proxy's (so kube-proxy's mark is cleared by its own
 * masquerade first), and in it cali-nat-outgoing: the pool has natOutgoing (calico-node's
 * default), so pods' packets to outside every pool are masqueraded. Under VXLAN, a packet
 * leaving vxlan.calico with a source not local to it but local to the host is masqueraded to
 * the tunnel's address.
 */
export function felixNatRules(encap: CalicoEncapsulation): TableLines {
  const post: FelixRule[] = [jump("cali-fip-snat"), jump("cali-nat-outgoing")];
  if (encap === "vxlan") {
    post.push({
      felix: `--out-interface ${CALICO_VTEP} -m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL --jump MASQUERADE --random-fully`,
      head: `-o ${CALICO_VTEP}`,
      tail: "-m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL -j MASQUERADE --random-fully",
    });
  }
  const natOutgoing: FelixRule = {
    felix: `-m set --match-set ${CALICO_MASQ_SET} src -m set ! --match-set ${CALICO_POOLS_SET} dst --jump MASQUERADE --random-fully`,
    tail: `-m set --match-set ${CALICO_MASQ_SET} src -m set ! --match-set ${CALICO_POOLS_SET} dst -j MASQUERADE --random-fully`,
  };
  return {
    chains: [":cali-OUTPUT - [0:0]", ":cali-POSTROUTING - [0:0]", ":cali-PREROUTING - [0:0]", ":cali-fip-dnat - [0:0]", ":cali-fip-snat - [0:0]", ":cali-nat-outgoing - [0:0]"],
    rules: [
      ...felixLines("PREROUTING", [jump("cali-PREROUTING")], { insert: true }),
      ...felixLines("OUTPUT", [jump("cali-OUTPUT")], { insert: true }),
      ...felixLines("POSTROUTING", [jump("cali-POSTROUTING")], { appendsTo: true }),
      ...felixLines("cali-OUTPUT", [jump("cali-fip-dnat")]),
      ...felixLines("cali-POSTROUTING", post),
      ...felixLines("cali-PREROUTING", [jump("cali-fip-dnat")]),
      ...felixLines("cali-nat-outgoing", [natOutgoing]),
    ],
  };
}

/** felix's MTU for the pods: the host's (eth0's), less VXLAN's overhead when VXLAN is on. */
export function calicoMtu(world: World, node: string, encap: CalicoEncapsulation): number {
  const host = world.get(node).requireIface("eth0").mtu;
  return encap === "vxlan" ? host - CALICO_VXLAN_OVERHEAD : host;
}

/** calico-ipam within one block: ordinals handed out from the front, in order. */
class CalicoBlock {
  readonly cidr: Cidr;
  private readonly used = new Set<number>();
  constructor(text: string) {
    this.cidr = parseCidr(text);
  }
  take(ip: number): string | undefined {
    const last = broadcastOf(this.cidr);
    if (ip < this.cidr.net || ip > last) return `${formatIpv4(ip)} is outside this node's block ${formatIpv4(this.cidr.net)}/${this.cidr.prefix}`;
    if (this.used.has(ip)) return `${formatIpv4(ip)} is already taken`;
    this.used.add(ip);
    return undefined;
  }
  next(): number | undefined {
    for (let ip = this.cidr.net; ip <= broadcastOf(this.cidr); ip++) {
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    return undefined;
  }
}

/** The pool's encapsulation the node's configuration names (cluster.cni.encapsulation, checked by validateScenario). */
function encapsulationOf(node: CniNode): CalicoEncapsulation {
  const e = node.config.encapsulation;
  if (e !== "none" && e !== "vxlan") throw new ScenarioError("cluster.cni.encapsulation", e === "ipip" ? "IP-in-IP is not modelled yet" : `Calico needs its IP pool's encapsulation named: "none" or "vxlan"`);
  return e;
}

/** Calico for one cluster; the pool's encapsulation comes with each node's configuration. */
export function calicoPlugin(): CniPlugin {
  const blocks = new Map<string, CalicoBlock>();
  let encap: CalicoEncapsulation = "none";
  return {
    type: "calico",
    setUpNode(world: World, node: CniNode) {
      encap = encapsulationOf(node);
      const ns = world.get(node.name);
      const block = new CalicoBlock(node.podCidr);
      blocks.set(node.name, block);
      const blockCidr = parseCidr(node.podCidr);
      if (encap === "vxlan") {
        // calico-node allocates the tunnel address (.0) before any pod; felix makes the device.
        const tunnel = block.next()!;
        const dev = ns.addVxlan({ name: CALICO_VTEP, vni: CALICO_VNI, port: CALICO_VXLAN_PORT, local: parseCidr(node.ip).net, underlay: "eth0", learning: false, mac: calicoVtepMac(node.name), mtu: calicoMtu(world, node.name, encap) });
        ns.addAddress(dev.name, `${formatIpv4(tunnel)}/32`);
        ns.setUp(dev.name);
        ns.addRoute({ table: "main", type: "blackhole", dst: blockCidr, proto: "80", scope: "global" });
      } else {
        // BIRD's aggregate for a block affine to this host.
        ns.addRoute({ table: "main", type: "blackhole", dst: blockCidr, proto: "bird", scope: "global" });
      }
    },

    connectNodes(world: World, nodes: readonly CniNode[]) {
      for (const node of nodes) {
        const ns = world.get(node.name);
        for (const other of nodes) {
          if (other.name === node.name) continue;
          const dst = parseCidr(other.podCidr);
          if (encap === "none") {
            ns.addRoute({ table: "main", type: "unicast", dst, via: parseCidr(other.ip).net, dev: "eth0", proto: "bird", scope: "global" });
            continue;
          }
          const vtep = ns.requireIface(CALICO_VTEP);
          if (vtep.kind !== "vxlan") continue;
          const tunnel = calicoTunnelAddress(other.podCidr);
          const mac = calicoVtepMac(other.name);
          ns.addPermanentNeighbour(CALICO_VTEP, tunnel, mac);
          vtep.fdb.set(mac, { dst: parseCidr(other.ip).net });
          ns.addRoute({ table: "main", type: "unicast", dst, via: tunnel, dev: CALICO_VTEP, proto: "boot", scope: "global", onlink: true });
        }
      }
    },

    addPod(world: World, node: CniNode, pod: PodAttachment): PodNetwork {
      const block = blocks.get(node.name)!;
      let ip: number;
      if (pod.ip !== undefined) {
        const problem = block.take(pod.ip);
        if (problem) throw new ScenarioError(`${pod.path}.ip`, encap === "vxlan" && pod.ip === block.cidr.net ? `${formatIpv4(pod.ip)} is ${node.name}'s vxlan.calico address (the block's first, calico-node's)` : problem);
        ip = pod.ip;
      } else {
        const got = block.next();
        if (got === undefined) throw new ScenarioError(pod.path, `calico-ipam has no free address left in ${node.name}'s block ${node.podCidr}`);
        ip = got;
      }
      const nodeNs = world.get(node.name);
      const hostIface = calicoVethName(pod.namespace ?? "default", pod.name ?? pod.containerId);
      if (nodeNs.iface(hostIface)) throw new ScenarioError(pod.path, `${hostIface} exists on ${node.name} already (pods named alike in one namespace)`);
      const mtu = calicoMtu(world, node.name, encap);
      // The pair is made in the pod's namespace (the host end first: veth registers the peer first), then the host end moved out.
      const podMac = generatedMac(`calico/${pod.containerId}/eth0`);
      const [podEnd, hostEnd] = world.veth({ ns: pod.netns, name: "eth0", mac: podMac, ifindex: 3 }, { ns: node.name, name: hostIface, mac: CALICO_HOST_MAC });
      podEnd.mtu = mtu;
      hostEnd.mtu = mtu;
      hostEnd.proxyArp = { delay: 0 };
      const podNs = world.get(pod.netns);
      const gateway = parseCidr(CALICO_GATEWAY).net;
      podNs.addRoute({ table: "main", type: "unicast", dst: parseCidr(`${CALICO_GATEWAY}/32`), dev: "eth0", proto: "boot", scope: "link" });
      podNs.addRoute({ table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: gateway, dev: "eth0", proto: "boot", scope: "global" });
      podNs.addAddress("eth0", `${formatIpv4(ip)}/32`);
      // The CNI's route to the pod; felix owns it after (DeviceRouteProtocol 3, boot), and writes the pod's permanent ARP entry.
      nodeNs.addRoute({ table: "main", type: "unicast", dst: parseCidr(`${formatIpv4(ip)}/32`), dev: hostIface, proto: "boot", scope: "link" });
      nodeNs.addPermanentNeighbour(hostIface, ip as Ipv4, podMac);
      return { ip, hostIface };
    },

    natRules(node: CniNode) {
      return felixNatRules(encapsulationOf(node));
    },

    rawRules(node: CniNode) {
      return felixRawRules(encapsulationOf(node));
    },

    ipsets(node: CniNode) {
      // One pool, the cluster's pod network, with natOutgoing.
      return { [CALICO_MASQ_SET]: [node.podNetwork], [CALICO_POOLS_SET]: [node.podNetwork] };
    },
  };
}
