/**
 * The article's walk-through typed into the app's shell, command by command, on the nodes the
 * article uses. Each output must be exactly what the engine prints for that command in Node
 * (the same walk-through run here, outside the browser), so the worker, the protocol and the
 * terminal add or lose nothing; and the lines that send packets must grow the trace.
 */
import { expect, test } from "@playwright/test";
import { runScenario } from "../src/engine/k8s/run";
import { builtinScenario } from "../src/engine/scenarios/article";
import { runWalkthrough } from "../src/engine/testing/walkthrough";
import { HopscopePage } from "./hopscope";

function expected() {
  const r = runScenario(builtinScenario("pod-to-pod"));
  if (!r.ok) throw new Error("the pod-to-pod scenario failed to run");
  return runWalkthrough({ cluster: r.cluster, flows: [...r.trace.flows] });
}

test.describe("the node shell", () => {
  test("types the article's walk-through in order and gets each command's output", async ({ page }) => {
    test.setTimeout(120_000);
    const walk = expected();
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("pod-to-pod");
    const before = await app.count();
    await page.getByTestId("tab-shell").click();
    const input = page.getByTestId("terminal-input");
    const target = page.getByTestId("terminal-target");
    const outs = page.getByTestId("terminal-out");
    let traced = 0;
    for (const [i, w] of walk.entries()) {
      if ((await target.inputValue()) !== w.step.target) await target.selectOption(w.step.target);
      await input.fill(w.line);
      await input.press("Enter");
      await expect(outs).toHaveCount(i + 1);
      const note = w.flows ? `[hopscope: ${w.flows} new flow${w.flows === 1 ? "" : "s"} traced; the view shows the first]\n` : "";
      expect(await outs.nth(i).textContent(), `${w.step.target}$ ${w.line}`).toBe(w.display + note);
      traced += w.flows;
    }
    // ping and curl added their flows; the view moved to them.
    expect(traced).toBeGreaterThan(0);
    expect(await app.count()).toBeGreaterThan(before);
    await page.screenshot({ path: "e2e-artifacts/shell-walkthrough.png" });
  });

  test("Tab completes interfaces and namespaces, lists choices, and Ctrl+C drops the line", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("pod-to-pod");
    await page.getByTestId("tab-shell").click();
    const input = page.getByTestId("terminal-input");
    const log = page.getByTestId("terminal-log");
    await input.fill("sudo tcpdump -n -i cn");
    await input.press("Tab");
    await expect(input).toHaveValue("sudo tcpdump -n -i cnio0 ");
    await input.fill("ip netns exec cni-");
    await input.press("Tab");
    await expect(log).toContainText(/cni-[0-9a-f-]+ {2}cni-[0-9a-f-]+/);
    await input.press("Control+c");
    await expect(input).toHaveValue("");
    await expect(log).toContainText("ip netns exec cni-^C");
    // The keyboard is not trapped: Escape and Shift+Tab leave the input.
    await input.press("Escape");
    await expect(input).not.toBeFocused();
    await input.focus();
    await input.press("Shift+Tab");
    await expect(input).not.toBeFocused();
    await page.getByTestId("terminal-target").selectOption("vpc-router");
    await expect(page.getByText("root@vpc-router:~#").last()).toBeVisible();
    await input.fill("ip route | head -1");
    await input.press("Enter");
    await expect(page.getByTestId("terminal-out").last()).not.toBeEmpty();
    // Looking at the rules and coming back keeps the shell's log.
    await page.getByTestId("tab-node").click();
    await page.getByTestId("tab-shell").click();
    await expect(page.getByTestId("terminal-out")).not.toHaveCount(0);
    await input.fill("clear");
    await input.press("Enter");
    await expect(page.getByTestId("terminal-out")).toHaveCount(0);
  });

  test("a ping from a pod becomes new hops in the trace", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("pod-to-pod");
    const before = await app.count();
    await page.getByTestId("tab-shell").click();
    await page.getByTestId("terminal-target").selectOption("worker-0/busybox0-rw89s");
    const input = page.getByTestId("terminal-input");
    await input.fill("ping -c 1 10.200.1.15");
    await input.press("Enter");
    await expect(page.getByTestId("terminal-out").last()).toContainText("1 packets transmitted, 1 packets received, 0% packet loss");
    await expect.poll(() => app.count()).toBeGreaterThan(before);
    // The view is on the new request's first hop.
    await expect(page.getByTestId("position")).toHaveText(new RegExp(`^${before + 1} / `));
    await expect(app.current()).toContainText("ping request");
    await expect(app.current()).toContainText("busybox0-rw89s's routing table sends 10.200.1.15");
    // The share link carries the ping: opened elsewhere it replays it and shows the same step.
    await page.keyboard.press("ArrowRight");
    const position = await page.getByTestId("position").textContent();
    await expect.poll(() => page.evaluate(() => window.location.hash)).toContain("view=");
    const url = page.url();
    const other = await page.context().newPage();
    await other.goto(url);
    await expect(other.getByTestId("loading")).toHaveCount(0);
    await expect(other.getByTestId("position")).toHaveText(position!);
    await expect(other.getByTestId("hop-list").locator('li[aria-current="step"]')).toContainText("ping request");
    await other.close();
  });

  test("after the engine worker crashes, the shell's session comes back with the flows it traced", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("pod-to-pod");
    await page.getByTestId("tab-shell").click();
    const input = page.getByTestId("terminal-input");
    const outs = page.getByTestId("terminal-out");
    await input.fill("ping -c 1 10.200.1.15");
    await input.press("Enter");
    await expect(outs).toHaveCount(1);
    const count = await app.count();
    await app.crashEngine();
    await expect(page.getByTestId("notice")).toContainText("restarted");
    // Typed at once: the line waits for the reload, which replays the ping.
    await input.fill("sudo conntrack -L -p icmp | grep -c 10.200.1.15");
    await input.press("Enter");
    await expect(outs).toHaveCount(2);
    // The node's conntrack holds both pings again: the scenario's and the replayed one.
    await expect(outs.last()).toHaveText(/^2\n/);
    await expect.poll(() => app.count()).toBe(count);
  });

  test("bad input typed into the terminal gets the tool's or bash's answer, and the page carries on", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await page.getByTestId("tab-shell").click();
    const input = page.getByTestId("terminal-input");
    const outs = page.getByTestId("terminal-out");
    const lines: [string, RegExp][] = [
      ["", /^$/],
      ["x".repeat(10_000), /^bash: x{10000}: command not found\n$/],
      ["echo 'unbalanced", /^bash: unexpected EOF while looking for matching `''\n$/],
      ["ip link show dev nope0", /^Device "nope0" does not exist\.\n$/],
      ["iptables -L --bogus", /^iptables v1\.6\.1: unknown option "--bogus"\n/],
      ["lsns -q", /^lsns: invalid option -- 'q'\n/],
      ["tcpdump -i eth0 port x", /^tcpdump: illegal port number x\n$/],
    ];
    for (const [i, [line, expected]] of lines.entries()) {
      await input.fill(line);
      await input.press("Enter");
      await expect(outs).toHaveCount(i + 1);
      expect(await outs.nth(i).textContent(), line.slice(0, 40)).toMatch(expected);
    }
    // The page still answers: a step forward still moves the view.
    await input.press("Escape");
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("position")).toHaveText(/^2 \//);
  });
});
