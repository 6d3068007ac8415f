/**
 * Simulated commands on a node or in a pod, after the scenario's traffic has passed: the same
 * text the real tools print. Pure functions of the cluster; unknown commands answer like bash.
 */
import { formatIpv4, isIpv4, parseIpv4 } from "../addr/ipv4";
import type { ConnEntry } from "../conntrack/conntrack";
import { conntrackSummary, formatConntrackEntry } from "../conntrack/format";
import type { Cluster } from "../k8s/build";
import { iptablesSave } from "../netfilter/save";
import { TABLE_NAMES, type TableName } from "../netfilter/types";
import type { Netns } from "../netns";
import { formatRouteTable } from "../route/format";
import { clusterIptables } from "./iptables-list";

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
  /** Diagnostics the tool writes before its output (tcpdump's "listening on …"); shown first on a terminal. */
  readonly prelude?: string;
  /** The program is not installed on this host (bash then answers "command not found", status 127). */
  readonly missing?: boolean;
  /** What a terminal shows when the command's stdout and stderr both go to it, when the tool interleaves them (nft's warnings between tables). */
  readonly terminal?: string;
}

/** Extra commands supplied by other modules (ip link/addr, iptables -L, brctl), keyed by program. */
export type CommandHandler = (c: Cluster, ns: Netns, args: readonly string[], prompt: { host: string }) => CommandResult;

/** A command's answers: output with status 0, or a message on stderr with a failing status. */
export const ok = (stdout: string, stderr = ""): CommandResult => ({ stdout, stderr, code: 0 });
export const fail = (stderr: string, code = 1): CommandResult => ({ stdout: "", stderr, code });

/** Where a command runs: a node's namespace (worker-0, vpc-router, client) or a pod's. */
export function resolveTarget(c: Cluster, target: string): { ns: Netns } | { error: string } {
  const [node, pod, extra] = target.split("/");
  if (extra !== undefined || !node) return { error: `"${target}" is not <node> or <node>/<pod>` };
  if (!c.world.namespaces.has(node) || c.world.get(node).pod !== undefined) {
    return { error: `unknown node "${node}" (nodes: ${[...c.world.namespaces.values()].filter((n) => n.pod === undefined).map((n) => n.name).join(", ")})` };
  }
  if (pod === undefined) return { ns: c.world.get(node) };
  const p = c.pods.find((x) => x.name === pod);
  if (!p) return { error: `unknown pod "${pod}" (pods: ${c.pods.map((x) => x.name).join(", ")})` };
  if (p.node !== node) return { error: `pod ${pod} runs on ${p.node}, not ${node}` };
  return { ns: c.world.get(p.netns) };
}

function iptablesSaveCmd(c: Cluster, ns: Netns, args: readonly string[]): CommandResult {
  let counters = false;
  let table: TableName | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-c" || a === "--counters") counters = true;
    else if (a === "-t" || a === "--table") {
      const t = args[++i];
      if (!t || !(TABLE_NAMES as readonly string[]).includes(t)) return fail(`iptables-save: unknown table "${t ?? ""}"\n`);
      table = t as TableName;
    } else return fail(`iptables-save: unknown option "${a}"\n`);
  }
  if (table && !ns.nf.loaded.has(table)) ns.nf.loaded.add(table);
  const f = clusterIptables(c.scenario);
  return ok(iptablesSave(ns.nf, { counters, ...(table && { table }), time: c.world.now / 1000, version: f.version, variant: f.variant }));
}

const CT = "conntrack v1.4.4 (conntrack-tools): ";

/**
 * `conntrack -L` with its filters: -p PROTO, -s/-d (original source/destination), -r/-q (reply
 * source/destination), --sport/--dport (after -p tcp|udp), -n/-g (source-/destination-NATed).
 */
function conntrackCmd(c: Cluster, ns: Netns, args: readonly string[]): CommandResult {
  const [cmd, ...opts] = args;
  if (cmd === undefined) return fail(`${CT}no command specified\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`, 2);
  if (cmd !== "-L" && cmd !== "--dump") return fail(`${CT}the simulated conntrack lists entries: conntrack -L [-p PROTO] [-s|-d|-r|-q ADDR] [--sport|--dport PORT] [-n|-g]\n`, 2);
  const tests: ((e: ConnEntry) => boolean)[] = [];
  let proto: string | undefined;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    const value = () => {
      const v = opts[++i];
      if (v === undefined) throw new ConntrackUsage(`option \`${o}' requires an argument`);
      return v;
    };
    try {
      if (o === "-p" || o === "--proto" || o === "--protonum") {
        proto = value();
        if (!["tcp", "udp", "icmp"].includes(proto)) return fail(`${CT}proto \`${proto}' not found\n`, 2);
        const p = proto;
        tests.push((e) => e.orig.proto === p);
      } else if (["-s", "--src", "--orig-src", "-d", "--dst", "--orig-dst", "-r", "--reply-src", "-q", "--reply-dst"].includes(o)) {
        const v = value();
        if (!isIpv4(v)) return fail(`${CT}Bad parameter \`${v}'\n`, 2);
        const ip = parseIpv4(v);
        const which = o === "-s" || o === "--src" || o === "--orig-src" ? (e: ConnEntry) => e.orig.src : o === "-d" || o === "--dst" || o === "--orig-dst" ? (e: ConnEntry) => e.orig.dst : o === "-r" || o === "--reply-src" ? (e: ConnEntry) => e.reply.src : (e: ConnEntry) => e.reply.dst;
        tests.push((e) => which(e) === ip);
      } else if (["--sport", "--orig-port-src", "--dport", "--orig-port-dst"].includes(o)) {
        if (proto !== "tcp" && proto !== "udp") return fail(`${CT}${o} needs -p tcp or -p udp before it\n`, 2);
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) return fail(`${CT}Bad parameter \`${v}'\n`, 2);
        const port = Number(v);
        const src = o === "--sport" || o === "--orig-port-src";
        tests.push((e) => (src ? e.orig.sport : e.orig.dport) === port);
      } else if (o === "-n" || o === "--src-nat") tests.push((e) => e.srcNat);
      else if (o === "-g" || o === "--dst-nat") tests.push((e) => e.dstNat);
      else return fail(`${CT}unknown option \`${o}'\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`, 2);
    } catch (err) {
      if (err instanceof ConntrackUsage) return fail(`${CT}${err.message}\n`, 2);
      throw err;
    }
  }
  const entries = ns.ct.list(c.world.now).filter((e) => tests.every((t) => t(e)));
  return ok(entries.map((e) => formatConntrackEntry(e, c.world.now) + "\n").join(""), conntrackSummary(entries.length) + "\n");
}

class ConntrackUsage extends Error {}

/**
 * `ip route get ADDR`: the route the kernel would pick, from the same lookup the packets use,
 * as iproute2 4.15 prints the RTM_GETROUTE answer (every field followed by a space, then the
 * cached route's line; `uid` is the caller's).
 */
function ipRouteGet(ns: Netns, words: readonly string[], uid: number): CommandResult {
  const rest = words[0] === "to" ? words.slice(1) : words;
  const addr = rest[0];
  if (addr === undefined) return fail("need at least a destination address\n", 1);
  if (!isIpv4(addr.replace(/\/32$/, ""))) return fail(`Error: any valid prefix is expected rather than "${addr}".\n`, 1);
  if (rest.length > 1) return fail(`(hopscope: ip route get takes a destination only here; ${rest.slice(1).join(" ")} is not simulated)\n`, 1);
  const dst = parseIpv4(addr.replace(/\/32$/, ""));
  const m = ns.route(dst);
  if (!m || m.route.type === "unreachable" || m.route.type === "blackhole" || m.route.type === "prohibit") {
    const why = !m || m.route.type === "unreachable" ? "Network is unreachable" : m.route.type === "prohibit" ? "Permission denied" : "Invalid argument";
    return fail(`RTNETLINK answers: ${why}\n`, 2);
  }
  const r = m.route;
  const local = r.type === "local";
  const dev = local ? "lo" : r.dev!;
  const src = local ? dst : (r.src ?? ns.primaryAddress(r.dev!, m.nexthop));
  const via = !local && r.via !== undefined ? `via ${formatIpv4(r.via)} ` : "";
  const type = local ? "local " : r.type === "broadcast" ? "broadcast " : "";
  return ok(`${type}${formatIpv4(dst)} ${via}dev ${dev} ${src !== undefined ? `src ${formatIpv4(src)} ` : ""}uid ${uid} \n    cache ${local ? "<local> " : r.type === "broadcast" ? "<local,brd> " : ""}\n`);
}

function ipCmd(c: Cluster, ns: Netns, args: readonly string[], extra: Readonly<Record<string, CommandHandler>>, uid: number): CommandResult {
  const [object, ...rest] = args;
  if (object === undefined) return fail("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n", 255);
  if ("route".startsWith(object) && object.length >= 1 && object[0] === "r") {
    const sub = rest[0];
    if (sub === "get") return ipRouteGet(ns, rest.slice(1), uid);
    if (sub !== undefined && sub !== "show" && sub !== "list" && sub !== "table") return fail(`Command "${sub}" is unknown, try "ip route help".\n`, 255);
    const words = sub === "show" || sub === "list" ? rest.slice(1) : rest;
    let table: "main" | "local" = "main";
    if (words[0] === "table") {
      if (words[1] !== "main" && words[1] !== "local") return fail(`Error: argument "${words[1] ?? ""}" is wrong: table id value is invalid\n`, 255);
      table = words[1];
    } else if (words.length) return fail(`Error: either "to" is duplicate, or "${words[0]}" is a garbage.\n`, 255);
    return ok(formatRouteTable(ns.routes, table));
  }
  const handler = extra["ip"];
  if (handler) return handler(c, ns, args, { host: ns.node });
  return fail(`Object "${object}" is unknown, try "ip help".\n`, 255);
}

/** Runs one command line (already split into words). `extra` adds programs from other modules; `uid` is the caller's (0 under sudo). */
export function runCommand(c: Cluster, ns: Netns, argv: readonly string[], extra: Readonly<Record<string, CommandHandler>> = {}, uid = 0): CommandResult {
  const [program, ...args] = argv;
  if (program === undefined || program === "") return ok("");
  switch (program) {
    case "ip":
      return ipCmd(c, ns, args, extra, uid);
    case "iptables-save":
      return iptablesSaveCmd(c, ns, args);
    case "conntrack":
      return conntrackCmd(c, ns, args);
  }
  // Own keys only: a program named like an Object.prototype member ("constructor") is no handler.
  const handler = Object.hasOwn(extra, program) ? extra[program] : undefined;
  if (handler) return handler(c, ns, args, { host: ns.node });
  return fail(`${program}: command not found\n`, 127);
}
