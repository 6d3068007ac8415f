/**
 * The article's tour, chapter by chapter: each opens its scenario at its step, the tab under the
 * diagram it talks about, and puts its shell command in the Shell tab's input line for the reader
 * to run. Closing the tour leaves the reader where they are.
 */
import { useEffect, useRef } from "react";
import { useLang, useT } from "../../i18n/use";
import { useHopscope } from "../../store/store";
import { teachText } from "./i18n";
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
  const t = useT(teachText);
  const ru = useLang() === "ru";
  const said = (c: Chapter) => (ru ? c.ru : c);
  // The article in the page's language first, the other one after it.
  const [mainUrl, otherUrl] = ru ? [ARTICLE_URL_RU, ARTICLE_URL] : [ARTICLE_URL, ARTICLE_URL_RU];
  const otherLang = ru ? "en" : "ru";
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
      aria-label={t.tour}
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
          {t.chapterOf({ n: chapter + 1, total: CHAPTERS.length })}
        </p>
        <button type="button" className="rounded px-1.5 text-slate-600 hover:bg-slate-200" aria-label={t.closeTour} onClick={onClose}>
          ✕
        </button>
      </div>
      <h2 ref={heading} tabIndex={-1} className="mt-1 text-base font-semibold outline-none">{said(ch).title}</h2>
      <p className="mt-1 leading-snug">{said(ch).text}</p>
      <p className="mt-2 text-xs text-slate-600">
        {t.inShell({ target: ch.shell.target })}
        <code className="rounded bg-white px-1 font-mono">{ch.shell.line}</code>
      </p>
      <p className="mt-1 text-xs text-slate-600">
        {t.inArticle({ section: said(ch).section })}
        <a href={mainUrl} target="_blank" rel="noopener" className="text-blue-700 underline">
          {t.articleTitle}
        </a>{" "}
        {t.otherArticleBefore}
        <a href={otherUrl} target="_blank" rel="noopener" lang={otherLang} hrefLang={otherLang} className="text-blue-700 underline">
          {t.otherArticleTitle}
        </a>
        )
      </p>
      <div className="mt-2 flex gap-2">
        <button type="button" className={btn} disabled={chapter === 0} onClick={() => go(chapter - 1)}>
          {t.prevChapter}
        </button>
        <button type="button" className={btn} disabled={chapter === CHAPTERS.length - 1} onClick={() => go(chapter + 1)}>
          {t.nextChapter}
        </button>
      </div>
      <nav aria-label={t.chapters} className="mt-2">
        <ol className="space-y-0.5 text-xs">
          {CHAPTERS.map((c, i) => (
            <li key={c.id}>
              <button
                type="button"
                className={`w-full rounded px-1.5 py-0.5 text-left hover:bg-white ${i === chapter ? "bg-white font-semibold" : "text-slate-700"}`}
                aria-current={i === chapter ? "step" : undefined}
                onClick={() => go(i)}
              >
                {i + 1}. {said(c).title}
              </button>
            </li>
          ))}
        </ol>
      </nav>
    </section>
  );
}
