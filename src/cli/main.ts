/**
 * hopscope CLI: `npm run --silent cli -- <command>`.
 *   scenarios                                  the built-in scenarios
 *   trace <id|file.json> [--json] [--pcap F]   trace a scenario's traffic (--pcap: also write its frames to F, pcapng)
 *   exec <id|file.json> <node>[/<pod>] -- cmd  run a shell line after the traffic has passed
 *   exec <id|file.json> <node>[/<pod>] --stdin  run stdin's lines as one session ("node$ line" picks a target)
 *                                       (one quoted argument may hold pipes, ; and &&)
 * Errors: one line on stderr, exit status 2.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { MAX_JSON_CHARS } from "../engine/json-text";
import { clip } from "../engine/k8s/spec";
import { runScenarioText, runScenario, type RunResult } from "../engine/k8s/run";
import { BUILTIN_SCENARIOS, builtinScenario } from "../engine/scenarios/article";
import { resolveTarget } from "../engine/shell/exec";
import { runLine } from "../engine/shell/session";
import { tcpdumpTime } from "../engine/packet/format";
import { labScript } from "../engine/lab/export";
import { PcapngWriter } from "../engine/packet/pcapng";
import type { Tap } from "../engine/world";
import { registerTodaysProxiers } from "../engine/kube-proxy/today-proxiers";
import { registerOtherCnis } from "../engine/cni/others";
import { endpoints, type Step, type Trace } from "../engine/trace";

class UsageError extends Error {}

/** The CLI's clock for the shell's time limits (each line: LINE_LIMITS.timeMs). */
// The CLI has every modelled kube-proxy at hand (the Web Worker loads today's on demand).
registerTodaysProxiers();
registerOtherCnis();

const clock = () => performance.now();
/** exec --stdin: the most input it reads, and the most time the whole session may take. */
const MAX_STDIN = 4 * 1024 * 1024;
const SESSION_TIME_MS = 120_000;

const USAGE = "usage: hopscope scenarios | trace <scenario|file.json> [--json] [--pcap <file.pcapng>] | exec <scenario|file.json> <node>[/<pod>] -- <command ...> | exec <scenario|file.json> <node>[/<pod>] --stdin | lab <scenario|file.json>";

/** A word as bash would need it typed: unchanged when safe, else in single quotes. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./[\]*^-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function load(ref: string | undefined, taps: readonly Tap[] = []): Extract<RunResult, { ok: true }> {
  if (!ref) throw new UsageError(`missing scenario (built-in ids: ${BUILTIN_SCENARIOS.map((s) => s.id).join(", ")})`);
  let r: RunResult;
  const builtin = builtinScenario(ref);
  if (builtin) r = runScenario(builtin, { taps });
  else if (ref.endsWith(".json")) {
    let text: string;
    try {
      // Sized before it is read: a scenario file has a budget like every other input.
      const size = statSync(ref).size;
      if (size > MAX_JSON_CHARS) throw new UsageError(`${ref} is ${(size / 1048576).toFixed(1)} MB; a scenario file may be at most ${MAX_JSON_CHARS / 1048576} MB`);
      text = readFileSync(ref, "utf8");
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot read ${ref}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    r = runScenarioText(text, { taps });
  } else throw new UsageError(`unknown scenario "${clip(ref)}" (built-in ids: ${BUILTIN_SCENARIOS.map((s) => s.id).join(", ")}; or a file.json)`);
  if (!r.ok) {
    const first = r.issues[0]!;
    const more = r.issues.length > 1 ? ` (and ${r.issues.length - 1} more)` : "";
    throw new UsageError(`invalid scenario ${ref}: ${first.path}: ${first.message}${more}`);
  }
  return r;
}

function where(s: Step): string {
  return s.pod ? `${s.node}/${s.pod}` : s.node;
}

/** One line per step: wire steps as tcpdump prints them, the others as what decided. */
export function formatTraceText(trace: Trace, title: string): string {
  const out: string[] = [`${trace.scenario}: ${title}`];
  for (const f of trace.flows) {
    out.push("", `${f.name}: ${f.verdict}${f.dropReason ? ` (${f.dropReason})` : ""}`);
    for (const s of f.steps) {
      const d = s.detail;
      if (d?.kind === "wire") {
        out.push(`${tcpdumpTime(d.time)} ${where(s)} ${s.iface} ${s.dir === "in" ? "In " : "Out"} ${d.tcpdump}`);
      } else if (d?.kind === "rule") {
        out.push(`                ${where(s)} ${d.table} ${d.hook}: ${d.rule}`);
      } else if (d?.kind === "route") {
        out.push(`                ${where(s)} route: ${d.route.trimEnd()}`);
      } else if (d?.kind === "nat") {
        out.push(`                ${where(s)} ${d.type}: ${endpoints(d.before)} becomes ${endpoints(d.after)}.`);
      } else if (d?.kind === "conntrack") {
        out.push(`                ${where(s)} conntrack ${d.event}: ${d.entry ?? s.text}`);
      } else {
        out.push(`                ${where(s)} ${s.kind}: ${s.text}`);
      }
      if (s.why) out.push(`                ${" ".repeat(where(s).length)} why: ${s.why}`);
    }
  }
  return out.join("\n") + "\n";
}

export function main(argv: readonly string[], stdin?: string): { stdout: string; stderr: string; code: number } {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "scenarios":
        return { stdout: BUILTIN_SCENARIOS.map((s) => `${s.id.padEnd(20)} ${s.title}`).join("\n") + "\n", stderr: "", code: 0 };
      case "trace": {
        let json = false;
        let pcap: string | undefined;
        const refs: string[] = [];
        for (let i = 0; i < rest.length; i++) {
          const a = rest[i]!;
          if (a === "--json") json = true;
          else if (a === "--pcap") {
            const file = rest[++i];
            if (file === undefined || file === "" || file === "--json" || file === "--pcap") throw new UsageError("--pcap needs a file name, e.g. --pcap out.pcapng");
            if (pcap !== undefined) throw new UsageError("--pcap given twice");
            pcap = file;
          } else refs.push(a);
        }
        if (refs.length > 1) throw new UsageError(`unexpected argument "${clip(refs[1]!)}"`);
        const capture = pcap === undefined ? undefined : new PcapngWriter();
        const r = load(refs[0], capture ? [capture] : []);
        if (pcap !== undefined && capture) {
          try {
            writeFileSync(pcap, capture.bytes());
          } catch (e) {
            throw new UsageError(`cannot write ${clip(pcap)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
          }
        }
        return { stdout: json ? JSON.stringify(r.trace, null, 2) + "\n" : formatTraceText(r.trace, r.cluster.scenario.title), stderr: "", code: 0 };
      }
      case "lab": {
        if (rest.length > 1) throw new UsageError(`unexpected argument "${clip(rest[1]!)}"`);
        const r = load(rest[0]);
        return { stdout: labScript(r.cluster), stderr: "", code: 0 };
      }
      case "exec": {
        if (rest.includes("--stdin")) {
          // A session: one line per input line, run in order on one cluster; "node$ line" picks the target.
          const [ref, target, ...junk] = rest.filter((a) => a !== "--stdin");
          if (junk.length) throw new UsageError(`unexpected argument "${clip(junk[0]!)}"`);
          if (!target) throw new UsageError("exec --stdin needs <node>[/<pod>] for lines that do not name one");
          const r = load(ref);
          const session = { cluster: r.cluster, flows: [...r.trace.flows] };
          let out = "";
          let code = 0;
          const input = stdin ?? "";
          if (input.length > MAX_STDIN) throw new UsageError(`the input is ${(input.length / 1048576).toFixed(1)} MB; exec --stdin reads at most ${MAX_STDIN / 1048576} MB`);
          const started = clock();
          for (const raw of input.split("\n")) {
            if (raw.trim() === "") continue;
            if (clock() - started > SESSION_TIME_MS) {
              out += `hopscope: stopped: the session ran for more than ${SESSION_TIME_MS / 1000} s, the most exec --stdin runs\n`;
              code = 2;
              break;
            }
            const m = /^([A-Za-z0-9][-A-Za-z0-9./]*)\$ (.*)$/.exec(raw);
            const where = m ? m[1]! : target;
            const line = m ? m[2]! : raw;
            const t = resolveTarget(r.cluster, where);
            out += `${where}$ ${line}\n`;
            if ("error" in t) {
              out += `hopscope: ${t.error}\n`;
              code = 2;
              continue;
            }
            const res = runLine(session, t.ns, line, { clock });
            out += res.display;
            code = res.code;
          }
          return { stdout: out, stderr: "", code };
        }
        const sep = rest.indexOf("--");
        if (sep < 0) throw new UsageError("exec needs -- before the command, e.g. exec pod-to-pod worker-0 -- conntrack -L");
        const [ref, target, ...junk] = rest.slice(0, sep);
        if (junk.length) throw new UsageError(`unexpected argument "${clip(junk[0]!)}"`);
        const cmd = rest.slice(sep + 1);
        if (cmd.length === 0) throw new UsageError("exec needs a command after --");
        const r = load(ref);
        if (!target) throw new UsageError("exec needs <node>[/<pod>]");
        const t = resolveTarget(r.cluster, target);
        if ("error" in t) throw new UsageError(t.error);
        // One argument is a whole shell line (pipes, ;, &&); several are words, quoted back as needed.
        const line = cmd.length === 1 ? cmd[0]! : cmd.map(shellQuote).join(" ");
        const res = runLine({ cluster: r.cluster, flows: [...r.trace.flows] }, t.ns, line, { clock });
        return { stdout: res.stdout, stderr: res.stderr, code: res.code };
      }
      default:
        throw new UsageError(command ? `unknown command "${clip(command)}"; ${USAGE}` : USAGE);
    }
  } catch (e) {
    if (e instanceof UsageError) return { stdout: "", stderr: `hopscope: ${e.message}\n`, code: 2 };
    return { stdout: "", stderr: `hopscope: internal error: ${e instanceof Error ? e.message : String(e)}\n`, code: 2 };
  }
}

const isEntry = process.argv[1] !== undefined && /main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  const args = process.argv.slice(2);
  const r = main(args, args.includes("--stdin") ? readFileSync(0, "utf8") : undefined);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
