import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { seededRng, type Rng } from "../rng";
import { formatRule } from "./format";
import { parseIptablesSave, tokenize, type ParseError } from "./parse";
import { iptablesSave, loadIptablesSave } from "./save";
import type { Ruleset, TableName } from "./types";

const KTHW = readFileSync(new URL("./__fixtures__/kthw-worker-0.rules", import.meta.url), "utf8");

const FILTER_HEAD = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
const NAT_HEAD = "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n";

function load(text: string): Ruleset {
  const r = loadIptablesSave(text);
  if (!r.ok) throw new Error(`expected the input to load, got line ${r.error.line}: ${r.error.message}`);
  return r.value;
}

function loadError(text: string): ParseError {
  const r = loadIptablesSave(text);
  if (r.ok) throw new Error("expected the input to be refused, but it loaded");
  return r.error;
}

/** Loads one rule into `table` and returns the `-A` lines iptables-save prints for it. */
function saveOneRule(table: TableName, chain: string, body: string): string[] {
  const rs = load(`*${table}\n-A ${chain} ${body}\nCOMMIT\n`);
  return iptablesSave(rs, { table })
    .split("\n")
    .filter((l) => l.startsWith("-A "));
}

describe("tokenize", () => {
  it.each<[string, string, [string, number][]]>([
    ["splits on single spaces", "-A INPUT -j ACCEPT", [["-A", 1], ["INPUT", 4], ["-j", 10], ["ACCEPT", 13]]],
    ["collapses runs of spaces and tabs", "a \t  b\t\tc", [["a", 1], ["b", 6], ["c", 9]]],
    ["reports columns after leading whitespace", "   x  y", [["x", 4], ["y", 7]]],
    ["ignores trailing whitespace", "x   ", [["x", 1]]],
    ["returns nothing for an empty line", "", []],
    ["returns nothing for a blank line", " \t ", []],
    ["groups a quoted string into one token", '--comment "a b  c"', [["--comment", 1], ["a b  c", 11]]],
    ["drops the quotes of a quoted word", '"abc"', [["abc", 1]]],
    ["unescapes \\\" inside quotes", '"a \\"q\\" b"', [['a "q" b', 1]]],
    ["unescapes \\\\ inside quotes", '"back\\\\slash"', [["back\\slash", 1]]],
    ["unescapes \\' inside quotes", "\"it\\'s\"", [["it's", 1]]],
    ["keeps a backslash outside quotes literally", "a\\b c", [["a\\b", 1], ["c", 5]]],
    ["joins a quote in the middle of a word", 'ab"c d"e f', [["abc de", 1], ["f", 10]]],
    ["starts the column at the quote of a quoted token", 'x "y z"', [["x", 1], ["y z", 3]]],
    ["keeps an empty quoted string as an empty token", 'a "" b', [["a", 1], ["", 3], ["b", 6]]],
    ["keeps a tab inside quotes", '"a\tb"', [["a\tb", 1]]],
    ["treats a quoted ! as text", '"!" x', [["!", 1], ["x", 5]]],
  ])("%s", (_name, line, expected) => {
    expect(tokenize(line).map((t) => [t.text, t.column])).toEqual(expected);
  });

  it.each([
    ["an unterminated quote", 'a "bc'],
    ["a quote whose closing quote is escaped", '"abc\\"'],
  ])("throws on %s", (_name, line) => {
    expect(() => tokenize(line)).toThrow(/unterminated quoted string/);
  });
});

describe("parseIptablesSave structure", () => {
  it("records each table with its own line and COMMIT line, and each op with its line", () => {
    const r = parseIptablesSave("# header\n*filter\n:INPUT DROP [3:180]\n:MINE - [0:0]\n\n[1:60] -A MINE -s 10.0.0.1 -j ACCEPT\nCOMMIT\n*nat\nCOMMIT\n");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.tables.map((t) => [t.name, t.line, t.commitLine])).toEqual([
      ["filter", 2, 7],
      ["nat", 8, 9],
    ]);
    const ops = r.value.tables[0]!.ops;
    expect(ops.map((o) => [o.kind, o.line])).toEqual([
      ["chain", 3],
      ["chain", 4],
      ["rule", 6],
    ]);
    expect(ops[0]).toEqual({ kind: "chain", line: 3, name: "INPUT", policy: "DROP", counters: { pkts: 3, bytes: 180 } });
    expect(ops[1]).toEqual({ kind: "chain", line: 4, name: "MINE", counters: { pkts: 0, bytes: 0 } });
    const rule = ops[2]!;
    expect(rule.kind === "rule" && rule.chain).toBe("MINE");
    expect(rule.kind === "rule" && rule.rule.counters).toEqual({ pkts: 1, bytes: 60 });
    expect(rule.kind === "rule" && formatRule("MINE", rule.rule, true)).toBe("[1:60] -A MINE -s 10.0.0.1/32 -j ACCEPT");
  });

  it.each<[string, string, number | undefined]>([
    ["-A has no position", "-A INPUT -j ACCEPT", undefined],
    ["-I without a number inserts at 1", "-I INPUT -j ACCEPT", 1],
    ["-I with a number inserts there", "-I INPUT 3 -j ACCEPT", 3],
  ])("%s", (_name, line, insertAt) => {
    const r = parseIptablesSave(`*filter\n${line}\nCOMMIT\n`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const op = r.value.tables[0]!.ops[0]!;
    expect(op.kind).toBe("rule");
    expect(op.kind === "rule" ? op.insertAt : "not a rule").toBe(insertAt);
  });

  it("accepts CRLF line endings", () => {
    const rs = load("*filter\r\n:INPUT ACCEPT [0:0]\r\n-A INPUT -s 10.0.0.1 -j ACCEPT\r\nCOMMIT\r\n");
    expect(rs.tables.filter.chains.get("INPUT")!.rules).toHaveLength(1);
  });

  it("accepts an empty input as no tables", () => {
    expect(parseIptablesSave("")).toEqual({ ok: true, value: { tables: [] } });
  });
});

describe("canonicalisation iptables-save performs (checked against iptables 1.8.9 legacy)", () => {
  it.each<[TableName, string, string, string]>([
    ["filter", "INPUT", "-p tcp --dport 53 -j ACCEPT", "-p tcp -m tcp --dport 53 -j ACCEPT"],
    ["filter", "INPUT", "-p udp --dport 53 -j ACCEPT", "-p udp -m udp --dport 53 -j ACCEPT"],
    ["filter", "INPUT", "-p tcp --destination-port 53 --source-port 1000:2000 -j ACCEPT", "-p tcp -m tcp --sport 1000:2000 --dport 53 -j ACCEPT"],
    ["filter", "INPUT", "-p tcp -m tcp --dport 53 --sport 1000:2000 -j ACCEPT", "-p tcp -m tcp --sport 1000:2000 --dport 53 -j ACCEPT"],
    ["filter", "INPUT", "-p udp --sport 53: -j ACCEPT", "-p udp -m udp --sport 53:65535 -j ACCEPT"],
    ["filter", "INPUT", "-p udp --sport :1023 -j ACCEPT", "-p udp -m udp --sport 0:1023 -j ACCEPT"],
    ["filter", "INPUT", "-p tcp --dport ssh -j ACCEPT", "-p tcp -m tcp --dport 22 -j ACCEPT"],
    ["filter", "INPUT", "-p tcp ! --dport 22 -j ACCEPT", "-p tcp -m tcp ! --dport 22 -j ACCEPT"],
    ["filter", "INPUT", "-p tcp --syn -j ACCEPT", "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT"],
    ["filter", "INPUT", "-p tcp ! --syn -j ACCEPT", "-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT"],
    ["filter", "INPUT", "-p tcp --tcp-flags SYN,ACK NONE -j ACCEPT", "-p tcp -m tcp --tcp-flags SYN,ACK NONE -j ACCEPT"],
    ["filter", "INPUT", "-p icmp --icmp-type echo-request -j ACCEPT", "-p icmp -m icmp --icmp-type 8 -j ACCEPT"],
    ["filter", "INPUT", "-p icmp --icmp-type echo-reply -j ACCEPT", "-p icmp -m icmp --icmp-type 0 -j ACCEPT"],
    ["filter", "INPUT", "-p icmp --icmp-type port-unreachable -j ACCEPT", "-p icmp -m icmp --icmp-type 3/3 -j ACCEPT"],
    ["filter", "INPUT", "-p icmp --icmp-type network-unreachable -j ACCEPT", "-p icmp -m icmp --icmp-type 3/0 -j ACCEPT"],
    ["filter", "INPUT", "-p icmp ! --icmp-type 3 -j ACCEPT", "-p icmp -m icmp ! --icmp-type 3 -j ACCEPT"],
    ["filter", "INPUT", "-s 10.200.0.5/16 -j ACCEPT", "-s 10.200.0.0/16 -j ACCEPT"],
    ["filter", "INPUT", "-s 10.1.2.3 -j ACCEPT", "-s 10.1.2.3/32 -j ACCEPT"],
    ["filter", "INPUT", "-d 10.1.2.3/255.255.0.0 -j ACCEPT", "-d 10.1.0.0/16 -j ACCEPT"],
    ["filter", "INPUT", "! -d 224.0.0.0/4 -j ACCEPT", "! -d 224.0.0.0/4 -j ACCEPT"],
    ["filter", "FORWARD", "-p tcp -o veth0 -d 10.0.0.1 -i eth+ -s 10.0.0.2 -j ACCEPT", "-s 10.0.0.2/32 -d 10.0.0.1/32 -i eth+ -o veth0 -p tcp -j ACCEPT"],
    ["filter", "INPUT", "-p 17 -j ACCEPT", "-p udp -j ACCEPT"],
    ["filter", "INPUT", "-p TCP -j ACCEPT", "-p tcp -j ACCEPT"],
    ["filter", "INPUT", "-m conntrack --ctstate ESTABLISHED,RELATED,NEW -j ACCEPT", "-m conntrack --ctstate NEW,RELATED,ESTABLISHED -j ACCEPT"],
    ["filter", "INPUT", "-m conntrack ! --ctstate DNAT,INVALID,SNAT -j ACCEPT", "-m conntrack ! --ctstate INVALID,SNAT,DNAT -j ACCEPT"],
    ["filter", "INPUT", "-m state --state ESTABLISHED,INVALID -j ACCEPT", "-m state --state INVALID,ESTABLISHED -j ACCEPT"],
    ["filter", "INPUT", "-j REJECT", "-j REJECT --reject-with icmp-port-unreachable"],
    ["filter", "INPUT", "-p tcp -j REJECT --reject-with tcp-rst", "-p tcp -j REJECT --reject-with tcp-reset"],
    ["filter", "INPUT", "-j REJECT --reject-with host-prohib", "-j REJECT --reject-with icmp-host-prohibited"],
    ["filter", "INPUT", "-j LOG --log-level 4", "-j LOG"],
    ["filter", "INPUT", "-j LOG --log-level warning", "-j LOG"],
    ["filter", "INPUT", "-j LOG --log-level debug", "-j LOG --log-level 7"],
    ["filter", "INPUT", '-j LOG --log-prefix "hop: " --log-level 6', '-j LOG --log-prefix "hop: " --log-level 6'],
    ["filter", "INPUT", "-m mark --mark 16/0xff -j ACCEPT", "-m mark --mark 0x10/0xff -j ACCEPT"],
    ["filter", "INPUT", "-m mark ! --mark 0x8000 -j ACCEPT", "-m mark ! --mark 0x8000 -j ACCEPT"],
    ["filter", "INPUT", "-p udp -m multiport --dports 53,1000:2000 -j ACCEPT", "-p udp -m multiport --dports 53,1000:2000 -j ACCEPT"],
    ["filter", "INPUT", "-p tcp -m multiport ! --ports 80,22 -j ACCEPT", "-p tcp -m multiport ! --ports 80,22 -j ACCEPT"],
    ["filter", "INPUT", '-m comment --comment "it\'s \\"q\\" \\\\ here" -j ACCEPT', '-m comment --comment "it\\\'s \\"q\\" \\\\ here" -j ACCEPT'],
    ["filter", "INPUT", "-m addrtype --dst-type LOCAL ! --src-type LOCAL -j ACCEPT", "-m addrtype ! --src-type LOCAL --dst-type LOCAL -j ACCEPT"],
    ["filter", "INPUT", '-m comment --comment "a b" -p tcp --dport 80 -j ACCEPT', '-p tcp -m comment --comment "a b" -m tcp --dport 80 -j ACCEPT'],
    ["filter", "INPUT", "-p tcp -j ACCEPT --dport 80", "-p tcp -m tcp --dport 80 -j ACCEPT"],
    ["mangle", "PREROUTING", "-j MARK --or-mark 0x4000", "-j MARK --set-xmark 0x4000/0x4000"],
    ["mangle", "PREROUTING", "-j MARK --set-mark 0x10", "-j MARK --set-xmark 0x10/0xffffffff"],
    ["mangle", "PREROUTING", "-j MARK --set-mark 0x10/0xff", "-j MARK --set-xmark 0x10/0xff"],
    ["mangle", "PREROUTING", "-j MARK --set-mark 0x110/0xff", "-j MARK --set-xmark 0x110/0x1ff"],
    ["mangle", "PREROUTING", "-j MARK --and-mark 0xff", "-j MARK --set-xmark 0x0/0xffffff00"],
    ["mangle", "PREROUTING", "-j MARK --xor-mark 0x1", "-j MARK --set-xmark 0x1/0x0"],
    ["mangle", "PREROUTING", "-j MARK --set-xmark 16/255", "-j MARK --set-xmark 0x10/0xff"],
    ["mangle", "PREROUTING", "-m statistic --mode random --probability 0.33333 -j ACCEPT", "-m statistic --mode random --probability 0.33332999982 -j ACCEPT"],
    ["mangle", "PREROUTING", "-m statistic --mode random --probability 0.2 -j ACCEPT", "-m statistic --mode random --probability 0.20000000019 -j ACCEPT"],
    ["mangle", "PREROUTING", "-m statistic --mode random --probability 0.5 -j ACCEPT", "-m statistic --mode random --probability 0.50000000000 -j ACCEPT"],
    ["mangle", "PREROUTING", "-m statistic --mode random --probability 0.25 -j ACCEPT", "-m statistic --mode random --probability 0.25000000000 -j ACCEPT"],
    ["mangle", "PREROUTING", "-m statistic --mode random ! --probability 1 -j ACCEPT", "-m statistic --mode random ! --probability 1.00000000000 -j ACCEPT"],
    ["mangle", "PREROUTING", "-m statistic --mode random --probability 0 -j ACCEPT", "-m statistic --mode random --probability 0.00000000000 -j ACCEPT"],
    ["mangle", "PREROUTING", "-m statistic --mode nth --every 3 --packet 1 -j ACCEPT", "-m statistic --mode nth --every 3 --packet 1 -j ACCEPT"],
    ["nat", "PREROUTING", "-d 10.32.0.10/32 -p tcp --dport 53 -j DNAT --to-destination 10.200.0.27:53", "-d 10.32.0.10/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.200.0.27:53"],
    ["nat", "PREROUTING", "-p udp -j DNAT --to-destination 10.200.0.27-10.200.0.29:5353-5360", "-p udp -j DNAT --to-destination 10.200.0.27-10.200.0.29:5353-5360"],
    ["nat", "POSTROUTING", "-s 10.200.0.0/16 -j MASQUERADE --random-fully", "-s 10.200.0.0/16 -j MASQUERADE --random-fully"],
    ["nat", "POSTROUTING", "-o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535", "-o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535"],
    ["nat", "POSTROUTING", "-j SNAT --to-source 10.240.0.20 --random", "-j SNAT --to-source 10.240.0.20 --random"],
  ])("%s %s: %s  ->  %s", (table, chain, input, expected) => {
    expect(saveOneRule(table, chain, input)).toEqual([`-A ${chain} ${expected}`]);
  });

  it("prints the same text through formatRule as through iptablesSave", () => {
    const rs = load(`${FILTER_HEAD}[7:420] -A INPUT -p tcp --syn -s 10.200.0.5/16 -j ACCEPT\nCOMMIT\n`);
    const rule = rs.tables.filter.chains.get("INPUT")!.rules[0]!;
    expect(formatRule("INPUT", rule)).toBe("-A INPUT -s 10.200.0.0/16 -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT");
    expect(formatRule("INPUT", rule, true)).toBe("[7:420] -A INPUT -s 10.200.0.0/16 -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT");
  });

  it.each<[string, string, Record<string, unknown>]>([
    ["--or-mark 0x4000", "-j MARK --or-mark 0x4000", { value: 0x4000, mask: 0x4000 }],
    ["--set-mark 0x10", "-j MARK --set-mark 0x10", { value: 0x10, mask: 0xffffffff }],
    ["--set-mark 0x10/0xff", "-j MARK --set-mark 0x10/0xff", { value: 0x10, mask: 0xff }],
    ["--and-mark 0xff", "-j MARK --and-mark 0xff", { value: 0, mask: 0xffffff00 }],
    ["--xor-mark 0x1", "-j MARK --xor-mark 0x1", { value: 1, mask: 0 }],
  ])("keeps MARK %s as the kernel's value/mask pair", (_name, body, expected) => {
    const rs = load(`*mangle\n-A OUTPUT ${body}\nCOMMIT\n`);
    expect(rs.tables.mangle.chains.get("OUTPUT")!.rules[0]!.target).toEqual({ kind: "MARK", ...expected });
  });

  it.each<[string, number]>([
    ["0.33333", 715820724],
    ["0.2", 429496730],
    ["0.5", 1073741824],
    ["1", 2147483648],
    ["0", 0],
  ])("stores probability %s as lround(p * 2^31) = %i", (p, stored) => {
    const rs = load(`*nat\n-A OUTPUT -m statistic --mode random --probability ${p}\nCOMMIT\n`);
    const m = rs.tables.nat.chains.get("OUTPUT")!.rules[0]!.matches[0]!;
    expect(m).toEqual({ kind: "statistic", mode: "random", invert: false, probability: stored });
  });
});

describe("errors name the line and the offending thing", () => {
  it.each<[string, string, number, RegExp]>([
    ["unknown table", "*filtre\nCOMMIT\n", 1, /unknown table "filtre"/],
    ["a table given twice", `${FILTER_HEAD}COMMIT\n*filter\nCOMMIT\n`, 6, /table "filter" appears twice/],
    ["a rule outside a table", "# comment\n-A INPUT -j ACCEPT\n", 2, /"-A INPUT -j ACCEPT" is outside a table/],
    ["a missing COMMIT at the end", `${FILTER_HEAD}-A INPUT -j ACCEPT`, 5, /table "filter" \(line 1\) ends without COMMIT/],
    ["a missing COMMIT at the end (trailing newline)", `${FILTER_HEAD}-A INPUT -j ACCEPT\n`, 6, /ends without COMMIT/],
    ["a missing COMMIT before the next table", `${FILTER_HEAD}-A INPUT -j ACCEPT\n*nat\nCOMMIT\n`, 6, /table "filter" \(line 1\) has no COMMIT before "\*nat"/],
    ["an unknown option", `${FILTER_HEAD}-A INPUT --frobnicate 1 -j ACCEPT\nCOMMIT\n`, 5, /unknown option "--frobnicate"/],
    ["an option of a module that is not loaded", `${FILTER_HEAD}-A INPUT --dport 80 -j ACCEPT\nCOMMIT\n`, 5, /unknown option "--dport"/],
    ["an unknown match module", `${FILTER_HEAD}-A INPUT -m frob -j ACCEPT\nCOMMIT\n`, 5, /unsupported match module "frob"/],
    ["a bad address", `${FILTER_HEAD}-A INPUT -s 10.0.0.300 -j ACCEPT\nCOMMIT\n`, 5, /"10\.0\.0\.300" is not an IPv4 address/],
    ["a bad prefix", `${FILTER_HEAD}-A INPUT -d 10.0.0.0/33 -j ACCEPT\nCOMMIT\n`, 5, /"10\.0\.0\.0\/33" has an invalid prefix length "33"/],
    ["a bad port", `${FILTER_HEAD}-A INPUT -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n`, 5, /"70000" is not a port number/],
    ["a port range that runs backwards", `${FILTER_HEAD}-A INPUT -p udp --sport 2000:1000 -j ACCEPT\nCOMMIT\n`, 5, /port range "2000:1000" runs backwards/],
    ["an unterminated quote", `${FILTER_HEAD}-A INPUT -m comment --comment "abc -j ACCEPT\nCOMMIT\n`, 5, /unterminated quoted string/],
    ["an undeclared chain in -A", `${FILTER_HEAD}-A NOPE -j ACCEPT\nCOMMIT\n`, 5, /chain "NOPE" does not exist in table filter/],
    ["a jump to an unknown chain", `${FILTER_HEAD}-A INPUT -s 10.0.0.1 -j NOPE\nCOMMIT\n`, 5, /jumps to "NOPE", which is neither a target nor a chain/],
    ["a goto to an unknown chain", `${FILTER_HEAD}-A INPUT -g NOPE\nCOMMIT\n`, 5, /jumps to "NOPE"/],
    ["a jump to a built-in chain", `${FILTER_HEAD}-A INPUT -j OUTPUT\nCOMMIT\n`, 5, /jumps to built-in chain OUTPUT/],
    ["a user chain with a policy", `${FILTER_HEAD}:MINE ACCEPT [0:0]\nCOMMIT\n`, 5, /user chain MINE cannot have a policy \("ACCEPT"\)/],
    ["a built-in chain with a bad policy", "*filter\n:INPUT REJECT [0:0]\nCOMMIT\n", 2, /built-in chain INPUT needs policy ACCEPT or DROP, not "REJECT"/],
    ["a duplicate chain declaration", `${FILTER_HEAD}:MINE - [0:0]\n:MINE - [0:0]\nCOMMIT\n`, 6, /chain "MINE" is declared twice/],
    ["a chain name over 28 characters", `${FILTER_HEAD}:ABCDEFGHIJKLMNOPQRSTUVWXYZ123 - [0:0]\nCOMMIT\n`, 5, /chain name "ABCDEFGHIJKLMNOPQRSTUVWXYZ123" is longer than 28 characters/],
    ["bad chain counters", "*filter\n:INPUT ACCEPT [1:x]\nCOMMIT\n", 2, /"\[1:x\]" is not a counter pair/],
    ["bad rule counters", "*filter\n[1] -A INPUT -j ACCEPT\nCOMMIT\n", 2, /"\[1\]" is not a counter pair/],
    ["DNAT outside the nat table", `${FILTER_HEAD}-A INPUT -j DNAT --to-destination 10.0.0.1\nCOMMIT\n`, 5, /target DNAT is only valid in the nat table, not filter/],
    ["DNAT reached from POSTROUTING", `${NAT_HEAD}:X - [0:0]\n-A POSTROUTING -j X\n-A X -j DNAT --to-destination 10.0.0.1\nCOMMIT\n`, 8, /target DNAT in chain X is reached from POSTROUTING/],
    ["SNAT in PREROUTING", `${NAT_HEAD}-A PREROUTING -j SNAT --to-source 10.0.0.1\nCOMMIT\n`, 6, /target SNAT in chain PREROUTING is reached from PREROUTING/],
    ["MASQUERADE --to-ports without -p tcp", `${NAT_HEAD}-A POSTROUTING -j MASQUERADE --to-ports 1024-2000\nCOMMIT\n`, 6, /MASQUERADE with ports needs "-p tcp" or "-p udp"/],
    ["DNAT with a port without -p tcp", `${NAT_HEAD}-A PREROUTING -j DNAT --to-destination 10.0.0.1:80\nCOMMIT\n`, 6, /DNAT with ports needs "-p tcp"/],
    ["a ! with nothing after it", `${FILTER_HEAD}-A INPUT -j ACCEPT !\nCOMMIT\n`, 5, /"!" at the end of the rule negates nothing/],
    ["a ! given twice", `${FILTER_HEAD}-A INPUT ! ! -s 10.0.0.1 -j ACCEPT\nCOMMIT\n`, 5, /"!" is given twice/],
    ["a ! before -j", `${FILTER_HEAD}-A INPUT ! -j ACCEPT\nCOMMIT\n`, 5, /"!" cannot negate -j/],
    ["an option given twice", `${FILTER_HEAD}-A INPUT -s 10.0.0.1 -s 10.0.0.2 -j ACCEPT\nCOMMIT\n`, 5, /option "-s" is given twice/],
    ["two targets", `${FILTER_HEAD}-A INPUT -j ACCEPT -j DROP\nCOMMIT\n`, 5, /a rule has only one target/],
    ["an option missing its argument", `${FILTER_HEAD}-A INPUT -s -j ACCEPT\nCOMMIT\n`, 5, /option "-s" needs an argument/],
    ["-m tcp without -p tcp", `${FILTER_HEAD}-A INPUT -m tcp --dport 80 -j ACCEPT\nCOMMIT\n`, 5, /match tcp needs "-p tcp"/],
    ["an unknown connection state", `${FILTER_HEAD}-A INPUT -m conntrack --ctstate NEWISH -j ACCEPT\nCOMMIT\n`, 5, /unknown connection state "NEWISH"/],
    ["an unknown ICMP type", `${FILTER_HEAD}-A INPUT -p icmp --icmp-type bogus -j ACCEPT\nCOMMIT\n`, 5, /unknown ICMP type "bogus"/],
    ["an unknown reject type", `${FILTER_HEAD}-A INPUT -j REJECT --reject-with bogus\nCOMMIT\n`, 5, /unknown --reject-with type "bogus"/],
    ["a probability over 1", `${FILTER_HEAD}-A INPUT -m statistic --mode random --probability 1.5 -j ACCEPT\nCOMMIT\n`, 5, /probability "1\.5" must be between 0 and 1/],
    ["--packet not below --every", `${FILTER_HEAD}-A INPUT -m statistic --mode nth --every 3 --packet 3 -j ACCEPT\nCOMMIT\n`, 5, /--packet must be less than --every/],
    ["MARK without an operation", `${FILTER_HEAD}-A INPUT -j MARK\nCOMMIT\n`, 5, /target MARK needs exactly one of/],
    ["--and-mark with a mask", `${FILTER_HEAD}-A INPUT -j MARK --and-mark 0xff/0xff\nCOMMIT\n`, 5, /--and-mark takes no mask/],
    ["options after a user-chain target", `${FILTER_HEAD}:X - [0:0]\n-A INPUT -j X --to-ports 5\nCOMMIT\n`, 6, /unknown option "--to-ports" for target X/],
    ["an unsupported command", `${FILTER_HEAD}-N MINE\nCOMMIT\n`, 5, /command "-N" is not supported here/],
    ["a line that is not a rule", `${FILTER_HEAD}hello world\nCOMMIT\n`, 5, /expected a rule .* got "hello"/],
    ["-I past the end of the chain", `${FILTER_HEAD}-I INPUT 2 -j ACCEPT\nCOMMIT\n`, 5, /rule position 2 is past the end of INPUT \(0 rules\)/],
    ["a chain loop A->B->A reached from OUTPUT (at COMMIT)", `${FILTER_HEAD}:A - [0:0]\n:B - [0:0]\n-A OUTPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n`, 10, /chain loop A -> B -> A/],
    ["a chain jumping to itself (at COMMIT)", `${FILTER_HEAD}:A - [0:0]\n-A INPUT -j A\n-A A -g A\nCOMMIT\n`, 8, /chain loop A -> A/],
    ["-i in an OUTPUT chain", `${FILTER_HEAD}-A OUTPUT -i eth0 -j ACCEPT\nCOMMIT\n`, 5, /Can't use -i with OUTPUT/],
    ["-o in an INPUT chain", `${FILTER_HEAD}-A INPUT -o eth0 -j ACCEPT\nCOMMIT\n`, 5, /Can't use -o with INPUT/],
    ["-i in a nat POSTROUTING chain", `${NAT_HEAD}-A POSTROUTING -i eth0 -j ACCEPT\nCOMMIT\n`, 6, /Can't use -i with POSTROUTING/],
    ["--every without --packet", `${FILTER_HEAD}-A INPUT -m statistic --mode nth --every 3 -j ACCEPT\nCOMMIT\n`, 5, /"--every" also requires "--packet"/],
    ["a port named like an Object property", `${FILTER_HEAD}-A INPUT -p tcp --dport constructor -j ACCEPT\nCOMMIT\n`, 5, /"constructor" is not a port number/],
    ["a protocol named like an Object property", `${FILTER_HEAD}-A INPUT -p __proto__ -j ACCEPT\nCOMMIT\n`, 5, /unknown protocol "__proto__"/],
    ["an ICMP type named like an Object property", `${FILTER_HEAD}-A INPUT -p icmp --icmp-type toString -j ACCEPT\nCOMMIT\n`, 5, /unknown ICMP type "toString"/],
    ["a TCP flag iptables 1.8 does not know", `${FILTER_HEAD}-A INPUT -p tcp --tcp-flags ECE ECE -j ACCEPT\nCOMMIT\n`, 5, /unknown TCP flag "ECE"/],
    ["a bad jump without counters, at the rule's own line", `${FILTER_HEAD}:NEW - [0:0]\n-A INPUT -j NEW\n-A NEW -j GONE\nCOMMIT\n`, 7, /jumps to "GONE"/],
  ])("refuses %s", (_name, text, line, message) => {
    const e = loadError(text);
    expect(e.line).toBe(line);
    expect(e.message).toMatch(message);
    expect(e.column).toBeGreaterThanOrEqual(1);
  });

  it.each<[string, string, number, number]>([
    ["an unknown option", "-A INPUT -s 10.0.0.1 --frob 1", 2, 22],
    ["a bad address", "-A INPUT -d 1.2.3.4 -s 1.2.3.999", 2, 24],
    ["an unterminated quote", '-A INPUT -m comment --comment "x', 2, 31],
    ["an unknown match module", "-A INPUT -m nope", 2, 13],
    ["a chain name over 28 characters", ":ABCDEFGHIJKLMNOPQRSTUVWXYZ123 - [0:0]", 2, 2],
  ])("points at the column of %s", (_name, line, lineNo, column) => {
    const r = parseIptablesSave(`*filter\n${line}\nCOMMIT\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect([r.error.line, r.error.column]).toEqual([lineNo, column]);
  });

  it.each<[string, string]>([
    ["a loop no built-in chain reaches", `${FILTER_HEAD}:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n`],
    ["a chain name of exactly 28 characters", `${FILTER_HEAD}:ABCDEFGHIJKLMNOPQRSTUVWXYZ12 - [0:0]\n-A INPUT -j ABCDEFGHIJKLMNOPQRSTUVWXYZ12\nCOMMIT\n`],
    ["DNAT reached only from OUTPUT", `${NAT_HEAD}:X - [0:0]\n-A OUTPUT -j X\n-A X -j DNAT --to-destination 10.0.0.1\nCOMMIT\n`],
    ["the same chain reached twice without a loop", `${FILTER_HEAD}:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A INPUT -j B\n-A A -j B\nCOMMIT\n`],
    ["MASQUERADE --to-ports with -p udp", `${NAT_HEAD}-A POSTROUTING -p udp -j MASQUERADE --to-ports 1024\nCOMMIT\n`],
    ["comments and blank lines anywhere", `# a\n\n${FILTER_HEAD}# b\n\n-A INPUT -j ACCEPT\n  \nCOMMIT\n# c\n`],
  ])("accepts %s", (_name, text) => {
    expect(loadIptablesSave(text).ok).toBe(true);
  });

  it("accepts 1000 nested chains reached from a built-in chain (no depth limit)", () => {
    let text = FILTER_HEAD;
    for (let i = 0; i < 1000; i++) text += `:C${i} - [0:0]\n`;
    text += "-A INPUT -j C0\n";
    for (let i = 0; i < 999; i++) text += `-A C${i} -j C${i + 1}\n`;
    text += "-A C999 -j ACCEPT\nCOMMIT\n";
    const rs = load(text);
    expect(rs.tables.filter.chains.size).toBe(1003);
  });
});

/** A deterministic mutation fuzzer over the kthw fixture. */
function fuzzInputs(count: number, rng: Rng): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[rng.nextU32() % xs.length]!;
  const chars = ' \t"\\!-:[]/.,*#+0123456789abcxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\r\u00e9\u0000';
  const pool = ["-A", "-I", "-j", "-g", "-m", "-p", "-s", "-d", "-i", "-o", "!", "--dport", "--sport", "--comment", '"', "tcp", "udp", "icmp", "COMMIT", "*nat", "*filter", ":X", "[0:0]", "-", "ACCEPT", "DNAT", "MARK", "--set-xmark", "0x4000/0x4000", "10.0.0.1/33", "1.2.3.4", "65536", "1:2:3", "--mode", "nth", "--every", "0", "--probability", "NaN", "KUBE-SERVICES", "RETURN", "--to-destination", "1.2.3.4:99999"];
  const randomChars = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += chars[rng.nextU32() % chars.length];
    return s;
  };
  const baseLines = KTHW.split("\n");
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const lines = [...baseLines];
    const edits = 1 + (rng.nextU32() % 4);
    for (let e = 0; e < edits; e++) {
      const li = rng.nextU32() % lines.length;
      const toks = lines[li]!.split(" ");
      const ti = rng.nextU32() % toks.length;
      switch (rng.nextU32() % 9) {
        case 0: // delete a token
          toks.splice(ti, 1);
          break;
        case 1: // duplicate a token
          toks.splice(ti, 0, toks[ti]!);
          break;
        case 2: // insert random characters
          toks.splice(ti, 0, randomChars(1 + (rng.nextU32() % 6)));
          break;
        case 3: // truncate the line
          lines[li] = lines[li]!.slice(0, rng.nextU32() % (lines[li]!.length + 1));
          continue;
        case 4: // replace a token with a likely-confusing one
          toks[ti] = pick(pool);
          break;
        case 5: // delete the line
          lines.splice(li, 1);
          continue;
        case 6: // duplicate the line
          lines.splice(li, 0, lines[li]!);
          continue;
        case 7: // swap two tokens
          {
            const tj = rng.nextU32() % toks.length;
            [toks[ti], toks[tj]] = [toks[tj]!, toks[ti]!];
          }
          break;
        default: // change one character inside a token
          {
            const t = toks[ti]!;
            const ci = rng.nextU32() % (t.length + 1);
            toks[ti] = t.slice(0, ci) + randomChars(1) + t.slice(ci + 1);
          }
          break;
      }
      lines[li] = toks.join(" ");
    }
    let text = lines.join("\n");
    if (rng.nextU32() % 10 === 0) text = text.slice(0, rng.nextU32() % (text.length + 1));
    out.push(text);
  }
  // Plus wholly random inputs.
  for (let n = 0; n < count / 10; n++) {
    const lines: string[] = [];
    const nl = rng.nextU32() % 8;
    for (let i = 0; i < nl; i++) {
      const nt = rng.nextU32() % 8;
      const toks: string[] = [];
      for (let t = 0; t < nt; t++) toks.push(rng.nextU32() % 2 ? pick(pool) : randomChars(1 + (rng.nextU32() % 5)));
      lines.push(toks.join(" "));
    }
    out.push(lines.join("\n"));
  }
  return out;
}

describe("robustness", () => {
  it("never throws on 3,000 mutated or random inputs, and every error names a line and a reason", () => {
    const inputs = fuzzInputs(2750, seededRng(20261126));
    expect(inputs.length).toBeGreaterThanOrEqual(3000);
    let failures = 0;
    let successes = 0;
    for (const text of inputs) {
      const r = parseIptablesSave(text);
      if (r.ok) {
        successes++;
        expect(Array.isArray(r.value.tables)).toBe(true);
        continue;
      }
      failures++;
      const { line, column, message } = r.error;
      const where = `input ${JSON.stringify(text.slice(0, 200))}: ${line}:${column}: ${message}`;
      expect(Number.isInteger(line) && line >= 1, where).toBe(true);
      expect(line, where).toBeLessThanOrEqual(text.split("\n").length);
      expect(Number.isInteger(column) && column >= 1, where).toBe(true);
      expect(message.length, where).toBeGreaterThan(0);
      expect(message.startsWith("internal error"), where).toBe(false);
    }
    // The generator must exercise both outcomes, or the test proves nothing.
    expect(failures).toBeGreaterThan(1000);
    expect(successes).toBeGreaterThan(50);
  });

  it("loads the same mutated inputs without throwing either", () => {
    const inputs = fuzzInputs(2750, seededRng(20261126));
    for (const text of inputs) {
      const r = loadIptablesSave(text);
      if (r.ok) continue;
      const where = `input ${JSON.stringify(text.slice(0, 200))}: ${r.error.line}: ${r.error.message}`;
      expect(r.error.line >= 1 && r.error.message.length > 0, where).toBe(true);
      expect(r.error.message.startsWith("internal error"), where).toBe(false);
    }
  });
});
