/**
 * The editor, the way a trainer uses it: a cluster built from scratch in the page, a packet sent
 * by clicking, Undo and Redo, the link shared and reopened; every what-if fault toggled with its
 * effect; bad input kept beside its field.
 */
import { expect, test, type Page } from "@playwright/test";
import { HopscopePage } from "./hopscope";

async function openEditor(page: Page): Promise<HopscopePage> {
  const app = new HopscopePage(page);
  await app.open();
  await page.getByRole("button", { name: "Edit scenario" }).click();
  await expect(page.getByTestId("editor")).toBeVisible();
  return app;
}

/** Waits until the page shows a trace (or none) for the last edit. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId("loading")).toHaveCount(0);
}

/** The flow headers of the hop list: "<flow> · <origin> · <outcome>". */
function flowHeaders(page: Page) {
  return page.getByTestId("hop-list").getByTestId("flow-header");
}

test.describe("building a scenario in the page", () => {
  test("three workers, a three-replica Deployment and a NodePort service; a curl from the client by clicking; Undo, Redo, share and reopen", async ({ page, context }) => {
    await openEditor(page);
    await page.getByRole("button", { name: "New scenario" }).click();
    await settled(page);
    await expect(page.getByTestId("no-traffic")).toBeVisible();
    const editor = page.getByTestId("editor");
    await editor.getByRole("button", { name: "Add worker" }).click();
    await settled(page);
    await editor.getByRole("button", { name: "Add worker" }).click();
    await settled(page);
    await expect(page.getByTestId("node-worker-2")).toBeVisible();
    await editor.getByRole("button", { name: "Add deployment" }).click();
    await settled(page);
    const replicas = editor.getByLabel("Replicas");
    await replicas.fill("3");
    await replicas.press("Enter");
    await settled(page);
    await expect(page.locator('[data-testid^="pod-web-"]')).toHaveCount(3);
    await editor.getByRole("button", { name: "Add NodePort service" }).click();
    await settled(page);
    await expect(page.getByTestId("service-default-web")).toContainText("NodePort 30000");

    // Click the client, then worker-1, on the diagram; curl its NodePort through its public address.
    await editor.getByTestId("pick-on-diagram").click();
    await page.getByTestId("node-client").getByText("Internet client").click();
    await page.getByTestId("node-worker-1").getByText("worker-1", { exact: true }).click();
    const send = editor.getByRole("region", { name: "Send a packet" });
    await send.getByLabel("Send").selectOption("curl");
    await expect(send.getByLabel("Port")).toHaveAttribute("placeholder", "30000");
    await expect(send.getByLabel(/to its public address/)).toBeChecked();
    await send.getByRole("button", { name: "Send" }).click();
    await settled(page);
    await expect(flowHeaders(page).first()).toContainText("curl from the client to worker-1's public address (198.51.100.21) port 30000 · delivered");

    // Step to kube-proxy's DNAT on worker-1 and read it in the hop detail.
    const app = new HopscopePage(page);
    await app.stepTo(/DNAT rewrites the destination: 203\.0\.113\.10\.\d+ > 10\.240\.0\.21\.30000 becomes/);
    const detail = page.getByTestId("hop-detail");
    await expect(detail).toContainText("worker-1");
    await expect(detail.getByTestId("nat-diff")).toContainText(/10\.200\.\d\.\d+/);

    // Undo takes the packet away, Redo brings it back.
    await editor.getByRole("button", { name: "Undo" }).click();
    await settled(page);
    await expect(page.getByTestId("no-traffic")).toBeVisible();
    await page.keyboard.press("Control+Shift+Z");
    await settled(page);
    await expect(flowHeaders(page).first()).toContainText("port 30000 · delivered");

    // The link carries the edited scenario: a new page opens it as it is.
    const url = page.url();
    expect(url).toContain("#view=");
    const again = await context.newPage();
    await again.goto(url);
    await expect(again.getByTestId("scenario-picker")).toContainText("Edited: My cluster");
    await expect(again.locator('[data-testid^="pod-web-"]')).toHaveCount(3);
    await expect(flowHeaders(again).first()).toContainText("port 30000 · delivered");
  });

  test("a wrong value stays in its field with the validator's message, and the diagram keeps the last good scenario", async ({ page }) => {
    await openEditor(page);
    const editor = page.getByTestId("editor");
    const podCidr = editor.getByRole("group", { name: "worker-1" }).getByLabel("Pod CIDR");
    await podCidr.fill("10.200.0.0/24");
    await podCidr.press("Enter");
    await expect(editor.getByTestId("pending")).toContainText("cluster.workers.1.podCidr");
    await expect(podCidr).toHaveValue("10.200.0.0/24");
    await expect(podCidr).toHaveAttribute("aria-invalid", "true");
    await expect(editor.getByRole("group", { name: "worker-1" }).getByRole("alert")).toContainText(/overlaps/);
    await expect(page.getByTestId("node-worker-1")).toContainText("pod network 10.200.1.0/24");

    // The JSON view: a syntax error is placed at its line and column, and Apply waits for a fix.
    await editor.getByRole("button", { name: "Discard" }).click();
    await editor.getByRole("tab", { name: "JSON" }).click();
    const json = editor.getByRole("textbox", { name: "Scenario JSON" });
    const text = await json.inputValue();
    await json.fill(text.replace('"title": "Pod to pod across nodes (ipMasq on)"', '"title": Pod to pod'));
    await expect(editor.getByTestId("json-issues")).toContainText(/line \d+, column \d+/);
    await expect(editor.getByRole("button", { name: "Apply" })).toBeDisabled();
    await json.fill(text.replace('"title": "Pod to pod across nodes (ipMasq on)"', '"title": "My pod to pod"'));
    await expect(editor.getByTestId("json-status")).toHaveText("Valid: Apply shows it.");
    await editor.getByRole("button", { name: "Apply" }).click();
    await settled(page);
    await expect(page.getByTestId("scenario-picker")).toContainText("Edited: My pod to pod");
  });
});

test.describe("what-if faults", () => {
  /** Ticks (or unticks) a fault's box after choosing its targets. */
  async function toggleFault(page: Page, kind: string, targets: Record<string, string>, on = true): Promise<void> {
    const editor = page.getByTestId("editor");
    for (const [label, value] of Object.entries(targets)) await editor.getByLabel(label, { exact: true }).selectOption(value);
    const box = editor.getByTestId(`fault-${kind}`);
    // The box shows the document: it changes once the edit is traced, not on the click itself.
    await box.click();
    await settled(page);
    await expect(box).toBeChecked({ checked: on });
  }

  test("each fault, toggled in the editor, has its effect on the trace", async ({ page }) => {
    const app = await openEditor(page);
    const first = () => flowHeaders(page).first();

    await toggleFault(page, "vpc-route-missing", { "VPC route missing: node": "worker-1" });
    await expect(first()).toContainText("dropped: no route to 10.200.1.15 (on vpc-router)");
    await page.getByRole("button", { name: "Undo" }).click();
    await settled(page);

    await toggleFault(page, "vpc-route-wrong-worker", { "VPC route to the wrong worker: node": "worker-1", "VPC route to the wrong worker: sent to": "worker-2" });
    await expect(first()).toContainText("dropped: TTL exceeded in transit (ttl 1) (on worker-2)");
    await page.getByRole("button", { name: "Undo" }).click();
    await settled(page);

    await toggleFault(page, "ipmasq-off", { "ipMasq off: node": "worker-0" });
    await expect(first()).toContainText("delivered");
    await app.stepTo(/busybox0-g6pww takes the echo request from 10\.200\.0\.21/);
    await page.getByRole("button", { name: "Undo" }).click();
    await settled(page);

    await toggleFault(page, "ip-forward-off", { "net.ipv4.ip_forward=0: node": "worker-1" });
    await expect(first()).toContainText("dropped: forwarding is off (net.ipv4.ip_forward = 0) (on worker-1)");
    await page.getByRole("button", { name: "Undo" }).click();
    await settled(page);

    // The same-node ping is bridged on worker-0: with bridge-nf-call-iptables=0 iptables never sees it.
    await page.getByTestId("scenario-picker").selectOption("same-node");
    await settled(page);
    const ruleHops = () => page.getByTestId("hop-list").locator("li").filter({ has: page.locator("span", { hasText: /^rule$/ }) });
    await expect(ruleHops()).not.toHaveCount(0);
    await toggleFault(page, "bridge-nf-off", { "net.bridge.bridge-nf-call-iptables=0: node": "worker-0" });
    await expect(first()).toContainText("delivered");
    await expect(ruleHops()).toHaveCount(0);

    // The NodePort scenario: kube-proxy stopped on worker-0 before nginx's service was made.
    await page.getByTestId("scenario-picker").selectOption("nodeport");
    await settled(page);
    await toggleFault(page, "kube-proxy-stopped", { "kube-proxy stopped: node": "worker-0", "kube-proxy stopped: service": "default/nginx" });
    await expect(first()).toContainText("dropped: nothing listens on tcp port 31088");
    await page.getByRole("button", { name: "Undo" }).click();
    await settled(page);

    // nginx's selector matching no pod, then a stale endpoint left behind: DNAT to an address nobody has.
    await toggleFault(page, "no-endpoints", { "selector matches no pod: service": "default/nginx" });
    await expect(first()).toContainText("dropped: REJECT");
    await toggleFault(page, "stale-endpoint", { "stale endpoint: service": "default/nginx" });
    await expect(first()).toContainText("dropped: no neighbour answers ARP for 10.200.2.250");
    await expect(flowHeaders(page).nth(1)).toContainText("error");

    // hairpin: nginx calling its own service fails with hairpin mode off (KTHW's), works with it on.
    await page.getByTestId("scenario-picker").selectOption("pod-to-pod");
    await settled(page);
    const send = page.getByTestId("editor").getByRole("region", { name: "Send a packet" });
    await send.getByLabel("From").selectOption({ label: "pod nginx-65899c769f-wxdx6" });
    await send.getByLabel("To").selectOption({ label: "service default/nginx" });
    await send.getByLabel("Send").selectOption("curl");
    await send.getByRole("button", { name: "Send" }).click();
    await settled(page);
    await expect(flowHeaders(page).filter({ hasText: "curl from nginx-65899c769f-wxdx6" }).first()).toContainText("hairpin mode is off");
    await toggleFault(page, "hairpin-off", { "hairpin mode off: node": "worker-1" }, false);
    await expect(flowHeaders(page).filter({ hasText: "curl from nginx-65899c769f-wxdx6" }).first()).toContainText("delivered");
  });
});

test("Compare: ipMasq on and off, side by side, the first divergence named", async ({ page }) => {
  await openEditor(page);
  const editor = page.getByTestId("editor");
  await editor.getByLabel("ipMasq off: node", { exact: true }).selectOption("worker-0");
  await editor.getByTestId("fault-ipmasq-off").click();
  await settled(page);
  await expect(editor.getByTestId("fault-ipmasq-off")).toBeChecked();
  await editor.getByRole("button", { name: "Compare" }).click();
  const dialog = page.getByRole("dialog", { name: "Compare two versions" });
  await expect(dialog.getByTestId("divergence")).toHaveText("without it: the source becomes 10.240.0.20; ipMasq off on worker-0: it stays 10.200.0.21");
  await expect(dialog.getByTestId("divergence-row")).toContainText("10.240.0.20");
  // Two built-ins instead: a different first divergence, still named.
  await dialog.getByTestId("compare-first").selectOption({ label: "Built-in: Pod to pod across nodes (ipMasq on)" });
  await dialog.getByTestId("compare-second").selectOption({ label: "Built-in: Pod to pod across nodes (ipMasq off)" });
  await expect(dialog.getByTestId("divergence")).toContainText("the source becomes 10.240.0.20");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
});
