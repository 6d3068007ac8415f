/**
 * The kernel's nft against the engine's printing of iptables-nft tables: each fixture's rules,
 * and every built-in scenario's worker rules as the engine holds them, are loaded with
 * iptables-restore (the nf_tables variant) in a network namespace of their own and listed with
 * `nft list ruleset`; the engine must print the same text. Needs root, iproute2, iptables-nft, nft.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatRouteDst } from "../addr/ipv4";
import { runScenario } from "../k8s/run";
import { listIptablesTextAsNft as listAsNft } from "../netfilter/nft-list";
import { iptablesSave } from "../netfilter/save";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { HSLAB_PY } from "./hslab-py";

function missing(): string | undefined {
  if (process.platform !== "linux") return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return "not root: network namespaces need root";
  for (const tool of ["ip", "nft"]) if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  const v = spawnSync("sh", ["-c", "(iptables-nft-restore --version || iptables-restore --version) 2>&1"], { encoding: "utf8" });
  if (!/nf_tables/.test(v.stdout)) return "no nf_tables variant of iptables-restore";
  return undefined;
}

const reason = missing();
if (reason) console.warn(`skipped: nft list of iptables-nft tables against the kernel: ${reason}`);

/** What nft lists after iptables-restore of `text` in a fresh namespace (with the ipsets its -m set matches name, as felix makes them first). */
function kernelList(text: string, ipsets: ReadonlyMap<string, readonly string[]> = new Map()): string {
  const ns = `hsl-nftl-${process.pid}`;
  const restore = spawnSync("sh", ["-c", "command -v iptables-nft-restore || command -v iptables-restore"], { encoding: "utf8" }).stdout.trim();
  try {
    const add = spawnSync("ip", ["netns", "add", ns], { encoding: "utf8" });
    if (add.status !== 0) throw new Error(add.stderr);
    // kube-proxy 1.37 creates the accounting objects its -m nfacct matches name before it writes them; the kernel refuses the match (ENOENT) without.
    for (const name of new Set([...text.matchAll(/--nfacct-name +(\S+)/g)].map((m) => m[1]!))) {
      const made = spawnSync("ip", ["netns", "exec", ns, "python3", "-", "nfacct-add", name], { input: HSLAB_PY, encoding: "utf8", timeout: 10_000 });
      if (made.status !== 0) throw new Error(`nfacct-add ${name}: ${made.stderr}`);
    }
    for (const [name, members] of ipsets) {
      for (const args of [["ipset-create", name], ...members.map((m) => ["ipset-add", name, m])]) {
        const made = spawnSync("ip", ["netns", "exec", ns, "python3", "-", ...args], { input: HSLAB_PY, encoding: "utf8", timeout: 10_000 });
        if (made.status !== 0) throw new Error(`${args.join(" ")}: ${made.stderr}`);
      }
    }
    const load = spawnSync("ip", ["netns", "exec", ns, restore, "--counters"], { input: text, encoding: "utf8", timeout: 20_000 });
    if (load.status !== 0) throw new Error(`iptables-restore: ${load.stderr}`);
    const list = spawnSync("ip", ["netns", "exec", ns, "nft", "list", "ruleset"], { encoding: "utf8", timeout: 20_000 });
    if (list.status !== 0) throw new Error(`nft: ${list.stderr}`);
    return list.stdout;
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
  }
}

describe.skipIf(reason !== undefined)("iptables-nft tables: the engine prints what nft prints", () => {
  const FIXTURES = join(__dirname, "../netfilter/__fixtures__");
  for (const n of [1, 2, 3]) {
    it(`fixture nft-forms-${n}`, () => {
      const rules = readFileSync(join(FIXTURES, `nft-forms-${n}.rules`), "utf8");
      expect(listAsNft(rules).split("\n")).toEqual(kernelList(rules).split("\n"));
    });
  }

  for (const s of BUILTIN_SCENARIOS) {
    it(`the worker rules of scenario ${s.id}, with their counters after its traffic`, () => {
      const r = runScenario(s);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      for (const w of r.cluster.nodes.filter((n) => n.role === "worker")) {
        const ns = r.cluster.world.get(w.name);
        if (!ns.rulesMaterialised) continue;
        // iptables-save -c: the counters travel with the rules, so nft must print them too.
        const saved = iptablesSave(ns.nf, { counters: true });
        const sets = new Map([...ns.nf.ipsets].map(([name, members]) => [name, members.map((m) => formatRouteDst(m))]));
        expect(listAsNft(saved).split("\n"), w.name).toEqual(kernelList(saved, sets).split("\n"));
      }
    });
  }
});
