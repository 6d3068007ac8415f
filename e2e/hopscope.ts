/** Page object for the Hopscope app. */
import { expect, type Locator, type Page } from "@playwright/test";
import lzString from "lz-string";

export const PANELS = { detail: true, hops: true, node: true };

/**
 * A version 2 link's view data, written here as the format says (Playwright loads lz-string as
 * CommonJS, so the app's codec module is not imported).
 */
export function encodeView(view: { scenario: unknown; panels?: typeof PANELS; shell?: readonly { target: string; line: string }[] }): string {
  const shell = view.shell?.length ? { shell: view.shell.map((s) => ({ t: s.target, l: s.line })) } : {};
  return lzString.compressToEncodedURIComponent(JSON.stringify({ v: 2, scenario: view.scenario, panels: view.panels ?? PANELS, ...shell }));
}

/**
 * Opens the header's menu (if it is not open) and gives its panel: the panels' checkboxes, the
 * embed code, the pcap, the language and the theme live there (on a narrow screen, the tour, the
 * quiz, the editor, the link and the export too).
 */
export async function openMenu(page: Page): Promise<Locator> {
  const button = page.getByRole("button", { name: /^(Menu|Меню)$/ });
  if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
  const panel = page.getByTestId("header-menu-panel");
  await expect(panel).toBeVisible();
  return panel;
}

export class HopscopePage {
  constructor(readonly page: Page) {}

  /**
   * Opens the app on its default view. The level of detail is "rules" (every step) unless asked
   * otherwise: most specs walk the trace's own steps; the levels have their own spec (teach.spec.ts).
   */
  async open(level: "hops" | "hooks" | "rules" = "rules"): Promise<void> {
    await this.page.goto(level === "hops" ? "/" : `/#level=${level}`);
    await expect(this.page.getByTestId("topology")).toBeVisible();
    await expect(this.page.getByTestId("loading")).toHaveCount(0);
  }

  /** The header's menu, opened. */
  menu(): Promise<Locator> {
    return openMenu(this.page);
  }

  async pick(id: string): Promise<void> {
    await this.page.getByTestId("scenario-picker").selectOption(id);
    // The diagram names the scenario it shows once it is ready: until then the old one's steps are on screen
    // (the first flannel or Calico scenario waits for its plugin's module, slower under the dev server).
    await expect(this.page.locator(`section[data-scenario="${id}"]`)).toHaveCount(1, { timeout: 20_000 });
    await expect(this.page.getByTestId("loading")).toHaveCount(0);
    await expect(this.page.getByTestId("position")).toHaveText(/^1 \/ \d+$/);
  }

  hops() {
    return this.page.getByTestId("hop-list").locator("li");
  }

  current() {
    return this.page.getByTestId("hop-list").locator('li[aria-current="step"]');
  }

  async count(): Promise<number> {
    const text = (await this.page.getByTestId("position").textContent()) ?? "";
    return Number(text.split("/")[1]);
  }

  /** Picks the level of detail in the footer's "Level of detail" list, as a user would. */
  async level(level: "hops" | "hooks" | "rules"): Promise<void> {
    const select = this.page.getByRole("combobox", { name: /^(Level of detail|Уровень детализации)$/ });
    await select.selectOption(level);
    // The arrow keys that follow are for stepping, not for the list.
    await select.blur();
  }

  /**
   * Steps one at a time until the hop whose text contains `text`, pressing → like a user, at the
   * "rules" level (every step) unless `level` says otherwise.
   */
  async stepTo(text: string | RegExp, level: "hops" | "hooks" | "rules" = "rules"): Promise<void> {
    await this.level(level);
    // Until the last step: the position's total is read each time, since a change of level
    // (or a scenario still arriving) updates it a moment after the list was set.
    const last = /^(\d+) \/ (\d+)$/;
    for (let guard = 0; guard < 5000; guard++) {
      if (await this.current().getByText(text).count()) return;
      const m = last.exec(((await this.page.getByTestId("position").textContent()) ?? "").trim());
      if (m && m[1] === m[2]) break;
      await this.page.keyboard.press("ArrowRight");
    }
    throw new Error(`no hop matches ${String(text)}`);
  }

  /**
   * Makes the engine's Web Worker fail the way a fault in it would: an uncaught exception in
   * the worker's own scope, thrown by code Playwright runs there. The app has no test hook for
   * this, so nothing test-only ships to users.
   */
  async crashEngine(): Promise<void> {
    const worker = this.page.workers().find((w) => w.url().includes("engine.worker"));
    if (!worker) throw new Error(`no engine worker among ${this.page.workers().map((w) => w.url()).join(", ") || "(none)"}`);
    await worker.evaluate(() => {
      setTimeout(() => {
        throw new Error("the engine failed (a test made it)");
      }, 0);
    });
  }
}
