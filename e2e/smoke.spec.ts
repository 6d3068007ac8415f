import { expect, test } from "@playwright/test";

test("the page loads and the engine answers from its Web Worker", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Hopscope" })).toBeVisible();
  await expect(page.getByTestId("engine-status")).toContainText("Engine ready (hopscope-engine)");
  // The steps come from the engine running in the worker: the masquerade and the reverse NAT.
  await expect(page.getByTestId("flow-request")).toContainText("MASQUERADE rewrites the source: 10.0.1.2 > 10.0.2.2 becomes 10.0.2.1 > 10.0.2.2.");
  await expect(page.getByTestId("flow-reply")).toContainText("conntrack reverses the source NAT on the reply");
  const steps = Number(await page.getByTestId("step-count").textContent());
  expect(steps).toBeGreaterThan(10);
  await page.screenshot({ path: "e2e-artifacts/placeholder.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("a crashed engine worker is restarted and the page stays", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("engine-status")).toContainText("Engine ready");
  await page.getByTestId("crash-worker").click();
  await expect(page.getByTestId("engine-notice")).toContainText("restarted it");
  await expect(page.getByTestId("engine-notice")).toContainText("It answers again");
  await expect(page.getByRole("heading", { name: "Hopscope" })).toBeVisible();
});
