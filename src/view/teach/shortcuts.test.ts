/** The keyboard help lists every key App.tsx's handler reacts to: a key added there and not here fails. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SHORTCUTS, isHelpKey } from "./shortcuts";

/** How the help writes a KeyboardEvent.key the handler compares with (with Ctrl for the edit keys). */
const SHOWN: Record<string, string> = {
  ArrowLeft: "←",
  ArrowRight: "→",
  Home: "Home",
  End: "End",
  " ": "Space",
  z: "Ctrl+Z",
  Z: "Ctrl+Shift+Z",
  y: "Ctrl+Y",
  "?": "?",
  l: "L",
  L: "L",
  p: "P",
  P: "P",
  Escape: "Esc",
};

describe("the keyboard help", () => {
  it("lists every key App.tsx's keyboard handler compares e.key with", () => {
    const app = readFileSync(new URL("../App.tsx", import.meta.url), "utf8");
    const handler = app.slice(app.indexOf("const onKey = (e: KeyboardEvent)"), app.indexOf('window.addEventListener("keydown", onKey)'));
    expect(handler.length).toBeGreaterThan(200);
    const keys = new Set([...handler.matchAll(/e\.key === "([^"]+)"/g)].map((m) => m[1]!));
    // The handler's own keys, at least: stepping, play, undo and redo.
    for (const k of ["ArrowRight", "ArrowLeft", "Home", "End", " ", "z", "y"]) expect(keys).toContain(k);
    const listed = new Set(SHORTCUTS.flatMap((g) => g.items.flatMap((i) => i.keys)));
    for (const k of keys) {
      const shown = SHOWN[k] ?? k;
      expect(listed, `the key ${JSON.stringify(k)} is handled in App.tsx but not listed in shortcuts.ts`).toContain(shown);
    }
    // And the help's own key, which App.tsx asks isHelpKey about.
    expect(handler).toContain("isHelpKey(e)");
    expect(listed).toContain("?");
  });

  it("opens on ? alone, not with Ctrl, Alt or Meta", () => {
    const k = { key: "?", ctrlKey: false, altKey: false, metaKey: false };
    expect(isHelpKey(k)).toBe(true);
    expect(isHelpKey({ ...k, ctrlKey: true })).toBe(false);
    expect(isHelpKey({ ...k, altKey: true })).toBe(false);
    expect(isHelpKey({ ...k, metaKey: true })).toBe(false);
    expect(isHelpKey({ ...k, key: "/" })).toBe(false);
  });

  it("names no key twice in one group", () => {
    for (const g of SHORTCUTS) {
      const keys = g.items.flatMap((i) => i.keys);
      expect(new Set(keys).size, g.title).toBe(keys.length);
    }
  });
});
