/**
 * The diagram's search box: a pod, node or service by name or address. Enter takes the first
 * match (the list under the box offers the others); what is found is unfolded and brought into
 * view. `/` focuses the box from anywhere on the page.
 */
import { useEffect, useId, useMemo, useRef, useState } from "react";
import type { Topology } from "../engine/k8s/topology";
import { useLang } from "../i18n/use";
import { TOPOLOGY } from "./i18n/page";
import { MAX_QUERY, findInTopology, type Found } from "./search";

export function DiagramSearch({ topology, onFound }: { topology: Topology; onFound: (f: Found) => void }) {
  const tr = TOPOLOGY[useLang()];
  const [query, setQuery] = useState("");
  const [status, setStatus] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const matches = useMemo(() => findInTopology(topology, query), [topology, query]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      e.preventDefault();
      input.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const take = (f: Found | undefined) => {
    if (!f) {
      setStatus(query.trim() ? tr.notFound({ q: query.trim() }) : "");
      return;
    }
    setStatus(tr.foundOne({ what: f.label }));
    onFound(f);
  };

  return (
    <form
      role="search"
      aria-label={tr.searchRegion}
      className="absolute left-2 top-2 z-10 flex max-w-[calc(100%-7rem)] flex-col gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        // A value picked from the list is a match's label: take that match.
        take(matches.find((m) => m.label === query) ?? matches[0]);
      }}
    >
      <div className="flex gap-1">
        <input
          ref={input}
          type="search"
          value={query}
          maxLength={MAX_QUERY}
          onChange={(e) => {
            setQuery(e.target.value);
            setStatus("");
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              setQuery("");
              setStatus("");
              input.current?.blur();
            }
          }}
          list={listId}
          aria-label={tr.search}
          placeholder={tr.searchPlaceholder}
          className="w-44 min-w-0 rounded border border-slate-300 bg-white/95 px-2 py-0.5 text-sm"
          data-testid="diagram-search"
        />
        <button type="submit" className="rounded border border-slate-300 bg-white/95 px-2 py-0.5 text-sm hover:bg-slate-100">
          {tr.searchGo}
        </button>
      </div>
      <datalist id={listId}>
        {matches.map((m) => (
          <option key={`${m.kind}:${m.label}`} value={m.label} />
        ))}
      </datalist>
      <p role="status" className={status ? "w-fit rounded bg-white/95 px-1 text-xs text-slate-700" : "sr-only"} data-testid="diagram-search-status">
        {status}
      </p>
    </form>
  );
}
