/**
 * The lab script is run as root, so no text from a scenario may reach bash as code. These tests
 * build clusters from hostile values with the schema bypassed (buildCluster on a scenario object
 * made here), and check every generated script two ways: bash -n parses it, and a small lexer of
 * bash's quoting finds each value's unique marker only inside single quotes, inside the body of a
 * here-document with a quoted delimiter, or inside a comment (which ends only at a newline).
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildCluster, type Cluster } from "../k8s/build";
import { runScenario } from "../k8s/run";
import { resolveTraffic } from "../k8s/traffic";
import { validateScenario, type Scenario } from "../k8s/spec";
import { BUILTIN_SCENARIOS } from "../scenarios/article";
import { articleScenario } from "../testing/article-scenario";
import { commentLine, hereDoc, labPrefixBase, labScript, nfacctNames, nftText, shellWord, visibleText, withoutNfacct } from "./export";

// ---------------------------------------------------------------------------------------------
// A lexer of what bash does with quotes, comments and here-documents.

/**
 * How bash reads a character of the script. Only "single" (between single quotes), "comment"
 * and "heredoc" (the body of a here-document whose delimiter is quoted) are never expanded or run.
 */
type Reading = "code" | "single" | "double" | "ansi-c" | "comment" | "heredoc" | "heredoc-expanded";

const SAFE: ReadonlySet<Reading> = new Set(["single", "comment", "heredoc"]);

/** Characters after which a `#` starts a comment (bash: only at the start of a word). */
const WORD_BREAK = new Set([undefined, " ", "\t", "\n", ";", "&", "|", "(", ")"]);

function readings(script: string): Reading[] {
  const s = script;
  const out: Reading[] = new Array<Reading>(s.length).fill("code");
  const mark = (from: number, to: number, r: Reading) => {
    for (let k = from; k < to && k < s.length; k++) out[k] = r;
  };
  let pending: { delim: string; quoted: boolean }[] = [];

  /** The bodies of the here-documents started on the line that ends at `i` (just after its newline). */
  const bodies = (i: number): number => {
    for (const h of pending) {
      let at = i;
      for (;;) {
        if (at >= s.length) {
          mark(i, s.length, h.quoted ? "heredoc" : "heredoc-expanded");
          i = s.length;
          break;
        }
        const nl = s.indexOf("\n", at);
        const end = nl < 0 ? s.length : nl;
        if (s.slice(at, end) === h.delim) {
          mark(i, at, h.quoted ? "heredoc" : "heredoc-expanded");
          i = nl < 0 ? s.length : nl + 1;
          break;
        }
        at = nl < 0 ? s.length : nl + 1;
      }
    }
    pending = [];
    return i;
  };

  /** Code up to `end` (")" of $(…), "}" of ${…}, "`", or the end of the script). */
  const code = (i: number, end: ")" | "}" | "`" | undefined): number => {
    let depth = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (end === ")" && c === ")" && depth === 0) return i + 1;
      if ((end === "}" && c === "}") || (end === "`" && c === "`")) return i + 1;
      if (c === "\\") {
        i += 2;
      } else if (c === "'") {
        const close = s.indexOf("'", i + 1);
        if (close < 0) return s.length; // unterminated: bash -n fails; everything stays "code"
        mark(i + 1, close, "single");
        i = close + 1;
      } else if (c === "$" && s[i + 1] === "'") {
        let k = i + 2;
        while (k < s.length && s[k] !== "'") k += s[k] === "\\" ? 2 : 1;
        mark(i, k + 1, "ansi-c");
        i = k + 1;
      } else if (c === "$" && s[i + 1] === "(") {
        i = code(i + 2, ")");
      } else if (c === "$" && s[i + 1] === "{") {
        i = code(i + 2, "}");
      } else if (c === '"') {
        i = double(i + 1);
      } else if (c === "`") {
        i = code(i + 1, "`");
      } else if (c === "#" && WORD_BREAK.has(s[i - 1])) {
        const nl = s.indexOf("\n", i);
        const stop = nl < 0 ? s.length : nl;
        mark(i, stop, "comment");
        i = stop;
      } else if (c === "<" && s[i + 1] === "<" && s[i + 2] !== "<" && s[i - 1] !== "<") {
        let k = i + 2;
        if (s[k] === "-") k++;
        while (s[k] === " " || s[k] === "\t") k++;
        let word = "";
        while (k < s.length && !/[\s;|&()<>]/.test(s[k]!)) word += s[k++];
        pending.push({ delim: word.replace(/['"\\]/g, ""), quoted: /['"\\]/.test(word) });
        i = k;
      } else if (c === "\n") {
        i = bodies(i + 1);
      } else {
        if (c === "(") depth++;
        if (c === ")") depth--;
        i++;
      }
    }
    return i;
  };

  /** Inside double quotes, from just after the opening one. */
  const double = (i: number): number => {
    while (i < s.length) {
      const c = s[i]!;
      if (c === '"') return i + 1;
      if (c === "\\") {
        mark(i, i + 2, "double");
        i += 2;
      } else if (c === "$" && s[i + 1] === "(") i = code(i + 2, ")");
      else if (c === "$" && s[i + 1] === "{") i = code(i + 2, "}");
      else if (c === "`") i = code(i + 1, "`");
      else {
        out[i] = "double";
        i++;
      }
    }
    return i;
  };

  code(0, undefined);
  return out;
}

/** Where `marker` occurs in `script` outside what bash never runs, as "reading at line N". */
function exposed(script: string, marker: string): string[] {
  const r = readings(script);
  const found: string[] = [];
  for (let at = script.indexOf(marker); at >= 0; at = script.indexOf(marker, at + 1)) {
    const bad = r.slice(at, at + marker.length).find((x) => !SAFE.has(x));
    if (bad) found.push(`${bad} at line ${script.slice(0, at).split("\n").length}`);
  }
  return found;
}

/** Control characters in comments, which could make a terminal show the script other than it is, as "line N". */
function controlsInComments(script: string): string[] {
  const r = readings(script);
  const found: string[] = [];
  for (let k = 0; k < script.length; k++) {
    if (r[k] === "comment" && /\p{Cc}/u.test(script[k]!)) found.push(`${JSON.stringify(script[k])} at line ${script.slice(0, k).split("\n").length}`);
  }
  return found;
}

function bashParses(script: string): string {
  const res = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
  return res.status === 0 ? "" : res.stderr;
}

describe("the lexer used by these tests", () => {
  it("finds a marker that bash would run or expand", () => {
    expect(exposed("# title\nM1 touch /tmp/x\n", "M1")).toEqual(["code at line 2"]);
    expect(exposed("ip link add $(M1) type bridge\n", "M1")).toEqual(["code at line 1"]);
    expect(exposed('echo "a $(M1)"\n', "M1")).toEqual(["code at line 1"]);
    expect(exposed('echo "M1"\n', "M1")).toEqual(["double at line 1"]);
    expect(exposed("echo 'a'\\''b'M1\n", "M1")).toEqual(["code at line 1"]);
    expect(exposed("echo $'M1'\n", "M1")).toEqual(["ansi-c at line 1"]);
    expect(exposed("cat <<'RULES'\nx\nRULES\nM1\nRULES\n", "M1")).toEqual(["code at line 4"]);
    expect(exposed("cat <<RULES\nM1\nRULES\n", "M1")).toEqual(["heredoc-expanded at line 2"]);
    expect(exposed("echo a#M1\n", "M1")).toEqual(["code at line 1"]);
    expect(controlsInComments("# a\rM1\n")).toEqual(['"\\r" at line 1']);
  });

  it("accepts a marker in single quotes, in a comment, or in a quoted here-document's body", () => {
    expect(exposed("echo 'M1' 'a'\\''M1'\n", "M1")).toEqual([]);
    expect(exposed("echo x # M1 $(M1)\n# M1\n", "M1")).toEqual([]);
    expect(exposed("cat <<'RULES' && echo 'M1'\nM1 $(M1)\nRULES\necho done\n", "M1")).toEqual([]);
    expect(exposed('f() { echo "${x##*) }"; }; echo \'M1\'\n', "M1")).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The helpers.

/** What bash makes of a word: printf's argument, back as text. */
function bashReads(word: string): string {
  const res = spawnSync("bash", ["-c", `printf '%s' ${word}`], { encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
  return res.stdout;
}

const NASTY = ["", "plain", "it's", "'", "''", "a'\\''b", '"$(id)"', "`id`", "$HOME", "a\nb", "\\", "-n", "*", "~", "{a,b}", "a b\tc", "\x1b[2J\r\x07", "é\u202e"];

describe("shellWord", () => {
  it.each(NASTY.map((t) => [JSON.stringify(t), t]))("bash reads %s back as it was", (_name, text) => {
    expect(bashReads(shellWord(text))).toBe(text);
    expect(shellWord(text)).toMatch(/^'.*'$/s);
  });

  it("refuses a NUL, which no argument can hold", () => {
    expect(() => shellWord("a\0b")).toThrow(/NUL/);
  });
});

describe("commentLine", () => {
  it("is one line without control characters, whatever the text", () => {
    const line = commentLine("a\nb\r\x1b[31m\u2028\u202e\\n\0\x7f\x9b");
    expect(line).toBe("# a\\nb\\r\\x1b[31m\\u{2028}\\u{202e}\\\\n\\x00\\x7f\\x9b");
    expect(line).not.toMatch(/[\p{Cc}]/u);
  });

  it("leaves ordinary text alone", () => {
    expect(visibleText('Pod to pod "across" nodes (ipMasq on) — été')).toBe('Pod to pod "across" nodes (ipMasq on) — été');
  });
});

describe("hereDoc", () => {
  it("picks a delimiter that no line of the body equals, and bash passes the body on unchanged", () => {
    const body = "RULES\nRULES_2\n$(touch /tmp/x) `id` \\\n RULES\nRULES \n";
    const doc = hereDoc("cat", body, "RULES");
    expect(doc.split("\n")[0]).toBe("cat <<'RULES_3'");
    const res = spawnSync("bash", ["-c", doc], { encoding: "utf8" });
    expect(res.stdout).toBe(body);
  });

  it("ends the body with a newline, so the delimiter is a line of its own", () => {
    expect(hereDoc("cat", "a", "X")).toBe("cat <<'X'\na\nX");
    expect(hereDoc("cat", "", "X")).toBe("cat <<'X'\nX");
  });

  it("refuses a NUL (bash would drop it, which could turn a line into the delimiter)", () => {
    expect(() => hereDoc("cat", "RULES\0\n", "RULES")).toThrow(/NUL/);
  });
});

// ---------------------------------------------------------------------------------------------
// Scripts from hostile scenarios.

let markers = 0;
/** A marker no script contains by itself: HXM, a number, Q. */
const nextMarker = () => `HXM${++markers}Q`;

/**
 * The ways a value could try to break out of the script. The marker `m` stands after every
 * character that could change how bash reads what follows, so that a value which quotes itself
 * (`a'm';id`) still shows: its text after the quote is code.
 */
const PAYLOADS: readonly ((m: string) => string)[] = [
  (m) => `${m}\n${m} touch /tmp/PWNED\n#${m}`,
  (m) => `${m}$(id>/tmp/${m})${m}`,
  (m) => `${m}\`touch /tmp/${m}\`${m}`,
  (m) => `a'${m}';touch /tmp/${m} #${m}`,
  (m) => `"${m}" && id ${m}; "${m}`,
  (m) => `\\${m}\\'${m}\\${m}`,
  (m) => `${m};id${m}&&id${m}||id${m}|id${m}&${m}`,
  (m) => `\nRULES\n${m}\nRULES\nHSLAB_PY\n${m}`,
  (m) => `${m}\r${m}\x1b[2K${m}\x07\x0b\x0c\x7f\u2028\u202e${m}`,
  (m) => `# ${m}\n${m} # x${m}`,
  (m) => `${m}$HOME${m}\${P}${m}*?[a]{b,c}~${m}`,
  (m) => `'${m}"${m}'${m}"${m}`,
];

/** A field the test puts a hostile value in: its name, and how to set it on a copy of the scenario. */
interface Field {
  readonly name: string;
  /** Whether the value must reach the script (fields such as labels never do). */
  readonly reaches: boolean;
  set(s: Scenario, v: string): void;
  /** Or: put the value into the built cluster, past the builder's own checks. */
  setBuilt?(c: Cluster, v: string): void;
}

const workload = (s: Scenario, name: string) => s.workloads.find((w) => w.name === name)!;

const FIELDS: readonly Field[] = [
  { name: "id", reaches: true, set: (s, v) => void (s.id = v) },
  { name: "title", reaches: true, set: (s, v) => void (s.title = v) },
  { name: "description", reaches: false, set: (s, v) => void (s.description = v) },
  { name: "cluster.cni.name", reaches: true, set: (s, v) => void (s.cluster.cni.name = v) },
  { name: "cluster.cni.bridge", reaches: true, set: (s, v) => void (s.cluster.cni.bridge = v) },
  { name: "cluster.workers.1.cni.bridge", reaches: true, set: (s, v) => void (s.cluster.workers[1]!.cni = { bridge: v }) },
  { name: "cluster.workers.0.cni.name", reaches: true, set: (s, v) => void (s.cluster.workers[0]!.cni = { name: v }) },
  {
    // Without its public IP, so that the name is in no iptables comment (whose parser would refuse it).
    name: "cluster.controllers.2.name",
    reaches: true,
    set: (s, v) => {
      const c = s.cluster.controllers[2]!;
      s.cluster.controllers[2] = { name: v, ip: c.ip };
    },
  },
  { name: "cloud.client.name", reaches: true, set: (s, v) => void (s.cloud.client.name = v) },
  {
    name: "workloads.nginx.pods.0.name",
    reaches: false,
    set: (s, v) => {
      const w = workload(s, "nginx");
      if (w.kind !== "Pod") w.pods[0] = { ...w.pods[0]!, name: v };
    },
  },
  { name: "workloads.nginx.name", reaches: false, set: (s, v) => void (workload(s, "nginx").name = v) },
  { name: "workloads.nginx.namespace", reaches: false, set: (s, v) => void (workload(s, "nginx").namespace = v) },
  { name: "workloads.kube-dns.containers.0.name", reaches: false, set: (s, v) => void (workload(s, "kube-dns").containers[0]!.name = v) },
  {
    name: "labels and selector",
    reaches: false,
    set: (s, v) => {
      workload(s, "nginx").labels = { run: v, [v]: "x" };
      const svc = s.services.find((x) => x.name === "nginx")!;
      svc.selector = { run: v };
      svc.labels = { [v]: v };
    },
  },
  { name: "services.nginx.name", reaches: true, set: (s, v) => void (s.services.find((x) => x.name === "nginx")!.name = v) },
  {
    // The iptables parser refuses a newline in a comment, so this one goes into the ruleset
    // directly: iptables-save then prints a body with lines of its own, among them the delimiter.
    name: "a comment in the VPC router's rules",
    reaches: true,
    set: () => {},
    setBuilt: (c, v) => {
      const rules = c.world.get(c.router).nf.tables.nat.chains.get("PREROUTING")!.rules;
      rules[0] = { ...rules[0]!, matches: rules[0]!.matches.map((m) => (m.kind === "comment" ? { kind: "comment", comment: v } : m)) };
    },
  },
  {
    // And the DNS query's reference to it.
    name: "services.kube-dns.ports.0.name",
    reaches: true,
    set: (s, v) => {
      s.services.find((x) => x.name === "kube-dns")!.ports[0]!.name = v;
      const to = s.traffic[1]!.to;
      if ("service" in to) to.port = v;
    },
  },
];

/** A new copy of the article's cluster, validated, with traffic of every kind: a ping, a DNS query over UDP, and curl from the client. */
function baseScenario(): Scenario {
  const v = validateScenario(
    articleScenario("hostile", {}, [
      { kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" } },
      { kind: "dig", from: { pod: "busybox0-g6pww" }, to: { service: "kube-dns", namespace: "kube-system", port: "dns" }, protocol: "UDP", port: 53 },
      { kind: "curl", from: { client: true }, to: { node: "worker-0", public: true }, port: 31088 },
    ]),
  );
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.scenario;
}

interface Case {
  readonly field: Field;
  readonly payload: number;
  readonly marker: string;
  readonly script?: string;
  /** Why there is no script: the builder refused the value. */
  readonly refused?: string;
}

function hostileCases(): Case[] {
  const cases: Case[] = [];
  for (const field of FIELDS) {
    PAYLOADS.forEach((payload, k) => {
      const marker = nextMarker();
      const s = baseScenario();
      field.set(s, payload(marker));
      let cluster: Cluster;
      try {
        cluster = buildCluster(s);
        // Each node's rules are made on first use: make them now, as part of the build.
        for (const ns of cluster.world.namespaces.values()) void ns.nf;
        s.traffic.forEach((t, i) => resolveTraffic(cluster, t, `traffic.${i}`));
        field.setBuilt?.(cluster, payload(marker));
      } catch (e) {
        // The builder refused the value (an iptables comment it cannot parse, an unknown node):
        // nothing of it could reach a script.
        cases.push({ field, payload: k, marker, refused: `buildCluster: ${(e as Error).message}` });
        return;
      }
      cases.push({ field, payload: k, marker, script: labScript(cluster) });
    });
  }
  return cases;
}

describe("lab scripts from hostile scenarios (validation bypassed)", () => {
  const cases = hostileCases();
  const built = cases.filter((c) => c.script !== undefined);

  it("builds most of them, and every field that reaches a script does so", () => {
    expect(built.length).toBeGreaterThan(cases.length / 2);
    for (const f of FIELDS.filter((x) => x.reaches)) {
      const reached = built.filter((c) => c.field === f && c.script!.includes(c.marker));
      expect(reached.length, `no hostile ${f.name} reached a script: the test would not see it`).toBeGreaterThan(0);
    }
  });

  // A value the builder refused could not reach a script; each is listed, so that a change in
  // what the builder accepts shows, and checked to be a refusal that names the value's place.
  for (const c of cases.filter((x) => x.refused)) {
    it(`${c.field.name} #${c.payload} is refused by the builder before any script is written`, () => {
      expect(c.script).toBeUndefined();
      expect(c.refused).toMatch(/^buildCluster: \S/);
    });
  }

  it("a rule comment with the delimiter as a line of its own gets another delimiter", () => {
    const c = built.find((x) => x.field.name === "a comment in the VPC router's rules" && x.payload === 7)!;
    const line = c.script!.split("\n").find((l) => l.startsWith("X 'vpc-router' \"$IPT_RESTORE\""));
    expect(line).toBe("X 'vpc-router' \"$IPT_RESTORE\" -w <<'RULES_2'");
    expect(c.script!.split("\n")).toContain("RULES");
  });

  it.each(built.map((c) => [`${c.field.name} #${c.payload}`, c] as const))("%s: bash -n parses it, and the value is only ever quoted", (_name, c) => {
    const script = c.script!;
    expect(bashParses(script)).toBe("");
    expect(exposed(script, c.marker)).toEqual([]);
    expect(controlsInComments(script)).toEqual([]);
    expect(script).not.toContain("\0");
  });

  it("refuses a NUL in a value that reaches a command, rather than dropping it", () => {
    const s = baseScenario();
    s.cloud.client.name = "client\0x";
    expect(() => labScript(buildCluster(s))).toThrow(/NUL/);
    const t = baseScenario();
    t.title = "a\0b";
    expect(labScript(buildCluster(t))).toContain("# Hopscope lab for scenario \"hostile\": a\\x00b\n");
  });
});

// ---------------------------------------------------------------------------------------------
// The built-in scenarios.

describe("lab scripts of the built-in scenarios", () => {
  const scripts = BUILTIN_SCENARIOS.map((s) => {
    const r = runScenario(s);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return [s.id, r.cluster, labScript(r.cluster)] as const;
  });

  it.each(scripts)("%s: bash -n parses it", (_id, _cluster, script) => {
    expect(bashParses(script)).toBe("");
  });

  it.each(scripts)("%s: every namespace name starts with the prefix the run chooses", (_id, cluster, script) => {
    expect(script).toContain(`BASE=${shellWord(labPrefixBase(cluster))}\n`);
    expect(script).toContain('\nP="$BASE$$-$START-"\n');
    const adds = script.split("\n").filter((l) => l.startsWith("ip netns add "));
    // The L2 segments' two, and the scratch namespace that asks the kernel about -m nfacct when a rule has one.
    expect(adds.length).toBe(cluster.world.namespaces.size + 2 + ([...cluster.world.namespaces.values()].some((ns) => nfacctNames(ns.nf).length > 0) ? 1 : 0));
    for (const l of adds) expect(l).toMatch(/^ip netns add "\$P"'[^']+'$/);
    expect(script).not.toContain(`${labPrefixBase(cluster)}${[...cluster.world.namespaces.keys()][0]}`);
  });

  it.skipIf(process.platform !== "linux")("the generator gives the same text twice, and each run of it picks a prefix of its own", () => {
    const [r, again] = [runScenario(BUILTIN_SCENARIOS[0]), runScenario(BUILTIN_SCENARIOS[0])];
    if (!r.ok || !again.ok) throw new Error("no cluster");
    const script = labScript(r.cluster);
    expect(labScript(again.cluster)).toBe(script);
    // The script up to where it chooses its prefix, run as it is (it needs no root to get there).
    const head = script.slice(0, script.indexOf('\nP="$BASE$$-$START-"\n') + '\nP="$BASE$$-$START-"\n'.length) + 'printf "%s" "$P"\n';
    const prefixes = [0, 1].map(() => spawnSync("bash", ["-c", head], { encoding: "utf8" }).stdout);
    const base = labPrefixBase(r.cluster);
    for (const p of prefixes) expect(p).toMatch(new RegExp(`^${base}\\d+-\\d+-$`));
    expect(prefixes[0]).not.toBe(prefixes[1]);
  });
});

describe("today's nodes in the lab script", () => {
  const today = BUILTIN_SCENARIOS.find((s) => s.id === "today-nodeport")!;
  const nftMode = { ...today, cluster: { ...today.cluster, kubeProxy: { mode: "nftables", version: "latest" } } };

  it("kube-proxy 1.37's -m nfacct rules: probed, loaded as they are with their objects, or without the matches in the same places", () => {
    const r = runScenario(today);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const nf = r.cluster.world.get("worker-0").nf;
    expect(nfacctNames(nf).sort()).toEqual(["ct_state_invalid_dropped_pkts", "localhost_nps_accepted_pkts"]);
    const stripped = withoutNfacct(nf);
    expect(nfacctNames(stripped)).toEqual([]);
    for (const t of ["filter", "nat"] as const) {
      for (const [name, c] of nf.tables[t].chains) {
        const o = stripped.tables[t].chains.get(name)!;
        expect(o.rules.map((x) => x.target)).toEqual(c.rules.map((x) => x.target));
        expect(o.rules.map((x) => x.matches.length)).toEqual(c.rules.map((x) => x.matches.filter((m) => m.kind !== "nfacct").length));
      }
    }
    const script = labScript(r.cluster);
    expect(script).toContain("-m nfacct --nfacct-name hslab_probe");
    expect(script).toContain(`nfacct-add ${shellWord("ct_state_invalid_dropped_pkts")}`);
    expect(script.match(/--nfacct-name {2}ct_state_invalid_dropped_pkts/g)?.length).toBe(3);
    expect(bashParses(script)).toBe("");
  });

  it("an nftables-mode node gets its kube-proxy table by nft -f and reports the kernel's listing of it", () => {
    const r = runScenario(nftMode);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const script = labScript(r.cluster);
    const ns = r.cluster.world.get("worker-0");
    expect(nftText(ns)).toContain("table ip kube-proxy {");
    expect(script).toContain(`X ${shellWord("worker-0")} nft -f /dev/stdin <<'NFT'\n${nftText(ns)}NFT\n`);
    expect(script).toContain(`nft list table 'ip' 'kube-proxy'`);
    expect(script).toContain("NFACCT=unused");
    expect(bashParses(script)).toBe("");
  });
});
