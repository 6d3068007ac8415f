/**
 * The process- and container-level tools of a node: `lsns -t net` (util-linux, in the columns
 * the article shows), `ls -1i /var/run/netns`, `ls -l /proc/<pid>/ns/net` (coreutils: quoted
 * only on a terminal), `ps -p` (procps-ng: bare PIDs after -p switch to the BSD columns, as
 * `xargs ps -p` does), `ip netns identify`, and containerd 1.1's `ctr` listings (Go's
 * tabwriter with the widths ctr sets). All read the same host model (host.ts).
 */
import { MONTHS } from "./dates";
import type { Cluster, PodInfo } from "../k8s/build";
import type { Netns } from "../netns";
import { tcpdumpTime } from "../packet/format";
import { ok, fail, type CommandResult } from "./exec";
import { containerProcs, hostOf, type Host, type Proc } from "./host";
import { goTabwriter } from "./tabwriter";


/** The node whose process table a namespace sees (a pod's namespace belongs to its node). */
export function hostFor(c: Cluster, ns: Netns): Host {
  return hostOf(c, ns.node);
}

/** `lsns -t net`: one row per namespace with processes, by inode; PID and COMMAND of its lowest PID. */
export function lsns(c: Cluster, ns: Netns, args: readonly string[]): CommandResult {
  let type: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-t" || a === "--type") type = args[++i];
    else if (a.startsWith("--type=")) type = a.slice(7);
    else return fail(`lsns: invalid option -- '${a.replace(/^-+/, "")}'\nTry 'lsns --help' for more information.\n`);
  }
  if (type === undefined) return fail("lsns: the simulated node lists network namespaces only: lsns -t net\n");
  if (!["net", "mnt", "uts", "ipc", "pid", "user", "cgroup"].includes(type)) return fail(`lsns: unknown namespace type: ${type}\n`);
  if (type !== "net") return fail(`lsns: the simulated node keeps network namespaces only (-t net)\n`);
  const host = hostFor(c, ns);
  const rows = [...groupByNs(host)].sort((a, b) => a.inode - b.inode);
  const table = [["NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"], ...rows.map((r) => [String(r.inode), "net", String(r.procs.length), String(r.procs[0]!.pid), "root", r.procs[0]!.cmdline])];
  const right = [true, false, true, true, false, false];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return ok(table.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(" ") + "\n").join(""));
}

function groupByNs(host: Host): { inode: number; procs: Proc[] }[] {
  const by = new Map<string, Proc[]>();
  for (const p of host.procs) by.set(p.netns, [...(by.get(p.netns) ?? []), p]);
  return [...by].map(([name, procs]) => ({ inode: host.inodeOf(name)!, procs: procs.sort((a, b) => a.pid - b.pid) }));
}

/**
 * `ls` of the two places the article looks: /var/run/netns (with -1i) and /proc/<pid>/ns/net
 * (with -l), globs already expanded. A pod's shell sees the node's files and processes, as
 * `nsenter -n` keeps the node's mount and PID namespaces.
 */
export function ls(c: Cluster, ns: Netns, args: readonly string[], piped: boolean): CommandResult {
  const flags = new Set<string>();
  const paths: string[] = [];
  for (const a of args) {
    if (a.startsWith("-") && a.length > 1) {
      for (const ch of a.slice(1)) {
        if (!"1ilad".includes(ch)) return fail(`ls: invalid option -- '${ch}'\nTry 'ls --help' for more information.\n`, 2);
        flags.add(ch);
      }
    } else paths.push(a);
  }
  const host = hostFor(c, ns);
  const podsHere = host.pods;
  const out: string[] = [];
  let err = "";
  let code = 0;
  const date = lsDate(c.world.startMs);
  if (paths.length === 0) return fail("(hopscope: the simulated file system has /var/run/netns and /proc/<pid>/ns/net; give ls one of them)\n", 2);
  for (const path of paths) {
    const clean = path.replace(/\/+$/, "");
    if (clean === "/var/run/netns" || clean === "/run/netns") {
      const names = podsHere.map((p) => ({ name: p.pod.netns, inode: p.inode })).sort((a, b) => (a.name < b.name ? -1 : 1));
      const w = Math.max(0, ...names.map((n) => String(n.inode).length));
      // A directory listed long starts with its total of 1K blocks (nsfs mounts take none).
      if (flags.has("l")) out.push("total 0");
      for (const n of names) {
        const ino = flags.has("i") ? String(n.inode).padStart(w) + " " : "";
        out.push(flags.has("l") ? `${ino}-r--r--r-- 1 root root 0 ${date} ${n.name}` : `${ino}${n.name}`);
      }
      continue;
    }
    const m = /^\/proc\/(\d+|self)\/ns\/net$/.exec(clean);
    const proc = m ? host.procs.find((p) => String(p.pid) === m[1]) : undefined;
    if (!m || !proc) {
      err += `ls: cannot access '${path}': No such file or directory\n`;
      code = 2;
      continue;
    }
    const target = `net:[${host.inodeOf(proc.netns)}]`;
    const ino = flags.has("i") ? `${host.inodeOf(proc.netns)} ` : "";
    out.push(flags.has("l") ? `${ino}lrwxrwxrwx 1 root root 0 ${date} ${clean} -> ${piped ? target : `'${target}'`}` : `${ino}${clean}`);
  }
  return { stdout: out.map((l) => l + "\n").join(""), stderr: err, code };
}

/** ls -l's date for a file from the last six months: `May 14 14:47`. */
function lsDate(ms: number): string {
  const d = new Date(ms);
  const mon = MONTHS[d.getUTCMonth()]!;
  return `${mon} ${String(d.getUTCDate()).padStart(2)} ${tcpdumpTime(ms).slice(0, 5)}`;
}

/** bash's expansion of a /proc glob such as /proc/[1-9]*\/ns/net against the node's PIDs; other words stay as they are. */
export function expandProcGlob(c: Cluster, ns: Netns, word: string): string[] {
  const m = /^\/proc\/([^/]*[*?[][^/]*)\/ns\/net$/.exec(word);
  if (!m) return [word];
  const parts = parseGlob(m[1]!);
  if (!parts) return [word];
  const host = hostFor(c, ns);
  const pids = host.procs.map((p) => String(p.pid));
  const hits = pids.filter((p) => globMatch(parts, p)).sort();
  return hits.length ? hits.map((p) => `/proc/${p}/ns/net`) : [word];
}

/** One glob element: any one character, a bracket set, or a literal character. */
type GlobPart = { readonly kind: "star" } | { readonly kind: "one"; readonly test: (ch: string) => boolean };

/** A /proc glob's parts, or undefined for a bracket this simulation does not read. */
function parseGlob(glob: string): GlobPart[] | undefined {
  const parts: GlobPart[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*") {
      if (parts.at(-1)?.kind !== "star") parts.push({ kind: "star" });
    } else if (ch === "?") parts.push({ kind: "one", test: (c) => c !== "/" });
    else if (ch === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) return undefined;
      const raw = glob.slice(i + 1, end);
      const negate = raw.startsWith("!") || raw.startsWith("^");
      const body = negate ? raw.slice(1) : raw;
      if (!/^[0-9a-z-]+$/i.test(body)) return undefined;
      const ranges: [string, string][] = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === "-" && k + 2 < body.length) {
          ranges.push([body[k]!, body[k + 2]!]);
          k += 2;
        } else ranges.push([body[k]!, body[k]!]);
      }
      parts.push({ kind: "one", test: (c) => ranges.some(([lo, hi]) => c >= lo && c <= hi) !== negate });
      i = end;
    } else parts.push({ kind: "one", test: (c) => c === ch });
  }
  return parts;
}

/**
 * Whether the text matches the glob's parts, in time proportional to their product at worst
 * (the classic wildcard walk that returns only to the last star), where a regular expression
 * made of the same stars backtracks exponentially.
 */
function globMatch(parts: readonly GlobPart[], text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const part = parts[p];
    if (part?.kind === "one" && part.test(text[t]!)) {
      p++;
      t++;
    } else if (part?.kind === "star") {
      star = p++;
      resume = t;
    } else if (star >= 0 && text[resume] !== "/") {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (parts[p]?.kind === "star") p++;
  return p === parts.length;
}

const PS_USAGE = "\nUsage:\n ps [options]\n\n Try 'ps --help <simple|list|output|threads|misc|all>'\n  or 'ps --help <s|l|o|t|m|a>'\n for additional help text.\n\nFor more details see ps(1).\n";

/** `ps -p PID[,PID]… [PID…]`: System V columns, or BSD ones once a bare PID appears (procps-ng 3.3). */
export function ps(c: Cluster, ns: Netns, args: readonly string[]): CommandResult {
  const pids: number[] = [];
  let bsd = false;
  let sawP = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-p" || a === "--pid") {
      const list = args[++i];
      if (list === undefined) return fail("error: list of process IDs must follow -p\n" + PS_USAGE);
      for (const x of list.split(",")) {
        if (!/^\d+$/.test(x)) return fail("error: process ID list syntax error\n" + PS_USAGE);
        pids.push(Number(x));
      }
      sawP = true;
    } else if (/^\d+$/.test(a)) {
      pids.push(Number(a));
      bsd = true;
    } else return fail(`error: unsupported option (BSD syntax)\n` + PS_USAGE);
  }
  if (!sawP && !bsd) return fail("ps: the simulated node answers ps -p PID [PID...]\n");
  const host = hostFor(c, ns);
  const found = host.procs.filter((p) => pids.includes(p.pid)).sort((a, b) => a.pid - b.pid);
  const head = bsd ? "  PID TTY      STAT   TIME COMMAND\n" : "  PID TTY          TIME CMD\n";
  const rows = found.map((p) =>
    bsd ? `${String(p.pid).padStart(5)} ?        ${p.stat.padEnd(6)} 0:00 ${p.cmdline}\n` : `${String(p.pid).padStart(5)} ?        00:00:00 ${comm(p.cmdline)}\n`,
  );
  return { stdout: head + rows.join(""), stderr: "", code: found.length ? 0 : 1 };
}

/** The kernel's comm: the executable's base name, at most 15 characters (nginx renames its processes' command lines, not comm). */
function comm(cmdline: string): string {
  // Ubuntu's /sbin/init is a link to systemd, and the kernel names the process after the file it ran.
  if (cmdline === "/sbin/init") return "systemd";
  const first = cmdline.startsWith("nginx:") ? "nginx" : cmdline.split(" ")[0]!;
  return first.split("/").pop()!.slice(0, 15);
}

/** `ip netns identify PID`: the name under /var/run/netns of the process's namespace, or nothing. */
export function ipNetnsIdentify(c: Cluster, ns: Netns, pidText: string | undefined): CommandResult {
  const host = hostFor(c, ns);
  if (pidText === undefined) return ok(`${ns.pod === undefined ? "" : ns.name}\n`);
  if (!/^\d+$/.test(pidText)) return fail(`Invalid pid ${pidText}\n`);
  const proc = host.procs.find((p) => p.pid === Number(pidText));
  if (!proc) return fail("Cannot open network namespace: No such file or directory\n");
  return ok(proc.netns === host.node ? "\n" : `${proc.netns}\n`);
}

const RUNTIME = "io.containerd.runtime.v1.linux";
const PAUSE_IMAGE = "k8s.gcr.io/pause:3.1";

/** The image reference containerd records: docker.io/library/ for a short name, :latest without a tag. */
export function imageRef(image: string): string {
  let ref = image.includes("/") && /[.:]/.test(image.split("/")[0]!) ? image : image.includes("/") ? `docker.io/${image}` : `docker.io/library/${image}`;
  if (!/:[^/]+$/.test(ref)) ref += ":latest";
  return ref;
}

interface CtrContainer {
  readonly id: string;
  readonly image: string;
  readonly pid: number;
  readonly pod: PodInfo;
  readonly uid: string;
  readonly name?: string;
  readonly args: readonly string[];
  readonly sandboxPid: number;
}

function containersOf(host: Host): CtrContainer[] {
  const all: CtrContainer[] = [];
  for (const pr of host.pods) {
    all.push({ id: pr.pod.sandboxId, image: PAUSE_IMAGE, pid: pr.pausePid, pod: pr.pod, uid: pr.uid, args: ["/pause"], sandboxPid: pr.pausePid });
    for (const ctr of pr.pod.containers) {
      all.push({ id: ctr.id, image: imageRef(ctr.image), pid: pr.containerPids.get(ctr.name)!, pod: pr.pod, uid: pr.uid, name: ctr.name, args: containerProcs(ctr.image)[0]!.cmd.split(" "), sandboxPid: pr.pausePid });
    }
  }
  return all;
}

const CTR_USAGE = "NAME:\n   ctr - \n        __\n  _____/ /______\n / ___/ __/ ___/\n/ /__/ /_/ /\n\\___/\\__/_/\n\ncontainerd CLI\n\nUSAGE:\n   ctr [global options] command [command options] [arguments...]\n\nVERSION:\n   v1.1.0\n";

/** containerd 1.1's ctr: namespaces ls, containers ls [filter] / info ID, task ls, in namespace -n (default "default"). */
export function ctr(c: Cluster, ns: Netns, args: readonly string[]): CommandResult {
  let namespace = "default";
  let i = 0;
  for (; i < args.length && args[i]!.startsWith("-"); i++) {
    const a = args[i]!;
    if (a === "-n" || a === "--namespace") namespace = args[++i] ?? "";
    else if (a.startsWith("--namespace=")) namespace = a.slice(12);
    else return fail(`Incorrect Usage: flag provided but not defined: ${a}\n\n` + CTR_USAGE);
  }
  const [cmd, sub, ...rest] = args.slice(i);
  if (c.nodes.find((n) => n.name === ns.node)?.role !== "worker") {
    return fail("ctr: failed to dial \"/run/containerd/containerd.sock\": context deadline exceeded\n");
  }
  const host = hostFor(c, ns);
  const containers = namespace === "k8s.io" ? containersOf(host) : [];
  if (cmd === undefined) return ok(CTR_USAGE);
  if (cmd === "namespaces" || cmd === "namespace" || cmd === "ns") {
    if (sub !== "ls" && sub !== "list") return fail(`ctr: the simulated ctr lists namespaces: ctr namespaces ls\n`);
    return ok(goTabwriter(["NAME\tLABELS\t", ...(host.pods.length ? ["k8s.io\t\t"] : [])], 1, 1));
  }
  if (cmd === "containers" || cmd === "container" || cmd === "c") {
    if (sub === "ls" || sub === "list") {
      const shown = containers.filter((x) => rest.every((f) => matchesFilter(x, f))).sort((a, b) => (a.id < b.id ? -1 : 1));
      return ok(goTabwriter(["CONTAINER\tIMAGE\tRUNTIME\t", ...shown.map((x) => `${x.id}\t${x.image}\t${RUNTIME}\t`)], 4, 4));
    }
    if (sub === "info") {
      const id = rest[0];
      if (!id) return fail("ctr: container id must be provided\n");
      const x = containers.find((k) => k.id === id);
      if (!x) return fail(`ctr: container "${id}" in namespace "${namespace}": not found\n`);
      return ok(containerInfo(c, x) + "\n");
    }
    return fail(`ctr: the simulated ctr answers containers ls and containers info <id>\n`);
  }
  if (cmd === "tasks" || cmd === "task" || cmd === "t") {
    if (sub !== "ls" && sub !== "list") return fail(`ctr: the simulated ctr answers task ls\n`);
    const tasks = containers.slice().sort((a, b) => a.pid - b.pid);
    return ok(goTabwriter(["TASK\tPID\tSTATUS\t", ...tasks.map((t) => `${t.id}\t${t.pid}\tRUNNING`)], 4, 4));
  }
  return fail(`ctr: No help topic for '${cmd}'\n`, 3);
}

function matchesFilter(x: CtrContainer, filter: string): boolean {
  const m = /^(id|image|labels\.(.+))==?(.*)$/.exec(filter);
  if (!m) return false;
  if (m[1] === "id") return x.id === m[3];
  if (m[1] === "image") return x.image === m[3];
  return labelsOf(x)[m[2]!.replace(/^"|"$/g, "")] === m[3];
}

function labelsOf(x: CtrContainer): Record<string, string> {
  if (x.name === undefined) {
    return { "io.cri-containerd.kind": "sandbox", "io.kubernetes.pod.name": x.pod.name, "io.kubernetes.pod.namespace": x.pod.namespace, "io.kubernetes.pod.uid": x.uid, ...x.pod.labels };
  }
  return { "io.cri-containerd.kind": "container", "io.kubernetes.container.name": x.name, "io.kubernetes.pod.name": x.pod.name, "io.kubernetes.pod.namespace": x.pod.namespace, "io.kubernetes.pod.uid": x.uid };
}

/**
 * `ctr containers info`: the container record as ctr 1.1 prints it, Go's json.MarshalIndent
 * with map keys sorted and the OCI spec still packed in its protobuf Any (type_url and the
 * base64 of the spec's JSON). The packed spec is abridged to the process's arguments and the
 * namespaces, which is where the network namespace is shared: the sandbox's points at
 * /var/run/netns/cni-…, each container's at /proc/<pause PID>/ns/net.
 */
function containerInfo(c: Cluster, x: CtrContainer): string {
  const labels = labelsOf(x);
  const sorted = Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]]));
  const created = new Date(c.world.startMs - 4000).toISOString().replace(".000Z", ".000000000Z");
  const netPath = x.name === undefined ? `/var/run/netns/${x.pod.netns}` : `/proc/${x.sandboxPid}/ns/net`;
  const spec = {
    ociVersion: "1.0.1",
    process: { args: x.args },
    linux: {
      namespaces: [{ type: "pid" }, { type: "ipc", ...(x.name !== undefined && { path: `/proc/${x.sandboxPid}/ns/ipc` }) }, { type: "uts", ...(x.name !== undefined && { path: `/proc/${x.sandboxPid}/ns/uts` }) }, { type: "mount" }, { type: "network", path: netPath }],
    },
  };
  const value = {
    ID: x.id,
    Labels: sorted,
    Image: x.image,
    Runtime: { Name: RUNTIME, Options: null },
    Spec: { type_url: "types.containerd.io/opencontainers/runtime-spec/1/Spec", value: base64(JSON.stringify(spec)) },
    SnapshotKey: x.id,
    Snapshotter: "overlayfs",
    CreatedAt: created,
    UpdatedAt: created,
    Extensions: null,
  };
  return JSON.stringify(value, null, "    ");
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 of a string's UTF-8 bytes, with padding (what Go's encoding/json does to []byte). */
export function base64(text: string): string {
  const bytes: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : "=";
    out += i + 2 < bytes.length ? B64[n & 63]! : "=";
  }
  return out;
}

