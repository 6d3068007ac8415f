/**
 * What a newcomer meets first ([first-run]), under the built site and under `npm run dev`
 * alike (the "dev" project runs this file too).
 */
import { expect, test } from "@playwright/test";
import { HopscopePage } from "./hopscope";

test.describe("a newcomer's first minutes", () => {
  test("Tab from the last control reaches nothing invisible", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.getByRole("button", { name: "Fit" }).focus();
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Tab");
      const seen = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return { visible: true, what: "body" };
        const r = el.getBoundingClientRect();
        return { visible: r.width > 2 && r.height > 2, what: `${el.tagName} ${el.textContent?.slice(0, 40) ?? ""}` };
      });
      expect(seen.visible, seen.what).toBe(true);
      expect(seen.what).not.toMatch(/crash/i);
    }
  });

  test("the node panel follows the packet through every namespace, pins a picked node and unpins", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    const picker = page.getByTestId("node-picker");
    await expect(picker.locator("option")).toHaveText(["worker-0", "worker-1", "worker-2", "controller-0", "controller-1", "controller-2", "vpc-router", "client"]);
    // The first step happens on the internet client, then the VPC router, then worker-0.
    await expect(picker).toHaveValue("client");
    await expect(page.getByTestId("no-rules")).toContainText("client has no iptables rules loaded");
    await app.stepTo(/vpc-router/);
    await expect(picker).toHaveValue("vpc-router");
    await app.stepTo(/worker-0/);
    await expect(picker).toHaveValue("worker-0");
    // Picked: stays while the packet moves on.
    await picker.selectOption("controller-1");
    await expect(page.getByTestId("follow-packet")).toHaveAttribute("aria-pressed", "false");
    await page.keyboard.press("ArrowRight");
    await expect(picker).toHaveValue("controller-1");
    await page.getByTestId("follow-packet").click();
    await expect(page.getByTestId("follow-packet")).toHaveAttribute("aria-pressed", "true");
    await expect(picker).toHaveValue("worker-0");
  });

  test("the matched rule is in view, a NAT step marks the rule that decided it, and filter rules are there", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    await app.stepTo(/KUBE-SEP-UGTFMET44DQG7H7H rule 2 matches/);
    const matched = page.locator('[data-testid="node-rules"] tr[data-now="matched"]');
    await expect(matched).toHaveCount(1);
    await expect(matched).toContainText("DNAT --to-destination 10.200.1.18:80");
    await expect(matched).toBeInViewport();
    await page.keyboard.press("ArrowRight");
    const decided = page.locator('[data-testid="node-rules"] tr[data-now="decided"]');
    await expect(decided).toHaveCount(1);
    await expect(decided).toContainText("DNAT --to-destination 10.200.1.18:80");
    await expect(decided).toContainText("(decided this NAT)");
    await expect(decided).toBeInViewport();
    await expect(page.getByTestId("filter-rules")).toContainText("KUBE-FORWARD");
    await app.stepTo(/KUBE-FORWARD rule 1 matches/);
    await expect(page.locator('[data-testid="filter-rules"] tr[data-now="matched"]')).toBeInViewport();
  });

  test("an unconfirmed conntrack entry: the detail and the panel say conntrack -L does not list it yet", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    await app.stepTo(/conntrack on worker-0/);
    await expect(page.getByTestId("hop-detail")).toContainText("unconfirmed: conntrack -L lists it once the packet leaves the node");
    await expect(page.getByTestId("conntrack-unconfirmed")).toContainText("Not listed by conntrack -L yet");
    await expect(page.getByTestId("conntrack-table")).toContainText("No conntrack entries yet");
    await app.stepTo(/confirms/);
    await expect(page.getByTestId("conntrack-unconfirmed")).toHaveCount(0);
    await expect(page.getByTestId("hop-detail")).toContainText("conntrack -L (confirm)");
  });

  test("surprising steps say why: the router's INVALID ACK, the ICMP error by name, the bridge's table", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    await app.stepTo(/INVALID/);
    await expect(page.getByTestId("hop-why")).toContainText("saw the connection's SYN go through, but not the SYN-ACK");
    await app.stepTo(/looks up .* in its forwarding table/);
    await expect(page.getByTestId("fdb").locator('tr[data-looked-up="yes"]')).toHaveCount(1);
    await app.pick("no-route");
    await page.keyboard.press("End");
    await expect(app.current()).toContainText("takes the ICMP message (destination net unreachable) from 10.240.0.1");
  });
});
