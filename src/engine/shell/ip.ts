/**
 * `ip link [show [dev X]]` and `ip addr [show [dev X]]` as iproute2 4.15 prints them on a
 * kernel 4.15 node (ip/ipaddress.c print_linkinfo and print_addrinfo of v4.15.0, checked
 * against that `ip` binary built from the tag and run in a lab), and as iproute2 6.1 prints
 * them on today's nodes (kernel 6.18), with `-d` (details) there: checked against Debian 12's
 * iproute2 6.1 on kernel 6.18 in network namespaces (__fixtures__/iproute2-6.1, and
 * docs/kernel-lab-notes.md, "The shell on flannel nodes").
 *
 * Today's nodes differ in two places without -d: a veth whose peer lives in a named namespace
 * (a pod's, in /var/run/netns) says `link-netns NAME` (6.1 looks the id up among the named
 * namespaces; the node's root namespace has no name, so a pod still says `link-netnsid 0`), and
 * veths have `qlen 1000`: the CNI plugins of today (containernetworking/plugins v1.x) start from
 * netlink.NewLinkAttrs, whose TxQLen -1 sends no IFLA_TXQLEN, so the kernel's default stays.
 *
 * What the kernel would report is derived from the model:
 *  - carrier (LOWER_UP): lo and ethers when up; a veth when it and its peer are up; a bridge
 *    when up with at least one port that has carrier (kernel 4.15 turns an empty bridge's
 *    carrier off: `<NO-CARRIER,BROADCAST,MULTICAST,UP> ... state DOWN`).
 *  - operstate: UNKNOWN for an up lo, UP with carrier, LOWERLAYERDOWN for an up veth whose
 *    peer is down, DOWN otherwise.
 *  - qdisc: noqueue for lo, veths and bridges, mq for a node's ethernet (GCE's multiqueue
 *    virtio_net). A device that never came up would show `noop`; the model does not keep that
 *    history, and every device it creates is brought up.
 *  - txqueuelen: 1000, except veths: the CNI plugins of 2018 created them through a netlink
 *    library that sent a zero IFLA_TXQLEN (the article's ifconfig shows `txqueuelen 0`), and
 *    iproute2 prints `qlen` only when it is not zero, so their line ends in `group default `.
 *  - IPv6: the kernel gives every device an EUI-64 link-local address once it has carrier
 *    (and lo ::1 once up); the model keeps only IPv4, so those lines are derived.
 */
import { cidrContains, cidrOf, formatIpv4 } from "../addr/ipv4";
import { resolveKubeProxy } from "../kube-proxy/releases";
import type { Iface, IfaceAddr, Netns } from "../netns";
import type { World } from "../world";
import type { CommandOutput } from "./iptables-list";

export interface IpShowOptions {
  /** `show dev X`: only that device. */
  readonly dev?: string;
  /** `-4`: IPv4 addresses only, without the link line (addr only; `ip -4 link` is `ip link`). */
  readonly family?: "inet" | undefined;
  /** `-o`: one line per link or address, the line breaks inside it shown as a backslash. */
  readonly oneline?: boolean;
  /** `-br`: the brief table. */
  readonly brief?: boolean;
  /** `-s`: the link's packet and byte counters (the traced packets only). */
  readonly stats?: boolean;
  /** `-d`: the link's details (iproute2 6.1 only). */
  readonly details?: boolean;
  /** Which iproute2 and kernel the node runs: the article's 4.15 (the default) or today's 6.1 on kernel 6.18. */
  readonly era?: IpEra;
}

/** The iproute2 release a node's `ip` is: 4.15 on the article's nodes, 6.1 (on kernel 6.18) on today's. */
export type IpEra = "4.15" | "6.1";

/** The era of a cluster's nodes, from its kube-proxy release (1.10: the article's). */
export function ipEraOf(scenario: { readonly cluster: { readonly kubeProxy?: { readonly mode?: "iptables" | "nftables"; readonly version?: string } | undefined } }): IpEra {
  return resolveKubeProxy(scenario.cluster.kubeProxy).version === "1.10" ? "4.15" : "6.1";
}

type NsRef = Netns | string;

const nameOf = (ns: NsRef) => (typeof ns === "string" ? ns : ns.name);

/**
 * The id namespace `to` has in namespace `from` (what `ip netns` prints as `(id: N)` and
 * `link-netnsid N` shows for a veth whose peer lives there), or -1 when none is assigned.
 *
 * The kernel hands out ids on first need, smallest free first: in 4.15 that is when a veth
 * end arrives in `from` with its peer in `to`, or is created there with the peer in `to`.
 * So the rule is: walk `from`'s interfaces in creation order; each veth whose peer is in
 * another namespace assigns that namespace the next id, unless it has one. A pod therefore
 * sees its node's root namespace as 0, and a node numbers its pods 0, 1, 2 in the order their
 * veths were made (the article's worker-0 lists cni-7cec… (id: 0), cni-1d85… (id: 1),
 * cni-912b… (id: 2)).
 */
export function netnsId(world: World, fromNs: NsRef, toNs: NsRef): number {
  const from = typeof fromNs === "string" ? world.get(fromNs) : fromNs;
  const to = nameOf(toNs);
  const ids: string[] = [];
  for (const i of from.ifaces) {
    if (i.kind !== "veth" || !i.peer || i.peer.ns === from.name) continue;
    if (!ids.includes(i.peer.ns)) ids.push(i.peer.ns);
  }
  return ids.indexOf(to);
}

/** The link-local address the kernel derives from a MAC (EUI-64: flip the U/L bit, insert ff:fe), in inet_ntop form. */
export function linkLocalFromMac(mac: string): string {
  const b = mac.split(":").map((x) => parseInt(x, 16));
  if (b.length !== 6 || b.some((x) => !(x >= 0 && x <= 255))) throw new Error(`"${mac}" is not a MAC address`);
  const [b0, b1, b2, b3, b4, b5] = b as [number, number, number, number, number, number];
  return formatIpv6([0xfe80, 0, 0, 0, ((b0 ^ 0x02) << 8) | b1, (b2 << 8) | 0xff, (0xfe << 8) | b3, (b4 << 8) | b5]);
}

/** inet_ntop for IPv6: lowercase hex groups without leading zeros; the longest run of two or more zero groups (the first, on a tie) becomes "::". */
export function formatIpv6(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hexes.join(":");
  return hexes.slice(0, best).join(":") + "::" + hexes.slice(best + bestLen).join(":");
}

function peerOf(world: World, i: Iface): Iface | undefined {
  if (i.kind !== "veth" || !i.peer) return undefined;
  return world.namespaces.get(i.peer.ns)?.ifaceByIndex(i.peer.ifindex);
}

/** Whether the kernel would report carrier (IFF_LOWER_UP) on the device. */
export function hasCarrier(ns: Netns, world: World, i: Iface): boolean {
  if (!i.up) return false;
  switch (i.kind) {
    case "loopback":
    case "ether":
    case "vxlan":
      return true;
    case "veth":
      return peerOf(world, i)?.up ?? false;
    case "bridge":
      return ns.ifaces.some((p) => p.master === i.name && p.kind !== "bridge" && hasCarrier(ns, world, p));
  }
}

function operstate(ns: Netns, world: World, i: Iface): string {
  if (!i.up) return "DOWN";
  // Devices without a carrier of their own (lo, a VXLAN device) report UNKNOWN.
  if (i.kind === "loopback" || i.kind === "vxlan") return "UNKNOWN";
  if (hasCarrier(ns, world, i)) return "UP";
  return i.kind === "veth" ? "LOWERLAYERDOWN" : "DOWN";
}

function txqueuelen(i: Iface, era: IpEra): number {
  return i.kind === "veth" && era === "4.15" ? 0 : 1000;
}

function qdisc(i: Iface): string {
  return i.kind === "ether" ? "mq" : "noqueue";
}

/** `N: name@peer: <flags> mtu … group default [qlen N]`, without the newline. */
function headerLine(ns: Netns, world: World, i: Iface, withMode: boolean, era: IpEra): string {
  const peer = peerOf(world, i);
  const samePeerNs = i.kind === "veth" && i.peer?.ns === ns.name;
  let link = "";
  if (i.kind === "veth" && i.peer) link = samePeerNs ? `@${peer?.name ?? "NONE"}` : `@if${i.peer.ifindex}`;
  // A peer in the same namespace is named, and "M-DOWN" marks it down.
  const mdown = samePeerNs && !(peer?.up ?? false);
  let s = `${i.ifindex}: ${i.name}${link}: <${linkFlags(ns, world, i)}${mdown ? ",M-DOWN" : ""}> mtu ${i.mtu} qdisc ${qdisc(i)} `;
  if (i.master !== undefined) s += `master ${i.master} `;
  s += `state ${operstate(ns, world, i)} `;
  if (withMode) s += "mode DEFAULT ";
  s += "group default ";
  const qlen = txqueuelen(i, era);
  if (qlen) s += `qlen ${qlen}`;
  return s;
}

/** The flag names iproute2 prints between < and >. */
function linkFlags(ns: Netns, world: World, i: Iface): string {
  const carrier = hasCarrier(ns, world, i);
  const flags: string[] = [];
  if (i.up && !carrier) flags.push("NO-CARRIER");
  flags.push(...(i.kind === "loopback" ? ["LOOPBACK"] : ["BROADCAST", "MULTICAST"]));
  if (i.up) flags.push("UP");
  if (carrier) flags.push("LOWER_UP");
  return flags.join(",");
}

/** `    link/ether MAC brd ff:ff:ff:ff:ff:ff`. */
function linkLine(i: Iface): string {
  return i.kind === "loopback" ? `    link/loopback ${i.mac} brd 00:00:00:00:00:00` : `    link/ether ${i.mac} brd ff:ff:ff:ff:ff:ff`;
}

/**
 * ` link-netnsid N` for a veth whose peer lives in another namespace; iproute2 6.1 names the
 * namespace instead when it is a named one (a pod's: containerd mounts it in /var/run/netns).
 */
function netnsidText(ns: Netns, world: World, i: Iface, era: IpEra): string {
  if (i.kind !== "veth" || !i.peer || i.peer.ns === ns.name) return "";
  if (era === "6.1" && world.namespaces.get(i.peer.ns)?.pod !== undefined) return ` link-netns ${i.peer.ns}`;
  const id = netnsId(world, ns, i.peer.ns);
  return id >= 0 ? ` link-netnsid ${id}` : " link-netnsid unknown";
}

/** print_link_stats64 without -s -s: RX and TX rows, numbers left-aligned in 10, 8 and 7 columns. */
function statsText(i: Iface, sl: string): string {
  const n = (v: number, w: number) => String(v).padEnd(w) + " ";
  const row = (bytes: number, pkts: number) => `    ${n(bytes, 10)}${n(pkts, 8)}${n(0, 7)}${n(0, 7)}${n(0, 7)}${n(0, 7)}`;
  return (
    `    RX: bytes  packets  errors  dropped overrun mcast   ${sl}${row(i.stats.rxBytes, i.stats.rxPackets)}${sl}` +
    `    TX: bytes  packets  errors  dropped carrier collsns ${sl}${row(i.stats.txBytes, i.stats.txPackets)}`
  );
}

/**
 * print_stats64 of iproute2 6.1 without -s -s: a header row whose labels are right-aligned in
 * columns at least as wide as `*X errors:`, packets, errors, dropped, heartbt, overrun and
 * compressed (an empty compressed column), widened for longer numbers, then the numbers
 * right-aligned in the same columns, each followed by a space.
 */
function statsText61(i: Iface, sl: string): string {
  const st = i.stats;
  const rx = [st.rxBytes, st.rxPackets, 0, 0, 0, 0];
  const tx = [st.txBytes, st.txPackets, 0, 0, 0, 0];
  const cols = [10, 7, 6, 7, 7, 7, 10];
  for (const row of [rx, tx]) row.forEach((v, k) => (cols[k] = Math.max(cols[k]!, String(v).length)));
  const head = (dir: string, labels: readonly string[]) =>
    `    ${dir}: ${"bytes".padStart(cols[0]! - 4)} ${labels.map((l, k) => l.padStart(cols[k + 1]!)).join(" ")} ${"".padStart(cols[6]!)}`;
  const nums = (row: readonly number[]) => "    " + row.map((v, k) => `${String(v).padStart(cols[k]!)} `).join("");
  return `${head("RX", ["packets", "errors", "dropped", "missed", "mcast"])}${sl}${nums(rx)}${sl}${head("TX", ["packets", "errors", "dropped", "carrier", "collsns"])}${sl}${nums(tx)}`;
}

/**
 * The link's block: header, the link line (not when listing one address family: `ip -4 …`),
 * link-netnsid, with -d the details (6.1), and with -s the counters. `-o` joins the lines with a
 * backslash.
 */
function linkBlock(ns: Netns, world: World, i: Iface, withMode: boolean, o: IpShowOptions): string {
  const sl = o.oneline ? "\\" : "\n";
  const era = o.era ?? "4.15";
  let s = headerLine(ns, world, i, withMode, era);
  // 6.1 prints the link line with -d even when listing one address family (`ip -4 -d addr`).
  const details = o.details === true && era === "6.1";
  if (!o.family || details) s += sl + linkLine(i);
  // link-netnsid/link-netns is printed outside that block in both releases: on the header line with -4.
  s += netnsidText(ns, world, i, era);
  if (details) s += detailsText(ns, world, i, sl, withMode);
  if (withMode && o.stats) s += sl + (era === "6.1" ? statsText61(i, sl) : statsText(i, sl));
  return s + "\n";
}

/** tso_max_size of a device that sets its own (lo, veth, bridge: GSO_MAX_SIZE) and of one that does not (the kernel's GSO_LEGACY_MAX_SIZE). */
const TSO_MAX_OWN = 524280;
const TSO_MAX_DEFAULT = 65536;

/**
 * What `ip -d` (iproute2 6.1, kernel 6.18) adds after the link line: promiscuity, allmulti and
 * the MTU limits, the kind's own line (veth; a bridge port's bridge_slave line; vxlan; bridge),
 * then addrgenmode (not in `ip -d addr`), the queue counts and the GSO/TSO/GRO limits.
 *
 * The bridge line is the lab kernel's, built without CONFIG_BRIDGE_VLAN_FILTERING (no vlan_protocol,
 * vlan_default_pvid, vlan_stats_* fields, which a distribution kernel would add).
 *
 * What the model does not know is said by detailsNotes: a cloud NIC's driver details, the
 * number of CPUs (a veth has one queue per possible CPU), the VXLAN device's TSO limit (inherited
 * from its underlay's driver) and the bridge's gc_timer (when its next FDB sweep is due).
 */
function detailsText(ns: Netns, world: World, i: Iface, sl: string, withAddrgenmode: boolean): string {
  const master = i.master !== undefined ? ns.iface(i.master) : undefined;
  const port = master?.kind === "bridge";
  // A cloud NIC's limits and queues are its driver's: only what any device shows is printed (detailsNotes says so).
  if (i.kind === "ether") return ` promiscuity ${port ? 1 : 0}  allmulti ${port ? 1 : 0} `;
  const [minmtu, maxmtu] = i.kind === "loopback" ? [0, 0] : [68, 65535];
  let s = ` promiscuity ${port ? 1 : 0}  allmulti ${port ? 1 : 0} minmtu ${minmtu} maxmtu ${maxmtu} `;
  let queues = 1;
  let tso = TSO_MAX_OWN;
  if (i.kind === "veth") {
    s += `${sl}    veth `;
    queues = VETH_QUEUES;
  } else if (i.kind === "vxlan") {
    s += `${sl}    vxlan id ${i.vni} local ${formatIpv4(i.local)} dev ${i.underlay} srcport 0 0 dstport ${i.port} ${i.learning ? "" : "nolearning "}ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx `;
    // The VXLAN device takes its underlay's TSO limit (checked: 524280 over a veth); a cloud NIC's driver is not modelled, so the limit of a driver that sets none is shown (detailsNotes says so).
    const under = ns.iface(i.underlay);
    tso = under === undefined || under.kind === "ether" ? TSO_MAX_DEFAULT : TSO_MAX_OWN;
  } else if (i.kind === "bridge") {
    const id = `8000.${i.mac}`;
    s +=
      `${sl}    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 bridge_id ${id} designated_root ${id} ` +
      `root_port 0 root_path_cost 0 topology_change 0 topology_change_detected 0 hello_timer    0.00 tcn_timer    0.00 topology_change_timer    0.00 gc_timer ${bridgeGcTimer(world)} ` +
      "group_fwd_mask 0 group_address 01:80:c2:00:00:00 mcast_snooping 1 no_linklocal_learn 0 mcast_vlan_snooping 0 mcast_router 1 mcast_query_use_ifaddr 0 mcast_querier 0 " +
      "mcast_hash_elasticity 16 mcast_hash_max 4096 mcast_last_member_count 2 mcast_startup_query_count 2 mcast_last_member_interval 100 mcast_membership_interval 26000 " +
      "mcast_querier_interval 25500 mcast_query_interval 12500 mcast_query_response_interval 1000 mcast_startup_query_interval 3124 mcast_stats_enabled 0 mcast_igmp_version 2 " +
      "mcast_mld_version 1 nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0 ";
  }
  if (port && master) {
    // Ports are numbered from 1 in the order they joined (the smallest free number); port_id is priority 32 << 10 | number.
    const no = portNumber(ns, master.name, i);
    const id = `8000.${master.mac}`;
    s +=
      `${sl}    bridge_slave state forwarding priority 32 cost 2 hairpin ${i.hairpin ? "on" : "off"} guard off root_block off fastleave off learning on flood on ` +
      `port_id 0x${(0x8000 | no).toString(16)} port_no 0x${no.toString(16)} designated_port ${0x8000 | no} designated_cost 0 designated_bridge ${id} designated_root ${id} ` +
      "hold_timer    0.00 message_age_timer    0.00 forward_delay_timer    0.00 topology_change_ack 0 config_pending 0 proxy_arp off proxy_arp_wifi off mcast_router 1 " +
      "mcast_fast_leave off mcast_flood on bcast_flood on mcast_to_unicast off neigh_suppress off group_fwd_mask 0 group_fwd_mask_str 0x0 vlan_tunnel off isolated off locked off ";
  }
  if (withAddrgenmode) s += "addrgenmode eui64 ";
  s += `numtxqueues ${queues} numrxqueues ${queues} gso_max_size 65536 gso_max_segs 65535 tso_max_size ${tso} tso_max_segs 65535 gro_max_size 65536 `;
  return s;
}

/** A veth's queues: one per possible CPU (veth_get_num_queues), shown for a two-CPU node. */
const VETH_QUEUES = 2;

/** The port number a bridge gave `port`: ports take the smallest free number in the order they joined (the model's device order). */
function portNumber(ns: Netns, bridge: string, port: Iface): number {
  return ns.ifaces.filter((p) => p.master === bridge).indexOf(port) + 1;
}

/**
 * The bridge's gc_timer: the seconds until its next FDB sweep, which runs every ageing time
 * (300 s) unless a learnt entry expires sooner. The model keeps neither the bridge's birth nor
 * its entries' ages, so this counts 300 s periods from the moment the scenario's world began.
 */
function bridgeGcTimer(world: World): string {
  const since = Math.max(0, world.now - world.startMs) / 1000;
  const left = 300 - (since % 300);
  return left.toFixed(2).padStart(7);
}

/** The notes `ip -d` adds on stderr for what the model does not know, one line each, for the devices shown. */
export function detailsNotes(ifaces: readonly Iface[]): string[] {
  const notes: string[] = [];
  const ethers = ifaces.filter((i) => i.kind === "ether").map((i) => i.name);
  if (ethers.length) notes.push(`(hopscope: ${ethers.join(", ")} is the cloud VM's NIC; its driver's details (MTU limits, queues, GSO/TSO limits, parentbus) are not simulated, so -d shows only promiscuity and allmulti for it)`);
  if (ifaces.some((i) => i.kind === "veth")) notes.push(`(hopscope: a veth has one queue per possible CPU; the scenario does not say how many CPUs the node has, so numtxqueues/numrxqueues are shown for ${VETH_QUEUES})`);
  const vx = ifaces.filter((i) => i.kind === "vxlan");
  if (vx.length) notes.push(`(hopscope: ${vx.map((i) => i.name).join(", ")} inherits tso_max_size from ${[...new Set(vx.map((i) => (i.kind === "vxlan" ? i.underlay : "")))].join(", ")}'s driver, which is not simulated; ${TSO_MAX_DEFAULT} is a driver's that sets no limit of its own)`);
  if (ifaces.some((i) => i.kind === "bridge")) notes.push("(hopscope: gc_timer, the time to the bridge's next FDB sweep, depends on when the bridge was made and its entries learnt, which the simulation does not keep; it is counted in 300 s periods from the scenario's start. The line is that of the lab's kernel 6.18, built without VLAN filtering: a distribution kernel adds vlan_protocol and vlan_default_pvid)");
  return notes;
}

const RT_SCOPE: Readonly<Record<IfaceAddr["scope"], number>> = { global: 0, link: 253, host: 254 };

/**
 * IPv4 addresses in the kernel's list order (__inet_insert_ifa): a primary goes after the
 * primaries of the same or a narrower scope, so host before link before global; a secondary
 * (an address inside the subnet of an earlier one with the same prefix) goes at the end.
 */
function orderedAddrs(i: Iface): { addr: IfaceAddr; secondary: boolean }[] {
  const primaries: IfaceAddr[] = [];
  const secondaries: IfaceAddr[] = [];
  const seen: IfaceAddr[] = [];
  for (const a of i.addrs) {
    const secondary = seen.some((b) => b.prefix === a.prefix && cidrContains(cidrOf(b.ip, b.prefix), a.ip));
    seen.push(a);
    if (secondary) {
      secondaries.push(a);
      continue;
    }
    let at = 0;
    primaries.forEach((p, k) => {
      if (RT_SCOPE[a.scope] <= RT_SCOPE[p.scope]) at = k + 1;
    });
    primaries.splice(at, 0, a);
  }
  return [...primaries.map((addr) => ({ addr, secondary: false })), ...secondaries.map((addr) => ({ addr, secondary: true }))];
}

const LIFETIME = "       valid_lft forever preferred_lft forever";

/** One entry per address as print_addrinfo prints it: the address line, then the lifetime line. */
function addrEntries(ns: Netns, world: World, i: Iface, family: IpShowOptions["family"]): { family: "inet" | "inet6"; text: string; brief: string }[] {
  const out: { family: "inet" | "inet6"; text: string; brief: string }[] = [];
  for (const { addr, secondary } of orderedAddrs(i)) {
    let t = `    inet ${formatIpv4(addr.ip)}/${addr.prefix} `;
    if (addr.brd !== undefined) t += `brd ${formatIpv4(addr.brd)} `;
    t += `scope ${addr.scope} ${secondary ? "secondary " : ""}${i.name}`;
    out.push({ family: "inet", text: t, brief: `${formatIpv4(addr.ip)}/${addr.prefix}` });
  }
  if (i.kind === "loopback") {
    if (i.up) out.push({ family: "inet6", text: "    inet6 ::1/128 scope host ", brief: "::1/128" });
  } else if (hasCarrier(ns, world, i)) {
    const ll = linkLocalFromMac(i.mac);
    out.push({ family: "inet6", text: `    inet6 ${ll}/64 scope link `, brief: `${ll}/64` });
  }
  return family ? out.filter((e) => e.family === family) : out;
}

/**
 * `ip -br`: the name (with @ and the name iproute2 4.15 finds for the link's peer index in this
 * namespace, or if<N>) padded to 16, the operstate padded to 14, then the addresses or, for
 * links, the MAC and the flags; M-DOWN when that index is no device that is up here.
 */
function briefLine(ns: Netns, world: World, i: Iface, links: boolean, family: IpShowOptions["family"]): string {
  let name = i.name;
  let mdown = false;
  if (i.kind === "veth" && i.peer) {
    const here = ns.ifaceByIndex(i.peer.ifindex);
    name += `@${here ? here.name : `if${i.peer.ifindex}`}`;
    mdown = !(here?.up ?? false);
  }
  let s = `${name.padEnd(16)} ${operstate(ns, world, i).padEnd(14)} `;
  if (links) s += `${i.mac} <${linkFlags(ns, world, i)}${mdown ? ",M-DOWN" : ""}> `;
  else for (const e of addrEntries(ns, world, i, family)) s += `${e.brief} `;
  return s + "\n";
}

function show(ns: Netns, world: World, showOpts: IpShowOptions, links: boolean): CommandOutput {
  let opts = showOpts;
  let ifaces = [...ns.ifaces].sort((a, b) => a.ifindex - b.ifindex);
  if (opts.dev !== undefined) {
    ifaces = ifaces.filter((i) => i.name === opts.dev);
    if (ifaces.length === 0) return { stdout: "", error: `Device "${opts.dev}" does not exist.`, exitCode: 1 };
  }
  // `ip -4 link` is `ip link` (checked with 4.15); for addresses, listing one family leaves out
  // the links without an address of it and their link line (ipaddr_filter).
  if (links) opts = { ...opts, family: undefined };
  else if (opts.family) ifaces = ifaces.filter((i) => addrEntries(ns, world, i, opts.family).length > 0);
  const sl = opts.oneline ? "\\" : "\n";
  const stats = (i: Iface) => (opts.stats ? (opts.era === "6.1" ? statsText61(i, sl) : statsText(i, sl)) + sl : "");
  const out = ifaces.map((i) => {
    if (opts.brief) return briefLine(ns, world, i, links, opts.family);
    if (links) return linkBlock(ns, world, i, true, opts);
    const entries = addrEntries(ns, world, i, opts.family);
    // -o prints no link block, each address on one line after "N: name".
    if (opts.oneline) return entries.map((e) => `${i.ifindex}: ${i.name}${e.text}${sl}${LIFETIME}\n`).join("") + stats(i);
    return linkBlock(ns, world, i, false, opts) + entries.map((e) => `${e.text}\n${LIFETIME}\n`).join("") + stats(i);
  });
  const notes = opts.details && opts.era === "6.1" && !opts.brief ? detailsNotes(ifaces) : [];
  return { stdout: out.join(""), exitCode: 0, ...(notes.length && { error: notes.join("\n") }) };
}

/** `ip [-4] [-o] [-br] [-s] link show [dev X]`. */
export function ipLink(ns: Netns, world: World, opts: IpShowOptions = {}): CommandOutput {
  return show(ns, world, opts, true);
}

/** `ip [-4] [-o] [-br] [-s] addr show [dev X]`. */
export function ipAddr(ns: Netns, world: World, opts: IpShowOptions = {}): CommandOutput {
  return show(ns, world, opts, false);
}
