/**
 * `cluster.kubeProxy`: which kube-proxy the nodes run. Absent means the article's (1.10,
 * iptables); a pair Hopscope does not model is an error at its path that lists what it has.
 */
import { describe, expect, it } from "vitest";
import { KUBE_PROXY_RELEASES, resolveKubeProxy, latestRelease } from "../kube-proxy/releases";
import { articleScenario } from "../testing/article-scenario";
import { buildCluster } from "./build";
import { runScenario } from "./run";
import { validateScenario, type ScenarioInput } from "./spec";

function withKubeProxy(kubeProxy: unknown): ScenarioInput {
  const s = structuredClone(articleScenario("kp", {})) as ScenarioInput;
  (s.cluster as Record<string, unknown>).kubeProxy = kubeProxy;
  return s;
}

function problems(s: unknown): string[] {
  const r = runScenario(s);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe("cluster.kubeProxy", () => {
  it("defaults to the article's 1.10 in iptables mode", () => {
    const v = validateScenario(articleScenario("kp", {}));
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    expect(v.scenario.cluster.kubeProxy).toBeUndefined();
    expect(resolveKubeProxy(v.scenario.cluster.kubeProxy)).toEqual({ mode: "iptables", version: "1.10" });
    const p = buildCluster(v.scenario);
    expect(p.world.get("worker-0").nf).toBeDefined();
  });

  it("accepts every modelled pair and resolves latest to the newest release of the mode", () => {
    for (const [mode, releases] of Object.entries(KUBE_PROXY_RELEASES)) {
      for (const version of releases) expect(problems(withKubeProxy({ mode, version })), `${mode} ${version}`).toEqual([]);
      if (releases.length) {
        expect(problems(withKubeProxy({ mode, version: "latest" }))).toEqual([]);
        expect(resolveKubeProxy({ mode: mode as "iptables", version: "latest" }).version).toBe(latestRelease(mode as "iptables"));
      }
    }
    expect(problems(withKubeProxy({ mode: "iptables", version: "1.10" }))).toEqual([]);
  });

  it("names the field and lists what is modelled for a release it does not have", () => {
    const p = problems(withKubeProxy({ mode: "iptables", version: "1.99" }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^cluster\.kubeProxy\.version: kube-proxy "1\.99" in iptables mode is not modelled; Hopscope has mode "iptables" with version "1\.10"/);
    expect(p[0]).toContain('"latest"');
  });

  it("rejects an unknown mode, a malformed version and unknown fields at their paths", () => {
    expect(problems(withKubeProxy({ mode: "ipvs" }))).toEqual(['cluster.kubeProxy.mode: "iptables" or "nftables"']);
    expect(problems(withKubeProxy({ version: "v1.10; rm -rf /" }))[0]).toMatch(/^cluster\.kubeProxy\.version: a release like "1\.10" or "latest"/);
    expect(problems(withKubeProxy({ version: "9".repeat(5000) }))[0]!.length).toBeLessThan(200);
    expect(problems(withKubeProxy({ mode: "iptables", flavour: "x" }))[0]).toMatch(/^cluster\.kubeProxy\.flavour: unknown field/);
    expect(problems(withKubeProxy("iptables"))[0]).toMatch(/^cluster\.kubeProxy: /);
  });
});
