/**
 * Engine versus kernel: the lab's JSON against the engine's trace of the same scenario. Every
 * disagreement comes back as one readable line; none means the engine showed what the kernel did.
 */
import type { Cluster } from "../k8s/build";
import { formatIpv4 } from "../addr/ipv4";
import { formatConntrackEntry } from "../conntrack/format";
import { loadIptablesSave } from "../netfilter/save";
import { readCounters, type TableName } from "../netfilter/types";
import { applyNft } from "../nftables/parse";
import { formatNftRule } from "../nftables/print";
import { emptyNftRuleset, findTable } from "../nftables/types";
import { formatRouteTable } from "../route/format";
import type { Trace } from "../trace";

/** A packet's IP header as tcpdump -v printed it (length: the IP total length). */
export interface KernelHeader {
  readonly proto: string;
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  readonly ttl: number;
  readonly length: number;
  readonly icmpId?: number;
}

export interface KernelPacket extends KernelHeader {
  readonly iface: string;
  readonly dir: "in" | "out";
  /** A VXLAN datagram: its VNI and the IP packet of the frame it carries. */
  readonly vni?: number;
  readonly inner?: KernelHeader;
}

export interface LabReport {
  readonly scenario: string;
  /** The run's namespace prefix: hsl-<scenario hash>-<PID>-<start time>-. */
  readonly prefix: string;
  readonly traffic: readonly ("ok" | "failed")[];
  readonly conntrack: Readonly<Record<string, readonly string[]>>;
  readonly iptables: Readonly<Record<string, string>>;
  readonly captures: Readonly<Record<string, readonly KernelPacket[]>>;
  /** `nft list table …` of every table the engine's namespace has, by namespace (nodes with nftables rules only). */
  readonly nft?: Readonly<Record<string, string>>;
  /**
   * kube-proxy's `-m nfacct` matches: "unused" (no rule has one), "kernel" (the kernel took them,
   * with their accounting objects created first) or "removed" (the kernel refused a probe rule, so
   * the rules were loaded without them; they only count, so no verdict changed).
   */
  readonly nfacct?: "unused" | "kernel" | "removed";
  /** Which iptables loaded and saved the rules: the nf_tables variant (today's nodes) or legacy (the article's). */
  readonly iptablesVariant?: "nf_tables" | "legacy";
  /** What iproute2 showed of each namespace after the traffic (compareState). */
  readonly state?: Readonly<Record<string, LabState>>;
}

/** iproute2's text, as printed: `ip -o link`, `ip -4 -o addr`, `ip route` of tables main and local, `ip neigh show nud permanent`, `bridge fdb show dev` of each VXLAN device. */
export interface LabState {
  readonly links: string;
  readonly addrs: string;
  readonly main: string;
  readonly local: string;
  readonly neigh: string;
  readonly fdb: Readonly<Record<string, string>>;
}

/** What VXLAN puts around the inner IP packet: outer IP 20, UDP 8, VXLAN 8, the inner Ethernet header 14. */
const VXLAN_ENCAP_BYTES = 50;

interface HeaderText {
  readonly proto: string;
  readonly src: string;
  readonly dst: string;
  readonly sport?: number | undefined;
  readonly dport?: number | undefined;
  readonly ttl: number;
  readonly length: number;
}

const headerText = (p: HeaderText) => `${p.proto} ${p.src}${p.sport !== undefined ? ":" + p.sport : ""} > ${p.dst}${p.dport !== undefined ? ":" + p.dport : ""} ttl=${p.ttl} len=${p.length}`;

/** One packet on an interface: direction and header, and for a VXLAN datagram its VNI and the packet inside. */
const packetText = (p: HeaderText & { dir: string; vni?: number | undefined; inner?: HeaderText | undefined }) =>
  `${p.dir} ${headerText(p)}${p.inner ? ` vxlan vni=${p.vni ?? "?"} [${headerText(p.inner)}]` : ""}`;

/** conntrack -L lines without the seconds left, which depend on when they were read. */
export function withoutTimeout(line: string): string {
  return line.replace(/^(\S+\s+\d+) \d+ /, "$1 ");
}

export function compareWithKernel(cluster: Cluster, trace: Trace, lab: LabReport): string[] {
  const problems: string[] = [];
  const nsOfPod = new Map(cluster.pods.map((p) => [p.name, p.netns]));

  // 1. Whether each exchange completed.
  // Each traffic item's flows start with its "request" (then a reply, an ICMP error, a reset, an ACK).
  const groups: Trace["flows"][number][][] = [];
  for (const f of trace.flows) {
    if (f.name === "request" || groups.length === 0) groups.push([]);
    groups.at(-1)!.push(f);
  }
  const perItem: ("ok" | "failed")[] = cluster.scenario.traffic.map((t, i) => {
    const flows = groups[i] ?? [];
    const delivered = (name: string) => flows.some((f) => f.name === name && f.verdict === "delivered");
    // The lab's clients: ping and UDP wait for the answer, TCP for the handshake to complete.
    const tcp = t.kind === "curl" || (t.kind === "dig" && t.protocol === "TCP");
    return delivered("request") && delivered("reply") && (!tcp || delivered("ack")) ? "ok" : "failed";
  });
  perItem.forEach((r, i) => {
    if (lab.traffic[i] !== r) problems.push(`traffic ${i}: the engine's exchange ${r === "ok" ? "completed" : "failed"}, the kernel's ${lab.traffic[i] === "ok" ? "completed" : "failed"}`);
  });

  // 2. The packets on every interface, in order.
  const engine = new Map<string, string[]>();
  for (const f of trace.flows) {
    for (const s of f.steps) {
      if (s.kind !== "wire") continue;
      const ns = s.pod !== undefined ? nsOfPod.get(s.pod)! : s.node;
      const key = `${ns}/${s.iface}`;
      const list = engine.get(key) ?? [];
      const { inner, ...outer } = s.packet;
      const length = s.detail.length;
      list.push(packetText({ dir: s.dir!, ...outer, length, ...(inner && { inner: { ...inner, length: length - VXLAN_ENCAP_BYTES } }) }));
      engine.set(key, list);
    }
  }
  const kernel = new Map<string, string[]>();
  for (const [ns, packets] of Object.entries(lab.captures)) {
    for (const p of packets) {
      if (p.proto !== "icmp" && p.proto !== "tcp" && p.proto !== "udp") continue;
      const key = `${ns}/${p.iface}`;
      const list = kernel.get(key) ?? [];
      list.push(packetText(p));
      kernel.set(key, list);
    }
  }
  for (const key of [...new Set([...engine.keys(), ...kernel.keys()])].sort()) {
    const e = engine.get(key) ?? [];
    const k = kernel.get(key) ?? [];
    if (e.join("\n") !== k.join("\n")) {
      problems.push(`packets on ${key} differ:\n    engine: ${e.join("\n            ") || "(none)"}\n    kernel: ${k.join("\n            ") || "(none)"}`);
    }
  }

  // 3. Conntrack entries on every node that tracks.
  const now = cluster.world.now;
  for (const [ns, lines] of Object.entries(lab.conntrack)) {
    const k = lines.filter((l) => !l.startsWith("unknown")).map(withoutTimeout).sort();
    const e = cluster.world.get(ns).ct.list(now).map((x) => withoutTimeout(formatConntrackEntry(x, now))).sort();
    if (e.join("\n") !== k.join("\n")) problems.push(`conntrack on ${ns} differs:\n    engine: ${e.join("\n            ") || "(none)"}\n    kernel: ${k.join("\n            ") || "(none)"}`);
  }

  // 4. The counters of every rule and policy of the nat and filter tables (and raw, where the engine has one).
  for (const [ns, text] of Object.entries(lab.iptables)) {
    const parsed = loadIptablesSave(text);
    if (!parsed.ok) {
      problems.push(`${ns}: cannot read the kernel's iptables-save: line ${parsed.error.line}: ${parsed.error.message}`);
      continue;
    }
    const mine = cluster.world.get(ns).nf;
    for (const table of ["nat", "filter", "raw"] as TableName[]) {
      if (!mine.loaded.has(table)) continue;
      const theirs = parsed.value.tables[table];
      for (const [name, chain] of mine.tables[table].chains) {
        const other = theirs.chains.get(name);
        if (!other) {
          problems.push(`${ns}: the kernel has no chain ${table} ${name}`);
          continue;
        }
        if (chain.policyCounters && other.policyCounters && (chain.policyCounters.pkts !== other.policyCounters.pkts || chain.policyCounters.bytes !== other.policyCounters.bytes)) {
          problems.push(`${ns}: ${table} ${name} policy counted engine [${chain.policyCounters.pkts}:${chain.policyCounters.bytes}], kernel [${other.policyCounters.pkts}:${other.policyCounters.bytes}]`);
        }
        chain.rules.forEach((rule, i) => {
          const a = readCounters(mine.tables[table], rule);
          const b = other.rules[i]?.counters;
          if (!b || a.pkts !== b.pkts || a.bytes !== b.bytes) {
            problems.push(`${ns}: ${table} ${name} rule ${i + 1} counted engine [${a.pkts}:${a.bytes}], kernel [${b ? `${b.pkts}:${b.bytes}` : "no such rule"}]`);
          }
        });
      }
    }
  }
  // 5. Every nft rule of the engine's tables, as nft lists it, counters included.
  for (const [ns, text] of Object.entries(lab.nft ?? {})) problems.push(...compareNft(cluster, ns, text));
  return problems;
}

/** The engine's nft tables of `ns` against the kernel's listing of them: chain by chain, rule by rule (text and counters), named counters. */
function compareNft(cluster: Cluster, ns: string, text: string): string[] {
  const problems: string[] = [];
  const theirs = emptyNftRuleset();
  const parsed = applyNft(theirs, text);
  if (!parsed.ok) return [`${ns}: cannot read the kernel's nft listing: line ${parsed.error.line}: ${parsed.error.message}`];
  for (const t of cluster.world.get(ns).nft.tables) {
    const k = findTable(theirs, t.family, t.name);
    const where = `${ns}: nft ${t.family} ${t.name}`;
    if (!k) {
      problems.push(`${where}: the kernel has no such table`);
      continue;
    }
    for (const c of t.counters?.values() ?? []) {
      const o = k.counters?.get(c.name);
      if (!o || o.packets !== c.packets || o.bytes !== c.bytes) problems.push(`${where} counter ${c.name}: engine packets ${c.packets} bytes ${c.bytes}, kernel ${o ? `packets ${o.packets} bytes ${o.bytes}` : "none"}`);
    }
    for (const [name, c] of t.chains) {
      const o = k.chains.get(name);
      if (!o) {
        problems.push(`${where}: the kernel has no chain ${name}`);
        continue;
      }
      const n = Math.max(c.rules.length, o.rules.length);
      for (let i = 0; i < n; i++) {
        const a = c.rules[i] ? formatNftRule(c.rules[i]!, t.family) : "(no such rule)";
        const b = o.rules[i] ? formatNftRule(o.rules[i]!, k.family) : "(no such rule)";
        if (a !== b) problems.push(`${where} chain ${name} rule ${i + 1}:\n    engine: ${a}\n    kernel: ${b}`);
      }
    }
  }
  return problems;
}

/** Conntrack entries whose reply goes to another port than the original came from: a source port NAT. */
export function masqueradedPorts(lines: readonly string[]): { readonly from: string; readonly to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const l of lines) {
    const m = /src=\S+ dst=\S+ sport=(\d+) dport=\d+ .*src=\S+ dst=\S+ sport=\d+ dport=(\d+)/.exec(l);
    if (m && m[1] !== m[2]) out.push({ from: m[1]!, to: m[2]! });
  }
  return out;
}

/** ICMP conntrack entries whose reply carries another echo id than the original: a masquerade that rewrote the id. */
export function masqueradedIcmpIds(lines: readonly string[]): { readonly from: string; readonly to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (const l of lines) {
    const m = /^icmp\s.*?type=\d+ code=\d+ id=(\d+) .*?type=\d+ code=\d+ id=(\d+)/.exec(l);
    if (m && m[1] !== m[2]) out.push({ from: m[1]!, to: m[2]! });
  }
  return out;
}

/**
 * The kernel's report with the source ports that a fully random masquerade (iptables
 * `--random-fully`, nft `masquerade fully-random`) chose replaced by the ones the engine drew,
 * node by node, matched by the connection's original source port; likewise the ICMP echo ids
 * such a masquerade chose (flanneld's MASQUERADE --random-fully rewrites a ping's id), matched
 * by the original id. Only ports and ids that conntrack shows as rewritten move, in conntrack's
 * entries and in the packets captured (a VXLAN datagram's inner packet included); everything
 * else is left for the comparison.
 */
export function withEnginePorts(lab: LabReport, cluster: Cluster): LabReport {
  const swap = new Map<number, number>();
  const swapId = new Map<number, number>();
  for (const [ns, lines] of Object.entries(lab.conntrack)) {
    const entries = cluster.world.get(ns).ct.list(cluster.world.now);
    const mine = masqueradedPorts(entries.filter((e) => e.orig.proto !== "icmp").map((e) => `src=x dst=x sport=${e.orig.sport} dport=0 src=x dst=x sport=0 dport=${e.reply.dport}`));
    for (const k of masqueradedPorts(lines)) {
      const e = mine.find((x) => x.from === k.from);
      if (e) swap.set(Number(k.to), Number(e.to));
    }
    const mineIds = masqueradedIcmpIds(entries.filter((e) => e.orig.proto === "icmp").map((e) => `icmp type=0 code=0 id=${e.orig.sport} x type=0 code=0 id=${e.reply.sport}`));
    for (const k of masqueradedIcmpIds(lines)) {
      const e = mineIds.find((x) => x.from === k.from);
      if (e) swapId.set(Number(k.to), Number(e.to));
    }
  }
  const port = (p: number | undefined) => (p !== undefined && swap.has(p) ? swap.get(p)! : p);
  const id = (p: number | undefined) => (p !== undefined && swapId.has(p) ? swapId.get(p)! : p);
  const line = (l: string) => {
    const ports = l.replace(/(sport|dport)=(\d+)/g, (all, k: string, p: string) => (swap.has(Number(p)) ? `${k}=${swap.get(Number(p))}` : all));
    return l.startsWith("icmp") ? ports.replace(/\bid=(\d+)/g, (all, p: string) => (swapId.has(Number(p)) ? `id=${swapId.get(Number(p))}` : all)) : ports;
  };
  const header = <T extends KernelHeader>(p: T): T => ({
    ...p,
    ...(p.sport !== undefined && { sport: port(p.sport)! }),
    ...(p.dport !== undefined && { dport: port(p.dport)! }),
    ...(p.icmpId !== undefined && { icmpId: id(p.icmpId)! }),
  });
  return {
    ...lab,
    conntrack: Object.fromEntries(Object.entries(lab.conntrack).map(([ns, lines]) => [ns, lines.map(line)])),
    captures: Object.fromEntries(Object.entries(lab.captures).map(([ns, packets]) => [ns, packets.map((p) => ({ ...header(p), ...(p.inner && { inner: header(p.inner) }) }))])),
  };
}

/**
 * The kernel's report with the outer source ports of VXLAN datagrams replaced by the ones the
 * engine chose. The kernel draws that port from the packet's hash (udp_flow_src_port), which is
 * random per boot or per socket; the engine's is a fixed function of the flow (link/vxlan.ts).
 * Only that port moves, and only where the two agree on everything else: the outer datagrams on
 * each interface are paired in order (outer addresses, destination port, VNI and inner header
 * equal), each pair tells which engine port stands for the kernel's between those two endpoints,
 * and that port is then replaced in the captures and in conntrack's entries of the tunnel's UDP
 * flows (src=A dst=B sport=P dport=<tunnel port>, and the reply's mirror of it). A kernel port
 * that would stand for two engine ports is left as it is, so the comparison shows it.
 */
export function withEngineVxlanPorts(lab: LabReport, cluster: Cluster, trace: Trace): LabReport {
  const tunnelPorts = new Set<number>();
  for (const ns of cluster.world.namespaces.values()) for (const i of ns.ifaces) if (i.kind === "vxlan") tunnelPorts.add(i.port);
  if (tunnelPorts.size === 0) return lab;
  const nsOfPod = new Map(cluster.pods.map((p) => [p.name, p.netns]));
  const engine = new Map<string, { src: string; dst: string; sport: number; dport: number; vni: number; inner: string }[]>();
  for (const f of trace.flows) {
    for (const s of f.steps) {
      const p = s.packet;
      if (s.kind !== "wire" || !p.inner || p.sport === undefined || p.dport === undefined) continue;
      const key = `${s.pod !== undefined ? nsOfPod.get(s.pod)! : s.node}/${s.iface}`;
      const list = engine.get(key) ?? [];
      list.push({ src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, vni: p.vni ?? -1, inner: `${p.inner.proto} ${p.inner.src}:${p.inner.sport ?? ""} > ${p.inner.dst}:${p.inner.dport ?? ""}` });
      engine.set(key, list);
    }
  }
  const isTunnel = (p: KernelPacket) => p.proto === "udp" && p.inner !== undefined && p.dport !== undefined && tunnelPorts.has(p.dport);
  const keyOf = (src: string, dst: string, port: number) => `${src}>${dst}:${port}`;
  const swap = new Map<string, number>();
  const conflicting = new Set<string>();
  for (const [ns, packets] of Object.entries(lab.captures)) {
    const byIface = new Map<string, KernelPacket[]>();
    for (const p of packets) if (isTunnel(p)) byIface.set(p.iface, [...(byIface.get(p.iface) ?? []), p]);
    for (const [iface, list] of byIface) {
      const mine = engine.get(`${ns}/${iface}`) ?? [];
      list.forEach((k, i) => {
        const e = mine[i];
        const inner = `${k.inner!.proto} ${k.inner!.src}:${k.inner!.sport ?? ""} > ${k.inner!.dst}:${k.inner!.dport ?? ""}`;
        if (!e || e.src !== k.src || e.dst !== k.dst || e.dport !== k.dport || e.vni !== k.vni || e.inner !== inner) return;
        const key = keyOf(k.src, k.dst, k.sport!);
        const had = swap.get(key);
        if (had !== undefined && had !== e.sport) conflicting.add(key);
        swap.set(key, e.sport);
      });
    }
  }
  for (const key of conflicting) swap.delete(key);
  const line = (l: string) =>
    l.replace(/^(udp\s.*?src=(\S+) dst=(\S+) sport=)(\d+)( dport=(\d+) .*?src=\S+ dst=\S+ sport=\d+ dport=)(\d+)/, (all, a: string, src: string, dst: string, sport: string, b: string, dport: string, rdport: string) => {
      const to = swap.get(keyOf(src, dst, Number(sport)));
      if (!tunnelPorts.has(Number(dport)) || to === undefined) return all;
      return `${a}${to}${b}${rdport === sport ? to : rdport}`;
    });
  return {
    ...lab,
    conntrack: Object.fromEntries(Object.entries(lab.conntrack).map(([ns, lines]) => [ns, lines.map(line)])),
    captures: Object.fromEntries(
      Object.entries(lab.captures).map(([ns, packets]) => [
        ns,
        packets.map((p) => {
          const to = isTunnel(p) ? swap.get(keyOf(p.src, p.dst, p.sport!)) : undefined;
          return to === undefined ? p : { ...p, sport: to };
        }),
      ]),
    ),
  };
}

/**
 * The devices and tables the lab built against the engine's, namespace by namespace: each
 * device's name, MAC and MTU; each IPv4 address (with its broadcast and scope); the routes of
 * tables main and local, those the kernel added by itself included; the permanent neighbour
 * entries; each VXLAN device's forwarding entries. Lines are compared as sets, without
 * iproute2's trailing spaces. `only` picks the namespaces compared (all by default).
 */
export function compareState(cluster: Cluster, lab: LabReport, only?: (ns: string) => boolean): string[] {
  const problems: string[] = [];
  const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter((l) => l !== "").sort();
  const same = (what: string, engine: string[], kernel: string[]) => {
    const e = [...engine].sort();
    if (e.join("\n") !== kernel.join("\n")) problems.push(`${what} differ:\n    engine: ${e.join("\n            ") || "(none)"}\n    kernel: ${kernel.join("\n            ") || "(none)"}`);
  };
  for (const ns of cluster.world.namespaces.values()) {
    if (only && !only(ns.name)) continue;
    const st = lab.state?.[ns.name];
    if (!st) {
      problems.push(`${ns.name}: the lab reported no state`);
      continue;
    }
    const links = lines(st.links).flatMap((l) => {
      const m = /^\d+: ([^:@\s]+)(?:@\S+)?: <[^>]*> mtu (\d+) .*?link\/\S+ (\S+)/.exec(l);
      return m && m[1] !== "lo" ? [`${m[1]} mtu ${m[2]} ${m[3]}`] : [];
    });
    same(`${ns.name}: links`, ns.ifaces.filter((i) => i.kind !== "loopback").map((i) => `${i.name} mtu ${i.mtu} ${i.mac}`), links.sort());
    const addrs = lines(st.addrs).flatMap((l) => {
      const m = /^\d+: (\S+)\s+inet (\S+)(?: brd (\S+))? scope (\S+)/.exec(l);
      return m && m[1] !== "lo" ? [`${m[1]} ${m[2]}${m[3] ? ` brd ${m[3]}` : ""} scope ${m[4]}`] : [];
    });
    same(
      `${ns.name}: addresses`,
      ns.ifaces.filter((i) => i.kind !== "loopback").flatMap((i) => i.addrs.map((a) => `${i.name} ${formatIpv4(a.ip)}/${a.prefix}${a.brd !== undefined ? ` brd ${formatIpv4(a.brd)}` : ""} scope ${a.scope}`)),
      addrs.sort(),
    );
    same(`${ns.name}: routes (table main)`, lines(formatRouteTable(ns.routes, "main")), lines(st.main));
    same(`${ns.name}: routes (table local)`, lines(formatRouteTable(ns.routes, "local")), lines(st.local));
    same(`${ns.name}: permanent neighbours`, [...ns.permanentNeighbours.values()].map((n) => `${formatIpv4(n.ip)} dev ${n.dev} lladdr ${n.mac} PERMANENT`), lines(st.neigh));
    for (const i of ns.ifaces) {
      if (i.kind !== "vxlan") continue;
      same(`${ns.name}: forwarding entries of ${i.name}`, [...i.fdb].map(([mac, e]) => `${mac} dst ${formatIpv4(e.dst)} self permanent`), lines(st.fdb[i.name] ?? ""));
    }
  }
  return problems;
}
