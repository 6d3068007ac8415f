import { describe, expect, it } from "vitest";
import { FAULT_KINDS, faultKinds } from "./k8s/faults";
import { runScenario } from "./k8s/run";
import { isNoRouteReason, NARRATION_EN, withNarration, type Narration, type NarrationLang } from "./narrate";
import { NARRATION_RU } from "./narrate-ru";
import { CALICO_PREFIX, CALICO_TEXT, FLANNEL_PREFIX, FLANNEL_TEXT } from "./scenarios/cni";
import { TODAY_PREFIX, TODAY_TEXT } from "./scenarios/today";
import { BUILTIN_TEXT_RU } from "./scenarios/article-ru";
import { BUILTIN_SCENARIOS, builtinSummary } from "./scenarios/article";
import { resolveTarget } from "./shell/exec";
import { runLine } from "./shell/session";
import { FAULT_SCENARIOS, HAIRPIN_ON } from "./testing/faults";
import type { Flow, Step } from "./trace";
import type { ScenarioInput } from "./k8s/spec";

const CYRILLIC = /[а-яё]/i;
/** Pieces of English sentences the Russian narration must not contain. */
const ENGLISH = [" the ", " packet ", " sends ", " receives ", " drops ", " takes ", " rule ", " matches", " from ", " to ", " on ", " of ", " and ", " is ", " no ", " nothing ", " with ", " by ", " for ", " its ", " it ", " a ", " an "];
const englishIn = (text: string) => ENGLISH.filter((w) => ` ${text} `.toLowerCase().includes(w));

/** Flow names that are TCP flags as tcpdump names them: the same in both languages. */
const TCP_FLAGS = new Set(["SYN", "SYN-ACK", "ACK", "RST"]);

/** The same shell lines on a scenario's session, in `lang`: the scenario's flows and the lines'. */
const SHELL_LINES: readonly (readonly [string, string])[] = [
  ["worker-0/busybox0-rw89s", "ping -c 1 10.200.1.15"],
  ["worker-0/busybox0-rw89s", "curl -s -m 1 http://10.32.0.1/"],
  ["worker-0/busybox0-rw89s", "nslookup kubernetes"],
  ["worker-0", "traceroute -n 10.200.1.15"],
  ["worker-0/busybox0-rw89s", "curl -m 1 http://10.200.1.18:81/"],
];

interface Told {
  readonly flows: readonly Flow[];
  readonly displays: readonly string[];
}

function tell(s: ScenarioInput, lang: NarrationLang, shell: boolean): Told {
  const r = runScenario(s, { lang });
  if (!r.ok) throw new Error(`${s.id}: ${JSON.stringify(r.issues)}`);
  const flows = [...r.trace.flows];
  const displays: string[] = [];
  if (shell) {
    const session = { cluster: r.cluster, flows: [...r.trace.flows] };
    for (const [target, line] of SHELL_LINES) {
      const t = resolveTarget(r.cluster, target);
      if ("error" in t) throw new Error(t.error);
      const out = withNarration(lang, () => runLine(session, t.ns, line, {}));
      displays.push(out.display);
      flows.push(...out.flows);
    }
  }
  return { flows, displays };
}

/** A step without its words: what must be the same in every language. */
function withoutWords(s: Step): unknown {
  const { text: _text, why: _why, ...rest } = s;
  const detail = { ...s.detail } as Record<string, unknown>;
  delete detail.reason;
  delete detail.to;
  return { ...rest, detail };
}

const SCENARIOS: readonly { s: ScenarioInput; shell: boolean }[] = [
  ...BUILTIN_SCENARIOS.map((s) => ({ s, shell: s.id === "pod-to-pod" || s.id === "no-route" })),
  ...Object.values(FAULT_SCENARIOS).map((f) => ({ s: f.scenario, shell: false })),
  { s: HAIRPIN_ON, shell: false },
];

describe("the trace told in Russian", () => {
  for (const { s, shell } of SCENARIOS) {
    it(`${s.id}${shell ? " and shell lines" : ""}: every sentence in Russian, everything else as in English`, () => {
      const en = tell(s, "en", shell);
      const ru = tell(s, "ru", shell);
      // Tool output is never translated: the shell's output, and every step's data.
      expect(ru.displays).toEqual(en.displays);
      expect(ru.flows.length).toBe(en.flows.length);
      const worded: string[] = [];
      ru.flows.forEach((f, i) => {
        const e = en.flows[i]!;
        expect(f.steps.map(withoutWords)).toEqual(e.steps.map(withoutWords));
        expect(f.verdict).toBe(e.verdict);
        if (TCP_FLAGS.has(e.name)) expect(f.name).toBe(e.name);
        else worded.push(f.name);
        if (f.origin !== undefined) worded.push(f.origin);
        if (f.dropReason !== undefined) worded.push(f.dropReason);
        for (const [k, step] of f.steps.entries()) {
          const en = e.steps[k]!;
          worded.push(step.text);
          expect(step.text).not.toBe(en.text);
          if (step.why !== undefined) worded.push(step.why);
          expect(step.why === undefined).toBe(en.why === undefined);
          if (step.detail.kind === "drop") worded.push(step.detail.reason);
        }
      });
      expect(worded.length).toBeGreaterThan(10);
      for (const w of worded) {
        expect(w, w).toMatch(CYRILLIC);
        expect(englishIn(w), w).toEqual([]);
      }
    });
  }

  it("a bridge's drop reason starts with the bridge's name in Russian too (the diagram finds the bridge's drops by it)", () => {
    const ru = tell(FAULT_SCENARIOS.hairpinOff.scenario, "ru", false);
    const drop = ru.flows.flatMap((f) => f.steps).find((s) => s.kind === "drop");
    expect(drop?.kind === "drop" && drop.detail.reason).toMatch(/^cnio0 /);
  });

  it("a TCP port nobody listens on is answered with a reset in Russian too", () => {
    const names = (lang: NarrationLang) => tell(FAULT_SCENARIOS.kubeProxyStopped.scenario, lang, false).flows.map((f) => f.name);
    expect(names("en")).toEqual(["request", "reset"]);
    expect(names("ru")).toEqual(["запрос", "сброс"]);
  });
});

/** Each of the narration's sentences with sample values, in both languages. */
type Samples<T> = { readonly [K in keyof T]: T[K] extends (...a: infer A) => string ? A : never };
const SAMPLES: { readonly [P in "reason" | "taker" | "why" | "origin"]: Samples<Narration[P]> } = {
  reason: {
    noRoute: ["10.200.1.15", "unreachable"],
    noSource: ["eth0"],
    policy: ["filter", "FORWARD"],
    rule: ["DROP", "filter", "KUBE-FIREWALL"],
    natOutside: ["DNAT"],
    redirectUnsettled: ["OUTPUT"],
    redirectTranslated: ["POSTROUTING"],
    masqNoAddress: ["eth1"],
    noNeighbour: ["10.200.2.99", "cnio0", false],
    forwardingOff: [],
    ttlExceeded: [1],
    noListener: ["udp", 53],
    noIcmpSocket: [],
    bridgeNoPort: ["cnio0", "0a:58:0a:c8:00:1b"],
    bridgeHairpin: ["cnio0", "veth1"],
    loop: [32],
    down: ["eth0"],
    noMac: ["vpc", "0a:58:0a:c8:00:1b"],
    notFor: ["0a:58:0a:c8:00:1b", "eth0"],
    noVni: [8472, 2],
    noVtep: ["flannel.1", "c2:44:c5:66:8b:9f"],
    notForVtep: ["02:00:00:00:00:99", "flannel.1"],
    on: ["нет маршрута к 10.0.0.1", "worker-0"],
  },
  taker: { kernelEcho: [], kernelRedirect: [], ping: [], socketAbout: ["tcp"], clientSocket: [] },
  why: { redirectNat: [], redirectIgnored: ["10.200.1.15", undefined, "10.240.0.1"], redirectHeeded: ["10.200.1.15", "10.240.0.21"] },
  origin: {
    traffic: ["ping", "worker-0", "10.200.1.15", 80],
    theClient: [],
    node: ["worker-0", "198.51.100.20", true],
    service: ["default", "nginx", "10.32.0.53:80/TCP"],
    loadBalancer: ["default", "nginx", "198.51.100.80:80/TCP"],
    internet: ["203.0.113.10"],
    shell: ["ip route", "worker-0"],
  },
};

describe("the Russian narration table", () => {
  for (const part of ["reason", "taker", "why", "origin"] as const) {
    for (const [key, args] of Object.entries(SAMPLES[part])) {
      const call = (n: Narration) => (n[part] as unknown as Record<string, (...a: unknown[]) => string>)[key]!(...(args as unknown[]));
      it(`${part}.${key}: in Russian, no English left`, () => {
        const ru = call(NARRATION_RU);
        const en = call(NARRATION_EN);
        // ping is ping's own name in both languages.
        if (part === "taker" && key === "ping") expect(ru).toBe(en);
        else {
          expect(ru).not.toBe(en);
          expect(ru).toMatch(CYRILLIC);
          expect(englishIn(ru), ru).toEqual([]);
        }
      });
    }
  }

  it("names ICMP messages in Russian", () => {
    for (const [type, code] of [[3, 0], [3, 1], [3, 3], [3, 4], [3, 9], [5, 1], [11, 0], [11, 1], [12, 0]] as const) {
      expect(NARRATION_RU.icmpName(type, code)).toMatch(CYRILLIC);
      expect(englishIn(NARRATION_RU.icmpName(type, code))).toEqual([]);
    }
  });

  it("tells the rarer sentences in Russian too: every rule target, a random port, flooding", () => {
    const texts = [
      NARRATION_RU.say.ruleMatched("nat", "PREROUTING", 1, { kind: "goto", chain: "KUBE-SVC-X" }),
      NARRATION_RU.say.ruleMatched("filter", "INPUT", 2, { kind: "none" }),
      NARRATION_RU.whySourcePort("SNAT", "tcp", 40000, 51234, true)!,
      NARRATION_RU.whySourcePort("MASQUERADE", "udp", 40000, 40001, false)!,
      NARRATION_RU.say.bridgeFlood("cnio0", "0a:58:0a:c8:00:1b", "veth1"),
      NARRATION_RU.say.ctInvalid("ICMP type 0 cannot start a connection"),
      NARRATION_RU.say.ctInvalid("TCP without flags is invalid in state ESTABLISHED"),
      NARRATION_RU.say.ctInvalid("a TCP segment that is neither SYN nor ACK cannot start a connection"),
      NARRATION_RU.flowName("traceroute probe, TTL 3"),
    ];
    for (const t of texts) {
      expect(t).toMatch(CYRILLIC);
      expect(englishIn(t), t).toEqual([]);
    }
  });
});

describe("the English narration stays as it was", () => {
  it("pod-to-pod's request, step by step", () => {
    const r = runScenario(BUILTIN_SCENARIOS[0]!);
    if (!r.ok) throw new Error("pod-to-pod failed");
    const request = r.trace.flows[0]!;
    expect(request.name).toBe("request");
    expect(request.origin).toBe("ping from busybox0-rw89s to 10.200.1.15");
    expect(request.steps.slice(0, 6).map((s) => s.text)).toEqual([
      "busybox0-rw89s's routing table sends 10.200.1.15 via 10.200.0.1 out of eth0 (default route).",
      "busybox0-rw89s sends the packet on eth0: 10.200.0.21 > 10.200.1.15.",
      "worker-0 receives the packet on veth3e8b1c70: 10.200.0.21 > 10.200.1.15.",
      "conntrack on worker-0 sees a new connection (state NEW).",
      "nat PREROUTING rule 1 matches: jump to KUBE-SERVICES.",
      "worker-0 receives the packet on cnio0: 10.200.0.21 > 10.200.1.15.",
    ]);
  });

  it("no-route's drop, and the shell's origin and flow names", () => {
    const en = tell(BUILTIN_SCENARIOS.find((s) => s.id === "no-route")!, "en", true);
    const dropped = en.flows.find((f) => f.verdict === "dropped")!;
    expect(dropped.dropReason).toBe("no route to 10.200.1.15 (on vpc-router)");
    expect(dropped.steps.at(-1)!.text).toBe("vpc-router drops the packet: no route to 10.200.1.15.");
    const ping = en.flows.filter((f) => f.origin === "ping -c 1 10.200.1.15 (on busybox0-rw89s)").map((f) => f.name);
    expect(ping).toEqual(["ping request", "error"]);
    expect(en.flows.some((f) => f.name === "traceroute probe, TTL 1")).toBe(true);
  });
});

describe("the built-in scenarios' titles", () => {
  it("has a Russian title and description for every built-in scenario, and English ones as they are", () => {
    // The article's cluster's built-ins in article-ru.ts, today's in today.ts beside their English.
    expect([...Object.keys(BUILTIN_TEXT_RU), ...Object.keys(TODAY_TEXT).map((id) => `${TODAY_PREFIX}${id}`), ...Object.keys(FLANNEL_TEXT).map((id) => `${FLANNEL_PREFIX}${id}`), ...Object.keys(CALICO_TEXT).map((id) => `${CALICO_PREFIX}${id}`)].sort()).toEqual(
      BUILTIN_SCENARIOS.map((s) => s.id).sort(),
    );
    for (const s of BUILTIN_SCENARIOS) {
      const ru = builtinSummary(s.id, "ru")!;
      expect(ru.title).toMatch(CYRILLIC);
      expect(ru.description).toMatch(CYRILLIC);
      expect(englishIn(ru.description), ru.description).toEqual([]);
      expect(builtinSummary(s.id, "en")).toEqual({ id: s.id, title: s.title, description: s.description });
      expect(builtinSummary(s.id)).toEqual(builtinSummary(s.id, "en"));
    }
    expect(builtinSummary("nope", "ru")).toBeUndefined();
  });
});

describe("the what-if faults' words", () => {
  it("has a Russian label and explanation for every fault; English as FAULT_KINDS has them", () => {
    const ru = faultKinds("ru");
    expect(ru.map((k) => k.kind)).toEqual(FAULT_KINDS.map((k) => k.kind));
    expect(faultKinds("en")).toBe(FAULT_KINDS);
    expect(faultKinds()).toBe(FAULT_KINDS);
    ru.forEach((k, i) => {
      expect(k.about, k.kind).toMatch(CYRILLIC);
      expect(k.about).not.toBe(FAULT_KINDS[i]!.about);
      expect(englishIn(k.about), k.about).toEqual([]);
      // A label that is a sysctl setting stays as it is written.
      if (/^net\./.test(FAULT_KINDS[i]!.label)) expect(k.label).toBe(FAULT_KINDS[i]!.label);
      else expect(k.label, k.kind).toMatch(CYRILLIC);
    });
  });
});

describe("isNoRouteReason", () => {
  it("knows a no-route drop in either language, and nothing else", () => {
    const drops = (lang: NarrationLang) =>
      tell(BUILTIN_SCENARIOS.find((s) => s.id === "no-route")!, lang, false)
        .flows.flatMap((f) => f.steps)
        .flatMap((s) => (s.kind === "drop" ? [s.detail.reason] : []));
    for (const lang of ["en", "ru"] as const) {
      const reasons = drops(lang);
      expect(reasons.length).toBeGreaterThan(0);
      for (const r of reasons) expect(isNoRouteReason(r), r).toBe(true);
      expect(isNoRouteReason(lang === "en" ? NARRATION_EN.reason.ttlExceeded(1) : NARRATION_RU.reason.ttlExceeded(1))).toBe(false);
    }
  });
});
