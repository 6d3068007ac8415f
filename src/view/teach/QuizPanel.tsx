/**
 * The quiz beside the diagram: the question at the step on screen (predict, then step on to see
 * it), the learner's answer marked right or wrong with the right one shown, and the score.
 */
import { useT } from "../../i18n/use";
import { useHopscope } from "../../store/store";
import { teachText } from "./i18n";

export function QuizPanel() {
  const t = useT(teachText);
  // Re-rendered when the step, the answers, the trace or the rules (a rule question's choices) change.
  const cursor = useHopscope((s) => s.cursor);
  const steps = useHopscope((s) => s.steps);
  useHopscope((s) => s.quizAnswers);
  useHopscope((s) => s.rules);
  const st = useHopscope.getState();
  const q = st.questionAt(cursor);
  const given = q ? st.answerOf(q) : undefined;
  const score = st.quizScore();
  const atEnd = steps.length > 0 && cursor >= steps.length - 1;
  return (
    <section aria-label={t.quiz} className="border-b border-slate-200 bg-amber-50/60 p-3 text-sm" data-testid="quiz">
      <div className="flex items-baseline gap-2">
        <h2 className="flex-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{t.quiz}</h2>
        <span className="text-xs text-slate-600" data-testid="quiz-score">
          {t.quizScore(score)}
        </span>
      </div>
      {q ? (
        <div className="mt-1">
          <h3 className="font-semibold" data-testid="quiz-question">
            {q.prompt}
          </h3>
          <p className="text-xs text-slate-600">{q.context}</p>
          <ul className="mt-2 space-y-1" aria-label={t.choices}>
            {q.choices.map((c, i) => {
              const right = given !== undefined && i === q.answer;
              const wrong = given === i && i !== q.answer;
              return (
                <li key={i}>
                  <button
                    type="button"
                    disabled={given !== undefined}
                    onClick={() => st.answerQuiz(i)}
                    aria-describedby={right || wrong ? `quiz-mark-${i}` : undefined}
                    className={`w-full rounded border px-2 py-1 text-left ${q.kind === "rule" ? "break-all font-mono text-[0.6875rem]" : "font-mono text-xs"} ${
                      right ? "border-green-600 bg-green-50" : wrong ? "border-red-600 bg-red-50" : "border-slate-300 bg-white hover:bg-slate-100"
                    } disabled:cursor-default`}
                    data-testid="quiz-choice"
                  >
                    {c}
                    {right && (
                      <span id={`quiz-mark-${i}`} className="ml-2 font-sans font-semibold text-green-800">
                        {t.rightAnswer}
                      </span>
                    )}
                    {wrong && (
                      <span id={`quiz-mark-${i}`} className="ml-2 font-sans font-semibold text-red-800">
                        {t.yourAnswer}
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
          <p role="status" className="mt-2 text-xs" data-testid="quiz-feedback">
            {given === undefined
              ? t.answerToStep
              : given === q.answer
                ? t.rightStep
                : t.notQuite({ answer: q.choices[q.answer]!.length > 40 ? undefined : q.choices[q.answer] })}
          </p>
        </div>
      ) : (
        <p className="mt-1 text-xs text-slate-600" data-testid="quiz-idle">
          {atEnd ? t.endOfTrace(score) : score.total === 0 ? t.noQuestions : t.stepOnQuiz}
        </p>
      )}
    </section>
  );
}
