/**
 * `cli lab <scenario>`: a bash script that builds the scenario in network namespaces on a Linux
 * machine (one per node, pod, the VPC router and the client, plus one per L2 segment), loads each
 * node's iptables rules from the engine's own iptables-save, sends the scenario's traffic with
 * real sockets, and prints as JSON what the kernel did: the packets seen on every interface,
 * each node's conntrack entries and its iptables counters, and what iproute2 then shows of each
 * namespace (devices, addresses, routes, permanent neighbours, VXLAN forwarding entries). A
 * CNI's tunnel devices (flannel.1) are built as the engine holds them: VXLAN device, permanent
 * neighbour and forwarding entries, onlink routes; bridges and veths get the engine's MTU. A node with nftables rules (kube-proxy
 * in nftables mode) gets its table as the engine lists it (nftText), loaded with `nft -f`, and the
 * report holds the kernel's `nft list table` of it, counters included. Rules with `-m nfacct` are
 * loaded as they are after their accounting objects are created, when a probe shows the kernel
 * takes the match, and without the match otherwise (the report's "nfacct" says which).
 *
 * Safety: nothing is linked to or added in the root namespace; "external" addresses come from
 * the documentation ranges; traffic is a handful of packets with timeouts. Each run names its
 * namespaces with a prefix of its own, chosen by bash when it starts (the scenario's hash, the
 * run's PID and that process's start time), removes them on exit and on Ctrl+C, and removes at
 * start only what runs of the same scenario that are no longer alive left behind.
 *
 * The script is run as root, so no text from the scenario may ever be read by bash as code.
 * Every value the generator puts into it goes through one of three helpers: `shellWord` (an
 * argument, always in single quotes), `commentLine` (control characters escaped visibly, so a
 * comment ends only where the generator ends it) and `hereDoc` (a quoted delimiter that no line
 * of the body equals). JSON is written by the script as single-quoted literal text; no value is
 * spliced into code. The validation of scenarios is a second line of defence, not this one.
 */
import { formatIpv4, formatRouteDst } from "../addr/ipv4";
import { loadBalancerFrontends, loadBalancerPick } from "../cloud/vpc";
import type { Cluster } from "../k8s/build";
import { resolveTraffic } from "../k8s/traffic";
import { iptablesSave, loadIptablesSave } from "../netfilter/save";
import type { Ruleset } from "../netfilter/types";
import { printRuleset } from "../nftables/print";
import { clusterIptables } from "../shell/iptables-list";
import type { Netns } from "../netns";
import type { Route } from "../route/route";
import { hashString } from "../rng";
import { payloadLength } from "../world";
import { HSLAB_PY } from "./hslab-py";

/**
 * How long a TCP client keeps its connection open: past the dumps, so conntrack still shows it
 * ESTABLISHED and no FIN is captured (the clean-up kills it long before).
 */
const TCP_HOLD_S = 60;

/** Where iproute2 keeps named network namespaces (ip-netns(8)): one file per namespace. */
const NETNS_DIR = "/var/run/netns";

/**
 * `text` as one shell word that bash reads back as exactly `text`: in single quotes, inside which
 * bash gives no character a meaning but the closing quote; a quote in the text is written '\''
 * (close the quotes, an escaped quote, reopen them). A NUL cannot be part of an argument at all,
 * so it is refused rather than silently dropped.
 */
export function shellWord(text: string | number): string {
  const s = String(text);
  if (s.includes("\0")) throw new Error(`the lab script cannot pass a NUL character to a command: ${JSON.stringify(s)}`);
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Characters a comment shows escaped: every control character (a newline would end the comment
 * and start a command; others can rewrite what a terminal shows), the line and paragraph
 * separators, the bidirectional controls (they reorder what a reader sees), and the backslash
 * that starts an escape, so that the escapes cannot be confused with the text.
 */
const UNSAFE_IN_COMMENT = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\\]/gu;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };

/** `text` with every UNSAFE_IN_COMMENT character written as an escape: \n, \t, \x1b, \u{202e}. */
export function visibleText(text: string): string {
  return text.replace(UNSAFE_IN_COMMENT, (c) => {
    const named = NAMED_ESCAPES[c];
    if (named) return named;
    const code = c.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/** A whole comment line, which nothing in `text` can end early. */
export function commentLine(text: string): string {
  return `# ${visibleText(text)}`;
}

/**
 * `command <<'DELIM'`, the body, then DELIM: with the delimiter quoted, bash reads nothing in
 * the body (no expansion, no line continuation), and the body ends only at a line equal to the
 * delimiter, so DELIM is `name`, or `name_2`, `name_3`… when the body has a line equal to that.
 * The body cannot hold a NUL: bash drops it while reading, which could turn a line into the
 * delimiter.
 */
export function hereDoc(command: string, body: string, name: string): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw new Error(`a here-document delimiter must be an upper-case identifier, not ${JSON.stringify(name)}`);
  if (body.includes("\0")) throw new Error("the lab script cannot hold a NUL character in a here-document");
  const text = body === "" || body.endsWith("\n") ? body : body + "\n";
  const lines = new Set(text.split("\n"));
  let delim = name;
  for (let n = 2; lines.has(delim); n++) delim = `${name}_${n}`;
  return `${command} <<'${delim}'\n${text}${delim}`;
}

/**
 * The part of the namespace prefix that comes from the scenario, `hsl-<hash of its id>-`; each
 * run adds its PID and that process's start time, so `hsl-1a2b3-4711-912345-worker-0`.
 */
export function labPrefixBase(cluster: Cluster): string {
  return `hsl-${(hashString(cluster.scenario.id) % 0xfffff).toString(16)}-`;
}

/** `ip route add`'s arguments for a route: the fields formatRoute prints, each value one quoted word. */
function routeArgs(r: Route): string {
  const q = shellWord;
  const a: string[] = [];
  if (r.table !== "main") a.push("table", q(r.table));
  if (r.type !== "unicast") a.push(q(r.type));
  a.push(q(formatRouteDst(r.dst)));
  if (r.via !== undefined) a.push("via", q(formatIpv4(r.via)));
  if (r.dev !== undefined) a.push("dev", q(r.dev));
  if (r.proto !== "boot") a.push("proto", q(r.proto));
  if (r.scope !== "global") a.push("scope", q(r.scope));
  if (r.src !== undefined) a.push("src", q(formatIpv4(r.src)));
  if (r.metric !== undefined && r.metric !== 0) a.push("metric", q(r.metric));
  if (r.onlink) a.push("onlink");
  return a.join(" ");
}

/**
 * The cloud load balancer's choices (cloud/vpc.ts), as the router namespace can make them: for
 * each traffic item from the client to a load balancer's address, a policy rule for that very
 * connection (addresses, protocol, ports) to a table of its own whose one route sends the
 * address to the node the engine's 5-tuple hash picked. The kernel has no such hash, so the lab
 * is told each connection's node; every other step is the kernel's own.
 */
function loadBalancerRoutes(cluster: Cluster, sh: (line: string) => void, comment: (text: string) => void, nsArg: (n: string) => string): void {
  const frontends = loadBalancerFrontends(cluster.scenario, cluster.services.flatMap((sv) => sv.portsResolved));
  if (frontends.length === 0) return;
  const q = shellWord;
  const client = cluster.world.get(cluster.client);
  const clientIp = client.primaryAddress("eth0");
  let table = 100;
  cluster.scenario.traffic.forEach((t, i) => {
    const ep = resolveTraffic(cluster, t, `traffic.${i}`);
    if (ep.fromNs !== cluster.client || clientIp === undefined || ep.proto === "icmp") return;
    const f = frontends.find((x) => x.ip === formatIpv4(ep.dst) && x.proto === ep.proto && x.port === ep.dport);
    if (!f) return;
    const sport = t.sport ?? 32768 + (hashString(`${cluster.scenario.id}/${i}`) % 28232);
    const node = loadBalancerPick(f, cluster.scenario.seed, { src: clientIp, sport, dport: ep.dport! });
    comment(`The cloud load balancer sends traffic item ${i} (${ep.proto} ${formatIpv4(clientIp)}:${sport} > ${f.ip}:${f.port}) to ${node.name}, as the engine's hash of its 5-tuple picked.`);
    const r = nsArg(cluster.router);
    sh(`ip -n ${r} rule add from ${q(`${formatIpv4(clientIp)}/32`)} to ${q(`${f.ip}/32`)} ipproto ${q(ep.proto)} sport ${q(sport)} dport ${q(f.port)} table ${q(table)}`);
    sh(`ip -n ${r} route add ${q(f.ip)} via ${q(node.ip)} dev eth0 table ${q(table)}`);
    table++;
  });
}

/** The accounting objects a namespace's iptables rules name in `-m nfacct` matches, each once. */
export function nfacctNames(nf: Ruleset): string[] {
  const names = new Set<string>();
  for (const t of nf.loaded) for (const c of nf.tables[t].chains.values()) for (const r of c.rules) for (const m of r.matches) if (m.kind === "nfacct") names.add(m.name);
  return [...names];
}

/**
 * A copy of the rules without their `-m nfacct` matches, for a kernel that refuses them: such a
 * match counts the packet in its object and always matches, so every rule still matches what it
 * matched and keeps its place (the counters of rule N are still rule N's). With `counters`, the
 * copy keeps the rules' counters.
 */
export function withoutNfacct(nf: Ruleset, opts: { readonly counters?: boolean } = {}): Ruleset {
  const copy = loadIptablesSave(iptablesSave(nf, { counters: opts.counters ?? false }));
  if (!copy.ok) throw new Error(`the engine's own iptables-save does not load back: line ${copy.error.line}: ${copy.error.message}`);
  for (const t of copy.value.loaded) {
    for (const c of copy.value.tables[t].chains.values()) {
      c.rules.forEach((r, i) => (c.rules[i] = { ...r, matches: r.matches.filter((m) => m.kind !== "nfacct") }));
    }
  }
  return copy.value;
}

/**
 * The namespace's nft ruleset as `nft -f` input: the engine's listing (nft 1.0.6's own, which it
 * reads back) with `counter` statements and named counters at zero (-s) and without the set
 * elements that expire (those `update @set` added while the engine's traffic ran), so that the
 * kernel starts from the rules the engine started from.
 */
export function nftText(ns: Netns): string {
  return printRuleset(ns.nft, { stateless: true, now: Infinity });
}

export interface LabOptions {
  /**
   * kube-proxy's `-m nfacct` matches: "probe" (the default) asks the kernel and loads them when it
   * takes them; "remove" loads the rules without them whatever the kernel takes (a test of that path).
   */
  readonly nfacct?: "probe" | "remove";
}

export function labScript(cluster: Cluster, opts: LabOptions = {}): string {
  const w = cluster.world;
  const q = shellWord;
  const base = labPrefixBase(cluster);
  /** A namespace's full name: this run's prefix, then the engine's name. */
  const nsArg = (n: string) => `"$P"${q(n)}`;
  const out: string[] = [];
  const sh = (line: string) => out.push(line);
  const comment = (text: string) => out.push(commentLine(text));
  const id = cluster.scenario.id;
  sh("#!/usr/bin/env bash");
  comment(`Hopscope lab for scenario "${id}": ${cluster.scenario.title}`);
  comment(`Builds the scenario in network namespaces named ${base}<PID>-<start time>-…, a prefix of this run's own, runs its traffic, prints JSON.`);
  comment("Needs root, iproute2 (ip, and bridge for VXLAN forwarding entries), iptables (legacy), conntrack, tcpdump and python3 (and nft for nftables rules). Cleans up on exit.");
  sh("set -euo pipefail");
  sh(`BASE=${q(base)}`);
  sh(`NETNS_DIR=${q(NETNS_DIR)}`);
  comment("The start time of process $1 (clock ticks since boot, field 22 of its stat), or nothing when there is no such process.");
  sh('started() { local s f; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; read -ra f <<< "${s##*) }"; printf "%s" "${f[19]-}"; }');
  comment("This run's prefix. The PID tells it from the runs going on at the same time, the start time from a dead run whose PID was reused.");
  sh("START=$(started $$)");
  sh('[ -n "$START" ] || { echo "hopscope lab: cannot read /proc/$$/stat" >&2; exit 1; }');
  sh('P="$BASE$$-$START-"');
  sh('WORK=""');
  // The nodes' iptables as the engine has them: legacy for the article's (kube-proxy 1.10), the
  // nf_tables variant for today's, whose tables are nftables tables beside kube-proxy's own.
  const backend = clusterIptables(cluster.scenario).variant === "nf_tables" ? "nft" : "legacy";
  comment(`The nodes' iptables: the ${backend === "nft" ? "nf_tables variant (today's nodes)" : "legacy one (the article's nodes)"}, or the plain iptables where there is no such command.`);
  sh(`IPT_RESTORE=$(command -v iptables-${backend}-restore || command -v iptables-restore)`);
  sh(`IPT_SAVE=$(command -v iptables-${backend}-save || command -v iptables-save)`);
  sh(`IPT=$(command -v iptables-${backend} || command -v iptables)`);
  comment("Removes one namespace and stops what still runs in it.");
  sh('remove_ns() { local pid; for pid in $(ip netns pids "$1" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done; ip netns del "$1" 2>/dev/null || true; }');
  sh("cleanup() {");
  sh("  local f");
  sh('  for f in "$NETNS_DIR/$P"*; do if [ -e "$f" ]; then remove_ns "${f##*/}"; fi; done');
  sh('  [ -z "$WORK" ] || rm -rf "$WORK"');
  sh("}");
  sh("trap cleanup EXIT");
  sh("trap 'exit 130' INT TERM");
  sh("WORK=$(mktemp -d /tmp/hopscope-lab.XXXXXX)");
  sh(hereDoc(`cat > "$WORK/hslab.py"`, HSLAB_PY, "HSLAB_PY"));
  sh('X() { local ns="$1"; shift; ip netns exec "$P$ns" "$@"; }');
  sh("");
  comment("Namespaces, with IPv6 off so that only the scenario's packets are seen.");
  const all = [...w.namespaces.values()];
  for (const ns of all) {
    sh(`ip netns add ${nsArg(ns.name)}`);
    // IPv6 off, and IGMP's unsolicited reports sent at once rather than over two seconds.
    sh(`X ${q(ns.name)} sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.conf.all.igmpv3_unsolicited_report_interval=10 net.ipv4.conf.default.igmpv3_unsolicited_report_interval=10 net.ipv4.conf.all.igmpv2_unsolicited_report_interval=10 net.ipv4.conf.default.igmpv2_unsolicited_report_interval=10`);
    // Redirects off where the model sends none (the cloud's fabric): set before any device exists,
    // so that each inherits it from "default" (a device sends redirects if "all" or it says so).
    if (!ns.sysctl.sendRedirects) sh(`X ${q(ns.name)} sysctl -q -w net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0`);
    sh(`X ${q(ns.name)} ip link set dev lo up`);
  }
  sh("");
  // After this run's first namespace exists: of two runs started together, the second to look
  // sees the first one's namespaces, so at least one of them reports the other.
  comment("Other runs of this scenario: what a run that is gone left behind (it was killed too hard to clean up) is removed; a live run is left alone, and reported.");
  sh("declare -A LIVE=()");
  sh('for f in "$NETNS_DIR/$BASE"*; do');
  sh('  ns=${f##*/}; rest=${ns#"$BASE"}');
  sh('  if [[ ! $rest =~ ^([0-9]+)-([0-9]+)- ]] || [ "${BASH_REMATCH[1]}-${BASH_REMATCH[2]}-" = "$$-$START-" ]; then continue; fi');
  sh('  if [ "$(started "${BASH_REMATCH[1]}")" = "${BASH_REMATCH[2]}" ]; then LIVE[${BASH_REMATCH[1]}]=1; else remove_ns "$ns"; fi');
  sh("done");
  sh(`if [ \${#LIVE[@]} -gt 0 ]; then printf 'hopscope lab: another run of scenario %s is active (PID %s); this run goes on in its own namespaces, %s*\\n' ${q(`"${visibleText(id)}"`)} "\${!LIVE[*]}" "$P" >&2; fi`);
  // L2 segments: a bridge in a namespace of its own, one veth per member.
  const segments = new Map<string, { ns: Netns; iface: string }[]>();
  for (const ns of all) {
    for (const i of ns.ifaces) {
      if (i.kind === "ether" && i.segment) {
        const list = segments.get(i.segment) ?? [];
        list.push({ ns, iface: i.name });
        segments.set(i.segment, list);
      }
    }
  }
  sh("");
  comment("The cloud's L2 segments, each a bridge in its own namespace.");
  for (const [seg, members] of segments) {
    // "_" is in no node, pod or client name (they are DNS labels or cni-<uuid>), so no scenario
    // namespace can take a segment's name.
    const segNs = nsArg(`seg_${seg}`);
    sh(`ip netns add ${segNs}`);
    sh(`ip netns exec ${segNs} sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.bridge.bridge-nf-call-iptables=0`);
    sh(`ip -n ${segNs} link add name br0 type bridge`);
    sh(`ip -n ${segNs} link set dev br0 up`);
    members.forEach((m, k) => {
      const iface = m.ns.requireIface(m.iface);
      sh(`ip link add name ${q(m.iface)} netns ${nsArg(m.ns.name)} type veth peer name ${q(`m${k}`)} netns ${segNs}`);
      sh(`ip -n ${nsArg(m.ns.name)} link set dev ${q(m.iface)} address ${q(iface.mac)} mtu ${q(iface.mtu)}`);
      sh(`ip -n ${segNs} link set dev ${q(`m${k}`)} master br0 up`);
    });
  }
  sh("");
  comment("Bridges, veth pairs, addresses.");
  for (const ns of all) {
    for (const i of ns.ifaces) {
      if (i.kind === "bridge") {
        sh(`ip -n ${nsArg(ns.name)} link add name ${q(i.name)} type bridge`);
        sh(`ip -n ${nsArg(ns.name)} link set dev ${q(i.name)} address ${q(i.mac)} mtu ${q(i.mtu)}`);
      }
    }
  }
  const done = new Set<string>();
  for (const ns of all) {
    for (const i of ns.ifaces) {
      if (i.kind !== "veth" || !i.peer || done.has(`${ns.name}/${i.name}`)) continue;
      const peerNs = w.get(i.peer.ns);
      const peer = peerNs.ifaceByIndex(i.peer.ifindex)!;
      done.add(`${ns.name}/${i.name}`).add(`${peerNs.name}/${peer.name}`);
      sh(`ip link add name ${q(i.name)} netns ${nsArg(ns.name)} type veth peer name ${q(peer.name)} netns ${nsArg(peerNs.name)}`);
      sh(`ip -n ${nsArg(ns.name)} link set dev ${q(i.name)} address ${q(i.mac)} mtu ${q(i.mtu)}`);
      sh(`ip -n ${nsArg(peerNs.name)} link set dev ${q(peer.name)} address ${q(peer.mac)} mtu ${q(peer.mtu)}`);
    }
  }
  // VXLAN tunnel endpoints (flannel.1), after their underlay: the engine's MAC, MTU, VNI, local
  // address, port and learning, as flanneld asks netlink for them.
  for (const ns of all) {
    for (const i of ns.ifaces) {
      if (i.kind !== "vxlan") continue;
      sh(`ip -n ${nsArg(ns.name)} link add name ${q(i.name)} address ${q(i.mac)} mtu ${q(i.mtu)} type vxlan id ${q(i.vni)} local ${q(formatIpv4(i.local))} dev ${q(i.underlay)} dstport ${q(i.port)}${i.learning ? "" : " nolearning"}`);
    }
  }
  for (const ns of all) {
    const n = nsArg(ns.name);
    for (const i of ns.ifaces) {
      if (i.master) sh(`ip -n ${n} link set dev ${q(i.name)} master ${q(i.master)}`);
      if (i.master && i.hairpin) sh(`ip -n ${n} link set dev ${q(i.name)} type bridge_slave hairpin on`);
    }
    for (const i of ns.ifaces) {
      if (i.kind === "loopback") continue;
      for (const a of i.addrs) sh(`ip -n ${n} addr add ${q(`${formatIpv4(a.ip)}/${a.prefix}`)}${a.brd !== undefined ? " brd +" : ""} dev ${q(i.name)}`);
      // Multicast off: no IGMP reports from the new addresses to blur counters and conntrack.
      sh(`ip -n ${n} link set dev ${q(i.name)} multicast off`);
      if (i.up) sh(`ip -n ${n} link set dev ${q(i.name)} up`);
    }
  }
  const tunnels = all.filter((ns) => ns.permanentNeighbours.size > 0 || ns.ifaces.some((i) => i.kind === "vxlan" && i.fdb.size > 0));
  if (tunnels.length > 0) {
    sh("");
    comment("Permanent neighbour entries and VXLAN forwarding entries, as the CNI's agent writes them (flanneld: neighbour, then FDB, then the route).");
  }
  for (const ns of tunnels) {
    for (const nb of ns.permanentNeighbours.values()) sh(`ip -n ${nsArg(ns.name)} neigh replace ${q(formatIpv4(nb.ip))} lladdr ${q(nb.mac)} dev ${q(nb.dev)} nud permanent`);
    for (const i of ns.ifaces) {
      if (i.kind !== "vxlan") continue;
      for (const [mac, e] of i.fdb) sh(`X ${q(ns.name)} bridge fdb replace ${q(mac)} dev ${q(i.name)} dst ${q(formatIpv4(e.dst))} self permanent`);
    }
  }
  sh("");
  comment("Routes the kernel does not add by itself, and sysctls.");
  for (const ns of all) {
    const n = nsArg(ns.name);
    for (const r of ns.routes) {
      // The kernel adds its own (proto kernel); the rest are the scenario's, in either table
      // (a load balancer's address in table local, as GCE's guest agent adds it).
      if (r.proto === "kernel") continue;
      sh(`ip -n ${n} route add ${routeArgs(r)}`);
    }
    sh(`X ${q(ns.name)} sysctl -q -w net.ipv4.ip_forward=${ns.sysctl.ipForward ? 1 : 0} net.bridge.bridge-nf-call-iptables=${ns.sysctl.bridgeNfCallIptables ? 1 : 0}`);
    // Proxy ARP (Calico's cali devices): the device answers for what the host routes elsewhere, with its delay.
    for (const i of ns.ifaces) {
      if (i.proxyArp) sh(`X ${q(ns.name)} sysctl -q -w ${q(`net.ipv4.conf.${i.name}.proxy_arp=1`)} ${q(`net.ipv4.neigh.${i.name}.proxy_delay=${i.proxyArp.delay}`)}`);
    }
    const t = ns.ct.timeouts;
    if (t.tcp.ESTABLISHED !== 432000 || t.tcp.CLOSE_WAIT !== 60) {
      sh(`X ${q(ns.name)} sysctl -q -w ${q(`net.netfilter.nf_conntrack_tcp_timeout_established=${t.tcp.ESTABLISHED}`)} ${q(`net.netfilter.nf_conntrack_tcp_timeout_close_wait=${t.tcp.CLOSE_WAIT}`)} 2>/dev/null || true`);
    }
  }
  loadBalancerRoutes(cluster, sh, comment, nsArg);
  sh("");
  const accounted = all.filter((ns) => nfacctNames(ns.nf).length > 0);
  if (accounted.length > 0) {
    comment("kube-proxy's -m nfacct matches count in extended-accounting objects, which it creates first. Does this kernel take such a match (xt_nfacct and nfnetlink_acct)? Asked in a scratch namespace.");
    sh("NFACCT=removed");
    sh(`ip netns add ${nsArg("nfacct_probe")}`);
    if (opts.nfacct !== "remove") sh(`if X nfacct_probe python3 "$WORK/hslab.py" nfacct-add hslab_probe 2>/dev/null && X nfacct_probe "$IPT" -w -t filter -N HSLAB-NFACCT-PROBE 2>/dev/null && X nfacct_probe "$IPT" -w -t filter -A HSLAB-NFACCT-PROBE -m nfacct --nfacct-name hslab_probe 2>/dev/null; then NFACCT=kernel; fi`);
    sh(`remove_ns "$P"${q("nfacct_probe")}`);
  } else sh("NFACCT=unused");
  // -w: wait for the xtables lock, which every iptables command of the machine shares, whichever
  // namespace it works in; without it an older iptables fails when another run holds the lock.
  comment("iptables rules, from the engine's own iptables-save.");
  for (const ns of all) {
    if (ns.nf.loaded.size === 0) continue;
    if (ns.nf.ipsets.size > 0) {
      comment(`${ns.name}'s ipsets (felix's), which its rules name: hash:net sets made over netlink (no ipset binary needed).`);
      for (const [name, members] of ns.nf.ipsets) {
        sh(`X ${q(ns.name)} python3 "$WORK/hslab.py" ipset-create ${q(name)}`);
        for (const m of members) sh(`X ${q(ns.name)} python3 "$WORK/hslab.py" ipset-add ${q(name)} ${q(formatRouteDst(m))}`);
      }
    }
    const text = iptablesSave(ns.nf, { time: w.startMs / 1000 });
    const names = nfacctNames(ns.nf);
    if (names.length === 0) sh(hereDoc(`X ${q(ns.name)} "$IPT_RESTORE" -w`, text, "RULES"));
    else {
      comment(`${ns.name}'s rules count in ${names.join(", ")}: with a kernel that takes -m nfacct they are created and the rules loaded as they are; otherwise the matches (which always match) are left out and the report says "nfacct": "removed".`);
      sh('if [ "$NFACCT" = kernel ]; then');
      for (const n of names) sh(`  X ${q(ns.name)} python3 "$WORK/hslab.py" nfacct-add ${q(n)}`);
      sh(hereDoc(`X ${q(ns.name)} "$IPT_RESTORE" -w`, text, "RULES"));
      sh("else");
      sh(hereDoc(`X ${q(ns.name)} "$IPT_RESTORE" -w`, iptablesSave(withoutNfacct(ns.nf), { time: w.startMs / 1000 }), "RULES"));
      sh("fi");
    }
    if (ns.fabric) {
      comment(`${ns.name} stands for the cloud's fabric, which forwards without a visible TTL decrement.`);
      sh(`X ${q(ns.name)} iptables-legacy -w -t mangle -A PREROUTING -j TTL --ttl-inc 1 2>/dev/null || X ${q(ns.name)} iptables -w -t mangle -A PREROUTING -j TTL --ttl-inc 1`);
    }
  }
  sh("");
  comment("Servers, as the engine's listeners.");
  for (const ns of all) {
    for (const l of ns.listeners) {
      const reply = l.proto === "udp" ? payloadLength({ kind: "dns-answer", id: 0, name: "kubernetes.default.svc.cluster.local", answer: "" }) : 0;
      const args = l.proto === "udp" ? `udp-server ${q(l.port)} ${q(reply)}` : `tcp-server ${q(l.port)}`;
      sh(`X ${q(ns.name)} python3 "$WORK/hslab.py" ${args} >/dev/null 2>&1 &`);
    }
  }
  sh("");
  // The capture files are named by the namespace's place in the list, not by its name.
  comment("Capture every interface of every node and pod (IPv4 only).");
  all.forEach((ns, k) => {
    sh(`X ${q(ns.name)} tcpdump -i any -n -v -l -U ip > "$WORK/cap-${k}.txt" 2> "$WORK/cap-${k}.err" &`);
  });
  comment("Wait until every capture is listening (a loaded machine can take a while), at most 20 s.");
  sh(`for k in $(seq 200); do n=$(cat "$WORK"/cap-*.err 2>/dev/null | grep -c "listening on" || true); [ "$n" -ge ${all.length} ] && break; sleep 0.1; done`);
  // New interfaces send IGMP membership reports (set above to go within milliseconds): let them
  // pass before the counters are zeroed, or they would count as the scenario's.
  sh("sleep 1");
  sh("");
  const withNft = all.filter((ns) => ns.nft.tables.length > 0);
  if (withNft.length > 0) {
    // Loaded only now, after the set-up's own packets, so its counters start at zero: nft 1.0.6
    // has no command that zeroes the counters of rules.
    comment("nftables rules (kube-proxy's table), as the engine lists them: `nft list ruleset` without counter values or dynamic set elements.");
    for (const ns of withNft) sh(hereDoc(`X ${q(ns.name)} nft -f /dev/stdin`, nftText(ns), "NFT"));
  }
  comment("Start from zero: whatever the set-up itself sent (neighbour discovery, multicast) is not the scenario.");
  for (const ns of all.filter((n) => n.nf.loaded.has("nat"))) {
    for (const t of ["nat", "filter"] as const) if (ns.nf.loaded.has(t)) sh(`X ${q(ns.name)} "$IPT" -w -t ${t} -Z`);
    sh(`X ${q(ns.name)} conntrack -F 2>/dev/null || true`);
  }
  sh("");
  comment("The scenario's traffic.");
  sh("RESULTS=()");
  cluster.scenario.traffic.forEach((t, i) => {
    const ep = resolveTraffic(cluster, t, `traffic.${i}`);
    const from = q(ep.fromNs);
    const dst = formatIpv4(ep.dst);
    const sport = t.sport ?? 32768 + (hashString(`${id}/${i}`) % 28232);
    // resolveTraffic always gives TCP and UDP a destination port.
    const dport = ep.dport!;
    let cmd: string;
    if (ep.proto === "icmp") cmd = `ping ${q(dst)} ${q(sport)}`;
    else if (ep.proto === "udp") {
      const len = t.kind === "dig" ? payloadLength({ kind: "dns-query", id: 0, name: "kubernetes.default.svc.cluster.local", qtype: "A" }) : 32;
      cmd = `udp-client ${q(dst)} ${q(dport)} ${q(sport)} ${q(len)}`;
    } else cmd = `tcp-client ${q(dst)} ${q(dport)} ${q(sport)} ${q(TCP_HOLD_S)}`;
    if (ep.proto === "tcp") {
      // The client keeps the connection open while conntrack is read, as an open curl would.
      sh(`X ${from} python3 "$WORK/hslab.py" ${cmd} > "$WORK/tcp-${i}.txt" 2>/dev/null &`);
      sh(`TCP_PID=$!; for k in $(seq 50); do grep -q connected "$WORK/tcp-${i}.txt" 2>/dev/null && break; kill -0 $TCP_PID 2>/dev/null || break; sleep 0.1; done`);
    } else {
      sh(`if X ${from} python3 "$WORK/hslab.py" ${cmd}; then RESULTS+=(ok); else RESULTS+=(failed); fi`);
    }
  });
  sh("sleep 1.5");
  // A neighbour that never answers ARP is given up after three probes a second apart; only then
  // does the kernel tell the sender (ICMP host unreachable). Wait for that, at most 5 s more.
  comment("Wait while any neighbour is still being resolved (its failure sends an ICMP error).");
  sh(`for k in $(seq 50); do busy=0; for f in "$NETNS_DIR/$P"*; do [ -n "$(ip -n "\${f##*/}" neigh show nud incomplete 2>/dev/null)" ] && busy=1 && break; done; [ $busy = 0 ] && break; sleep 0.1; done; [ "$k" = 1 ] || sleep 0.5`);
  cluster.scenario.traffic.forEach((t, i) => {
    if (resolveTraffic(cluster, t, `traffic.${i}`).proto !== "tcp") return;
    // Results are listed in traffic order; a TCP item's place is filled in here.
    sh(`if grep -q connected "$WORK/tcp-${i}.txt"; then RESULTS=("\${RESULTS[@]:0:${i}}" ok "\${RESULTS[@]:${i}}"); else RESULTS=("\${RESULTS[@]:0:${i}}" failed "\${RESULTS[@]:${i}}"); fi`);
  });
  sh("");
  comment("Stop the captures first: nothing after the scenario's own packets belongs in them.");
  sh(`for f in "$NETNS_DIR/$P"*; do ip netns pids "\${f##*/}" | xargs -r ps -o pid=,comm= -p 2>/dev/null | awk '$2=="tcpdump"{print $1}' | xargs -r kill -INT 2>/dev/null || true; done`);
  sh("sleep 0.5");
  sh("");
  // Each emit prints literal JSON text in single quotes; the scenario's values are in it as JSON
  // strings. Only $P (the prefix, letters, digits and dashes) and the results (ok, failed) are
  // expanded by bash.
  comment("What the kernel did, as JSON.");
  sh('emit() { printf "%s" "$1"; }');
  const json = (text: string) => `emit ${q(text)}`;
  sh(`${json(`{"scenario":${JSON.stringify(id)},"prefix":`)}; emit "\\"$P\\""; ${json(',"traffic":[')}`);
  sh('first=1; for r in "${RESULTS[@]+"${RESULTS[@]}"}"; do [ $first = 1 ] || emit ","; first=0; emit "\\"$r\\""; done');
  sh(json('],"conntrack":{'));
  const tracked = all.filter((ns) => ns.nf.loaded.has("nat") || ns.nft.tables.length > 0);
  const key = (k: number, name: string) => json(`${k ? "," : ""}${JSON.stringify(name)}:`);
  tracked.forEach((ns, k) => {
    sh(`${key(k, ns.name)}; X ${q(ns.name)} conntrack -L 2>/dev/null | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines()), end="")'`);
  });
  sh(`${json('},"iptablesVariant":')}; if "$IPT" -V 2>/dev/null | grep -q nf_tables; then emit '"nf_tables"'; else emit '"legacy"'; fi`);
  sh(json(',"iptables":{'));
  tracked.forEach((ns, k) => {
    // raw only where the engine loaded it (felix's chains), so its counters are compared too.
    const tables = (["filter", "nat", "raw"] as const).filter((t) => ns.nf.loaded.has(t));
    sh(`${key(k, ns.name)}; { ${tables.map((t) => `X ${q(ns.name)} "$IPT_SAVE" -c -t ${t};`).join(" ")} } | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()), end="")'`);
  });
  sh(json('},"nft":{'));
  withNft.forEach((ns, k) => {
    const list = ns.nft.tables.map((t) => `X ${q(ns.name)} nft list table ${q(t.family)} ${q(t.name)};`).join(" ");
    sh(`${key(k, ns.name)}; { ${list} } | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()), end="")'`);
  });
  sh(`${json('},"nfacct":')}; emit "\\"$NFACCT\\""`);
  sh(json(',"state":{'));
  all.forEach((ns, k) => {
    const vxlans = ns.ifaces.filter((i) => i.kind === "vxlan").map((i) => ` ${q(i.name)}`).join("");
    sh(`${key(k, ns.name)}; python3 "$WORK/hslab.py" state "$P" ${q(ns.name)}${vxlans}`);
  });
  sh(json('},"captures":{'));
  all.forEach((ns, k) => {
    sh(`${key(k, ns.name)}; python3 "$WORK/hslab.py" parse-tcpdump "$WORK/cap-${k}.txt" | tr -d '\\n'`);
  });
  sh(`${json("}}")}; echo`);
  return out.join("\n") + "\n";
}
