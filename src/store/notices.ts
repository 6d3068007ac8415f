/**
 * What the store tells the reader in the notice bar, in the page's language. The reasons the
 * engine and the link reader give (a worker's error, a link's fault) are passed in as they are.
 */
import { defineCatalog } from "../i18n/catalog";
import { plural } from "../i18n/lang";

export const NOTICES = defineCatalog(
  {
    /** The history's name for a blank scenario (Compare lists it). */
    newScenario: "New scenario",
    /** The history's name for a switch of kube-proxy. */
    kubeProxy: (p: { mode: string; version: string }) => `kube-proxy ${p.version} in ${p.mode} mode`,
    linkFailed: (p: { reason: string }) => `This link's scenario could not be run (${p.reason}). Showing the default scenario instead.`,
    engineStopped: "the engine stopped",
    badLink: (p: { error: string }) => `${p.error} Showing the default scenario instead.`,
    restarted: (p: { reason: string }) => `${p.reason}. The engine was restarted.`,
    failedAgain: (p: { reason: string }) => `${p.reason}. The engine failed again while reloading; pick a scenario to try again.`,
    reloaded: (p: { reason: string }) => `${p.reason}. The engine was restarted; your scenario is reloaded.`,
    replayCut: (p: { done: number; total: number; seconds: number }) =>
      `This link's shell session was replayed up to line ${p.done} of ${p.total}: the replay ran for more than ${p.seconds} s, the most it may take.`,
    missingLine: (p: { line: number; error: string }) => `line ${p.line} (${p.error})`,
    missing: (p: { count: number; list: string }) =>
      `This link's shell lines name places this scenario does not have; ${p.count === 1 ? "one was" : `${p.count} were`} skipped: ${p.list}.`,
  },
  {
    newScenario: "Новый сценарий",
    kubeProxy: (p: { mode: string; version: string }) => `kube-proxy ${p.version} в режиме ${p.mode}`,
    linkFailed: (p: { reason: string }) => `Сценарий из этой ссылки не удалось выполнить (${p.reason}). Вместо него показан сценарий по умолчанию.`,
    engineStopped: "движок остановился",
    badLink: (p: { error: string }) => `${p.error} Показан сценарий по умолчанию.`,
    restarted: (p: { reason: string }) => `${p.reason}. Движок перезапущен.`,
    failedAgain: (p: { reason: string }) => `${p.reason}. Движок снова упал при перезагрузке; выберите сценарий, чтобы попробовать ещё раз.`,
    reloaded: (p: { reason: string }) => `${p.reason}. Движок перезапущен, ваш сценарий загружен заново.`,
    replayCut: (p: { done: number; total: number; seconds: number }) =>
      `Сеанс терминала из этой ссылки воспроизведён до строки ${p.done} из ${p.total}: воспроизведение шло дольше ${p.seconds} с, а больше ему не положено.`,
    missingLine: (p: { line: number; error: string }) => `строка ${p.line} (${p.error})`,
    missing: (p: { count: number; list: string }) =>
      `Строки терминала из этой ссылки называют места, которых в этом сценарии нет; ${plural("ru", p.count, { one: "пропущена # строка", few: "пропущены # строки", many: "пропущено # строк", other: "пропущено # строки" })}: ${p.list}.`,
  },
);
