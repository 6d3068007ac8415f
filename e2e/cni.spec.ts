/**
 * Other CNIs in the page: flannel's built-ins in their own group of the picker, the VXLAN step
 * (the outer header node to node, the pods' packet inside, the forwarding entry that named the
 * remote node), tcpdump's two lines for the datagram on the wire, the diagram's wrapped packet,
 * Compare CNIs (the same packet on the bridge plugin and on flannel), and the editor's CNI select
 * moving a scenario onto flannel and back with Undo.
 */
import { expect, test } from "@playwright/test";
import { HopscopePage, encodeView, openMenu } from "./hopscope";

test.describe("other CNIs", () => {
  test("flannel's built-ins have their own group; its encap step shows the outer header, the inner packet and the FDB entry", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const app = new HopscopePage(page);
    await app.open("rules");
    const picker = page.getByTestId("scenario-picker");
    const group = picker.locator('optgroup[label^="Today\'s cluster on flannel (VXLAN"]');
    await expect(group).toHaveCount(1);
    await expect(group.locator("option")).toHaveCount(6);
    await expect(group.locator('option[value="flannel-pod-to-pod"]')).toHaveCount(1);
    const calico = picker.locator('optgroup[label^="Today\'s cluster on Calico"]');
    await expect(calico.locator("option")).toHaveCount(7);
    await expect(calico.locator('option[value="calico-routed-pod-to-pod"]')).toHaveCount(1);

    await app.pick("flannel-pod-to-pod");
    await app.stepTo("a VXLAN device");
    const detail = page.getByTestId("hop-detail");
    await expect(detail.getByTestId("encap-detail")).toContainText("flannel.1 wraps the frame: VXLAN, VNI 1, UDP port 8472");
    await expect(detail.getByTestId("outer-header")).toContainText("10.240.0.20.");
    await expect(detail.getByTestId("outer-header")).toContainText("> 10.240.0.21.8472 udp ttl 64");
    await expect(detail.getByTestId("inner-packet")).toContainText("10.244.0.21 > 10.244.1.15 icmp ttl 63");
    await expect(detail.getByTestId("fdb-entry")).toHaveText(/^[0-9a-f:]{17} dst 10\.240\.0\.21 self permanent$/);
    // The diagram draws the packet wrapped, and the node's chip says so.
    await expect(page.getByTestId("packet")).toHaveAttribute("data-wrapped", "VXLAN");
    await expect(page.getByTestId("tunnel-chip")).toContainText("flannel.1: wrapped in VXLAN (VNI 1) for 10.240.0.21");
    await expect(page.getByTestId("hop-list").locator('li[aria-current="step"]')).toContainText("encap");

    // On the wire: both headers, and tcpdump's two lines kept as two lines.
    await app.stepTo("worker-0 sends the packet on eth0");
    await expect(detail.getByTestId("inner-packet")).toContainText("10.244.0.21 > 10.244.1.15");
    const tcpdump = await detail.getByTestId("tcpdump-text").innerText();
    // tcpdump -e: each frame's own link-level header, "IP " left out after it.
    expect(tcpdump.split("\n")).toEqual([
      expect.stringMatching(/^[0-9a-f:]{17} > [0-9a-f:]{17}, ethertype IPv4 \(0x0800\), length 148: 10\.240\.0\.20\.\d+ > 10\.240\.0\.21\.8472: OTV, flags \[I\] \(0x08\), overlay 0, instance 1$/),
      expect.stringMatching(/^[0-9a-f:]{17} > [0-9a-f:]{17}, ethertype IPv4 \(0x0800\), length 98: 10\.244\.0\.21 > 10\.244\.1\.15: ICMP echo request, id 1280, seq 1, length 64$/),
    ]);
    // The box draws them on two lines too.
    const box = await detail.getByTestId("tcpdump-text").boundingBox();
    expect(box!.height).toBeGreaterThan(30);

    // Unwrapped at worker-1.
    await app.stepTo("VXLAN socket");
    await expect(detail.getByTestId("encap-detail")).toContainText("flannel.1 unwraps the frame");
    await expect(page.getByTestId("tunnel-chip")).toHaveAttribute("data-action", "decap");
    // The VPC router carries no pod routes on flannel.
    await expect(page.getByTestId("node-vpc-router")).toContainText("no pod routes (overlay)");
    // The router's panel says so, and why.
    await page.getByTestId("node-picker").selectOption("vpc-router");
    await expect(page.getByTestId("router-pod-routes")).toContainText("VPC routes into the pod network: none. On flannel none are needed");
    // On Calico routed the nodes carry the pods' packets to each other: the router has none either, and says why.
    await app.pick("calico-routed-pod-to-pod");
    await expect(page.getByTestId("node-vpc-router")).toContainText("no pod routes (the nodes route pods)");
    await page.getByTestId("node-picker").selectOption("vpc-router");
    await expect(page.getByTestId("router-pod-routes")).toContainText("On Calico without encapsulation the nodes send pod packets straight to each other");
    expect(errors).toEqual([]);
  });

  test("Compare CNIs puts the packet on the bridge plugin beside the same packet on flannel", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("rules");
    await app.pick("today-pod-to-pod");
    // On the bridge plugin the router holds a route per worker's pod CIDR.
    await page.getByTestId("node-picker").selectOption("vpc-router");
    await expect(page.getByTestId("router-pod-routes")).toHaveText("VPC routes into the pod network: 10.200.0.0/24 via 10.240.0.20, 10.200.1.0/24 via 10.240.0.21, 10.200.2.0/24 via 10.240.0.22.");
    await expect(page.getByTestId("node-vpc-router")).not.toContainText("no pod routes");
    const menu = await openMenu(page);
    await menu.getByTestId("compare-cnis").click();
    const compare = page.getByTestId("compare");
    await expect(compare).toBeVisible();
    await expect(page.getByTestId("compare-first")).toHaveValue("cni-bridge");
    await expect(page.getByTestId("compare-second")).toHaveValue("cni-flannel");
    await expect(page.getByTestId("divergence")).toBeVisible({ timeout: 20_000 });
    await expect(compare).toContainText("flannel.1");
    await expect(compare).toContainText("cnio0");
    // flannel's datagram on the wire: the outer header and the same packet inside it (the addresses stay).
    await expect(compare).toContainText(/10\.240\.0\.20\.\d+ > 10\.240\.0\.21\.8472 \[VXLAN VNI 1: 10\.200\.0\.21 > 10\.200\.1\.15\]/);
  });

  test("the editor's CNI select moves the scenario onto flannel (the bridge plugin's settings and faults go) and Undo brings it back", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open("rules");
    await app.pick("today-pod-to-pod");
    await page.getByRole("button", { name: "Edit scenario" }).click();
    const editor = page.getByTestId("editor");
    await expect(editor).toBeVisible();
    const select = editor.getByTestId("cni-select");
    await expect(select).toHaveValue("bridge");
    await expect(editor.getByText("ipMasq (all nodes)")).toBeVisible();
    await expect(editor.getByTestId("fault-ipmasq-off")).toHaveCount(1);

    await select.selectOption("flannel");
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(select).toHaveValue("flannel");
    await expect(editor.getByText("ipMasq (all nodes)")).toHaveCount(0);
    await expect(editor.getByTestId("bridge-keys-note")).toBeVisible();
    await expect(editor.locator('[data-path="cluster.cni.backend"]')).toHaveValue("vxlan");
    await expect(editor.getByTestId("fault-ipmasq-off")).toHaveCount(0);
    await expect(editor.getByTestId("fault-vpc-route-missing")).toHaveCount(0);
    await expect(editor.getByTestId("fault-ip-forward-off")).toHaveCount(1);
    await expect(page.getByTestId("hop-list")).toContainText("flannel.1");
    await expect(page.getByTestId("hop-list")).toContainText("encap");

    await editor.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(select).toHaveValue("bridge");
    await expect(page.getByTestId("hop-list")).not.toContainText("flannel.1");
    await expect(editor.getByTestId("fault-ipmasq-off")).toHaveCount(1);
  });

  test("the hooks view places the VXLAN datagram's sending as local traffic: out of flannel.1, then OUTPUT and POSTROUTING to eth0", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    // flannel-pod-to-pod's request, at worker-0's eth0 (the datagram leaving).
    await page.goto(`/#view=${encodeView({ scenario: { id: "flannel-pod-to-pod" } })}&at=0.30&level=rules`);
    await expect(page.getByTestId("loading")).toHaveCount(0);
    await expect(page.getByTestId("hop-detail")).toContainText("worker-0 sends the packet on eth0");
    await page.getByRole("tab", { name: "Netfilter hooks" }).click();
    const view = page.getByRole("region", { name: "Netfilter hooks on worker-0" });
    await expect(view).toBeVisible();
    const path = view.getByTestId("hooks-path");
    await expect(path).toContainText("tunnel device: flannel.1 (VXLAN)");
    await expect(path).toContainText("OUTPUT");
    expect(errors).toEqual([]);
  });
});
