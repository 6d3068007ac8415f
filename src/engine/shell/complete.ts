/**
 * Tab completion for the shell, the way bash-completion behaves for these tools: command names
 * first, then what the previous words call for (interfaces, namespaces, PIDs, pods, container
 * IDs, tables, ip's objects). One candidate completes the word and adds a space; several extend
 * it to their common prefix and are listed.
 */
import type { Cluster } from "../k8s/build";
import type { Netns } from "../netns";
import { TABLE_NAMES } from "../netfilter/types";
import { listDir, readFile } from "./files";
import { hostOf } from "./host";
import { PROGRAMS, type ShellSession } from "./session";

export interface Completion {
  /** The line with the word under the cursor completed as far as it can be. */
  readonly line: string;
  /** The candidates when more than one fits (empty otherwise). */
  readonly options: readonly string[];
}

const COMMAND_POSITION = new Set(["sudo", "xargs", "|", ";", "&&", "||"]);

function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return "";
  let p = words[0]!;
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** The namespace later words run in: after `ip netns exec NAME` or `nsenter -t PID -n`, that one. */
function effectiveNs(c: Cluster, ns: Netns, words: readonly string[]): Netns {
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "netns" && words[i + 1] === "exec" && words[i + 2] && c.world.namespaces.has(words[i + 2]!)) return c.world.get(words[i + 2]!);
    if (words[i] === "nsenter") {
      const t = words.indexOf("-t", i);
      const pid = t >= 0 ? Number(words[t + 1]) : NaN;
      const proc = hostOf(c, ns.node).procs.find((p) => p.pid === pid);
      if (proc && words.includes("-n")) return c.world.get(proc.netns);
    }
  }
  return ns;
}

/** The program the last words belong to: the word after a separator, sudo, xargs, `ip netns exec NAME`, nsenter's -n or kubectl exec's --. */
function lastProgram(words: readonly string[]): string {
  let program = words[0] ?? "";
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i]!;
    if (COMMAND_POSITION.has(w)) program = words[i + 1]!;
    else if (w === "exec" && words[i - 1] === "netns" && i + 2 < words.length) program = words[i + 2]!;
    else if (w === "-n" && words.includes("nsenter")) program = words[i + 1]!;
    else if (w === "--" && words.includes("exec")) program = words[i + 1]!;
  }
  return program;
}

function candidatesFor(s: ShellSession, ns: Netns, words: readonly string[], current: string): string[] {
  const c = s.cluster;
  const prev = words[words.length - 1];
  const prev2 = words[words.length - 2];
  // Where a command name goes: the line's start, after sudo/xargs/a pipe, after `ip netns exec NAME`, nsenter's options, kubectl exec's --.
  const commandSlot =
    words.length === 0 ||
    COMMAND_POSITION.has(prev!) ||
    (prev2 === "exec" && words[words.length - 3] === "netns") ||
    (words.includes("nsenter") && prev === "-n") ||
    (words.includes("exec") && prev === "--");
  if (commandSlot) return [...PROGRAMS];
  const here = effectiveNs(c, ns, words);
  const ifaces = here.ifaces.map((i) => i.name);
  const program = lastProgram(words);
  if (current.startsWith("/sys/class/net/")) {
    const rest = current.slice("/sys/class/net/".length);
    if (!rest.includes("/")) return ifaces.map((i) => `/sys/class/net/${i}/`);
    return ["ifindex", "iflink", "address", "mtu", "operstate"].map((f) => `/sys/class/net/${rest.split("/")[0]}/${f}`);
  }
  if (current.startsWith("/")) return pathCandidates(c, here, current);
  if (program === "tcpdump" && prev?.endsWith("i") && prev.startsWith("-")) return [...ifaces, "any"];
  if (prev === "-i" || prev === "dev" || prev === "br" || prev === "brport" || program === "ifconfig" || (program === "ethtool" && prev === "-S") || (program === "brctl" && prev === "show")) return ifaces;
  if (prev === "exec" && prev2 === "netns") return c.pods.filter((p) => p.node === ns.node).map((p) => p.netns);
  if ((prev === "identify" && prev2 === "netns") || (program === "nsenter" && prev === "-t") || (program === "ps" && prev === "-p")) {
    return hostOf(c, ns.node).pods.flatMap((p) => [String(p.pausePid), ...[...p.containerPids.values()].map(String)]);
  }
  if (program === "ip") {
    if (prev === "-n" || prev === "-netns") return c.pods.filter((p) => p.node === ns.node).map((p) => p.netns);
    if (words.length === 1 || /^-(4|o|br|s|d)$/.test(prev ?? "") || prev2 === "-n") return ["addr", "link", "neigh", "netns", "route"];
    if (prev === "neigh") return ["show"];
    if (prev === "show" && prev2 === "neigh") return ["dev", ...ifaces];
    if (prev === "netns") return ["exec", "identify", "list"];
    if (prev === "route") return ["list", "show", "table"];
    if (prev === "table") return ["local", "main"];
    if (prev === "link" || prev === "addr" || prev === "address") return ["show"];
    if (prev === "show" && (prev2 === "link" || prev2 === "addr")) return ["dev", ...ifaces];
  }
  if ((program === "iptables" || program === "iptables-save") && prev === "-t") return [...TABLE_NAMES];
  if (program === "ctr") {
    if (prev === "-n") return ["k8s.io"];
    if (prev === "info") return hostOf(c, ns.node).pods.flatMap((p) => [p.pod.sandboxId, ...p.pod.containers.map((x) => x.id)]);
    if (prev === "k8s.io" || prev === "ctr") return ["containers", "namespaces", "task"];
    if (prev === "containers") return ["info", "ls"];
    if (prev === "namespaces" || prev === "task") return ["ls"];
  }
  if (program === "kubectl") {
    if (words.length === 1) return ["describe", "exec", "get"];
    if (prev === "get") return ["endpoints", "nodes", "pods", "svc"];
    if (prev === "describe") return ["pods", "services"];
    if (prev === "pods" || prev === "pod" || prev === "exec" || prev === "-it") return c.pods.map((p) => p.name);
    if (prev === "services" || prev === "svc") return c.services.map((x) => x.name);
    if (prev === "-n" || prev === "--namespace") return [...new Set(c.pods.map((p) => p.namespace))];
  }
  if (program === "brctl" && words.length === 1) return ["show"];
  if (program === "bridge" && words.length === 1) return ["fdb"];
  if (program === "bridge" && prev === "fdb") return ["show"];
  if (program === "bridge" && prev === "show") return ["br", "dev"];
  if (program === "lsns" && prev === "-t") return ["net"];
  if (program === "conntrack" && words.length === 1) return ["-L"];
  return [];
}

/**
 * Paths: the entries of a directory the simulation has (/etc/cni/net.d, /opt/cni/bin, flannel's
 * /run/flannel), a directory with a slash after it; otherwise the simulated places to start from.
 */
function pathCandidates(c: Cluster, ns: Netns, current: string): string[] {
  const cut = current.lastIndexOf("/");
  const dir = current.slice(0, cut);
  const entries = dir === "" ? undefined : listDir(c, ns, dir);
  if (entries) return entries.map((e) => `${dir}/${e}${listDir(c, ns, `${dir}/${e}`) ? "/" : ""}`);
  const starts = ["/var/run/netns", "/proc/", "/etc/cni/net.d/", "/opt/cni/bin/", "/var/lib/kubelet/kubelet-config.yaml"];
  if (listDir(c, ns, "/run/flannel")) starts.push("/run/flannel/");
  return starts.filter((p) => p === "/var/run/netns" || p === "/proc/" || readFile(c, ns, p) !== undefined || listDir(c, ns, p) !== undefined);
}

/** Completes the last word of `line` on a node or in a pod. */
export function complete(s: ShellSession, ns: Netns, line: string): Completion {
  const cut = line.lastIndexOf(" ");
  const current = line.slice(cut + 1);
  const before = line.slice(0, cut + 1);
  const words = before.split(/\s+/).filter(Boolean).flatMap((w) => w.split(/(\||;|&&)/).filter(Boolean));
  const hits = [...new Set(candidatesFor(s, ns, words, current))].filter((x) => x.startsWith(current)).sort();
  if (hits.length === 0) return { line, options: [] };
  if (hits.length === 1) {
    const w = hits[0]!;
    return { line: before + w + (w.endsWith("/") ? "" : " "), options: [] };
  }
  return { line: before + commonPrefix(hits), options: hits };
}
