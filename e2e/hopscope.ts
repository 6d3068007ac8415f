/** Page object for the Hopscope app. */
import { expect, type Page } from "@playwright/test";

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
}
