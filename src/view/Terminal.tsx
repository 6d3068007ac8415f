/**
 * A shell on a node or in a pod: the article's commands against the simulated cluster after the
 * scenario's traffic. An accessible console: a log region and one input line, with history
 * (↑/↓), Tab completion (commands, interfaces, namespaces, PIDs, pods; a second Tab lists the
 * choices), Ctrl+C to drop the line, Ctrl+L to clear, Escape or Shift+Tab to leave, and a
 * button that copies the session.
 * Commands that send packets (ping, curl, nslookup, dig, wget) add their flows to the trace.
 */
import { useEffect, useRef, useState } from "react";
import { completeLine, execLine, useHopscope, type ReplayEntry } from "../store/store";
import type { Topology } from "../engine/k8s/topology";
import type { Lang } from "../i18n/lang";
import { useLang } from "../i18n/use";
import { TERMINAL } from "./i18n/page";

interface Entry {
  readonly prompt: string;
  readonly line: string;
  readonly out: string;
}

/** The prompt of the node's, pod's, router's or client's shell (the router is a Linux stand-in for the cloud's). */
export function promptFor(target: string, kind?: string, busybox = true): string {
  if (target.includes("/")) return busybox ? "/ #" : `root@${target.split("/")[1]}:/#`;
  if (kind === "router") return `root@${target}:~#`;
  if (kind === "client") return `user@${target}:~$`;
  return `ubuntu@${target}:~$`;
}

/** What a pod's shell is: the node's tools in the pod's namespace, and busybox's applets where the pod runs busybox. */
function podHint(target: string, topology: Topology, lang: Lang): string {
  const pod = topology.pods.find((p) => `${p.node}/${p.name}` === target);
  if (!pod) return "";
  return pod.busybox ? TERMINAL[lang].podHintBusybox : TERMINAL[lang].podHint;
}

export function Terminal({ topology, initial }: { topology: Topology; initial: string }) {
  const targets = [...topology.nodes.map((n) => n.id), ...topology.pods.map((p) => `${p.node}/${p.name}`)];
  const kindOf = (t: string) => topology.nodes.find((n) => n.id === t)?.kind;
  const prompt = (t: string) => promptFor(t, kindOf(t), topology.pods.find((p) => `${p.node}/${p.name}` === t)?.busybox ?? true);
  const replayLog = useHopscope((s) => s.replayLog);
  const lang = useLang();
  const t = TERMINAL[lang];
  const fromReplay = (log: readonly ReplayEntry[]): Entry[] =>
    log.length ? [{ prompt: "", line: "", out: t.replayed({ lines: log.length }) }, ...log.map((e) => ({ prompt: prompt(e.target), line: e.line, out: e.display }))] : [];
  const [target, setTarget] = useState(() => replayLog.at(-1)?.target ?? initial);
  const [entries, setEntries] = useState<Entry[]>(() => fromReplay(replayLog));
  // A shared session opened later (another link, back or forward) replaces what the terminal shows.
  const [shownLog, setShownLog] = useState(replayLog);
  if (replayLog !== shownLog) {
    setShownLog(replayLog);
    if (replayLog.length) {
      setEntries(fromReplay(replayLog));
      setTarget(replayLog.at(-1)!.target);
    }
  }
  const [line, setLine] = useState("");
  // A command offered by the tour: it lands in the input line, on its node or pod, for the reader to run.
  useEffect(() => {
    const take = () => {
      const d = useHopscope.getState().takeShellDraft();
      if (!d) return;
      setTarget(d.target);
      setLine(d.line);
      // Asked for by the reader (a click on a pod): the prompt gets the keyboard once the tab shows.
      if (d.focus) requestAnimationFrame(() => inputRef.current?.focus());
    };
    queueMicrotask(take);
    return useHopscope.subscribe((st, prev) => {
      if (st.shellDraft && st.shellDraft !== prev.shellDraft) take();
    });
  }, []);
  const [history, setHistory] = useState<string[]>([]);
  const [back, setBack] = useState(-1);
  const logRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  // The newest output in view; an empty log has nothing to scroll to (and reading its height would lay the page out).
  useEffect(() => {
    if (entries.length) logRef.current?.scrollTo({ top: logRef.current.scrollHeight });
  }, [entries]);

  const run = async () => {
    const text = line;
    setLine("");
    setBack(-1);
    if (text.trim()) setHistory((h) => [...h, text]);
    // `clear` is the terminal's own business, as Ctrl+L is.
    if (text.trim() === "clear") {
      setEntries([]);
      return;
    }
    const r = await execLine(target, text).catch((e: unknown) => ({ display: `${e instanceof Error ? e.message : String(e)}\n`, code: 1, flows: 0 }));
    const note = r.flows ? t.newFlows({ flows: r.flows }) : "";
    setEntries((es) => [...es, { prompt: prompt(target), line: text, out: r.display + note }].slice(-200));
  };

  const tab = async () => {
    const before = line;
    const r = await completeLine(target, before).catch(() => ({ line: before, options: [] as readonly string[] }));
    setLine((now) => (now === before ? r.line : now));
    // Like bash: a Tab that cannot add anything lists the choices.
    if (r.options.length > 1 && r.line === before) setEntries((es) => [...es, { prompt: prompt(target), line: before, out: r.options.join("  ") + "\n" }].slice(-200));
  };

  const copy = () => {
    const text = entries.map((e) => `${e.prompt} ${e.line}\n${e.out}`).join("");
    void navigator.clipboard?.writeText(text).catch(() => undefined);
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
    } else if (e.key === "Tab" && !e.shiftKey && !e.altKey && !e.ctrlKey) {
      // Tab completes; Shift+Tab and Escape leave the shell, so the keyboard is never trapped here.
      e.preventDefault();
      void tab();
    } else if (e.key === "Escape") {
      e.currentTarget.blur();
    } else if (e.key === "c" && e.ctrlKey && !window.getSelection()?.toString()) {
      e.preventDefault();
      setEntries((es) => [...es, { prompt: prompt(target), line: line + "^C", out: "" }].slice(-200));
      setLine("");
      setBack(-1);
    } else if (e.key === "l" && e.ctrlKey) {
      e.preventDefault();
      setEntries([]);
    }
  };

  return (
    <div className="keep-palette flex h-full min-h-0 flex-col bg-slate-900 font-mono text-xs text-slate-100" data-testid="terminal">
      <div className="flex items-center gap-2 border-b border-slate-700 px-3 py-1 font-sans text-xs text-slate-300">
        <label className="flex items-center gap-1">
          {t.shellOn}
          <select value={target} onChange={(e) => setTarget(e.target.value)} className="rounded bg-slate-800 px-1 py-0.5 text-slate-100" data-testid="terminal-target">
            {targets.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <span className="min-w-0 flex-1 truncate" title="ip route|addr|link|netns, ifconfig, ethtool -S, brctl show, bridge fdb, iptables(-save), conntrack -L, tcpdump -n -i IFACE, lsns -t net, ps -p, nsenter, ctr, kubectl, ping, curl, nslookup, dig; pipes into grep, head, tail, cut, wc, sort, xargs">
          {podHint(target, topology, lang)}
          {t.hint}
        </span>
        <button type="button" onClick={copy} className="rounded border border-slate-600 px-2 py-0.5 text-slate-200 hover:bg-slate-800 focus-visible:ring-2 focus-visible:ring-sky-400" data-testid="terminal-copy">
          {t.copy}
        </button>
      </div>
      <div ref={logRef} className="min-h-0 flex-1 overflow-auto px-3 py-1" role="log" aria-live="polite" data-testid="terminal-log">
        {entries.map((e, i) => (
          <div key={i} data-testid="terminal-entry">
            {(e.prompt || e.line) && (
              <div>
                <span className="text-emerald-400">{e.prompt}</span> {e.line}
              </div>
            )}
            <pre className="whitespace-pre-wrap break-all" data-testid="terminal-out">
              {e.out}
            </pre>
          </div>
        ))}
      </div>
      <label className="flex items-center gap-2 border-t border-slate-700 px-3 py-1">
        <span className="text-emerald-400">{prompt(target)}</span>
        <span className="sr-only">{t.command}</span>
        <input
          ref={inputRef}
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
