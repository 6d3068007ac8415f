/**
 * A shell line, as bash would take it: words with quotes, `sudo`, pipes into grep, head and cut,
 * and the commands of the node or pod the shell runs on. Anything a user types gets an answer
 * in bash's or the tool's own words; nothing throws.
 */
import type { Cluster } from "../k8s/build";
import type { Netns } from "../netns";
import { runCommand, type CommandHandler, type CommandResult } from "./exec";
import { EXTRA_COMMANDS } from "./extra";
import { netnsId } from "./ip";

/** Splits a line into pipeline stages of words; undefined with bash's message when a quote is open. */
export function splitLine(line: string): { stages: string[][] } | { error: string } {
  const stages: string[][] = [[]];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === "\\")) word += line[++i];
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === " " || c === "\t") {
      if (inWord) stages[stages.length - 1]!.push(word);
      word = "";
      inWord = false;
    } else if (c === "|") {
      if (inWord) stages[stages.length - 1]!.push(word);
      word = "";
      inWord = false;
      stages.push([]);
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return { error: `bash: unexpected EOF while looking for matching \`${quote}'\n` };
  if (inWord) stages[stages.length - 1]!.push(word);
  if (stages.length > 1 && stages.some((s) => s.length === 0)) return { error: "bash: syntax error near unexpected token `|'\n" };
  return { stages };
}

const ok = (stdout: string, stderr = ""): CommandResult => ({ stdout, stderr, code: 0 });

/** Commands of the shell itself and of tools not covered elsewhere. */
const SHELL_COMMANDS: Readonly<Record<string, CommandHandler>> = {
  hostname: (_c, ns) => ok(`${ns.node}\n`),
  echo: (_c, _ns, args) => ok(args.join(" ") + "\n"),
  ethtool: (c, ns, args) => {
    if (args[0] !== "-S" || !args[1]) return { stdout: "", stderr: "ethtool: bad command line argument(s)\nFor more information run ethtool -h\n", code: 1 };
    const iface = ns.iface(args[1]);
    if (!iface) return { stdout: "", stderr: `Cannot get stats strings information: No such device\n`, code: 71 };
    if (iface.kind !== "veth" || !iface.peer) return { stdout: "", stderr: "no stats available\n", code: 94 };
    return ok(`NIC statistics:\n     peer_ifindex: ${iface.peer.ifindex}\n`);
  },
  cat: (_c, ns, args) => {
    const out: string[] = [];
    for (const path of args) {
      const m = /^\/sys\/class\/net\/([^/]+)\/(ifindex|address|mtu)$/.exec(path);
      const iface = m ? ns.iface(m[1]!) : undefined;
      if (!m || !iface) return { stdout: out.join(""), stderr: `cat: ${path}: No such file or directory\n`, code: 1 };
      out.push(`${m[2] === "ifindex" ? iface.ifindex : m[2] === "mtu" ? iface.mtu : iface.mac}\n`);
    }
    return ok(out.join(""));
  },
};

/** `ip netns [list]` on a node: its pods' namespaces, newest first, with the ids the node gave them. */
function ipNetns(c: Cluster, ns: Netns, args: readonly string[]): CommandResult | undefined {
  if (args[0] !== "netns") return undefined;
  if (args.length > 1 && args[1] !== "list" && args[1] !== "show") return { stdout: "", stderr: `Command "${args[1]}" is unknown, try "ip netns help".\n`, code: 1 };
  const mine = c.pods.filter((p) => p.node === ns.name);
  const lines = mine
    .map((p) => ({ name: p.netns, id: netnsId(c.world, ns, p.netns) }))
    .reverse()
    .map((x) => `${x.name}${x.id >= 0 ? ` (id: ${x.id})` : ""}\n`);
  return ok(lines.join(""));
}

function filter(program: string, args: readonly string[], input: string): CommandResult {
  const lines = input.split("\n");
  if (lines.at(-1) === "") lines.pop();
  switch (program) {
    case "grep": {
      const invert = args.includes("-v");
      const words = args.filter((a) => !a.startsWith("-"));
      const pattern = words[0];
      if (pattern === undefined) return { stdout: "", stderr: "Usage: grep [OPTION]... PATTERNS [FILE]...\n", code: 2 };
      let re: RegExp;
      try {
        re = new RegExp(pattern);
      } catch {
        return { stdout: "", stderr: "grep: Unmatched ( or \\(\n", code: 2 };
      }
      const hits = lines.filter((l) => re.test(l) !== invert);
      return { stdout: hits.map((l) => l + "\n").join(""), stderr: "", code: hits.length ? 0 : 1 };
    }
    case "head": {
      const n = Number(args[0] === "-n" ? args[1] : args[0]?.startsWith("-") ? args[0].slice(1) : 10);
      return ok(lines.slice(0, Number.isFinite(n) ? n : 10).map((l) => l + "\n").join(""));
    }
    case "cut": {
      const d = args.find((a) => a.startsWith("-d"))?.slice(2) || "\t";
      const f = args.find((a) => a.startsWith("-f"))?.slice(2);
      if (!f) return { stdout: "", stderr: "cut: you must specify a list of bytes, characters, or fields\n", code: 1 };
      const fields = f.split(",").map(Number);
      return ok(lines.map((l) => l.split(d).filter((_, i) => fields.includes(i + 1)).join(d) + "\n").join(""));
    }
    case "wc":
      return ok(`${lines.length}\n`);
    default:
      return { stdout: "", stderr: `bash: ${program}: command not found\n`, code: 127 };
  }
}

/** Runs one line on a node or in a pod; output as the terminal shows it. */
export function runLine(c: Cluster, ns: Netns, line: string): CommandResult {
  const split = splitLine(line);
  if ("error" in split) return { stdout: "", stderr: split.error, code: 2 };
  const [first, ...rest] = split.stages;
  if (!first || first.length === 0) return ok("");
  let argv = first[0] === "sudo" ? first.slice(1) : first;
  if (argv.length === 0) return { stdout: "", stderr: "usage: sudo command\n", code: 1 };
  let result: CommandResult;
  const netns = argv[0] === "ip" ? ipNetns(c, ns, argv.slice(1)) : undefined;
  if (netns) result = netns;
  else {
    argv = [...argv];
    result = runCommand(c, ns, argv, { ...EXTRA_COMMANDS, ...SHELL_COMMANDS });
    if (result.code === 127) result = { stdout: "", stderr: `bash: ${argv[0]}: command not found\n`, code: 127 };
  }
  for (const stage of rest) {
    const r = filter(stage[0]!, stage.slice(1), result.stdout);
    result = { stdout: r.stdout, stderr: result.stderr + r.stderr, code: r.code };
  }
  return result;
}
