/** An 800×450 embed: the diagram, one line of narration and the controls on one row, in both languages. */
import { expect, test } from "@playwright/test";

for (const lang of ["en", "ru"] as const) {
  test(`an 800×450 embed with hide=detail still narrates, and its controls take one row (${lang})`, async ({ page }) => {
    await page.setViewportSize({ width: 800, height: 450 });
    await page.goto(`/#embed=1&hide=detail${lang === "ru" ? "&lang=ru" : ""}`);
    await expect(page.getByTestId("topology")).toBeVisible();
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(page.getByTestId("hop-detail")).toHaveCount(0);
    const line = page.getByTestId("embed-narration");
    await expect(line).toBeVisible();
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    // The line is the step on screen: the live region's sentence after its "Step n of m:" prefix.
    const live = (await page.getByTestId("live").textContent()) ?? "";
    const text = (await line.textContent()) ?? "";
    expect(text.length).toBeGreaterThan(10);
    expect(live.endsWith(text)).toBe(true);
    if (lang === "ru") expect(text).toMatch(/[а-я]/);
    // One line: no taller than a line of text; the controls: one row of buttons.
    expect((await line.boundingBox())!.height).toBeLessThan(26);
    expect((await page.getByRole("toolbar").boundingBox())!.height).toBeLessThan(45);
    // The lists keep their names without their visible labels.
    await expect(page.getByRole("combobox", { name: lang === "ru" ? "Уровень детализации" : "Level of detail" })).toBeVisible();
    await page.screenshot({ path: `e2e-artifacts/embed-800x450-hide-detail-${lang}.png` });
  });
}

test("with the hop detail shown, a large embed does not repeat the narration in a line; in an 800×450 one the detail gives way to it", async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 675 });
  await page.goto("/#embed=1");
  await expect(page.getByTestId("hop-detail")).toBeVisible();
  await expect(page.getByTestId("embed-narration")).toHaveCount(0);
  await page.setViewportSize({ width: 800, height: 450 });
  await expect(page.getByTestId("hop-detail")).toHaveCount(0);
  await expect(page.getByTestId("embed-narration")).toBeVisible();
});

test("presentation mode on a 1920×1080 projector: P shows the diagram, the narration in large type and the controls only; Esc leaves", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto("/");
  await expect(page.getByTestId("loading")).toHaveCount(0);
  const before = (await page.getByTestId("topology").boundingBox())!;
  await page.keyboard.press("p");
  await expect(page.getByTestId("page")).toHaveAttribute("data-presenting", "yes");
  await expect(page.getByTestId("scenario-picker")).toHaveCount(0);
  await expect(page.getByTestId("hop-list")).toHaveCount(0);
  await expect(page.getByTestId("tab-node")).toHaveCount(0);
  const line = page.getByTestId("embed-narration");
  await expect(line).toBeVisible();
  expect(parseFloat(await line.evaluate((el) => getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(24);
  // The diagram takes the room the panels had.
  const after = (await page.getByTestId("topology").boundingBox())!;
  expect(after.width).toBeGreaterThan(before.width + 300);
  expect(after.height).toBeGreaterThan(before.height);
  // Keyboard only: stepping still works, and the line follows.
  const first = await line.textContent();
  await page.keyboard.press("ArrowRight");
  await expect(line).not.toHaveText(first!);
  await page.screenshot({ path: "e2e-artifacts/present-1920x1080.png" });
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("page")).toHaveAttribute("data-presenting", "no");
  await expect(page.getByTestId("scenario-picker")).toBeVisible();
});
