/**
 * The colour theme: the system's (prefers-color-scheme) unless the reader picked light or dark,
 * which is remembered in localStorage. The root element carries `.dark` for Tailwind's dark:
 * variant (src/index.css) and `color-scheme` for the browser's own controls.
 */
import { useEffect, useState } from "react";

export type ThemeChoice = "system" | "light" | "dark";

const KEY = "hopscope.theme";

function stored(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

function systemDark(): boolean {
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}

/** The choice, whether the page is dark now, and how to change the choice. */
export function useTheme(): { choice: ThemeChoice; dark: boolean; setChoice: (c: ThemeChoice) => void } {
  const [choice, setChoiceState] = useState<ThemeChoice>(stored);
  const [sys, setSys] = useState(systemDark);
  useEffect(() => {
    const mq = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (!mq) return;
    const on = () => setSys(mq.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  const dark = choice === "dark" || (choice === "system" && sys);
  useEffect(() => {
    const root = document.documentElement;
    root.classList.toggle("dark", dark);
    root.style.colorScheme = dark ? "dark" : "light";
  }, [dark]);
  const setChoice = (c: ThemeChoice) => {
    setChoiceState(c);
    try {
      if (c === "system") window.localStorage.removeItem(KEY);
      else window.localStorage.setItem(KEY, c);
    } catch {
      // A page without storage (a sandboxed embed) keeps the choice for this visit only.
    }
  };
  return { choice, dark, setChoice };
}
