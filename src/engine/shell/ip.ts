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
      return true;
    case "veth":
      return peerOf(world, i)?.up ?? false;
    case "bridge":
      return ns.ifaces.some((p) => p.master === i.name && p.kind !== "bridge" && hasCarrier(ns, world, p));
  }
}

function operstate(ns: Netns, world: World, i: Iface): string {
  if (!i.up) return "DOWN";
  if (i.kind === "loopback") return "UNKNOWN";
  if (hasCarrier(ns, world, i)) return "UP";
  return i.kind === "veth" ? "LOWERLAYERDOWN" : "DOWN";
}

function txqueuelen(i: Iface): number {
  return i.kind === "veth" ? 0 : 1000;
}

function qdisc(i: Iface): string {
  return i.kind === "ether" ? "mq" : "noqueue";
}

function linkHeader(ns: Netns, world: World, i: Iface, withMode: boolean): string {
  const peer = peerOf(world, i);
  const samePeerNs = i.kind === "veth" && i.peer?.ns === ns.name;
  let link = "";
  if (i.kind === "veth" && i.peer) link = samePeerNs ? `@${peer?.name ?? "NONE"}` : `@if${i.peer.ifindex}`;
  const carrier = hasCarrier(ns, world, i);
  const flags: string[] = [];
  if (i.up && !carrier) flags.push("NO-CARRIER");
  flags.push(...(i.kind === "loopback" ? ["LOOPBACK"] : ["BROADCAST", "MULTICAST"]));
  if (i.up) flags.push("UP");
  if (carrier) flags.push("LOWER_UP");
  // A peer in the same namespace is named, and "M-DOWN" marks it down.
  const mdown = samePeerNs && !(peer?.up ?? false) ? ",M-DOWN" : "";
  let s = `${i.ifindex}: ${i.name}${link}: <${flags.join(",")}${mdown}> mtu ${i.mtu} qdisc ${qdisc(i)} `;
  if (i.master !== undefined) s += `master ${i.master} `;
  s += `state ${operstate(ns, world, i)} `;
  if (withMode) s += "mode DEFAULT ";
  s += "group default ";
  const qlen = txqueuelen(i);
  if (qlen) s += `qlen ${qlen}`;
  s += "\n";
  if (i.kind === "loopback") s += `    link/loopback ${i.mac} brd 00:00:00:00:00:00`;
  else s += `    link/ether ${i.mac} brd ff:ff:ff:ff:ff:ff`;
  if (i.kind === "veth" && i.peer && !samePeerNs) {
    const id = netnsId(world, ns, i.peer.ns);
    s += id >= 0 ? ` link-netnsid ${id}` : " link-netnsid unknown";
  }
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

const LIFETIME = "       valid_lft forever preferred_lft forever\n";

function addrLines(ns: Netns, world: World, i: Iface): string {
  let s = "";
  for (const { addr, secondary } of orderedAddrs(i)) {
    s += `    inet ${formatIpv4(addr.ip)}/${addr.prefix} `;
    if (addr.brd !== undefined) s += `brd ${formatIpv4(addr.brd)} `;
    s += `scope ${addr.scope} ${secondary ? "secondary " : ""}${i.name}\n` + LIFETIME;
  }
  if (i.kind === "loopback") {
    if (i.up) s += "    inet6 ::1/128 scope host \n" + LIFETIME;
  } else if (hasCarrier(ns, world, i)) {
    s += `    inet6 ${linkLocalFromMac(i.mac)}/64 scope link \n` + LIFETIME;
  }
  return s;
}

function show(ns: Netns, world: World, opts: IpShowOptions, print: (i: Iface) => string): CommandOutput {
  let ifaces = [...ns.ifaces].sort((a, b) => a.ifindex - b.ifindex);
  if (opts.dev !== undefined) {
    ifaces = ifaces.filter((i) => i.name === opts.dev);
    if (ifaces.length === 0) return { stdout: "", error: `Device "${opts.dev}" does not exist.`, exitCode: 1 };
  }
  return { stdout: ifaces.map(print).join(""), exitCode: 0 };
}

/** `ip link show [dev X]`. */
export function ipLink(ns: Netns, world: World, opts: IpShowOptions = {}): CommandOutput {
  return show(ns, world, opts, (i) => linkHeader(ns, world, i, true));
}

/** `ip addr show [dev X]`. */
export function ipAddr(ns: Netns, world: World, opts: IpShowOptions = {}): CommandOutput {
  return show(ns, world, opts, (i) => linkHeader(ns, world, i, false) + addrLines(ns, world, i));
}
