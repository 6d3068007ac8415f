import { expect, test } from "@playwright/test";
import lzString from "lz-string";
import { BUILTIN_SCENARIOS } from "../src/engine/scenarios/article";
import { HopscopePage } from "./hopscope";

/** A link whose scenario fails validation: the gateway is not an address. */
const invalidSpec = lzString.compressToEncodedURIComponent(
  JSON.stringify({ v: 1, scenario: { spec: { ...BUILTIN_SCENARIOS[0], cluster: { ...BUILTIN_SCENARIOS[0]!.cluster, gateway: "10.240.0.999" } } }, flow: 0, step: 0 }),
);

test.describe("share links and embedding", () => {
  test("a copied link opens the same scenario at the same step in a fresh page", async ({ browser }) => {
    const ctx = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await ctx.newPage();
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    await app.stepTo(/MASQUERADE rewrites the source/);
    const position = await page.getByTestId("position").textContent();
    const live = await page.getByTestId("live").textContent();
    await page.getByTestId("copy-link").click();
    await expect(page.getByTestId("copied")).toHaveText("Link copied");
    const link = await page.evaluate(() => navigator.clipboard.readText());
    // The link keeps the level of detail it was read at.
    expect(link).toMatch(/#view=[A-Za-z0-9+\-$]+&at=\d+\.\d+&level=rules$/);
    const fresh = await (await browser.newContext()).newPage();
    await fresh.goto(link);
    await expect(fresh.getByTestId("scenario-picker")).toHaveValue("nodeport");
    await expect(fresh.getByTestId("position")).toHaveText(position!);
    await expect(fresh.getByTestId("live")).toHaveText(live!);
    await expect(fresh.getByTestId("nat-diff")).toBeVisible();
    await ctx.close();
  });

  test("back and forward move between scenarios", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("same-node");
    await app.pick("nodeport");
    await page.goBack();
    await expect(page.getByTestId("scenario-picker")).toHaveValue("same-node");
    await page.goForward();
    await expect(page.getByTestId("scenario-picker")).toHaveValue("nodeport");
  });

  test("the embed code is an iframe with a size and a title", async ({ browser }) => {
    const ctx = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await ctx.newPage();
    const app = new HopscopePage(page);
    await app.open();
    await app.menu();
    await page.getByTestId("copy-embed").click();
    const code = await page.evaluate(() => navigator.clipboard.readText());
    expect(code).toMatch(/^<iframe src="[^"]+#view=[^"]+&amp;embed=1&amp;level=rules" width="800" height="450" title="Hopscope: Pod to pod across nodes \(ipMasq on\)"/);
    await ctx.close();
  });

  for (const size of [
    { width: 800, height: 450 },
    { width: 1280, height: 720 },
  ]) {
    test(`embed mode at ${size.width}×${size.height}: diagram, controls and hop detail (or, small, one line of narration) only`, async ({ page }) => {
      await page.setViewportSize(size);
      await page.goto("/#embed=1&start=12&level=rules");
      await expect(page.getByTestId("topology")).toBeVisible();
      await expect(page.getByTestId("position")).toHaveText(/^13 \//);
      // A slide's 800×450 has room for the diagram, a line of narration and the controls.
      await expect(page.getByTestId(size.width < 1000 ? "embed-narration" : "hop-detail")).toBeVisible();
      await expect(page.getByTestId("hop-list")).toHaveCount(0);
      await expect(page.getByTestId("node-panel")).toHaveCount(0);
      await expect(page.getByTestId("scenario-picker")).toHaveCount(0);
      await expect(page.getByTestId("open-full")).toHaveAttribute("href", /#view=/);
      await page.screenshot({ path: `e2e-artifacts/embed-${size.width}x${size.height}.png` });
    });
  }

  test("a host page drives the embed through postMessage and hears which step shows", async ({ page }) => {
    await page.goto("/embed-host.html");
    const frame = page.frameLocator("#hopscope");
    await expect(frame.getByTestId("topology")).toBeVisible();
    await page.click("#next");
    await expect(page.locator("#shown")).toContainText("step 2 of");
    await page.fill("#to", "10");
    await page.click("#go");
    await expect(page.locator("#shown")).toContainText("step 10 of");
    await expect(frame.getByTestId("position")).toHaveText(/^10 \//);
    await page.click("#play");
    await expect.poll(async () => Number(((await page.locator("#shown").textContent()) ?? "").match(/step (\d+)/)?.[1] ?? 0)).toBeGreaterThan(10);
    await page.click("#pause");
  });

  const bad: [string, string, RegExp][] = [
    ["truncated", "/#view=N4IgbiBcCMA0IGcDGBTAdgQwE4EsD2", /truncated/],
    ["garbage", "/#view=%3Cscript%3Ealert(1)%3C/script%3E", /characters a Hopscope link never contains/],
    ["another version", `/#view=${lzString.compressToEncodedURIComponent(JSON.stringify({ v: 4 }))}`, /link version 4; this one reads versions 1, 2 and 3/],
    ["oversized", `/#view=${"A".repeat(70 * 1024)}`, /over the 64 KB a link may carry/],
    ["invalid-scenario", `/#view=${invalidSpec}`, /scenario is not valid: cluster\.gateway/],
  ];
  for (const [name, url, message] of bad) {
    test(`a ${name} link loads the default scenario and says what was wrong`, async ({ page }) => {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(url);
      await expect(page.getByTestId("notice")).toContainText(message);
      await expect(page.getByTestId("notice")).toContainText("Showing the default scenario instead");
      await expect(page.getByTestId("scenario-picker")).toHaveValue("pod-to-pod");
      await page.getByRole("button", { name: "Dismiss" }).click();
      await expect(page.getByTestId("notice")).toHaveCount(0);
      expect(errors).toEqual([]);
    });
  }
});
