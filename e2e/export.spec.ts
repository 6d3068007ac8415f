/**
 * Export: each file is downloaded as a reader would and checked as a file (PNG signature and
 * IHDR size, the SVG parses and shows the diagram, GIF and WebM headers, sizes and one frame
 * per step at the level, the narration's sentences in order). The expected steps come from the
 * engine run here in Node, not from the page.
 */
import { readFile } from "node:fs/promises";
import { expect, test, type Download, type Page } from "@playwright/test";
import { runScenario } from "../src/engine/k8s/run";
import { builtinScenario } from "../src/engine/scenarios/article";
import type { Step } from "../src/engine/trace";
import { visibleSteps, type Level } from "../src/store/levels";
import { flatten } from "../src/store/playback";
import { gifInfo, pngInfo, webmInfo } from "../src/view/export/inspect";
import { HopscopePage } from "./hopscope";

/** The steps of flow `flow` (or the last one) of a built-in scenario at a level, as the engine traces them. */
function flowSteps(id: string, level: Level, flow: number | "last"): { flow: number; steps: Step[] } {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error(`${id} did not run`);
  const all = flatten(r.trace);
  const f = flow === "last" ? r.trace.flows.length - 1 : flow;
  return { flow: f, steps: visibleSteps(all, level).filter((i) => all[i]!.flow === f).map((i) => all[i]!.step) };
}

async function openExport(page: Page) {
  await page.getByRole("button", { name: "Export" }).click();
  const dialog = page.getByRole("dialog", { name: "Export" });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function download(page: Page, choice: string): Promise<{ name: string; bytes: Uint8Array; dl: Download }> {
  const dialog = page.getByRole("dialog", { name: "Export" });
  const [dl] = await Promise.all([page.waitForEvent("download", { timeout: 90_000 }), dialog.getByRole("button", { name: choice, exact: true }).click()]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), bytes: new Uint8Array(await readFile(path)), dl };
}

/** The diagram's on-screen size, CSS pixels, rounded as the exporter rounds it. */
async function screen(page: Page): Promise<{ width: number; height: number }> {
  const box = await page.getByTestId("topology").boundingBox();
  if (!box) throw new Error("no diagram");
  return { width: Math.round(box.width), height: Math.round(box.height) };
}

/** The diagram's own size: its view box, rounded as the export rounds it. */
async function viewBox(page: Page): Promise<{ width: number; height: number }> {
  const [, , w, h] = ((await page.getByTestId("topology").getAttribute("viewBox")) ?? "").split(" ").map(Number);
  return { width: Math.round(w!), height: Math.round(h!) };
}

test.describe("export", () => {
  test.setTimeout(180_000);

  test("PNG of the view at 1× and 2×, and of the whole diagram: the signature, and IHDR's size is the area's times the scale", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    for (let i = 0; i < 11; i++) await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("position")).toHaveText(/^12 \//);
    const size = await screen(page);
    const dialog = await openExport(page);
    const one = await download(page, "PNG image");
    expect(one.name).toBe("hopscope-nodeport-step-12.png");
    expect(pngInfo(one.bytes)).toEqual(size);
    await dialog.getByLabel("Scale").selectOption("2");
    const two = await download(page, "PNG image");
    expect(pngInfo(two.bytes)).toEqual({ width: size.width * 2, height: size.height * 2 });
    await expect(dialog.getByRole("status")).toHaveText(`Saved hopscope-nodeport-step-12.png (${size.width * 2} × ${size.height * 2})`);
    // The whole diagram: its own size (its view box, laid out for the room it has) times the scale, whatever the zoom.
    const own = await viewBox(page);
    await dialog.getByLabel("Area").selectOption("whole");
    await dialog.getByLabel("Scale").selectOption("1");
    await expect(dialog.getByRole("button", { name: "PNG image" })).toHaveAccessibleDescription(`This step (12), ${own.width}\u00a0×\u00a0${own.height}\u00a0px`);
    expect(pngInfo((await download(page, "PNG image")).bytes)).toEqual(own);
    // The reader's step is where it was.
    await expect(page.getByTestId("position")).toHaveText(/^12 \//);
  });

  test("SVG of the view parses as XML, carries its styles inline, shows the diagram's nodes and pods, and the zoom of the view (not of the whole diagram)", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("pod-to-pod");
    // Zoomed in: the picture of the view keeps the zoom, the whole diagram does not.
    await page.getByTestId("topology").hover();
    await page.mouse.wheel(0, -300);
    await expect(page.getByTestId("topology").locator(":scope > g")).toHaveAttribute("transform", /scale\((?!1\))/);
    const dialog = await openExport(page);
    const svg = await download(page, "SVG image");
    expect(svg.name).toBe("hopscope-pod-to-pod-step-1.svg");
    const text = new TextDecoder().decode(svg.bytes);
    const size = await screen(page);
    const facts = await page.evaluate((t) => {
      const doc = new DOMParser().parseFromString(t, "image/svg+xml");
      const root = doc.documentElement;
      return {
        error: doc.getElementsByTagName("parsererror").length,
        root: root.localName,
        ns: root.namespaceURI,
        width: root.getAttribute("width"),
        height: root.getAttribute("height"),
        texts: Array.from(doc.getElementsByTagName("text")).map((e) => e.textContent),
        classes: doc.querySelectorAll("[class]").length,
        fonts: [...new Set(Array.from(doc.getElementsByTagName("text")).map((e) => e.getAttribute("font-family")))],
        packet: doc.querySelectorAll('[data-testid="packet"] circle').length,
        workers: ["worker-0", "worker-1", "worker-2"].map((w) => doc.querySelectorAll(`[data-testid="node-${w}"]`).length),
      };
    }, text);
    expect(facts).toMatchObject({ error: 0, root: "svg", ns: "http://www.w3.org/2000/svg", width: String(size.width), height: String(size.height), classes: 0, workers: [1, 1, 1] });
    expect(facts.packet).toBeGreaterThan(0);
    // The labels' sans-serif, and the monospace of the packet's badge and the trail's addresses: both fonts every system has.
    expect(facts.fonts.sort()).toEqual(['"Courier New", "Liberation Mono", "DejaVu Sans Mono", monospace', 'Arial, Helvetica, "Liberation Sans", "DejaVu Sans", sans-serif']);
    for (const label of ["worker-0", "worker-1", "worker-2", "eth0 10.240.0.20", "cnio0 10.200.0.1 (bridge)"]) expect(facts.texts).toContain(label);
    const zoomOf = (t: string) => page.evaluate((x) => new DOMParser().parseFromString(x, "image/svg+xml").querySelector('svg > svg > g')?.getAttribute("transform") ?? null, t);
    expect(await zoomOf(text)).toBe(await page.getByTestId("topology").locator(":scope > g").getAttribute("transform"));
    await dialog.getByLabel("Area").selectOption("whole");
    const whole = new TextDecoder().decode((await download(page, "SVG image")).bytes);
    expect(await zoomOf(whole)).toBeNull();
    const own = await viewBox(page);
    expect(whole).toMatch(new RegExp(`^<\\?xml[^>]*>\n<svg [^>]*width="${own.width}" height="${own.height}"`));
  });

  for (const level of ["hops", "rules"] as const) {
    test(`GIF of the flow at the ${level} level: GIF89a, the size asked for, one frame per step`, async ({ page }) => {
      const app = new HopscopePage(page);
      await app.open();
      await app.pick("nodeport");
      const expected = flowSteps("nodeport", level, 0);
      const size = await screen(page);
      const dialog = await openExport(page);
      await dialog.getByLabel("Level of detail").selectOption(level);
      await expect(dialog.getByRole("button", { name: "GIF animation" })).toHaveAccessibleDescription(`This flow, ${expected.steps.length}\u00a0frames, ${size.width}\u00a0×\u00a0${size.height}\u00a0px`);
      const gif = await download(page, "GIF animation");
      expect(gif.name).toBe(`hopscope-nodeport-flow-1-${level}.gif`);
      expect(gifInfo(gif.bytes)).toMatchObject({ version: "GIF89a", width: size.width, height: size.height, frames: expected.steps.length, loops: true });
      // The browser's own decoder agrees.
      const decoded = await page.evaluate(async (bytes) => {
        const dec = new ImageDecoder({ data: new Uint8Array(bytes), type: "image/gif" });
        await dec.tracks.ready;
        const first = await dec.decode({ frameIndex: 0 });
        return { frames: dec.tracks.selectedTrack?.frameCount, width: first.image.displayWidth, height: first.image.displayHeight };
      }, [...gif.bytes]);
      expect(decoded).toEqual({ frames: expected.steps.length, width: size.width, height: size.height });
      if (level !== "hops") return;
      // With captions: the same frames, and a band at the bottom of each that the plain one has not.
      await dialog.getByLabel("Captions on animation frames (the step and its sentence)").check();
      const captioned = await download(page, "GIF animation");
      expect(gifInfo(captioned.bytes)).toMatchObject({ width: size.width, height: size.height, frames: expected.steps.length });
      const rows = await page.evaluate(
        async ([plain, withCaptions]) => {
          const row = async (bytes: number[], y: number) => {
            const dec = new ImageDecoder({ data: new Uint8Array(bytes), type: "image/gif" });
            const { image } = await dec.decode({ frameIndex: 0 });
            const c = new OffscreenCanvas(image.displayWidth, image.displayHeight);
            const ctx = c.getContext("2d")!;
            ctx.drawImage(image, 0, 0);
            return Array.from(ctx.getImageData(0, y, c.width, 1).data);
          };
          const h = (await new ImageDecoder({ data: new Uint8Array(plain!), type: "image/gif" }).decode()).image.displayHeight;
          return {
            bottomSame: JSON.stringify(await row(plain!, h - 3)) === JSON.stringify(await row(withCaptions!, h - 3)),
            // Each frame has its own palette, so a colour may move by a step or two; the picture above the band is the same.
            topSame: await (async () => {
              const [a, b] = [await row(plain!, 2), await row(withCaptions!, 2)];
              return a.every((v, k) => Math.abs(v - b[k]!) <= 12);
            })(),
          };
        },
        [[...gif.bytes], [...captioned.bytes]],
      );
      expect(rows).toEqual({ bottomSame: false, topSame: true });
    });
  }

  test("WebM of the last flow: the EBML header, an even frame size and one block per step, at two levels", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    await page.keyboard.press("End");
    const size = await screen(page);
    const dialog = await openExport(page);
    for (const level of ["hops", "hooks"] as const) {
      const expected = flowSteps("nodeport", level, "last");
      await dialog.getByLabel("Level of detail").selectOption(level);
      const video = await download(page, "WebM video");
      expect(video.name).toBe(`hopscope-nodeport-flow-${expected.flow + 1}-${level}.webm`);
      const info = webmInfo(video.bytes);
      expect(info).toEqual({ docType: "webm", codec: "V_VP8", width: size.width + (size.width % 2), height: size.height + (size.height % 2), frames: expected.steps.length });
      // The browser plays it: its size, and one step per half second (the default speed, 2 steps a second).
      const played = await page.evaluate(async (bytes) => {
        const video = document.createElement("video");
        video.muted = true;
        video.src = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: "video/webm" }));
        await new Promise((resolve, reject) => {
          video.onloadedmetadata = resolve;
          video.onerror = () => reject(new Error(video.error?.message ?? "the video did not load"));
        });
        return { width: video.videoWidth, height: video.videoHeight, duration: video.duration };
      }, [...video.bytes]);
      expect(played).toMatchObject({ width: info.width, height: info.height });
      expect(played.duration).toBeCloseTo(expected.steps.length * 0.5, 1);
    }
  });

  test("the narration in Markdown has each step's sentence in order, with why and the rule text", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    const expected = flowSteps("nodeport", "hooks", 0);
    const dialog = await openExport(page);
    await dialog.getByLabel("Level of detail").selectOption("hooks");
    const md = await download(page, "Narration (Markdown)");
    expect(md.name).toBe("hopscope-nodeport-flow-1-hooks.md");
    const text = new TextDecoder().decode(md.bytes);
    const unescape = (s: string) => s.replace(/\\([\\`*_[\]<])/g, "$1");
    const headings = [...text.matchAll(/^## (\d+)\. (.*)$/gm)].map((m) => unescape(m[2]!));
    expect(headings).toEqual(expected.steps.map((s) => s.text));
    const rules = expected.steps.flatMap((s) => (s.detail.kind === "rule" ? [s.detail.rule] : []));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(text).toContain(r);
  });

  test("the menu works from the keyboard, Escape closes it, and a long export can be cancelled", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    await page.getByRole("button", { name: "Export" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Export" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "PNG image" })).toBeFocused();
    for (const name of ["SVG image", "GIF animation", "WebM video", "Narration (Markdown)"]) {
      await page.keyboard.press("Tab");
      await expect(dialog.getByRole("button", { name, exact: true })).toBeFocused();
    }
    // The arrows stay in the dialog: the step does not move.
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("position")).toHaveText(/^1 \//);
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Export" })).toBeFocused();

    await openExport(page);
    await dialog.getByLabel("Level of detail").selectOption("rules");
    await dialog.getByLabel("Scale").selectOption("3");
    let downloads = 0;
    page.on("download", () => downloads++);
    await dialog.getByRole("button", { name: "GIF animation" }).click();
    await expect(dialog.getByRole("progressbar", { name: "Export progress" })).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog.getByRole("status")).toHaveText("Export cancelled");
    await expect(dialog.getByRole("progressbar")).toHaveCount(0);
    expect(downloads).toBe(0);
    await expect(page.getByTestId("position")).toHaveText(/^1 \//);
  });

  test("a browser that cannot encode video is told so in words", async ({ page }) => {
    await page.addInitScript(() => {
      // As in a browser without WebCodecs.
      delete (window as { VideoEncoder?: unknown }).VideoEncoder;
    });
    const app = new HopscopePage(page);
    await app.open();
    const dialog = await openExport(page);
    await dialog.getByRole("button", { name: "WebM video" }).click();
    await expect(dialog.getByRole("alert")).toHaveText(/^Could not export: this browser cannot encode video/);
    await expect(dialog.getByRole("button", { name: "WebM video" })).toBeEnabled();
  });
});
