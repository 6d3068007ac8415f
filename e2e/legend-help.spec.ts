/** The diagram's legend and the keyboard help (`?`). */
import { expect, test } from "@playwright/test";
import { HopscopePage } from "./hopscope";
import { SHORTCUTS } from "../src/view/teach/shortcuts";

test.describe("legend", () => {
  test("the Legend button shows what the diagram's shapes and colours mean; Escape closes it", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    const button = page.getByRole("button", { name: "Legend" });
    await expect(button).toHaveAttribute("aria-expanded", "false");
    await expect(page.getByRole("region", { name: "Diagram legend" })).toBeHidden();
    await button.click();
    await expect(button).toHaveAttribute("aria-expanded", "true");
    const legend = page.getByRole("region", { name: "Diagram legend" });
    await expect(legend).toBeVisible();
    for (const what of ["A node", "cnio0", "A pod", "VPC router", "internet", "The packet", "The path so far", "NAT changed", "A drop"]) {
      await expect(legend).toContainText(what);
    }
    // Each swatch is drawn: the node's box has the diagram's node outline colour.
    const nodeStroke = await page.getByTestId("node-worker-0").locator("rect").first().getAttribute("stroke");
    await expect(legend.locator('[data-legend="node"] rect')).toHaveAttribute("stroke", nodeStroke!);
    const podFill = await page.locator('[data-testid^="pod-"] rect').first().getAttribute("fill");
    await expect(legend.locator('[data-legend="pod"] rect')).toHaveAttribute("fill", podFill!);
    await expect(legend.locator('[data-legend="drop"]')).toContainText("✕");
    await page.keyboard.press("Escape");
    await expect(legend).toBeHidden();
    await expect(button).toBeFocused();
  });
});

test.describe("keyboard help", () => {
  test("? opens the shortcuts dialog listing every key; Escape closes it and the focus comes back", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    const fit = page.getByRole("button", { name: "Fit" });
    await fit.focus();
    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toHaveAttribute("aria-modal", "true");
    for (const k of ["←", "→", "Home", "End", "Space", "Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Enter", "?", "1", "2", "3", "L"]) {
      await expect(dialog.locator("kbd", { hasText: new RegExp(`^${k.replace(/[?+]/g, "\\$&")}$`) }).first()).toBeVisible();
    }
    expect(await dialog.locator("kbd").count()).toBe(SHORTCUTS.flatMap((g) => g.items.flatMap((i) => i.keys)).length);
    // The playback keys do not reach the app while it is open.
    const position = await page.getByTestId("position").textContent();
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("position")).toHaveText(position!);
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
    await expect(fit).toBeFocused();
  });

  test("the Keyboard shortcuts button opens it too, and ? typed in a field is only typed", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    const button = page.getByRole("button", { name: "Keyboard shortcuts" });
    await button.click();
    const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Close" })).toBeFocused();
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(button).toBeFocused();
    // In the shell, ? is a character of the command line.
    await page.getByTestId("tab-shell").click();
    const input = page.getByTestId("terminal").locator("input");
    await input.click();
    await page.keyboard.type("echo ?");
    await expect(input).toHaveValue("echo ?");
    await expect(page.getByRole("dialog")).toHaveCount(0);
  });
});
