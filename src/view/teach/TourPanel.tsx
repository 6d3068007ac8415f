/**
 * The article's tour, chapter by chapter: each opens its scenario at its step, the tab under the
 * diagram it talks about, and puts its shell command in the Shell tab's input line for the reader
 * to run. Closing the tour leaves the reader where they are.
 */
import { useEffect, useRef } from "react";
import { useHopscope } from "../../store/store";
import { ARTICLE_URL, ARTICLE_URL_RU, CHAPTERS, chapterStep, type Chapter } from "./tour";

/** Shows a chapter: its scenario (loaded when another is on screen), its step, its tab and its shell command. */
export async function openChapter(ch: Chapter): Promise<void> {
  const st = useHopscope.getState();
  const edited = st.source !== undefined && "spec" in st.source;
  if (st.scenario?.id !== ch.scenario || edited || st.status.kind !== "ready") {
    await st.pick(ch.scenario);
    // The page re-renders with the new scenario (the shell is remade for it) before the command is offered.
    await new Promise((r) => setTimeout(r, 0));
  }
  const now = useHopscope.getState();
  if (now.scenario?.id !== ch.scenario || now.status.kind !== "ready") return;
  const i = chapterStep(ch, now.steps);
  // The tour goes where the chapter is (as a link does), quiz or not.
  if (i >= 0) useHopscope.setState({ cursor: i, playing: false });
  if (!now.panels.node) now.setPanels({ node: true });
  now.offerShellLine(ch.shell.target, ch.shell.line);
  now.setBottomTab(ch.tab);
}

export function TourPanel({ chapter, onChapter, onClose }: { chapter: number; onChapter: (i: number) => void; onClose: () => void }) {
  const ch = CHAPTERS[chapter]!;
  // Opening the tour takes the keyboard there: to the chapter's title.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const go = (i: number) => {
    onChapter(i);
    void openChapter(CHAPTERS[i]!);
  };
  const btn = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100 disabled:opacity-40";
  return (
    <section
      aria-label="Tour"
      className="border-b border-slate-200 bg-blue-50/60 p-3 text-sm"
      data-testid="tour"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="flex items-center gap-2">
        <p className="flex-1 text-xs font-semibold uppercase tracking-wide text-slate-600" data-testid="tour-position">
          Chapter {chapter + 1} of {CHAPTERS.length}
        </p>
        <button type="button" className="rounded px-1.5 text-slate-600 hover:bg-slate-200" aria-label="Close the tour" onClick={onClose}>
          ✕
        </button>
      </div>
      <h2 ref={heading} tabIndex={-1} className="mt-1 text-base font-semibold outline-none">{ch.title}</h2>
      <p className="mt-1 leading-snug">{ch.text}</p>
      <p className="mt-2 text-xs text-slate-600">
        In the Shell tab, on {ch.shell.target}: <code className="rounded bg-white px-1 font-mono">{ch.shell.line}</code>
      </p>
      <p className="mt-1 text-xs text-slate-600">
        In the article, the part on {ch.section}:{" "}
        <a href={ARTICLE_URL} target="_blank" rel="noopener" className="text-blue-700 underline">
          Kubernetes Networking: Behind the scenes
        </a>{" "}
        (in Russian:{" "}
        <a href={ARTICLE_URL_RU} target="_blank" rel="noopener" lang="ru" hrefLang="ru" className="text-blue-700 underline">
          За кулисами сети в Kubernetes
        </a>
        )
      </p>
      <div className="mt-2 flex gap-2">
        <button type="button" className={btn} disabled={chapter === 0} onClick={() => go(chapter - 1)}>
          Previous chapter
        </button>
        <button type="button" className={btn} disabled={chapter === CHAPTERS.length - 1} onClick={() => go(chapter + 1)}>
          Next chapter
        </button>
      </div>
      <nav aria-label="Chapters" className="mt-2">
        <ol className="space-y-0.5 text-xs">
          {CHAPTERS.map((c, i) => (
            <li key={c.id}>
              <button
                type="button"
                className={`w-full rounded px-1.5 py-0.5 text-left hover:bg-white ${i === chapter ? "bg-white font-semibold" : "text-slate-700"}`}
                aria-current={i === chapter ? "step" : undefined}
                onClick={() => go(i)}
              >
                {i + 1}. {c.title}
              </button>
            </li>
          ))}
        </ol>
      </nav>
    </section>
  );
}
