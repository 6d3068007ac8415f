import fc from "fast-check";
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from "lz-string";
import { describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS, articleCluster, blankScenario, builtinScenario } from "../engine/scenarios/article";
import { runScenario } from "../engine/k8s/run";
import { validateScenario, type ScenarioInput } from "../engine/k8s/spec";
import { MAX_ECHO_CHARS, MAX_UNPACKED_CHARS, baseFingerprint, encodeShare, encodeView, formatHash, parseHash, type HashParams, type ShareState } from "./codec";
import { decodeShare, decodeView } from "./decode";
import { diff } from "./compact";
import { articlePlus20Pods10Services } from "./sample-edit";

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

/** A small scenario unlike any built-in: one worker, two pods, a ping. */
const TWO_PODS: ScenarioInput = {
  version: 1,
  id: "two-pods",
  title: "Two pods on one worker",
  seed: 7,
  cluster: { hostNetwork: "192.168.0.0/24", podNetwork: "10.100.0.0/16", serviceNetwork: "10.96.0.0/24", gateway: "192.168.0.1", controllers: [], workers: [{ name: "node-a", ip: "192.168.0.10", podCidr: "10.100.7.0/24" }] },
  cloud: { client: { name: "laptop", ip: "198.51.100.99" } },
  workloads: [
    { kind: "Pod", name: "a", node: "node-a", containers: [{ name: "c", image: "busybox" }] },
    { kind: "Pod", name: "b", node: "node-a", containers: [{ name: "c", image: "busybox" }] },
  ],
  traffic: [{ kind: "ping", from: { pod: "a" }, to: { pod: "b" } }],
};

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

  it("round-trip through the URL hash, with the position and embed options", () => {
    fc.assert(
      fc.property(stateArb, fc.boolean(), fc.boolean(), fc.subarray(["hops", "detail", "node"]), fc.option(fc.nat(500), { nil: undefined }), fc.boolean(), (state, embed, autoplay, hide, start, quiz) => {
        const view = encodeView(state);
        const params: HashParams = { view, at: { flow: state.flow, step: state.step }, embed, autoplay, hide, ...(start !== undefined && { start }), ...(quiz && { quiz }) };
        const hash = formatHash(params);
        expect(hash.startsWith(`#view=${view}&at=${state.flow}.${state.step}`)).toBe(true);
        const back = parseHash(hash);
        expect(back).toEqual(params);
        const r = decodeView(back);
        expect(r.ok && r.state).toEqual(state);
      }),
      { numRuns: 100 },
    );
  });

  it("encodeShare's string, placed after #view=, is a hash that restores the whole view", () => {
    fc.assert(
      fc.property(stateArb, fc.boolean(), (state, embed) => {
        const back = parseHash(`#view=${encodeShare(state)}${embed ? "&embed=1" : ""}`);
        expect(back.at).toEqual({ flow: state.flow, step: state.step });
        expect(back.embed).toBe(embed);
        const r = decodeView(back);
        expect(r.ok && r.state).toEqual(state);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps the view= part the same when only the flow and step change", () => {
    fc.assert(
      fc.property(stateArb, fc.nat(1000), fc.nat(1000), (state, flow, step) => {
        const moved = { ...state, flow, step };
        // A whole ShareState passed to encodeView must not carry its position into the blob.
        expect(encodeView(moved)).toBe(encodeView(state));
        expect(parseHash(`#view=${encodeShare(moved)}`).view).toBe(encodeView(state));
        const json = JSON.parse(decompressFromEncodedURIComponent(encodeView(moved))) as Record<string, unknown>;
        expect(Object.keys(json)).toEqual(["v", "scenario", "panels", ...(state.shell?.length ? ["shell"] : [])]);
        expect(json.v).toBe(3);
      }),
      { numRuns: 100 },
    );
  });

  it("opens a version 2 view without at= at flow 0, step 0", () => {
    const state: ShareState = { scenario: { id: "nodeport" }, flow: 3, step: 9, panels: { detail: false, hops: true, node: true } };
    const r = decodeView(parseHash(`#view=${encodeView(state)}`));
    expect(r.ok && r.state).toEqual({ ...state, flow: 0, step: 0 });
  });

  it.each<[string, HashParams["at"]]>([
    ["0.12", { flow: 0, step: 12 }],
    ["3.0", { flow: 3, step: 0 }],
    ["100000.100000", { flow: 100_000, step: 100_000 }],
    ["007.010", { flow: 7, step: 10 }],
    ["%31.%32", { flow: 1, step: 2 }],
    ["", undefined],
    ["12", undefined],
    ["1.", undefined],
    [".1", undefined],
    ["1.2.3", undefined],
    ["-1.2", undefined],
    ["1.-2", undefined],
    ["+1.2", undefined],
    ["1.5e3", undefined],
    ["1,2", undefined],
    [" 1.2", undefined],
    ["1.2 ", undefined],
    ["0x1.2", undefined],
    ["100001.0", undefined],
    ["0.100001", undefined],
    ["1234567.1", undefined],
    ["99999999999999999999.1", undefined],
    ["\u0661.\u0662", undefined],
    ["%ZZ", undefined],
  ])("parses at=%s", (text, at) => {
    const params = parseHash(`#view=abc&at=${text}&embed=1`);
    expect(params.at).toEqual(at);
    expect(params.view).toBe("abc");
    expect(params.embed).toBe(true);
  });

  it("reads level=hooks|rules, leaves anything else (and the default, hops) out, and writes it back only when not hops", () => {
    expect(parseHash("#view=abc&level=hooks").level).toBe("hooks");
    expect(parseHash("#view=abc&level=rules").level).toBe("rules");
    expect(parseHash("#view=abc&level=hops").level).toBe("hops");
    for (const bad of ["RULES", "rule", "", "__proto__", "hops,rules"]) expect(parseHash(`#view=abc&level=${bad}`).level).toBeUndefined();
    const base = { view: "abc", embed: false, autoplay: false, hide: [] };
    expect(formatHash({ ...base, level: "rules" })).toBe("#view=abc&level=rules");
    expect(formatHash({ ...base, level: "hops" })).toBe("#view=abc");
    expect(parseHash(formatHash({ ...base, level: "hooks" })).level).toBe("hooks");
  });

  it("reads quiz=1 as the quiz on, and anything else as off; writes it after the other embed options", () => {
    expect(parseHash("#view=abc&embed=1&quiz=1").quiz).toBe(true);
    for (const h of ["#view=abc&embed=1", "#view=abc&quiz=0", "#view=abc&quiz=true", "#view=abc&quiz", "#quiz=11"]) expect(parseHash(h).quiz, h).toBeUndefined();
    expect(formatHash({ view: "XYZ", at: { flow: 0, step: 3 }, embed: true, autoplay: false, hide: [], quiz: true })).toBe("#view=XYZ&at=0.3&embed=1&quiz=1");
    expect(formatHash({ view: "XYZ", embed: true, autoplay: false, hide: [], quiz: false })).toBe("#view=XYZ&embed=1");
  });

  it("reads at without a value, or without =, as no position", () => {
    expect(parseHash("#view=abc&at").at).toBeUndefined();
    expect(parseHash("#at=&view=abc").at).toBeUndefined();
    expect(parseHash("#at=4.5&view=abc").at).toEqual({ flow: 4, step: 5 });
  });

  it("writes at right after view, and leaves it out when there is none", () => {
    expect(formatHash({ view: "XYZ", at: { flow: 2, step: 30 }, embed: true, autoplay: true, hide: ["detail"], start: 4 })).toBe("#view=XYZ&at=2.30&embed=1&autoplay=1&hide=detail&start=4");
    expect(formatHash({ view: "XYZ", embed: false, autoplay: false, hide: [] })).toBe("#view=XYZ");
    expect(formatHash({ view: "XYZ", at: { flow: 0, step: 0 }, embed: false, autoplay: false, hide: [] })).toBe("#view=XYZ&at=0.0");
  });

  it("never throws on 10,000 random or damaged inputs, and says what was wrong", () => {
    const valid = encodeView({ scenario: { spec: editedArticle(3, 2) }, panels: { detail: true, hops: true, node: false } });
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
    ["too many shell lines (version 2)", encodeShareRaw({ v: 2, scenario: { id: "nodeport" }, shell: Array.from({ length: 201 }, () => ({ t: "worker-0", l: "ping -c 1 10.200.1.15" })) }), /shell: Invalid length/],
    ["a shell line too long", encodeShareRaw({ v: 2, scenario: { id: "nodeport" }, shell: [{ t: "worker-0", l: "x".repeat(2001) }] }), /shell\.0\.l: Invalid length: Expected <=2000 but received 2001/],
    ["a shell target too long", encodeShareRaw({ v: 2, scenario: { id: "nodeport" }, shell: [{ t: "w".repeat(301), l: "ls" }] }), /shell\.0\.t: Invalid length: Expected <=300 but received 301/],
    ["a version 2 view with a position inside", encodeShareRaw({ v: 2, scenario: { id: "nodeport" }, flow: 0, step: 0 }), /view is not valid: flow: Invalid key/],
    ["a version 1 view without its position", encodeShareRaw({ v: 1, scenario: { id: "nodeport" } }), /view is not valid: flow: Invalid key/],
    ["a view without a version", encodeShareRaw({ scenario: { id: "nodeport" } }), /view is not valid: v: Invalid key/],
    ["another version", encodeShareRaw({ v: 4, scenario: { id: "nodeport" } }), /link version 4; this one reads versions 1, 2 and 3\./],
    ["a version that is text", encodeShareRaw({ v: "2" }), /link version "2"; this one reads versions 1, 2 and 3\./],
    ["a change in a version 2 view", encodeShareRaw({ v: 2, scenario: { base: "pod-to-pod", patch: {} } }), /view is not valid: scenario: Invalid type/],
    ["a change from an unknown built-in", encodeShareRaw({ v: 3, scenario: { base: "pod-to-pod-v9", patch: {} } }), /^The link's scenario is a change to a built-in scenario this Hopscope does not have: pod-to-pod-v9\.$/],
    ["a change without its patch", encodeShareRaw({ v: 3, scenario: { base: "pod-to-pod" } }), /view is not valid: scenario/],
    ["a change that is not a patch", encodeShareRaw({ v: 3, scenario: { base: "pod-to-pod", patch: "title" } }), /^The link's change to the built-in scenario pod-to-pod cannot be applied: \(root\): the text "title" is not a patch \(a patch is \[value\], /],
    ["a change keeping more workloads than the built-in has", encodeShareRaw({ v: 3, scenario: { base: "nodeport", patch: { workloads: ["@", 4, {}, []] } } }), /^The link's change to the built-in scenario nodeport cannot be applied: workloads: the patch keeps 4 items of a list that has 3\.$/],
    ["a change to a field the built-in lacks", encodeShareRaw({ v: 3, scenario: { base: "nodeport", patch: { cluster: { cni: { mtu: { a: 1 } } } } } }), /cannot be applied: cluster\.cni\.mtu: the patch changes a field the base does not have \(a new field is given as \[value\]\)\.$/],
    ["a change making an invalid scenario", encodeShareRaw({ v: 3, scenario: { base: "nodeport", patch: { cluster: { gateway: ["10.240.0.999"] } } } }), /^The link's scenario is not valid: cluster\.gateway: /],
    ["not JSON", compressToEncodedURIComponent("{\"v\":2,"), /not a Hopscope view: it looks truncated or garbled/],
    ["not an object", compressToEncodedURIComponent("2"), /view is not valid: \(root\): Invalid type: Expected Object but received 2\./],
    ["null", compressToEncodedURIComponent("null"), /view is not valid: \(root\): Invalid type: Expected Object but received null\./],
    ["an empty text", compressToEncodedURIComponent(""), /cannot be unpacked: it looks truncated/],
    ["nothing", "", /cannot be unpacked: it looks truncated/],
    ["a first code no compressor writes", "0AAAAA", /cannot be unpacked: it looks garbled or truncated/],
    ["a bomb", compressToEncodedURIComponent("a".repeat(2_000_000)), /unpacks to more than 1,024 KB \(1 MB\) of text, over what a link may carry\./],
    ["an invalid spec", encodeShareRaw({ v: 1, scenario: { spec: { ...editedArticle(0, 0), cluster: { ...editedArticle(0, 0).cluster, gateway: "10.240.0.999" } } }, flow: 0, step: 0 }), /scenario is not valid: cluster\.gateway/],
    ["oversized", "A".repeat(70 * 1024), /over the 64 KB a link may carry/],
  ])("refuses %s with a clear message", (_name, data, message) => {
    const r = decodeShare(data);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it("keeps the article's cluster with 20 more pods and 10 more services under 4,000 characters", () => {
    const url = `https://example.org/hopscope/${formatHash({ view: encodeView({ scenario: { spec: editedArticle(20, 10) }, panels: { detail: true, hops: true, node: true } }), at: { flow: 12, step: 345 }, embed: false, autoplay: false, hide: [] })}`;
    console.log(`share URL of the article's cluster + 20 pods + 10 services: ${url.length} characters`);
    expect(url.length).toBeLessThanOrEqual(4000);
  });
});

describe("version 1 links", () => {
  /** How the version 1 encoder wrote a link: the position inside the compressed JSON. */
  function encodeV1(state: ShareState): string {
    const { shell, ...rest } = state;
    const lines = shell?.length ? { shell: shell.map((s) => ({ t: s.target, l: s.line })) } : {};
    return compressToEncodedURIComponent(JSON.stringify({ v: 1, ...rest, ...lines }));
  }

  it("open a link made by version 1 of the encoder to the same view", () => {
    // Written by the version 1 encoder for this view; must open to it for as long as links live.
    const link = "N4IgbiBcCMA0IGcDGBTAdgQwE4EsD2UoOAJlCGnsSgA55YAuIAvvAGYA2eA7lHIvTSgB2eNQxoU7BIRBV6GHOyj0sAVxTwAFnmrTIrDFI3lKKZWpQtEmyUsgBtUI0ggudANYosAWgAMIeDsQahw0AHMAAm8kCOhY3wA6ACZfROgE6ABWZgBdJiA";
    const state: ShareState = { scenario: { id: "nodeport" }, flow: 1, step: 7, panels: { detail: true, hops: false, node: true }, shell: [{ target: "worker-0", line: "ping -c 1 10.200.1.15" }] };
    expect(encodeV1(state)).toBe(link);
    expect(decodeShare(link)).toEqual({ ok: true, state });
    expect(decodeView(parseHash(`#view=${link}&embed=1`))).toEqual({ ok: true, state });
  });

  it("open any view as version 1 wrote it, an at= beside it changing nothing", () => {
    fc.assert(
      fc.property(stateArb, fc.option(fc.record({ flow: fc.nat(1000), step: fc.nat(1000) }), { nil: undefined }), (state, at) => {
        const link = encodeV1(state);
        expect(decodeShare(link)).toEqual({ ok: true, state });
        const hash = formatHash({ view: link, at, embed: false, autoplay: false, hide: [] });
        expect(decodeView(parseHash(hash))).toEqual({ ok: true, state });
        if (at) expect(decodeShare(`${link}&at=${at.flow}.${at.step}`)).toEqual({ ok: true, state });
      }),
      { numRuns: 200 },
    );
  });

  it("open without panels at the default panels, as before", () => {
    const r = decodeShare(encodeShareRaw({ v: 1, scenario: { id: "nodeport" }, flow: 2, step: 5 }));
    expect(r).toEqual({ ok: true, state: { scenario: { id: "nodeport" }, flow: 2, step: 5, panels: { detail: true, hops: true, node: true } } });
  });
});

describe("edited scenarios as changes from a built-in (version 3)", () => {
  const panels = { detail: true, hops: true, node: true };
  const blobOf = (view: string) => JSON.parse(decompressFromEncodedURIComponent(view)) as { v: number; scenario: Record<string, unknown> };

  it("writes an edited article as a change from a built-in, and reads it back as the whole document", () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const view = encodeView({ scenario: { spec }, panels });
        const blob = blobOf(view);
        expect(blob.v).toBe(3);
        expect(Object.keys(blob.scenario)).toEqual(["base", "patch", "of"]);
        expect(view.length).toBeLessThan(encodeView({ scenario: { spec }, panels }, { compact: false }).length);
        const r = decodeView({ view });
        expect(r).toEqual({ ok: true, state: { scenario: { spec }, flow: 0, step: 0, panels } });
      }),
      { numRuns: 50 },
    );
  });

  it("changes from the built-in it differs least from", () => {
    const masqOff = editedArticle(2, 1, 1, false);
    expect(blobOf(encodeView({ scenario: { spec: masqOff }, panels })).scenario.base).toBe("pod-to-pod-no-masq");
    const nodeport = { ...builtinScenario("nodeport")!, id: "nodeport-edited", title: "NodePort, edited" };
    const blob = blobOf(encodeView({ scenario: { spec: nodeport }, panels }));
    expect(blob.scenario).toEqual({ base: "nodeport", patch: { id: ["nodeport-edited"], title: ["NodePort, edited"] }, of: baseFingerprint(builtinScenario("nodeport")!) });
  });

  it("writes a built-in's document unchanged as an empty change, still a document when read", () => {
    const spec = builtinScenario("same-node")!;
    const view = encodeView({ scenario: { spec }, panels });
    expect(blobOf(view).scenario).toEqual({ base: "same-node", patch: {}, of: baseFingerprint(builtinScenario("same-node")!) });
    expect(decodeView({ view })).toEqual({ ok: true, state: { scenario: { spec }, flow: 0, step: 0, panels } });
  });

  it("keeps a document whole when that is shorter than any change", () => {
    const view = encodeView({ scenario: { spec: TWO_PODS }, panels });
    expect(blobOf(view).scenario).toEqual({ spec: TWO_PODS });
    expect(view).toBe(encodeView({ scenario: { spec: TWO_PODS }, panels }, { compact: false }));
    expect(decodeView({ view })).toEqual({ ok: true, state: { scenario: { spec: TWO_PODS }, flow: 0, step: 0, panels } });
  });

  it("fits the article's cluster plus 20 pods and 10 services in 2,000 characters", () => {
    for (const spec of [articlePlus20Pods10Services(), editedArticle(20, 10)]) {
      const run = runScenario(spec);
      expect(run.ok, JSON.stringify(!run.ok && run.issues)).toBe(true);
      const view = encodeView({ scenario: { spec }, panels });
      expect(view.length).toBeLessThanOrEqual(2000);
      expect(decodeView(parseHash(formatHash({ view, at: { flow: 0, step: 5 }, embed: false, autoplay: false, hide: [] })))).toEqual({ ok: true, state: { scenario: { spec }, flow: 0, step: 5, panels } });
    }
  });

  it("opens a version 3 link whose scenario is whole, or a built-in's id", () => {
    const spec = editedArticle(1, 1);
    expect(decodeShare(encodeShareRaw({ v: 3, scenario: { spec }, panels }))).toEqual({ ok: true, state: { scenario: { spec }, flow: 0, step: 0, panels } });
    expect(decodeShare(encodeShareRaw({ v: 3, scenario: { id: "nodeport" } }))).toEqual({ ok: true, state: { scenario: { id: "nodeport" }, flow: 0, step: 0, panels } });
  });

  it("reads a change written by hand: fields replaced and removed, a list item changed and one appended", () => {
    const base = builtinScenario("clusterip-dns-udp")!;
    const patch = { id: ["hand-made"], description: 0, services: ["@", 2, { "1": { ports: ["@", 1, { "0": { nodePort: [30080] } }, []] } }, []], traffic: ["@", 1, {}, [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.0.27" } }]] };
    const r = decodeShare(encodeShareRaw({ v: 3, scenario: { base: base.id, patch }, panels }));
    expect(r.ok, !r.ok ? r.error : "").toBe(true);
    if (!r.ok || !("spec" in r.state.scenario)) return;
    const spec = r.state.scenario.spec;
    expect(spec.id).toBe("hand-made");
    expect("description" in spec).toBe(false);
    expect(spec.services?.[1]?.ports[0]).toEqual({ protocol: "TCP", port: 80, targetPort: 80, nodePort: 30080 });
    expect(spec.traffic).toHaveLength(2);
    expect(validateScenario(spec).ok).toBe(true);
    // The built-in itself is untouched.
    expect(builtinScenario("clusterip-dns-udp")!.services?.[1]?.ports[0]?.nodePort).toBe(31088);
    expect(diff(base, spec)).toEqual(patch);
  });
});

describe("version 2 links", () => {
  /** How the version 2 encoder wrote a view: the scenario an id or a whole document. */
  function encodeV2(state: Pick<ShareState, "scenario" | "panels" | "shell">): string {
    const lines = state.shell?.length ? { shell: state.shell.map((s) => ({ t: s.target, l: s.line })) } : {};
    return compressToEncodedURIComponent(JSON.stringify({ v: 2, scenario: state.scenario, panels: state.panels, ...lines }));
  }

  it("open a link with a whole scenario made by version 2 of the encoder to the same view", () => {
    // Written by the version 2 encoder for this view; must open to it for as long as links live.
    const link =
      "N4IgbiBcBMA0IGcDGBTAdgQwE4EsD2UoCADikoeClgvmlAIzw4AmUIALgO54C0xezBCHjsc7ADYo2AFW4ACfoLl40ytCjncsAayrDEKFK0gB2eEnEBXBOz2RQACzw2Acii54dbegE5oAOnoANgAOfwAGCIB6aAAWfUU3Dy9IEHpI9MisqOD9BCowHFQkrW1vSJ8giOi4-QBzDFtODABPbz9A0Or6fSQVdiw8cUlqKABtAF14UqohSDHQTABbKVS0ARQeDH0cYnaA4LCM8ISBAGEWLHLA8MiTGviAXwnH83E8S2NQCxx0dgplqsQOIMMR2Hg9kw9qlfGEAKz0G4VHwgR6vECld4YQTjUDaHBoYwgAAKAn0gLY23g62YQJpmypID6aHYGAJs1xIApqXITCWGDqQIARtYWkK8AAPVEvWB4glE0msakYFZsIXkjZselbXr9NnqUbzRYqoG8kA4fmCtWi8VS57PERYDAAM2dRU5+MJbGIBLq+mdgyWFEUlNRIgI9hAIdS6rRL3RxAw6nEc1AtNZOHEUAGlhQ8CcxDmzowKbzXM1kBzKHRCAcKGGnP+aw2WyijKzqV2ckGlls0seQA";
    const state: ShareState = { scenario: { spec: TWO_PODS }, flow: 1, step: 4, panels: { detail: true, hops: false, node: true }, shell: [{ target: "node-a/a", line: "ip route" }] };
    expect(encodeV2(state)).toBe(link);
    expect(runScenario(TWO_PODS).ok).toBe(true);
    expect(decodeShare(`${link}&at=1.4`)).toEqual({ ok: true, state });
    expect(decodeView(parseHash(`#view=${link}&embed=1`))).toEqual({ ok: true, state: { ...state, flow: 0, step: 0 } });
  });

  it("open any view as version 2 wrote it", () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        expect(decodeShare(`${encodeV2(state)}&at=${state.flow}.${state.step}`)).toEqual({ ok: true, state });
      }),
      { numRuns: 100 },
    );
  });
});

describe("decodeShare", () => {
  it("reads a blob followed by &at=, and ignores an at= that is not a position", () => {
    const state: ShareState = { scenario: { id: "nodeport" }, flow: 2, step: 40, panels: { detail: true, hops: true, node: true } };
    const blob = encodeView(state);
    expect(decodeShare(`${blob}&at=2.40`)).toEqual({ ok: true, state });
    expect(decodeShare(`${blob}&at=2.x`)).toEqual({ ok: true, state: { ...state, flow: 0, step: 0 } });
    expect(decodeShare(blob)).toEqual({ ok: true, state: { ...state, flow: 0, step: 0 } });
  });

  it("refuses anything else after the blob, as before", () => {
    const blob = encodeView({ scenario: { id: "nodeport" }, panels: { detail: true, hops: true, node: true } });
    for (const data of [`${blob}&embed=1`, `${blob}&at=1.2&embed=1`, `${blob}&at=1.2&at=3.4`, `${blob}&`]) {
      const r = decodeShare(data);
      expect(r.ok, data).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/characters a Hopscope link never contains/);
    }
  });

  it("says a view is missing when the hash has none", () => {
    const r = decodeView(parseHash("#embed=1&at=1.2"));
    expect(r).toEqual({ ok: false, error: "The link holds no view: its address has no view= part." });
  });
});

describe("decompression bombs", () => {
  it("refuses a link whose data unpacks to over MAX_UNPACKED_CHARS, fast", () => {
    const bomb = compressToEncodedURIComponent("a".repeat(5_000_000));
    const t0 = performance.now();
    const r = decodeShare(bomb);
    const ms = performance.now() - t0;
    console.log(`a ${bomb.length}-character link that unpacks to 5,000,000 characters: refused in ${ms.toFixed(1)} ms`);
    expect(r).toEqual({ ok: false, error: "The link's data unpacks to more than 1,024 KB (1 MB) of text, over what a link may carry." });
  });

  it("takes a view that unpacks to exactly MAX_UNPACKED_CHARS, and refuses one a character longer", () => {
    const json = JSON.stringify({ v: 2, scenario: { id: "nodeport" }, panels: { detail: true, hops: false, node: true } });
    const exact = json + " ".repeat(MAX_UNPACKED_CHARS - json.length);
    const ok = decodeShare(compressToEncodedURIComponent(exact));
    expect(ok).toEqual({ ok: true, state: { scenario: { id: "nodeport" }, flow: 0, step: 0, panels: { detail: true, hops: false, node: true } } });
    const over = decodeShare(compressToEncodedURIComponent(exact + " "));
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.error).toMatch(/unpacks to more than/);
  });
});

describe("error messages", () => {
  const long = (ch: string) => ch.repeat(1_000_000);
  it.each<[string, unknown, RegExp]>([
    ["a 1 MB id", { v: 2, scenario: { id: long("X") } }, /^The link's view is not valid: scenario\.id: Invalid format: Expected \/\^\[a-z0-9\]\[-a-z0-9\]\*\$\/ but received "X+…\.$/],
    ["a 1 MB unknown key", { v: 2, scenario: { id: "nodeport" }, [long("k")]: 1 }, /^The link's view is not valid: k+…: Invalid key: Expected never but received "k+…\.$/],
    ["a 1 MB scenario that is text", { v: 2, scenario: long("s") }, /^The link's view is not valid: scenario: Invalid type: Expected Object but received "s+…\.$/],
    ["a 1 MB version", { v: long("9") }, /^The link was made by a Hopscope with link version "9+…; this one reads versions 1, 2 and 3\.$/],
    ["a change from a 1 MB base", { v: 3, scenario: { base: long("b"), patch: {} } }, /^The link's scenario is a change to a built-in scenario this Hopscope does not have: b+…\.$/],
    ["a change with a 1 MB field name", { v: 3, scenario: { base: "nodeport", patch: { [long("f")]: 0 } } }, /^The link's change to the built-in scenario nodeport cannot be applied: f+…: the patch removes a field the base does not have\.$/],
    ["a change with a 1 MB text as patch", { v: 3, scenario: { base: "nodeport", patch: { title: long("t") } } }, /^The link's change to the built-in scenario nodeport cannot be applied: title: the text "t+…" is not a patch/],
    ["a 1 MB flow key in version 1", { v: 1, scenario: { id: "nodeport" }, flow: 0, step: 0, [long("f")]: 0 }, /^The link's view is not valid: f+…: Invalid key/],
    ["a value with $& in it", { v: 2, scenario: { id: "$&".repeat(100) } }, /but received "(\$&)+\$?…\.$/],
    ["a spec with a 1 MB version", { v: 2, scenario: { spec: { ...editedArticle(0, 0), version: long("7") } } }, /^The link's scenario is not valid: version: this Hopscope reads scenario version 1, not "7+…/],
    ["a spec with a 1 MB label key", { v: 2, scenario: { spec: { ...editedArticle(0, 0), workloads: [{ kind: "Pod", name: "p", node: "worker-0", labels: { [long("L")]: 5 }, containers: [{ name: "c", image: "nginx" }] }] } } }, /^The link's scenario is not valid: workloads\.0\.labels\.L+…: /],
  ])("cut %s", (_name, view, message) => {
    const r = decodeShare(encodeShareRaw(view));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(message);
    // The message repeats at most MAX_ECHO_CHARS of each bad value, and stays a sentence.
    expect(r.error.length).toBeLessThan(4 * MAX_ECHO_CHARS);
    for (const run of r.error.match(/(.)\1*/g) ?? []) expect(run.length).toBeLessThanOrEqual(MAX_ECHO_CHARS);
  });
});

function encodeShareRaw(obj: unknown): string {
  return compressToEncodedURIComponent(JSON.stringify(obj));
}

describe("a change carries its base's fingerprint", () => {
  it("refuses a change to a built-in that has changed since the link was made, and starts a blank scenario's change from the blank base", () => {
    const base = builtinScenario("nodeport")!;
    const view = encodeView({ scenario: { spec: { ...base, title: "NodePort, edited" } }, panels: { detail: true, hops: true, node: true } });
    const blob = JSON.parse(decompressFromEncodedURIComponent(view)) as { scenario: { of: string } };
    expect(decodeView({ view }).ok).toBe(true);
    blob.scenario.of = "zzzz";
    const r = decodeView({ view: compressToEncodedURIComponent(JSON.stringify(blob)) });
    expect(r.ok ? "" : r.error).toBe("The link's scenario is a change to the built-in scenario nodeport as it was when the link was made; this Hopscope's differs, so the link cannot be opened as it was meant.");
    const blank = blankScenario();
    const small = { ...blank, title: "Mine" };
    const blankView = encodeView({ scenario: { spec: small }, panels: { detail: true, hops: true, node: true } });
    expect((JSON.parse(decompressFromEncodedURIComponent(blankView)) as { scenario: { base: string } }).scenario.base).toBe("blank");
    const back = decodeView({ view: blankView });
    expect(back.ok && back.state.scenario).toEqual({ spec: small });
  });
});
