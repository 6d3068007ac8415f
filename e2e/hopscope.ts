/** Page object for the Hopscope app. */
import { expect, type Page } from "@playwright/test";
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

export class HopscopePage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto("/");
    await expect(this.page.getByTestId("topology")).toBeVisible();
    await expect(this.page.getByTestId("loading")).toHaveCount(0);
  }

  async pick(id: string): Promise<void> {
    await this.page.getByTestId("scenario-picker").selectOption(id);
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

  /** Steps one at a time until the hop whose text contains `text`, pressing → like a user. */
  async stepTo(text: string | RegExp): Promise<void> {
    const n = await this.count();
    for (let i = 0; i < n; i++) {
      if (await this.current().getByText(text).count()) return;
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
