/**
 * Inside a node: the netfilter hooks view at the NodePort scenario's DNAT on worker-0, reached
 * from the hop detail's "Show in the hooks view", and as the packet leaves worker-0; a bridged
 * packet on one node shows the hooks the bridge calls under br_netfilter.
 */
import { expect, test, type Page } from "@playwright/test";
import { HopscopePage, encodeView } from "./hopscope";

async function openAt(page: Page, id: string, flow: number, step: number): Promise<void> {
  // At the rules level: the position is any step of the trace.
  await page.goto(`/#view=${encodeView({ scenario: { id } })}&at=${flow}.${step}&level=rules`);
  await expect(page.getByTestId("topology")).toBeVisible();
  await expect(page.getByTestId("loading")).toHaveCount(0);
}

test.describe("the netfilter hooks view", () => {
  test("at the NodePort DNAT on worker-0: nat PREROUTING is current, with the KUBE-SEP DNAT rule and the addresses before and after", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    // Step to worker-0's DNAT (the router's DNAT to 10.240.0.20 comes first).
    await app.stepTo(/10\.200\.1\.18/);
    await expect(page.getByTestId("hop-detail")).toContainText("DNAT");
    await page.getByRole("button", { name: "Show in the hooks view" }).click();
    await expect(page.getByRole("tab", { name: "Netfilter hooks" })).toHaveAttribute("aria-selected", "true");

    const view = page.getByRole("region", { name: "Netfilter hooks on worker-0" });
    await expect(view).toBeVisible();
    await expect(view).toBeFocused();
    const pre = view.getByTestId("hook-PREROUTING");
    await expect(pre).toHaveAttribute("aria-current", "location");
    await expect(pre.locator('[aria-current="true"]')).toHaveText(/^nat/);
    await expect(view.getByTestId("hooks-now")).toHaveText(/PREROUTING, nat/);
    // Not there yet: routing, FORWARD and POSTROUTING.
    await expect(view.getByTestId("hook-FORWARD")).toHaveAttribute("data-passed", "no");
    await expect(view.getByTestId("hook-route-in")).toHaveAttribute("data-passed", "no");

    const path = view.getByTestId("hooks-path");
    const current = path.locator('li[aria-current="step"]');
    await expect(current).toContainText("PREROUTING");
    await expect(current).toContainText(/nat: PREROUTING → KUBE-SERVICES → KUBE-NODEPORTS → .*KUBE-SVC-\S+ → KUBE-SEP-\S+: DNAT/);
    await expect(current.getByTestId("hooks-rule")).toHaveText(/^-A KUBE-SEP-\S+ -p tcp .*-j DNAT --to-destination 10\.200\.1\.18:80$/);

    const nat = view.getByTestId("hooks-nat").locator("li");
    await expect(nat).toHaveCount(1);
    await expect(nat.first()).toContainText("DNAT in PREROUTING");
    await expect(nat.first().getByTestId("nat-before")).toHaveText("203.0.113.10:30303 → 10.240.0.20:31088");
    await expect(nat.first().getByTestId("nat-after")).toHaveText("203.0.113.10:30303 → 10.200.1.18:80");
    await expect(view.getByTestId("hooks-summary")).toContainText("DNAT: 203.0.113.10:30303 → 10.240.0.20:31088 became 203.0.113.10:30303 → 10.200.1.18:80");

    // On to the wire out of worker-0: FORWARD, then MASQUERADE in nat POSTROUTING.
    for (let i = 0; i < 20 && !/^now: out: eth0$/.test((await view.getByTestId("hooks-now").textContent()) ?? ""); i++) await page.keyboard.press("ArrowRight");
    await expect(view.getByTestId("hooks-now")).toHaveText("now: out: eth0");
    await expect(view.getByTestId("hook-FORWARD")).toHaveAttribute("data-passed", "yes");
    await expect(view.getByTestId("hook-POSTROUTING")).toHaveAttribute("data-passed", "yes");
    await expect(path).toContainText("nat: POSTROUTING → KUBE-POSTROUTING: MASQUERADE");
    await expect(nat).toHaveCount(2);
    await expect(nat.nth(1).getByTestId("nat-after")).toHaveText("10.240.0.20:30303 → 10.200.1.18:80");
  });

  test("a bridged ping on one node passes the hooks the bridge calls (br_netfilter), with no routing", async ({ page }) => {
    // same-node, flow 0: the frame leaves the bridge for the kube-dns pod at step 11.
    await openAt(page, "same-node", 0, 11);
    await page.getByRole("tab", { name: "Netfilter hooks" }).click();
    const view = page.getByRole("region", { name: "Netfilter hooks on worker-0" });
    for (const s of ["br-in", "br-PREROUTING", "br-decision", "br-FORWARD", "br-POSTROUTING", "br-out"]) {
      await expect(view.getByTestId(`hook-${s}`), s).toHaveAttribute("data-passed", "yes");
    }
    await expect(view.getByTestId("hook-route-in")).toHaveAttribute("data-passed", "no");
    await expect(view.getByTestId("hooks-bridge-note")).toHaveText(/br_netfilter: cnio0 called iptables/);
    await expect(view.getByTestId("hooks-path")).toContainText("FORWARD (called by the bridge)");
  });

  test("on a phone, the hop detail's button brings the hooks view into sight, stacked in one column", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    // nodeport, flow 0, step 18: worker-0's DNAT.
    await openAt(page, "nodeport", 0, 18);
    await expect(page.getByTestId("hop-detail")).toContainText("10.200.1.18");
    await page.getByRole("button", { name: "Show in the hooks view" }).click();
    const view = page.getByRole("region", { name: "Netfilter hooks on worker-0" });
    await expect(view).toBeFocused();
    await expect(view).toBeInViewport();
    const pre = view.getByTestId("hook-PREROUTING");
    const route = view.getByTestId("hook-route-in");
    await expect(pre).toHaveAttribute("aria-current", "location");
    // Stacked: the routing decision is below PREROUTING, not beside it.
    const a = (await pre.boundingBox())!;
    const b = (await route.boundingBox())!;
    expect(b.y).toBeGreaterThanOrEqual(a.y + a.height);
    expect(a.width).toBeGreaterThan(300);
    await page.screenshot({ path: test.info().outputPath("phone-hooks.png") });
  });

  test("an embed, which has no bottom panel, offers no button to the hooks view", async ({ page }) => {
    await page.goto(`/#view=${encodeView({ scenario: { id: "nodeport" } })}&at=0.18&embed=1`);
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(page.getByTestId("hop-detail")).toContainText("10.200.1.18");
    await expect(page.getByRole("button", { name: "Show in the hooks view" })).toHaveCount(0);
  });
});
