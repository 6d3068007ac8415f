/**
 * kubelet's iptables rules are the same whichever mode kube-proxy runs in: the text an
 * nftables-mode node gets (kubelet.ts) holds exactly the kubelet chains and rules that today's
 * iptables-mode text carries (iptables-modern.ts writes them with kube-proxy's own).
 */
import { describe, expect, it } from "vitest";
import { formatRule } from "../netfilter/format";
import { iptablesRestore } from "../netfilter/save";
import { emptyRuleset, TABLE_NAMES } from "../netfilter/types";
import { iptablesProxierModern } from "./iptables-modern";
import { kubeletIptablesText } from "./kubelet";

/** Every rule in or jumping to the chains named, as "table rule", and where those chains are declared. */
function rulesOf(text: string, chains: readonly string[]): { rules: string[]; declared: string[] } {
  const rs = emptyRuleset();
  const r = iptablesRestore(rs, text);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  const rules: string[] = [];
  const declared: string[] = [];
  for (const t of TABLE_NAMES) {
    if (!rs.loaded.has(t)) continue;
    for (const c of rs.tables[t].chains.values()) {
      if (chains.includes(c.name)) declared.push(`${t} ${c.name}`);
      for (const rule of c.rules) {
        const target = rule.target;
        const jumpsThere = (target.kind === "jump" || target.kind === "goto") && chains.includes(target.chain);
        if (chains.includes(c.name) || jumpsThere) rules.push(`${t} ${formatRule(c.name, rule)}`);
      }
    }
  }
  return { rules, declared };
}

describe("kubelet's iptables rules", () => {
  const KUBELET = ["KUBE-IPTABLES-HINT", "KUBE-KUBELET-CANARY", "KUBE-FIREWALL"];
  it("are the ones today's iptables-mode node carries", () => {
    const modern = iptablesProxierModern("10.200.0.0/16").rules([], { name: "worker-0", ip: "10.240.0.20" });
    const mine = rulesOf(kubeletIptablesText(), KUBELET);
    const theirs = rulesOf(modern, KUBELET);
    expect(mine.rules.length).toBeGreaterThanOrEqual(3);
    expect([...mine.rules].sort()).toEqual([...theirs.rules].sort());
    expect([...mine.declared].sort()).toEqual([...theirs.declared].sort());
  });
});
