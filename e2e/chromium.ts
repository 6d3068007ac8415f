/**
 * Which Chromium the e2e tests drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else the
 * one Playwright installed. Playwright cannot download browsers on these machines, so when none
 * is there we stop with instructions instead of a stack trace.
 */
import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

export function findChromium(): string {
  const candidates: { path: string; from: string }[] = [];
  if (process.env.CHROMIUM_PATH) candidates.push({ path: process.env.CHROMIUM_PATH, from: "CHROMIUM_PATH" });
  candidates.push({ path: "/usr/bin/chromium", from: "Debian's chromium package" });
  try {
    candidates.push({ path: chromium.executablePath(), from: "Playwright's own download" });
  } catch {
    // Playwright knows no browser of its own here.
  }
  for (const c of candidates) if (c.path && existsSync(c.path)) return c.path;
  const tried = candidates.map((c) => `  - ${c.path || "(unset)"} (${c.from})`).join("\n");
  throw new Error(
    `No Chromium found for the end-to-end tests. Looked at:\n${tried}\n` +
      `Install one:\n  Debian/Ubuntu: apt-get install chromium\n  elsewhere:     npx playwright install chromium\n` +
      `or point CHROMIUM_PATH at a Chromium binary.`,
  );
}
