/** The trace told in Russian: the engine's sentences, titles and origins on the page; tool output as the tools print it. */
import { expect, test } from "@playwright/test";
import { HopscopePage } from "./hopscope";

test.describe("the narration in Russian", () => {
  test("a built-in scenario's title, steps, flows and drop reason are in Russian; rule text is not translated", async ({ page }) => {
    const app = new HopscopePage(page);
    await page.goto("/#lang=ru&level=rules");
    await expect(page.getByTestId("topology")).toBeVisible();
    await expect(page.getByTestId("loading")).toHaveCount(0);
    const picker = page.getByTestId("scenario-picker");
    await expect(picker.locator('option[value="no-route"]')).toHaveText("Нет маршрута в VPC");
    await app.pick("no-route");
    const hops = page.getByTestId("hop-list");
    await expect(hops).toContainText("ping от busybox0-rw89s к 10.200.1.15");
    await expect(hops).toContainText("Таблица маршрутизации busybox0-rw89s направляет пакет для 10.200.1.15 через 10.200.0.1 в интерфейс eth0 (маршрут по умолчанию).");
    await expect(hops).toContainText("vpc-router отбрасывает пакет: нет маршрута к 10.200.1.15.");
    await expect(hops).not.toContainText("drops the packet");
    // Rule text stays as iptables-save prints it.
    await expect(hops).toContainText("Срабатывает правило 1 цепочки PREROUTING таблицы nat: переход в KUBE-SERVICES.");
    await app.stepTo("Срабатывает правило 2 цепочки CNI-");
    await expect(page.getByText(/-A CNI-be726a77f15ea47ff32947a3 ! -d 224\.0\.0\.0\/4 .*-j MASQUERADE/).first()).toBeVisible();
    for (const [w, h] of [[1280, 800], [390, 844]] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.screenshot({ path: `/tmp/shots/narr/narration-ru-${w}.png`, fullPage: w < 500 });
    }
  });

  test("English stays English", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("no-route");
    await expect(page.getByTestId("scenario-picker").locator('option[value="no-route"]')).toHaveText("A missing VPC route");
    await expect(page.getByTestId("hop-list")).toContainText("vpc-router drops the packet: no route to 10.200.1.15.");
  });
});
