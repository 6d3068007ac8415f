import { describe, expect, it } from "vitest";
import { validateScenario } from "../engine/k8s/spec";
import { builtinScenario } from "../engine/scenarios/article";
import { DEFAULT_PANELS, encodeView } from "./codec";
import { decodeView } from "./decode";
import { readView } from "./read";

describe("readView", () => {
  it("answers a built-in's link without the scenario schema, as decodeView does", () => {
    const view = encodeView({ scenario: { id: "nodeport" }, panels: DEFAULT_PANELS });
    const r = readView({ view, at: { flow: 1, step: 2 } });
    expect(r).toEqual({ ok: true, state: { scenario: { id: "nodeport" }, flow: 1, step: 2, panels: DEFAULT_PANELS } });
    expect(r).toEqual(decodeView({ view, at: { flow: 1, step: 2 } }));
  });

  it("leaves a document to be checked, and finish() answers what decodeView answers", () => {
    const spec = { ...builtinScenario("nodeport")!, title: "Mine" };
    const view = encodeView({ scenario: { spec }, panels: DEFAULT_PANELS });
    const r = readView({ view });
    expect(r.ok).toBe("unchecked");
    if (r.ok !== "unchecked") return;
    expect(r.finish(validateScenario)).toEqual(decodeView({ view }));
    expect(r.finish(validateScenario)).toMatchObject({ ok: true, state: { scenario: { spec } } });

    const bad = encodeView({ scenario: { spec: { ...spec, cluster: { ...spec.cluster, workers: [] } } }, panels: DEFAULT_PANELS });
    const unchecked = readView({ view: bad }, "ru");
    if (unchecked.ok !== "unchecked") throw new Error("expected a document to check");
    const refused = unchecked.finish(validateScenario);
    expect(refused).toEqual(decodeView({ view: bad }, "ru"));
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^Сценарий в ссылке некорректен: cluster\.workers: at least one worker/) });
  });

  it("a check that throws is answered, not thrown", () => {
    const view = encodeView({ scenario: { spec: builtinScenario("nodeport")! }, panels: DEFAULT_PANELS });
    const r = readView({ view });
    if (r.ok !== "unchecked") throw new Error("expected a document to check");
    expect(
      r.finish(() => {
        throw new Error("boom");
      }),
    ).toEqual({ ok: false, error: "The link could not be read (boom)." });
  });

  it("checks at once when given the check", () => {
    const view = encodeView({ scenario: { spec: builtinScenario("nodeport")! }, panels: DEFAULT_PANELS });
    expect(readView({ view }, "en", validateScenario)).toEqual(decodeView({ view }));
  });
});
