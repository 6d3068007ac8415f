/**
 * `ip neigh [show] [dev X] [ADDR]` as iproute2 6.1 prints it on kernel 6.18 (checked in network
 * namespaces: __fixtures__/iproute2-6.1, docs/kernel-lab-notes.md "The shell on flannel nodes"):
 * `ADDR dev DEV lladdr MAC STATE ` (the device left out when `dev` was given), every line ending
 * in a space; iproute2 4.15 (the article's nodes) prints the same without the last space
 * (print_neigh of v4.15.0, read from its source).
 *
 * What it lists: the permanent entries a CNI's agent wrote (flanneld's `10.244.M.0 lladdr
 * <VTEP MAC> PERMANENT` on flannel.1) and the entries the traced packets made: REACHABLE once an
 * ARP request was answered, STALE on the host that answered it (it learnt the asker), DELAY when
 * a STALE entry was used. The MAC of a learnt entry is the one that answers for the address on
 * that link. The kernel would also age REACHABLE entries to STALE after 15 to 45 s without
 * confirmation; the model does not, which the output says. An address nobody on a veth's link owns
 * was answered by the peer itself (proxy ARP), so it gets the peer's MAC. IPv4 only (the model keeps no IPv6
 * neighbours), and `ip neigh` leaves out NOARP entries as the kernel's multicast ones are.
 *
 * The order: the kernel dumps its hash table, whose key is drawn at boot, so its order differs
 * from boot to boot; here the entries come in the order they were made, learnt ones first.
 */
import { formatIpv4, isIpv4, parseIpv4, type Ipv4 } from "../addr/ipv4";
import { answerer } from "../link/link";
import type { Netns } from "../netns";
import type { Walk } from "../walk/walk";
import type { World } from "../world";
import { fail, ok, type CommandResult } from "./exec";
import type { IpEra } from "./ip";

/** Whether a word names `ip neighbour` (iproute2 takes any prefix of neighbor/neighbour). */
export function isNeighObject(word: string): boolean {
  return word.length > 0 && ("neighbor".startsWith(word) || "neighbour".startsWith(word));
}

const AGEING_NOTE = "(hopscope: learnt entries keep the state the traced packets left them in; the kernel would turn a REACHABLE entry STALE after 15 to 45 s without traffic, which the simulation does not age)";

/** `ip neigh [show|list|ls] [dev DEV] [to] [ADDR]`, with the global options already read. */
export function ipNeigh(ns: Netns, world: World, args: readonly string[], opts: { readonly era?: IpEra; readonly stats?: boolean } = {}): CommandResult {
  // -s adds the entries' reference counts and timers (used/confirmed/updated), which the model does not keep.
  if (opts.stats) return fail("(hopscope: ip -s neigh is not simulated: the entries' timers are not kept; ip neigh is)\n", 255);
  const era = opts.era ?? "4.15";
  let words = args;
  if (words[0] !== undefined && ["show", "list", "lst", "ls"].includes(words[0])) words = words.slice(1);
  else if (words[0] !== undefined && !["dev", "to"].includes(words[0]) && !isIpv4(words[0])) {
    if (["add", "del", "delete", "change", "replace", "flush", "get"].includes(words[0])) return fail(`(hopscope: ip neigh ${words[0]} is not simulated; the scenario decides the neighbour table)\n`, 255);
    return fail(`Command "${words[0]}" is unknown, try "ip neigh help".\n`, 255);
  }
  let dev: string | undefined;
  let addr: number | undefined;
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (w === "dev") {
      const v = words[++k];
      if (v === undefined) return fail('Command line is not complete. Try option "help"\n', 255);
      if (!ns.iface(v)) return fail(`Cannot find device "${v}"\n`, 1);
      dev = v;
    } else if (w === "nud" || w === "proxy" || w === "nomaster" || w === "vrf" || w === "master") {
      return fail(`(hopscope: ip neigh show ${w} is not simulated; ip neigh [show] [dev DEV] [ADDR] is)\n`, 255);
    } else {
      const a = w === "to" ? words[++k] : w;
      if (a === undefined) return fail('Command line is not complete. Try option "help"\n', 255);
      if (!isIpv4(a.replace(/\/32$/, ""))) return fail(`Error: any valid prefix is expected rather than "${a}".\n`, 1);
      if (addr !== undefined) return fail(`Error: either "to" is duplicate, or "${a}" is a garbage.\n`, 255);
      addr = parseIpv4(a.replace(/\/32$/, ""));
    }
  }
  // The links the model knows, as a Walk sees them: who answers for an address on a device.
  const walkView = { world } as unknown as Walk;
  const rows: { dev: string; ip: number; mac: string; state: string; learnt: boolean }[] = [];
  for (const n of ns.learntNeighbours()) {
    const iface = ns.iface(n.dev);
    const who = iface ? answerer(walkView, ns, iface, n.ip as Ipv4) : undefined;
    // No owner of the address on the link: over a veth only its peer can have answered (proxy ARP, as Calico's gateway 169.254.1.1 is).
    const peer = !who && iface?.kind === "veth" && iface.peer ? world.namespaces.get(iface.peer.ns)?.ifaceByIndex(iface.peer.ifindex) : undefined;
    const mac = who?.iface.mac ?? peer?.mac;
    if (mac === undefined) continue;
    rows.push({ dev: n.dev, ip: n.ip, mac, state: n.state, learnt: true });
  }
  for (const p of ns.permanentNeighbours.values()) rows.push({ dev: p.dev, ip: p.ip, mac: p.mac, state: "PERMANENT", learnt: false });
  const shown = rows.filter((r) => (dev === undefined || r.dev === dev) && (addr === undefined || r.ip === addr));
  // With `dev`, iproute2 leaves the device out of each line (it is filtered on).
  // iproute2 6.1 ends each line with a space after the state; 4.15 (ipneigh.c of v4.15.0) does not.
  const end = era === "6.1" ? " \n" : "\n";
  const lines = shown.map((r) => `${formatIpv4(r.ip as Ipv4)} ${dev === undefined ? `dev ${r.dev} ` : ""}lladdr ${r.mac} ${r.state}${end}`);
  return ok(lines.join(""), shown.some((r) => r.learnt) ? AGEING_NOTE + "\n" : "");
}
