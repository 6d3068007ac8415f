/**
 * Every key the app handles, for the keyboard help (`?`). App.tsx's keyboard handler points
 * here: a key added there is added here, so the help never lies.
 */
export interface Shortcut {
  /** The keys, as the help shows them: each is one <kbd>; "Ctrl+Z" is one key combination. */
  readonly keys: readonly string[];
  readonly what: string;
  /** What it does, in Russian. */
  readonly ru: string;
}

export interface ShortcutGroup {
  readonly title: string;
  readonly titleRu: string;
  readonly items: readonly Shortcut[];
}

export const SHORTCUTS: readonly ShortcutGroup[] = [
  {
    title: "Stepping", titleRu: "Шаги",
    items: [
      { keys: ["←", "→"], what: "Previous step, next step", ru: "Предыдущий шаг, следующий шаг" },
      { keys: ["Home", "End"], what: "First step, last step", ru: "Первый шаг, последний шаг" },
      { keys: ["Space"], what: "Play or pause", ru: "Воспроизвести или приостановить" },
    ],
  },
  {
    title: "Level of detail", titleRu: "Уровень детализации",
    items: [
      { keys: ["1"], what: "Hops: one step per place the packet visits", ru: "Хопы: по шагу на каждое место, где побывал пакет" },
      { keys: ["2"], what: "Hooks: one step per netfilter hook, every NAT and drop", ru: "Хуки: по шагу на каждый хук netfilter, каждый NAT и отброс" },
      { keys: ["3"], what: "Rules: every step, each rule that matched", ru: "Правила: все шаги, каждое сработавшее правило" },
      { keys: ["L"], what: "Cycle through the levels", ru: "Перебрать уровни по кругу" },
    ],
  },
  {
    title: "View", titleRu: "Вид",
    items: [
      { keys: ["P"], what: "Presentation mode: the diagram, the narration in large type and the controls only", ru: "Режим презентации: только схема, пояснение крупным шрифтом и управление" },
      { keys: ["Esc"], what: "Leave presentation mode", ru: "Выйти из режима презентации" },
      { keys: ["/"], what: "Find a pod, node, service or address on the diagram", ru: "Найти под, узел, сервис или адрес на схеме" },
    ],
  },
  {
    title: "Editing", titleRu: "Редактирование",
    items: [
      { keys: ["Ctrl+Z"], what: "Undo the last edit of the scenario", ru: "Отменить последнюю правку сценария" },
      { keys: ["Ctrl+Shift+Z", "Ctrl+Y"], what: "Redo it", ru: "Вернуть её" },
      { keys: ["Ctrl+Enter"], what: "Apply the scenario JSON in the editor (while typing in it)", ru: "Применить JSON сценария в редакторе (во время ввода в нём)" },
      { keys: ["Enter"], what: "In an editor field: take the value (Esc puts the old one back)", ru: "В поле редактора: принять значение (Esc возвращает прежнее)" },
    ],
  },
  {
    title: "In the shell", titleRu: "В shell",
    items: [
      { keys: ["Enter"], what: "Run the command line", ru: "Выполнить командную строку" },
      { keys: ["↑", "↓"], what: "Earlier and later command lines", ru: "Предыдущие и следующие командные строки" },
      { keys: ["Tab"], what: "Complete the word", ru: "Дополнить слово" },
      { keys: ["Ctrl+C"], what: "Drop the line (with nothing selected; else copy)", ru: "Сбросить строку (если ничего не выделено; иначе копировать)" },
      { keys: ["Ctrl+L"], what: "Clear the screen", ru: "Очистить экран" },
      { keys: ["Esc"], what: "Leave the shell, so Tab moves focus again", ru: "Выйти из shell, чтобы Tab снова переводил фокус" },
    ],
  },
  {
    title: "On the diagram, while picking a packet's ends", titleRu: "На схеме, при выборе концов пакета",
    items: [{ keys: ["Enter", "Space"], what: "Pick the focused node, pod, service or client", ru: "Выбрать узел, под, сервис или клиента в фокусе" }],
  },
  {
    title: "Help", titleRu: "Справка",
    items: [
      { keys: ["?"], what: "Show these shortcuts", ru: "Показать эти сочетания клавиш" },
      { keys: ["Esc"], what: "Close a dialog, a term's tooltip or the legend", ru: "Закрыть диалог, подсказку термина или легенду" },
    ],
  },
];

/** Whether a key press opens the keyboard help: `?` without Ctrl, Alt or Meta (Shift makes the `?` on most layouts). */
export function isHelpKey(e: { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): boolean {
  return e.key === "?" && !e.ctrlKey && !e.altKey && !e.metaKey;
}
