/**
 * What a first view loads: the page's start bundle leaves out what it does not show (the editor
 * and its scenario schema, compare, the link reader, the hooks view, the tour, the quiz, the
 * keyboard help), and each arrives when it opens. The chunks are named by their entry modules
 * (src/view/lazy.tsx, src/share/read.ts); a static import of one of them would bring it back
 * into the start and fail the first check.
 */
import { expect, test, type Page } from "@playwright/test";
import { BUILTIN_SCENARIOS } from "../src/engine/scenarios/article";
import { HopscopePage, encodeView } from "./hopscope";

const ON_DEMAND = /\/assets\/(EditorPanel|CompareDialog|read|spec|ipv4|HooksView|TourPanel|QuizPanel|KeyboardHelp)-[\w-]+\.js$/;

/** The names of the on-demand chunks the page has asked for so far. */
function watchChunks(page: Page): Set<string> {
  const seen = new Set<string>();
  page.on("request", (r) => {
    const m = ON_DEMAND.exec(new URL(r.url()).pathname);
    if (m) seen.add(m[1]!);
  });
  return seen;
}

test("a first view loads none of the parts it does not show; the editor, the hooks view and the help load when opened", async ({ page }) => {
  const seen = watchChunks(page);
  const app = new HopscopePage(page);
  await app.open("hops");
  await expect(page.getByTestId("hop-list")).toBeVisible();
  expect([...seen]).toEqual([]);

  await page.getByRole("button", { name: "Edit scenario" }).click();
  await expect(page.getByTestId("editor")).toBeVisible();
  expect(seen).toContain("EditorPanel");
  // The editor's schema and address parsing come with it, and compare's code follows.
  await expect.poll(() => [...seen].sort()).toEqual(expect.arrayContaining(["CompareDialog", "EditorPanel", "ipv4", "spec"]));
  expect(seen.has("read")).toBe(false);

  await page.getByTestId("tab-hooks").click();
  await expect(page.getByTestId("loading-hooks")).toHaveCount(0);
  expect(seen).toContain("HooksView");

  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  expect(seen).toContain("KeyboardHelp");
});

test("a link to a built-in scenario loads the link reader but not the scenario schema, and opens the view", async ({ page }) => {
  const seen = watchChunks(page);
  await page.goto("/");
  await expect(page.getByTestId("loading")).toHaveCount(0);
  const shared = new URL(page.url());
  // The page writes its view into the address; reopening that address reads it back.
  await expect.poll(() => new URL(page.url()).hash).toMatch(/view=/);
  const hash = new URL(page.url()).hash;
  expect(seen.has("read")).toBe(false);
  await page.goto(`${shared.origin}${shared.pathname}?again${hash}`);
  await expect(page.getByTestId("loading")).toHaveCount(0);
  await expect(page.getByTestId("hop-list")).toBeVisible();
  expect(seen).toContain("read");
  expect(seen.has("spec")).toBe(false);
  await expect(page.getByTestId("engine-error")).toHaveCount(0);
});

test("a link with an edited scenario loads the scenario schema too: a valid document opens, an invalid one is refused with the schema's words", async ({ page }) => {
  const seen = watchChunks(page);
  const spec = { ...BUILTIN_SCENARIOS.find((s) => s.id === "nodeport")!, title: "My NodePort lesson" };
  await page.goto(`/#view=${encodeView({ scenario: { spec } })}&at=0.0`);
  await expect(page.getByTestId("loading")).toHaveCount(0);
  await expect(page.getByTestId("scenario-picker").locator("option:checked")).toHaveText("Edited: My NodePort lesson");
  expect([...seen]).toEqual(expect.arrayContaining(["read", "spec"]));
  expect(seen.has("EditorPanel")).toBe(false);

  const bad = { ...spec, cluster: { ...spec.cluster, workers: [] } };
  await page.goto(`/?bad#view=${encodeView({ scenario: { spec: bad } })}&at=0.0`);
  await expect(page.getByTestId("notice")).toContainText("The link's scenario is not valid: cluster.workers: at least one worker");
});
