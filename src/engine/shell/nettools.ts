/**
 * `ifconfig` (net-tools as Ubuntu 18.04 ships it), `bridge fdb show` (iproute2 4.15 on kernel
 * 4.15) and `tcpdump -n [-e] [-c N] -i IFACE [filter]` (4.9), over the model and the packets
 * traced so far. Interface counters count the traced packets only: the IPv6 autoconfiguration,
 * MLD and ARP traffic a real link also carries is not modelled.
 */
import { formatIpv4 } from "../addr/ipv4";
import type { Iface, Netns } from "../netns";
import { tcpdumpEtherText } from "../packet/ether-text";
import { tcpdumpTime } from "../packet/format";
import type { Flow, StepPacket } from "../trace";
import type { World } from "../world";
import { ok, fail, type CommandResult } from "./exec";
import { hasCarrier, linkLocalFromMac, type IpEra } from "./ip";
import { parsePcapFilter, type PacketFilter } from "./pcap-filter";


/**
 * net-tools' byte count: on the article's nodes powers of 1000, one decimal, truncated ("42.2 KB"
 * for 42247, "1.1 KB" for 1184); net-tools 2.10 (today's Debian 12) divides by 1024 and says KiB
 * ("1.2 KiB" for 1244, "1020.0 B" for 1020: checked in the lab).
 */
export function scaledBytes(n: number, era: IpEra = "4.15"): string {
  // print_bytes_scaled: integer division per unit, one truncated decimal.
  const base = era === "6.1" ? 1024 : 1000;
  const units = era === "6.1" ? ["B", "KiB", "MiB", "GiB", "TiB"] : ["B", "KB", "MB", "GB", "TB"];
  let int = n;
  let frac = 0;
  let u = 0;
  while (int >= base && u < units.length - 1) {
    frac = Math.floor(((int % base) * 10) / base);
    int = Math.floor(int / base);
    u++;
  }
  return `${int}.${frac} ${units[u]}`;
}

function maskOf(prefix: number): string {
  return formatIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

function ifconfigBlock(ns: Netns, world: World, i: Iface, era: IpEra): string {
  const up = i.up;
  const running = hasCarrier(ns, world, i);
  const loop = i.kind === "loopback";
  // The kernel's IFF_ bits, in the order ifconfig names them.
  const flags: [boolean, number, string][] = [
    [up, 0x1, "UP"],
    [!loop, 0x2, "BROADCAST"],
    [loop, 0x8, "LOOPBACK"],
    [running, 0x40, "RUNNING"],
    [!loop, 0x1000, "MULTICAST"],
  ];
  const set = flags.filter(([on]) => on);
  const bits = set.reduce((acc, [, bit]) => acc | bit, 0);
  const names = set.map(([, , name]) => name);
  let s = `${i.name}: flags=${bits}<${names.join(",")}>  mtu ${i.mtu}\n`;
  const primary = i.addrs[0];
  if (primary) {
    s += `        inet ${formatIpv4(primary.ip)}  netmask ${maskOf(primary.prefix)}`;
    if (!loop) s += `  broadcast ${primary.brd !== undefined ? formatIpv4(primary.brd) : "0.0.0.0"}`;
    s += "\n";
  }
  if (loop && up) s += "        inet6 ::1  prefixlen 128  scopeid 0x10<host>\n";
  else if (!loop && running) s += `        inet6 ${linkLocalFromMac(i.mac)}  prefixlen 64  scopeid 0x20<link>\n`;
  // The 2018 CNI plugins made veths with a zero queue length; today's leave the kernel's 1000 (see ip.ts).
  const qlen = i.kind === "veth" && era === "4.15" ? 0 : 1000;
  s += loop ? `        loop  txqueuelen ${qlen}  (Local Loopback)\n` : `        ether ${i.mac}  txqueuelen ${qlen}  (Ethernet)\n`;
  s += `        RX packets ${i.stats.rxPackets}  bytes ${i.stats.rxBytes} (${scaledBytes(i.stats.rxBytes, era)})\n`;
  s += "        RX errors 0  dropped 0  overruns 0  frame 0\n";
  s += `        TX packets ${i.stats.txPackets}  bytes ${i.stats.txBytes} (${scaledBytes(i.stats.txBytes, era)})\n`;
  s += "        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n";
  return s;
}

/** `ifconfig [-a] [IFACE]`: the up interfaces (all with -a) in the kernel's device order, or the one named. */
export function ifconfig(ns: Netns, world: World, args: readonly string[], era: IpEra = "4.15"): CommandResult {
  let all = false;
  const names: string[] = [];
  for (const a of args) {
    if (a === "-a") all = true;
    else if (a.startsWith("-")) return fail(`ifconfig: option \`${a}' not recognised.\nifconfig: \`--help' gives usage information.\n`);
    else names.push(a);
  }
  const ordered = [...ns.ifaces].sort((a, b) => a.ifindex - b.ifindex);
  if (names.length === 0) return ok(ordered.filter((i) => all || i.up).map((i) => ifconfigBlock(ns, world, i, era)).join(""));
  if (names.length > 1) return fail(`ifconfig: the simulated node shows interfaces; it does not configure them (${names.slice(1).join(" ")})\n`);
  const dev = ns.iface(names[0]!);
  if (!dev) return fail(`${names[0]}: error fetching interface information: Device not found\n`);
  return ok(ifconfigBlock(ns, world, dev, era));
}

/**
 * The multicast addresses kernel 4.15 puts in a device's own ("self") list: all-nodes
 * ff02::1, the IPv4 all-hosts group 224.0.0.1, and the solicited-node group of its link-local
 * address. (The bridge's all-snoopers groups, 224.0.0.106 and ff02::6a, come with later kernels:
 * kernel 6.18 lists them, checked in the lab.) A VXLAN device answers the dump with its own
 * forwarding table instead of these lists.
 */
function selfEntries(ns: Netns, world: World, i: Iface, era: IpEra): string[] {
  if (i.kind === "loopback" || i.kind === "vxlan" || !hasCarrier(ns, world, i)) return [];
  const tail = i.mac.split(":").slice(3).join(":");
  // Kernel 6.18's bridge (multicast snooping on) also joins the all-snoopers groups, listed second and third.
  if (era === "6.1" && i.kind === "bridge") return ["33:33:00:00:00:01", "01:00:5e:00:00:6a", "33:33:00:00:00:6a", "01:00:5e:00:00:01", `33:33:ff:${tail}`];
  return ["33:33:00:00:00:01", "01:00:5e:00:00:01", `33:33:ff:${tail}`];
}

/**
 * `bridge fdb [show] [br BRIDGE] [dev DEV]`: per device in creation order, the bridge's entries
 * for it, then its own. On kernel 6.18 (checked in the lab) a bridge and a VXLAN device keep
 * their entries in a list the newest entry heads, so a port's learnt entries (newest first) come
 * before its own address, and a VXLAN device lists `MAC dst IP self permanent` newest first.
 * The bridge's learnt entries are the ones the traced frames taught it; the kernel would forget
 * one 300 s after it was last seen, which the model does not.
 */
export function bridgeFdb(ns: Netns, world: World, args: readonly string[], era: IpEra = "4.15"): CommandResult {
  const [object, ...rest] = args;
  if (object === undefined || !["fdb", "link"].includes(object)) {
    return fail(object === undefined ? "Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { link | fdb | mdb | vlan | monitor }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |\n                    -o[neline] | -t[imestamp] | -n[etns] name |\n                    -c[ompressvlan] -p[retty] -j{son} }\n" : `Object "${object}" is unknown, try "bridge help".\n`, 255);
  }
  if (object === "link") return fail('Object "link" is not simulated here; try "bridge fdb show" or "brctl show".\n', 255);
  let words = rest;
  if (words[0] === "show" || words[0] === "list" || words[0] === "lst") words = words.slice(1);
  else if (words[0] !== undefined && !["br", "brport", "dev"].includes(words[0])) return fail(`Command "${words[0]}" is unknown, try "bridge fdb help".\n`, 255);
  let br: Iface | undefined;
  let dev: Iface | undefined;
  for (let k = 0; k < words.length; k += 2) {
    const key = words[k]!;
    const value = words[k + 1];
    if (value === undefined) return fail('Command line is not complete. Try option "help"\n', 255);
    if (key === "br") {
      br = ns.iface(value);
      if (!br) return fail(`Cannot find bridge device "${value}"\n`, 255);
    } else if (key === "dev" || key === "brport") {
      dev = ns.iface(value);
      if (!dev) return fail(`Cannot find device "${value}"\n`, 255);
    } else return fail(`Command "${key}" is unknown, try "bridge fdb help".\n`, 255);
  }
  const lines: string[] = [];
  const devWord = (i: Iface) => (dev ? "" : `dev ${i.name} `);
  for (const i of [...ns.ifaces].sort((a, b) => a.ifindex - b.ifindex)) {
    if (dev && i !== dev) continue;
    if (br && i !== br && i.master !== br.name) continue;
    const master = i.master !== undefined ? ns.iface(i.master) : undefined;
    const own = [...selfEntries(ns, world, i, era)].map((mac) => `${mac} ${devWord(i)}self permanent`);
    if (i.kind === "vxlan") {
      const entries = [...i.fdb].map(([mac, e]) => `${mac} ${devWord(i)}dst ${formatIpv4(e.dst)} self permanent`);
      lines.push(...(era === "6.1" ? entries.reverse() : entries));
      continue;
    }
    if (i.kind === "bridge") {
      lines.push(...own);
      // The CNI plugin sets the bridge's address itself, so the bridge holds a local entry with no port.
      lines.push(`${i.mac} ${devWord(i)}master ${i.name} permanent`);
      continue;
    }
    if (master?.kind === "bridge") {
      const entries = [...master.fdb].filter(([, e]) => e.port === i.name);
      if (era === "6.1") entries.reverse();
      for (const [mac, e] of entries) lines.push(`${mac} ${devWord(i)}master ${master.name} ${e.local ? "permanent" : ""}`);
    }
    lines.push(...own);
  }
  // Learnt entries (no "permanent") are the traced frames'; the kernel forgets one 300 s after its MAC was last seen.
  const learnt = lines.some((l) => / master \S+ $/.test(l));
  return ok(lines.map((l) => l + "\n").join(""), learnt ? FDB_AGEING_NOTE : "");
}

const FDB_AGEING_NOTE = "(hopscope: the bridge's learnt entries are those the traced frames taught it; the kernel would forget one 300 s after its MAC was last seen, and learns pods' MACs from their IPv6 autoconfiguration too, which the simulation does not model)\n";

/** Which traced steps a namespace's capture on an interface sees. */
function capturedOn(flows: readonly Flow[], ns: Netns, iface: string | undefined) {
  const out: { line: string; time: number; mac?: { src: string; dst: string }; innerMac?: { src: string; dst: string }; length: number; packet: StepPacket }[] = [];
  for (const f of flows) {
    for (const s of f.steps) {
      if (s.kind !== "wire" || s.detail?.kind !== "wire") continue;
      if (s.node !== ns.node || (s.pod ?? undefined) !== ns.pod) continue;
      if (iface !== undefined && s.iface !== iface) continue;
      out.push({ line: s.detail.tcpdump, time: s.detail.time, ...(s.detail.mac && { mac: s.detail.mac }), ...(s.detail.innerMac && { innerMac: s.detail.innerMac }), length: s.detail.length, packet: s.packet });
    }
  }
  return out;
}

/**
 * `tcpdump -n [-e] -i IFACE`: what a capture running during the traced traffic printed, then
 * the summary tcpdump gives when it is stopped with Ctrl+C.
 */
export function tcpdump(ns: Netns, flows: readonly Flow[], args: readonly string[]): CommandResult {
  let iface: string | undefined;
  let ether = false;
  let count: number | undefined;
  let filter: PacketFilter = () => true;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "--interface") {
      iface = args[++k];
      if (iface === undefined) return fail("tcpdump: option '--interface' requires an argument\n" + TCPDUMP_USAGE);
    } else if (a.startsWith("-") && a.length > 1 && !a.startsWith("--")) {
      // Short options group as getopt groups them: -nei eth0, -ni eth0, -c3, -nnvvi any.
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        if (ch === "i" || ch === "c") {
          const value = j + 1 < a.length ? a.slice(j + 1) : args[++k];
          if (value === undefined) return fail(`tcpdump: option requires an argument -- '${ch}'\n` + TCPDUMP_USAGE);
          if (ch === "i") iface = value;
          else {
            count = Number(value);
            if (!Number.isInteger(count) || count <= 0) return fail(`tcpdump: invalid packet count ${value}\n`);
          }
          break;
        }
        if (ch === "e") ether = true;
        else if (ch === "v") return fail("(hopscope: tcpdump -v's IP header details are not simulated; use -n or -e)\n");
        else if (ch !== "n" && ch !== "l") return fail(`tcpdump: invalid option -- '${ch}'\n` + TCPDUMP_USAGE);
      }
    } else if (a.startsWith("-")) return fail(`tcpdump: unrecognized option '${a}'\n` + TCPDUMP_USAGE);
    else {
      // The rest of the line is the filter expression.
      const parsed = parsePcapFilter(args.slice(k).join(" "));
      if (!parsed.ok) return fail(`tcpdump: ${parsed.error}\n`);
      filter = parsed.filter;
      break;
    }
  }
  if (iface === undefined) iface = [...ns.ifaces].sort((a, b) => a.ifindex - b.ifindex).find((i) => i.up && i.kind !== "loopback")?.name ?? "lo";
  const any = iface === "any";
  if (!any && !ns.iface(iface)) return fail(`tcpdump: ${iface}: No such device exists\n(SIOCGIFHWADDR: No such device)\n`);
  if (any && ether) return fail("tcpdump: the simulated capture on \"any\" is without -e (Linux cooked headers are not modelled)\n");
  let pkts = capturedOn(flows, ns, any ? undefined : iface).filter((p) => filter(p.packet));
  if (count !== undefined) pkts = pkts.slice(0, count);
  const head = `tcpdump: verbose output suppressed, use -v or -vv for full protocol decode\nlistening on ${iface}, link-type ${any ? "LINUX_SLL (Linux cooked)" : "EN10MB (Ethernet)"}, capture size 262144 bytes\n`;
  const lines = pkts.map((p) => `${tcpdumpTime(p.time)} ${ether ? tcpdumpEtherText({ tcpdump: p.line, length: p.length, ...(p.mac && { mac: p.mac }), ...(p.innerMac && { innerMac: p.innerMac }) }) : p.line}\n`);
  const tail = count !== undefined ? `${pkts.length} packets captured\n${pkts.length} packets received by filter\n0 packets dropped by kernel\n` : `^C\n${pkts.length} packets captured\n${pkts.length} packets received by filter\n0 packets dropped by kernel\n`;
  return { stdout: lines.join(""), stderr: tail, prelude: head, code: 0 };
}

const TCPDUMP_USAGE = "tcpdump version 4.9.2\nlibpcap version 1.8.1\nUsage: tcpdump [-aAbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ]\n\t\t[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]\n\t\t[ -i interface ] [ -j tstamptype ] [ -M secret ] [ --number ]\n\t\t[ -Q in|out|inout ]\n\t\t[ -r file ] [ -s snaplen ] [ --time-stamp-precision precision ]\n\t\t[ --immediate-mode ] [ -T type ] [ --version ] [ -V file ]\n\t\t[ -w file ] [ -W filecount ] [ -y datalinktype ] [ -z postrotate-command ]\n\t\t[ -Z user ] [ expression ]\n";
