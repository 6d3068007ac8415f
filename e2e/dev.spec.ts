/**
 * Under the dev server (`npm run dev`, the README's first command), where React's StrictMode
 * runs the page's first effect twice: a shared view, a reload and an embed open where they were.
 */
import { expect, test } from "@playwright/test";
import { HopscopePage } from "./hopscope";

test.describe("under npm run dev", () => {
  test("a share link, a reload and an embed URL restore the view they name", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    await app.stepTo(/MASQUERADE rewrites the source/);
    const position = await page.getByTestId("position").textContent();
    const url = page.url();
    expect(url).toMatch(/#view=.+&at=\d+\.\d+&level=rules$/);

    // The link in a fresh page.
    const fresh = await page.context().newPage();
    await fresh.goto(url);
    await expect(fresh.getByTestId("loading")).toHaveCount(0);
    await expect(fresh.getByTestId("scenario-picker")).toHaveValue("nodeport");
    await expect(fresh.getByTestId("position")).toHaveText(position!);
    await expect(fresh.getByTestId("notice")).toHaveCount(0);

    // A reload of a view that is not the default one.
    await fresh.reload();
    await expect(fresh.getByTestId("loading")).toHaveCount(0);
    await expect(fresh.getByTestId("scenario-picker")).toHaveValue("nodeport");
    await expect(fresh.getByTestId("position")).toHaveText(position!);
    await expect(fresh.getByTestId("notice")).toHaveCount(0);

    // The same view as an embed, in a new document.
    await fresh.goto("about:blank");
    await fresh.goto(`${url}&embed=1`);
    await expect(fresh.getByTestId("loading")).toHaveCount(0);
    await expect(fresh.getByTestId("position")).toHaveText(position!);
    await expect(fresh.getByTestId("notice")).toHaveCount(0);
  });

  test("a crashed engine worker is restarted and the view comes back", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("same-node");
    await page.keyboard.press("ArrowRight");
    await app.crashEngine();
    await expect(page.getByTestId("notice")).toContainText("restarted");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(page.getByTestId("scenario-picker")).toHaveValue("same-node");
    await expect(page.getByTestId("position")).toHaveText(/^2 \//);
  });
});
