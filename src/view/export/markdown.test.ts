import { describe, expect, it } from "vitest";
import { runScenario } from "../../engine/k8s/run";
import { builtinScenario } from "../../engine/scenarios/article";
import { flatten } from "../../store/playback";
import { visibleSteps } from "../../store/levels";
import { escapeMarkdown, narrationMarkdown } from "./markdown";
import { exportName, slug } from "./names";

function flowAt(id: string, flow: number, level: "hops" | "rules") {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error("scenario did not run");
  const steps = flatten(r.trace);
  const picked = visibleSteps(steps, level).filter((i) => steps[i]!.flow === flow).map((i) => steps[i]!);
  return { title: id, first: picked[0]!, steps: picked.map((s) => s.step) };
}

describe("narrationMarkdown", () => {
  it("has each step's sentence as a numbered heading, in order", () => {
    const f = flowAt("nodeport", 0, "hops");
    const md = narrationMarkdown({ scenarioTitle: "NodePort from the internet", flowName: f.first.flowName, outcome: f.first.outcome, level: "hops", steps: f.steps });
    const headings = [...md.matchAll(/^## (\d+)\. (.*)$/gm)];
    expect(headings.map((h) => Number(h[1]))).toEqual(f.steps.map((_, i) => i + 1));
    expect(headings.map((h) => h[2])).toEqual(f.steps.map((s) => escapeMarkdown(s.text)));
    expect(md).toContain("- Level of detail: hops (");
  });

  it("keeps rule text, NAT and tcpdump lines verbatim in code blocks, and says why", () => {
    const f = flowAt("nodeport", 0, "rules");
    const md = narrationMarkdown({ scenarioTitle: "NodePort", flowName: f.first.flowName, outcome: f.first.outcome, level: "rules", steps: f.steps });
    const rules = f.steps.flatMap((s) => (s.detail.kind === "rule" ? [s.detail.rule] : []));
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) expect(md).toContain("```text\n" + r + "\n```");
    const nat = f.steps.find((s) => s.detail.kind === "nat");
    expect(nat).toBeDefined();
    if (nat?.detail.kind === "nat") expect(md).toContain(nat.detail.conntrack);
    const wire = f.steps.find((s) => s.detail.kind === "wire");
    if (wire?.detail.kind === "wire") expect(md).toContain(wire.detail.tcpdump);
    for (const s of f.steps.filter((x) => x.why)) expect(md).toContain(`> Why: ${escapeMarkdown(s.why!)}`);
  });

  it("escapes Markdown in prose but not in code", () => {
    expect(escapeMarkdown("a *b* [c] <d> ip_forward")).toBe("a \\*b\\* \\[c\\] \\<d> ip\\_forward");
    const f = flowAt("pod-to-pod", 0, "hops");
    const md = narrationMarkdown({ scenarioTitle: "x*y", description: "opens <http://a_b/>", flowName: "f", outcome: "delivered", level: "hops", steps: f.steps });
    expect(md.startsWith("# x\\*y\n\nopens \\<http://a\\_b/>\n\n- Flow: f\n")).toBe(true);
  });
});

describe("exportName", () => {
  it("says the scenario and the step or the flow and level", () => {
    expect(exportName("nodeport", "png", { step: 12 })).toBe("hopscope-nodeport-step-12.png");
    expect(exportName("Pod to pod (ipMasq on)", "gif", { flow: 2, level: "hops" })).toBe("hopscope-pod-to-pod-ipmasq-on-flow-2-hops.gif");
    expect(slug("***")).toBe("scenario");
  });
});
