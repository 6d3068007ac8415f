/**
 * Today's kube-proxy against the Linux kernel, through the lab export: every `today-*` built-in
 * (kube-proxy 1.37, iptables mode) and each of them again in nftables mode is run by the engine
 * and built in network namespaces by its lab script; packets per interface, conntrack entries,
 * every iptables rule's counters and every nft rule (text and counters) must agree.
 *
 * nftables mode: kube-proxy 1.37 writes no `counter` statement in its table, so a comparison of
 * its counters would compare nothing. The engine's table gets a `counter` in every rule, after the
 * rule's matches, before the traffic; the lab script prints that very table for the kernel
 * (export.ts, nftText), so both count which rules each packet reached.
 *
 * Fully random masquerade (`--random-fully`, `masquerade fully-random`) lets the kernel pick its
 * own source port: the kernel's port is replaced by the engine's before the comparison
 * (withEnginePorts), and nothing else is relaxed.
 *
 * The labs run four at a time in the background (beforeAll), each test waits for its own.
 * Needs root and iproute2, iptables, nft, conntrack, tcpdump, python3.
 */
import { spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCluster, type Cluster } from "../k8s/build";
import { runScenario, SETTLE_MS } from "../k8s/run";
import { validateScenario, type ScenarioInput } from "../k8s/spec";
import { traceTraffic } from "../k8s/traffic";
import { iptablesSave } from "../netfilter/save";
import type { NftRuleset } from "../nftables/types";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { TODAY_PREFIX } from "../scenarios/today";
import type { Flow, Trace } from "../trace";
import { compareWithKernel, withEnginePorts, type LabReport } from "./compare";
import { labPool } from "./pool";
import { labScript, withoutNfacct, type LabOptions } from "./export";

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "nft", "conntrack", "tcpdump", "python3"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (spawnSync("sh", ["-c", "command -v iptables-legacy-restore || command -v iptables-restore"]).status !== 0) return "iptables is not installed";
  const probe = spawnSync("sh", ["-c", "ip netns add hsl-m6probe && ip netns del hsl-m6probe"], { encoding: "utf8" });
  if (probe.status !== 0) return `cannot create network namespaces: ${probe.stderr.trim()}`;
  return undefined;
}

const reason = missing();
if (reason) {
  const msg = `skipped: today's kube-proxy kernel agreement tests: ${reason}`;
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

interface Run {
  readonly cluster: Cluster;
  readonly trace: Trace;
}

/** iptables mode: the built-in as the app runs it. */
function engine(s: ScenarioInput): Run {
  const r = runScenario(s);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r;
}

/** A `counter` in every rule, after its matches (so it counts the packets the rule matched). */
function countEveryRule(rs: NftRuleset): number {
  let n = 0;
  for (const t of rs.tables) {
    for (const c of t.chains.values()) {
      c.rules = c.rules.map((r) => {
        const at = r.stmts.findIndex((x) => x.kind !== "match");
        const stmts = [...r.stmts];
        stmts.splice(at < 0 ? stmts.length : at, 0, { kind: "counter", counter: { packets: 0, bytes: 0 } });
        n++;
        return { ...r, stmts };
      });
    }
  }
  rs.generation = (rs.generation ?? 0) + 1;
  return n;
}

/** nftables mode: the same scenario with kube-proxy 1.37's nftables proxier, traced as runScenario traces, every nft rule counting. */
function engineNft(s: ScenarioInput): Run {
  const v = validateScenario({ ...s, cluster: { ...s.cluster, kubeProxy: { mode: "nftables", version: "latest" } } });
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const cluster = buildCluster(v.scenario);
  let counted = 0;
  for (const w of v.scenario.cluster.workers) counted += countEveryRule(cluster.world.get(w.name).nft);
  if (counted === 0) throw new Error(`${s.id}: no nft rule on any node: not nftables mode`);
  const flows: Flow[] = [];
  v.scenario.traffic.forEach((t, i) => flows.push(...traceTraffic(cluster, t, i)));
  cluster.world.now += SETTLE_MS;
  return { cluster, trace: { scenario: v.scenario.id, flows } };
}

/** Lab runs in the background, at most 4 at once. */
const runLab = labPool(4, (script) => spawn("bash", ["-c", script], { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 }));

const TODAY = BUILTIN_SCENARIOS.filter((s) => s.id.startsWith(TODAY_PREFIX));

interface Case {
  readonly name: string;
  readonly mode: "iptables" | "nftables";
  readonly run: Run;
  readonly opts?: LabOptions;
  lab?: Promise<LabReport>;
}

const NODEPORT = TODAY.find((s) => s.id === `${TODAY_PREFIX}nodeport`)!;

const CASES: Case[] = reason
  ? []
  : [
      ...TODAY.flatMap((s) => [
        { name: `${s.id} (iptables)`, mode: "iptables" as const, run: engine(s) },
        { name: `${s.id} (nftables)`, mode: "nftables" as const, run: engineNft(s) },
      ]),
      // The path for a kernel that refuses -m nfacct, taken on purpose: the rules without the matches count as the engine's with them.
      { name: `${NODEPORT.id} (iptables, -m nfacct removed)`, mode: "iptables" as const, run: engine(NODEPORT), opts: { nfacct: "remove" } },
    ];

const run = reason && process.env.CI !== "true" ? describe.skip : describe;

run("today's kube-proxy (1.37, iptables and nftables modes): the engine agrees with the kernel", () => {
  if (reason) {
    it("has what the lab needs (CI=true makes a missing kernel a failure)", () => {
      expect.fail(`kernel agreement tests cannot run: ${reason}`);
    });
    return;
  }

  beforeAll(() => {
    for (const c of CASES) {
      c.lab = runLab(labScript(c.run.cluster, c.opts));
      // Each test awaits its own; this only keeps an early failure from being reported as unhandled.
      c.lab.catch(() => undefined);
    }
  });
  afterAll(async () => {
    await Promise.allSettled(CASES.map((c) => c.lab));
  });

  it("has ten today built-ins", () => {
    expect(TODAY.map((s) => s.id.slice(TODAY_PREFIX.length)).sort()).toEqual(
      ["clusterip-dns-tcp", "clusterip-dns-udp", "loadbalancer", "no-route", "node-to-pod", "nodeport", "pod-to-internet", "pod-to-pod", "pod-to-pod-no-masq", "same-node"].sort(),
    );
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    "%s",
    async (_name, c) => {
      const lab = await c.lab!;
      const nodes = Object.keys(lab.nft ?? {});
      if (c.mode === "nftables") {
        // Every node's kube-proxy table came back from the kernel, listed.
        expect(nodes.length, "no nft listing in the report").toBeGreaterThan(0);
        for (const n of nodes) expect(lab.nft![n]).toContain("table ip kube-proxy {");
        // The counters compared are not all zero: the kernel's rules counted the traffic.
        expect(nodes.some((n) => /counter packets [1-9]/.test(lab.nft![n]!)), "no nft rule counted a packet").toBe(true);
      } else {
        expect(nodes).toEqual([]);
        expect(lab.nfacct).toBe(c.opts?.nfacct === "remove" ? "removed" : "kernel");
        // The whole of each node's nat and filter tables as iptables-save -c prints them, counters included.
        for (const [ns, text] of Object.entries(lab.iptables)) {
          const loaded = c.run.cluster.world.get(ns).nf;
          const nf = lab.nfacct === "removed" ? withoutNfacct(loaded, { counters: true }) : loaded;
          const mine = (["filter", "nat"] as const).filter((t) => nf.loaded.has(t)).map((t) => iptablesSave(nf, { counters: true, table: t, variant: lab.iptablesVariant === "nf_tables" ? "nf_tables" : "legacy" })).join("");
          const body = (t: string) => t.split("\n").filter((l) => !l.startsWith("#"));
          expect(body(mine), ns).toEqual(body(text));
        }
      }
      console.log(`${c.name}: iptables ${lab.iptablesVariant ?? "(not reported)"}, nfacct ${lab.nfacct ?? "(not reported)"}`);
      // Today's nodes run the nf_tables iptables, and so does their lab.
      expect(lab.iptablesVariant).toBe("nf_tables");
      expect(compareWithKernel(c.run.cluster, c.run.trace, withEnginePorts(lab, c.run.cluster))).toEqual([]);
    },
    170_000,
  );
});
