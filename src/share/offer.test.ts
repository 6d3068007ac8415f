import { compressToEncodedURIComponent } from "lz-string";
import { describe, expect, it } from "vitest";
import { runScenario } from "../engine/k8s/run";
import type { ScenarioInput } from "../engine/k8s/spec";
import { articleScenario } from "../engine/testing/article-scenario";
import { MAX_SHARE_CHARS, encodeView } from "./codec";
import { decodeView } from "./decode";
import { scenarioFile, shareOffer } from "./offer";
import { articlePlus20Pods10Services } from "./sample-edit";

const panels = { detail: true, hops: true, node: true };

/**
 * The article's cluster with `n` Services, each named and numbered apart (the service network a
 * /16), the first 600 with a Deployment behind them (the workers' /24s hold 750 pods).
 */
function bigScenario(n: number): ScenarioInput {
  const ip = (i: number) => `10.32.${(100 + i) >> 8}.${(100 + i) & 255}`;
  const s = articleScenario("big-cluster", {
    workloads: Array.from({ length: Math.min(n, 600) }, (_, i) => ({
      kind: "Deployment" as const,
      name: `app-${(i * 7919).toString(36)}`,
      labels: { app: `app-${(i * 7919).toString(36)}` },
      replicas: 1,
      podTemplateHash: 1_000_000 + ((i * 104_729) % 8_999_999),
      containers: [{ name: "app", image: `registry.example/team-${i % 97}/app:${(i * 31) % 1000}`, ports: [{ name: "http", containerPort: 8000 + (i % 1000) }] }],
      pods: [{ node: `worker-${i % 3}` }],
    })),
    services: Array.from({ length: n }, (_, i) => ({ name: `app-${(i * 7919).toString(36)}`, clusterIP: ip(i), selector: { app: `app-${(i * 7919).toString(36)}` }, ports: [{ name: "http", port: 80, targetPort: "http" }] })),
  });
  return { ...s, cluster: { ...s.cluster, serviceNetwork: "10.32.0.0/16" } };
}

describe("shareOffer", () => {
  it("offers the link of a view that opens: a built-in's, an edited scenario's", () => {
    expect(shareOffer({ id: "nodeport" }, encodeView({ scenario: { id: "nodeport" }, panels }))).toEqual({ kind: "link" });
    const spec = articlePlus20Pods10Services();
    expect(shareOffer({ spec }, encodeView({ scenario: { spec }, panels }))).toEqual({ kind: "link" });
  });

  it("offers a file for an edited scenario too large for a link, and the link would indeed be refused", () => {
    const spec = bigScenario(3000);
    const run = runScenario(spec);
    expect(run.ok, JSON.stringify(!run.ok && run.issues[0])).toBe(true);
    const view = encodeView({ scenario: { spec }, panels });
    expect(view.length).toBeGreaterThan(MAX_SHARE_CHARS);
    const offer = shareOffer({ spec }, view);
    expect(offer).toEqual({ kind: "file", reason: `This scenario is too large for a link (its data would be ${Math.ceil(view.length / 1024)} KB, over the 64 KB a link may carry): share it as a file instead.` });
    expect(decodeView({ view })).toMatchObject({ ok: false, error: expect.stringMatching(/over the 64 KB a link may carry/) });
  });

  it("draws the line where decodeView does: MAX_SHARE_CHARS characters is a link, one more is not", () => {
    const spec = articlePlus20Pods10Services();
    expect(shareOffer({ spec }, "A".repeat(MAX_SHARE_CHARS)).kind).toBe("link");
    expect(shareOffer({ spec }, "A".repeat(MAX_SHARE_CHARS + 1))).toEqual({ kind: "file", reason: "This scenario is too large for a link (its data would be 65 KB, over the 64 KB a link may carry): share it as a file instead." });
  });

  it("offers a file for a short link whose data unpacks to over 1 MB, which decodeView refuses", () => {
    const spec = articlePlus20Pods10Services();
    const view = compressToEncodedURIComponent(JSON.stringify({ v: 3, scenario: { spec: { ...spec, description: "a".repeat(1_100_000) } }, panels }));
    expect(view.length).toBeLessThan(MAX_SHARE_CHARS);
    expect(decodeView({ view })).toMatchObject({ ok: false, error: expect.stringMatching(/unpacks to more than/) });
    expect(shareOffer({ spec }, view)).toEqual({ kind: "file", reason: "This scenario is too large for a link (its data would unpack to over 1 MB of text, more than a link may carry): share it as a file instead." });
  });

  it("says why in the page's language", () => {
    const spec = articlePlus20Pods10Services();
    expect(shareOffer({ spec }, "A".repeat(MAX_SHARE_CHARS + 1), "ru")).toEqual({
      kind: "file",
      reason: "Этот сценарий слишком велик для ссылки (его данные заняли бы 65 КБ, больше 64 КБ, которые может нести ссылка): поделитесь им как файлом.",
    });
  });

  it("offers nothing but a reason for a built-in's view too large for a link", () => {
    expect(shareOffer({ id: "nodeport" }, "A".repeat(MAX_SHARE_CHARS + 1))).toEqual({ kind: "none", reason: "This view is too large for a link (its data would be 65 KB, over the 64 KB a link may carry)." });
  });
});

describe("scenarioFile", () => {
  it("is the document as pretty-printed JSON, named after its id", () => {
    const spec = articlePlus20Pods10Services();
    const file = scenarioFile(spec);
    expect(file.name).toBe("article-plus-apps.json");
    expect(file.text).toBe(`${JSON.stringify(spec, null, 2)}\n`);
    expect(file.text.split("\n")[1]).toBe('  "version": 1,');
    expect(JSON.parse(file.text)).toEqual(spec);
  });

  it("falls back to scenario.json for an id that is no file name", () => {
    const spec = articlePlus20Pods10Services();
    for (const id of ["../etc/passwd", "", "A", "a".repeat(64)]) expect(scenarioFile({ ...spec, id }).name).toBe("scenario.json");
  });
});
