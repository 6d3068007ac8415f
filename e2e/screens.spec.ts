/**
 * Every screen: a 390×844 phone (the diagram at full width, the controls and the hop detail below
 * it, no sideways scroll, a swipe steps), a 1280×800 laptop (the header in one row), a 1920×1080
 * projector (larger type; presentation mode keeps the diagram, the narration and the controls)
 * and the header's menu from the keyboard. Screenshots go to e2e-artifacts/screens/.
 */
import { expect, test, type Page } from "@playwright/test";
import { openMenu } from "./hopscope";

const SHOTS = "e2e-artifacts/screens";

async function open(page: Page, hash = ""): Promise<void> {
  await page.goto(`/${hash}`);
  await expect(page.getByTestId("topology")).toBeVisible();
  await expect(page.getByTestId("loading")).toHaveCount(0);
  await expect(page.getByTestId("position")).toHaveText(/^1 \/ \d+$/);
}

async function box(page: Page, testId: string) {
  const b = await page.getByTestId(testId).boundingBox();
  if (!b) throw new Error(`${testId} is not on screen`);
  return b;
}

/** How far the page scrolls sideways (0: not at all). */
function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** A one-finger swipe from (x0, y) to (x1, y + dy) made of real touch events, through the DevTools protocol. */
async function swipe(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: from.x, y: from.y }] });
  const steps = 6;
  for (let i = 1; i <= steps; i++) {
    const x = from.x + ((to.x - from.x) * i) / steps;
    const y = from.y + ((to.y - from.y) * i) / steps;
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y }] });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

test.describe("a 390×844 phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, permissions: ["clipboard-read", "clipboard-write"] });

  for (const lang of ["en", "ru"] as const) {
    test(`the diagram at full width, the controls and the hop detail below it, no sideways scroll (${lang})`, async ({ page }) => {
      await open(page, lang === "ru" ? "#lang=ru" : "");
      const diagram = await box(page, "topology");
      expect(Math.abs(diagram.x)).toBeLessThanOrEqual(1);
      expect(Math.abs(diagram.width - 390)).toBeLessThanOrEqual(1);
      // The header is one compact row, not half the screen.
      const header = (await page.locator("header").boundingBox())!;
      expect(header.height).toBeLessThan(60);
      expect(diagram.y).toBeLessThan(header.y + header.height + 4);
      // The controls and the hop detail come after the diagram, not beside it.
      const controls = (await page.getByRole("toolbar").boundingBox())!;
      expect(controls.y).toBeGreaterThanOrEqual(diagram.y + diagram.height - 1);
      expect(controls.x + controls.width).toBeLessThanOrEqual(390);
      // Two rows of controls at most: the buttons and Fit, then the timeline and the lists.
      expect(controls.height).toBeLessThan(100);
      await page.getByTestId("hop-detail").scrollIntoViewIfNeeded();
      const detail = await box(page, "hop-detail");
      const diagramNow = await box(page, "topology");
      expect(detail.y).toBeGreaterThanOrEqual(diagramNow.y + diagramNow.height - 1);
      expect(detail.x + detail.width).toBeLessThanOrEqual(390);
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${SHOTS}/phone-390x844-${lang}.png` });
      // Everything folded into the menu is there, and the open menu stays inside the screen.
      const menu = await openMenu(page);
      await expect(menu.getByTestId("tour-toggle")).toBeVisible();
      await expect(menu.getByTestId("quiz-toggle")).toBeVisible();
      await expect(menu.getByTestId("export")).toBeVisible();
      await expect(menu.getByTestId("lang")).toBeVisible();
      const panel = (await menu.boundingBox())!;
      expect(panel.x).toBeGreaterThanOrEqual(0);
      expect(panel.x + panel.width).toBeLessThanOrEqual(390);
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SHOTS}/phone-390x844-${lang}-menu.png` });
      // A copy done from the menu closes it, and says so where it can be seen.
      await menu.getByTestId("copy-embed").click();
      await expect(menu).toBeHidden();
      await expect(page.getByRole("button", { name: lang === "ru" ? "Меню" : "Menu" })).toBeFocused();
      await expect(page.getByTestId("copied")).toBeVisible();
      await expect(page.getByTestId("copied")).toHaveText(/.+/);
    });
  }

  test("a horizontal swipe on the hop detail or the controls steps; a vertical one, or one on the diagram, does not", async ({ page }) => {
    await open(page, "#level=rules");
    const position = page.getByTestId("position");
    // The diagram takes the first screen; the hop detail is below it.
    await page.getByTestId("hop-detail").evaluate((e) => e.scrollIntoView({ block: "center" }));
    const detail = await box(page, "hop-detail");
    const y = detail.y + Math.min(40, detail.height / 2);
    // Finger right to left: forward, like turning a page.
    await swipe(page, { x: 330, y }, { x: 90, y: y + 10 });
    await expect(position).toHaveText(/^2 \//);
    await swipe(page, { x: 330, y }, { x: 90, y });
    await expect(position).toHaveText(/^3 \//);
    // Left to right: back.
    await swipe(page, { x: 60, y }, { x: 320, y });
    await expect(position).toHaveText(/^2 \//);
    // On the footer's buttons too (not on its timeline, which is a slider).
    const play = (await page.getByTestId("play").boundingBox())!;
    await swipe(page, { x: 340, y: play.y + play.height / 2 }, { x: 60, y: play.y + play.height / 2 });
    await expect(position).toHaveText(/^3 \//);
    // A vertical drag is a scroll, not a step.
    await swipe(page, { x: 200, y: y + 60 }, { x: 230, y: y - 140 });
    await page.waitForTimeout(300);
    await expect(position).toHaveText(/^3 \//);
    // One finger on the diagram pans it (d3-zoom); it does not step.
    await page.evaluate(() => window.scrollTo(0, 0));
    const diagram = await box(page, "topology");
    const dy = diagram.y + diagram.height / 2;
    await swipe(page, { x: 330, y: dy }, { x: 80, y: dy });
    await page.waitForTimeout(300);
    await expect(position).toHaveText(/^3 \//);
  });

  test("a tap on a node in the diagram opens its rules", async ({ page }) => {
    await open(page, "#level=rules");
    await page.getByRole("button", { name: "Open worker-2's rules and conntrack" }).tap();
    await expect(page.getByTestId("node-picker")).toHaveValue("worker-2");
  });

  test("a tap on a hop in the list selects it", async ({ page }) => {
    await open(page, "#level=rules");
    const hop = page.getByTestId("hop-list").locator("li").nth(4);
    await hop.scrollIntoViewIfNeeded();
    await hop.tap();
    await expect(page.getByTestId("position")).toHaveText(/^5 \//);
    await expect(hop).toHaveAttribute("aria-current", "step");
  });
});

for (const lang of ["en", "ru"] as const) {
  test(`at 1280×800 the header is one row, its most used controls in sight (${lang})`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await open(page, lang === "ru" ? "#lang=ru" : "");
    const header = (await page.locator("header").boundingBox())!;
    expect(header.height).toBeLessThan(56);
    // Each control sits in that one row.
    for (const id of ["scenario-picker", "tour-toggle", "quiz-toggle", "copy-link", "export", "header-menu"]) {
      const b = await box(page, id);
      expect(b.y, id).toBeGreaterThanOrEqual(header.y);
      expect(b.y + b.height, id).toBeLessThanOrEqual(header.y + header.height);
    }
    await expect(page.getByRole("button", { name: lang === "ru" ? "Изменить сценарий" : "Edit scenario" })).toBeVisible();
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/laptop-1280x800-${lang}.png` });
  });
}

for (const lang of ["en", "ru"] as const) {
  test(`between a tablet and a laptop (800, 1024, 1200 px) the header stays one row and the page does not scroll sideways (${lang})`, async ({ page }) => {
    for (const width of [800, 1024, 1200]) {
      await page.setViewportSize({ width, height: 800 });
      await open(page, lang === "ru" ? "#lang=ru" : "");
      const header = (await page.locator("header").boundingBox())!;
      expect(header.height, `${width}`).toBeLessThan(56);
      const menu = await box(page, "header-menu");
      expect(menu.x + menu.width, `${width}`).toBeLessThanOrEqual(width);
      expect(await sidewaysScroll(page), `${width}`).toBeLessThanOrEqual(0);
    }
  });
}

test("the header's menu from the keyboard: Enter opens it on its first control, ↓ and ↑ move, Escape closes it and gives the focus back", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page);
  const button = page.getByRole("button", { name: "Menu" });
  const panel = page.getByTestId("header-menu-panel");
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(panel).toBeHidden();
  await button.focus();
  await page.keyboard.press("Enter");
  await expect(button).toHaveAttribute("aria-expanded", "true");
  await expect(panel).toBeVisible();
  await expect(page.getByTestId("panel-detail")).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByTestId("panel-hops")).toBeFocused();
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  // ↑ from the first control wraps round to the last: the theme.
  await expect(page.getByTestId("theme")).toBeFocused();
  // The arrows step nowhere while the menu has them.
  await expect(page.getByTestId("position")).toHaveText(/^1 \//);
  await page.keyboard.press("Escape");
  await expect(panel).toBeHidden();
  await expect(button).toBeFocused();
  // Space opens it too; Tab past its last control leaves and closes it.
  await page.keyboard.press(" ");
  await expect(panel).toBeVisible();
  await page.getByTestId("theme").focus();
  await page.keyboard.press("Tab");
  await expect(panel).toBeHidden();
  // A checkbox in it works like one: the hop list goes and comes back.
  const menu = await openMenu(page);
  await menu.getByTestId("panel-hops").uncheck();
  await expect(page.getByTestId("hop-list")).toHaveCount(0);
  await menu.getByTestId("panel-hops").check();
  await expect(page.getByTestId("hop-list")).toBeVisible();
  // A click outside closes it.
  await page.getByTestId("position").click();
  await expect(panel).toBeHidden();
});

test("at 1920×1080 the page's type is larger than at 1280×800, and presentation mode hides the panels", async ({ page }) => {
  const sizes: Record<string, number> = {};
  for (const [w, h] of [
    [1280, 800],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await open(page);
    const px = (id: string) => page.getByTestId(id).evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    sizes[`detail ${w}`] = await px("hop-detail");
    sizes[`position ${w}`] = await px("position");
    sizes[`picker ${w}`] = await px("scenario-picker");
    if (w === 1920) await page.screenshot({ path: `${SHOTS}/projector-1920x1080.png` });
  }
  for (const what of ["detail", "position", "picker"]) expect(sizes[`${what} 1920`], what).toBeGreaterThan(sizes[`${what} 1280`]! * 1.1);
  await page.keyboard.press("p");
  await expect(page.getByTestId("page")).toHaveAttribute("data-presenting", "yes");
  await expect(page.locator("header")).toHaveCount(0);
  await expect(page.getByTestId("hop-detail")).toHaveCount(0);
  await expect(page.getByTestId("hop-list")).toHaveCount(0);
  await expect(page.getByTestId("tab-node")).toHaveCount(0);
  await expect(page.getByRole("toolbar")).toBeVisible();
  const line = page.getByTestId("embed-narration");
  expect(await line.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(28);
  // The controls grow too, beyond the projector's own larger type.
  const positionPx = await page.getByTestId("position").evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(positionPx).toBeGreaterThan(sizes["position 1920"]! * 1.1);
  await page.screenshot({ path: `${SHOTS}/present-1920x1080.png` });
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("page")).toHaveAttribute("data-presenting", "no");
  expect(await page.getByTestId("position").evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBe(sizes["position 1920"]);
});

test("an 800×450 embed: the diagram, one line of narration and one row of controls", async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 450 });
  await page.goto("/#embed=1&hide=detail");
  await expect(page.getByTestId("topology")).toBeVisible();
  await expect(page.getByTestId("embed-narration")).toBeVisible();
  expect((await page.getByRole("toolbar").boundingBox())!.height).toBeLessThan(45);
  expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/embed-800x450.png` });
});
