/** The glossary's tooltips in the hop detail: by hover, by keyboard, hoverable, dismissed by Escape, on a phone. */
import { expect, test, type Page } from "@playwright/test";
import { HopscopePage } from "./hopscope";

async function atMasquerade(page: Page) {
  const app = new HopscopePage(page);
  await app.open();
  await app.pick("pod-to-internet");
  await app.stepTo(/MASQUERADE rewrites the source/);
  const term = page.getByTestId("hop-text").locator('[data-term="MASQUERADE"]');
  await expect(term).toHaveText("MASQUERADE");
  return term;
}

test.describe("glossary tooltips", () => {
  test("hovering MASQUERADE in the hop detail shows its definition, which stays while hovered", async ({ page }) => {
    const term = await atMasquerade(page);
    await expect(page.getByRole("tooltip")).toHaveCount(0);
    await term.hover();
    const tip = page.getByRole("tooltip");
    await expect(tip).toBeVisible();
    await expect(tip).toContainText("SNAT to the address of the interface the packet leaves by");
    await expect(tip).toContainText("forgets a masqueraded connection's mapping when its interface goes down");
    // The term is described by the tip (aria-describedby).
    const id = await tip.getAttribute("id");
    await expect(term).toHaveAttribute("aria-describedby", id!);
    await expect(term).toHaveAccessibleDescription(/interface the packet leaves by/);
    // WCAG 1.4.13: the pointer can move onto the tip and it stays.
    const box = (await tip.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    await page.waitForTimeout(400);
    await expect(tip).toBeVisible();
    // Leaving both closes it.
    await page.mouse.move(5, 5);
    await expect(page.getByRole("tooltip")).toHaveCount(0);
  });

  test("focusing MASQUERADE with the keyboard shows the tip; Escape dismisses it and keeps the focus", async ({ page }) => {
    const term = await atMasquerade(page);
    // Tab through the page until the term has the focus, as a keyboard user would.
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await term.evaluate((el) => el === document.activeElement);
    }
    expect(reached, "Tab reaches the term").toBe(true);
    const tip = page.getByRole("tooltip");
    await expect(tip).toBeVisible();
    await expect(tip).toContainText("MASQUERADE");
    await page.keyboard.press("Escape");
    await expect(page.getByRole("tooltip")).toHaveCount(0);
    await expect(term).toBeFocused();
    // Escape while hovered dismisses it too, without moving the pointer.
    await term.blur();
    await term.hover();
    await expect(page.getByRole("tooltip")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("tooltip")).toHaveCount(0);
  });

  test("the why text marks its terms, and tool output stays as the tools print it", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("clusterip-dns-udp");
    await app.stepTo(/conntrack on worker-1 confirms the new entry/);
    const why = page.getByTestId("hop-why");
    await expect(why.locator('[data-term="UNREPLIED"]')).toHaveText("UNREPLIED");
    await why.locator('[data-term="UNREPLIED"]').hover();
    await expect(page.getByRole("tooltip")).toContainText("Not a conntrack state but a status flag");
    // The conntrack line is not marked up.
    await expect(page.getByTestId("conntrack-text")).toContainText("[UNREPLIED]");
    await expect(page.getByTestId("conntrack-text").locator("[data-term]")).toHaveCount(0);
  });

  test("on a 390px phone the tip fits the screen", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const term = await atMasquerade(page);
    await term.scrollIntoViewIfNeeded();
    await term.focus();
    const tip = page.getByRole("tooltip");
    await expect(tip).toBeVisible();
    const box = (await tip.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(844);
  });
});
