import { describe, expect, it } from "vitest";
import { runScenario } from "../../engine/k8s/run";
import { builtinScenario } from "../../engine/scenarios/article";
import { resolveTarget } from "../../engine/shell/exec";
import { parseLine, runLine } from "../../engine/shell/session";
import { flatten } from "../../store/playback";
import { ARTICLE_URL, ARTICLE_URL_RU, CHAPTERS, chapterStep } from "./tour";

describe("the article's tour", () => {
  it("has the article's seven sections, in its order", () => {
    expect(CHAPTERS.map((c) => c.title)).toEqual(["The host network", "The pod network with CNI", "The pause container and namespaces", "Pod to pod", "ipMasq", "Services and DNS", "NodePort"]);
    expect(new Set(CHAPTERS.map((c) => c.id)).size).toBe(CHAPTERS.length);
    expect(ARTICLE_URL).toMatch(/^https:\/\//);
    expect(ARTICLE_URL_RU).toMatch(/^https:\/\//);
  });

  it.each(CHAPTERS.map((c) => [c.title, c] as const))("%s: its scenario runs, its step is in the trace, its shell command runs on its target", (_, ch) => {
    const input = builtinScenario(ch.scenario);
    expect(input, ch.scenario).toBeDefined();
    const r = runScenario(input);
    if (!r.ok) throw new Error(`${ch.scenario} did not run`);
    const steps = flatten(r.trace);
    const i = chapterStep(ch, steps);
    expect(i, `${ch.title}: ${ch.stepIs}`).toBeGreaterThanOrEqual(0);
    expect(ch.step(steps[i]!)).toBe(true);
    // The command parses as the app's shell parses it, and runs there without an error.
    expect(parseLine(ch.shell.line)).not.toHaveProperty("error");
    const where = resolveTarget(r.cluster, ch.shell.target);
    if ("error" in where) throw new Error(where.error);
    const out = runLine(r.cluster, where.ns, ch.shell.line);
    expect([out.code, out.display]).toEqual([0, expect.any(String)]);
    expect(out.display).not.toMatch(/not simulated|command not found|hopscope:/);
    expect(out.display.trim().length).toBeGreaterThan(0);
  });

  it("finds each step by what happens there", () => {
    const steps = (id: string) => {
      const r = runScenario(builtinScenario(id));
      if (!r.ok) throw new Error(id);
      return flatten(r.trace);
    };
    const at = (id: string) => {
      const ch = CHAPTERS.find((c) => c.id === id)!;
      const s = steps(ch.scenario);
      return s[chapterStep(ch, s)]!.step;
    };
    expect(at("ipmasq").detail).toMatchObject({ kind: "nat", type: "MASQUERADE" });
    expect(at("services-dns").detail).toMatchObject({ kind: "nat", type: "DNAT", after: { dst: "10.200.0.27", dport: 53 } });
    expect(at("nodeport").detail).toMatchObject({ kind: "rule", chain: "KUBE-NODEPORTS" });
    const route = at("pod-to-pod").detail;
    expect(route.kind === "route" && route.route.trim()).toBe("10.200.1.0/24 via 10.240.0.21 dev eth0 proto static");
    expect(at("host-network").packet.src).toBe("10.240.0.20");
  });
});
