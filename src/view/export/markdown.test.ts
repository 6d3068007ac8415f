import { describe, expect, it } from "vitest";
import { runScenario } from "../../engine/k8s/run";
import { builtinScenario } from "../../engine/scenarios/article";
import { flatten } from "../../store/playback";
import { visibleSteps } from "../../store/levels";
import { escapeMarkdown, narrationMarkdown } from "./markdown";
import { exportText } from "./i18n";
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
    // tcpdump -n -e: the link-level header, then the IP line without its "IP ".
    if (wire?.detail.kind === "wire") expect(md).toContain(`${wire.detail.mac!.src} > ${wire.detail.mac!.dst}, ethertype IPv4 (0x0800), length ${wire.detail.length + 14}: ${wire.detail.tcpdump.replace(/^IP /, "")}`);
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

describe("the export in Russian", () => {
  it("writes the narration's headings and labels in Russian, and the tools' lines unchanged", () => {
    const f = flowAt("nodeport", 0, "rules");
    const input = { scenarioTitle: "NodePort", flowName: f.first.flowName, outcome: f.first.outcome, level: "rules", steps: f.steps };
    const en = narrationMarkdown(input);
    const ru = narrationMarkdown({ ...input, lang: "ru" });
    expect(ru).toContain(`- Уровень детализации: правила (${f.steps.length} шагов)`);
    expect(ru).toMatch(/^- Поток: /m);
    expect(ru).toMatch(/^- Итог: /m);
    expect(ru).toMatch(/^- Где: /m);
    expect(ru).toMatch(/^- Пакет: (TCP|UDP|ICMP) `/m);
    expect(ru).toMatch(/^Таблица nat, цепочка KUBE-SERVICES \(PREROUTING\), правило \d+:$/m);
    expect(ru).toMatch(/^DNAT: `[^`]+` становится `[^`]+`\.$/m);
    expect(ru).not.toMatch(/^- (Flow|Outcome|Where|Packet|Level of detail):/m);
    // Code blocks (rules, tcpdump, conntrack) are the same in both.
    const blocks = (md: string) => [...md.matchAll(/^```text\n([\s\S]*?)\n```$/gm)].map((m) => m[1]);
    expect(blocks(ru)).toEqual(blocks(en));
    expect(blocks(en).length).toBeGreaterThan(5);
  });

  it("says every dialog string in Russian, with plural forms", () => {
    for (const key of Object.keys(exportText.en) as (keyof typeof exportText.en)[]) {
      const sample = (v: unknown) =>
        typeof v === "function" ? String((v as (p: unknown) => string)({ n: 2, step: 3, px: "1 px", frames: "2 frames", done: 1, total: 4, name: "a.md", summary: "s", message: "m", width: 2, height: 2, level: "hops", pod: "p", node: "n", command: "ip route", table: "nat", chain: "C", hook: "H", index: 1 })) : String(v);
      const en = sample(exportText.en[key]);
      const ru = sample(exportText.ru[key]);
      expect(ru, key).not.toBe(en);
      expect(ru, key).toMatch(/[А-Яа-яЁё]/);
    }
    const frames = (n: number) => exportText.ru.frames({ n }).replace("\u00a0", " ");
    expect([1, 2, 5, 11, 21, 22, 25].map(frames)).toEqual(["1 кадр", "2 кадра", "5 кадров", "11 кадров", "21 кадр", "22 кадра", "25 кадров"]);
    expect(exportText.ru.inWords({ n: 21 })).toBe("21 шаг этого потока словами");
    expect(exportText.en.inWords({ n: 1 })).toBe("This flow's 1 step in words");
    expect(exportText.en.frames({ n: 2 })).toBe("2\u00a0frames");
  });
});

describe("narrationMarkdown on flannel's VXLAN", () => {
  it("an encap step gives the device, VNI and port, the outer and inner headers and the FDB entry; the datagram on the wire keeps tcpdump's two lines", () => {
    const f = flowAt("flannel-pod-to-pod", 0, "rules");
    const md = narrationMarkdown({ scenarioTitle: "flannel", flowName: f.first.flowName, outcome: f.first.outcome, level: "rules", steps: f.steps });
    expect(md).toContain("flannel.1 wraps the frame (VXLAN, VNI 1, UDP port 8472):");
    expect(md).toMatch(/- Outer header \(node to node\): UDP `10\.240\.0\.20\.\d+ > 10\.240\.0\.21\.8472`, ttl 64\n- Inner packet: ICMP `10\.244\.0\.21 > 10\.244\.1\.15`, ttl 63/);
    expect(md).toMatch(/bridge fdb show dev flannel\.1:\n\n```text\n[0-9a-f:]{17} dst 10\.240\.0\.21 self permanent\n```/);
    expect(md).toContain("flannel.1 unwraps the frame (VXLAN, VNI 1, UDP port 8472):");
    expect(md).toMatch(
      /tcpdump -n -e -i eth0:\n\n```text\n[0-9a-f:]{17} > [0-9a-f:]{17}, ethertype IPv4 \(0x0800\), length 148: 10\.240\.0\.20\.\d+ > 10\.240\.0\.21\.8472: OTV, flags \[I\] \(0x08\), overlay 0, instance 1\n[0-9a-f:]{17} > [0-9a-f:]{17}, ethertype IPv4 \(0x0800\), length 98: 10\.244\.0\.21 > 10\.244\.1\.15: ICMP echo request, id 1280, seq 1, length 64\n```/,
    );
    expect(md).toMatch(/- Inner packet: ICMP `10\.244\.0\.21 > 10\.244\.1\.15`, ttl 63 \(VXLAN VNI 1\)/);
  });
});
