/**
 * Scenario files as a hostile or careless user writes them: 10,000 mutations of the built-in
 * scenarios (hostile strings, wrong types, huge or repeated values, deleted and unknown fields,
 * broken JSON text) go through what `cli trace` and `cli lab` do with a file. Each one gets a
 * trace or a list of precise issues: never an exception, never a message that repeats a huge
 * value, never a trace past its budget, and every one in good time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labScript } from "../lab/export";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { MAX_TRACE_STEPS } from "../trace";
import { runScenarioText } from "./run";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const HOSTILE_STRINGS = [
  "", " ", "$(id>/tmp/P)", "`id`", "x\ntouch /tmp/PWNED\n#", "a'b\"c\\d", "RULES", "\u202eevil", "\u0000", "\u001b[31m", "é",
  "eth0", "lo", "cnio0", "veth13c5665c", "vpc-router", "client", "worker-0", "controller-1", "cni-1b2c3d4e-0000-4000-8000-00000000abcd", "seg_vpc",
  "10.200.0.7/24", "10.240.0.0", "10.240.0.255", "10.200.0.21", "10.32.0.10", "203.0.113.10", "0.0.0.0/0", "256.1.1.1", "10.200.0.0/33", "10.0.0.0/8",
  "TCP", "UDP", "SCTP", "ping", "dig", "curl", "NodePort", "ClusterIP", "Local", "ClientIP", "constructor", "__proto__", "toString",
  "x".repeat(64), "x".repeat(300), "n".repeat(100_000),
];
const HOSTILE_VALUES: Json[] = [null, true, false, 0, -1, 1, 1.5, 80, 31088, 30000, 32767, 65535, 65536, 1e9, 2 ** 53, [], {}, [[]], { a: 1 }];

const bases = BUILTIN_SCENARIOS.map((s) => JSON.parse(JSON.stringify(s)) as Json);

/** Every path to a value in a document. */
function paths(doc: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(doc)) doc.forEach((v, i) => paths(v, [...at, i], out));
  else if (doc && typeof doc === "object") for (const [k, v] of Object.entries(doc)) paths(v, [...at, k], out);
  return out;
}

function get(doc: Json, path: readonly (string | number)[]): Json {
  let cur: Json = doc;
  for (const p of path) cur = (cur as Record<string, Json>)[p as string]!;
  return cur;
}

type Mutation = { kind: "set"; value: Json } | { kind: "delete" } | { kind: "repeat"; times: number } | { kind: "unknown" };

function mutate(doc: Json, target: number, m: Mutation): Json {
  const all = paths(doc);
  const path = all[target % all.length]!;
  if (path.length === 0) return m.kind === "set" ? m.value : doc;
  const parent = get(doc, path.slice(0, -1));
  const key = path.at(-1)!;
  if (Array.isArray(parent)) {
    const i = key as number;
    if (m.kind === "set") parent[i] = m.value;
    else if (m.kind === "delete") parent.splice(i, 1);
    else if (m.kind === "repeat") parent.splice(i, 0, ...Array.from({ length: m.times }, () => structuredClone(parent[i]!)));
    else parent.push({ unexpected: 1 });
  } else if (parent && typeof parent === "object") {
    const o = parent as Record<string, Json>;
    if (m.kind === "set") o[key] = m.value;
    else if (m.kind === "delete") delete o[key];
    else if (m.kind === "repeat") o[key] = Array.from({ length: m.times }, () => structuredClone(o[key]!));
    else o[`x-${String(key)}`] = 1;
  }
  return doc;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map((value) => ({ kind: "set" as const, value })) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_VALUES).map((value) => ({ kind: "set" as const, value })) },
  { weight: 2, arbitrary: fc.constant({ kind: "delete" as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 300 }).map((times) => ({ kind: "repeat" as const, times })) },
  { weight: 1, arbitrary: fc.constant({ kind: "unknown" as const }) },
);

/** Damage to the text itself: cut, a byte-order mark, a stray character. */
const textDamage = fc.oneof(
  { weight: 8, arbitrary: fc.constant((t: string) => t) },
  { weight: 1, arbitrary: fc.constant((t: string) => "\ufeff" + t) },
  { weight: 1, arbitrary: fc.nat().map((n) => (t: string) => t.slice(0, n % (t.length + 1))) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom("{", "}", ",", '"', "\\", "\u0000", "]")).map(([n, c]) => (t: string) => t.slice(0, n % t.length) + c + t.slice(n % t.length)) },
);

describe("scenario files", () => {
  it("10,000 mutated files: a trace or precise issues, never an exception, in good time", () => {
    const heapBefore = process.memoryUsage().heapUsed;
    let traced = 0;
    let slowest = 0;
    fc.assert(
      fc.property(fc.nat(bases.length - 1), fc.array(fc.tuple(fc.nat(), mutation), { minLength: 1, maxLength: 3 }), textDamage, (b, muts, damage) => {
        let doc: Json = structuredClone(bases[b] as Json);
        for (const [target, m] of muts) doc = mutate(doc, target, m);
        const text = damage(JSON.stringify(doc));
        const t0 = performance.now();
        const r = runScenarioText(text);
        if (r.ok) {
          traced++;
          expect(r.trace.flows.reduce((n, f) => n + f.steps.length, 0)).toBeLessThanOrEqual(MAX_TRACE_STEPS);
          // What `cli lab` does with a valid file.
          expect(labScript(r.cluster)).toMatch(/^#!\/usr\/bin\/env bash\n/);
        } else {
          expect(r.issues.length).toBeGreaterThan(0);
          for (const i of r.issues) {
            expect(i.path.length, i.path.slice(0, 100)).toBeLessThan(200);
            expect(i.message.length, i.message.slice(0, 100)).toBeLessThan(400);
            expect(i.message).not.toMatch(/undefined|\[object Object\]/);
          }
        }
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        expect(ms).toBeLessThan(5000);
      }),
      { numRuns: 10_000, seed: 20261127 },
    );
    const grown = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
    console.log(`scenario fuzz: 10,000 files, ${traced} traced, the rest refused; slowest ${slowest.toFixed(0)} ms; heap grew ${grown.toFixed(0)} MB`);
    expect(traced).toBeGreaterThan(250);
    expect(grown).toBeLessThan(1024);
  }, 300_000);
});
