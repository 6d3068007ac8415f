import { describe, expect, it } from "vitest";
import { builtinScenario } from "../engine/scenarios/article";
import { capLines, handle, MAX_TERMINAL_LINES } from "./handle";
import type { EngineResponse, Kind, ResultOf } from "./protocol";

async function ok<K extends Kind>(pending: Promise<EngineResponse<K>>): Promise<ResultOf<K>> {
  const res = await pending;
  if (!res.ok) throw new Error(res.error);
  return res.result;
}

describe("the worker's shell requests", () => {
  it("refuses a shell line before any scenario ran, and for a node that does not exist", async () => {
    // Module state: this test runs first in the file.
    expect(await ok(handle({ id: 1, kind: "exec", target: "worker-0", line: "ip route" }))).toEqual({ kind: "exec", code: 1, display: "no scenario is loaded\n", flows: [] });
    await ok(handle({ id: 2, kind: "run", scenario: "pod-to-pod" }));
    const r = await ok(handle({ id: 3, kind: "exec", target: "worker-9", line: "ip route" }));
    expect(r.display).toMatch(/^unknown node "worker-9"/);
  });

  it("keeps the session between lines: a ping's flows come back and conntrack then shows them", async () => {
    await ok(handle({ id: 4, kind: "run", scenario: "pod-to-pod" }));
    const ping = await ok(handle({ id: 5, kind: "exec", target: "worker-0/busybox0-rw89s", line: "ping -c 1 10.200.1.15" }));
    expect(ping.flows.map((f) => f.name)).toEqual(["ping request", "ping reply"]);
    const ct = await ok(handle({ id: 6, kind: "exec", target: "worker-0", line: "sudo conntrack -L | grep -c 10.200.1.15" }));
    expect(ct.display).toMatch(/^2\n/);
    // A new run starts a new session.
    await ok(handle({ id: 7, kind: "run", scenario: "pod-to-pod" }));
    const again = await ok(handle({ id: 8, kind: "exec", target: "worker-0", line: "sudo conntrack -L | grep -c 10.200.1.15" }));
    expect(again.display).toMatch(/^1\n/);
  });

  it("completes a line on the target's namespace", async () => {
    await ok(handle({ id: 9, kind: "run", scenario: "pod-to-pod" }));
    expect(await ok(handle({ id: 10, kind: "complete", target: "worker-0", line: "brctl show cn" }))).toEqual({ kind: "complete", line: "brctl show cnio0 ", options: [] });
  });

  it("answers pcap with the session's frames: the scenario's, then each shell line's; none after a failed run", async () => {
    const run = await ok(handle({ id: 11, kind: "run", scenario: "pod-to-pod" }));
    if (run.kind !== "run") throw new Error(run.issues[0]?.message);
    const wire = run.trace.flows.flatMap((f) => f.steps).filter((s) => s.kind === "wire").length;
    const first = await ok(handle({ id: 12, kind: "pcap" }));
    expect({ scenario: first.scenario, frames: first.frames }).toEqual({ scenario: "pod-to-pod", frames: wire });
    expect(Array.from(first.bytes.subarray(0, 4))).toEqual([0x0a, 0x0d, 0x0d, 0x0a]);
    const ping = await ok(handle({ id: 13, kind: "exec", target: "worker-0/busybox0-rw89s", line: "ping -c 1 10.200.1.15" }));
    const added = ping.flows.flatMap((f) => f.steps).filter((s) => s.kind === "wire").length;
    const second = await ok(handle({ id: 14, kind: "pcap" }));
    expect(second.frames).toBe(wire + added);
    expect(Array.from(second.bytes.subarray(0, first.bytes.length))).toEqual(Array.from(first.bytes));
    await ok(handle({ id: 15, kind: "run", scenario: "no-such-scenario" }));
    expect(await handle({ id: 16, kind: "pcap" })).toEqual({ id: 16, ok: false, error: "no scenario is loaded" });
  });

  it("caps what goes to the terminal and says how much was left out", () => {
    const text = Array.from({ length: MAX_TERMINAL_LINES + 3 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const capped = capLines(text, MAX_TERMINAL_LINES);
    expect(capped.split("\n")).toHaveLength(MAX_TERMINAL_LINES + 2);
    expect(capped.endsWith("[hopscope: 3 more lines not shown; pipe the command into grep, head or tail]\n")).toBe(true);
    expect(capLines("a\nb\n", 2)).toBe("a\nb\n");
    expect(capLines("a\nb\nc", 2)).toBe("a\nb\n[hopscope: 1 more line not shown; pipe the command into grep, head or tail]\n");
  });
});

describe("the editor's requests", () => {
  it("hands out a built-in's document, a blank one, and refuses an unknown id", async () => {
    const doc = await ok(handle({ id: 40, kind: "document", of: { id: "nodeport" } }));
    expect(doc.kind === "document" && (doc.spec as { id: string }).id).toBe("nodeport");
    const blank = await ok(handle({ id: 41, kind: "document", of: { blank: true } }));
    expect(blank.kind === "document" && (blank.spec as { cluster: { workers: unknown[] }; traffic: unknown[] })).toMatchObject({ cluster: { workers: [{ name: "worker-0" }] }, traffic: [] });
    const run = await ok(handle({ id: 42, kind: "run", scenario: { spec: blank.kind === "document" ? blank.spec : undefined } }));
    expect(run.kind === "run" && run.trace.flows).toEqual([]);
    expect(await ok(handle({ id: 43, kind: "document", of: { id: "nope" } }))).toEqual({ kind: "invalid", issues: [{ path: "scenario", message: 'unknown scenario "nope"' }] });
  });

  it("places each problem in the text: a syntax error at its line and column, a bad field at its value", async () => {
    const syntax = await ok(handle({ id: 44, kind: "validate", text: '{\n  "version": 1,\n  "id": x\n}' }));
    expect(syntax.issues).toEqual([{ path: "", message: expect.stringMatching(/unexpected character/), line: 3, column: 9 }]);
    const doc = await ok(handle({ id: 45, kind: "document", of: { id: "pod-to-pod" } }));
    const spec = doc.kind === "document" ? (structuredClone(doc.spec) as { cluster: { workers: { podCidr: string }[] } }) : undefined;
    spec!.cluster.workers[1]!.podCidr = "10.200.0.0/24";
    const text = JSON.stringify(spec, null, 2);
    const bad = await ok(handle({ id: 46, kind: "validate", text }));
    expect(bad.spec).toBeUndefined();
    const issue = bad.issues.find((i) => i.path === "cluster.workers.1.podCidr");
    expect(issue?.message).toMatch(/overlaps/);
    expect(text.split("\n")[issue!.line! - 1]).toContain('"podCidr": "10.200.0.0/24"');
    const good = await ok(handle({ id: 47, kind: "validate", text: JSON.stringify(doc.kind === "document" ? doc.spec : null) }));
    expect(good.issues).toEqual([]);
    expect(good.spec).toBeDefined();
  });

  it("traces a scenario for comparing without replacing the shell's session", async () => {
    await ok(handle({ id: 48, kind: "run", scenario: "pod-to-pod" }));
    const t = await ok(handle({ id: 49, kind: "trace", scenario: "nodeport" }));
    expect(t.kind === "trace" && t.scenario.id).toBe("nodeport");
    const ct = await ok(handle({ id: 50, kind: "exec", target: "worker-0", line: "sudo conntrack -L | grep -c 10.200.1.15" }));
    expect(ct.display).toMatch(/^1\n/);
  });
});

describe("a node's rules for the panel", () => {
  it("answers the outline without formatting, then any rows' text in iptables-save's order and words", async () => {
    await ok(handle({ id: 20, kind: "run", scenario: "nodeport" }));
    const outline = await ok(handle({ id: 21, kind: "rules", node: "worker-0" }));
    expect(outline.chains.slice(0, 4).map((c) => `${c.table} ${c.chain}`)).toEqual(["nat PREROUTING", "nat INPUT", "nat OUTPUT", "nat POSTROUTING"]);
    const total = outline.chains.reduce((n, c) => n + c.count, 0);
    const all = await ok(handle({ id: 22, kind: "ruleText", node: "worker-0", from: 0, count: total + 5 }));
    expect(all.rules).toHaveLength(total);
    // The rules are iptables-save's "-A" lines of the nat table, then of the filter table.
    const save = await ok(handle({ id: 23, kind: "exec", target: "worker-0", line: "sudo iptables-save" }));
    const section = (table: string) => save.display.split(/^\*/m).find((s) => s.startsWith(`${table}\n`))!.split("\n").filter((l) => l.startsWith("-A "));
    expect(section("nat").length).toBeGreaterThan(10);
    expect(all.rules).toEqual([...section("nat"), ...section("filter")]);
    // A window in the middle is the same rows.
    const some = await ok(handle({ id: 24, kind: "ruleText", node: "worker-0", from: 7, count: 5 }));
    expect(some).toEqual({ kind: "ruleText", node: "worker-0", from: 7, rules: all.rules.slice(7, 12) });
    // Past the end, and a node that does not exist: nothing.
    expect((await ok(handle({ id: 25, kind: "ruleText", node: "worker-0", from: total, count: 5 }))).rules).toEqual([]);
    expect((await ok(handle({ id: 26, kind: "rules", node: "worker-9" }))).chains).toEqual([]);
  });
});

describe("finding text in a node's rules", () => {
  it("goes from match to match either way, wrapping around, in any case", async () => {
    await ok(handle({ id: 30, kind: "run", scenario: "nodeport" }));
    const outline = await ok(handle({ id: 31, kind: "rules", node: "worker-0" }));
    const total = outline.chains.reduce((n, c) => n + c.count, 0);
    const all = (await ok(handle({ id: 32, kind: "ruleText", node: "worker-0", from: 0, count: total }))).rules;
    const rows = all.flatMap((r, i) => (r.toLowerCase().includes("kube-mark-masq") ? [i] : []));
    expect(rows.length).toBeGreaterThan(2);
    const find = (from: number, backwards?: boolean) => ok(handle({ id: 33, kind: "ruleFind", node: "worker-0", text: "KUBE-mark-MASQ", from, ...(backwards && { backwards }) }));
    expect(await find(0)).toEqual({ kind: "ruleFind", node: "worker-0", matches: rows.length, row: rows[0], nth: 1 });
    expect((await find(rows[0]! + 1)).row).toBe(rows[1]);
    expect((await find(rows.at(-1)! + 1)).row).toBe(rows[0]);
    expect((await find(rows[1]!, true)).row).toBe(rows[1]);
    expect((await find(rows[1]! - 1, true)).row).toBe(rows[0]);
    // Backwards from before the first match: the last one.
    expect(rows[0]).toBeGreaterThan(0);
    expect(await find(rows[0]! - 1, true)).toMatchObject({ row: rows.at(-1), nth: rows.length });
    expect(await ok(handle({ id: 34, kind: "ruleFind", node: "worker-0", text: "no such rule text", from: 0 }))).toEqual({ kind: "ruleFind", node: "worker-0", matches: 0 });
  });
});

describe("a node's rules for the panel in nftables mode", () => {
  it("adds kube-proxy's nft table after nat and filter, a chain entry per nft chain, rows as nft -s lists the rules", async () => {
    const spec = structuredClone(builtinScenario("today-nodeport")) as { cluster: Record<string, unknown> };
    spec.cluster.kubeProxy = { mode: "nftables", version: "latest" };
    const run = await ok(handle({ id: 60, kind: "run", scenario: { spec } }));
    expect(run.kind).toBe("run");
    const outline = await ok(handle({ id: 61, kind: "rules", node: "worker-0" }));
    const tables = [...new Set(outline.chains.map((c) => c.table))];
    expect(tables).toEqual(["nat", "filter", "ip kube-proxy"]);
    const nftChains = outline.chains.filter((c) => c.table === "ip kube-proxy");
    const total = outline.chains.reduce((n, c) => n + c.count, 0);
    const all = (await ok(handle({ id: 62, kind: "ruleText", node: "worker-0", from: 0, count: total }))).rules;
    const firstNft = total - nftChains.reduce((n, c) => n + c.count, 0);
    // Every nft row is a line of `nft -s list chain ip kube-proxy <chain>`, in order.
    let row = firstNft;
    for (const c of nftChains) {
      const listed = await ok(handle({ id: 63, kind: "exec", target: "worker-0", line: `sudo nft -s list chain ip kube-proxy ${c.chain}` }));
      const lines = listed.display.split("\n").filter((l) => l.startsWith("\t\t") && !l.startsWith("\t\ttype ") && !l.startsWith("\t\tcomment "));
      expect(lines.map((l) => l.slice(2)), c.chain).toEqual(all.slice(row, row + c.count));
      row += c.count;
    }
    expect(all.slice(firstNft).some((r) => r.includes("dnat to"))).toBe(true);
    expect(all.slice(firstNft).every((r) => !/counter packets/.test(r))).toBe(true);
    const found = await ok(handle({ id: 64, kind: "ruleFind", node: "worker-0", text: "DNAT TO", from: 0 }));
    expect(found.row).toBeGreaterThanOrEqual(firstNft);
  });
});

describe("the worker on other CNIs", () => {
  it("lists each built-in's CNI for the picker's groups", async () => {
    const r = await ok(handle({ id: 900, kind: "scenarios" }));
    const cni = new Map(r.scenarios.map((s) => [s.id, s.cni]));
    expect(cni.get("pod-to-pod")).toBe("bridge");
    expect(cni.get("today-pod-to-pod")).toBe("bridge");
    expect(cni.get("flannel-pod-to-pod")).toBe("flannel");
  });

  it("a run on flannel names its cni0 bridge in the topology and the VPC router's pod routes (none); on the bridge plugin, one per worker", async () => {
    const flannel = await ok(handle({ id: 901, kind: "run", scenario: "flannel-pod-to-pod" }));
    if (flannel.kind !== "run") throw new Error(flannel.issues[0]?.message);
    expect(flannel.scenario.cni).toBe("flannel");
    expect(flannel.scenario.vpcPodRoutes).toEqual([]);
    expect(flannel.topology.nodes.find((n) => n.id === "worker-1")?.bridge).toEqual({ name: "cni0", ip: "10.244.1.1" });
    const bridge = await ok(handle({ id: 902, kind: "run", scenario: "today-pod-to-pod" }));
    if (bridge.kind !== "run") throw new Error(bridge.issues[0]?.message);
    expect(bridge.scenario.cni).toBe("bridge");
    expect(bridge.scenario.vpcPodRoutes).toEqual(["10.200.0.0/24 via 10.240.0.20", "10.200.1.0/24 via 10.240.0.21", "10.200.2.0/24 via 10.240.0.22"]);
    expect(bridge.topology.nodes.find((n) => n.id === "worker-1")?.bridge?.name).toBe("cnio0");
  });
});
