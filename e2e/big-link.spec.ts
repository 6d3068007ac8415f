/**
 * Big scenarios and links: a 100-worker, 3,000-pod scenario written short (a worker series,
 * spread replicas) travels in a link of at most 8 KB and opens; a scenario too large for any
 * link is offered as a file, with the reason, and the file is the scenario.
 */
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { scaleScenario } from "../src/engine/scenarios/generate";
import { encodeView } from "./hopscope";

test.describe("big scenarios' links", () => {
  test("a 100 workers × 30 pods scenario opens from a link of at most 8 KB, and the page's own link is as short", async ({ browser }) => {
    test.setTimeout(90_000);
    const spec = scaleScenario({ workers: 100, podsPerWorker: 30, services: 100 });
    const ctx = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const link = `/#view=${encodeView({ scenario: { spec } })}&at=0.0`;
    const base = test.info().project.use.baseURL!;
    console.log(`100×30 link: ${(base + link).length.toLocaleString("en-US")} characters`);
    expect((base + link).length).toBeLessThanOrEqual(8 * 1024);
    await page.goto(link);
    await expect(page.getByTestId("loading")).toHaveCount(0, { timeout: 60_000 });
    await expect(page.getByTestId("scenario-picker")).toContainText("Edited: 100 workers × 30 pods, 100 services");
    await expect(page.getByTestId("position")).toHaveText(/^1 \/ \d+$/);
    await expect(page.getByTestId("notice")).toHaveCount(0);
    await expect(page.getByTestId("engine-error")).toHaveCount(0);
    // The page writes its own link for it (the share buttons, the address bar): a link, not a file, as short.
    await expect(page.getByTestId("download-scenario")).toHaveCount(0);
    await page.getByTestId("copy-link").click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    console.log(`the page's own link for it: ${copied.length.toLocaleString("en-US")} characters`);
    expect(copied.length).toBeLessThanOrEqual(8 * 1024);
    expect(page.url()).toContain("#view=");
    expect(errors).toEqual([]);
    await ctx.close();
  });

  test("a scenario too large for a link is offered as a file, saying why, and the file is the scenario", async ({ page }) => {
    test.setTimeout(120_000);
    // 1,500 services each named apart: the link would be over 64 KB.
    const spec = scaleScenario({ workers: 100, podsPerWorker: 30, services: 1500 });
    spec.title = "Too large for a link";
    spec.services = spec.services!.map((s, i) => ({ ...s, name: `svc-${(i * 7919).toString(36)}`, labels: { team: `t${(i * 104_729) % 9973}` } }));
    await page.goto("/");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await page.getByRole("button", { name: "Edit scenario" }).click();
    const editor = page.getByTestId("editor");
    await editor.getByRole("tab", { name: "JSON" }).click();
    await editor.getByTestId("import-file").setInputFiles({ name: "big.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(spec)) });
    await expect(editor.getByTestId("json-status")).toHaveText("Valid: Apply shows it.", { timeout: 60_000 });
    await editor.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByTestId("scenario-picker")).toContainText("Edited: Too large for a link", { timeout: 60_000 });
    await expect(page.getByTestId("loading")).toHaveCount(0);
    // No link to copy: the file instead, and why.
    await expect(page.getByTestId("copy-link")).toHaveCount(0);
    await expect(page.getByTestId("share-too-large")).toHaveText(/^This scenario is too large for a link \(its data would be \d+ KB, over the 64 KB a link may carry\): share it as a file instead\.$/);
    // The address bar holds no link that would not open.
    expect(page.url()).not.toContain("view=");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-scenario").click()]);
    expect(download.suggestedFilename()).toBe("scale-100x30.json");
    await expect(page.getByTestId("copied")).toContainText("scale-100x30.json");
    const saved = JSON.parse(await readFile(await download.path(), "utf8"));
    expect(saved).toEqual(spec);
  });

  test("the editor shows a worker series as one line, lists it on demand, and offers both placements", async ({ page }) => {
    const spec = scaleScenario({ workers: 3, podsPerWorker: 2, services: 3 });
    await page.goto(`/#view=${encodeView({ scenario: { spec } })}&at=0.0`);
    await expect(page.getByTestId("loading")).toHaveCount(0);
    const steps = await page.getByTestId("position").textContent();
    await page.getByRole("button", { name: "Edit scenario" }).click();
    const editor = page.getByTestId("editor");
    await expect(editor.getByTestId("worker-series")).toHaveText(
      "3 workers written as a series (cluster.workerSeries): worker-0 … worker-2, addresses from 10.240.0.20, pod CIDRs from 10.200.0.0/24.List them one by one",
    );
    await expect(editor.getByText("Workers (3)")).toBeVisible();
    const placement = editor.getByRole("group", { name: "Deployment app-0" }).getByLabel("Placement");
    await expect(placement).toHaveValue("spread");
    await expect(placement.locator("option")).toHaveText(["round-robin (r mod n)", "spread (fewest pods)"]);
    await editor.getByRole("button", { name: "List them one by one" }).click();
    await expect(editor.getByTestId("worker-series")).toHaveCount(0);
    await expect(editor.getByRole("group", { name: "worker-2" }).getByLabel("Pod CIDR")).toHaveValue("10.200.2.0/24");
    // The same cluster: the same trace.
    await expect(page.getByTestId("position")).toHaveText(steps!);
    await expect(page.getByTestId("notice")).toHaveCount(0);
  });
});
