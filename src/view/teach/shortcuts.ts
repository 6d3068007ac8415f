/**
 * Every key the app handles, for the keyboard help (`?`). App.tsx's keyboard handler points
 * here: a key added there is added here, so the help never lies.
 */
export interface Shortcut {
  /** The keys, as the help shows them: each is one <kbd>; "Ctrl+Z" is one key combination. */
  readonly keys: readonly string[];
  readonly what: string;
}

export interface ShortcutGroup {
  readonly title: string;
  readonly items: readonly Shortcut[];
}

export const SHORTCUTS: readonly ShortcutGroup[] = [
  {
    title: "Stepping",
    items: [
      { keys: ["←", "→"], what: "Previous step, next step" },
      { keys: ["Home", "End"], what: "First step, last step" },
      { keys: ["Space"], what: "Play or pause" },
    ],
  },
  {
    title: "Level of detail",
    items: [
      { keys: ["1"], what: "Hops: one step per place the packet visits" },
      { keys: ["2"], what: "Hooks: one step per netfilter hook, every NAT and drop" },
      { keys: ["3"], what: "Rules: every step, each rule that matched" },
      { keys: ["L"], what: "Cycle through the levels" },
    ],
  },
  {
    title: "Editing",
    items: [
      { keys: ["Ctrl+Z"], what: "Undo the last edit of the scenario" },
      { keys: ["Ctrl+Shift+Z", "Ctrl+Y"], what: "Redo it" },
      { keys: ["Ctrl+Enter"], what: "Apply the scenario JSON in the editor (while typing in it)" },
      { keys: ["Enter"], what: "In an editor field: take the value (Esc puts the old one back)" },
    ],
  },
  {
    title: "In the shell",
    items: [
      { keys: ["Enter"], what: "Run the command line" },
      { keys: ["↑", "↓"], what: "Earlier and later command lines" },
      { keys: ["Tab"], what: "Complete the word" },
      { keys: ["Ctrl+C"], what: "Drop the line (with nothing selected; else copy)" },
      { keys: ["Ctrl+L"], what: "Clear the screen" },
      { keys: ["Esc"], what: "Leave the shell, so Tab moves focus again" },
    ],
  },
  {
    title: "On the diagram, while picking a packet's ends",
    items: [{ keys: ["Enter", "Space"], what: "Pick the focused node, pod, service or client" }],
  },
  {
    title: "Help",
    items: [
      { keys: ["?"], what: "Show these shortcuts" },
      { keys: ["Esc"], what: "Close a dialog, a term's tooltip or the legend" },
    ],
  },
];

/** Whether a key press opens the keyboard help: `?` without Ctrl, Alt or Meta (Shift makes the `?` on most layouts). */
export function isHelpKey(e: { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): boolean {
  return e.key === "?" && !e.ctrlKey && !e.altKey && !e.metaKey;
}
