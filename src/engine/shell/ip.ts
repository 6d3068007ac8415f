/**
 * `ip link [show [dev X]]` and `ip addr [show [dev X]]` as iproute2 4.15 prints them on a
 * kernel 4.15 node (ip/ipaddress.c print_linkinfo and print_addrinfo of v4.15.0, checked
 * against that `ip` binary built from the tag and run in a lab).
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

function txqueuelen(i: Iface): number {
  return i.kind === "veth" ? 0 : 1000;
}

function qdisc(i: Iface): string {
  return i.kind === "ether" ? "mq" : "noqueue";
}

/** `N: name@peer: <flags> mtu … group default [qlen N]`, without the newline. */
function headerLine(ns: Netns, world: World, i: Iface, withMode: boolean): string {
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
  const qlen = txqueuelen(i);
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

/** ` link-netnsid N` for a veth whose peer lives in another namespace. */
function netnsidText(ns: Netns, world: World, i: Iface): string {
  if (i.kind !== "veth" || !i.peer || i.peer.ns === ns.name) return "";
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
 * The link's block: header, the link line (not when listing one address family: `ip -4 …`),
 * link-netnsid, and with -s the counters. `-o` joins the lines with a backslash.
 */
function linkBlock(ns: Netns, world: World, i: Iface, withMode: boolean, o: IpShowOptions): string {
  const sl = o.oneline ? "\\" : "\n";
  let s = headerLine(ns, world, i, withMode);
  if (!o.family) s += sl + linkLine(i);
  s += netnsidText(ns, world, i);
  if (withMode && o.stats) s += sl + statsText(i, sl);
  return s + "\n";
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
  const out = ifaces.map((i) => {
    if (opts.brief) return briefLine(ns, world, i, links, opts.family);
    if (links) return linkBlock(ns, world, i, true, opts);
    const entries = addrEntries(ns, world, i, opts.family);
    // -o prints no link block, each address on one line after "N: name".
    if (opts.oneline) return entries.map((e) => `${i.ifindex}: ${i.name}${e.text}${sl}${LIFETIME}\n`).join("") + (opts.stats ? statsText(i, sl) + sl : "");
    return linkBlock(ns, world, i, false, opts) + entries.map((e) => `${e.text}\n${LIFETIME}\n`).join("") + (opts.stats ? statsText(i, sl) + sl : "");
  });
  return { stdout: out.join(""), exitCode: 0 };
}

/** `ip [-4] [-o] [-br] [-s] link show [dev X]`. */
export function ipLink(ns: Netns, world: World, opts: IpShowOptions = {}): CommandOutput {
  return show(ns, world, opts, true);
}

/** `ip [-4] [-o] [-br] [-s] addr show [dev X]`. */
export function ipAddr(ns: Netns, world: World, opts: IpShowOptions = {}): CommandOutput {
  return show(ns, world, opts, false);
}
