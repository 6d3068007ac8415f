/**
 * One node's nat and filter rules with their counters, and its conntrack table, as of the
 * current step. A node with nftables tables (kube-proxy in nftables mode) shows them after the
 * iptables tables, one entry per nft chain, each rule as `nft -s list` prints it (the word
 * `counter` without values: the values are the columns, as of the step; a rule with no counter
 * statement shows a dash there, as nft counts nothing for it). By default the panel shows the node where the step happens; picking a node pins
 * it until "Follow the packet" is pressed again.
 *
 * The rules' text stays in the engine's worker until a rule is shown: the panel holds the node's
 * outline (its chains and how many rules each has) and asks for the rows it draws. A node of a
 * big cluster (a 1,000-service node's nat table has tens of thousands of rules) is drawn in a
 * window, one line per rule, only the rows in view in the page; so is a long conntrack table.
 */
import { KubeProxySwitch } from "./KubeProxySwitch";
import { useEffect, useMemo, useRef, useState } from "react";
import { useHopscope, type FlatStep } from "../store/store";
import { countsNothing, isNftTable, nftTablesOf, rowOf, ruleAt, type NodeRules } from "../store/rules";
import { nodeView, ruleKey } from "./nodeState";
import { inNextFrame, rowsInView, useScrollWindow } from "./windowing";
import { useT } from "../i18n/use";
import { NODE } from "./i18n/page";

/** Above this many rules (or conntrack entries) the list is windowed. */
export const WINDOW_ABOVE = 400;
/** Rules asked of the worker at a time. */
const CHUNK = 250;
/** A windowed row's height in px (one line of 11 px type). */
const ROW = 18;

type Texts = { readonly rules?: NodeRules; readonly chunks: ReadonlyMap<number, readonly string[]> };

/**
 * The text of the rules in rows [first, last) of `rules`, asked of the worker a chunk at a time
 * and kept while the outline is the same; `textAt(row)` is undefined until its chunk arrives.
 */
function useRuleTexts(node: string, rules: NodeRules | undefined, first: number, last: number): (row: number) => string | undefined {
  const [texts, setTexts] = useState<Texts>({ chunks: new Map() });
  const asked = useRef<{ rules?: NodeRules; chunks: Set<number> }>({ chunks: new Set() });
  useEffect(() => {
    if (!rules) return;
    if (asked.current.rules !== rules) asked.current = { rules, chunks: new Set() };
    const chunks = asked.current.chunks;
    for (let c = Math.floor(first / CHUNK); c * CHUNK < Math.min(last, rules.total); c++) {
      if (chunks.has(c)) continue;
      chunks.add(c);
      const from = c * CHUNK;
      void useHopscope
        .getState()
        .ruleText(node, from, Math.min(CHUNK, rules.total - from))
        .then((t) => {
          if (!t) return;
          setTexts((prev) => (prev.rules === rules ? { rules, chunks: new Map(prev.chunks).set(c, t) } : { rules, chunks: new Map([[c, t]]) }));
        });
    }
  }, [node, rules, first, last]);
  return (row) => (texts.rules === rules ? texts.chunks.get(Math.floor(row / CHUNK))?.[row % CHUNK] : undefined);
}

/** Each table's place in the windowed box: a caption row, a header row, then one row per rule. */
function tableLayout(rules: NodeRules | undefined): { table: string; start: number; count: number; top: number }[] {
  const out: { table: string; start: number; count: number; top: number }[] = [];
  for (const tb of rules?.tables ?? []) {
    const prev = out.at(-1);
    out.push({ ...tb, top: prev ? prev.top + (prev.count + 2) * ROW : 0 });
  }
  return out;
}

/** "nat/KUBE-SERVICES#3" → its parts. */
function keyParts(key: string): { table: string; chain: string; index: number } {
  const slash = key.indexOf("/");
  const hash = key.lastIndexOf("#");
  return { table: key.slice(0, slash), chain: key.slice(slash + 1, hash), index: Number(key.slice(hash + 1)) };
}

/**
 * On the VPC router: its routes into the pod network, as its table holds them, and on flannel and Calico why
 * it holds none (the overlay's outer header carries only node addresses).
 */
function RouterPodRoutes({ node }: { node: string }) {
  const t = useT(NODE);
  const isRouter = useHopscope((s) => s.topology?.nodes.some((n) => n.id === node && n.kind === "router") ?? false);
  const routes = useHopscope((s) => s.scenario?.vpcPodRoutes);
  const cni = useHopscope((s) => s.scenario?.cni);
  const encapsulation = useHopscope((s) => s.scenario?.encapsulation);
  if (!isRouter || !routes) return null;
  return (
    <p className="px-2 pt-1 text-xs text-slate-700" data-testid="router-pod-routes">
      {routes.length ? t.vpcPodRoutes({ routes: routes.join(", ") }) : t.vpcNoPodRoutes}
      {cni === "flannel" && <span className="text-slate-600"> {t.vpcOverlayWhy}</span>}
      {cni === "calico" && <span className="text-slate-600"> {encapsulation === "none" ? t.vpcCalicoRoutedWhy : t.vpcCalicoVxlanWhy}</span>}
    </p>
  );
}

export function NodePanel({
  node,
  nodes,
  pinned,
  onPin,
  rules,
  steps,
  cursor,
}: {
  node: string;
  nodes: readonly string[];
  /** Whether the user picked this node (else the panel follows the packet). */
  pinned: boolean;
  /** A node to pin, or undefined to follow the packet again. */
  onPin: (n: string | undefined) => void;
  /** The node's outline of rules, or undefined while it is fetched. */
  rules: NodeRules | undefined;
  steps: readonly FlatStep[];
  cursor: number;
}) {
  const t = useT(NODE);
  const view = useMemo(() => nodeView(steps, cursor, node), [steps, cursor, node]);
  const focusRow = useRef<HTMLTableRowElement>(null);
  const rulesBox = useRef<HTMLDivElement>(null);
  const focusKey = [...view.decidedNow, ...view.changedNow][0];
  const windowed = rules !== undefined && rules.total > WINDOW_ABOVE;
  const win = useScrollWindow(rulesBox, windowed);
  const layout = useMemo(() => tableLayout(rules), [rules]);
  const windowedHeight = layout.length ? layout.at(-1)!.top + (layout.at(-1)!.count + 2) * ROW : 0;
  // The rows to draw (and so to have the text of): every rule of a small node; the window's of a big one.
  const [needFirst, needLast] = useMemo((): [number, number] => {
    if (!rules) return [0, 0];
    if (!windowed) return [0, rules.total];
    let lo = Infinity;
    let hi = -Infinity;
    for (const tb of layout) {
      const [f, l] = rowsInView(win, tb.top + 2 * ROW, tb.count, ROW);
      if (l > f) {
        lo = Math.min(lo, tb.start + f);
        hi = Math.max(hi, tb.start + l);
      }
    }
    return hi > lo ? [lo, hi] : [0, 0];
  }, [rules, windowed, layout, win]);
  const textAt = useRuleTexts(node, rules, needFirst, needLast);
  const allRead = rules !== undefined && (windowed || rules.total === 0 || textAt(rules.total - 1) !== undefined);
  // Find in the rules: the browser's own find sees only the rows drawn, so a windowed list has its own.
  const [findText, setFindText] = useState("");
  const [found, setFound] = useState<{ rules: NodeRules; text: string; matches: number; row?: number; nth?: number }>();
  const foundNow = found && found.rules === rules && found.text === findText ? found : undefined;
  const find = (backwards: boolean) => {
    if (!rules || findText === "") return;
    const from = foundNow?.row === undefined ? 0 : foundNow.row + (backwards ? -1 : 1);
    const text = findText;
    void useHopscope
      .getState()
      .findRule(node, text, Math.max(0, from), backwards)
      .then((r) => r && setFound({ rules, text, ...r }));
  };
  // The rule found, in the middle of the box.
  useEffect(() => {
    const box = rulesBox.current;
    const row = foundNow?.row;
    if (!box || !windowed || row === undefined) return;
    const tb = layout.find((x) => row >= x.start && row < x.start + x.count);
    if (!tb) return;
    const top = tb.top + (2 + row - tb.start) * ROW;
    return inNextFrame(() => {
      box.scrollTop = Math.max(0, top - (box.clientHeight - ROW) / 2);
    });
  }, [foundNow?.row, foundNow, windowed, layout]);

  // The rule in view inside the rules' own box: the page around it does not move. Measured and
  // scrolled in the next frame, with the layout the browser makes for it anyway: read here, at the
  // commit of a step, it would lay the page out once more (on a big cluster, a third of a second).
  useEffect(() => {
    const box = rulesBox.current;
    if (!box) return;
    let where: () => { top: number; height: number } | undefined;
    if (windowed) {
      if (focusKey === undefined) return;
      const k = keyParts(focusKey);
      const row = rowOf(rules, k.table, k.chain, k.index);
      const tb = layout.find((x) => x.table === k.table);
      if (row === undefined || !tb) return;
      where = () => ({ top: tb.top + (2 + row - tb.start) * ROW, height: ROW });
    } else {
      const el = focusRow.current;
      if (!el) return;
      where = () => ({ top: el.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop, height: el.offsetHeight });
    }
    return inNextFrame(() => {
      const w = where();
      if (!w) return;
      if (w.top < box.scrollTop) box.scrollTop = w.top;
      else if (w.top + w.height > box.scrollTop + box.clientHeight) box.scrollTop = w.top + w.height - box.clientHeight;
    });
  }, [focusKey, node, rules, windowed, layout, allRead]);

  const nftTables = nftTablesOf(rules);
  const tableId = (table: string) => table.replace(/ /g, "-");
  const rowState = (key: string) => {
    const c = view.counters.get(key) ?? { pkts: 0, bytes: 0 };
    const now = view.changedNow.has(key);
    const decided = view.decidedNow.has(key);
    return { c, now, decided, className: decided ? "bg-orange-200 ring-1 ring-orange-400" : now ? "bg-amber-200" : c.pkts > 0 ? "bg-amber-50" : "" };
  };

  return (
    <div className="flex h-full min-h-0 flex-col text-xs" data-testid="node-panel">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-1.5">
        <label className="flex items-center gap-1 font-semibold">
          {t.node}
          <select value={node} onChange={(e) => onPin(e.target.value)} className="rounded border border-slate-300 bg-white px-1 py-0.5 font-normal" data-testid="node-picker">
            {nodes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          aria-pressed={!pinned}
          onClick={() => onPin(pinned ? undefined : node)}
          className={`rounded border px-1.5 py-0.5 ${pinned ? "border-slate-300 bg-white" : "border-sky-400 bg-sky-50 text-sky-800"}`}
          data-testid="follow-packet"
        >
          {t.follow}
        </button>
        <KubeProxySwitch small />
        <span className="text-slate-500" data-testid="node-what">
          {nftTables.length ? t.whatNft({ tables: nftTables.join(", ") }) : t.what}
        </span>
        {windowed && (
          <span className="flex items-center gap-1" role="search" data-testid="rule-find">
            <input
              type="search"
              value={findText}
              onChange={(e) => setFindText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key !== "Enter") return;
                e.preventDefault();
                find(e.shiftKey);
              }}
              placeholder={t.findHint}
              aria-label={t.find({ node })}
              className="w-40 rounded border border-slate-300 bg-white px-1 py-0.5 font-mono"
            />
            <button type="button" className="rounded border border-slate-300 bg-white px-1.5 py-0.5" aria-label={t.findPrevious} title={t.findPrevious} onClick={() => find(true)}>
              ↑
            </button>
            <button type="button" className="rounded border border-slate-300 bg-white px-1.5 py-0.5" aria-label={t.findNext} title={t.findNext} onClick={() => find(false)}>
              ↓
            </button>
            <span role="status" className="text-slate-600" data-testid="rule-find-status">
              {foundNow ? (foundNow.nth !== undefined ? t.found({ nth: foundNow.nth, matches: foundNow.matches }) : t.notFound) : ""}
            </span>
          </span>
        )}
      </div>
      <RouterPodRoutes node={node} />
      <div className="grid min-h-0 flex-1 grid-cols-2 gap-3 overflow-hidden p-2">
        <div
          ref={rulesBox}
          className="relative min-h-0 overflow-auto"
          data-testid="node-rules"
          onScroll={windowed ? win.onScroll : undefined}
          {...(windowed && { tabIndex: 0, role: "region", "aria-label": (nftTables.length ? t.rulesBoxNft : t.rulesBox)({ node, count: rules.total }) })}
        >
          {rules === undefined || !allRead ? (
            <p className="text-slate-500">{t.reading({ node })}</p>
          ) : rules.total === 0 ? (
            <p className="text-slate-500" data-testid="no-rules">
              {t.noRules({ node })}
            </p>
          ) : windowed ? (
            <div style={{ height: windowedHeight }} className="relative font-mono text-[11px]">
              {layout.map((tb) => {
                const [f, l] = rowsInView(win, tb.top + 2 * ROW, tb.count, ROW);
                return (
                  <div
                    key={tb.table}
                    role="table"
                    aria-label={t.tableRows({ table: tb.table, count: tb.count })}
                    aria-rowcount={tb.count + 1}
                    data-testid={`${tableId(tb.table)}-rules`}
                    data-windowed="true"
                    className="absolute left-0 min-w-full"
                    style={{ top: tb.top, height: (tb.count + 2) * ROW }}
                  >
                    <div className="truncate font-sans font-semibold text-slate-600" style={{ height: ROW }} aria-hidden="true">
                      {t.table({ table: tb.table })}
                    </div>
                    <div role="row" aria-rowindex={1} className="flex text-slate-500" style={{ height: ROW }}>
                      <span role="columnheader" className="w-10 shrink-0 pr-2 text-right font-sans">pkts</span>
                      <span role="columnheader" className="w-14 shrink-0 pr-2 text-right font-sans">bytes</span>
                      <span role="columnheader" className="font-sans">{t.rule}</span>
                    </div>
                    {Array.from({ length: l - f }, (_, k) => {
                      const row = tb.start + f + k;
                      const at = ruleAt(rules, row)!;
                      const key = ruleKey(at.table, at.chain, at.index);
                      const st = rowState(key);
                      const text = textAt(row);
                      const isFound = row === foundNow?.row;
                      return (
                        <div
                          key={row}
                          role="row"
                          aria-rowindex={f + k + 2}
                          className={`absolute left-0 flex w-max min-w-full whitespace-pre ${st.className} ${isFound ? "outline-2 -outline-offset-2 outline-sky-600" : ""}`}
                          data-found={isFound ? "true" : undefined}
                          style={{ top: (f + k + 2) * ROW, height: ROW }}
                          data-rule={`${at.chain}#${at.index}`}
                          data-table={at.table}
                          data-pkts={st.c.pkts}
                          data-now={st.now ? "matched" : st.decided ? "decided" : undefined}
                        >
                          {countsNothing(at.table, text) ? (
                            <>
                              <span role="cell" className="w-10 shrink-0 pr-2 text-right text-slate-400" title={t.noCounter}>–</span>
                              <span role="cell" className="w-14 shrink-0 pr-2 text-right text-slate-400" title={t.noCounter}>–</span>
                            </>
                          ) : (
                            <>
                              <span role="cell" className="w-10 shrink-0 pr-2 text-right">{st.c.pkts}</span>
                              <span role="cell" className="w-14 shrink-0 pr-2 text-right">{st.c.bytes}</span>
                            </>
                          )}
                          <span role="cell" className={text === undefined ? "text-slate-400" : ""}>
                            {text ?? (isNftTable(at.table) ? `${at.chain} …` : `-A ${at.chain} …`)}
                            {st.decided && <span className="ml-1 font-sans text-orange-800">{t.decided}</span>}
                          </span>
                        </div>
                      );
                    })}
                  </div>
                );
              })}
            </div>
          ) : (
            rules.tables.map((tb) => (
              <table key={tb.table} className="mb-2 w-full font-mono text-[0.6875rem]" data-testid={`${tableId(tb.table)}-rules`}>
                <caption className="text-left font-sans font-semibold text-slate-600">{t.table({ table: tb.table })}</caption>
                <thead>
                  <tr className="text-left text-slate-500">
                    <th className="pr-2 text-right font-normal">pkts</th>
                    <th className="pr-2 text-right font-normal">bytes</th>
                    <th className="font-normal">{t.rule}</th>
                  </tr>
                </thead>
                <tbody>
                  {Array.from({ length: tb.count }, (_, k) => {
                    const row = tb.start + k;
                    const at = ruleAt(rules, row)!;
                    const key = ruleKey(at.table, at.chain, at.index);
                    const st = rowState(key);
                    return (
                      <tr
                        key={key}
                        ref={key === focusKey ? focusRow : undefined}
                        className={st.className}
                        data-rule={`${at.chain}#${at.index}`}
                        data-table={at.table}
                        data-pkts={st.c.pkts}
                        data-now={st.now ? "matched" : st.decided ? "decided" : undefined}
                      >
                        {countsNothing(at.table, textAt(row)) ? (
                          <>
                            <td className="pr-2 text-right align-top text-slate-400" title={t.noCounter}>–</td>
                            <td className="pr-2 text-right align-top text-slate-400" title={t.noCounter}>–</td>
                          </>
                        ) : (
                          <>
                            <td className="pr-2 text-right align-top">{st.c.pkts}</td>
                            <td className="pr-2 text-right align-top">{st.c.bytes}</td>
                          </>
                        )}
                        <td className="break-all">
                          {textAt(row)}
                          {st.decided && <span className="ml-1 font-sans text-orange-800">{t.decided}</span>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            ))
          )}
        </div>
        <Conntrack view={view} />
      </div>
    </div>
  );
}

/** The node's conntrack -L as of the step: every entry, or above WINDOW_ABOVE of them, the ones in view. */
function Conntrack({ view }: { view: ReturnType<typeof nodeView> }) {
  const t = useT(NODE);
  const box = useRef<HTMLDivElement>(null);
  const windowed = view.conntrack.length > WINDOW_ABOVE;
  const win = useScrollWindow(box, windowed);
  const now = view.conntrackNow === undefined ? -1 : view.conntrack.indexOf(view.conntrackNow);
  // The current step's entry in view, in a windowed list (a short one shows every entry anyway).
  useEffect(() => {
    const el = box.current;
    if (!el || !windowed || now < 0) return;
    return inNextFrame(() => {
      const top = now * ROW;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW - el.clientHeight;
    });
  }, [now, windowed]);
  const [first, last] = rowsInView(win, 0, view.conntrack.length, ROW);
  return (
    <div ref={box} className="relative min-h-0 overflow-auto" onScroll={windowed ? win.onScroll : undefined}>
      {view.unconfirmedNow && (
        <p className="mb-1 rounded bg-sky-50 p-1 text-sky-900" data-testid="conntrack-unconfirmed">
          {t.unconfirmed}
        </p>
      )}
      {view.conntrack.length === 0 ? (
        <p className="text-slate-500" data-testid="conntrack-table">{t.noEntries}</p>
      ) : windowed ? (
        <ul className="relative font-mono text-[11px]" style={{ height: view.conntrack.length * ROW }} aria-label={t.conntrackRows({ count: view.conntrack.length })} data-testid="conntrack-table" data-windowed="true">
          {view.conntrack.slice(first, last).map((line, k) => (
            <li key={first + k} className={`absolute left-0 w-max min-w-full whitespace-pre rounded px-1 ${line === view.conntrackNow ? "bg-amber-200" : "bg-slate-100"}`} style={{ top: (first + k) * ROW, height: ROW - 2 }}>
              {line}
            </li>
          ))}
        </ul>
      ) : (
        <ul className="space-y-1 font-mono text-[0.6875rem]" data-testid="conntrack-table">
          {view.conntrack.map((line) => (
            <li key={line} className={`whitespace-pre-wrap break-all rounded px-1 ${line === view.conntrackNow ? "bg-amber-200" : "bg-slate-100"}`}>
              {line}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
