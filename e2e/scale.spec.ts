/**
 * [scale-ui]: from 3 workers to 100. The diagram at Fit on a 1280×800 window: no box overlaps a
 * sibling, no size is negative, no label is drawn under 10 px; the trace's nodes and pods are
 * drawn whole and named; search, fold and the minimap work. Timings are printed, not asserted.
 */
import { expect, test, type Page } from "@playwright/test";
import { scaleScenario } from "../src/engine/scenarios/generate";
import { encodeView } from "./hopscope";
import { domCount, frameTimes, keyToStep } from "./measure";

const SIZES = [
  { workers: 3, podsPerWorker: 2, services: 3 },
  { workers: 20, podsPerWorker: 30, services: 3 },
  { workers: 100, podsPerWorker: 30, services: 3 },
] as const;

/** Opens a generated cluster from a link; returns the milliseconds until its diagram and first step are on screen. */
async function openCluster(page: Page, size: (typeof SIZES)[number], hash = ""): Promise<number> {
  const view = encodeView({ scenario: { spec: scaleScenario(size) } });
  const t0 = Date.now();
  await page.goto(`/#view=${view}${hash}`);
  await expect(page.getByTestId("topology")).toBeVisible();
  await expect(page.getByTestId("loading")).toHaveCount(0, { timeout: 20_000 });
  await expect(page.getByTestId("position")).toHaveText(/^1 \//, { timeout: 20_000 });
  await expect(page.getByTestId("node-worker-1")).toBeVisible();
  const ms = Date.now() - t0;
  await expect(page.getByTestId("notice")).toHaveCount(0);
  return ms;
}

/** What the diagram draws, measured in the page: boxes in screen pixels, labels' drawn sizes. */
function survey(page: Page) {
  return page.evaluate(() => {
    const svg = document.querySelector<SVGSVGElement>('svg[data-testid="topology"]')!;
    const rectOf = (g: Element) => {
      const r = g.querySelector(":scope > rect")!.getBoundingClientRect();
      return { id: g.getAttribute("data-testid")!, x: r.x, y: r.y, w: r.width, h: r.height };
    };
    const nodes = Array.from(svg.querySelectorAll('[data-testid^="node-"]')).map(rectOf);
    const pods = Array.from(svg.querySelectorAll('[data-testid^="pod-"]')).map(rectOf);
    const services = svg.querySelector('[data-testid="topology"] > g > rect[stroke-dasharray]')?.getBoundingClientRect();
    const labels = Array.from(svg.querySelectorAll("text"))
      .filter((t) => t.getClientRects().length > 0 && getComputedStyle(t).display !== "none" && t.closest('[data-testid="packet"], [data-testid="trail"]') === null)
      .map((t) => ({ text: t.textContent ?? "", px: parseFloat(t.getAttribute("font-size") ?? "0") * (t.getScreenCTM()?.a ?? 0) }));
    return { nodes, pods, services: services ? { x: services.x, y: services.y, w: services.width, h: services.height } : undefined, labels };
  });
}

type Rect = { id: string; x: number; y: number; w: number; h: number };
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;

function noOverlaps(boxes: readonly Rect[]): string[] {
  const bad: string[] = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) if (overlaps(boxes[i]!, boxes[j]!)) bad.push(`${boxes[i]!.id} × ${boxes[j]!.id}`);
  return bad;
}

test.describe("the diagram at scale", () => {
  for (const size of SIZES) {
    const name = `${size.workers}×${size.podsPerWorker}`;
    test(`${name} at Fit on 1280×800: no overlaps, no negative sizes, no label under 10 px; the trace's nodes and pods are named`, async ({ page }) => {
      test.setTimeout(90_000);
      await page.setViewportSize({ width: 1280, height: 800 });
      const ms = await openCluster(page, size);
      const s = await survey(page);
      for (const b of [...s.nodes, ...s.pods]) {
        expect(b.w, b.id).toBeGreaterThan(0);
        expect(b.h, b.id).toBeGreaterThan(0);
      }
      expect(noOverlaps(s.nodes)).toEqual([]);
      expect(noOverlaps(s.pods)).toEqual([]);
      if (s.services) for (const b of s.nodes) expect(overlaps(b, { id: "services", ...s.services }), `${b.id} over the services`).toBe(false);
      // The search box, the Legend button and the minimap float over the diagram: never over a node.
      const floating = [page.getByRole("search", { name: "Find on the diagram" }), page.getByRole("button", { name: "Legend" }), page.getByTestId("minimap")];
      for (const f of floating) {
        if (!(await f.count())) continue;
        const r = (await f.boundingBox())!;
        const what = await f.evaluate((e) => e.getAttribute("aria-label") ?? e.tagName);
        const under = s.nodes.filter((b) => overlaps({ id: what, x: r.x, y: r.y, w: r.width, h: r.height }, b)).map((b) => b.id);
        expect(under, `${what} over nodes`).toEqual([]);
      }
      const small = s.labels.filter((l) => l.px < 10 - 0.01);
      expect(small, small.map((l) => `${l.text} ${l.px.toFixed(1)} px`).join(", ")).toEqual([]);
      // What the trace touches is drawn whole, and its names are read at Fit.
      const texts = s.labels.map((l) => l.text);
      for (const label of ["worker-0", "worker-1", "client", "server"]) expect(texts, label).toContain(label);
      await expect(page.getByTestId("node-worker-1")).toHaveAttribute("data-mode", "full");
      // Timings, printed.
      const key = await keyToStep(page);
      const dom = await domCount(page);
      await page.getByTestId("speed").selectOption("4");
      await page.getByTestId("play").click();
      const frames = await frameTimes(page, 2000);
      await page.getByTestId("play").click();
      console.log(`[scale-ui] ${name} at 1280×800: on screen in ${ms} ms; key → step median ${key.median.toFixed(1)} ms (max ${key.max.toFixed(1)}); ${dom.page} elements (${dom.diagram} in the diagram); frames while playing median ${frames.median.toFixed(1)} ms, p95 ${frames.p95.toFixed(1)} ms; ${s.nodes.length} nodes and ${s.pods.length} pods drawn`);
      await page.screenshot({ path: `e2e-artifacts/scale-${name}-1280x800.png` });
    });
  }

  test("a folded node unfolds on a click and folds again; the search finds a folded pod, unfolds its node and brings it into view", async ({ page }) => {
    test.setTimeout(90_000);
    await page.setViewportSize({ width: 1280, height: 800 });
    await openCluster(page, SIZES[1]);
    const fold = page.getByTestId("fold-worker-0");
    await expect(fold).toHaveAttribute("data-unfolded", "no");
    const before = await page.locator('[data-testid^="pod-"]').count();
    await fold.click();
    await expect(fold).toHaveAttribute("data-unfolded", "yes");
    expect(await page.locator('[data-testid^="pod-"]').count()).toBe(before + 29);
    await page.getByRole("button", { name: /^Fold worker-0's pods/ }).click();
    await expect(page.locator('[data-testid^="pod-"]')).toHaveCount(before);
    // A pod on a worker drawn as a cell: found by name from the keyboard (/ focuses the box).
    await page.keyboard.press("/");
    // A search field with suggestions: a combobox.
    const search = page.getByRole("combobox", { name: "Find a pod, node, service or address" });
    await expect(search).toBeFocused();
    await search.fill("worker-17");
    await search.press("Enter");
    await expect(page.getByTestId("diagram-search-status")).toHaveText(/^Found worker-17/);
    await expect(page.getByTestId("node-worker-17")).toHaveAttribute("data-mode", "full");
    await expect(page.getByTestId("found")).toBeVisible();
    await expect.poll(async () => Number(await page.getByTestId("topology").getAttribute("data-zoom"))).toBeGreaterThan(1);
    const box = (await page.getByTestId("topology").boundingBox())!;
    const found = (await page.getByTestId("node-worker-17").locator(":scope > rect").boundingBox())!;
    expect(found.x + found.width / 2).toBeGreaterThan(box.x);
    expect(found.x + found.width / 2).toBeLessThan(box.x + box.width);
    // By address: worker-5's second pod.
    await search.fill("10.200.5.3");
    await search.press("Enter");
    await expect(page.getByTestId("diagram-search-status")).toHaveText(/^Found .* 10\.200\.5\.3 \(worker-5\)$/);
    await expect(page.getByTestId("fold-worker-5")).toHaveAttribute("data-unfolded", "yes");
    await search.fill("no-such-thing");
    await search.press("Enter");
    await expect(page.getByTestId("diagram-search-status")).toHaveText("Nothing matches “no-such-thing”");
  });

  test("100 workers: the minimap shows the whole cluster and a click on it moves the view", async ({ page }) => {
    test.setTimeout(90_000);
    await page.setViewportSize({ width: 1280, height: 800 });
    await openCluster(page, SIZES[2]);
    const map = page.getByTestId("minimap");
    await expect(map).toBeVisible();
    const topology = page.getByTestId("topology");
    // Zoom in, then a click on the minimap's bottom left brings that part of the cluster into view.
    const t = (await topology.boundingBox())!;
    await page.mouse.move(t.x + t.width / 2, t.y + t.height / 2);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -240);
    await expect.poll(async () => Number(await topology.getAttribute("data-zoom"))).toBeGreaterThan(1.5);
    const transform = () => topology.locator(":scope > g").getAttribute("transform");
    const before = await transform();
    const m = (await map.boundingBox())!;
    await page.mouse.click(m.x + 10, m.y + m.height - 10);
    await expect.poll(transform).not.toBe(before);
    // Zoomed in, the cells' names are drawn (at 10 px or more) where at Fit some were not.
    const s = await survey(page);
    expect(s.labels.filter((l) => /^worker-\d+$/.test(l.text)).length).toBeGreaterThan(0);
    expect(s.labels.filter((l) => l.px < 10 - 0.01)).toEqual([]);
  });

  for (const screen of [
    { width: 390, height: 844, name: "a phone", hash: "" },
    { width: 800, height: 450, name: "an 800×450 embed", hash: "&embed=1" },
    { width: 1920, height: 1080, name: "a projector", hash: "" },
  ]) {
    test(`20×30 on ${screen.name}: no overlaps, no label under 10 px (11 px in the embed), timings printed`, async ({ page }) => {
      test.setTimeout(90_000);
      await page.setViewportSize({ width: screen.width, height: screen.height });
      const ms = await openCluster(page, SIZES[1], screen.hash);
      const s = await survey(page);
      expect(noOverlaps(s.nodes)).toEqual([]);
      expect(noOverlaps(s.pods)).toEqual([]);
      const min = screen.hash ? 11 : 10;
      const small = s.labels.filter((l) => l.px < min - 0.01);
      expect(small, small.map((l) => `${l.text} ${l.px.toFixed(1)} px`).join(", ")).toEqual([]);
      expect(s.labels.map((l) => l.text)).toContain("worker-1");
      if (screen.width < 500) {
        // Full width on a phone.
        const d = (await page.getByTestId("topology").boundingBox())!;
        expect(d.width).toBeGreaterThanOrEqual(screen.width - 1);
      }
      const key = await keyToStep(page);
      const dom = await domCount(page);
      console.log(`[scale-ui] 20×30 on ${screen.name} (${screen.width}×${screen.height}): on screen in ${ms} ms; key → step median ${key.median.toFixed(1)} ms; ${dom.page} elements (${dom.diagram} in the diagram); smallest label ${Math.min(...s.labels.map((l) => l.px)).toFixed(1)} px`);
      await page.screenshot({ path: `e2e-artifacts/scale-20x30-${screen.width}x${screen.height}.png`, fullPage: screen.width < 500 });
    });
  }
});
