import fc from "fast-check";
import { compressToEncodedURIComponent } from "lz-string";
import { describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, articleCluster } from "../engine/scenarios/article";
import type { ScenarioInput } from "../engine/k8s/spec";
import { decodeShare, encodeShare, formatHash, parseHash, type ShareState } from "./codec";

const ids = BUILTIN_SCENARIOS.map((s) => s.id);

/** Scenarios as an edit would make them: the article's cluster with pods and services added. */
const specArb: fc.Arbitrary<ScenarioInput> = fc
  .record({ pods: fc.integer({ min: 0, max: 20 }), services: fc.integer({ min: 0, max: 10 }), seed: fc.integer({ min: 1, max: 1000 }), masq: fc.boolean() })
  .map(({ pods, services, seed, masq }) => editedArticle(pods, services, seed, masq));

function editedArticle(pods: number, services: number, seed = 1, ipMasq = true): ScenarioInput {
  const c = articleCluster({ ipMasq });
  return {
    version: 1,
    id: "edited",
    title: `The article's cluster with ${pods} more pods and ${services} more services`,
    seed,
    ...c,
    workloads: [
      ...(c.workloads ?? []),
      ...Array.from({ length: pods }, (_, i) => ({
        kind: "Pod" as const,
        name: `extra-${i}`,
        labels: { app: `svc${i % Math.max(1, services)}` },
        node: `worker-${i % 3}`,
        containers: [{ name: "app", image: "nginx", ports: [{ containerPort: 8080 }] }],
      })),
    ],
    services: [
      ...(c.services ?? []),
      ...Array.from({ length: services }, (_, i) => ({ name: `svc${i}`, clusterIP: `10.32.0.${100 + i}`, selector: { app: `svc${i}` }, ports: [{ port: 80, targetPort: 8080 }] })),
    ],
    traffic: [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" } }],
  };
}

const stateArb: fc.Arbitrary<ShareState> = fc.record({
  scenario: fc.oneof(fc.constantFrom(...ids).map((id) => ({ id })), specArb.map((spec) => ({ spec }))),
  flow: fc.integer({ min: 0, max: 5 }),
  step: fc.integer({ min: 0, max: 200 }),
  panels: fc.record({ detail: fc.boolean(), hops: fc.boolean(), node: fc.boolean() }),
  shell: fc.array(fc.record({ target: fc.constantFrom("worker-0", "worker-0/busybox0-rw89s", "client"), line: fc.string({ maxLength: 80 }) }), { minLength: 1, maxLength: 4 }),
}, { requiredKeys: ["scenario", "flow", "step", "panels"] });

describe("share links", () => {
  it("round-trip any view: decode(encode(view)) is the view", () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const r = decodeShare(encodeShare(state));
        expect(r.ok).toBe(true);
        if (r.ok) expect(r.state).toEqual(state);
      }),
      { numRuns: 200 },
    );
  });

  it("round-trip through the URL hash, with embed options", () => {
    fc.assert(
      fc.property(stateArb, fc.boolean(), fc.boolean(), fc.subarray(["hops", "detail", "node"]), fc.option(fc.nat(500), { nil: undefined }), (state, embed, autoplay, hide, start) => {
        const hash = formatHash({ view: encodeShare(state), embed, autoplay, hide, ...(start !== undefined && { start }) });
        const back = parseHash(hash);
        expect(back).toEqual({ view: encodeShare(state), embed, autoplay, hide, ...(start !== undefined && { start }) });
        const r = decodeShare(back.view!);
        expect(r.ok && r.state).toEqual(state);
      }),
      { numRuns: 100 },
    );
  });

  it("never throws on 10,000 random or damaged inputs, and says what was wrong", () => {
    const valid = encodeShare({ scenario: { spec: editedArticle(3, 2) }, flow: 1, step: 7, panels: { detail: true, hops: true, node: false } });
    const damaged = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(..."ABCabc012+-$"), maxLength: 400 }),
      fc.nat(valid.length).map((n) => valid.slice(0, n)),
      fc.tuple(fc.nat(valid.length - 1), fc.constantFrom(..."AZaz09+-$")).map(([i, ch]) => valid.slice(0, i) + ch + valid.slice(i + 1)),
    );
    let failures = 0;
    fc.assert(
      fc.property(damaged, (data) => {
        const r = decodeShare(data);
        if (!r.ok) {
          failures++;
          expect(r.error.length).toBeGreaterThan(20);
        }
      }),
      { numRuns: 10_000 },
    );
    expect(failures).toBeGreaterThan(5_000);
  });

  it.each<[string, string, RegExp]>([
    ["truncated", encodeShare({ scenario: { id: "nodeport" }, flow: 0, step: 3, panels: { detail: true, hops: true, node: true } }).slice(0, 25), /truncated/],
    ["garbage", "hello world!", /characters a Hopscope link never contains/],
    ["too many shell lines", encodeShareRaw({ v: 1, scenario: { id: "nodeport" }, flow: 0, step: 0, shell: Array.from({ length: 201 }, () => ({ t: "worker-0", l: "ping -c 1 10.200.1.15" })) }), /shell: Invalid length/],
    ["a shell line without its node", encodeShareRaw({ v: 1, scenario: { id: "nodeport" }, flow: 0, step: 0, shell: [{ l: "ping -c 1 10.200.1.15" }] }), /shell\.0\.t/],
    ["another version", encodeShareRaw({ v: 2, scenario: { id: "nodeport" }, flow: 0, step: 0 }), /link version 2; this one reads version 1/],
    ["an invalid spec", encodeShareRaw({ v: 1, scenario: { spec: { ...editedArticle(0, 0), cluster: { ...editedArticle(0, 0).cluster, gateway: "10.240.0.999" } } }, flow: 0, step: 0 }), /scenario is not valid: cluster\.gateway/],
    ["oversized", "A".repeat(70 * 1024), /over the 64 KB a link may carry/],
  ])("refuses %s with a clear message", (_name, data, message) => {
    const r = decodeShare(data);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it("keeps the article's cluster with 20 more pods and 10 more services under 4,000 characters", () => {
    const url = `https://example.org/hopscope/${formatHash({ view: encodeShare({ scenario: { spec: editedArticle(20, 10) }, flow: 0, step: 0, panels: { detail: true, hops: true, node: true } }), embed: false, autoplay: false, hide: [] })}`;
    console.log(`share URL of the article's cluster + 20 pods + 10 services: ${url.length} characters`);
    expect(url.length).toBeLessThanOrEqual(4000);
  });
});

function encodeShareRaw(obj: unknown): string {
  return compressToEncodedURIComponent(JSON.stringify(obj));
}
