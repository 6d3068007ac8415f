/**
 * [scale-ui] benchmark in the browser: the production build (dist/, from `npm run build`) served
 * by `vite preview` and driven by headless Chromium. For each cluster and screen it prints the
 * time from navigation to the diagram and first step on screen, the page's elements (and the
 * diagram's), key press → highlighted step, and frame times while playing. Figures only: nothing
 * is asserted.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "@playwright/test";
import { preview } from "vite";
import { findChromium } from "../e2e/chromium";
import { encodeView } from "../e2e/hopscope";
import { domCount, frameTimes, keyToStep } from "../e2e/measure";
import { scaleScenario, type ScaleOptions } from "../src/engine/scenarios/generate";

const CLUSTERS: readonly ScaleOptions[] = [
  { workers: 3, podsPerWorker: 2, services: 3 },
  { workers: 20, podsPerWorker: 30, services: 3 },
  { workers: 100, podsPerWorker: 30, services: 3 },
  { workers: 100, podsPerWorker: 30, services: 1000 },
];
const SCREENS = [
  { name: "1280×800", width: 1280, height: 800, hash: "" },
  { name: "390×844 phone", width: 390, height: 844, hash: "" },
  { name: "800×450 embed", width: 800, height: 450, hash: "&embed=1" },
  { name: "1920×1080", width: 1920, height: 1080, hash: "" },
];

export async function runUiBench(): Promise<void> {
  console.log("\n[scale-ui] the page in headless Chromium (production build)");
  if (!existsSync("dist/index.html")) {
    console.log("skipped: no production build in dist/ (run `npm run build` first)");
    return;
  }
  let executablePath: string;
  try {
    executablePath = findChromium();
  } catch (e) {
    console.log(`skipped: ${(e as Error).message.split("\n")[0]}`);
    return;
  }
  const server = await preview({ logLevel: "silent", preview: { port: 4196, strictPort: false, host: "127.0.0.1" } });
  const base = server.resolvedUrls?.local[0] ?? "http://127.0.0.1:4196/";
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
    for (const cluster of CLUSTERS) {
      const view = encodeView({ scenario: { spec: scaleScenario(cluster) } });
      const name = `${cluster.workers}×${cluster.podsPerWorker}, ${cluster.services} services`;
      // Every screen for the mid-sized cluster; the 1280×800 window for the others.
      const screens = cluster.workers === 20 ? SCREENS : SCREENS.slice(0, 1);
      for (const screen of screens) {
        const page = await browser.newPage({ viewport: { width: screen.width, height: screen.height } });
        // tsx keeps function names with a helper the page does not have (Playwright compiles the specs without it).
        await page.addInitScript("globalThis.__name = (f) => f;");
        const t0 = Date.now();
        await page.goto(`${base}#view=${view}${screen.hash}`);
        await page.getByTestId("position").filter({ hasText: /^1 \// }).waitFor({ timeout: 30_000 });
        await page.getByTestId("node-worker-1").waitFor({ timeout: 30_000 });
        const open = Date.now() - t0;
        const dom = await domCount(page);
        const key = await keyToStep(page);
        await page.getByTestId("speed").selectOption("4");
        await page.getByTestId("play").click();
        const f = await frameTimes(page, 2000);
        await page.close();
        console.log(
          `${`${name}, ${screen.name}:`.padEnd(46)} on screen ${String(open).padStart(5)} ms · ${String(dom.page).padStart(6)} elements (${dom.diagram} in the diagram) · key → step median ${key.median.toFixed(1)} ms, max ${key.max.toFixed(1)} · frames median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms`,
        );
      }
    }
  } finally {
    await browser?.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}
