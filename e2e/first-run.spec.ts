/**
 * What a newcomer meets first ([first-run]), under the built site and under `npm run dev`
 * alike (the "dev" project runs this file too).
 */
import { expect, test } from "@playwright/test";
import { HopscopePage } from "./hopscope";

test.describe("a newcomer's first minutes", () => {
  test("Tab from the last control reaches nothing invisible", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.getByRole("button", { name: "Fit" }).focus();
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Tab");
      const seen = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return { visible: true, what: "body" };
        const r = el.getBoundingClientRect();
        return { visible: r.width > 2 && r.height > 2, what: `${el.tagName} ${el.textContent?.slice(0, 40) ?? ""}` };
      });
      expect(seen.visible, seen.what).toBe(true);
      expect(seen.what).not.toMatch(/crash/i);
    }
  });
});
