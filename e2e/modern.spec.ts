/**
 * Today's kube-proxy beside 2018's, the way a trainer shows it: today's built-ins in their own
 * group of the picker, the kube-proxy switch in the node panel's bar running the same packet
 * through 1.37's iptables and nftables rules (the panel then shows kube-proxy's nft chains), Undo
 * back to 2018's, and "Compare kube-proxies" putting two of them side by side.
 */
import { expect, test } from "@playwright/test";
import { HopscopePage, openMenu } from "./hopscope";

test.describe("today's kube-proxy", () => {
  test("today's built-ins are grouped apart from the article's, and run kube-proxy 1.37", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("hops");
    const picker = page.getByTestId("scenario-picker");
    // (Today's cluster on other CNIs has groups of its own: cni.spec.ts.)
    await expect(picker.locator("optgroup")).toHaveCount(4);
    await expect(picker.locator("optgroup").nth(0)).toHaveAttribute("label", "The article's cluster (2018, kube-proxy 1.10)");
    await expect(picker.locator("optgroup").nth(1)).toHaveAttribute("label", "Today's cluster (kube-proxy 1.37)");
    await expect(picker.locator("optgroup").nth(1).locator("option")).toHaveCount(10);
    await app.pick("today-nodeport");
    const kp = page.getByTestId("kube-proxy");
    await expect(kp).toHaveValue("iptables-1.37");
    await expect(page.getByRole("combobox", { name: "kube-proxy" }).first()).toBeVisible();
    // The trace passes today's chains.
    await page.getByTestId("level").selectOption("rules");
    await expect(page.getByTestId("hop-list")).toContainText("KUBE-EXT-2CMXP7HKUVJN7L6M");
  });

  test("the switch runs the same packet through nftables rules, the panel shows kube-proxy's nft chains, Undo goes back", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const app = new HopscopePage(page);
    await app.open("rules");
    await app.pick("nodeport");
    const kp = page.getByTestId("kube-proxy");
    await expect(kp).toHaveValue("iptables-1.10");
    await expect(page.getByTestId("hop-list")).toContainText("KUBE-NODEPORTS");

    await kp.selectOption("nftables-1.37");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(kp).toHaveValue("nftables-1.37");
    const hops = page.getByTestId("hop-list");
    await expect(hops).toContainText("kube-proxy services rule 3 matches: go to external-ECO34HEO-default/nginx/tcp/");
    await expect(hops).toContainText("kube-proxy masquerading rule 1 matches: MASQUERADE");
    await expect(hops).not.toContainText("KUBE-NODEPORTS");
    // The node panel lists kube-proxy's nft table beside the iptables ones.
    await page.getByTestId("node-picker").selectOption("worker-0");
    await expect(page.getByTestId("node-rules")).toContainText("ip kube-proxy");
    await expect(page.getByTestId("node-rules")).toContainText("service-nodeports");
    // The picker says the scenario on screen is an edit; Undo brings 2018's rules back.
    await expect(page.getByTestId("scenario-picker")).toContainText("NodePort from the internet");
    await page.keyboard.press("Control+z");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(kp).toHaveValue("iptables-1.10");
    await expect(page.getByTestId("hop-list")).toContainText("KUBE-NODEPORTS");
    expect(errors).toEqual([]);
  });

  test("Compare kube-proxies puts 2018's and today's rules side by side and names where they part", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("rules");
    await app.pick("clusterip-dns-tcp");
    const menu = await openMenu(page);
    await menu.getByRole("button", { name: "Compare kube-proxies" }).click();
    const compare = page.getByTestId("compare");
    await expect(compare).toBeVisible();
    await expect(page.getByTestId("compare-first")).toHaveValue("kp-iptables-1.10");
    await expect(page.getByTestId("compare-second")).toHaveValue("kp-iptables-1.37");
    await expect(page.getByTestId("divergence")).toBeVisible({ timeout: 20_000 });
    await expect(compare).toContainText("KUBE-SVC-ERIFXISQEP7F7OF4");
    // The third one can be picked too.
    await page.getByTestId("compare-second").selectOption("kp-nftables-1.37");
    await expect(page.getByTestId("compare-second-status")).toContainText(/DNS over TCP/, { timeout: 20_000 });
    await expect(compare).toContainText("kube-proxy services rule 2 matches: go to service-NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp");
  });
});
