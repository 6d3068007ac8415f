import { expect, test } from "@playwright/test";
import { HopscopePage } from "./hopscope";
import { frameTimes, keyToStep } from "./measure";

/** The hops that make each walk-through what it is: addresses before and after each NAT. */
const KEY_HOPS: Record<string, string[]> = {
  "pod-to-pod": ["MASQUERADE rewrites the source: 10.200.0.21 > 10.200.1.15 becomes 10.240.0.20 > 10.200.1.15", "busybox0-g6pww receives the packet on eth0: 10.240.0.20 > 10.200.1.15", "conntrack reverses the source NAT on the reply: 10.200.1.15 > 10.240.0.20 becomes 10.200.1.15 > 10.200.0.21"],
  "pod-to-pod-no-masq": ["busybox0-g6pww receives the packet on eth0: 10.200.0.21 > 10.200.1.15", "busybox0-rw89s takes the echo reply from 10.200.1.15"],
  "same-node": ["cnio0 does not know 0a:58:0a:c8:00:1b yet and floods the frame", "receives the packet on eth0: 10.200.0.21 > 10.200.0.27"],
  "clusterip-dns-udp": ["DNAT rewrites the destination: 10.200.1.15.53340 > 10.32.0.10.53 becomes 10.200.1.15.53340 > 10.200.0.27.53", "conntrack reverses the destination NAT on the reply: 10.200.0.27.53 > 10.200.1.15.53340 becomes 10.32.0.10.53 > 10.200.1.15.53340"],
  "clusterip-dns-tcp": ["DNAT rewrites the destination: 10.200.1.15.49070 > 10.32.0.10.53 becomes 10.200.1.15.49070 > 10.200.0.27.53"],
  nodeport: [
    "DNAT rewrites the destination: 203.0.113.10.30303 > 198.51.100.20.31088 becomes 203.0.113.10.30303 > 10.240.0.20.31088",
    "DNAT rewrites the destination: 203.0.113.10.30303 > 10.240.0.20.31088 becomes 203.0.113.10.30303 > 10.200.1.18.80",
    "MASQUERADE rewrites the source: 203.0.113.10.30303 > 10.200.1.18.80 becomes 10.240.0.20.30303 > 10.200.1.18.80",
    "conntrack reverses the destination NAT on the reply: 10.200.1.18.80 > 203.0.113.10.30303 becomes 10.240.0.20.31088 > 203.0.113.10.30303",
  ],
  "node-to-pod": ["busybox0-g6pww receives the packet on eth0: 10.240.0.20 > 10.200.1.15"],
  "pod-to-internet": ["MASQUERADE rewrites the source: 10.200.0.21 > 203.0.113.10 becomes 10.240.0.20 > 203.0.113.10", "SNAT rewrites the source: 10.240.0.20 > 203.0.113.10 becomes 198.51.100.20 > 203.0.113.10"],
  "no-route": ["vpc-router drops the packet: no route to 10.200.1.15", "busybox0-rw89s takes the ICMP message (destination net unreachable) from 10.240.0.1"],
};
const ABSENT_HOPS: Record<string, string[]> = { "pod-to-pod-no-masq": ["MASQUERADE", "SNAT rewrites", "DNAT rewrites"], "node-to-pod": ["MASQUERADE", "DNAT rewrites"] };

test.describe("the article's cluster", () => {
  test("opens on the first scenario with the topology drawn and no set-up", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const app = new HopscopePage(page);
    const t0 = Date.now();
    await app.open();
    console.log(`topology on screen ${Date.now() - t0} ms after navigation`);
    await expect(page.getByTestId("scenario-picker")).toHaveValue("pod-to-pod");
    for (const n of ["worker-0", "worker-1", "worker-2", "controller-0", "vpc-router", "client"]) await expect(page.getByTestId(`node-${n}`)).toBeVisible();
    for (const p of ["busybox0-rw89s", "busybox0-g6pww", "nginx-65899c769f-wxdx6"]) await expect(page.getByTestId(`pod-${p}`)).toBeVisible();
    await expect(page.getByTestId("topology")).toContainText("service network 10.32.0.0/24 — virtual");
    expect(errors).toEqual([]);
  });

  const cases: [string, RegExp, Record<string, string>][] = [
    ["pod-to-pod", /MASQUERADE rewrites the source/, { src: "10.200.0.21 → 10.240.0.20" }],
    ["clusterip-dns-udp", /DNAT rewrites the destination/, { dst: "10.32.0.10 → 10.200.0.27", dport: "53 → 53" }],
    ["clusterip-dns-tcp", /DNAT rewrites the destination/, { dst: "10.32.0.10 → 10.200.0.27" }],
    ["nodeport", /DNAT rewrites the destination: 203\.0\.113\.10\.30303 > 10\.240\.0\.20\.31088/, { dst: "10.240.0.20 → 10.200.1.18", dport: "31088 → 80" }],
  ];
  for (const [id, hop, fields] of cases) {
    test(`${id}: the NAT rewrite is a before → after diff with the changed fields highlighted`, async ({ page }) => {
      const app = new HopscopePage(page);
      await app.open();
      await app.pick(id);
      await app.stepTo(hop);
      const diff = page.getByTestId("nat-diff");
      for (const [field, change] of Object.entries(fields)) {
        const [before, after] = change.split(" → ");
        const row = diff.locator("tr", { has: page.locator(`td:text-is("${field}")`) });
        await expect(row.locator("td").nth(1)).toHaveText(before!);
        await expect(row.locator("td").nth(2)).toContainText(after!);
        if (before !== after) await expect(row).toHaveAttribute("data-changed", "yes");
      }
    });
  }

  test("every built-in scenario steps to its end, showing the reply's reverse translation", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    const ids = await page.getByTestId("scenario-picker").locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    // The article's nine and the load balancer, on its 2018 cluster and on today's; six of them on flannel, seven on Calico.
    expect(ids).toHaveLength(33);
    for (const id of ids) {
      await app.pick(id);
      await page.keyboard.press("End");
      const n = await app.count();
      await expect(page.getByTestId("position")).toHaveText(`${n} / ${n}`);
      const last = await app.current().textContent();
      if (id.endsWith("no-route")) {
        await expect(page.getByTestId("hop-list")).toContainText("no route to 10.200.1.15");
      } else if (id.endsWith("loadbalancer")) {
        // Its last packet is the pod's, which the load balancer's source ranges keep out.
        await expect(page.getByTestId("hop-list")).toContainText(/worker-0 drops the packet: DROP rule in filter KUBE-(FIREWALL|PROXY-FIREWALL)/);
      } else {
        expect(last).toMatch(/takes the (echo reply|udp segment|tcp segment|ICMP message)/);
      }
      const list = page.getByTestId("hop-list");
      for (const hop of KEY_HOPS[id] ?? []) await expect(list).toContainText(hop);
      for (const hop of ABSENT_HOPS[id] ?? []) await expect(list).not.toContainText(hop);
      await page.screenshot({ path: `e2e-artifacts/scenario-${id}.png`, animations: "disabled" });
    }
  });

  test("the node panel's counters and conntrack table follow the step, and stepping back undoes them", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.stepTo(/MASQUERADE rewrites the source/);
    await expect(page.getByTestId("node-picker")).toHaveValue("worker-0");
    const cniJump = page.getByTestId("nat-rules").locator('tr[data-rule^="POSTROUTING#"]', { hasText: "CNI-be726a77f15ea47ff32947a3" });
    await expect(cniJump).toHaveAttribute("data-pkts", "1");
    await expect(page.getByTestId("conntrack-table")).toContainText("No conntrack entries yet");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("conntrack-table")).toContainText("src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1280 [UNREPLIED] src=10.200.1.15 dst=10.240.0.20");
    await page.keyboard.press("Home");
    await page.getByTestId("node-picker").selectOption("worker-0");
    await expect(cniJump).toHaveAttribute("data-pkts", "0");
    await expect(page.getByTestId("conntrack-table")).toContainText("No conntrack entries yet");
  });

  test("the shell runs the article's commands on a node, with the tools' own answers to mistakes", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.getByTestId("tab-shell").click();
    const input = page.getByTestId("terminal-input");
    const log = page.getByTestId("terminal-log");
    await expect(page.getByText("ubuntu@worker-0:~$").last()).toBeVisible();
    await input.fill("sudo conntrack -L | grep 10.200.1.15");
    await input.press("Enter");
    await expect(log).toContainText("src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1280 src=10.200.1.15 dst=10.240.0.20 type=0 code=0 id=1280 mark=0 use=1");
    await input.fill("frobnicate");
    await input.press("Enter");
    await expect(log).toContainText("bash: frobnicate: command not found");
    await input.fill('echo "open');
    await input.press("Enter");
    await expect(log).toContainText("unexpected EOF while looking for matching");
    await input.press("ArrowUp");
    await expect(input).toHaveValue('echo "open');
    await input.fill("brc");
    await input.press("Tab");
    await expect(input).toHaveValue("brctl ");
    await input.press("Control+l");
    await expect(log).not.toContainText("frobnicate");
    await page.getByTestId("terminal-target").selectOption("worker-0/busybox0-rw89s");
    await input.fill("ip route");
    await input.press("Enter");
    await expect(log).toContainText("default via 10.200.0.1 dev eth0");
    await expect(page.getByTestId("position")).toHaveText(/^1 \//);
  });

  test("keyboard only: →, ←, Home, End and space drive playback, and the live region follows", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("position")).toHaveText(/^3 \//);
    await page.keyboard.press("ArrowLeft");
    await expect(page.getByTestId("position")).toHaveText(/^2 \//);
    await expect(page.getByTestId("live")).toContainText("Step 2 of");
    await page.keyboard.press("End");
    const n = await app.count();
    await expect(page.getByTestId("position")).toHaveText(`${n} / ${n}`);
    await page.keyboard.press("Home");
    await expect(page.getByTestId("position")).toHaveText(/^1 \//);
    await page.getByTestId("speed").selectOption("8");
    await page.locator("body").click({ position: { x: 5, y: 400 } });
    await page.keyboard.press(" ");
    await expect(page.getByTestId("play")).toHaveText("Pause");
    await expect.poll(async () => Number((await page.getByTestId("position").textContent())!.split(" ")[0])).toBeGreaterThan(3);
    await page.keyboard.press(" ");
    await expect(page.getByTestId("play")).toHaveText("Play");
    // Every control is reachable with Tab and shows its focus.
    await page.keyboard.press("Tab");
    // (The diagram's nodes and pods are buttons too: a click opens their rules or a shell.)
    const focused = await page.evaluate(() => (document.activeElement?.getAttribute("role") === "button" ? "BUTTON" : document.activeElement?.tagName));
    expect(["SELECT", "BUTTON", "INPUT"]).toContain(focused);
  });

  test("key press to highlighted step: measured", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    const t = await keyToStep(page);
    console.log(`key press → highlighted step: median ${t.median.toFixed(1)} ms, max ${t.max.toFixed(1)} ms`);
    expect(t.times.length).toBe(10);
    // Each press moved one step on.
    await expect(page.getByTestId("position")).toHaveText(/^11 \//);
  });

  test("animation frame times while playing: measured", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.getByTestId("speed").selectOption("4");
    await page.getByTestId("play").click();
    const f = await frameTimes(page);
    await page.getByTestId("play").click();
    console.log(`frame times while playing (${f.frames} frames in 3 s): median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${f.max.toFixed(1)} ms`);
    expect(f.frames).toBeGreaterThan(10);
  });

  test("the packet travels between hops, and under reduced motion it jumps: the same steps, no motion", async ({ browser }) => {
    for (const reducedMotion of ["no-preference", "reduce"] as const) {
      const ctx = await browser.newContext({ reducedMotion });
      const page = await ctx.newPage();
      const app = new HopscopePage(page);
      await app.open();
      await app.stepTo(/vpc-router receives the packet/);
      const seen = await page.evaluate(
        () =>
          new Promise<string[]>((resolve) => {
            const marker = document.querySelector('[data-testid="packet"]')!;
            const states: string[] = [];
            const obs = new MutationObserver(() => states.push(marker.getAttribute("data-animating") ?? ""));
            obs.observe(marker, { attributes: true, attributeFilter: ["data-animating"] });
            window.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
            setTimeout(() => {
              obs.disconnect();
              resolve(states);
            }, 900);
          }),
      );
      if (reducedMotion === "reduce") expect(seen).not.toContain("yes");
      else expect(seen).toContain("yes");
      await expect(page.getByTestId("live")).toContainText("conntrack on vpc-router");
      await ctx.close();
    }
  });

  test("a crashed engine worker is restarted, the page stays and says so", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.crashEngine();
    await expect(page.getByTestId("notice")).toContainText("restarted");
    await expect(page.getByTestId("topology")).toBeVisible();
    await expect(page.getByTestId("position")).toHaveText(/^1 \/ \d+$/);
    await page.getByRole("button", { name: "Dismiss" }).click();
    await expect(page.getByTestId("notice")).toHaveCount(0);
  });
});
