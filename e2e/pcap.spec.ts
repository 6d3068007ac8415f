/**
 * "Download pcap": the session's packets (the scenario's and the shell's) as a pcapng file that
 * the real tcpdump reads, line for line as the trace prints them.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { runScenario } from "../src/engine/k8s/run";
import { builtinScenario } from "../src/engine/scenarios/article";
import { HopscopePage } from "./hopscope";

const hasTcpdump = spawnSync("sh", ["-c", "command -v tcpdump"]).status === 0;
if (!hasTcpdump) {
  const msg = "skipped: the downloaded pcap read by tcpdump: tcpdump is not installed";
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

/** What the trace prints for the scenario's own frames, in order. */
function scenarioLines(id: string): string[] {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error("the scenario does not run");
  return r.trace.flows.flatMap((f) => f.steps).flatMap((s) => (s.detail?.kind === "wire" ? [s.detail.tcpdump] : []));
}

test.describe("packet capture download", () => {
  test("Download pcap saves <scenario>.pcapng with the scenario's frames and the shell's, which tcpdump reads", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("nodeport");
    await page.getByTestId("tab-shell").click();
    await page.getByTestId("terminal-target").selectOption("worker-0/busybox0-rw89s");
    const input = page.getByTestId("terminal-input");
    await input.fill("ping -c 1 10.200.1.15");
    await input.press("Enter");
    await expect(page.getByTestId("terminal-out").last()).toContainText("1 packets transmitted, 1 packets received");

    await app.menu();
    const button = page.getByRole("button", { name: "Download pcap", exact: true });
    await expect(button).toBeEnabled();
    const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
    expect(download.suggestedFilename()).toBe("nodeport.pcapng");
    const bytes = readFileSync((await download.path())!);
    // Section Header Block, then the byte-order magic of a little-endian section.
    expect(bytes.subarray(0, 4).toString("hex")).toBe("0a0d0d0a");
    expect(bytes.subarray(8, 12).toString("hex")).toBe("4d3c2b1a");
    await expect(page.getByTestId("copied")).toHaveText(/^Saved nodeport\.pcapng \(\d+ frames\)$/);

    test.skip(!hasTcpdump, "tcpdump is not installed");
    const r = spawnSync("tcpdump", ["-n", "-S", "-t", "-r", (await download.path())!], { encoding: "utf8" });
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    const own = scenarioLines("nodeport");
    expect(lines.slice(0, own.length)).toEqual(own);
    // Then the shell's ping (busybox counts from seq 0), on every interface it crossed, and its reply.
    const rest = lines.slice(own.length);
    expect(rest.length).toBeGreaterThan(4);
    expect(rest[0]).toMatch(/^IP 10\.200\.0\.21 > 10\.200\.1\.15: ICMP echo request, id \d+, seq \d+, length 64$/);
    expect(rest.some((l) => /^IP 10\.200\.1\.15 > 10\.200\.0\.21: ICMP echo reply, id \d+, seq \d+, length 64$/.test(l))).toBe(true);
  });

  test("a fresh scenario starts a fresh capture", async ({ page }) => {
    const app = new HopscopePage(page);
    await app.open();
    await app.pick("same-node");
    await app.menu();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download pcap", exact: true }).click()]);
    expect(download.suggestedFilename()).toBe("same-node.pcapng");
    await expect(page.getByTestId("copied")).toHaveText(`Saved same-node.pcapng (${scenarioLines("same-node").length} frames)`);
  });
});
