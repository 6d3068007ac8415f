import { expect, test } from "@playwright/test";
import { runScenario } from "../src/engine/k8s/run";
import { builtinScenario } from "../src/engine/scenarios/article";
import { flatten } from "../src/store/playback";
import { CHAPTERS, chapterStep } from "../src/view/teach/tour";
import { HopscopePage } from "./hopscope";

/** Where each chapter should land: its step in the engine's own trace, and the trace's length. */
function expected(scenario: string, ch: (typeof CHAPTERS)[number]) {
  const r = runScenario(builtinScenario(scenario));
  if (!r.ok) throw new Error(`${scenario} did not run`);
  const steps = flatten(r.trace);
  return { at: chapterStep(ch, steps), total: steps.length, text: steps[chapterStep(ch, steps)]!.step.text };
}

test.describe("the article's tour", () => {
  test("goes through the chapters in order: each opens its scenario, step and tab, and offers its shell command", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.getByRole("button", { name: "Tour", exact: true }).click();
    const tour = page.getByRole("region", { name: "Tour" });
    await expect(tour).toBeVisible();
    // Opening the tour takes the keyboard to the chapter's title.
    await expect(tour.getByRole("heading", { name: CHAPTERS[0]!.title })).toBeFocused();
    for (const [i, ch] of CHAPTERS.entries()) {
      if (i > 0) await tour.getByRole("button", { name: "Next chapter" }).click();
      await expect(tour.getByRole("heading", { level: 2 })).toHaveText(ch.title);
      await expect(tour.getByText(`Chapter ${i + 1} of ${CHAPTERS.length}`)).toBeVisible();
      await expect(page.getByTestId("scenario-picker")).toHaveValue(ch.scenario);
      const want = expected(ch.scenario, ch);
      expect(want.at, ch.title).toBeGreaterThanOrEqual(0);
      await expect(page.getByTestId("position")).toHaveText(`${want.at + 1} / ${want.total}`);
      await expect(page.getByTestId("live")).toHaveText(`Step ${want.at + 1} of ${want.total}: ${want.text}`);
      await expect(page.getByTestId(`tab-${ch.tab}`)).toHaveAttribute("aria-selected", "true");
      await expect(page.getByTestId("terminal-input")).toHaveValue(ch.shell.line);
      await expect(page.getByTestId("terminal-target")).toHaveValue(ch.shell.target);
      await expect(tour.getByRole("link", { name: "Kubernetes Networking: Behind the scenes" })).toHaveAttribute("href", /^https:\/\//);
    }
    await expect(tour.getByRole("button", { name: "Next chapter" })).toBeDisabled();
    // The offered command runs as typed.
    await page.getByTestId("tab-shell").click();
    await page.getByTestId("terminal-input").press("Enter");
    await expect(page.getByTestId("terminal-out").last()).toContainText("-A KUBE-NODEPORTS");
  });

  test("is usable from the keyboard, jumps to any chapter, and closing it leaves the reader where they are", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.getByRole("button", { name: "Tour", exact: true }).focus();
    await page.keyboard.press("Enter");
    const tour = page.getByRole("region", { name: "Tour" });
    await expect(tour.getByRole("heading", { level: 2 })).toHaveText("The host network");
    // The chapter list: jump to ipMasq with the keyboard.
    const ipmasq = tour.getByRole("navigation", { name: "Chapters" }).getByRole("button", { name: /ipMasq/ });
    await ipmasq.focus();
    await page.keyboard.press("Enter");
    await expect(tour.getByRole("heading", { level: 2 })).toHaveText("ipMasq");
    await expect(ipmasq).toHaveAttribute("aria-current", "step");
    await expect(page.getByTestId("scenario-picker")).toHaveValue("pod-to-pod");
    await expect(page.getByTestId("hop-detail")).toContainText("MASQUERADE");
    await tour.getByRole("button", { name: "Previous chapter" }).click();
    await expect(tour.getByRole("heading", { level: 2 })).toHaveText("Pod to pod");
    const position = await page.getByTestId("position").textContent();
    // Escape closes the tour; the scenario and step stay.
    await tour.getByRole("button", { name: "Previous chapter" }).focus();
    await page.keyboard.press("Escape");
    await expect(tour).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Tour", exact: true })).toBeFocused();
    await expect(page.getByTestId("position")).toHaveText(position!);
    await expect(page.getByTestId("scenario-picker")).toHaveValue("pod-to-pod");
    // Reopened, it is at the chapter it was left on.
    await page.getByRole("button", { name: "Tour", exact: true }).click();
    await expect(page.getByRole("region", { name: "Tour" }).getByRole("heading", { level: 2 })).toHaveText("Pod to pod");
  });
});
