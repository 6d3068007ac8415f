/** [teach]: the path on the picture, levels of detail, a clickable diagram. */
import { expect, test } from "@playwright/test";
import { HopscopePage } from "./hopscope";

test.describe("a diagram that teaches", () => {
  test("the default level is hops: NodePort's request and reply in 30 steps or fewer; 1, 2, 3 and L switch level and keep the place", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("hops");
    await app.pick("nodeport");
    const level = page.getByRole("combobox", { name: "Level of detail" });
    await expect(level).toHaveValue("hops");
    const hops = await app.count();
    console.log(`nodeport: ${hops} steps at the hop level`);
    expect(hops).toBeLessThanOrEqual(30);
    expect(hops).toBeGreaterThan(5);
    await expect(app.hops()).toHaveCount(hops);
    // Step to worker-1's hop, then show every rule: the step shown stays on worker-1's last step there.
    await app.stepTo(/worker-1 sends the packet on veth/, "hops");
    const text = await page.getByTestId("live").textContent();
    await page.keyboard.press("3");
    await expect(level).toHaveValue("rules");
    const rules = await app.count();
    expect(rules).toBeGreaterThan(hops * 2);
    expect(text).toContain("worker-1 sends the packet on veth");
    await expect(page.getByTestId("live")).toContainText("worker-1 sends the packet on veth");
    // Back one step at the rules level is a step the hop level does not show.
    await page.keyboard.press("ArrowLeft");
    await expect(page.getByTestId("live")).not.toContainText("worker-1 sends the packet on veth");
    await page.keyboard.press("2");
    await expect(level).toHaveValue("hooks");
    const hooks = await app.count();
    expect(hooks).toBeGreaterThan(hops);
    expect(hooks).toBeLessThan(rules);
    await page.keyboard.press("l");
    await expect(level).toHaveValue("rules");
    await page.keyboard.press("l");
    await expect(level).toHaveValue("hops");
    // The hop the rule step belongs to: worker-1's.
    await expect(page.getByTestId("live")).toContainText("worker-1 sends the packet on veth");
    // The level is part of the link.
    await page.keyboard.press("1");
    await page.keyboard.press("2");
    await expect(page).toHaveURL(/&level=hooks/);
  });

  test("pod to pod: a trail along the wires, the addresses on each segment, the masquerade highlighted where it happened", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("hops");
    await app.stepTo(/busybox0-g6pww takes the echo request/, "hops");
    const labels = page.getByTestId("trail-label");
    await expect(labels.first()).toHaveText("10.200.0.21 → 10.200.1.15");
    const texts = await labels.allTextContents();
    expect(texts).toContain("10.240.0.20 → 10.200.1.15");
    await expect(page.locator('[data-testid="trail-label"][data-nat="yes"]').first()).toHaveText("10.240.0.20 → 10.200.1.15");
    await expect(page.getByTestId("trail").locator("polyline")).not.toHaveCount(0);
    await expect(page.getByTestId("packet-badge")).toHaveText("ICMP 10.240.0.20 → 10.200.1.15");
    // Back at the first step the trail is gone: it is the path so far.
    await page.keyboard.press("Home");
    await expect(page.getByTestId("trail-label")).toHaveCount(0);
    await expect(page.getByTestId("packet-badge")).toHaveText("ICMP 10.200.0.21 → 10.200.1.15");
    await page.screenshot({ path: "e2e-artifacts/teach-trail-pod-to-pod.png" });
  });

  test("NodePort: the cloud's DNAT, then kube-proxy's DNAT and masquerade, each on its own segment", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("hops");
    await app.pick("nodeport");
    await app.stepTo(/nginx-65899c769f-wxdx6 takes the tcp segment/, "hops");
    const texts = await page.getByTestId("trail-label").allTextContents();
    expect(texts[0]).toBe("203.0.113.10:30303 → 198.51.100.20:31088");
    expect(texts).toContain("203.0.113.10:30303 → 10.240.0.20:31088");
    expect(texts).toContain("10.240.0.20:30303 → 10.200.1.18:80");
    expect(texts.indexOf("203.0.113.10:30303 → 10.240.0.20:31088")).toBeLessThan(texts.indexOf("10.240.0.20:30303 → 10.200.1.18:80"));
    await expect(page.getByTestId("packet-badge")).toHaveText("TCP 10.240.0.20:30303 → 10.200.1.18:80");
    await page.screenshot({ path: "e2e-artifacts/teach-trail-nodeport.png" });
  });

  test("a drop is a drop on the picture: a red ✕ where it happened and why", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("hops");
    await app.pick("no-route");
    await app.stepTo(/vpc-router drops the packet/, "hops");
    await expect(page.getByTestId("drop-marker")).toBeVisible();
    await expect(page.getByTestId("drop-reason")).toHaveText("dropped at vpc-router: no route to 10.200.1.15");
    await expect(page.getByTestId("packet")).toHaveCount(0);
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("drop-marker")).toHaveCount(0);
  });

  test("the diagram is clickable: a node opens its rules, a pod a shell in it, a rule chip its node's rules", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("rules");
    await page.getByRole("button", { name: "Open worker-2's rules and conntrack" }).click();
    await expect(page.getByTestId("node-picker")).toHaveValue("worker-2");
    await expect(page.getByTestId("follow-packet")).toHaveAttribute("aria-pressed", "false");
    await page.getByRole("button", { name: "Open a shell in nginx-65899c769f-wxdx6" }).press("Enter");
    await expect(page.getByTestId("terminal-target")).toHaveValue("worker-1/nginx-65899c769f-wxdx6");
    await expect(page.getByTestId("terminal-input")).toBeFocused();
    await page.getByTestId("terminal-input").blur();
    await app.stepTo(/MASQUERADE rewrites the source/);
    const chip = page.getByTestId("rule-chip");
    await expect(chip).toContainText("MASQUERADE");
    await chip.click();
    await expect(page.getByTestId("tab-node")).toHaveAttribute("aria-selected", "true");
    await expect(page.getByTestId("node-picker")).toHaveValue("worker-0");
  });

  test("zoomed in, the view follows the packet: it stays in sight as it crosses the cluster", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("hops");
    await app.pick("nodeport");
    const topology = page.getByTestId("topology");
    const box = (await topology.boundingBox())!;
    // Zoom in (×~3) around the internet client, where the packet starts.
    const client = (await page.getByTestId("node-client").boundingBox())!;
    await page.mouse.move(client.x + client.width / 2, client.y + client.height / 2);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -240);
    await expect.poll(async () => Number(await topology.getAttribute("data-zoom"))).toBeGreaterThan(2);
    const inside = async () => {
      // The packet's dot (its header badge beside it may run past the edge at this zoom).
      const p = (await page.getByTestId("packet").locator("circle").first().boundingBox())!;
      const cx = p.x + p.width / 2;
      const cy = p.y + p.height / 2;
      return cx > box.x && cx < box.x + box.width && cy > box.y && cy < box.y + box.height;
    };
    // Across the host network to worker-0, then to the pod on worker-1: far apart at this zoom.
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("ArrowRight");
      await expect(page.locator('[data-testid="packet"][data-animating="yes"]')).toHaveCount(0);
      await expect.poll(inside, { message: `the packet is in sight after step ${i + 2}` }).toBe(true);
    }
    await page.screenshot({ path: "e2e-artifacts/teach-follow-zoomed.png" });
  });
});
