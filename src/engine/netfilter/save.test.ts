import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatRule } from "./format";
import { chainsInSaveOrder, ctime, iptablesRestore, iptablesRestoreOrThrow, iptablesSave, loadIptablesSave } from "./save";
import { emptyRuleset, type Ruleset, type TableName } from "./types";

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8");
const KTHW = fixture("kthw-worker-0.rules");
const LAB = fixture("lab-legacy-counters.rules");
/** When the lab fixture was saved: Thu Nov 26 15:11:23 2026 UTC. */
const LAB_TIME = Date.UTC(2026, 10, 26, 15, 11, 23) / 1000;

const FILTER_HEAD = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";

function load(text: string): Ruleset {
  const r = loadIptablesSave(text);
  if (!r.ok) throw new Error(`expected the input to load, got line ${r.error.line}: ${r.error.message}`);
  return r.value;
}

const withoutComments = (text: string) =>
  text
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("\n");

/** The `-A` lines and `:chain` lines of one table, without the header and footer. */
function body(rs: Ruleset, table: TableName, counters = false): string[] {
  return iptablesSave(rs, { table, counters })
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#") && !l.startsWith("*") && l !== "COMMIT");
}

describe("round trips", () => {
  it("prints the kthw worker's rules back byte for byte (header and footer comments aside)", () => {
    const rs = load(KTHW);
    expect(withoutComments(iptablesSave(rs))).toBe(KTHW);
  });

  it("prints the lab's `iptables-legacy-save -c` output back exactly, with counters, version and time", () => {
    const rs = load(LAB);
    expect(iptablesSave(rs, { counters: true, version: "1.8.9", time: LAB_TIME })).toBe(LAB);
  });

  it("keeps the lab's counters on the rules and the policies", () => {
    const rs = load(LAB);
    const nat = rs.tables.nat.chains;
    expect(nat.get("PREROUTING")!.policyCounters).toEqual({ pkts: 28, bytes: 1206 });
    const masq = nat.get("POSTROUTING")!.rules[3]!;
    expect(formatRule("POSTROUTING", masq, true)).toBe("[28:1206] -A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535");
  });

  it("loads the kthw worker's chains and rule counts", () => {
    const rs = load(KTHW);
    expect([...rs.loaded].sort()).toEqual(["filter", "nat"]);
    const count = (t: TableName) => [...rs.tables[t].chains.values()].reduce((n, c) => n + c.rules.length, 0);
    expect(count("filter")).toBe(9);
    expect(count("nat")).toBe(38);
    expect(rs.tables.nat.chains.size).toBe(4 + 16);
    expect(rs.tables.nat.chains.get("KUBE-SVC-NPX46M4PTMTKRN6Y")!.rules).toHaveLength(3);
  });
});

describe("iptablesSave", () => {
  it("omits rule counters without -c but keeps the built-in chains' [pkts:bytes]", () => {
    const rs = load(LAB);
    const expected = LAB.replace(/^\[\d+:\d+\] /gm, "");
    expect(iptablesSave(rs, { version: "1.8.9", time: LAB_TIME })).toBe(expected);
    expect(expected).toContain(":PREROUTING ACCEPT [28:1206]\n");
    expect(expected).toContain("\n-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535\n");
  });

  it("prints built-in chains in hook order, then user chains sorted with strcmp, and rules grouped in that order", () => {
    const rs = load(
      "*filter\n:b-chain - [0:0]\n:_x - [0:0]\n:A-chain - [0:0]\n:KUBE-SVC-Z - [0:0]\n:KUBE-SEP-A - [0:0]\n:KUBE-SEP - [0:0]\n" +
        "-A _x -j ACCEPT\n-A OUTPUT -j b-chain\n-A A-chain -j DROP\n-A INPUT -j _x\n-A OUTPUT -s 10.0.0.1\nCOMMIT\n",
    );
    // As iptables-legacy-save 1.8.9 printed the same input.
    expect(body(rs, "filter")).toEqual([
      ":INPUT ACCEPT [0:0]",
      ":FORWARD ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":A-chain - [0:0]",
      ":KUBE-SEP - [0:0]",
      ":KUBE-SEP-A - [0:0]",
      ":KUBE-SVC-Z - [0:0]",
      ":_x - [0:0]",
      ":b-chain - [0:0]",
      "-A INPUT -j _x",
      "-A OUTPUT -j b-chain",
      "-A OUTPUT -s 10.0.0.1/32",
      "-A A-chain -j DROP",
      "-A _x -j ACCEPT",
    ]);
    expect(chainsInSaveOrder(rs, "filter").map((c) => c.name)).toEqual(["INPUT", "FORWARD", "OUTPUT", "A-chain", "KUBE-SEP", "KUBE-SEP-A", "KUBE-SVC-Z", "_x", "b-chain"]);
  });

  it.each<[string, TableName[], TableName[]]>([
    ["all four, given in reverse", ["raw", "mangle", "nat", "filter"], ["filter", "nat", "mangle", "raw"]],
    ["all four, given in save order", ["filter", "nat", "mangle", "raw"], ["filter", "nat", "mangle", "raw"]],
    ["raw and filter", ["raw", "filter"], ["filter", "raw"]],
    ["nat only", ["nat"], ["nat"]],
    ["mangle and nat", ["mangle", "nat"], ["nat", "mangle"]],
  ])("prints loaded tables in the order filter, nat, mangle, raw: %s", (_name, given, expected) => {
    const rs = load(given.map((t) => `*${t}\nCOMMIT\n`).join(""));
    const printed = iptablesSave(rs)
      .split("\n")
      .filter((l) => l.startsWith("*"))
      .map((l) => l.slice(1));
    expect(printed).toEqual(expected);
  });

  it("prints nothing for a ruleset with no table loaded", () => {
    expect(iptablesSave(emptyRuleset())).toBe("");
  });

  it.each<[TableName, string]>([
    ["filter", "*filter\n"],
    ["nat", "*nat\n"],
  ])("-t %s prints only that table", (table, head) => {
    const rs = load(LAB);
    const out = iptablesSave(rs, { table, counters: true, version: "1.8.9", time: LAB_TIME });
    expect(out.split("\n").filter((l) => l.startsWith("*"))).toEqual([head.trim()]);
    // It is exactly that table's section of the full output.
    const sections = LAB.split(/(?=# Generated by)/);
    expect(out).toBe(sections.find((s) => s.includes(head))!);
  });

  it("-t of a table that is not loaded prints nothing", () => {
    expect(iptablesSave(load(KTHW), { table: "raw" })).toBe("");
  });

  it("prints the header and footer around every table", () => {
    const rs = load("*nat\nCOMMIT\n*filter\nCOMMIT\n");
    expect(iptablesSave(rs)).toBe(
      "# Generated by iptables-save v1.6.1 on Thu Jan  1 00:00:00 1970\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n# Completed on Thu Jan  1 00:00:00 1970\n" +
        "# Generated by iptables-save v1.6.1 on Thu Jan  1 00:00:00 1970\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n# Completed on Thu Jan  1 00:00:00 1970\n",
    );
  });
});

describe("ctime", () => {
  it.each<[number, string]>([
    [0, "Thu Jan  1 00:00:00 1970"],
    [59.999, "Thu Jan  1 00:00:59 1970"],
    [LAB_TIME, "Thu Nov 26 15:11:23 2026"],
    [Date.UTC(2018, 1, 9, 3, 4, 5) / 1000, "Fri Feb  9 03:04:05 2018"],
    [Date.UTC(2000, 1, 29, 23, 59, 59) / 1000, "Tue Feb 29 23:59:59 2000"],
    [Date.UTC(2024, 11, 31, 12, 0, 0) / 1000, "Tue Dec 31 12:00:00 2024"],
    [Date.UTC(2021, 6, 10, 9, 9, 9) / 1000, "Sat Jul 10 09:09:09 2021"],
    [Date.UTC(2023, 9, 1, 0, 0, 0) / 1000, "Sun Oct  1 00:00:00 2023"],
  ])("ctime(%s) is %s", (seconds, text) => {
    expect(ctime(seconds)).toBe(text);
  });
});

describe("iptablesRestore", () => {
  const START =
    `${FILTER_HEAD}:OLD - [0:0]\n-A INPUT -s 1.1.1.1/32 -j ACCEPT\n-A INPUT -j OLD\n-A OLD -j ACCEPT\nCOMMIT\n` +
    "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.200.0.0/16 -j MASQUERADE\nCOMMIT\n";

  it("without noflush replaces the table it names and leaves the others alone", () => {
    const rs = load(START);
    const natBefore = body(rs, "nat");
    const r = iptablesRestore(rs, "*filter\n:NEW - [0:0]\n-A FORWARD -j NEW\n-A NEW -d 2.2.2.2 -j DROP\nCOMMIT\n");
    expect(r).toEqual({ ok: true, value: undefined });
    expect(body(rs, "filter")).toEqual([
      ":INPUT ACCEPT [0:0]",
      ":FORWARD ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":NEW - [0:0]",
      "-A FORWARD -j NEW",
      "-A NEW -d 2.2.2.2/32 -j DROP",
    ]);
    expect(rs.tables.filter.chains.has("OLD")).toBe(false);
    expect(body(rs, "nat")).toEqual(natBefore);
  });

  it("without noflush keeps a built-in chain's policy unless the input sets it", () => {
    const rs = load("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\nCOMMIT\n");
    expect(iptablesRestore(rs, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n").ok).toBe(true);
    expect(rs.tables.filter.chains.get("INPUT")!.policy).toBe("ACCEPT");
    expect(rs.tables.filter.chains.get("FORWARD")!.policy).toBe("DROP");
  });

  it("with noflush keeps chains the input does not declare and appends to built-in chains", () => {
    const rs = load(START);
    const r = iptablesRestore(rs, "*filter\n-A INPUT -s 3.3.3.3 -j ACCEPT\nCOMMIT\n", { noflush: true });
    expect(r.ok).toBe(true);
    // As iptables-legacy-restore --noflush 1.8.9 left the same table.
    expect(body(rs, "filter")).toEqual([
      ":INPUT ACCEPT [0:0]",
      ":FORWARD ACCEPT [0:0]",
      ":OUTPUT ACCEPT [0:0]",
      ":OLD - [0:0]",
      "-A INPUT -s 1.1.1.1/32 -j ACCEPT",
      "-A INPUT -j OLD",
      "-A INPUT -s 3.3.3.3/32 -j ACCEPT",
      "-A OLD -j ACCEPT",
    ]);
  });

  it("with noflush a declared user chain is flushed and refilled", () => {
    const rs = load(START);
    expect(iptablesRestore(rs, "*filter\n:OLD - [0:0]\n-A OLD -j DROP\nCOMMIT\n", { noflush: true }).ok).toBe(true);
    expect(rs.tables.filter.chains.get("OLD")!.rules.map((r) => formatRule("OLD", r))).toEqual(["-A OLD -j DROP"]);
    expect(rs.tables.filter.chains.get("INPUT")!.rules).toHaveLength(2);
  });

  it("with noflush -I inserts among the existing rules", () => {
    const rs = load(START);
    expect(iptablesRestore(rs, "*filter\n-I INPUT 2 -s 4.4.4.4 -j DROP\n-I INPUT -s 5.5.5.5 -j DROP\nCOMMIT\n", { noflush: true }).ok).toBe(true);
    expect(rs.tables.filter.chains.get("INPUT")!.rules.map((r) => formatRule("INPUT", r))).toEqual([
      "-A INPUT -s 5.5.5.5/32 -j DROP",
      "-A INPUT -s 1.1.1.1/32 -j ACCEPT",
      "-A INPUT -s 4.4.4.4/32 -j DROP",
      "-A INPUT -j OLD",
    ]);
  });

  it("marks a restored table as loaded", () => {
    const rs = load(START);
    expect(rs.loaded.has("raw")).toBe(false);
    expect(iptablesRestore(rs, "*raw\n-A PREROUTING -j ACCEPT\nCOMMIT\n").ok).toBe(true);
    expect(rs.loaded.has("raw")).toBe(true);
    expect(iptablesSave(rs).split("\n").filter((l) => l.startsWith("*"))).toEqual(["*filter", "*nat", "*raw"]);
  });

  it.each<[string, string, boolean, number, RegExp]>([
    ["a parse error in the second table", `*filter\n-A INPUT -j DROP\nCOMMIT\n*nat\n-A OUTPUT -s 1.2.3.999 -j ACCEPT\nCOMMIT\n`, false, 5, /not an IPv4 address/],
    ["a loop in the second table", `*filter\n-A INPUT -j DROP\nCOMMIT\n*nat\n:A - [0:0]\n-A OUTPUT -j A\n-A A -j A\nCOMMIT\n`, false, 8, /chain loop A -> A/],
    ["noflush: a rule for a chain that was never declared", `*filter\n-A INPUT -j DROP\n-A NOPE -j DROP\nCOMMIT\n`, true, 3, /chain "NOPE" does not exist/],
    ["noflush: an undeclared chain in a raw table that is not loaded", `*raw\n-A PREROUTING -j DROP\nCOMMIT\n*filter\n-A OLDISH -j DROP\nCOMMIT\n`, true, 5, /"OLDISH"/],
  ])("changes nothing when the input fails: %s", (_name, text, noflush, line, message) => {
    const rs = load(START);
    rs.tables.filter.chains.get("INPUT")!.rules[0]!.counters.pkts = 9;
    const before = iptablesSave(rs, { counters: true });
    const loadedBefore = [...rs.loaded];
    const r = iptablesRestore(rs, text, { noflush });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.line).toBe(line);
    expect(r.error.message).toMatch(message);
    expect(iptablesSave(rs, { counters: true })).toBe(before);
    expect([...rs.loaded]).toEqual(loadedBefore);
  });

  it.each<[string, boolean, string, string]>([
    ["without counters: rules and policies start at zero", false, ":INPUT ACCEPT [0:0]", "[0:0] -A INPUT -s 10.0.0.1/32 -j ACCEPT"],
    ["with counters: both are taken from the input", true, ":INPUT ACCEPT [7:8]", "[5:300] -A INPUT -s 10.0.0.1/32 -j ACCEPT"],
  ])("%s", (_name, counters, chainLine, ruleLine) => {
    const rs = emptyRuleset();
    const r = iptablesRestore(rs, "*filter\n:INPUT ACCEPT [7:8]\n[5:300] -A INPUT -s 10.0.0.1 -j ACCEPT\nCOMMIT\n", { counters });
    expect(r.ok).toBe(true);
    const lines = body(rs, "filter", true);
    expect(lines[0]).toBe(chainLine);
    expect(lines[3]).toBe(ruleLine);
  });

  it("takes -c pkts bytes inside a rule as its counters only with counters", () => {
    const text = "*filter\n-A INPUT -s 10.0.0.1 -c 4 240 -j ACCEPT\nCOMMIT\n";
    const a = emptyRuleset();
    const b = emptyRuleset();
    expect(iptablesRestore(a, text, { counters: true }).ok).toBe(true);
    expect(iptablesRestore(b, text).ok).toBe(true);
    expect(a.tables.filter.chains.get("INPUT")!.rules[0]!.counters).toEqual({ pkts: 4, bytes: 240 });
    expect(b.tables.filter.chains.get("INPUT")!.rules[0]!.counters).toEqual({ pkts: 0, bytes: 0 });
  });

  it("with noflush keeps the counters of rules already there", () => {
    const rs = load(START);
    rs.tables.filter.chains.get("INPUT")!.rules[0]!.counters.pkts = 4;
    rs.tables.filter.chains.get("INPUT")!.rules[0]!.counters.bytes = 336;
    expect(iptablesRestore(rs, "*filter\n-A INPUT -j DROP\nCOMMIT\n", { noflush: true }).ok).toBe(true);
    expect(rs.tables.filter.chains.get("INPUT")!.rules[0]!.counters).toEqual({ pkts: 4, bytes: 336 });
  });

  it("iptablesRestoreOrThrow throws a message naming the source, line, column and problem", () => {
    const rs = emptyRuleset();
    expect(() => iptablesRestoreOrThrow(rs, "*filter\n-A INPUT -s 10.0.0.300\nCOMMIT\n", {}, "rules.txt")).toThrow(/^rules\.txt:2:13: "10\.0\.0\.300" is not an IPv4 address/);
    expect(rs.loaded.size).toBe(0);
  });
});

describe("a kube-proxy-sized table", () => {
  const N = 100_000;
  const SVCS = 500;
  const svc = (i: number) => `KUBE-SVC-${String(i % SVCS).padStart(16, "0")}`;
  const ip = (i: number) => `10.${32 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  const rule = (i: number) =>
    i % 2 === 0
      ? `-A KUBE-SERVICES ! -s 10.200.0.0/16 -d ${ip(i >> 1)}/32 -p tcp -m comment --comment "ns-${i >> 1}/svc:http cluster IP" -m tcp --dport ${1 + (i % 65535)} -j KUBE-MARK-MASQ`
      : `-A KUBE-SERVICES -d ${ip(i >> 1)}/32 -p tcp -m comment --comment "ns-${i >> 1}/svc:http cluster IP" -m tcp --dport ${1 + ((i - 1) % 65535)} -j ${svc(i >> 1)}`;

  function generate(): string {
    const parts = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]", ":KUBE-MARK-MASQ - [0:0]", ":KUBE-SERVICES - [0:0]"];
    for (let s = 0; s < SVCS; s++) parts.push(`:${svc(s)} - [0:0]`);
    parts.push("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
    parts.push("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES");
    parts.push("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000");
    for (let i = 0; i < N; i++) parts.push(rule(i));
    parts.push("COMMIT", "");
    return parts.join("\n");
  }

  it("parses 100,000 KUBE-SERVICES rules", { timeout: 120_000 }, () => {
    const text = generate();
    const rs = load(text);
    const rules = rs.tables.nat.chains.get("KUBE-SERVICES")!.rules;
    expect(rules).toHaveLength(N);
    expect(formatRule("KUBE-SERVICES", rules[0]!)).toBe(
      '-A KUBE-SERVICES ! -s 10.200.0.0/16 -d 10.32.0.0/32 -p tcp -m comment --comment "ns-0/svc:http cluster IP" -m tcp --dport 1 -j KUBE-MARK-MASQ',
    );
    expect(formatRule("KUBE-SERVICES", rules[N - 1]!)).toBe(
      '-A KUBE-SERVICES -d 10.32.195.79/32 -p tcp -m comment --comment "ns-49999/svc:http cluster IP" -m tcp --dport 34464 -j KUBE-SVC-0000000000000499',
    );
    expect(formatRule("KUBE-SERVICES", rules[N - 1]!)).toBe(rule(N - 1));
    expect(formatRule("KUBE-SERVICES", rules[54_321]!)).toBe(rule(54_321));
    // Everything the generator wrote comes back in the same order (user chains are already sorted).
    expect(withoutComments(iptablesSave(rs))).toBe(text);
  });
});

describe("details the lab's iptables showed", () => {
  const one = (body: string, table = "filter", chain = "INPUT") => {
    const head = table === "nat" ? "*nat\n" : "*filter\n";
    const r = loadIptablesSave(`${head}-A ${chain} ${body}\nCOMMIT\n`);
    if (!r.ok) throw new Error(r.error.message);
    return iptablesSave(r.value, { table: table as "filter" | "nat" }).split("\n").find((l) => l.startsWith("-A"));
  };
  it.each([
    ["--tcp-flags SYN,FIN SYN", "-p tcp --tcp-flags SYN,FIN SYN -j ACCEPT", "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN SYN -j ACCEPT"],
    ["--tcp-flags ALL", "-p tcp --tcp-flags ALL NONE -j DROP", "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP"],
    ["addrtype in bit order", "-m addrtype --dst-type BROADCAST,LOCAL -j ACCEPT", "-A INPUT -m addrtype --dst-type LOCAL,BROADCAST -j ACCEPT"],
    ["a bare comment", "-m comment --comment foo_bar-9 -j ACCEPT", "-A INPUT -m comment --comment foo_bar-9 -j ACCEPT"],
    ["a bare log prefix", "-j LOG --log-prefix abc", "-A INPUT -j LOG --log-prefix abc"],
    ["a comment that needs quotes", '-m comment --comment "two words" -j ACCEPT', '-A INPUT -m comment --comment "two words" -j ACCEPT'],
  ])("saves %s as iptables does", (_name, body, saved) => {
    expect(one(body)).toBe(saved);
  });

  it("accepts -i in a user chain reached from OUTPUT (it loads and never matches)", () => {
    expect(loadIptablesSave("*filter\n:C - [0:0]\n-A OUTPUT -j C\n-A C -i eth0 -j ACCEPT\nCOMMIT\n").ok).toBe(true);
  });

  it("with --noflush, a built-in chain line sets the policy and keeps the chain's rules", () => {
    const rs = emptyRuleset();
    iptablesRestore(rs, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 1.1.1.1/32 -j ACCEPT\nCOMMIT\n");
    const r = iptablesRestore(rs, "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 2.2.2.2/32 -j ACCEPT\nCOMMIT\n", { noflush: true });
    expect(r.ok).toBe(true);
    expect(iptablesSave(rs, { table: "filter" }).split("\n").filter((l) => l.startsWith("-A") || l.startsWith(":INPUT"))).toEqual([
      ":INPUT DROP [0:0]",
      "-A INPUT -s 1.1.1.1/32 -j ACCEPT",
      "-A INPUT -s 2.2.2.2/32 -j ACCEPT",
    ]);
  });

  it("without --counters, restore zeroes every built-in chain's policy counters", () => {
    const rs = emptyRuleset();
    iptablesRestore(rs, "*filter\n:INPUT ACCEPT [5:500]\n:FORWARD ACCEPT [7:700]\nCOMMIT\n", { counters: true });
    iptablesRestore(rs, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n");
    expect(rs.tables.filter.chains.get("FORWARD")!.policyCounters).toEqual({ pkts: 0, bytes: 0 });
  });
});
