/** The glossary's marker: whole words only, kube-proxy's chain prefixes, each term once, fast on long prose. */
import { describe, expect, it } from "vitest";
import { runScenario } from "../../engine/k8s/run";
import { BUILTIN_SCENARIOS } from "../../engine/scenarios/article";
import { GLOSSARY, markTerms, type Piece } from "./glossary";

const marked = (text: string) => markTerms(text).flatMap((p) => (typeof p === "string" ? [] : [[p.text, p.entry.term]]));
const joined = (pieces: Piece[]) => pieces.map((p) => (typeof p === "string" ? p : p.text)).join("");

describe("the glossary marker", () => {
  it("marks the narration's terms and gives the text back unchanged", () => {
    const text = "MASQUERADE rewrites the source: 10.200.0.21 > 10.200.1.15 becomes 10.240.0.20 > 10.200.1.15.";
    expect(marked(text)).toEqual([["MASQUERADE", "MASQUERADE"]]);
    expect(joined(markTerms(text))).toBe(text);
    expect(marked("conntrack on worker-0 finds the connection in the reply direction (state ESTABLISHED).")).toEqual([
      ["conntrack", "conntrack"],
      ["ESTABLISHED", "ESTABLISHED"],
    ]);
  });

  it("does not mark a term inside another word", () => {
    // un-SNAT, nf_conntrack, NEWS, vethb1c2d3e4 (an interface name), bridged, KUBE-MARK-MASQUERADE-ish names
    expect(marked("un-SNAT and un-DNAT")).toEqual([]);
    expect(marked("nf_conntrack_udp_timeout")).toEqual([]);
    expect(marked("NEWS, RENEWED, INVALIDATED, RELATEDNESS")).toEqual([]);
    expect(marked("vethb1c2d3e4 on the host")).toEqual([]);
    expect(marked("the frame is bridged")).toEqual([]);
    expect(marked("MASQUERADES")).toEqual([]);
    expect(marked("a new connection")).toEqual([]); // the state is NEW, in capitals
    expect(marked("CNI-2a932cdb893dcff45eab3e7")).toEqual([]); // 23 hex digits: not a CNI chain, and not CNI either
  });

  it("recognises kube-proxy's and CNI's hashed chain names by their prefix", () => {
    expect(marked("nat KUBE-SVC-TCOU7JCQXEZGVUNU rule 1 matches: jump to KUBE-SEP-LRUTK6XRXU43VLIG.")).toEqual([
      ["KUBE-SVC-TCOU7JCQXEZGVUNU", "KUBE-SVC"],
      ["KUBE-SEP-LRUTK6XRXU43VLIG", "KUBE-SEP"],
    ]);
    expect(marked("jump to KUBE-MARK-MASQ.")).toEqual([["KUBE-MARK-MASQ", "KUBE-MARK-MASQ"]]);
    expect(marked("KUBE-SERVICES then KUBE-NODEPORTS")).toEqual([
      ["KUBE-SERVICES", "KUBE-SERVICES"],
      ["KUBE-NODEPORTS", "KUBE-NODEPORTS"],
    ]);
    expect(marked("nat POSTROUTING rule 2 matches: jump to CNI-2a932cdb893dcff45eab3e79.")).toEqual([["CNI-2a932cdb893dcff45eab3e79", "CNI chain"]]);
    expect(marked("The CNI bridge plugin's ipMasq chain")).toEqual([
      ["CNI", "CNI"],
      ["bridge", "bridge"],
    ]);
  });

  it("marks each term once, the flags as flags, and lower-case terms at a sentence's start", () => {
    expect(marked("[UNREPLIED] now, [ASSURED] later; UNREPLIED again")).toEqual([
      ["UNREPLIED", "UNREPLIED"],
      ["ASSURED", "ASSURED"],
    ]);
    expect(marked("Bridges and veths in a network namespace (a netns)")).toEqual([
      ["Bridges", "bridge"],
      ["veths", "veth"],
      ["network namespace", "network namespace"],
    ]);
    expect(marked("cnio0 looks up the MAC in its forwarding table")).toEqual([["forwarding table", "FDB"]]);
  });

  it("defines every term the issue names, and the flags say they are not states", () => {
    const terms = GLOSSARY.map((e) => e.term);
    for (const t of ["SNAT", "DNAT", "MASQUERADE", "conntrack", "NEW", "ESTABLISHED", "RELATED", "INVALID", "UNREPLIED", "ASSURED", "KUBE-SERVICES", "KUBE-SVC", "KUBE-SEP", "KUBE-MARK-MASQ", "KUBE-NODEPORTS", "CNI", "veth", "bridge", "FDB", "br_netfilter", "hairpin", "ClusterIP", "NodePort", "pause container", "network namespace"]) {
      expect(terms).toContain(t);
      expect(marked(`x ${t} y`).map((m) => m[1])).toEqual([t]);
    }
    // Code is set between backticks, in pairs.
    for (const e of GLOSSARY) expect(e.definition.split("`").length % 2, e.term).toBe(1);
    const def = (t: string) => GLOSSARY.find((e) => e.term === t)!.definition;
    expect(def("UNREPLIED")).toMatch(/^Not a conntrack state but a status flag/);
    expect(def("ASSURED")).toMatch(/^Not a conntrack state but a status flag/);
    expect(def("KUBE-MARK-MASQ")).toContain("0x4000/0x4000");
    expect(def("KUBE-MARK-MASQ")).toContain("KUBE-POSTROUTING");
    expect(def("MASQUERADE")).toMatch(/interface the packet leaves by/);
    expect(def("MASQUERADE")).toMatch(/forgets .* when its interface goes down/);
  });

  it("marks every step of every built-in scenario without changing its text", () => {
    let terms = 0;
    for (const s of BUILTIN_SCENARIOS) {
      const r = runScenario(s);
      if (!r.ok) throw new Error(s.id);
      for (const step of r.trace.flows.flatMap((f) => f.steps)) {
        for (const text of [step.text, step.why ?? ""]) {
          const pieces = markTerms(text);
          expect(joined(pieces)).toBe(text);
          terms += pieces.length - pieces.filter((p) => typeof p === "string").length;
        }
      }
    }
    expect(terms).toBeGreaterThan(100);
  });

  it("is fast on a long text", () => {
    const sentence = "conntrack on worker-0 finds the connection (state ESTABLISHED); MASQUERADE via KUBE-POSTROUTING to 10.240.0.20. ";
    const long = sentence.repeat(5000); // about 570,000 characters
    const t0 = performance.now();
    const pieces = markTerms(long);
    const ms = performance.now() - t0;
    expect(joined(pieces)).toBe(long);
    expect(pieces.filter((p) => typeof p !== "string")).toHaveLength(4);
    expect(ms).toBeLessThan(500);
    // And on many short ones, as a hop list would.
    const t1 = performance.now();
    for (let i = 0; i < 20_000; i++) markTerms(sentence);
    expect(performance.now() - t1).toBeLessThan(1500);
  });
});
