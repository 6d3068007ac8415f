/**
 * [scale-ui] Loading and rendering a big scenario in the production build: 100 workers, 3,000
 * pods and 1,000 services, opened from a link and from a file as a user does. Prints the timings
 * (never asserts them) and checks what must hold at any speed: the scenario shown is that one (no
 * fallback to the default, no error), and a node's tens of thousands of rules are a windowed list
 * whose later rules scroll into view with the engine's own text.
 */
import { expect, test, type Page } from "@playwright/test";
import { generatedScenario } from "../bench/cluster";
import { handle } from "../src/worker/handle";
import { encodeView } from "./hopscope";

const SPEC = generatedScenario(100, 3000, 1000);
const TITLE = SPEC.title!;

/** Records, from navigation start, when the topology and the current step are first on screen with nothing loading. */
function watchShown(page: Page) {
  return page.addInitScript(() => {
    const w = window as unknown as { __shownAt?: number };
    const obs = new MutationObserver(() => {
      if (w.__shownAt !== undefined) return;
      if (document.querySelector('[data-testid="topology"]') && document.querySelector('[data-testid="hop-list"] li[aria-current="step"]') && !document.querySelector('[data-testid="loading"]')) {
        w.__shownAt = performance.now();
        obs.disconnect();
      }
    });
    obs.observe(document, { subtree: true, childList: true, attributes: true });
  });
}

/** The app's own User Timing figures (src/store/scenario.ts, src/worker/handle.ts), the page's and the worker's. */
async function userTimings(page: Page): Promise<[string, number][]> {
  const read = () => performance.getEntriesByType("measure").filter((m) => m.name.startsWith("hopscope: ")).map((m): [string, number] => [m.name, m.duration]);
  const worker = page.workers().find((w) => w.url().includes("engine.worker"));
  return [...(await page.evaluate(read)), ...(worker ? await worker.evaluate(read) : [])];
}

/** The median and max of ten ArrowRight presses, each timed to the frame after the hop list marks the next step (as app.spec.ts does). */
async function keyToStep(page: Page): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    times.push(
      await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const list = document.querySelector('[data-testid="hop-list"]')!;
            const before = list.querySelector('li[aria-current="step"]');
            const t0 = performance.now();
            const obs = new MutationObserver(() => {
              const now = list.querySelector('li[aria-current="step"]');
              if (now && now !== before) {
                obs.disconnect();
                requestAnimationFrame(() => resolve(performance.now() - t0));
              }
            });
            obs.observe(list, { subtree: true, attributes: true, attributeFilter: ["aria-current"] });
            window.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
          }),
      ),
    );
  }
  times.sort((a, b) => a - b);
  return `median ${times[5]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`;
}

/** The scenario is the big one, shown without an error or a notice (a fallback to the default says so in one). */
async function expectShown(page: Page): Promise<void> {
  await expect(page.getByTestId("scenario-picker").locator("option:checked")).toHaveText(`Edited: ${TITLE}`, { timeout: 60_000 });
  await expect(page.getByTestId("loading")).toHaveCount(0);
  await expect(page.getByTestId("engine-error")).toHaveCount(0);
  await expect(page.getByTestId("notice")).toHaveCount(0);
  await expect(page.getByTestId("topology")).toBeVisible();
  await expect(page.getByTestId("hop-list").locator('li[aria-current="step"]')).toHaveCount(1);
  await expect(page.getByTestId("node-picker").locator("option")).toHaveCount(100 + 1 + 2);
}

test.describe("a 100-worker, 3,000-pod, 1,000-service scenario in the build", () => {
  test.setTimeout(180_000);

  test("opens from a link: shown without fallback; worker-0's rules are a window that scrolls to its last KUBE-SVC rule; timings printed", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await watchShown(page);
    const hash = `#view=${encodeView({ scenario: { spec: SPEC } })}&level=rules`;
    await page.goto(`/${hash}`);
    await expectShown(page);
    const shownAt = await page.evaluate(() => (window as unknown as { __shownAt?: number }).__shownAt!);
    const timings = await userTimings(page);

    // The engine's own outline and text of worker-0's rules, computed here in Node: the last rule of the last KUBE-SVC chain.
    await handle({ id: 1, kind: "run", scenario: { spec: SPEC } });
    const outline = await handle({ id: 2, kind: "rules", node: "worker-0" });
    if (!outline.ok) throw new Error(outline.error);
    const nat = outline.result.chains.filter((c) => c.table === "nat");
    const natTotal = nat.reduce((n, c) => n + c.count, 0);
    let row = 0;
    let last: { row: number; chain: string; index: number } | undefined;
    for (const c of nat) {
      if (c.chain.startsWith("KUBE-SVC-") && c.count > 0) last = { row: row + c.count - 1, chain: c.chain, index: c.count };
      row += c.count;
    }
    const text = await handle({ id: 3, kind: "ruleText", node: "worker-0", from: last!.row, count: 1 });
    if (!text.ok) throw new Error(text.error);
    const lastRule = text.result.rules[0]!;
    expect(natTotal).toBeGreaterThan(10_000);

    // The panel follows the packet to worker-0: its nat table, windowed.
    await expect(page.getByTestId("node-picker")).toHaveValue("worker-0");
    const box = page.getByTestId("node-rules");
    const table = page.getByTestId("nat-rules");
    await expect(table).toHaveAttribute("data-windowed", "true");
    await expect(table).toHaveAttribute("aria-rowcount", String(natTotal + 1));
    await expect(box).toHaveAccessibleName(/^worker-0's iptables rules \(\d{2},\d{3}\)$/);
    await expect(table.locator('[role="row"][data-rule="PREROUTING#1"]')).toContainText("-A PREROUTING");
    const drawn = await box.locator('[role="row"]').count();
    console.log(`worker-0: ${natTotal.toLocaleString("en")} nat rules, ${drawn} rows in the page`);
    expect(drawn).toBeLessThan(200);
    await expect(box).not.toContainText(lastRule);
    // Scrolled to the last KUBE-SVC rule: it is drawn, with the engine's text, and the page still holds few rows.
    const scrolledAt = await box.evaluate((el, r) => {
      const rowHeight = parseFloat((el.querySelector('[role="row"][aria-rowindex="2"]') as HTMLElement).style.height);
      el.scrollTop = (r + 2) * rowHeight - el.clientHeight / 2;
      return performance.now();
    }, last!.row);
    const target = table.locator(`[role="row"][data-rule="${last!.chain}#${last!.index}"]`);
    await expect(target).toContainText(lastRule);
    const textAt = await page.evaluate(() => performance.now());
    await expect(target).toBeInViewport();
    expect(await box.locator('[role="row"]').count()).toBeLessThan(200);

    // Finding a rule, as the browser's own find cannot in a window: back at the top, the search
    // scrolls to the one rule with that text; a common word goes from match to match.
    await box.evaluate((el) => (el.scrollTop = 0));
    await expect(target).toHaveCount(0);
    const search = page.getByRole("searchbox", { name: "Find in worker-0's rules" });
    await search.fill(lastRule);
    await search.press("Enter");
    await expect(page.getByTestId("rule-find-status")).toHaveText("1 of 1");
    await expect(box.locator('[data-found="true"]')).toContainText(lastRule);
    await expect(box.locator('[data-found="true"]')).toBeInViewport();
    await search.fill("-j KUBE-MARK-MASQ");
    await search.press("Enter");
    await expect(page.getByTestId("rule-find-status")).toHaveText(/^1 of \d{1,3}(,\d{3})*$/);
    const firstFound = await box.locator('[data-found="true"]').getAttribute("data-rule");
    await page.getByRole("button", { name: "Next match" }).click();
    await expect(page.getByTestId("rule-find-status")).toHaveText(/^2 of /);
    await expect(box.locator('[data-found="true"]')).toContainText("-j KUBE-MARK-MASQ");
    expect(await box.locator('[data-found="true"]').getAttribute("data-rule")).not.toBe(firstFound);
    await page.getByRole("button", { name: "Previous match" }).click();
    await expect(page.getByTestId("rule-find-status")).toHaveText(/^1 of /);
    await expect(box.locator('[data-found="true"]')).toHaveAttribute("data-rule", firstFound!);

    // The timings, and the key press one on this page: as it is, and with the diagram taken out of
    // the layout (display: none), which tells the diagram's share from the rest of the page's.
    const keys = await keyToStep(page);
    await page.getByTestId("topology").evaluate((el) => ((el as HTMLElement).style.display = "none"));
    const keysWithout = await keyToStep(page);
    await page.getByTestId("topology").evaluate((el) => ((el as HTMLElement).style.display = ""));
    console.log(`[100 workers, 3,000 pods, 1,000 services from a ${hash.length.toLocaleString("en")}-character link]`);
    console.log(`  navigation → topology and first step shown: ${shownAt.toFixed(0)} ms`);
    for (const [n, d] of timings) console.log(`  ${n}: ${d.toFixed(0)} ms`);
    console.log(`  scroll to rule ${(last!.row + 1).toLocaleString("en")} → its text shown: ≤ ${(textAt - scrolledAt).toFixed(0)} ms`);
    console.log(`  key press → highlighted step: ${keys}`);
    console.log(`  the same with the diagram hidden: ${keysWithout}`);
    expect(errors).toEqual([]);
  });

  test("opens from a file in the editor's JSON view: shown without fallback; timings printed", async ({ page }) => {
    await page.goto("/#level=rules");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await page.getByRole("button", { name: "Edit scenario" }).click();
    const editor = page.getByTestId("editor");
    await editor.getByRole("tab", { name: "JSON" }).click();
    const json = JSON.stringify(SPEC, null, 2);
    const t0 = Date.now();
    await editor.getByTestId("import-file").setInputFiles({ name: "big.json", mimeType: "application/json", buffer: Buffer.from(json) });
    await expect(editor.getByTestId("json-status")).toHaveText("Valid: Apply shows it.", { timeout: 60_000 });
    const checked = Date.now();
    const before = page.url();
    await editor.getByRole("button", { name: "Apply" }).click();
    await expectShown(page);
    const shown = Date.now();
    // The address bar's link is written once the scenario is drawn, and it opens that scenario.
    await expect.poll(() => page.url()).not.toBe(before);
    expect(page.url()).toMatch(/#view=[A-Za-z0-9+\-$]+&at=0\.\d+&level=rules$/);
    const keys = await keyToStep(page);
    // The form shows the first 50 services (each with its selector's 1,000 workloads) and more on request.
    await editor.getByRole("tab", { name: "Form" }).click();
    const services = editor.locator('fieldset[aria-label^="service "]');
    await expect(services).toHaveCount(50);
    const more = editor.getByRole("button", { name: "Show 50 more (50 of 1000 shown; the JSON view has them all)" });
    await more.click();
    await expect(services).toHaveCount(100);
    await expect(editor.locator('fieldset[aria-label="service svc99"]')).toBeVisible();
    console.log(`[the same scenario from a ${(json.length / 1024).toFixed(0)} KB file]`);
    console.log(`  import → checked: ${checked - t0} ms; Apply → topology and first step shown: ${shown - checked} ms`);
    for (const [n, d] of await userTimings(page)) console.log(`  ${n}: ${d.toFixed(0)} ms`);
    console.log(`  key press → highlighted step (editor open): ${keys}`);
  });
});
