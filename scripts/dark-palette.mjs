/**
 * Writes src/dark-palette.css: dark mode as Tailwind's own palette turned over. Under `.dark`
 * each colour scale the app uses runs the other way (DARK_SHADE: 50 ↔ 950, 100 ↔ 900, 200 ↔ 800;
 * 400 and 500 trade places, so that secondary text, slate-500 on white, stays readable as
 * slate-400 on slate-950; 600 and 700, the shades of text on white, both become 300), white
 * becomes slate-900 and black white, so every `bg-white text-slate-900` pair keeps its contrast
 * with the light and dark ends swapped, and an accent (text-blue-700 on a light panel) becomes
 * its light shade on a dark one. Parts that are dark in both themes (the shell) carry
 * `.keep-palette`, which puts the palette back. Run `node scripts/dark-palette.mjs` after adding
 * a colour scale to the app; src/dark-palette.test.ts checks the file is what this writes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const SCALES = ["slate", "amber", "red", "blue", "sky", "emerald", "orange", "green", "teal", "purple", "violet", "yellow"];
const SHADES = ["50", "100", "200", "300", "400", "500", "600", "700", "800", "900", "950"];
/** Which shade each shade shows in dark mode. */
export const DARK_SHADE = { 50: "950", 100: "900", 200: "800", 300: "700", 400: "500", 500: "400", 600: "300", 700: "300", 800: "200", 900: "100", 950: "50" };

/** Tailwind's palette, as its theme.css declares it: "--color-slate-50" → "oklch(…)". */
export function tailwindPalette() {
  const require = createRequire(import.meta.url);
  const css = readFileSync(require.resolve("tailwindcss/theme.css"), "utf8");
  const out = new Map();
  for (const m of css.matchAll(/(--color-[a-z]+(?:-\d+)?):\s*([^;]+);/g)) out.set(m[1], m[2].trim());
  return out;
}

export function darkPaletteCss() {
  const p = tailwindPalette();
  const get = (name) => {
    const v = p.get(name);
    if (!v) throw new Error(`tailwindcss/theme.css has no ${name}`);
    return v;
  };
  const turned = [];
  const kept = [];
  for (const scale of SCALES) {
    SHADES.forEach((shade) => {
      const other = DARK_SHADE[shade];
      turned.push(`  --color-${scale}-${shade}: ${get(`--color-${scale}-${other}`)};`);
      kept.push(`  --color-${scale}-${shade}: ${get(`--color-${scale}-${shade}`)};`);
    });
  }
  turned.push(`  --color-white: ${get("--color-slate-900")};`, `  --color-black: ${get("--color-white")};`);
  kept.push(`  --color-white: ${get("--color-white")};`, `  --color-black: ${get("--color-black")};`);
  return [
    "/* Written by scripts/dark-palette.mjs from tailwindcss/theme.css: do not edit by hand. */",
    "@layer base {",
    ".dark {",
    ...turned,
    "}",
    ".dark .keep-palette {",
    ...kept,
    "}",
    "}",
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = new URL("../src/dark-palette.css", import.meta.url);
  writeFileSync(target, darkPaletteCss());
  console.log(`wrote ${fileURLToPath(target)}`);
}
