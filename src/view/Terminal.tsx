/**
 * A shell on a node or in a pod: the article's commands against the simulated cluster after the
 * scenario's traffic. An accessible console: a log region and one input line, with history
 * (↑/↓), Tab completion of command names, Ctrl+L to clear.
 */
import { useEffect, useRef, useState } from "react";
import { execLine } from "../store/store";
import type { Topology } from "../engine/k8s/topology";

const COMMANDS = ["brctl", "cat", "conntrack", "echo", "ethtool", "hostname", "ip", "iptables", "iptables-save", "kubectl", "sudo"];

interface Entry {
  readonly prompt: string;
  readonly line: string;
  readonly out: string;
}

export function promptFor(target: string): string {
  return target.includes("/") ? "/ #" : `ubuntu@${target}:~$`;
}

export function Terminal({ topology, initial }: { topology: Topology; initial: string }) {
  const targets = [
    ...topology.nodes.filter((n) => n.kind === "worker" || n.kind === "controller").map((n) => n.id),
    ...topology.pods.map((p) => `${p.node}/${p.name}`),
  ];
  const [target, setTarget] = useState(initial);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [line, setLine] = useState("");
  const [history, setHistory] = useState<string[]>([]);
  const [back, setBack] = useState(-1);
  const logRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
  }, [entries]);

  const run = async () => {
    const text = line;
    setLine("");
    setBack(-1);
    if (text.trim()) setHistory((h) => [...h, text]);
    const r = await execLine(target, text).catch((e: unknown) => ({ stdout: "", stderr: `${e instanceof Error ? e.message : String(e)}\n`, code: 1 }));
    setEntries((es) => [...es, { prompt: promptFor(target), line: text, out: r.stdout + r.stderr }].slice(-200));
  };

  const onKey = (e: React.KeyboardEvent<HTMLInputElement>) => {
    e.stopPropagation(); // the playback keys must not fire while typing
    if (e.key === "Enter") {
      e.preventDefault();
      void run();
    } else if (e.key === "ArrowUp" && history.length) {
      e.preventDefault();
      const i = back < 0 ? history.length - 1 : Math.max(0, back - 1);
      setBack(i);
      setLine(history[i]!);
    } else if (e.key === "ArrowDown" && back >= 0) {
      e.preventDefault();
      const i = back + 1;
      setBack(i >= history.length ? -1 : i);
      setLine(i >= history.length ? "" : history[i]!);
    } else if (e.key === "Tab") {
      e.preventDefault();
      const words = line.split(" ");
      const last = words.at(-1) ?? "";
      const hits = COMMANDS.filter((c) => c.startsWith(last));
      if (words.length <= 2 && hits.length === 1) setLine([...words.slice(0, -1), hits[0]! + " "].join(" "));
    } else if (e.key === "l" && e.ctrlKey) {
      e.preventDefault();
      setEntries([]);
    }
  };

  return (
    <div className="flex h-full min-h-0 flex-col bg-slate-900 font-mono text-[12px] text-slate-100" data-testid="terminal">
      <div className="flex items-center gap-2 border-b border-slate-700 px-3 py-1 font-sans text-xs text-slate-300">
        <label className="flex items-center gap-1">
          Shell on
          <select value={target} onChange={(e) => setTarget(e.target.value)} className="rounded bg-slate-800 px-1 py-0.5 text-slate-100" data-testid="terminal-target">
            {targets.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <span>after the scenario's traffic · try ip route, sudo conntrack -L, sudo iptables -t nat -L -v, brctl show, kubectl get pods -o wide</span>
      </div>
      <div ref={logRef} className="min-h-0 flex-1 overflow-auto px-3 py-1" role="log" aria-live="polite" data-testid="terminal-log">
        {entries.map((e, i) => (
          <div key={i}>
            <div>
              <span className="text-emerald-400">{e.prompt}</span> {e.line}
            </div>
            <pre className="whitespace-pre-wrap break-all">{e.out}</pre>
          </div>
        ))}
      </div>
      <label className="flex items-center gap-2 border-t border-slate-700 px-3 py-1">
        <span className="text-emerald-400">{promptFor(target)}</span>
        <span className="sr-only">command</span>
        <input
          value={line}
          onChange={(e) => setLine(e.target.value)}
          onKeyDown={onKey}
          className="flex-1 bg-transparent text-slate-100 outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
          spellCheck={false}
          autoComplete="off"
          data-testid="terminal-input"
        />
      </label>
    </div>
  );
}
