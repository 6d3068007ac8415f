/**
 * Text contrast meets WCAG 2 AA (4.5:1, 3:1 for large text) in both themes, checked by axe-core's
 * color-contrast rule on the views a reader meets: the diagram's panels, each bottom tab, the
 * tour, the quiz, the editor and the keyboard help.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { openMenu } from "./hopscope";

async function contrastProblems(page: Page): Promise<string[]> {
  // The packet's move settles first (a half-drawn frame is not what a reader looks at).
  await expect(page.locator('[data-testid="packet"][data-animating="yes"]')).toHaveCount(0);
  const r = await new AxeBuilder({ page }).withRules(["color-contrast"]).analyze();
  return r.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(" ")}: ${n.any.map((a) => a.message).join("; ")}`));
}

for (const scheme of ["light", "dark"] as const) {
  test(`text contrast meets WCAG AA in the ${scheme} theme`, async ({ browser }) => {
    test.setTimeout(90_000);
    const ctx = await browser.newContext({ colorScheme: scheme, viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto("/#level=rules");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(page.locator("html")).toHaveClass(scheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b).*$/);
    const seen: Record<string, string[]> = {};
    const check = async (what: string) => {
      seen[what] = await contrastProblems(page);
    };
    await page.getByTestId("scenario-picker").selectOption("nodeport");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    for (let i = 0; i < 14; i++) await page.keyboard.press("ArrowRight");
    await check("NodePort at a rule step, rules and conntrack");
    await page.getByRole("tab", { name: "Netfilter hooks" }).click();
    await check("the netfilter hooks view");
    await page.getByRole("tab", { name: "Shell" }).click();
    await page.getByTestId("terminal-input").fill("sudo iptables -t nat -S KUBE-NODEPORTS");
    await page.getByTestId("terminal-input").press("Enter");
    await expect(page.getByTestId("terminal-log")).toContainText("KUBE-NODEPORTS");
    await check("the shell");
    await page.getByRole("button", { name: "Tour", exact: true }).click();
    await check("the tour");
    await page.getByRole("button", { name: "Tour", exact: true }).click();
    await page.getByRole("button", { name: "Quiz", exact: true }).click();
    await check("the quiz");
    await page.getByRole("button", { name: "Quiz", exact: true }).click();
    await page.getByRole("button", { name: "Edit scenario", exact: true }).click();
    await check("the editor");
    await page.getByRole("button", { name: "Edit scenario", exact: true }).click();
    await page.getByRole("button", { name: "Legend" }).click();
    await check("the legend");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await check("the keyboard help");
    await page.keyboard.press("Escape");
    await openMenu(page);
    await check("the header's menu");
    await page.screenshot({ path: `e2e-artifacts/contrast-${scheme}.png` });
    const problems = Object.entries(seen).filter(([, p]) => p.length > 0);
    for (const [what, p] of problems) console.log(`${scheme}, ${what}:\n  ${p.slice(0, 12).join("\n  ")}${p.length > 12 ? `\n  … and ${p.length - 12} more` : ""}`);
    expect(problems.map(([what, p]) => `${what}: ${p.length}`)).toEqual([]);
    await ctx.close();
  });
}

test("the theme follows the system, and the reader's choice overrides it and is remembered", async ({ browser }) => {
  const ctx = await browser.newContext({ colorScheme: "dark" });
  const page = await ctx.newPage();
  await page.goto("/");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await openMenu(page);
  const theme = page.getByRole("combobox", { name: "Theme" });
  await expect(theme).toHaveValue("system");
  await theme.selectOption("light");
  await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  await openMenu(page);
  await expect(page.getByRole("combobox", { name: "Theme" })).toHaveValue("light");
  await page.getByRole("combobox", { name: "Theme" }).selectOption("system");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await page.screenshot({ path: "e2e-artifacts/dark-1280.png" });
  await ctx.close();
});
