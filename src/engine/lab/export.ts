/**
 * `cli lab <scenario>`: a bash script that builds the scenario in network namespaces on a Linux
 * machine (one per node, pod, the VPC router and the client, plus one per L2 segment), loads each
 * node's iptables rules from the engine's own iptables-save, sends the scenario's traffic with
 * real sockets, and prints as JSON what the kernel did: the packets seen on every interface,
 * each node's conntrack entries and its iptables counters.
 *
 * Safety: every namespace shares a name prefix and is removed on exit and on Ctrl+C; nothing is
 * linked to or added in the root namespace; "external" addresses come from the documentation
 * ranges; traffic is a handful of packets with timeouts.
 */
import { formatIpv4 } from "../addr/ipv4";
import type { Cluster } from "../k8s/build";
import { resolveTraffic } from "../k8s/traffic";
import { iptablesSave } from "../netfilter/save";
import type { Netns } from "../netns";
import { formatRoute } from "../route/format";
import { hashString } from "../rng";
import { payloadLength } from "../world";
import { HSLAB_PY } from "./hslab-py";

/**
 * How long a TCP client keeps its connection open: past the dumps, so conntrack still shows it
 * ESTABLISHED and no FIN is captured (the clean-up kills it long before).
 */
const TCP_HOLD_S = 60;

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function labPrefix(cluster: Cluster): string {
  return `hsl-${(hashString(cluster.scenario.id) % 0xfffff).toString(16)}-`;
}

export function labScript(cluster: Cluster): string {
  const w = cluster.world;
  const P = labPrefix(cluster);
  const nsName = (n: string) => P + n;
  const out: string[] = [];
  const sh = (line: string) => out.push(line);
  sh("#!/usr/bin/env bash");
  sh(`# Hopscope lab for scenario "${cluster.scenario.id}": ${cluster.scenario.title}`);
  sh("# Builds the scenario in network namespaces (prefix " + P + "), runs its traffic, prints JSON.");
  sh("# Needs root, iproute2, iptables (legacy), conntrack, tcpdump and python3. Cleans up on exit.");
  sh("set -euo pipefail");
  sh(`P=${q(P)}`);
  sh('WORK=""');
  sh("IPT_RESTORE=$(command -v iptables-legacy-restore || command -v iptables-restore)");
  sh("IPT_SAVE=$(command -v iptables-legacy-save || command -v iptables-save)");
  sh("IPT=$(command -v iptables-legacy || command -v iptables)");
  sh("cleanup() {");
  sh('  for ns in $(ip netns list 2>/dev/null | awk \'{print $1}\' | grep "^$P" || true); do');
  sh('    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done');
  sh('    ip netns del "$ns" 2>/dev/null || true');
  sh("  done");
  sh('  [ -z "$WORK" ] || rm -rf "$WORK"');
  sh("}");
  sh("trap cleanup EXIT");
  sh("trap 'exit 130' INT TERM");
  sh("cleanup # namespaces left by an earlier run that was killed hard");
  sh("WORK=$(mktemp -d /tmp/hopscope-lab.XXXXXX)");
  sh(`cat > "$WORK/hslab.py" <<'HSLAB_PY'\n${HSLAB_PY}HSLAB_PY`);
  sh('X() { ns="$1"; shift; ip netns exec "$P$ns" "$@"; }');
  sh("");
  sh("# Namespaces, with IPv6 off so that only the scenario's packets are seen.");
  const all = [...w.namespaces.values()];
  for (const ns of all) {
    sh(`ip netns add ${q(nsName(ns.name))}`);
    // IPv6 off, and IGMP's unsolicited reports sent at once rather than over two seconds.
    sh(`X ${q(ns.name)} sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.conf.all.igmpv3_unsolicited_report_interval=10 net.ipv4.conf.default.igmpv3_unsolicited_report_interval=10 net.ipv4.conf.all.igmpv2_unsolicited_report_interval=10 net.ipv4.conf.default.igmpv2_unsolicited_report_interval=10`);
    sh(`X ${q(ns.name)} ip link set lo up`);
  }
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
  sh("# The cloud's L2 segments, each a bridge in its own namespace.");
  for (const [seg, members] of segments) {
    const segNs = nsName(`seg-${seg}`);
    sh(`ip netns add ${q(segNs)}`);
    sh(`ip netns exec ${q(segNs)} sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.bridge.bridge-nf-call-iptables=0`);
    sh(`ip -n ${q(segNs)} link add br0 type bridge`);
    sh(`ip -n ${q(segNs)} link set br0 up`);
    members.forEach((m, k) => {
      const iface = m.ns.requireIface(m.iface);
      sh(`ip link add ${m.iface} netns ${q(nsName(m.ns.name))} type veth peer name m${k} netns ${q(segNs)}`);
      sh(`ip -n ${q(nsName(m.ns.name))} link set ${m.iface} address ${iface.mac} mtu ${iface.mtu}`);
      sh(`ip -n ${q(segNs)} link set m${k} master br0 up`);
    });
  }
  sh("");
  sh("# Bridges, veth pairs, addresses.");
  for (const ns of all) {
    for (const i of ns.ifaces) {
      if (i.kind === "bridge") {
        sh(`ip -n ${q(nsName(ns.name))} link add ${i.name} type bridge`);
        sh(`ip -n ${q(nsName(ns.name))} link set ${i.name} address ${i.mac}`);
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
      sh(`ip link add ${i.name} netns ${q(nsName(ns.name))} type veth peer name ${peer.name} netns ${q(nsName(peerNs.name))}`);
      sh(`ip -n ${q(nsName(ns.name))} link set ${i.name} address ${i.mac}`);
      sh(`ip -n ${q(nsName(peerNs.name))} link set ${peer.name} address ${peer.mac}`);
    }
  }
  for (const ns of all) {
    const n = q(nsName(ns.name));
    for (const i of ns.ifaces) {
      if (i.master) sh(`ip -n ${n} link set ${i.name} master ${i.master}`);
    }
    for (const i of ns.ifaces) {
      if (i.kind === "loopback") continue;
      for (const a of i.addrs) sh(`ip -n ${n} addr add ${formatIpv4(a.ip)}/${a.prefix}${a.brd !== undefined ? " brd +" : ""} dev ${i.name}`);
      // Multicast off: no IGMP reports from the new addresses to blur counters and conntrack.
      sh(`ip -n ${n} link set ${i.name} multicast off`);
      if (i.up) sh(`ip -n ${n} link set ${i.name} up`);
    }
  }
  sh("");
  sh("# Routes the kernel does not add by itself, and sysctls.");
  for (const ns of all) {
    const n = q(nsName(ns.name));
    for (const r of ns.routes) {
      if (r.table !== "main" || r.proto === "kernel") continue;
      sh(`ip -n ${n} route add ${formatRoute(r).trim()}`);
    }
    sh(`X ${q(ns.name)} sysctl -q -w net.ipv4.ip_forward=${ns.sysctl.ipForward ? 1 : 0} net.bridge.bridge-nf-call-iptables=${ns.sysctl.bridgeNfCallIptables ? 1 : 0}`);
    const t = ns.ct.timeouts;
    if (t.tcp.ESTABLISHED !== 432000 || t.tcp.CLOSE_WAIT !== 60) {
      sh(`X ${q(ns.name)} sysctl -q -w net.netfilter.nf_conntrack_tcp_timeout_established=${t.tcp.ESTABLISHED} net.netfilter.nf_conntrack_tcp_timeout_close_wait=${t.tcp.CLOSE_WAIT} 2>/dev/null || true`);
    }
  }
  sh("");
  sh("# iptables rules, from the engine's own iptables-save.");
  for (const ns of all) {
    if (ns.nf.loaded.size === 0) continue;
    sh(`X ${q(ns.name)} "$IPT_RESTORE" <<'RULES'\n${iptablesSave(ns.nf, { time: w.startMs / 1000 })}RULES`);
    if (ns.fabric) {
      sh(`# ${ns.name} stands for the cloud's fabric, which forwards without a visible TTL decrement.`);
      sh(`X ${q(ns.name)} iptables-legacy -t mangle -A PREROUTING -j TTL --ttl-inc 1 2>/dev/null || X ${q(ns.name)} iptables -t mangle -A PREROUTING -j TTL --ttl-inc 1`);
    }
  }
  sh("");
  sh("# Servers, as the engine's listeners.");
  for (const ns of all) {
    for (const l of ns.listeners) {
      const reply = l.proto === "udp" ? payloadLength({ kind: "dns-answer", id: 0, name: "kubernetes.default.svc.cluster.local", answer: "" }) : 0;
      sh(`X ${q(ns.name)} python3 "$WORK/hslab.py" ${l.proto}-server ${l.port}${l.proto === "udp" ? ` ${reply}` : ""} >/dev/null 2>&1 &`);
    }
  }
  sh("");
  sh("# Capture every interface of every node and pod (IPv4 only).");
  for (const ns of all) {
    sh(`X ${q(ns.name)} tcpdump -i any -n -v -l -U ip > "$WORK/cap-${ns.name}.txt" 2> "$WORK/cap-${ns.name}.err" &`);
  }
  sh("# Wait until every capture is listening (a loaded machine can take a while), at most 20 s.");
  sh(`for k in $(seq 200); do n=$(cat "$WORK"/cap-*.err 2>/dev/null | grep -c "listening on" || true); [ "$n" -ge ${all.length} ] && break; sleep 0.1; done`);
  // New interfaces send IGMP membership reports (set above to go within milliseconds): let them
  // pass before the counters are zeroed, or they would count as the scenario's.
  sh("sleep 1");
  sh("");
  sh("# Start from zero: whatever the set-up itself sent (neighbour discovery, multicast) is not the scenario.");
  for (const ns of all.filter((n) => n.nf.loaded.has("nat"))) {
    for (const t of ["nat", "filter"] as const) if (ns.nf.loaded.has(t)) sh(`X ${q(ns.name)} "$IPT" -t ${t} -Z`);
    sh(`X ${q(ns.name)} conntrack -F 2>/dev/null || true`);
  }
  sh("");
  sh("# The scenario's traffic.");
  sh("RESULTS=()");
  cluster.scenario.traffic.forEach((t, i) => {
    const ep = resolveTraffic(cluster, t, `traffic.${i}`);
    const from = q(ep.fromNs);
    const dst = formatIpv4(ep.dst);
    const sport = t.sport ?? 32768 + (hashString(`${cluster.scenario.id}/${i}`) % 28232);
    let cmd: string;
    if (ep.proto === "icmp") cmd = `ping ${dst} ${sport}`;
    else if (ep.proto === "udp") {
      const len = t.kind === "dig" ? payloadLength({ kind: "dns-query", id: 0, name: "kubernetes.default.svc.cluster.local", qtype: "A" }) : 32;
      cmd = `udp-client ${dst} ${ep.dport} ${sport} ${len}`;
    } else cmd = `tcp-client ${dst} ${ep.dport} ${sport} ${TCP_HOLD_S}`;
    if (ep.proto === "tcp") {
      // The client keeps the connection open while conntrack is read, as an open curl would.
      sh(`X ${from} python3 "$WORK/hslab.py" ${cmd} > "$WORK/tcp-${i}.txt" 2>/dev/null &`);
      sh(`TCP_PID=$!; for k in $(seq 50); do grep -q connected "$WORK/tcp-${i}.txt" 2>/dev/null && break; kill -0 $TCP_PID 2>/dev/null || break; sleep 0.1; done`);
    } else {
      sh(`if X ${from} python3 "$WORK/hslab.py" ${cmd}; then RESULTS+=(ok); else RESULTS+=(failed); fi`);
    }
  });
  sh("sleep 1.5");
  cluster.scenario.traffic.forEach((t, i) => {
    if (resolveTraffic(cluster, t, `traffic.${i}`).proto !== "tcp") return;
    // Results are listed in traffic order; a TCP item's place is filled in here.
    sh(`if grep -q connected "$WORK/tcp-${i}.txt"; then RESULTS=("\${RESULTS[@]:0:${i}}" ok "\${RESULTS[@]:${i}}"); else RESULTS=("\${RESULTS[@]:0:${i}}" failed "\${RESULTS[@]:${i}}"); fi`);
  });
  sh("");
  sh("# Stop the captures first: nothing after the scenario's own packets belongs in them.");
  sh('for ns in $(ip netns list | awk \'{print $1}\' | grep "^$P"); do ip netns pids "$ns" | xargs -r ps -o pid=,comm= -p 2>/dev/null | awk \'$2=="tcpdump"{print $1}\' | xargs -r kill -INT 2>/dev/null || true; done');
  sh("sleep 0.5");
  sh("");
  sh("# What the kernel did, as JSON.");
  sh('emit() { printf "%s" "$1"; }');
  sh('emit "{\\"scenario\\":\\"' + cluster.scenario.id + '\\",\\"prefix\\":\\"$P\\",\\"traffic\\":["');
  sh('first=1; for r in "${RESULTS[@]+"${RESULTS[@]}"}"; do [ $first = 1 ] || emit ","; first=0; emit "\\"$r\\""; done');
  sh('emit "],\\"conntrack\\":{"');
  const tracked = all.filter((ns) => ns.nf.loaded.has("nat"));
  tracked.forEach((ns, k) => {
    sh(`emit ${q(`${k ? "," : ""}"${ns.name}":`)}; X ${q(ns.name)} conntrack -L 2>/dev/null | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines()), end="")'`);
  });
  sh('emit "},\\"iptables\\":{"');
  tracked.forEach((ns, k) => {
    const tables = (["filter", "nat"] as const).filter((t) => ns.nf.loaded.has(t));
    sh(`emit ${q(`${k ? "," : ""}"${ns.name}":`)}; { ${tables.map((t) => `X ${q(ns.name)} "$IPT_SAVE" -c -t ${t};`).join(" ")} } | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()), end="")'`);
  });
  sh('emit "},\\"captures\\":{"');
  all.forEach((ns, k) => {
    sh(`emit ${q(`${k ? "," : ""}"${ns.name}":`)}; python3 "$WORK/hslab.py" parse-tcpdump "$WORK/cap-${ns.name}.txt" | tr -d '\\n'`);
  });
  sh('emit "}}"; echo');
  return out.join("\n") + "\n";
}
