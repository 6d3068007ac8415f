/**
 * What a newcomer meets first ([first-run]), under the built site and under `npm run dev`
 * alike (the "dev" project runs this file too).
 */
import { expect, test } from "@playwright/test";
import { BUILTIN_SCENARIOS } from "../src/engine/scenarios/article";
import { HopscopePage, encodeView } from "./hopscope";

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

  test("a link with an edited scenario shows its own title and description", async ({ page }) => {
    const spec = { ...BUILTIN_SCENARIOS.find((s) => s.id === "nodeport")!, title: "My NodePort lesson", description: "The article's NodePort, retold for week 3." };
    await page.goto(`/#view=${encodeView({ scenario: { spec } })}&at=0.0`);
    await expect(page.getByTestId("loading")).toHaveCount(0);
    const picker = page.getByTestId("scenario-picker");
    await expect(picker.locator("option:checked")).toHaveText("Edited: My NodePort lesson");
    await expect(page.getByTestId("scenario-description")).toHaveText("The article's NodePort, retold for week 3.");
    // Picking a built-in one leaves the edited one.
    await picker.selectOption("same-node");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(picker.locator("option:checked")).toHaveText("Pod to pod on the same node");
    await expect(picker.locator("option", { hasText: "Edited:" })).toHaveCount(0);
  });

  test("a shared shell session opens on the Shell tab with its lines, and its flows name the line that started them", async ({ page }) => {
    const shell = [
      { target: "worker-0/busybox0-rw89s", line: "ping -c 1 10.200.1.15" },
      { target: "worker-0", line: "ip route | grep cnio0" },
    ];
    await page.goto(`/#view=${encodeView({ scenario: { id: "pod-to-pod" }, shell })}&at=0.0`);
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(page.getByTestId("tab-shell")).toHaveAttribute("aria-selected", "true");
    const log = page.getByTestId("terminal-log");
    await expect(log).toContainText("the shared session's 2 lines, replayed");
    await expect(log).toContainText("ping -c 1 10.200.1.15");
    await expect(log).toContainText("1 packets transmitted, 1 packets received");
    await expect(log).toContainText("10.200.0.0/24 dev cnio0 proto kernel scope link src 10.200.0.1");
    await expect(page.getByTestId("terminal-target")).toHaveValue("worker-0");
    await expect(page.getByTestId("hop-list").getByTestId("flow-header").filter({ hasText: "ping -c 1 10.200.1.15 (on busybox0-rw89s)" })).toHaveCount(2);
    await expect(page.getByTestId("hop-list").getByTestId("flow-header").first()).toContainText("ping from busybox0-rw89s to 10.200.1.15");
  });

  test("a shared line for a node or pod the scenario does not have gets a visible message", async ({ page }) => {
    const shell = [
      { target: "worker-9", line: "ip route" },
      { target: "worker-0", line: "hostname" },
    ];
    await page.goto(`/#view=${encodeView({ scenario: { id: "pod-to-pod" }, shell })}&at=0.0`);
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(page.getByTestId("notice")).toContainText("name places this scenario does not have; one was skipped: line 1");
    await expect(page.getByTestId("notice")).toContainText("worker-9");
    await expect(page.getByTestId("terminal-log")).toContainText("worker-0");
  });

  test("the shell answers honestly: what it does not change, the files a learner reads, ip route get and traceroute", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.getByTestId("tab-shell").click();
    const input = page.getByTestId("terminal-input");
    const outs = page.getByTestId("terminal-out");
    const type = async (line: string) => {
      const n = await outs.count();
      await input.fill(line);
      await input.press("Enter");
      await expect(outs).toHaveCount(n + 1);
      return outs.last();
    };
    await page.getByTestId("terminal-target").selectOption("worker-0");
    await expect(await type("kubectl scale deployment nginx --replicas=3")).toContainText("kubectl scale would change the cluster");
    await expect(await type("cat /etc/cni/net.d/10-bridge.conf")).toContainText('"bridge": "cnio0"');
    await expect(await type("ip route get 10.200.1.15")).toContainText("10.200.1.15 via 10.240.0.1 dev eth0 src 10.240.0.20 uid 1000");
    await page.getByTestId("terminal-target").selectOption("worker-0/busybox0-rw89s");
    await expect(await type("cat /etc/resolv.conf")).toContainText("nameserver 10.32.0.10");
    const before = await app.count();
    await expect(await type("traceroute -n 10.200.1.15")).toContainText(" 2  10.240.0.21");
    // The probes joined the trace.
    await expect.poll(() => app.count()).toBeGreaterThan(before);
  });

  test("on a 390×844 phone the diagram takes the width, the controls stay in view, and stepping does not scroll the page", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const app = new HopscopePage(page);
    await app.open();
    const box = await page.getByTestId("topology").boundingBox();
    expect(box!.width).toBeGreaterThan(360);
    expect(box!.height).toBeGreaterThan(250);
    await expect(page.getByTestId("position")).toBeInViewport();
    for (let i = 0; i < 8; i++) await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await expect(page.getByTestId("position")).toHaveText(/^9 \//);
    await page.screenshot({ path: "e2e-artifacts/phone-390x844.png" });
  });
});
