import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { DARK_SHADE, darkPaletteCss, tailwindPalette } from "../scripts/dark-palette.mjs";

describe("the dark palette", () => {
  it("is what scripts/dark-palette.mjs writes from the installed Tailwind (run it after a Tailwind upgrade)", () => {
    expect(readFileSync(new URL("./dark-palette.css", import.meta.url), "utf8")).toBe(darkPaletteCss());
  });

  it("turns each scale over: slate-50 shows slate-950's colour under .dark, slate-500 shows slate-400's, white shows slate-900's", () => {
    const p: Map<string, string> = tailwindPalette();
    const css = readFileSync(new URL("./dark-palette.css", import.meta.url), "utf8");
    const dark = css.slice(css.indexOf(".dark {"), css.indexOf(".dark .keep-palette"));
    const value = (name: string) => new RegExp(`${name}: ([^;]+);`).exec(dark)?.[1];
    expect(value("--color-slate-50")).toBe(p.get("--color-slate-950"));
    expect(value("--color-slate-500")).toBe(p.get(`--color-slate-${(DARK_SHADE as Record<string, string>)["500"]}`));
    expect(value("--color-slate-500")).toBe(p.get("--color-slate-400"));
    expect(value("--color-white")).toBe(p.get("--color-slate-900"));
  });
});

describe("components and the dark palette", () => {
  it("use no dark: variants: the turned-over palette darkens every colour class, and a dark: class would be turned back", async () => {
    const { readdirSync, statSync } = await import("node:fs");
    const { join } = await import("node:path");
    const root = new URL("./view", import.meta.url).pathname;
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".tsx") && /\bdark:[a-z]/.test(readFileSync(p, "utf8"))) found.push(p.slice(root.length + 1));
      }
    };
    walk(root);
    expect(found).toEqual([]);
  });
});
