import fc from "fast-check";
import { compressToEncodedURIComponent } from "lz-string";
import { describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, builtinScenario } from "../engine/scenarios/article";
import { validateScenario } from "../engine/k8s/spec";
import { baseFingerprint, encodeView } from "./codec";
import { decodeView } from "./decode";
import { MAX_PATCH_DEPTH, MAX_PATCH_ITEMS, applyPatch, diff, type ApplyResult, type Json } from "./compact";
import { articlePlus20Pods10Services } from "./sample-edit";

const POD_TO_POD = builtinScenario("pod-to-pod")!;
const panels = { detail: true, hops: true, node: true };

/** JSON text of a value (undefined for "no value"), for comparing documents as JSON. */
const asText = (v: unknown) => JSON.stringify(v);

function expectApplies(base: unknown, target: unknown): void {
  const r = applyPatch(base, diff(base, target));
  expect(r.ok, !r.ok ? `${r.path}: ${r.message}` : "").toBe(true);
  if (r.ok) expect(r.value).toEqual(JSON.parse(asText(target)!));
}

function expectRefused(r: ApplyResult, path: string, message: RegExp): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.path).toBe(path);
  expect(r.message).toMatch(message);
}

describe("diff", () => {
  it("is {} between equal documents, whatever the order of their fields", () => {
    expect(diff(POD_TO_POD, POD_TO_POD)).toEqual({});
    expect(diff({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toEqual({});
  });

  it("writes appended items alone", () => {
    const base = { xs: [{ name: "a", v: 1 }, { name: "b", v: 2 }, { name: "c", v: 3 }] };
    expect(diff(base, { xs: [...base.xs, { name: "d", v: 4 }] })).toEqual({ xs: ["@", 3, {}, [{ name: "d", v: 4 }]] });
  });

  it("changes items of an equally long list in place, and drops items off the end", () => {
    const base = { xs: [{ name: "a", v: 1 }, { name: "b", v: 2 }, { name: "c", v: 3 }, { name: "d", v: 4 }] };
    expect(diff(base, { xs: [base.xs[0], { name: "b", v: 20 }, base.xs[2], base.xs[3]] })).toEqual({ xs: ["@", 4, { 1: { v: [20] } }, []] });
    expect(diff(base, { xs: base.xs.slice(0, 3) })).toEqual({ xs: ["@", 3, {}, []] });
  });

  it("replaces a value when that is shorter: a scalar, a changed type, a short list, a small object", () => {
    const base = { name: "a long enough name", n: 1, xs: [1, 2], o: { b: 1 } };
    expect(diff(base, { ...base, n: 2 })).toEqual({ n: [2] });
    expect(diff(base, { ...base, xs: { b: 1 } })).toEqual({ xs: [{ b: 1 }] });
    expect(diff(base, { ...base, xs: [2, 1] })).toEqual({ xs: [[2, 1]] });
    expect(diff(base, { ...base, o: { b: 2 } })).toEqual({ o: [{ b: 2 }] });
    expect(diff(1, "x")).toEqual(["x"]);
    expect(diff({ a: 1 }, { a: 2 })).toEqual([{ a: 2 }]);
  });

  it("is a patch that changes nothing between equal values of any kind", () => {
    expect(diff(false, false)).toEqual([false]);
    expect(diff([1, 2, 3], [1, 2, 3])).toEqual([[1, 2, 3]]);
    expect(diff([[1, 2, 3, 4, 5, 6, 7, 8, 9]], [[1, 2, 3, 4, 5, 6, 7, 8, 9]])).toEqual(["@", 1, {}, []]);
  });

  it("removes fields with 0 and adds them with [value]", () => {
    const base = { name: "a long enough name", a: 1 };
    expect(diff(base, { name: base.name, c: { d: 3 } })).toEqual({ c: [{ d: 3 }], a: 0 });
  });

  it("reads both sides as JSON: undefined fields are absent", () => {
    expect(diff({ a: 1, b: undefined }, { a: 1 })).toEqual({});
    expect(diff({ a: 1 }, { a: 1, b: undefined })).toEqual({});
  });

  it("is deterministic: the same two documents give the same patch text", () => {
    const target = articlePlus20Pods10Services();
    const texts = BUILTIN_SCENARIOS.map((b) => asText(diff(b, target)));
    expect(BUILTIN_SCENARIOS.map((b) => asText(diff(structuredClone(b), structuredClone(target))))).toEqual(texts);
  });

  it("writes the article plus 20 pods and 10 services as the new items, the new id and title, and the description dropped", () => {
    const patch = diff(POD_TO_POD, articlePlus20Pods10Services()) as Record<string, unknown>;
    expect(Object.keys(patch).sort()).toEqual(["description", "id", "services", "title", "traffic", "workloads"]);
    expect(patch.description).toBe(0);
    expect((patch.workloads as unknown[]).slice(0, 3)).toEqual(["@", 3, {}]);
    expect((patch.services as unknown[]).slice(0, 3)).toEqual(["@", 2, {}]);
    // The built-in's ping names its source port; the sample's does not.
    expect(patch.traffic).toEqual(["@", 1, { 0: { sport: 0 } }, []]);
  });

  it("round-trips any two JSON values: applying diff(a, b) to a gives b", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 4 }), (a, b) => expectApplies(a, b)),
      { seed: 7, numRuns: 2000 },
    );
  });

  it("round-trips a value and an edit of it", () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }).chain((a) => fc.tuple(fc.constant(a), mutation(a as Json))),
        ([a, b]) => expectApplies(a, b),
      ),
      { seed: 8, numRuns: 2000 },
    );
  });
});

describe("applyPatch", () => {
  it("leaves the base as it was", () => {
    const before = asText(POD_TO_POD);
    const r = applyPatch(POD_TO_POD, { workloads: ["@", 3, { 0: { name: ["changed"] } }, []], cluster: { workers: ["@", 1, {}, []] }, description: 0 });
    expect(r.ok).toBe(true);
    expect(asText(POD_TO_POD)).toBe(before);
  });

  it("treats a field named __proto__ as a field, as JSON.parse does", () => {
    const patch = JSON.parse('{"labels":{"__proto__":["x"]}}') as unknown;
    const r = applyPatch({ labels: { a: "1" } }, patch);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const labels = (r.value as { labels: Record<string, unknown> }).labels;
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.keys(labels)).toEqual(["a", "__proto__"]);
    expect(asText(r.value)).toBe('{"labels":{"a":"1","__proto__":"x"}}');
  });

  it.each<[string, unknown, unknown, string, RegExp]>([
    ["a scalar", { a: 1 }, 5, "(root)", /^the number 5 is not a patch \(a patch is \[value\], \{field: patch, …\} or \["@", kept, \{index: patch, …\}, \[item, …\]\]\)$/],
    ["an empty list", { a: 1 }, { a: [] }, "a", /^an empty list is not a patch/],
    ["a list of two", { a: 1 }, { a: [1, 2] }, "a", /^a list of 2 items is not a patch/],
    ["a list edit under another tag", { a: [1] }, { a: ["+", 1, {}, []] }, "a", /^a list of 4 items starting with "\+" is not a patch/],
    ["0 at the root", { a: 1 }, 0, "(root)", /^0 \(remove\) stands only for a field in an object's patch$/],
    ["0 for a list item", { a: [1, 2] }, { a: ["@", 2, { 1: 0 }, []] }, "a.1", /^0 \(remove\) stands only for a field/],
    ["removing a missing field", { a: 1 }, { b: 0 }, "b", /^the patch removes a field the base does not have$/],
    ["editing a missing field", { a: 1 }, { b: { c: [1] } }, "b", /^the patch changes a field the base does not have \(a new field is given as \[value\]\)$/],
    ["an object edit of a list", { a: [1] }, { a: { 0: [2] } }, "a", /^the patch changes an object's fields, but the base has a list of 1 item here$/],
    ["a list edit of an object", { a: { b: 1 } }, { a: ["@", 0, {}, []] }, "a", /^the patch changes a list, but the base has an object here$/],
    ["a list edit of text", { a: "x" }, { a: ["@", 0, {}, []] }, "a", /^the patch changes a list, but the base has the text "x" here$/],
    ["keeping too many", { a: [1, 2] }, { a: ["@", 3, {}, []] }, "a", /^the patch keeps 3 items of a list that has 2$/],
    ["keeping a fraction", { a: [1, 2] }, { a: ["@", 1.5, {}, []] }, "a", /^a list's patch keeps a whole number of items, not the number 1\.5$/],
    ["keeping a negative count", { a: [1, 2] }, { a: ["@", -1, {}, []] }, "a", /^a list's patch keeps a whole number of items, not the number -1$/],
    ["keeping text", { a: [1, 2] }, { a: ["@", "2", {}, []] }, "a", /^a list's patch keeps a whole number of items, not the text "2"$/],
    ["item edits as a list", { a: [1, 2] }, { a: ["@", 2, [], []] }, "a", /^a list's patch changes items as \{index: patch, …\}, not a list of 0 items$/],
    ["appending an object", { a: [1, 2] }, { a: ["@", 2, {}, {}] }, "a", /^a list's patch appends a list of items, not an object$/],
    ["an item not kept", { a: [1, 2, 3] }, { a: ["@", 2, { 2: [9] }, []] }, "a.2", /^the patch changes an item it does not keep \(it keeps items 0 to 1\)$/],
    ["an index with a leading zero", { a: [1, 2] }, { a: ["@", 2, { "01": [9] }, []] }, "a.01", /^the patch changes an item it does not keep/],
    ["an index that is a word", { a: [1, 2] }, { a: ["@", 1, { length: [9] }, []] }, "a.length", /^the patch changes an item it does not keep \(it keeps item 0\)$/],
    ["more item edits than items", { a: [1, 2] }, { a: ["@", 1, { 0: [1], 1: [2] }, []] }, "a", /^the patch changes 2 items of the 1 it keeps$/],
    ["a deep error", POD_TO_POD, { workloads: ["@", 3, { 1: { pods: ["@", 2, { 0: { node: { x: 0 } } }, []] } }, []] }, "workloads.1.pods.0.node", /^the patch changes an object's fields, but the base has the text "worker-1" here$/],
  ])("refuses %s, saying where and why", (_name, base, patch, path, message) => {
    expectRefused(applyPatch(base, patch), path, message);
  });

  it("refuses values no JSON text holds", () => {
    expectRefused(applyPatch({ a: 1 }, { a: [Number.NaN] }), "a", /^NaN is not a JSON number$/);
    expectRefused(applyPatch({ a: 1 }, { a: [{ b: [1, undefined] }] }), "a.b.1", /^nothing is not a JSON value$/);
    expectRefused(applyPatch({ a: 1 }, { a: [{ f: () => 1 }] }), "a.f", /^a function is not a JSON value$/);
    expectRefused(applyPatch({ a: 1 }, { a: [new Date(0)] }), "a", /^an object is not a JSON value$/);
  });

  it("cuts long field names in its paths and texts in its messages", () => {
    const key = "k".repeat(100_000);
    const r = applyPatch({ a: 1 }, { [key]: 0 });
    expectRefused(r, `${"k".repeat(39)}…`, /removes a field/);
    expectRefused(applyPatch({ a: 1 }, { a: "t".repeat(100_000) }), "a", /^the text "t{39}…" is not a patch/);
  });
});

describe("hostile patches", () => {
  /** A patch nested `depth` objects deep, as JSON.parse makes it from a link. */
  const deepJson = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}[1]${"}".repeat(depth)}`) as unknown;

  it("refuses a deep-nesting bomb at the depth limit, without walking it", () => {
    // A base as deep as the bomb for a while: a shallow one stops it sooner, where the two differ.
    const base: Record<string, unknown> = {};
    let at = base;
    for (let i = 0; i < 100; i++) at = at.a = {};
    expectRefused(applyPatch(base, deepJson(200_000)), Array(MAX_PATCH_DEPTH).fill("a").join("."), new RegExp(`^the patch nests deeper than ${MAX_PATCH_DEPTH} levels$`));
    expectRefused(applyPatch({ a: 1 }, deepJson(200_000)), "a", /^the patch changes an object's fields, but the base has the number 1 here$/);
    // A patch that contains itself is infinitely deep: the walk stops at the limit all the same.
    const cyclic: Record<string, unknown> = {};
    cyclic.a = cyclic;
    const reads = { n: 0 };
    expectRefused(applyPatch(base, counted(cyclic, reads)), Array(MAX_PATCH_DEPTH).fill("a").join("."), /nests deeper/);
    expect(reads.n).toBeLessThanOrEqual(2 * MAX_PATCH_DEPTH);
  });

  it("refuses a value nested past the limit, even one that contains itself", () => {
    const r = applyPatch({ a: 1 }, { a: [JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)] });
    expectRefused(r, ["a", ...Array(MAX_PATCH_DEPTH - 1).fill("0")].join("."), /^the patched document nests deeper than 32 levels$/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(applyPatch({ a: 1 }, { a: [cyclic] }).ok).toBe(false);
  });

  it("refuses a huge list by its length, reading none of its items", () => {
    const reads = { n: 0 };
    const huge = counted(new Array(1e9), reads);
    expectRefused(applyPatch(POD_TO_POD, { workloads: ["@", 3, {}, huge] }), "workloads", /^the patched list would hold 1,000,000,003 items, over the 20,000 a list may$/);
    expectRefused(applyPatch(POD_TO_POD, { workloads: [huge] }), "workloads", /^a list of 1,000,000,000 items, over the 20,000 a list may hold$/);
    expect(reads.n).toBe(0);
    // Exactly the limit is taken.
    const r = applyPatch({ xs: [] }, { xs: ["@", 0, {}, Array.from({ length: MAX_PATCH_ITEMS }, () => 0)] });
    expect(r.ok && (r.value as { xs: unknown[] }).xs.length).toBe(MAX_PATCH_ITEMS);
  });

  it("refuses bombs that come in a link, with a sentence", () => {
    const deepObject = `${'{"a":'.repeat(150_000)}0${"}".repeat(150_000)}`;
    const deepList = `${"[".repeat(400_000)}${"]".repeat(400_000)}`;
    const zeros = Array(300_000).fill("0").join(",");
    for (const [patch, message] of [
      [deepObject, /^The link's change to the built-in scenario pod-to-pod cannot be applied: a: the patch changes a field the base does not have \(a new field is given as \[value\]\)\.$/],
      [`{"title":[${deepList}]}`, /^The link's change to the built-in scenario pod-to-pod cannot be applied: title(\.0){31}: the patched document nests deeper than 32 levels\.$/],
      [`{"workloads":["@",3,{},[${zeros}]]}`, /^The link's change to the built-in scenario pod-to-pod cannot be applied: workloads: the patched list would hold 300,003 items, over the 20,000 a list may\.$/],
      [`{"services":[[${zeros}]]}`, /^The link's change to the built-in scenario pod-to-pod cannot be applied: services: a list of 300,000 items, over the 20,000 a list may hold\.$/],
    ] as const) {
      const view = compressToEncodedURIComponent(`{"v":3,"scenario":{"base":"pod-to-pod","patch":${patch}},"panels":{"detail":true,"hops":true,"node":true}}`);
      const r = decodeView({ view });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(message);
    }
  });

  it("never throws on thousands of random and damaged patches, and answers a document or where and why", () => {
    const valid = [diff(POD_TO_POD, articlePlus20Pods10Services()), diff(builtinScenario("nodeport"), { ...articlePlus20Pods10Services(), description: "edited" })] as Json[];
    const patches = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }),
      fc.constantFrom(...valid).chain((p) => mutation(p)),
      fc.constantFrom(...valid).chain((p) => mutation(p).chain((q) => mutation(q))),
    );
    let ok = 0;
    let refused = 0;
    fc.assert(
      fc.property(patches, fc.constantFrom(...BUILTIN_SCENARIOS), (patch, base) => {
        const r = applyPatch(base, patch);
        if (r.ok) {
          ok++;
          // A JSON value: JSON writes it, and reads back what it wrote.
          const text = asText(r.value);
          expect(typeof text).toBe("string");
          expect(asText(JSON.parse(text!))).toBe(text);
        } else {
          refused++;
          expect(r.path.length).toBeGreaterThan(0);
          expect(r.path.length).toBeLessThan(MAX_PATCH_DEPTH * 41);
          expect(r.message.length).toBeGreaterThan(10);
          expect(r.message.length).toBeLessThan(300);
        }
      }),
      { seed: 20_26, numRuns: 4000 },
    );
    // Both kinds of answer were seen, so the mutations reach past the first check.
    expect(ok).toBeGreaterThan(400);
    expect(refused).toBeGreaterThan(400);
  });

  it("never throws on thousands of damaged changes in links, and opens a valid scenario or says why in a sentence", () => {
    const spec = articlePlus20Pods10Services();
    const blob = JSON.parse(JSON.stringify({ v: 3, scenario: { base: "pod-to-pod", patch: diff(POD_TO_POD, spec), of: baseFingerprint(POD_TO_POD) }, panels })) as Json;
    expect(encodeView({ scenario: { spec }, panels })).toBe(compressToEncodedURIComponent(JSON.stringify(blob)));
    let opened = 0;
    fc.assert(
      fc.property(mutation(blob), (damaged) => {
        const r = decodeView({ view: compressToEncodedURIComponent(JSON.stringify(damaged)) });
        if (r.ok) {
          opened++;
          if ("spec" in r.state.scenario) expect(validateScenario(r.state.scenario.spec).ok).toBe(true);
        } else {
          expect(r.error).toMatch(/^The link.* .*\.$/s);
          expect(r.error.length).toBeLessThan(600);
        }
      }),
      { seed: 4, numRuns: 2000 },
    );
    expect(opened).toBeGreaterThan(50);
  });
});

/**
 * An edit of a JSON value: one node somewhere in it replaced by another value, removed, set to
 * 0, wrapped in a list, or (a number) moved by a little.
 */
function mutation(value: Json): fc.Arbitrary<Json> {
  return fc.tuple(fc.nat(), fc.nat(4), fc.jsonValue({ maxDepth: 2 }).map((j) => j as Json), fc.integer({ min: -3, max: 3 })).map(([pick, op, other, delta]) => {
    const copy = JSON.parse(JSON.stringify(value)) as Json;
    const nodes: { parent: Record<string, Json> | Json[] | undefined; key: string | number; v: Json }[] = [];
    const walk = (v: Json, parent: Record<string, Json> | Json[] | undefined, key: string | number) => {
      nodes.push({ parent, key, v });
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, v, i));
      else if (v !== null && typeof v === "object") for (const k of Object.keys(v)) walk((v as Record<string, Json>)[k]!, v as Record<string, Json>, k);
    };
    walk(copy, undefined, "");
    const node = nodes[pick % nodes.length]!;
    const replaced: Json | undefined = op === 0 ? other : op === 1 ? undefined : op === 2 ? 0 : op === 3 ? [node.v] : typeof node.v === "number" ? node.v + delta : other;
    if (!node.parent) return replaced === undefined ? {} : replaced;
    if (Array.isArray(node.parent)) {
      if (replaced === undefined) node.parent.splice(node.key as number, 1);
      else node.parent[node.key as number] = replaced;
    } else if (replaced === undefined) delete node.parent[node.key];
    else node.parent[node.key] = replaced;
    return copy;
  });
}

/** `target`, counting in `reads.n` every item or field read from it or from what is reached through it. */
function counted<T extends object>(target: T, reads: { n: number }): T {
  const wrapped = new WeakMap<object, object>();
  const wrap = <U extends object>(o: U): U => {
    let w = wrapped.get(o) as U | undefined;
    if (!w) {
      w = new Proxy(o, {
        get(t, key, receiver) {
          const v = Reflect.get(t, key, receiver) as unknown;
          if (typeof key === "string" && key !== "length") reads.n++;
          return typeof v === "object" && v !== null ? wrap(v) : v;
        },
      });
      wrapped.set(o, w);
    }
    return w;
  };
  return wrap(target);
}
