/**
 * The teaching parts in Russian (`lang=ru`): the tour's chapters, the quiz and its score, the
 * glossary's tooltip, the legend, the keyboard help, the netfilter hooks view and the export
 * dialog. The header's and footer's own controls belong to the chrome (translated elsewhere), so
 * they are found here by their English or Russian names, or by test id.
 */
import { expect, test, type Page } from "@playwright/test";
import { GLOSSARY } from "../src/view/teach/glossary";
import { ARTICLE_URL_RU, CHAPTERS } from "../src/view/teach/tour";

/** Screenshots for a person to look at: HOPSCOPE_SHOTS=<dir>, at HOPSCOPE_SHOTS_SIZE=1280x800 or 390x844. */
const SHOTS = process.env.HOPSCOPE_SHOTS;
const SIZE = process.env.HOPSCOPE_SHOTS_SIZE?.match(/^(\d+)x(\d+)$/);
if (SIZE) test.use({ viewport: { width: Number(SIZE[1]), height: Number(SIZE[2]) } });

async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  await page.screenshot({ path: `${SHOTS}/${name}-${page.viewportSize()!.width}.png` });
}

async function openRu(page: Page, hash = "") {
  await page.goto(`/#lang=ru&level=rules${hash}`);
  await expect(page.getByTestId("topology")).toBeVisible();
  await expect(page.getByTestId("loading")).toHaveCount(0);
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
}

async function pick(page: Page, id: string) {
  await page.getByTestId("scenario-picker").selectOption(id);
  await expect(page.getByTestId("loading")).toHaveCount(0);
  await expect(page.getByTestId("position")).toHaveText(/^1 \/ \d+$/);
}

/** Steps with → until the current hop's text matches. */
async function stepTo(page: Page, text: RegExp) {
  const n = Number(((await page.getByTestId("position").textContent()) ?? "").split("/")[1]);
  const current = page.getByTestId("hop-list").locator('li[aria-current="step"]');
  for (let i = 0; i < n; i++) {
    if (await current.getByText(text).count()) return;
    await page.keyboard.press("ArrowRight");
  }
  throw new Error(`no hop matches ${String(text)}`);
}

test.describe("the teaching parts in Russian", () => {
  test("the tour: every chapter's title and text in Russian, in order, the Russian article first", async ({ page }) => {
    await openRu(page);
    await page.getByRole("button", { name: /^(Tour|Экскурсия)$/ }).click();
    const tour = page.getByRole("region", { name: "Экскурсия" });
    await expect(tour).toBeVisible();
    await expect(tour.getByRole("heading", { name: CHAPTERS[0]!.ru.title })).toBeFocused();
    const list = tour.getByRole("navigation", { name: "Главы" }).getByRole("button");
    await expect(list).toHaveText(CHAPTERS.map((c, i) => `${i + 1}. ${c.ru.title}`));
    for (const [i, ch] of CHAPTERS.entries()) {
      if (i > 0) await tour.getByRole("button", { name: "Следующая глава" }).click();
      await expect(tour.getByRole("heading", { level: 2 })).toHaveText(ch.ru.title);
      await expect(tour.getByTestId("tour-position")).toHaveText(`Глава ${i + 1} из ${CHAPTERS.length}`);
      await expect(tour).toContainText(ch.ru.text);
      await expect(tour).toContainText(`В статье — часть про ${ch.ru.section}:`);
      await expect(page.getByTestId("scenario-picker")).toHaveValue(ch.scenario);
      if (i === 4) await shot(page, "tour");
    }
    const main = tour.getByRole("link", { name: "За кулисами сети в Kubernetes" });
    await expect(main).toHaveAttribute("href", ARTICLE_URL_RU);
    await expect(tour.getByRole("link").first()).toHaveAttribute("href", ARTICLE_URL_RU);
    await expect(tour.getByRole("link", { name: "Kubernetes Networking: Behind the scenes" })).toHaveAttribute("hreflang", "en");
    await expect(tour.getByRole("button", { name: "Следующая глава" })).toBeDisabled();
    await tour.getByRole("button", { name: "Закрыть экскурсию" }).click();
    await expect(tour).toHaveCount(0);
  });

  test("the quiz: a question and its context in Russian, the feedback, and a score line in the right plural", async ({ page }) => {
    await openRu(page);
    await pick(page, "pod-to-pod");
    await page.getByRole("button", { name: /^(Quiz|Викторина)$/ }).click();
    const quiz = page.getByRole("region", { name: "Викторина" });
    await expect(quiz).toBeVisible();
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await expect(quiz.getByTestId("quiz-score")).toHaveText(/^0 ответов из \d+ · 0 верных$/);
    await page.keyboard.press("End");
    await expect(quiz.getByRole("heading", { name: "Какой будет адрес источника после этого хопа?" })).toBeVisible();
    await expect(quiz.getByTestId("quiz-feedback")).toHaveText("Ответьте, чтобы идти дальше.");
    await expect(quiz).toContainText(/На worker-0: ICMP 10\.200\.0\.\d+ → 10\.200\.1\.\d+\./);
    await quiz.getByRole("button", { name: "10.240.0.20", exact: true }).click();
    await expect(quiz.getByTestId("quiz-feedback")).toHaveText("Верно. Шагните дальше, чтобы увидеть это.");
    await expect(quiz.getByRole("button", { name: /^10\.240\.0\.20/ })).toContainText("✓ верный ответ");
    await expect(quiz.getByTestId("quiz-score")).toHaveText(/^1 ответ из \d+ · 1 верный$/);
    await shot(page, "quiz");
    await page.keyboard.press("End");
    await expect(quiz.getByRole("heading", { name: "Куда пакет пойдёт дальше?" })).toBeVisible();
    await expect(quiz).toContainText(/Пакет \(ICMP [^)]+\) покидает worker-0\./);
    await quiz.getByRole("button", { name: "worker-1", exact: true }).click();
    await expect(quiz.getByTestId("quiz-feedback")).toHaveText("Не совсем: правильно — vpc-router. Шагните дальше, чтобы увидеть это.");
    await expect(quiz.getByRole("button", { name: /^worker-1/ })).toContainText("✗ ваш ответ");
    await expect(quiz.getByTestId("quiz-score")).toHaveText(/^2 ответа из \d+ · 1 верный$/);
  });

  test("the glossary: MASQUERADE's tooltip defines it in Russian", async ({ page }) => {
    await openRu(page);
    await pick(page, "pod-to-internet");
    await stepTo(page, /MASQUERADE/);
    const term = page.getByTestId("hop-text").locator('[data-term="MASQUERADE"]');
    await expect(term).toHaveText("MASQUERADE");
    await term.hover();
    const tip = page.getByRole("tooltip");
    await expect(tip).toBeVisible();
    const ru = GLOSSARY.find((e) => e.term === "MASQUERADE")!.ru.definition;
    await expect(tip).toContainText("SNAT на адрес интерфейса, через который пакет уходит");
    await expect(tip).toContainText(ru.replace(/`/g, ""));
    await expect(term).toHaveAccessibleDescription(/забывает трансляцию маскарадингового соединения/);
    // Within the viewport, also on a phone.
    const box = (await tip.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(page.viewportSize()!.width);
    await shot(page, "glossary");
    await page.keyboard.press("Escape");
    await expect(page.getByRole("tooltip")).toHaveCount(0);
  });

  test("the legend and the keyboard help in Russian", async ({ page }) => {
    await openRu(page);
    await page.getByRole("button", { name: "Легенда" }).click();
    const legend = page.getByRole("region", { name: "Легенда схемы" });
    await expect(legend).toBeVisible();
    await expect(legend.locator('[data-legend="bridge"]')).toHaveText("Мост CNI узла, cnio0 (у flannel — cni0): коммутатор и шлюз подов");
    await expect(legend.locator('[data-legend="services"]')).toContainText("только правила iptables (или nftables) kube-proxy");
    await shot(page, "legend");
    await page.keyboard.press("Escape");
    await expect(legend).toBeHidden();

    await page.keyboard.press("?");
    const dialog = page.getByRole("dialog", { name: "Сочетания клавиш" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Закрыть" })).toBeFocused();
    await expect(dialog.getByRole("heading", { level: 3 }).first()).toHaveText("Шаги");
    await expect(dialog).toContainText("Предыдущий шаг, следующий шаг");
    await expect(dialog.locator("kbd", { hasText: "Пробел" })).toHaveCount(2);
    await expect(dialog).toContainText("Хуки: по шагу на каждый хук netfilter, каждый NAT и отброс");
    await expect(dialog.getByRole("region", { name: "Клавиши" }).or(dialog.getByLabel("Клавиши"))).toBeVisible();
    await shot(page, "keys");
    await dialog.getByRole("button", { name: "Закрыть" }).click();
    await expect(dialog).toHaveCount(0);
  });

  test("the hooks view at the NodePort DNAT on worker-0, in Russian", async ({ page }) => {
    await openRu(page);
    await pick(page, "nodeport");
    await stepTo(page, /10\.200\.1\.18/);
    await page.getByTestId("show-hooks").click();
    const view = page.getByRole("region", { name: "Хуки netfilter на узле worker-0" });
    await expect(view).toBeVisible();
    await expect(view.getByTestId("hooks-now")).toHaveText(/^сейчас: PREROUTING, nat$/);
    await expect(view.getByRole("heading", { name: "Этот пакет на worker-0, по порядку" })).toBeVisible();
    await expect(view.getByRole("heading", { name: "Адреса до и после NAT" })).toBeVisible();
    await expect(view.getByTestId("hooks-nat").locator("li").first()).toContainText("DNAT в PREROUTING:");
    await expect(view.getByTestId("hooks-summary")).toContainText("DNAT: 203.0.113.10:30303 → 10.240.0.20:31088 стал 203.0.113.10:30303 → 10.200.1.18:80");
    await expect(view).toContainText("В каждом хуке ядро выполняет по приоритету: raw −300");
    // Names the kernel prints stay as they are.
    await expect(view.getByTestId("hook-PREROUTING")).toContainText("PREROUTING");
    await expect(view.getByTestId("hooks-rule").last()).toHaveText(/-j DNAT --to-destination 10\.200\.1\.18:80$/);
    await expect(view.getByTestId("hook-route-in")).toContainText("решение о маршрути\u00adзации");
    await expect(view.getByTestId("hook-local")).toContainText("локальный процесс");
    await view.scrollIntoViewIfNeeded();
    await shot(page, "hooks");
  });

  test("an embed with the quiz on, in Russian (screenshot at 800x450)", async ({ page }) => {
    await page.setViewportSize({ width: 800, height: 450 });
    await page.goto("/#lang=ru&embed=1&quiz=1&level=rules");
    await expect(page.getByTestId("topology")).toBeVisible();
    await expect(page.getByTestId("loading")).toHaveCount(0);
    const quiz = page.getByRole("region", { name: "Викторина" });
    await expect(quiz).toBeVisible();
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("End");
    await expect(quiz.getByTestId("quiz-question")).toHaveText("Какой будет адрес источника после этого хопа?");
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/embed-quiz-800.png` });
  });

  test("the export dialog in Russian, and its Markdown narration's labels", async ({ page }) => {
    await openRu(page);
    await pick(page, "nodeport");
    await page.getByTestId("export").click();
    await expect(page.getByTestId("export")).toHaveText("Экспорт");
    const dialog = page.getByRole("dialog", { name: "Экспорт" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Изображение PNG" })).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Описание (Markdown)" })).toHaveAccessibleDescription(/^\d+ шаг(а|ов)? этого потока словами$/);
    await expect(dialog.getByRole("button", { name: "Анимация GIF" })).toHaveAccessibleDescription(/^Этот поток, \d+\u00a0кадр(а|ов)?, /);
    await expect(dialog.getByRole("combobox", { name: "Уровень детализации" }).locator("option:checked")).toHaveText("правила");
    await expect(dialog.getByRole("button", { name: "Закрыть экспорт" })).toBeVisible();
    await shot(page, "export");
    const download = page.waitForEvent("download");
    await dialog.getByRole("button", { name: "Описание (Markdown)" }).click();
    const file = await download;
    const md = await (await file.createReadStream()).toArray().then((c) => Buffer.concat(c).toString("utf8"));
    expect(md).toMatch(/^- Уровень детализации: правила \(\d+ шаг(а|ов)?\)$/m);
    expect(md).toMatch(/^- Поток: /m);
    expect(md).toMatch(/^Таблица nat, цепочка KUBE-NODEPORTS \(PREROUTING\), правило \d+:$/m);
    await expect(dialog.getByTestId("export-outcome")).toHaveText(/^Сохранено: hopscope-nodeport-flow-1-rules\.md \(\d+ шаг(а|ов)?, уровень «правила»\)$/);
  });
});
