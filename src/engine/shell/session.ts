/**
 * A shell line, as bash would take it: words with quotes, `;` and `&&` between pipelines, pipes
 * into grep, head, tail, cut, wc, sort and xargs, `sudo`, `ip netns exec`, `nsenter -t PID -n`
 * and `kubectl exec`, and the commands of the node or pod the shell runs on. Anything a user
 * types gets an answer in bash's or the tool's own words; nothing throws.
 *
 * A pod's shell runs the node's tools inside the pod's network namespace (what `nsenter -n`
 * does), except that in a pod running busybox, ping, nslookup and wget are busybox's applets
 * and an unknown command gets busybox sh's answer, as through `kubectl exec`.
 */
import type { Cluster } from "../k8s/build";
import type { Netns } from "../netns";
import type { Flow } from "../trace";
import { origin } from "../narrate";
import { LINE_LIMITS, LineBudget, stepsOf, type LineLimits } from "./budget";
import { ok, fail, runCommand, type CommandResult } from "./exec";
import { compileGrep } from "./grep-regex";
import { changeOf, refuseChange } from "./readonly";
import { knownAbsent, listDir, lsColumns, readFile } from "./files";
import { EXTRA_COMMANDS, ipShow } from "./extra";
import { ipEraOf, netnsId, type IpShowOptions } from "./ip";
import { isNeighObject } from "./neigh";
import { runsBusybox } from "../k8s/topology";
import { kubectlDescribePods, kubectlDescribeService, kubectlGetEndpoints, kubectlGetNodes, kubectlGetPods, kubectlGetServices } from "./kubectl";
import { bridgeFdb, ifconfig, tcpdump } from "./nettools";
import { curl, dig, nslookup, ping, traceroute, wget, type ProbeContext } from "./probe";
import { ctr, expandProcGlob, hostFor, ipNetnsIdentify, ls, lsns, ps } from "./procs";

/** The shell's state: the cluster and every flow traced so far (the scenario's, then the shell's own). */
export interface ShellSession {
  readonly cluster: Cluster;
  readonly flows: Flow[];
}

export interface LineResult extends CommandResult {
  /** Flows this line traced (ping, curl, …), already appended to the session's. */
  readonly flows: readonly Flow[];
  /** What a terminal shows, stdout and stderr in the order the commands wrote them. */
  readonly display: string;
}

type Connector = ";" | "&&" | "||";

/** A parsed line: pipelines of words, each after the connector that joins it to the previous one. */
export type ParsedLine = { readonly pipelines: readonly { readonly connector?: Connector; readonly stages: string[][] }[] };

/** Splits a line into pipelines and stages of words; bash's message when a quote is open or a token is out of place. */
export function parseLine(line: string): ParsedLine | { error: string } {
  const pipelines: { connector?: Connector; stages: string[][] }[] = [{ stages: [[]] }];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const cur = () => pipelines[pipelines.length - 1]!;
  const endWord = () => {
    if (inWord) cur().stages[cur().stages.length - 1]!.push(word);
    word = "";
    inWord = false;
  };
  const unexpected = (tok: string) => ({ error: `bash: syntax error near unexpected token \`${tok}'\n` });
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === "\\" || line[i + 1] === "$")) word += line[++i];
      else word += c;
      continue;
    }
    if (c === "#" && !inWord) break; // a comment runs to the end of the line
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t") endWord();
    else if (c === "|" || c === ";" || c === "&") {
      endWord();
      const two = line.slice(i, i + 2);
      const stages = cur().stages;
      const emptyStage = stages[stages.length - 1]!.length === 0;
      if (two === "&&" || two === "||" || c === ";") {
        const tok: Connector = c === ";" ? ";" : (two as Connector);
        if (emptyStage) return unexpected(tok);
        pipelines.push({ connector: tok, stages: [[]] });
        if (tok !== ";") i++;
      } else if (c === "|") {
        if (emptyStage) return unexpected("|");
        stages.push([]);
      } else return { error: "bash: background jobs (&) are not simulated\n" };
    } else if ((c === "$" && line[i + 1] === "(") || c === "`") {
      return { error: "bash: command substitution ($(…) and `…`) is not simulated\n" };
    } else if (c === ">" || c === "<") {
      return { error: "bash: redirections are not simulated here; pipe into grep, head, tail, cut, wc, sort or xargs instead\n" };
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return { error: `bash: unexpected EOF while looking for matching \`${quote}'\n` };
  endWord();
  const last = cur();
  if (last.stages.length > 1 && last.stages[last.stages.length - 1]!.length === 0) return unexpected("|");
  if (last.connector && last.connector !== ";" && last.stages[0]!.length === 0) return { error: "bash: syntax error: unexpected end of file\n" };
  if (last.connector === ";" && last.stages[0]!.length === 0) pipelines.pop();
  return { pipelines };
}

interface Ctx {
  readonly s: ShellSession;
  readonly budget: LineBudget;
  readonly c: Cluster;
  readonly ns: Netns;
  readonly stdin: string | undefined;
  /** Whether stdout goes into a pipe rather than the terminal (ls quotes only on a terminal). */
  readonly piped: boolean;
  readonly busybox: boolean;
  readonly newFlows: Flow[];
  readonly depth: number;
  /** The caller's uid: the node's login user (ubuntu, 1000), root in a pod or on the router, 0 under sudo. */
  readonly uid: number;
  /**
   * Whose files the command reads: the pod's own in its shell and through kubectl exec; the
   * node's through nsenter -n and ip netns exec, which change only the network namespace.
   */
  readonly fs: Netns;
}

type Tool = (ctx: Ctx, args: readonly string[]) => CommandResult;

const NOT_FOUND: CommandResult = { stdout: "", stderr: "", code: 127 };

function probe(ctx: Ctx): ProbeContext {
  return { c: ctx.c, ns: ctx.ns, flows: ctx.s.flows, newFlows: ctx.newFlows, busybox: ctx.busybox, budget: ctx.budget };
}

function inputLines(ctx: Ctx): string[] {
  const lines = (ctx.stdin ?? "").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

const joinLines = (lines: readonly string[]) => lines.map((l) => l + "\n").join("");

function fileArgs(tool: string, files: readonly string[]): CommandResult | undefined {
  if (files.length === 0) return undefined;
  return fail(files.map((f) => `${tool}: ${f}: No such file or directory\n`).join(""), tool === "grep" ? 2 : 1);
}

const grep: Tool = (ctx, args) => {
  let invert = false;
  let ignoreCase = false;
  let count = false;
  let word = false;
  let syntax: "basic" | "extended" | "fixed" = "basic";
  let pattern: string | undefined;
  const files: string[] = [];
  for (const a of args) {
    if (a.startsWith("-") && a.length > 1 && pattern === undefined) {
      for (const ch of a.slice(1)) {
        if (ch === "v") invert = true;
        else if (ch === "i") ignoreCase = true;
        else if (ch === "c") count = true;
        else if (ch === "w") word = true;
        else if (ch === "E") syntax = "extended";
        else if (ch === "F") syntax = "fixed";
        else return fail(`grep: invalid option -- '${ch}'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n`, 2);
      }
    } else if (pattern === undefined) pattern = a;
    else files.push(a);
  }
  if (pattern === undefined) return fail("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", 2);
  const missing = fileArgs("grep", files);
  if (missing) return missing;
  const re = compileGrep(pattern, { syntax, ignoreCase, word });
  if (!re.ok) return fail(`${re.error}\n`, 2);
  const hits = inputLines(ctx).filter((l) => re.test(l) !== invert);
  if (count) return { stdout: `${hits.length}\n`, stderr: "", code: hits.length ? 0 : 1 };
  return { stdout: joinLines(hits), stderr: "", code: hits.length ? 0 : 1 };
};

function countArg(tool: string, args: readonly string[]): { n: number; files: string[] } | CommandResult {
  let n = 10;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a === "-n" ? args[++i] : /^-n?\d+$/.test(a) ? a.replace(/^-n?/, "") : undefined;
    if (v !== undefined) {
      if (!/^\d+$/.test(v)) return fail(`${tool}: invalid number of lines: ‘${v}’\n`);
      n = Number(v);
    } else if (a.startsWith("-")) return fail(`${tool}: invalid option -- '${a.slice(1, 2)}'\nTry '${tool} --help' for more information.\n`);
    else files.push(a);
  }
  return { n, files };
}

const head: Tool = (ctx, args) => {
  const r = countArg("head", args);
  if ("code" in r) return r;
  return fileArgs("head", r.files) ?? ok(joinLines(inputLines(ctx).slice(0, r.n)));
};

const tail: Tool = (ctx, args) => {
  // tail -n +N: from line N on.
  const plus = args.length === 2 && args[0] === "-n" ? /^\+(\d+)$/.exec(args[1]!) : null;
  if (plus) return ok(joinLines(inputLines(ctx).slice(Math.max(0, Number(plus[1]) - 1))));
  const r = countArg("tail", args);
  if ("code" in r) return r;
  const lines = inputLines(ctx);
  return fileArgs("tail", r.files) ?? ok(joinLines(r.n === 0 ? [] : lines.slice(-r.n)));
};

const cut: Tool = (ctx, args) => {
  let delim = "\t";
  let fields: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-d") delim = args[++i] ?? "";
    else if (a.startsWith("-d")) delim = a.slice(2);
    else if (a === "-f") fields = args[++i];
    else if (a.startsWith("-f")) fields = a.slice(2);
    else if (a.startsWith("-")) return fail(`cut: invalid option -- '${a.slice(1, 2)}'\nTry 'cut --help' for more information.\n`);
    else return fail(`cut: ${a}: No such file or directory\n`);
  }
  if (delim.length !== 1) return fail("cut: the delimiter must be a single character\nTry 'cut --help' for more information.\n");
  if (fields === undefined) return fail("cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n");
  const wanted = (i: number) =>
    fields!.split(",").some((part) => {
      const m = /^(\d*)(-?)(\d*)$/.exec(part);
      if (!m) return false;
      const lo = m[1] ? Number(m[1]) : 1;
      const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : lo;
      return i >= lo && i <= hi;
    });
  if (!fields.split(",").every((p) => /^(\d+|\d+-\d*|-\d+)$/.test(p) && !/^0/.test(p))) return fail(`cut: invalid field value ‘${fields}’\nTry 'cut --help' for more information.\n`);
  // A line without the delimiter is printed whole, as cut does without -s.
  return ok(joinLines(inputLines(ctx).map((l) => (l.includes(delim) ? l.split(delim).filter((_, i) => wanted(i + 1)).join(delim) : l))));
};

const wc: Tool = (ctx, args) => {
  const text = ctx.stdin ?? "";
  const lines = (text.match(/\n/g) ?? []).length;
  const words = text.split(/\s+/).filter(Boolean).length;
  const bytes = utf8Length(text);
  if (args.length === 0) return ok(`${String(lines).padStart(7)} ${String(words).padStart(7)} ${String(bytes).padStart(7)}\n`);
  if (args.length === 1 && args[0] === "-l") return ok(`${lines}\n`);
  if (args.length === 1 && args[0] === "-w") return ok(`${words}\n`);
  if (args.length === 1 && args[0] === "-c") return ok(`${bytes}\n`);
  return fail(`wc: the simulated wc counts its input: wc [-l|-w|-c]\n`);
};

function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

const sort: Tool = (ctx, args) => {
  const flags = new Set<string>();
  for (const a of args) {
    if (!a.startsWith("-") || a === "-") return fail(`sort: cannot read: ${a}: No such file or directory\n`, 2);
    for (const ch of a.slice(1)) {
      if (!"nru".includes(ch)) return fail(`sort: invalid option -- '${ch}'\nTry 'sort --help' for more information.\n`, 2);
      flags.add(ch);
    }
  }
  const numeric = flags.has("n");
  const reverse = flags.has("r");
  let lines = inputLines(ctx).slice();
  lines.sort((a, b) => (numeric ? parseFloat(a) - parseFloat(b) || (a < b ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0));
  if (reverse) lines.reverse();
  if (flags.has("u")) lines = lines.filter((l, i) => i === 0 || l !== lines[i - 1]);
  return ok(joinLines(lines));
};

const xargs: Tool = (ctx, args) => {
  const words = (ctx.stdin ?? "").split(/\s+/).filter(Boolean);
  const argv = args.length ? [...args, ...words] : ["echo", ...words];
  const r = execArgv({ ...ctx, stdin: undefined }, argv);
  if (r === NOT_FOUND) return fail(`xargs: ${argv[0]}: No such file or directory\n`, 127);
  // xargs reports a command's failure as 123.
  return r.code !== 0 && r.code !== 127 ? { ...r, code: 123 } : r;
};

const ethtool: Tool = (ctx, args) => {
  if (args[0] !== "-S" || !args[1] || args.length > 2) return fail("ethtool: bad command line argument(s)\nFor more information run ethtool -h\n");
  const iface = ctx.ns.iface(args[1]);
  if (!iface) return fail(`Cannot get stats strings information: No such device\n`, 71);
  if (iface.kind !== "veth" || !iface.peer) return fail("no stats available\n", 94);
  return ok(`NIC statistics:\n     peer_ifindex: ${iface.peer.ifindex}\n`);
};

/**
 * The sysctls the model keeps, as /proc/sys paths, on a node. net.bridge.* exists only where
 * br_netfilter registered it: kernel 4.15 keeps those in the initial namespace, so a pod has
 * none. A pod's own ipv4 settings were copied from the node's when its namespace was made, at a
 * moment the model does not keep, so they are not shown ("unknown").
 */
function sysctlValue(ns: Netns, key: string): string | undefined | "unknown" {
  const known = ["net.ipv4.ip_forward", "net.ipv4.icmp_echo_ignore_all", "net.bridge.bridge-nf-call-iptables"];
  if (!known.includes(key)) return undefined;
  if (key.startsWith("net.bridge.")) return ns.pod === undefined && ns.sysctl.bridgeNfCallIptables ? "1" : undefined;
  if (ns.pod !== undefined) return "unknown";
  return (key === "net.ipv4.ip_forward" ? ns.sysctl.ipForward : ns.sysctl.icmpEchoIgnoreAll) ? "1" : "0";
}

const NOT_MODELLED = (key: string) => `(hopscope: ${key} in a pod is inherited from the node when the namespace was made; the simulation does not keep it)\n`;

const sysctl: Tool = (ctx, args) => {
  let valuesOnly = false;
  const out: string[] = [];
  let err = "";
  for (const a of args) {
    if (a === "-n" || a === "--values") {
      valuesOnly = true;
      continue;
    }
    if (a.startsWith("-")) return fail(`sysctl: the simulated node reads keys: sysctl [-n] KEY...\n`, 255);
    if (a.includes("=")) return fail(`sysctl: setting ${a.split("=")[0]} is not simulated; the scenario decides it\n`, 255);
    const key = a.replace(/\//g, ".");
    const v = sysctlValue(ctx.ns, key);
    if (v === undefined) err += `sysctl: cannot stat /proc/sys/${key.replace(/\./g, "/")}: No such file or directory\n`;
    else if (v === "unknown") err += NOT_MODELLED(key);
    else out.push(valuesOnly ? `${v}\n` : `${key} = ${v}\n`);
  }
  if (args.filter((a) => !a.startsWith("-")).length === 0) return fail("(hopscope: sysctl -a is not simulated; ask for net.ipv4.ip_forward, net.bridge.bridge-nf-call-iptables or net.ipv4.icmp_echo_ignore_all)\n", 255);
  return { stdout: out.join(""), stderr: err, code: err ? 255 : 0 };
};

const cat: Tool = (ctx, args) => {
  if (args.length === 0) return ok(ctx.stdin ?? "");
  const out: string[] = [];
  let err = "";
  for (const path of args) {
    const file = readFile(ctx.c, ctx.fs, path);
    if (file) {
      if ("content" in file) out.push(file.content);
      if (file.note) err += `${file.note}\n`;
      continue;
    }
    if (listDir(ctx.c, ctx.fs, path)) {
      err += `cat: ${path}: Is a directory\n`;
      continue;
    }
    if (knownAbsent(ctx.c, ctx.fs, path)) {
      err += `cat: ${path}: No such file or directory\n`;
      continue;
    }
    const proc = /^\/proc\/sys\/(.+)$/.exec(path);
    if (proc) {
      const key = proc[1]!.replace(/\//g, ".");
      const v = sysctlValue(ctx.ns, key);
      if (v === undefined) err += `cat: ${path}: No such file or directory\n`;
      else if (v === "unknown") err += NOT_MODELLED(key);
      else out.push(`${v}\n`);
      continue;
    }
    if (!path.startsWith("/sys/class/net/")) {
      err += `${NOT_A_SIMULATED_FILE(path)}\n`;
      continue;
    }
    const m = /^\/sys\/class\/net\/([^/]+)\/(ifindex|address|mtu|iflink|operstate)$/.exec(path);
    const iface = m ? ctx.ns.iface(m[1]!) : undefined;
    if (!m || !iface) {
      err += `cat: ${path}: No such file or directory\n`;
      continue;
    }
    const what = m[2]!;
    // iflink is the peer's ifindex for a veth, the device's own otherwise.
    const value = what === "ifindex" ? iface.ifindex : what === "iflink" ? ((iface.kind === "veth" ? iface.peer?.ifindex : undefined) ?? iface.ifindex) : what === "mtu" ? iface.mtu : what === "address" ? iface.mac : iface.up ? "up" : "down";
    out.push(`${value}\n`);
  }
  return { stdout: out.join(""), stderr: err, code: /^cat: |^\(hopscope: .* is not among/m.test(err) ? 1 : 0 };
};

const NOT_A_SIMULATED_FILE = (path: string) =>
  `(hopscope: ${path} is not among the simulated files: /etc/cni/net.d/* (10-bridge.conf, or 10-flannel.conflist and /run/flannel/subnet.env on flannel nodes), /var/lib/kubelet/kubelet-config.yaml, a pod's /etc/resolv.conf and /etc/hostname, /proc/sys/net/..., /sys/class/net/IFACE/...)`;

/**
 * ls of the node's files the simulation has (/etc/cni/net.d, /opt/cni/bin, …) in GNU ls's
 * columns on a terminal and one per line into a pipe; the rest (/var/run/netns, /proc/PID/ns/net)
 * is procs.ts's.
 */
function lsFiles(ctx: Ctx, args: readonly string[]): CommandResult {
  const paths = args.filter((a) => !a.startsWith("-") || a === "-");
  const opts = args.filter((a) => a.startsWith("-") && a !== "-").join("").replace(/-/g, "");
  const dirs = paths.map((p) => listDir(ctx.c, ctx.fs, p));
  const files = paths.map((p) => readFile(ctx.c, ctx.fs, p));
  const theirs = (p: string) => /^\/(var\/)?run\/netns\/?$|^\/proc\//.test(p);
  if (paths.length === 0 || paths.every(theirs)) return ls(ctx.c, ctx.ns, args, ctx.piped);
  const unknown = paths.find((p, i) => dirs[i] === undefined && files[i] === undefined && !theirs(p) && !knownAbsent(ctx.c, ctx.fs, p));
  if (unknown !== undefined) return fail(`(hopscope: ls of ${unknown} is not simulated; the simulated directories are /etc/cni/net.d, /opt/cni/bin, /run/flannel (flannel nodes), /var/run/netns and /proc/PID/ns)\n`, 2);
  if (paths.some(theirs)) return fail("(hopscope: list /var/run/netns or /proc on their own)\n", 2);
  if (opts.replace(/1/g, "") !== "") return fail(`(hopscope: ls -${opts} of ${paths.join(" ")} is not simulated; plain ls and ls -1 are)\n`, 2);
  const oneColumn = ctx.piped || opts.includes("1");
  const out: string[] = [];
  let err = "";
  const several = paths.length > 1;
  paths.forEach((p, i) => {
    const d = dirs[i];
    const f = files[i];
    if (d) {
      if (several) out.push(`${out.length ? "\n" : ""}${p}:\n`);
      out.push(oneColumn ? d.map((n) => `${n}\n`).join("") : lsColumns(d));
    } else if (f && "content" in f) out.push(`${p}\n`);
    else err += `ls: cannot access '${p}': No such file or directory\n`;
  });
  return { stdout: out.join(""), stderr: err, code: err ? 2 : 0 };
}

type IpGlobals = { show: IpShowOptions; netns?: string; rest: string[]; options: string[] };

/** iproute2's global options before the object: -4/-6, -s, -o, -br, -n NS; the others are refused by name. */
function ipGlobals(args: readonly string[]): IpGlobals | CommandResult {
  const show: { family?: "inet"; oneline?: boolean; brief?: boolean; stats?: boolean; details?: boolean } = {};
  let netns: string | undefined;
  const options: string[] = [];
  let i = 0;
  for (; i < args.length && args[i]!.startsWith("-"); i++) {
    const a = args[i]!;
    if (a !== "-n" && a !== "-netns") options.push(a);
    if (a === "-4") show.family = "inet";
    else if (a === "-6") return fail("(hopscope: ip -6 is not simulated: the model keeps IPv4 only, and kernel 4.15 answers -6 from a different link dump)\n", 255);
    else if (a === "-s" || a === "-stats" || a === "-statistics") show.stats = true;
    else if (a === "-o" || a === "-oneline") show.oneline = true;
    else if (a === "-br" || a === "-brief") show.brief = true;
    else if (a === "-d" || a === "-details") show.details = true;
    else if (a === "-n" || a === "-netns") {
      netns = args[++i];
      // iproute2 4.15 passes the missing name on as a null pointer, and says so.
      if (netns === undefined) return fail('Cannot open network namespace "(null)": No such file or directory\n', 255);
    } else if (["-j", "-json", "-p", "-pretty", "-c", "-color", "-h", "-human", "-r", "-resolve"].includes(a)) {
      return fail(`(hopscope: ip ${a} is not simulated; -4, -s, -o, -br, -d and -n are)\n`, 255);
    } else return fail(`Option "${a}" is unknown, try "ip -help".\n`, 255);
  }
  return { show, ...(netns !== undefined && { netns }), rest: args.slice(i), options };
}

/** `ip netns [list|identify|exec]`; undefined for other `ip` objects. */
function ipNetns(ctx: Ctx, args: readonly string[]): CommandResult | undefined {
  if (args[0] !== "netns" && args[0] !== "netn" && args[0] !== "net") return undefined;
  const [, sub, ...rest] = args;
  const { c, ns } = ctx;
  // /var/run/netns is the node's, also from inside a pod's network namespace (nsenter -n keeps the
  // node's mounts); the ids are the ones this namespace has assigned, which a pod has for none.
  const mine = c.pods.filter((p) => p.node === ns.node);
  if (sub === undefined || sub === "list" || sub === "show" || sub === "ls") {
    const lines = mine
      .map((p) => ({ name: p.netns, id: netnsId(c.world, ns, p.netns) }))
      .reverse()
      .map((x) => `${x.name}${x.id >= 0 ? ` (id: ${x.id})` : ""}\n`);
    return ok(lines.join(""));
  }
  if (sub === "identify") return ipNetnsIdentify(c, ns, rest[0]);
  if (sub === "exec") {
    const [name, ...cmd] = rest;
    if (name === undefined) return fail("No netns name specified\n", 255);
    const target = mine.find((p) => p.netns === name);
    if (!target) return fail(`Cannot open network namespace "${name}": No such file or directory\n`, 255);
    if (cmd.length === 0) return fail("No command specified\n", 255);
    const r = execArgv({ ...ctx, ns: c.world.get(target.netns), busybox: false }, cmd);
    return r === NOT_FOUND ? fail(`exec of "${cmd[0]}" failed: No such file or directory\n`, 255) : r;
  }
  return fail(`Command "${sub}" is unknown, try "ip netns help".\n`, 255);
}

const nsenter: Tool = (ctx, args) => {
  let pid: string | undefined;
  let net = false;
  let netFile: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-t" || a === "--target") pid = args[++i];
    else if (a.startsWith("--target=")) pid = a.slice(9);
    else if (/^-t\d+$/.test(a)) pid = a.slice(2);
    else if (a === "-n" || a === "--net") net = true;
    else if (a.startsWith("--net=") || (a.startsWith("-n") && a.length > 2 && a[2] === "/")) {
      // --net=/var/run/netns/NAME or --net=/proc/PID/ns/net: that namespace's file.
      const file = a.startsWith("--net=") ? a.slice(6) : a.slice(2);
      const named = /^\/(?:var\/)?run\/netns\/([^/]+)$/.exec(file);
      const byPid = /^\/proc\/(\d+)\/ns\/net$/.exec(file);
      if (named) {
        const p = ctx.c.pods.find((x) => x.node === ctx.ns.node && x.netns === named[1]);
        if (!p) return fail(`nsenter: cannot open ${file}: No such file or directory\n`);
        netFile = p.netns;
      } else if (byPid) pid = byPid[1];
      else return fail(`nsenter: cannot open ${file}: No such file or directory\n`);
      net = true;
    }
    else if (a === "-tn" || a === "-nt") {
      net = true;
      pid = args[++i];
    } else if (a === "--") {
      i++;
      break;
    } else if (a.startsWith("-")) return fail(`nsenter: invalid option -- '${a.replace(/^-+/, "").slice(0, 1)}'\nTry 'nsenter --help' for more information.\n`);
    else break;
  }
  const cmd = args.slice(i);
  if (netFile !== undefined && pid === undefined) {
    if (cmd.length === 0) return fail("(hopscope: an interactive shell inside the namespace is not simulated; give nsenter a command)\n");
    const r = execArgv({ ...ctx, ns: ctx.c.world.get(netFile), busybox: false }, cmd);
    return r === NOT_FOUND ? fail(`nsenter: failed to execute ${cmd[0]}: No such file or directory\n`) : r;
  }
  if (pid === undefined) {
    if (net) return fail("nsenter: neither filename nor target pid supplied for ns/net\n");
    return fail("nsenter: no namespace specified\nTry 'nsenter --help' for more information.\n");
  }
  if (!/^\d+$/.test(pid)) return fail(`nsenter: failed to parse pid: '${pid}'\n`);
  const host = hostFor(ctx.c, ctx.ns);
  const proc = host.procs.find((p) => p.pid === Number(pid));
  if (!proc) return fail(`nsenter: cannot open /proc/${pid}/ns/net: No such file or directory\n`);
  if (cmd.length === 0) return fail("(hopscope: an interactive shell inside the namespace is not simulated; give nsenter a command)\n");
  const target = net ? ctx.c.world.get(proc.netns) : ctx.ns;
  const r = execArgv({ ...ctx, ns: target, busybox: false }, cmd);
  return r === NOT_FOUND ? fail(`nsenter: failed to execute ${cmd[0]}: No such file or directory\n`) : r;
};

/** kubectl 1.10's get, describe and exec, with -n/--namespace, --all-namespaces and -o wide. */
const kubectl: Tool = (ctx, args) => {
  let namespace: string | undefined;
  let all = false;
  let wide = false;
  const words: string[] = [];
  let dashdash = -1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      dashdash = i;
      break;
    }
    if (a === "-n" || a === "--namespace") namespace = args[++i];
    else if (a.startsWith("--namespace=")) namespace = a.slice(12);
    else if (a === "--all-namespaces") all = true;
    else if (a === "-o" && args[i + 1] === "wide") {
      wide = true;
      i++;
    }
    else if (a === "-owide" || a === "-o=wide" || a === "--output=wide") wide = true;
    else if (a === "-it" || a === "-ti" || a === "-i" || a === "-t" || a === "--stdin" || a === "--tty") continue;
    else if (a.startsWith("-")) return fail(`Error: unknown flag: ${a}\n`);
    else words.push(a);
  }
  const [verb, kind, name] = words;
  if (!verb) return fail("kubectl controls the Kubernetes cluster manager.\n");
  if (verb === "get" && (kind === "pods" || kind === "pod" || kind === "po")) {
    const r = kubectlGetPods(ctx.c, { ...(namespace && { namespace }), allNamespaces: all, wide });
    return ok(r.stdout, r.stderr);
  }
  if (verb === "get" && (kind === "nodes" || kind === "node" || kind === "no")) {
    const r = kubectlGetNodes(ctx.c);
    return ok(r.stdout, r.stderr);
  }
  if (verb === "get" && (kind === "endpoints" || kind === "ep")) {
    const r = kubectlGetEndpoints(ctx.c, { ...(namespace && { namespace }), allNamespaces: all });
    return ok(r.stdout, r.stderr);
  }
  if (verb === "get" && (kind === "svc" || kind === "service" || kind === "services")) {
    const r = kubectlGetServices(ctx.c, { ...(namespace && { namespace }), allNamespaces: all, wide });
    return ok(r.stdout, r.stderr);
  }
  if (verb === "describe" && (kind === "pods" || kind === "pod" || kind === "po")) return kubectlDescribePods(ctx.c, name, namespace ?? "default");
  if (verb === "describe" && (kind === "svc" || kind === "service" || kind === "services")) return kubectlDescribeService(ctx.c, name, namespace ?? "default");
  if (verb === "exec") {
    const podName = kind;
    if (podName === undefined) return fail("error: expected 'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]'.\nPOD_NAME and COMMAND are required arguments for the exec command\nSee 'kubectl exec -h' for help and examples.\n");
    const pod = ctx.c.pods.find((p) => p.name === podName && p.namespace === (namespace ?? "default"));
    if (!pod) return fail(`Error from server (NotFound): pods "${podName}" not found\n`);
    const cmd = dashdash >= 0 ? args.slice(dashdash + 1) : words.slice(2);
    if (cmd.length === 0) return fail("error: you must specify at least one command for the container\n");
    const podNs = ctx.c.world.get(pod.netns);
    const r = execArgv({ ...ctx, ns: podNs, fs: podNs, busybox: runsBusybox(pod), uid: 0 }, cmd);
    if (r === NOT_FOUND) return fail(`OCI runtime exec failed: exec failed: container_linux.go:348: starting container process caused "exec: \\"${cmd[0]}\\": executable file not found in $PATH": unknown\ncommand terminated with exit code 126\n`, 126);
    return r.code !== 0 ? { ...r, stderr: r.stderr + `command terminated with exit code ${r.code}\n` } : r;
  }
  return fail(`error: the simulated kubectl knows get pods|svc|ep|nodes, describe pods|services and exec, not "${words.join(" ")}"\n`);
};

const HELP = `(hopscope: this shell simulates these commands on the scenario's cluster; bash's own help is not here)
  namespaces, processes  lsns -t net, ls -1i /var/run/netns, ls -l /proc/[1-9]*/ns/net, ps -p, ip netns [exec|identify], nsenter -t PID -n
  containers, cluster    ctr [-n k8s.io] namespaces|containers|task ls, ctr containers info ID, kubectl get pods|svc|ep|nodes, kubectl describe pods|services, kubectl exec POD -- CMD
  links, routes, bridge  ip [-4] [-o] [-br] [-s] [-d] [-n NS] link|addr|route|neigh, ip route get ADDR, ifconfig, ethtool -S, cat /sys/class/net/IF/ifindex, brctl show, bridge fdb, sysctl
  files                  cat /etc/cni/net.d/10-bridge.conf|99-loopback.conf (flannel: 10-flannel.conflist, /run/flannel/subnet.env), /var/lib/kubelet/kubelet-config.yaml, a pod's /etc/resolv.conf; ls /etc/cni/net.d, /opt/cni/bin, /run/flannel
  netfilter              iptables [-t T] [-Z] -L|-S [CHAIN] [-v] [-n] [-x], iptables-save [-c] [-t T], conntrack -L [filters], tcpdump -n [-e] -i IF [filter]
  traffic                ping, traceroute -n, curl, wget -qO- (busybox pods), nslookup, dig @SERVER  (each traces new flows)
  text                   grep, head, tail, cut, wc, sort, xargs, echo, hostname; ; && || and | between commands; Tab completes
`;

const TOOLS: Readonly<Record<string, Tool>> = {
  help: () => ok(HELP),
  hostname: (ctx) => ok(`${ctx.ns.pod ?? ctx.ns.node}\n`),
  echo: (_ctx, args) => ok(args.join(" ") + "\n"),
  true: () => ok(""),
  false: () => fail(""),
  ethtool,
  cat,
  sysctl,
  kubectl,
  grep,
  head,
  tail,
  cut,
  wc,
  sort,
  xargs,
  nsenter,
  lsns: (ctx, args) => lsns(ctx.c, ctx.ns, args),
  ls: (ctx, args) => lsFiles(ctx, args),
  ps: (ctx, args) => ps(ctx.c, ctx.ns, args),
  ctr: (ctx, args) => ctr(ctx.c, ctx.ns, args),
  ifconfig: (ctx, args) => ifconfig(ctx.ns, ctx.c.world, args, ipEraOf(ctx.c.scenario)),
  bridge: (ctx, args) => bridgeFdb(ctx.ns, ctx.c.world, args, ipEraOf(ctx.c.scenario)),
  tcpdump: (ctx, args) => tcpdump(ctx.ns, [...ctx.s.flows, ...ctx.newFlows], args),
  ping: (ctx, args) => ping(probe(ctx), args),
  traceroute: (ctx, args) => traceroute(probe(ctx), args),
  curl: (ctx, args) => curl(probe(ctx), args),
  wget: (ctx, args) => wget(probe(ctx), args),
  nslookup: (ctx, args) => nslookup(probe(ctx), args),
  dig: (ctx, args) => dig(probe(ctx), args),
};

/** Every program the shell knows, for Tab completion and the help line. */
export const PROGRAMS: readonly string[] = [...new Set([...Object.keys(TOOLS), ...Object.keys(EXTRA_COMMANDS), "ip", "iptables-save", "conntrack", "sudo"])].sort();

/** Whether the namespace is a pod's whose container runs busybox. */
function busyboxIn(c: Cluster, ns: Netns): boolean {
  if (ns.pod === undefined) return false;
  const pod = c.pods.find((p) => p.netns === ns.name);
  return pod !== undefined && runsBusybox(pod);
}

const MAX_DEPTH = 8;

/** Who a shell logs in as: ubuntu (uid 1000) on a node and user on the client; root in a pod and on the router. */
function loginUid(c: Cluster, ns: Netns): number {
  return ns.pod !== undefined || ns.name === c.router ? 0 : 1000;
}

/** Runs one command's words; NOT_FOUND when there is no such program. */
function execArgv(ctx: Ctx, argvIn: readonly string[]): CommandResult {
  if (ctx.depth > MAX_DEPTH) return fail("bash: too many nested commands\n", 126);
  const argv = argvIn.flatMap((w) => expandProcGlob(ctx.c, ctx.ns, w));
  const [program, ...args] = argv;
  if (program === undefined || program === "") return ok("");
  const inner = { ...ctx, depth: ctx.depth + 1 };
  if (program === "sudo") {
    let rest = args;
    // Options, some with a value (-u root, -g adm); the command follows.
    while (rest[0]?.startsWith("-")) rest = rest.slice(["-u", "-g", "-p", "-C", "-h", "-U", "-r", "-t"].includes(rest[0]) ? 2 : 1);
    if (rest.length === 0) return fail("usage: sudo -h | -K | -k | -V\nusage: sudo -v [-AknS] [-g group] [-h host] [-p prompt] [-u user]\nusage: sudo -l [-AknS] [-g group] [-h host] [-p prompt] [-U user] [-u user] [command]\nusage: sudo [-AbEHknPS] [-C num] [-g group] [-h host] [-p prompt] [-u user] [VAR=value] [-i|-s] [<command>]\n");
    const r = execArgv({ ...inner, uid: 0 }, rest);
    return r === NOT_FOUND ? fail(`sudo: ${rest[0]}: command not found\n`) : r;
  }
  const change = changeOf(program, args);
  if (change !== undefined) return refuseChange(change);
  const tool = Object.hasOwn(TOOLS, program) ? TOOLS[program] : undefined;
  if (tool) return tool(inner, args);
  if (program === "ip") {
    const g = ipGlobals(args);
    if ("code" in g) return g;
    if (g.netns !== undefined) {
      // `ip -n NS …` is `ip netns exec NS ip …`.
      const target = ctx.c.pods.find((p) => p.node === ctx.ns.node && p.netns === g.netns);
      if (!target) return fail(`Cannot open network namespace "${g.netns}": No such file or directory\n`, 255);
      // The last -n wins; the other options go along.
      return execArgv({ ...inner, ns: ctx.c.world.get(target.netns), busybox: false }, ["ip", ...g.options, ...g.rest]);
    }
    const r = ipNetns(inner, g.rest);
    if (r) return r;
    const object = g.rest[0] ?? "";
    if (object.length > 0 && ("link".startsWith(object) || "address".startsWith(object) || object === "addr" || isNeighObject(object))) return ipShow(ctx.c, ctx.ns, g.rest, g.show);
    // -d changes what route, rule and the others print (`unicast`, table ids); only link, addr and neigh are simulated with it.
    if (g.show.details) return fail(`(hopscope: ip -d ${object} is not simulated; ip -d link, ip -d addr and ip -d neigh are)\n`, 255);
    return runCommand(ctx.c, ctx.ns, ["ip", ...g.rest], EXTRA_COMMANDS, ctx.uid);
  }
  const r = runCommand(ctx.c, ctx.ns, argv, EXTRA_COMMANDS, ctx.uid);
  return r.code === 127 && (r.missing === true || !PROGRAMS.includes(program)) ? NOT_FOUND : r;
}

const MAX_LINE = 100_000;

export interface LineOptions {
  /** The line's budget (LINE_LIMITS unless given). */
  readonly limits?: LineLimits;
  /** A clock in milliseconds for the line's time limit (none: no time limit). */
  readonly clock?: () => number;
}

/** Runs one line in a session on a node or in a pod; the output as the terminal shows it, and the flows it traced. */
export function runLine(s: ShellSession | Cluster, ns: Netns, line: string, opts: LineOptions = {}): LineResult {
  const session: ShellSession = "cluster" in s ? s : { cluster: s, flows: [] };
  const limits = opts.limits ?? LINE_LIMITS;
  const refuse = (stderr: string, code: number): LineResult => ({ stdout: "", stderr, code, flows: [], display: stderr });
  if (line.length > MAX_LINE) return refuse(`bash: the line is ${line.length} characters long; the simulated shell takes up to ${MAX_LINE}
`, 1);
  const parsed = parseLine(line);
  if ("error" in parsed) return refuse(parsed.error, 2);
  const commands = parsed.pipelines.reduce((n, pl) => n + pl.stages.length, 0);
  if (commands > limits.commands) return refuse(`bash: (hopscope: this line runs ${commands} commands; a line may run at most ${limits.commands})
`, 1);
  const budget = new LineBudget(limits, stepsOf(session.flows), opts.clock);
  const newFlows: Flow[] = [];
  let stdout = "";
  let stderr = "";
  let display = "";
  let code = 0;
  for (const pl of parsed.pipelines) {
    if (pl.connector === "&&" && code !== 0) continue;
    if (pl.connector === "||" && code === 0) continue;
    if (!budget.mayContinue()) break;
    let input: string | undefined;
    let before = "";
    let after = "";
    let terminal: { before: string; after: string; text: string } | undefined;
    for (let i = 0; i < pl.stages.length; i++) {
      const words = pl.stages[i]!;
      if (!budget.mayContinue()) break;
      const busybox = busyboxIn(session.cluster, ns);
      const ctx: Ctx = { s: session, budget, c: session.cluster, ns, stdin: input, piped: i < pl.stages.length - 1, busybox, newFlows, depth: 0, uid: loginUid(session.cluster, ns), fs: ns };
      let r = execArgv(ctx, words);
      if (r === NOT_FOUND) r = fail(busybox ? `sh: ${words[0]}: not found\n` : `bash: ${words[0]}: command not found\n`, 127);
      // What a stage prints counts against the line's output; what it pipes on counts again only if printed.
      const last = i === pl.stages.length - 1;
      if (!budget.print((r.prelude ?? "").length + r.stderr.length + (last ? r.stdout.length : 0))) {
        const left = budget.outputLeft;
        r = { ...r, stdout: last ? r.stdout.slice(0, left) : r.stdout, stderr: r.stderr.slice(0, left) };
      }
      stderr += (r.prelude ?? "") + r.stderr;
      // A last stage whose two streams interleave on the terminal shows them so (unless the budget cut them).
      terminal = last && r.terminal !== undefined && r.terminal.length === (r.prelude ?? "").length + r.stdout.length + r.stderr.length ? { before, after, text: r.terminal } : undefined;
      before += r.prelude ?? "";
      after += r.stderr;
      input = r.stdout;
      code = r.code;
    }
    stdout += input ?? "";
    display += terminal ? terminal.before + terminal.text + terminal.after : before + (input ?? "") + after;
  }
  const notice = budget.notice;
  if (notice) {
    stderr += notice;
    display += (display === "" || display.endsWith("\n") ? "" : "\n") + notice;
    if (code === 0) code = 1;
  }
  // Each flow says which line started it, and where.
  const startedBy = origin.shell(line.trim().length > 120 ? `${line.trim().slice(0, 120)}…` : line.trim(), ns.pod ?? ns.node);
  const flows = newFlows.map((f) => ({ ...f, origin: startedBy }));
  for (const f of flows) session.flows.push(f);
  return { stdout, stderr, code, flows, display };
}
