/**
 * The parts of the page a first view does not show, loaded with import() when they open: the
 * editor (its forms, the scenario schema, address parsing and the faults), compare, the tour,
 * the quiz, the keyboard help and the hooks view. Each is a component with the props of the one
 * it stands for, so the page renders it as it would the original. While its code arrives, the
 * editor and the hooks view say that they are loading; the others appear when ready (a fraction
 * of a second on a page served from anywhere near).
 *
 * `preloadEditor` starts the editor's download early (when the pointer or the keyboard reaches its
 * button), so a click seldom waits at all; compare's follows the editor's.
 */
import { Suspense, lazy, type ComponentType, type LazyExoticComponent } from "react";
import { defineCatalog } from "../i18n/catalog";
import { useT } from "../i18n/use";

/** Starts `load` on the first call and answers every call with that one promise. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => (started ??= load());
}

/** A component from a module loaded on first render (or on preload), as React.lazy wants it. */
function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>) {
  const preload = once(load);
  return { Component: lazy(async () => ({ default: await preload() })), preload };
}

const LOADING = defineCatalog(
  { editor: "Loading the editor…", hooks: "Loading the hooks…" },
  { editor: "Загружается редактор…", hooks: "Загружаются хуки…" },
);

function Loading({ what }: { what: "editor" | "hooks" }) {
  const t = useT(LOADING);
  return (
    <p role="status" className="p-3 text-sm text-slate-600" data-testid={`loading-${what}`}>
      {t[what]}
    </p>
  );
}

const compare = lazyComponent(() => import("./editor/CompareDialog").then((m) => m.CompareDialog));
// The editor's Compare button opens compare: its code follows the editor's.
const editor = lazyComponent(() =>
  import("./editor/EditorPanel").then((m) => {
    void compare.preload();
    return m.EditorPanel;
  }),
);
const tourModule = once(() => import("./teach/TourPanel"));
const tour = lazyComponent(() => tourModule().then((m) => m.TourPanel));
const quiz = lazyComponent(() => import("./teach/QuizPanel").then((m) => m.QuizPanel));
const help = lazyComponent(() => import("./teach/KeyboardHelp").then((m) => m.KeyboardHelp));
const hooks = lazyComponent(() => import("./HooksView").then((m) => m.HooksView));

export const preloadEditor = editor.preload;

type Props<C> = C extends LazyExoticComponent<ComponentType<infer P>> ? P : never;

export function EditorPanel(props: Props<typeof editor.Component>) {
  return (
    <Suspense fallback={<Loading what="editor" />}>
      <editor.Component {...props} />
    </Suspense>
  );
}

export function CompareDialog(props: Props<typeof compare.Component>) {
  return (
    <Suspense fallback={null}>
      <compare.Component {...props} />
    </Suspense>
  );
}

export function TourPanel(props: Props<typeof tour.Component>) {
  return (
    <Suspense fallback={null}>
      <tour.Component {...props} />
    </Suspense>
  );
}

export function QuizPanel() {
  return (
    <Suspense fallback={null}>
      <quiz.Component />
    </Suspense>
  );
}

export function KeyboardHelp(props: Props<typeof help.Component>) {
  return (
    <Suspense fallback={null}>
      <help.Component {...props} />
    </Suspense>
  );
}

export function HooksView(props: Props<typeof hooks.Component>) {
  return (
    <Suspense fallback={<Loading what="hooks" />}>
      <hooks.Component {...props} />
    </Suspense>
  );
}

/** Opens the tour's chapter `index` (src/view/teach/TourPanel.tsx's openChapter), loading the tour first. */
export async function openTourChapter(index: number): Promise<void> {
  const [{ openChapter }, { CHAPTERS }] = await Promise.all([tourModule(), import("./teach/tour")]);
  const ch = CHAPTERS[index];
  if (ch) await openChapter(ch);
}

/**
 * Puts the focus on the hooks view (id "hooks-view") once it is drawn: its code may still be on
 * its way when its tab opens. Gives up after about a second of frames without it.
 */
export async function focusHooksView(): Promise<void> {
  await hooks.preload();
  for (let frame = 0; frame < 60; frame++) {
    await new Promise((r) => requestAnimationFrame(r));
    const view = document.getElementById("hooks-view");
    if (view) {
      view.focus();
      return;
    }
  }
}
