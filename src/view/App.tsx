import { useEffect, useMemo, useRef, useState } from "react";
import { LEVELS, placeOf, visibleSteps } from "../store/levels";
import { useHopscope } from "../store/store";
import { listenToHost, syncUrlWithStore, viewUrl } from "../share/browser";
import { ShareButtons, ShareStatus } from "./ShareButtons";
import { HeaderMenu } from "./HeaderMenu";
import { CompareKubeProxies, KubeProxySwitch } from "./KubeProxySwitch";
import { CompareCnis } from "./CompareCnis";
import type { ScenarioSummary } from "../worker/protocol";
import type { CniType } from "../engine/k8s/spec";
import { useMediaQuery } from "./media";
import { toggleClass } from "./outside";
import { useSwipe } from "./swipe";
import { useTheme, type ThemeChoice } from "./theme";
import { LANGS, LANG_NAMES, type Lang } from "../i18n/lang";
import { ExportMenu } from "./export/ExportMenu";
import { Controls } from "./Controls";
import { HopDetail } from "./HopDetail";
import { HopList } from "./HopList";
import { NodePanel } from "./NodePanel";
import { confirmedAt } from "./nodeState";
import { Terminal } from "./Terminal";
import { EMPTY_SEND, type SendDraft } from "./editor/send-draft";
import { Topology, type OpenTarget, type PickTarget } from "./Topology";
import { Legend } from "./teach/Legend";
import { isHelpKey } from "./teach/shortcuts";
import { APP } from "./i18n/page";
// The editor, compare and the teaching panels, loaded when they open.
import { CompareDialog, EditorPanel, HooksView, KeyboardHelp, QuizPanel, TourPanel, focusHooksView, openTourChapter, preloadEditor } from "./lazy";


/** The hooks view for the current step: its tab, then the view itself in focus (on a phone it is further down the page). */
function showHooks(): void {
  useHopscope.getState().setBottomTab("hooks");
  void focusHooksView();
}

/** The picker's value for a scenario that is not one of the built-in ones. */
const EDITED = "(edited)";

const usePrefersReducedMotion = () => useMediaQuery("(prefers-reduced-motion: reduce)");

/**
 * The built-ins by the release of their cluster's kube-proxy and by its CNI plugin: the article's
 * (1.10, the bridge plugin) first, then today's on the bridge plugin, then today's on flannel, on Calico.
 */
function scenarioGroups(scenarios: readonly ScenarioSummary[]): { key: string; version: string; cni: CniType; scenarios: ScenarioSummary[] }[] {
  const groups: { key: string; version: string; cni: CniType; scenarios: ScenarioSummary[] }[] = [];
  for (const s of scenarios) {
    const version = s.kubeProxy?.version ?? "1.10";
    const cni = s.cni ?? "bridge";
    const key = `${version}/${cni}`;
    let g = groups.find((x) => x.key === key);
    if (!g) groups.push((g = { key, version, cni, scenarios: [] }));
    g.scenarios.push(s);
  }
  return groups;
}

export function App() {
  const scenarios = useHopscope((s) => s.scenarios);
  const scenario = useHopscope((s) => s.scenario);
  const status = useHopscope((s) => s.status);
  const topology = useHopscope((s) => s.topology);
  const steps = useHopscope((s) => s.steps);
  const cursor = useHopscope((s) => s.cursor);
  const level = useHopscope((s) => s.level);
  const visible = useMemo(() => visibleSteps(steps, level), [steps, level]);
  const playing = useHopscope((s) => s.playing);
  const speed = useHopscope((s) => s.speed);
  const notice = useHopscope((s) => s.notice);
  const nodes = useHopscope((s) => s.nodes);
  const rules = useHopscope((s) => s.rules);
  const panels = useHopscope((s) => s.panels);
  const embed = useHopscope((s) => s.embed);
  // A scenario that came whole in a link (an edited one): its own title, not a built-in's name.
  const edited = useHopscope((s) => s.source !== undefined && "spec" in s.source);
  const [pinnedNode, setPinnedNode] = useState<string>();
  const bottom = useHopscope((s) => s.bottomTab);
  const setBottom = useHopscope.getState().setBottomTab;
  const exporting = useHopscope((s) => s.exporting);
  const { init, setCursor, move, togglePlay, setSpeed, setLevel, dismissNotice, setPanels } = useHopscope.getState();
  const reducedMotion = usePrefersReducedMotion();
  const smallWindow = useMediaQuery("(max-width: 999px), (max-height: 599px)");
  // Dark or light: the system's, unless the reader picked one here (an embed on this site follows that choice too).
  const theme = useTheme();
  const lang = useHopscope((s) => s.lang);
  const t = APP[lang];
  /** The bottom panel's tabs, as the reader sees them. */
  const tabLabels = { node: t.tabNode, shell: t.tabShell, hooks: t.tabHooks } as const;
  // The document's language follows the page's (screen readers, hyphenation, the browser's own controls).
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  // A link with a shell session opens on the Shell tab, where its lines were replayed.
  const replayLog = useHopscope((s) => s.replayLog);
  const [seenReplay, setSeenReplay] = useState(replayLog);
  if (replayLog !== seenReplay) {
    setSeenReplay(replayLog);
    if (replayLog.length) setBottom("shell");
  }
  const [fit, setFit] = useState(0);
  // Presentation mode (P): the diagram, a line of narration in large type and the controls, for a projector.
  const [presenting, setPresenting] = useState(false);
  const editorOpen = useHopscope((s) => s.editorOpen && !s.embed.on) && !presenting;
  // Its larger type is the root's font size (src/index.css), so every rem-sized part grows together.
  useEffect(() => {
    document.documentElement.classList.toggle("presenting", presenting);
    return () => document.documentElement.classList.remove("presenting");
  }, [presenting]);
  const [send, setSend] = useState<SendDraft>(EMPTY_SEND);
  const [picking, setPicking] = useState(false);
  const [compareOpen, setCompareOpen] = useState<false | { initial?: readonly [string, string] }>(false);
  // A click on the diagram: a node or a rule chip opens the node's rules, a pod a shell in it.
  const onOpen = (t: OpenTarget) => {
    if (!panels.node) setPanels({ node: true });
    if ("pod" in t) {
      const pod = topology?.pods.find((p) => p.name === t.pod);
      if (pod) useHopscope.getState().offerShellLine(`${pod.node}/${pod.name}`, "", { focus: true });
      return;
    }
    setPinnedNode("node" in t ? t.node : t.rule.node);
    setBottom("node");
  };
  const [helpOpen, setHelpOpen] = useState(false);
  // The article's tour: open or not, and its chapter (kept while closed, so it reopens there).
  const [tourOpen, setTourOpen] = useState(false);
  const [chapter, setChapter] = useState(0);
  const tourButton = useRef<HTMLButtonElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);
  // A wide screen shows the most used header controls in its row (one row at 1280 px, in Russian too); a narrower one folds them into the menu.
  const wide = useMediaQuery("(min-width: 1200px)", true);
  // On a touch screen a horizontal swipe on the narration, the hop panels or the footer steps (not on the diagram: one finger pans it).
  // Those areas leave horizontal gestures to the page (touch-pan-y), so the browser's own swipe (history back) does not take them.
  const swipe = useSwipe((delta) => useHopscope.getState().move(delta));
  const quizOn = useHopscope((s) => s.quizOn);
  const onPick = (t: PickTarget) => {
    // The first pick is the source, the second the destination; a third starts again.
    if (send.from === undefined || send.to !== undefined) setSend({ ...send, from: t, to: undefined });
    else setSend({ ...send, to: t });
  };

  useEffect(() => {
    void init(window.location.hash);
    // Back and forward: a different hash is a different view.
    const onPop = () => void init(window.location.hash);
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [init]);

  // The URL follows the view: a new scenario is a new history entry, a step or panel change is not.
  useEffect(() => syncUrlWithStore(), []);

  // Autoplay in embeds, never under reduced motion.
  useEffect(() => {
    if (embed.autoplay && !reducedMotion && status.kind === "ready") useHopscope.setState({ playing: true });
  }, [embed.autoplay, reducedMotion, status.kind]);

  // The postMessage API for host pages (slides, an LMS): in embed mode only.
  useEffect(() => (embed.on ? listenToHost() : undefined), [embed.on]);

  // Playback: one step per tick; stops at the end.
  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const { cursor: c, steps: all, level: l } = useHopscope.getState();
      if (c >= (visibleSteps(all, l).at(-1) ?? 0)) useHopscope.setState({ playing: false });
      else move(1);
    }, 1000 / speed);
    return () => clearInterval(timer);
  }, [playing, speed, move]);

  // Keyboard: ←/→ step, space play/pause, Home/End; 1, 2, 3 pick the level of detail, L cycles it; Ctrl+Z and Ctrl+Shift+Z undo and redo edits; `?` the keyboard help; not while typing in a field.
  // Every key handled here is listed in ./teach/shortcuts.ts, which the keyboard help shows: add a key there too.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A dialog (Compare) keeps the keyboard to itself.
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const t = e.target as HTMLElement | null;
      const inputType = t?.tagName === "INPUT" ? (t as HTMLInputElement).type : undefined;
      // Typing in a field keeps its keys; a checkbox keeps Space (it toggles) but not the arrows.
      if (t && (t.tagName === "SELECT" || t.tagName === "TEXTAREA" || (inputType !== undefined && !["range", "checkbox", "radio"].includes(inputType)))) return;
      if ((inputType === "checkbox" || inputType === "radio") && e.key === " ") return;
      if ((e.key === "p" || e.key === "P") && !e.ctrlKey && !e.metaKey && !e.altKey && !useHopscope.getState().embed.on) {
        e.preventDefault();
        setPresenting((on) => !on);
        return;
      }
      // Escape leaves presentation mode (and does nothing else here when not presenting).
      if (e.key === "Escape") {
        setPresenting(false);
        return;
      }
      if (isHelpKey(e)) {
        e.preventDefault();
        setHelpOpen(true);
        return;
      }
      if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "z" || e.key === "Z" || e.key === "y")) {
        if (useHopscope.getState().embed.on) return;
        e.preventDefault();
        if (e.key === "y" || e.shiftKey) void useHopscope.getState().redo();
        else void useHopscope.getState().undo();
        return;
      }
      if (inputType === "range" && (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End")) return; // the timeline handles these itself
      if (e.key === "ArrowRight") move(1);
      else if (e.key === "ArrowLeft") move(-1);
      else if (e.key === "Home" || e.key === "End") {
        const { steps: all, level: l } = useHopscope.getState();
        const shown = visibleSteps(all, l);
        setCursor((e.key === "Home" ? shown[0] : shown.at(-1)) ?? 0);
      } else if ((e.key === "1" || e.key === "2" || e.key === "3") && !e.ctrlKey && !e.metaKey && !e.altKey) setLevel(LEVELS[Number(e.key) - 1]!);
      else if ((e.key === "l" || e.key === "L") && !e.ctrlKey && !e.metaKey && !e.altKey) {
        const l = useHopscope.getState().level;
        setLevel(LEVELS[(LEVELS.indexOf(l) + 1) % LEVELS.length]!);
      }
      else if (e.key === " " && t?.tagName !== "BUTTON") togglePlay();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [move, setCursor, togglePlay, setLevel]);

  const current = steps[cursor]?.step;
  // A small embed (a slide's 800×450) has room for the diagram, one line of narration and the controls: its detail gives way.
  const showDetail = panels.detail && !embed.hide.includes("detail") && !(embed.on && smallWindow);
  const showHops = panels.hops && !embed.hide.includes("hops") && !embed.on;
  const showTour = tourOpen && !embed.on;
  const showAside = !presenting && (showDetail || showHops || showTour || quizOn);
  const entryListed = useMemo(() => {
    const d = current?.detail;
    const conn = d?.kind === "conntrack" ? d.conn : d?.kind === "nat" ? d.conn : undefined;
    return !current || conn === undefined || current.pod !== undefined || (d?.kind === "conntrack" && d.event === "destroy") || confirmedAt(steps, cursor, current.node, conn);
  }, [current, steps, cursor]);
  // The panel follows the packet from node to node until the user picks one.
  const followed = current && nodes.includes(current.node) ? current.node : undefined;
  const pinned = pinnedNode !== undefined && nodes.includes(pinnedNode);
  const panelNode = pinned ? pinnedNode : (followed ?? nodes[0]);
  useEffect(() => {
    if (panelNode && panels.node && !embed.on) void useHopscope.getState().fetchRules(panelNode);
  }, [panelNode, panels.node, embed.on, rules]);
  // The tour, the quiz, the editor, the link and the export: in the header's row on a wide screen, in its menu on a narrow one.
  const primaryControls = (
    <>
      <button
        type="button"
        className={toggleClass(tourOpen)}
        aria-pressed={tourOpen}
        ref={tourButton}
        onClick={() => {
          setTourOpen(!tourOpen);
          if (!tourOpen) void openTourChapter(chapter);
        }}
        data-testid="tour-toggle"
        data-menu-close=""
      >
        {t.tour}
      </button>
      <button
        type="button"
        className={toggleClass(quizOn, "amber")}
        aria-pressed={quizOn}
        onClick={() => useHopscope.getState().setQuiz(!quizOn)}
        data-testid="quiz-toggle"
        data-menu-close=""
      >
        {t.quiz}
      </button>
      <button
        type="button"
        className={toggleClass(editorOpen)}
        aria-pressed={editorOpen}
        onClick={() => (editorOpen ? useHopscope.getState().closeEditor() : void useHopscope.getState().openEditor())}
        onPointerEnter={() => void preloadEditor()}
        onFocus={() => void preloadEditor()}
        data-menu-close=""
      >
        {t.editScenario}
      </button>
      <ShareButtons part="link" />
      <ExportMenu />
    </>
  );
  return (
    // Wide screens fit everything in the window; on a phone the page scrolls: the diagram at full
    // width, then the hop detail and list, then the node panels, with the controls kept in view.
    <div className={`flex flex-col bg-slate-50 text-slate-900 ${embed.on || presenting ? "h-screen" : "min-h-screen md:h-screen"}`} data-testid="page" data-presenting={presenting ? "yes" : "no"}>
      {presenting ? null : embed.on ? (
        <div className="flex items-center gap-2 border-b border-slate-200 bg-white px-3 py-1 text-sm">
          <span className="font-semibold">Hopscope</span>
          <span className="min-w-0 flex-1 truncate text-slate-600">{scenario?.title}</span>
          <a href={fullAppHref()} target="_blank" rel="noopener" className="text-blue-700 underline" data-testid="open-full">
            {t.openFull}
          </a>
        </div>
      ) : (
      <header className={`relative flex items-center border-b border-slate-200 bg-white py-1.5 ${wide ? "gap-3 px-4" : "gap-2 px-3"}`}>
        <h1 className="shrink-0 text-lg font-semibold">Hopscope</h1>
        {/* min-w-0: a long title (or a longer label, in Russian) shrinks the list instead of widening the page. */}
        <label className={`flex min-w-0 shrink items-center gap-2 text-sm ${wide ? "" : "flex-1"}`}>
          <span className={wide ? "text-slate-600" : "sr-only"}>{t.scenario}</span>
          <select
            className={`w-full rounded border border-slate-300 bg-white px-2 py-1 ${wide ? "min-w-40 max-w-80" : "min-w-0"}`}
            value={edited ? EDITED : (scenario?.id ?? "")}
            onChange={(e) => {
              if (e.target.value !== EDITED) void useHopscope.getState().pick(e.target.value);
            }}
            data-testid="scenario-picker"
          >
            {edited && scenario && <option value={EDITED}>{t.edited({ title: scenario.title })}</option>}
            {scenarioGroups(scenarios).map((g) => (
              <optgroup
                key={g.key}
                label={g.cni === "flannel" ? t.groupFlannel({ version: g.version }) : g.cni === "calico" ? t.groupCalico({ version: g.version }) : g.version === "1.10" ? t.groupArticle : t.groupToday({ version: g.version })}
              >
                {g.scenarios.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.title}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        {/* The description takes the room left over, and gives it up whole when that is too little to read (a container query). */}
        <div className={`@container min-w-0 flex-1 ${wide ? "" : "hidden"}`}>
          <p className="truncate text-sm text-slate-600 @max-[8rem]:hidden" title={scenario?.description} data-testid="scenario-description">
            {scenario?.description}
          </p>
        </div>
        {/* The most used controls stay in sight on a wide screen; on a narrow one they join the menu. */}
        {wide && <div className="flex shrink-0 items-center gap-2 whitespace-nowrap">{primaryControls}</div>}
        <HeaderMenu label={t.menu} buttonRef={menuButton}>
          <div className="flex flex-col items-start gap-3">
            {!wide && <div className="flex flex-wrap items-center gap-2">{primaryControls}</div>}
            <fieldset className="flex flex-wrap items-center gap-x-3 gap-y-1 text-slate-700">
              <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">{t.panels}</legend>
              {(["detail", "hops", "node"] as const).map((k) => (
                <label key={k} className="flex items-center gap-1">
                  <input type="checkbox" checked={panels[k]} onChange={(e) => setPanels({ [k]: e.target.checked })} data-testid={`panel-${k}`} />
                  {k === "node" ? t.panelNode : k === "hops" ? t.panelHops : t.panelDetail}
                </label>
              ))}
            </fieldset>
            <div className="flex flex-wrap items-center gap-2">
              <KubeProxySwitch testId="kube-proxy-menu" />
              <CompareKubeProxies onCompare={(initial) => setCompareOpen({ initial })} />
              <CompareCnis onCompare={(initial) => setCompareOpen({ initial })} />
            </div>
            <ShareButtons part="more" />
            <div className="flex flex-wrap items-center gap-3">
              <label className="flex items-center gap-1">
                <span className="text-slate-600" aria-hidden="true">
                  Language / Язык
                </span>
                <select
                  className="rounded border border-slate-300 bg-white px-1 py-1"
                  value={lang}
                  onChange={(e) => void useHopscope.getState().setLang(e.target.value as Lang)}
                  aria-label="Language / Язык"
                  data-testid="lang"
                >
                  {LANGS.map((l) => (
                    <option key={l} value={l} lang={l}>
                      {LANG_NAMES[l]}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex items-center gap-1">
                <span className="text-slate-600">{t.theme}</span>
                <select
                  className="rounded border border-slate-300 bg-white px-1 py-1"
                  value={theme.choice}
                  onChange={(e) => theme.setChoice(e.target.value as ThemeChoice)}
                  aria-label={t.theme}
                  data-testid="theme"
                >
                  <option value="system">{t.themeSystem}</option>
                  <option value="light">{t.themeLight}</option>
                  <option value="dark">{t.themeDark}</option>
                </select>
              </label>
            </div>
          </div>
        </HeaderMenu>
        <ShareStatus />
      </header>
      )}
      {notice && (
        <div role="alert" className="flex items-center gap-3 border-b border-amber-300 bg-amber-50 px-4 py-2 text-sm" data-testid="notice">
          <span className="flex-1">{notice}</span>
          <button type="button" className="rounded border border-amber-400 px-2 py-0.5" onClick={dismissNotice}>
            {t.dismiss}
          </button>
        </div>
      )}
      <main
        className={`grid flex-1 md:min-h-0 ${
          editorOpen
            ? showAside
              ? "grid-cols-1 md:grid-cols-[minmax(0,1fr)_22.5rem_20rem]"
              : "grid-cols-1 md:grid-cols-[minmax(0,1fr)_23.75rem]"
            : showAside
              ? embed.on
                ? "min-h-0 grid-cols-[minmax(0,1fr)_18.75rem]"
                : "grid-cols-1 md:grid-cols-[minmax(0,1fr)_23.75rem]"
              : "grid-cols-1"
        }`}
      >
        <div className={`flex min-h-0 flex-col border-r border-slate-200 ${embed.on || presenting ? "" : "max-md:contents"}`}>
        <section className={`relative bg-white ${embed.on || presenting ? "min-h-0 flex-1" : "min-h-64 max-md:order-1 max-md:h-[calc(100svh-8.75rem)] md:h-auto md:min-h-0 md:flex-1"}`} aria-label={t.topology} data-scenario={status.kind === "ready" ? scenario?.id : undefined}>
          {status.kind === "error" && (
            <p role="alert" className="m-4 rounded border border-red-300 bg-red-50 p-3 text-red-800" data-testid="engine-error">
              {t.engineError({ message: status.message })}
            </p>
          )}
          {topology && (
            <Topology
              topology={topology}
              step={current}
              reducedMotion={reducedMotion || exporting}
              fitSignal={fit}
              steps={steps}
              cursor={cursor}
              onOpen={embed.on ? undefined : onOpen}
              minLabelPx={embed.on ? 11 : 10}
              kubeProxyMode={scenario?.kubeProxy?.mode ?? "iptables"}
              noPodRoutes={scenario?.cni !== undefined && scenario.cni !== "bridge" && scenario.vpcPodRoutes?.length === 0 ? (scenario.cni === "calico" && scenario.encapsulation === "none" ? "routed" : "overlay") : undefined}
              {...(editorOpen && picking && { onPick, picked: [send.from, send.to].filter((x): x is PickTarget => x !== undefined) })}
            />
          )}
          {topology && topology.pods.length + topology.nodes.length > 0 && steps.length === 0 && status.kind === "ready" && (
            <p className="absolute bottom-3 left-4 rounded bg-white/90 px-2 py-1 text-sm text-slate-700" data-testid="no-traffic">
              {t.noTraffic}
            </p>
          )}
          {topology && !exporting && <Legend />}
          {status.kind === "loading" && <p className="absolute left-4 top-4 rounded bg-white/90 px-2 py-1 text-sm" data-testid="loading">{t.tracing}</p>}
        </section>
        {panelNode && panels.node && !embed.on && !presenting && topology && (
          <section className={`flex ${bottom === "shell" ? "md:h-[45%] md:min-h-56" : bottom === "hooks" ? "md:h-[58%] md:min-h-72" : "md:h-56"} h-[70vh] flex-col border-t border-slate-200 bg-slate-50 max-md:order-3`} aria-label={t.nodePanels}>
            <div className="flex gap-1 border-b border-slate-200 px-2 pt-1 text-xs" role="tablist">
              {(["node", "shell", "hooks"] as const).map((tab) => (
                <button
                  key={tab}
                  type="button"
                  role="tab"
                  aria-selected={bottom === tab}
                  onClick={() => setBottom(tab)}
                  className={`rounded-t px-2 py-0.5 ${bottom === tab ? "bg-white font-semibold" : "text-slate-600"}`}
                  data-testid={`tab-${tab}`}
                >
                  {tabLabels[tab]}
                </button>
              ))}
            </div>
            <div className="min-h-0 flex-1">
              {bottom === "hooks" && <HooksView steps={steps} cursor={cursor} topology={topology} onGo={setCursor} />}
              {bottom === "node" && <NodePanel node={panelNode} nodes={nodes} pinned={pinned} onPin={setPinnedNode} rules={rules[panelNode]} steps={steps} cursor={cursor} />}
              {/* The shell stays mounted while hidden, so its log and history survive a look at the rules. */}
              <div className={bottom === "shell" ? "h-full" : "hidden"}>
                <Terminal key={scenario?.id} topology={topology} initial={panelNode} />
              </div>
            </div>
          </section>
        )}
        </div>
        {editorOpen && (
          <div className="flex min-h-0 flex-col border-r border-slate-200 max-md:order-2 md:overflow-hidden">
            <EditorPanel
              topology={topology}
              send={send}
              onSend={setSend}
              picking={picking}
              onPicking={(on) => {
                setPicking(on);
                if (on) setSend({ ...send, from: undefined, to: undefined });
              }}
              onCompare={() => setCompareOpen({})}
              onClose={() => useHopscope.getState().closeEditor()}
            />
          </div>
        )}
        {showAside && (
        <aside {...swipe} className={`flex touch-pan-y touch-pinch-zoom flex-col ${embed.on ? "min-h-0 overflow-y-auto" : "max-md:order-2 md:min-h-0 md:overflow-y-auto"}`}>
          {showTour && <TourPanel chapter={chapter} onChapter={setChapter} onClose={() => {
                setTourOpen(false);
                // The keyboard goes back to where the tour was opened from (the menu's button, when the tour's own is folded in it).
                const back = tourButton.current;
                (back && back.offsetParent !== null ? back : menuButton.current)?.focus();
              }} />}
          {quizOn && <QuizPanel />}
          {showDetail && (
          <div className="border-b border-slate-200 p-3" aria-label={t.hopDetail}>
            <h2 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{t.thisHop}</h2>
            <HopDetail step={current} entryListed={entryListed} {...(panelNode && panels.node && !embed.on && topology && { onShowHooks: showHooks })} />
          </div>
          )}
          {showHops && (
          <div className="flex min-h-48 flex-1 flex-col p-3">
            <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{t.allHops}</h2>
            <HopList steps={steps} shown={visible} cursor={cursor} onPick={setCursor} />
          </div>
          )}
        </aside>
        )}
      </main>
      {compareOpen && <CompareDialog initial={compareOpen.initial} onClose={() => setCompareOpen(false)} />}
      {helpOpen && <KeyboardHelp onClose={() => setHelpOpen(false)} />}
      <footer {...swipe} className={`sticky touch-pan-y touch-pinch-zoom bottom-0 z-10 border-t border-slate-200 bg-white ${embed.on ? "px-2 py-1" : "px-4 py-2"}`}>
        {/* An embed without the hop detail still says what is happening: one line of narration (two, large, when presenting). */}
        {((embed.on && !showDetail) || presenting) && current && (
          <p className={`mb-1 ${presenting ? "line-clamp-2 text-2xl" : "truncate text-sm"}`} title={current.text} data-testid="embed-narration">
            {current.text}
          </p>
        )}
        {/* Presenting, the keyboard help is `?` away: no button for it on the projector. */}
        <Controls compact={embed.on} cursor={cursor} visible={visible} level={level} playing={playing} speed={speed} onMove={setCursor} onStep={move} onToggle={togglePlay} onSpeed={setSpeed} onLevel={setLevel} onFit={() => setFit((n) => n + 1)} {...(!embed.on && !presenting && { onHelp: () => setHelpOpen(true) })} />
        <p className="sr-only" aria-live="polite" data-testid="live">
          {current ? t.live({ n: placeOf(visible, cursor) + 1, total: visible.length, text: current.text }) : ""}
        </p>
      </footer>
    </div>
  );
}

/** The same view in the full app: the URL without the embed options. */
function fullAppHref(): string {
  return viewUrl(false) ?? `${window.location.origin}${window.location.pathname}`;
}
