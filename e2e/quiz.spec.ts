import { expect, test, type Page } from "@playwright/test";
import { HopscopePage } from "./hopscope";

/** Steps with → until the quiz asks a question not yet answered (at most `max` presses). */
async function stepToQuestion(page: Page, max = 80): Promise<void> {
  const open = page.getByTestId("quiz-feedback").getByText("Answer to step on.");
  for (let i = 0; i < max; i++) {
    if (await open.count()) return;
    await page.keyboard.press("ArrowRight");
  }
  await expect(open).toBeVisible();
}

test.describe("the quiz", () => {
  test("asks before the packet moves on, marks a right and a wrong answer, and scores them", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await expect(page.getByTestId("scenario-picker")).toHaveValue("pod-to-pod");
    const toggle = page.getByRole("button", { name: "Quiz", exact: true });
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    const quiz = page.getByRole("region", { name: "Quiz" });
    await expect(quiz).toBeVisible();
    await page.locator("body").click({ position: { x: 5, y: 5 } });

    // First question: the ping's source address as it leaves worker-0 (ipMasq is on).
    await stepToQuestion(page);
    await expect(quiz.getByRole("heading", { name: "What is the source address after this hop?" })).toBeVisible();
    const at = await page.getByTestId("position").textContent();
    // The question is the step: → does not go past it.
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("End");
    await expect(page.getByTestId("position")).toHaveText(at!);
    await expect(quiz.getByTestId("quiz-feedback")).toHaveText("Answer to step on.");
    await quiz.getByRole("button", { name: "10.240.0.20", exact: true }).click();
    await expect(quiz.getByTestId("quiz-feedback")).toContainText("Right.");
    await expect(quiz.getByRole("button", { name: /^10\.240\.0\.20/ })).toContainText("✓ right answer");
    await expect(quiz.getByTestId("quiz-score")).toHaveText("1 of 4 answered · 1 right");
    // Stepping on shows it: the MASQUERADE.
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("hop-detail")).toContainText("MASQUERADE");

    // Second question: where the packet goes as it leaves worker-0. worker-1 is the tempting wrong answer.
    await stepToQuestion(page);
    await expect(quiz.getByRole("heading", { name: "Where does the packet go next?" })).toBeVisible();
    await quiz.getByRole("button", { name: "worker-1", exact: true }).click();
    await expect(quiz.getByTestId("quiz-feedback")).toHaveText("Not quite: it is vpc-router. Step on to see it happen.");
    await expect(quiz.getByRole("button", { name: /^worker-1/ })).toContainText("✗ your answer");
    await expect(quiz.getByRole("button", { name: /^vpc-router/ })).toContainText("✓ right answer");
    await expect(quiz.getByTestId("quiz-score")).toHaveText("2 of 4 answered · 1 right");

    // The reply's two questions, answered from the keyboard, then the score at the end.
    for (const n of [3, 4]) {
      await page.locator("body").click({ position: { x: 5, y: 5 } });
      await stepToQuestion(page);
      await page.getByTestId("quiz-choice").first().focus();
      await page.keyboard.press("Enter");
      await expect(quiz.getByTestId("quiz-score")).toContainText(`${n} of 4 answered`);
    }
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("End");
    await expect(quiz.getByTestId("quiz-idle")).toHaveText(/^End of the trace: [1-3] of 4 right\.$/);
    // The quiz is in the link: a reload keeps it on.
    await expect(page).toHaveURL(/&quiz=1/);
    await toggle.click();
    await expect(quiz).toHaveCount(0);
    await expect(page).not.toHaveURL(/quiz=1/);
  });

  test("an embed with quiz=1 is driven by its host page over postMessage", async ({ page }) => {
    await page.goto("/embed-quiz.html");
    const frame = page.frameLocator("#hopscope");
    await expect(frame.getByTestId("topology")).toBeVisible();
    await expect(frame.getByRole("region", { name: "Quiz" })).toBeVisible();
    // A jump to the end stops at the first question, which the host page hears and shows.
    await page.click("#end");
    await expect(page.locator("#question")).toHaveText("What is the source address after this hop?");
    await expect(frame.getByTestId("quiz-question")).toHaveText("What is the source address after this hop?");
    await page.getByRole("button", { name: "10.240.0.20", exact: true }).click();
    await expect(page.locator("#result")).toHaveText("Right. Score: 1 of 4 right (1 answered).");
    await expect(frame.getByTestId("quiz-feedback")).toContainText("Right.");
    await page.click("#end");
    await expect(page.locator("#question")).toHaveText("Where does the packet go next?");
    await page.getByRole("button", { name: "worker-1", exact: true }).click();
    await expect(page.locator("#result")).toHaveText("Wrong: the answer is vpc-router. Score: 1 of 4 right (2 answered).");
    await expect(frame.getByRole("button", { name: /^worker-1/ })).toContainText("✗ your answer");
    // An answer given in the embed itself reaches the host page too.
    await page.click("#end");
    await expect(page.locator("#question")).toHaveText("Where does the packet go next?");
    await expect(frame.getByTestId("quiz-feedback")).toHaveText("Answer to step on.");
    await frame.getByRole("button", { name: "worker-0", exact: true }).click();
    await expect(page.locator("#result")).toHaveText("Right. Score: 2 of 4 right (3 answered).");
    // A message of the wrong shape is ignored.
    await page.click("#end");
    await expect(page.locator("#question")).toHaveText("What is the destination address after this hop?");
    await page.evaluate(() => {
      const w = (document.getElementById("hopscope") as HTMLIFrameElement).contentWindow!;
      w.postMessage({ type: "hopscope:quiz-answer", choice: 0.5 }, "*");
      w.postMessage({ type: "hopscope:quiz-answer", choice: "1" }, "*");
      w.postMessage({ type: "hopscope:quiz-answer" }, "*");
    });
    await page.getByRole("button", { name: "10.200.0.21", exact: true }).click();
    await expect(page.locator("#result")).toHaveText("Right. Score: 3 of 4 right (4 answered).");
  });
});
