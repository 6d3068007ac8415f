/**
 * The teaching parts' words (legend, keyboard help, tour, quiz) in English and Russian. The
 * glossary's definitions, the tour's chapters and the shortcuts' descriptions sit with their
 * data (glossary-ru.ts, tour.ts, shortcuts.ts); the quiz's questions are worded in the store.
 */
import { defineCatalog } from "../../i18n/catalog";
import { plural } from "../../i18n/lang";

export const teachText = defineCatalog(
  {
    legend: "Legend",
    legendRegion: "Diagram legend",
    keysTitle: "Keyboard shortcuts",
    close: "Close",
    keysList: "Shortcuts",
    or: " or ",
    tour: "Tour",
    chapterOf: (p: { n: number; total: number }) => `Chapter ${p.n} of ${p.total}`,
    closeTour: "Close the tour",
    inShell: (p: { target: string }) => `In the Shell tab, on ${p.target}: `,
    inArticle: (p: { section: string }) => `In the article, the part on ${p.section}: `,
    articleTitle: "Kubernetes Networking: Behind the scenes",
    otherArticleBefore: "(in Russian: ",
    otherArticleTitle: "За кулисами сети в Kubernetes",
    prevChapter: "Previous chapter",
    nextChapter: "Next chapter",
    chapters: "Chapters",
    quiz: "Quiz",
    quizScore: (p: { answered: number; total: number; right: number }) => `${p.answered} of ${p.total} answered · ${p.right} right`,
    choices: "Choices",
    rightAnswer: "✓ right answer",
    yourAnswer: "✗ your answer",
    answerToStep: "Answer to step on.",
    rightStep: "Right. Step on to see it happen.",
    notQuite: (p: { answer: string | undefined }) => `Not quite: it is ${p.answer ?? "the rule marked right"}. Step on to see it happen.`,
    endOfTrace: (p: { right: number; total: number }) => `End of the trace: ${p.right} of ${p.total} right.`,
    noQuestions: "No questions in this trace.",
    stepOnQuiz: "Step on: a question comes up before the packet's next surprise.",
  },
  {
    legend: "Легенда",
    legendRegion: "Легенда схемы",
    keysTitle: "Сочетания клавиш",
    close: "Закрыть",
    keysList: "Клавиши",
    or: " или ",
    tour: "Экскурсия",
    chapterOf: (p) => `Глава ${p.n} из ${p.total}`,
    closeTour: "Закрыть экскурсию",
    inShell: (p) => `Во вкладке Shell, на ${p.target}: `,
    inArticle: (p) => `В статье — часть про ${p.section}: `,
    articleTitle: "За кулисами сети в Kubernetes",
    otherArticleBefore: "(оригинал на английском: ",
    otherArticleTitle: "Kubernetes Networking: Behind the scenes",
    prevChapter: "Предыдущая глава",
    nextChapter: "Следующая глава",
    chapters: "Главы",
    quiz: "Викторина",
    quizScore: (p) =>
      `${plural("ru", p.answered, { one: "# ответ", few: "# ответа", many: "# ответов", other: "# ответа" })} из ${p.total} · ${plural("ru", p.right, { one: "# верный", few: "# верных", many: "# верных", other: "# верного" })}`,
    choices: "Варианты ответа",
    rightAnswer: "✓ верный ответ",
    yourAnswer: "✗ ваш ответ",
    answerToStep: "Ответьте, чтобы идти дальше.",
    rightStep: "Верно. Шагните дальше, чтобы увидеть это.",
    notQuite: (p) => `Не совсем: правильно — ${p.answer ?? "правило, отмеченное как верное"}. Шагните дальше, чтобы увидеть это.`,
    endOfTrace: (p) =>
      `Конец трассы: ${plural("ru", p.right, { one: "# верный ответ", few: "# верных ответа", many: "# верных ответов", other: "# верного ответа" })} из ${p.total}.`,
    noQuestions: "В этой трассе вопросов нет.",
    stepOnQuiz: "Шагайте дальше: вопрос появится перед следующим сюрпризом пакета.",
  },
);
