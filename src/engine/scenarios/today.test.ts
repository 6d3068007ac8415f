/**
 * Today's built-ins say what their traces show: every chain their description names is one the
 * packet passed, their TTL is the delivered packet's, and they run kube-proxy 1.37.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../k8s/run";
import { resolveKubeProxy } from "../kube-proxy/releases";
import { BUILTIN_SCENARIOS } from "./article";
import { TODAY_PREFIX, TODAY_TEXT } from "./today";

describe("today's built-in scenarios", () => {
  const today = BUILTIN_SCENARIOS.filter((s) => s.id.startsWith(TODAY_PREFIX));

  it("are the article's nine and the load balancer, each with kube-proxy 1.37 in iptables mode", () => {
    expect(today.map((s) => s.id.slice(TODAY_PREFIX.length)).sort()).toEqual(Object.keys(TODAY_TEXT).sort());
    expect(today).toHaveLength(10);
    for (const s of today) expect(resolveKubeProxy(s.cluster.kubeProxy)).toEqual({ mode: "iptables", version: "1.37" });
  });

  for (const s of today) {
    it(`${s.id}: the chains and the TTL its description names are the trace's`, () => {
      const r = runScenario(s);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      const steps = r.trace.flows.flatMap((f) => f.steps);
      const ruleText = steps.flatMap((x) => (x.kind === "rule" ? [`${x.detail.chain} ${x.detail.rule}`] : [])).join("\n");
      const named = s.description!.match(/KUBE-[A-Z0-9-]+[A-Z0-9]/g) ?? [];
      for (const chain of named) expect(ruleText, `${s.id} names ${chain}`).toContain(chain);
      const ttl = /TTL (\d+)/.exec(s.description!) ?? /TTL stays (\d+)/.exec(s.description!);
      if (ttl) {
        const delivered = r.trace.flows[0]!.steps.filter((x) => x.kind === "deliver").at(-1);
        expect(delivered?.packet.ttl, `${s.id}: TTL`).toBe(Number(ttl[1]));
      }
    });
  }
});
