/** The page in Russian (`lang=ru`): its own words, plurals, the language kept in links and across a switch. */
import { expect, test, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { HopscopePage, openMenu } from "./hopscope";

async function openRu(page: Page, extra = "&level=rules"): Promise<void> {
  await page.goto(`/#lang=ru${extra}`);
  await expect(page.getByTestId("topology")).toBeVisible();
  await expect(page.getByTestId("loading")).toHaveCount(0);
  await expect(page.getByTestId("position")).toHaveText(/^1 \/ \d+$/);
}

/** Steps with → until the current hop's kind tag is `kind` (the hop list's tag, in Russian). */
async function stepToKind(page: Page, kind: string): Promise<void> {
  const n = Number(((await page.getByTestId("position").textContent()) ?? "").split("/")[1]);
  for (let i = 0; i < n; i++) {
    const tag = await page.getByTestId("hop-list").locator('li[aria-current="step"] button span').first().textContent();
    if (tag === kind) return;
    await page.keyboard.press("ArrowRight");
  }
  throw new Error(`no step of kind ${kind}`);
}

/** Russian plural of a count, as Intl.PluralRules chooses it. */
function ruPlural(n: number, one: string, few: string, many: string): string {
  const c = new Intl.PluralRules("ru").select(n);
  return c === "one" ? one : c === "few" ? few : many;
}

test.describe("the page in Russian", () => {
  test("the header, the controls, the hop list, the hop detail and the node panel speak Russian", async ({ page }) => {
    await openRu(page);
    await expect(page.locator("html")).toHaveAttribute("lang", "ru");
    // Header
    await expect(page.getByText("Сценарий", { exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Изменить сценарий" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Копировать ссылку" })).toBeVisible();
    await openMenu(page);
    await expect(page.getByRole("combobox", { name: "Тема" })).toBeVisible();
    await expect(page.getByRole("combobox", { name: "Language / Язык" })).toHaveValue("ru");
    // Controls
    const bar = page.getByRole("toolbar", { name: "Воспроизведение" });
    await expect(bar.getByRole("button", { name: "Пуск (пробел)" })).toHaveText("Пуск");
    await expect(bar.getByRole("button", { name: "Следующий шаг (стрелка вправо)" })).toBeEnabled();
    await expect(bar.getByRole("button", { name: "Первый шаг (Home)" })).toBeDisabled();
    await expect(bar.getByRole("combobox", { name: "Уровень детализации" })).toHaveValue("rules");
    await expect(bar.getByRole("combobox", { name: "Уровень детализации" }).locator("option")).toHaveText(["Хопы", "Хуки", "Правила"]);
    await expect(bar.getByRole("button", { name: "Вписать" })).toBeVisible();
    await expect(page.getByRole("slider", { name: "Шкала шагов" })).toHaveAttribute("aria-valuetext", /^шаг 1 из \d+$/);
    // Panels
    await expect(page.getByRole("heading", { name: "Этот хоп" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Все хопы" })).toBeVisible();
    await expect(page.getByRole("list", { name: "Хопы пакета по порядку" })).toBeVisible();
    await expect(page.getByTestId("flow-header").first()).toContainText(/ · (доставлен|отброшен: )/);
    await expect(page.getByRole("tab", { name: "Правила и conntrack" })).toBeVisible();
    await expect(page.getByRole("tab", { name: "Терминал" })).toBeVisible();
    await expect(page.getByRole("tab", { name: "Хуки netfilter" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Следить за пакетом" })).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("node-panel")).toContainText("iptables -L -v (nat, filter) и conntrack -L после этого шага");
    await expect(page.getByTestId("nat-rules").locator("caption")).toHaveText("таблица nat");
    // The diagram's words; addresses stay.
    await expect(page.getByTestId("topology")).toContainText("сеть узлов 10.240.0.0/24");
    await expect(page.getByTestId("topology")).toContainText("сеть подов 10.200.0.0/24");
    await expect(page.getByTestId("topology")).toContainText("Маршрутизатор VPC (облачная сеть)");
    await expect(page.getByRole("button", { name: "Открыть правила и conntrack узла worker-0" })).toBeVisible();
    // A NAT step: the diff's headings in Russian, the rule and the conntrack line as the tools print them.
    await stepToKind(page, "nat");
    const diff = page.getByTestId("nat-diff");
    await expect(diff.locator("th")).toHaveText(["поле", "до", "после"]);
    await expect(page.getByTestId("hop-detail")).toContainText(": заголовок до и после");
    await expect(page.getByTestId("rule-text").first()).toContainText("-j ");
  });

  test("the live region and the forwarding table's heading count in Russian plural forms", async ({ page }) => {
    await openRu(page);
    const total = Number(((await page.getByTestId("position").textContent()) ?? "").split("/")[1]);
    await expect(page.getByTestId("live")).toHaveText(new RegExp(`^Шаг 1 из ${total}: `));
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("live")).toHaveText(new RegExp(`^Шаг 2 из ${total}: `));
    // A bridge step shows the bridge's table: "(N запись|записи|записей…)", the form Intl.PluralRules picks for N.
    await stepToKind(page, "мост");
    const heading = page.getByTestId("hop-detail").locator("h4", { hasText: "таблица пересылки" });
    const text = (await heading.textContent()) ?? "";
    const m = /\((\d+) (\S+?)[,)]/.exec(text);
    expect(m, text).not.toBeNull();
    const n = Number(m![1]);
    expect(m![2]).toBe(ruPlural(n, "запись", "записи", "записей"));
    await expect(heading).toContainText(/^cnio0|таблица пересылки cnio0/);
  });

  test("switching back to English keeps the step; lang=ru is kept in a copied link", async ({ browser }) => {
    const ctx = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await ctx.newPage();
    await openRu(page);
    for (let i = 0; i < 6; i++) await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("position")).toHaveText(/^7 \//);
    await page.getByRole("button", { name: "Копировать ссылку" }).click();
    await expect(page.getByTestId("copied")).toHaveText("Ссылка скопирована");
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toMatch(/[#&]lang=ru(&|$)/);
    // The link opens in Russian at the same step.
    const fresh = await ctx.newPage();
    await fresh.goto(link);
    await expect(fresh.getByTestId("position")).toHaveText(/^7 \//);
    await expect(fresh.getByTestId("live")).toHaveText(/^Шаг 7 из \d+: /);
    await expect(fresh.getByRole("toolbar", { name: "Воспроизведение" })).toBeVisible();
    // Back to English: the same step, every word English again.
    await openMenu(page);
    await page.getByRole("combobox", { name: "Language / Язык" }).selectOption("en");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByTestId("position")).toHaveText(/^7 \//);
    await expect(page.getByTestId("live")).toHaveText(/^Step 7 of \d+: /);
    await expect(page.getByRole("toolbar", { name: "Playback" }).getByRole("button", { name: "Play (Space)" })).toHaveText("Play");
    await expect(page.getByRole("heading", { name: "This hop" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Copy link" })).toBeVisible();
    await ctx.close();
  });

  test("a broken link says what was wrong in Russian and opens the default scenario", async ({ page }) => {
    await page.goto("/#lang=ru&view=%3Cscript%3E");
    const notice = page.getByTestId("notice");
    await expect(notice).toContainText("В данных ссылки есть символы, которых в ссылке Hopscope не бывает");
    await expect(notice).toContainText("Показан сценарий по умолчанию.");
    await expect(page.getByTestId("scenario-picker")).toHaveValue("pod-to-pod");
    await notice.getByRole("button", { name: "Закрыть" }).click();
    await expect(notice).toHaveCount(0);
  });

  test("the editor in Russian: its buttons, form and send form", async ({ page }) => {
    await openRu(page);
    await page.getByRole("button", { name: "Изменить сценарий" }).click();
    const editor = page.getByRole("region", { name: "Редактор сценария" });
    await expect(editor.getByRole("heading", { name: "Изменить сценарий" })).toBeVisible();
    for (const name of ["Отменить", "Вернуть", "Сравнить", "Новый сценарий", "Закрыть редактор"]) await expect(editor.getByRole("button", { name })).toBeVisible();
    await expect(editor.getByRole("tab", { name: "Форма" })).toHaveAttribute("aria-selected", "true");
    await expect(editor.getByRole("region", { name: "Отправить пакет" })).toBeVisible();
    await expect(editor.getByRole("button", { name: "Отправить", exact: true })).toBeDisabled();
    await expect(editor).toContainText("Выберите, откуда выходит пакет: под, узел или клиент.");
    await expect(editor.getByText("Сеть подов", { exact: true })).toBeVisible();
    await expect(editor.getByText("Что, если сломать", { exact: true })).toBeVisible();
    await editor.getByRole("tab", { name: "JSON" }).click();
    await expect(editor.getByRole("textbox", { name: "JSON сценария" })).toBeVisible();
    await expect(editor.getByRole("status")).toHaveText("Сценарий, который на экране.");
    // Compare: its frame in Russian (the versions' names and its divergence sentence are the history's and compare.ts's).
    await editor.getByRole("button", { name: "Сравнить" }).click();
    const dialog = page.getByRole("dialog", { name: "Сравнение двух версий" });
    await expect(dialog.getByRole("heading", { name: "Сравнение" })).toBeVisible();
    await expect(dialog.getByText("Первая версия")).toBeVisible();
    await expect(dialog.getByTestId("compare-first-status")).toHaveText(/: \d+ поток(а|ов)?, \d+ шаг(а|ов)?$/);
    await dialog.getByRole("button", { name: "Закрыть сравнение" }).click();
    await expect(dialog).toHaveCount(0);
  });

  test("no English UI word is left in the visible page (tool output, names and addresses aside)", async ({ page }) => {
    await openRu(page);
    await page.getByRole("button", { name: "Изменить сценарий" }).click();
    await stepToKind(page, "nat");
    const found = await page.evaluate(() => {
      const words = /\b(the|and|step|steps|packet|node|rules|open|show|hide|copy|link|scenario|edit|play|pause|next|previous|first|last)\b/i;
      const skip = [
        // What the tools print and the code a reader types: never translated.
        "pre",
        "code",
        "textarea",
        '[data-testid="terminal-log"]',
        '[data-testid="nat-rules"]',
        '[data-testid="filter-rules"]',
        '[data-testid="conntrack-table"]',
        '[data-testid="fdb"]',
      ].join(", ");
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        // A route as `ip route` prints it, quoted inside a sentence ("(маршрут 10.200.1.0/24 dev cnio0 proto kernel scope link …)"), is tool output.
        const t = (n.textContent ?? "").replace(/\(маршрут [^)]*\)/g, "").trim();
        if (!el || !t || el.closest(skip)) continue;
        if (el instanceof HTMLElement && !el.checkVisibility() && el.tagName !== "OPTION") continue;
        if (words.test(t)) out.push(t);
      }
      return out;
    });
    expect(found).toEqual([]);
  });

  test("screenshots at 1280×800, 390×844 and the 800×450 embed, nothing overflowing", async ({ page }) => {
    const dir = "/tmp/shots/ru-chrome";
    mkdirSync(dir, { recursive: true });
    for (const size of [
      { width: 390, height: 844 },
      { width: 1280, height: 800 },
    ]) {
      await page.setViewportSize(size);
      await openRu(page);
      await stepToKind(page, "nat");
      await page.screenshot({ path: `${dir}/ru-${size.width}x${size.height}.png` });
      // No control wider than the page: long Russian words wrap or shrink, they do not push the page sideways.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${size.width}×${size.height}`).toBeLessThanOrEqual(0);
      if (size.width < 500) {
        await page.getByTestId("hop-detail").scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${dir}/ru-${size.width}x${size.height}-detail.png` });
        await page.getByTestId("node-panel").scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${dir}/ru-${size.width}x${size.height}-node.png` });
      }
    }
    await page.getByRole("button", { name: "Изменить сценарий" }).click();
    await page.screenshot({ path: `${dir}/ru-editor-1280x800.png` });
    await page.getByRole("button", { name: "Сравнить" }).click();
    await expect(page.getByTestId("compare-first-status")).toHaveText(/шаг/);
    await page.screenshot({ path: `${dir}/ru-compare-1280x800.png` });
    await page.getByRole("button", { name: "Закрыть сравнение" }).click();
    await page.setViewportSize({ width: 800, height: 450 });
    await page.goto("/#lang=ru&embed=1&start=12&level=rules");
    await expect(page.getByTestId("position")).toHaveText(/^13 \//);
    await expect(page.getByTestId("open-full")).toHaveText("Открыть в Hopscope ↗");
    await page.screenshot({ path: `${dir}/ru-embed-800x450.png` });
    const app = new HopscopePage(page);
    expect(await app.count()).toBeGreaterThan(13);
  });
});
