import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadIptablesSave } from "../netfilter/save";
import type { Ruleset, TableName } from "../netfilter/types";
import { formatCount, iptablesList, NO_CHAIN_ERROR, type IptablesListOptions, type ServiceTable } from "./iptables-list";

const read = (url: URL) => readFileSync(url, "utf8");
const GOLDEN = new URL("./__fixtures__/iptables-1.6.1/", import.meta.url);
const golden = (name: string) => read(new URL(name, GOLDEN));
const RULES: Record<string, URL> = {
  lab: new URL("../netfilter/__fixtures__/lab-legacy-counters.rules", import.meta.url),
  kthw: new URL("../netfilter/__fixtures__/kthw-worker-0.rules", import.meta.url),
  edge: new URL("./__fixtures__/edge-cases.rules", import.meta.url),
};

/** The lab's /etc/services (Debian 12, netbase 6.4) for the ports the fixtures use. */
const LAB_SERVICES: ServiceTable = {
  tcp: { 22: "ssh", 53: "domain", 80: "http", 443: "https", 2000: "cisco-sccp", 8080: "http-alt" },
  udp: { 53: "domain", 443: "https", 5353: "mdns" },
};

function load(text: string): Ruleset {
  const r = loadIptablesSave(text);
  if (!r.ok) throw new Error(`line ${r.error.line}: ${r.error.message}`);
  return r.value;
}

/** `lab.nat.L-v-n--line-numbers` → the options of `iptables -t nat -L -v -n --line-numbers`. */
function optionsOf(flags: string, table: TableName): IptablesListOptions {
  const lineNumbers = flags.includes("--line-numbers");
  const short = flags.replace("--line-numbers", "");
  return { table, verbose: short.includes("-v"), numeric: short.includes("-n"), exact: short.includes("-x"), lineNumbers, services: LAB_SERVICES };
}

const listings = readdirSync(GOLDEN)
  .filter((f) => /^(lab|kthw|edge)\.(filter|nat)\.L[-a-z]*\.txt$/.test(f))
  .sort()
  .map((f) => {
    const [set, table, flags] = f.replace(/\.txt$/, "").split(".") as [string, TableName, string];
    return { file: f, set, table, flags };
  });

describe("iptables -L, byte for byte against iptables 1.6.1 in the lab", () => {
  it("has the 42 captured listings", () => {
    expect(listings).toHaveLength(42);
  });

  it.each(listings)("$file", ({ file, set, table, flags }) => {
    const rs = load(read(RULES[set]!));
    expect(iptablesList(rs, optionsOf(flags, table))).toEqual({ stdout: golden(file), exitCode: 0 });
  });
});

describe("iptables -Z -L, against the lab's sequence on one ruleset", () => {
  const rs = load(read(RULES.edge!));
  const steps: { run: Partial<IptablesListOptions>; file: string }[] = [
    { run: { zero: true, chain: "G1", verbose: true, exact: true }, file: "edge.filter.ZG1-LG1-v-x.txt" },
    { run: { chain: "G1", verbose: true, exact: true }, file: "edge.filter.after-ZG1.LG1-v-x.txt" },
    { run: { zero: true, chain: "FORWARD", numeric: true }, file: "edge.filter.ZFORWARD-LFORWARD-n.txt" },
    { run: { chain: "FORWARD", verbose: true, numeric: true }, file: "edge.filter.after-ZFORWARD.LFORWARD-v-n.txt" },
    { run: { zero: true, verbose: true }, file: "edge.filter.Z-L-v.txt" },
    { run: { verbose: true }, file: "edge.filter.after-Z.L-v.txt" },
  ];
  it.each(steps)("$file", ({ run, file }) => {
    expect(iptablesList(rs, { table: "filter", services: LAB_SERVICES, ...run }).stdout).toBe(golden(file));
  });

  it("zeroes the named chain's rules, every built-in policy of the table (libiptc's commit), and nothing else", () => {
    const fresh = load(read(RULES.edge!));
    Object.assign(fresh.tables.nat.chains.get("PREROUTING")!.policyCounters!, { pkts: 7, bytes: 420 });
    iptablesList(fresh, { table: "filter", chain: "G1", zero: true });
    const chains = fresh.tables.filter.chains;
    expect(chains.get("G1")!.rules.map((r) => r.counters.pkts)).toEqual([0, 0, 0, 0, 0]);
    expect(["INPUT", "FORWARD", "OUTPUT"].map((c) => chains.get(c)!.policyCounters)).toEqual([
      { pkts: 0, bytes: 0 },
      { pkts: 0, bytes: 0 },
      { pkts: 0, bytes: 0 },
    ]);
    expect(chains.get("INPUT")!.rules[0]!.counters).toEqual({ pkts: 1, bytes: 60 });
    expect(chains.get("KUBE-SVC-NPX46M4PTMTKRN6Y")!.rules[0]!.counters).toEqual({ pkts: 5, bytes: 300 });
    expect(fresh.tables.nat.chains.get("PREROUTING")!.policyCounters).toEqual({ pkts: 7, bytes: 420 });
  });

  it("lists without -v and prints no Zeroing line, but still zeroes", () => {
    const fresh = load(read(RULES.edge!));
    const out = iptablesList(fresh, { table: "filter", chain: "KUBE-SVC-NPX46M4PTMTKRN6Y", zero: true, numeric: true });
    expect(out.stdout).toBe(
      "Chain KUBE-SVC-NPX46M4PTMTKRN6Y (1 references)\n" +
        "target     prot opt source               destination         \n" +
        "ACCEPT     udp  --  0.0.0.0/0            0.0.0.0/0           \n",
    );
    expect(fresh.tables.filter.chains.get("KUBE-SVC-NPX46M4PTMTKRN6Y")!.rules[0]!.counters).toEqual({ pkts: 0, bytes: 0 });
  });
});

describe("errors", () => {
  it.each([
    { name: "-L NOPE", opts: { table: "filter", chain: "NOPE", verbose: true } },
    { name: "-Z NOPE -L NOPE", opts: { table: "filter", chain: "NOPE", verbose: true, zero: true } },
    { name: "-t raw -L POSTROUTING", opts: { table: "raw", chain: "POSTROUTING" } },
  ] as { name: string; opts: IptablesListOptions }[])("$name: no output, the error, status 1, nothing zeroed", ({ opts }) => {
    const rs = load(read(RULES.edge!));
    expect(iptablesList(rs, opts)).toEqual({ stdout: "", error: "iptables: No chain/target/match by that name.", exitCode: 1 });
    expect(NO_CHAIN_ERROR).toBe("iptables: No chain/target/match by that name.");
    expect(rs.tables.filter.chains.get("G1")!.rules[0]!.counters.pkts).toBe(123456789);
  });

  it("lists a table nothing loaded as its empty built-in chains", () => {
    const rs = load(read(RULES.kthw!));
    expect(iptablesList(rs, { table: "raw" }).stdout).toBe(
      "Chain PREROUTING (policy ACCEPT)\ntarget     prot opt source               destination         \n\n" +
        "Chain OUTPUT (policy ACCEPT)\ntarget     prot opt source               destination         \n",
    );
  });
});

describe("the article's line", () => {
  it("prints CNI's masquerade jump with its counters as the article shows it (-v, no -n)", () => {
    const rs = load(read(RULES.kthw!));
    const post = rs.tables.nat.chains.get("POSTROUTING")!;
    Object.assign(post.rules[1]!.counters, { pkts: 5, bytes: 324 });
    const lines = iptablesList(rs, { table: "nat", chain: "POSTROUTING", verbose: true }).stdout.split("\n");
    expect(lines[3]).toBe(
      '    5   324 CNI-be726a77f15ea47ff32947a3  all  --  any    any     10.200.0.0/24        anywhere             /* name: "bridge" id: "631cab5de5565cc432a3beca0e2aece0cef9285482b11f3eb0b46c134e457854" */',
    );
  });

  it("prints kube-proxy's endpoint chain with counters", () => {
    const rs = load(read(RULES.kthw!));
    const sep = rs.tables.nat.chains.get("KUBE-SEP-UGTFMET44DQG7H7H")!;
    Object.assign(sep.rules[1]!.counters, { pkts: 2, bytes: 120 });
    expect(iptablesList(rs, { table: "nat", chain: "KUBE-SEP-UGTFMET44DQG7H7H", verbose: true, numeric: true }).stdout).toBe(
      "Chain KUBE-SEP-UGTFMET44DQG7H7H (1 references)\n" +
        " pkts bytes target     prot opt in     out     source               destination         \n" +
        "    0     0 KUBE-MARK-MASQ  all  --  *      *       10.200.1.18          0.0.0.0/0            /* default/nginx: */\n" +
        "    2   120 DNAT       tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            /* default/nginx: */ tcp to:10.200.1.18:80\n",
    );
  });
});

/** One rule's row under `iptables -t TABLE -L CHAIN` with the given flags. */
function row(table: TableName, chain: string, rule: string, opts: Partial<IptablesListOptions> = { verbose: true, numeric: true }): string {
  const builtins: Record<TableName, string[]> = {
    filter: ["INPUT", "FORWARD", "OUTPUT"],
    nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
    mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
    raw: ["PREROUTING", "OUTPUT"],
  };
  const text = `*${table}\n${builtins[table].map((c) => `:${c} ACCEPT [0:0]\n`).join("")}:G1 - [0:0]\n${rule}\nCOMMIT\n`;
  const out = iptablesList(load(text), { table, chain, ...opts }).stdout.split("\n");
  return out[2]!;
}

describe("rows (the brief's lab lines, as 1.6.1 prints them)", () => {
  it.each([
    ["nat", "PREROUTING", "-A PREROUTING -d 10.32.0.10/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.200.0.27:53", "    0     0 DNAT       tcp  --  *      *       0.0.0.0/0            10.32.0.10           tcp dpt:53 to:10.200.0.27:53"],
    ["nat", "PREROUTING", "-A PREROUTING -p udp -m multiport --dports 53,80,8000:8080 -j DNAT --to-destination 10.200.0.27-10.200.0.29:5353", "    0     0 DNAT       udp  --  *      *       0.0.0.0/0            0.0.0.0/0            multiport dports 53,80,8000:8080 to:10.200.0.27-10.200.0.29:5353"],
    ["nat", "PREROUTING", "-A PREROUTING -m addrtype --dst-type LOCAL -j RETURN", "    0     0 RETURN     all  --  *      *       0.0.0.0/0            0.0.0.0/0            ADDRTYPE match dst-type LOCAL"],
    ["nat", "PREROUTING", "-A PREROUTING -m addrtype ! --src-type LOCAL --dst-type LOCAL -j RETURN", "    0     0 RETURN     all  --  *      *       0.0.0.0/0            0.0.0.0/0            ADDRTYPE match src-type !LOCAL dst-type LOCAL"],
    ["nat", "PREROUTING", "-A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-in -j RETURN", "    0     0 RETURN     all  --  *      *       0.0.0.0/0            0.0.0.0/0            ADDRTYPE match dst-type LOCAL limit-in"],
    ["nat", "OUTPUT", "-A OUTPUT -m statistic --mode random --probability 0.33332999982 -j RETURN", "    0     0 RETURN     all  --  *      *       0.0.0.0/0            0.0.0.0/0            statistic mode random probability 0.33332999982"],
    ["nat", "OUTPUT", "-A OUTPUT -m statistic --mode nth --every 3 --packet 1 -j RETURN", "    0     0 RETURN     all  --  *      *       0.0.0.0/0            0.0.0.0/0            statistic mode nth every 3 packet 1"],
    ["nat", "OUTPUT", "-A OUTPUT -m statistic --mode nth --every 3 --packet 0 -j RETURN", "    0     0 RETURN     all  --  *      *       0.0.0.0/0            0.0.0.0/0            statistic mode nth every 3"],
    // 1.6.1's MASQUERADE has no --random-fully: the flag is in the kernel but not printed.
    ["nat", "POSTROUTING", "-A POSTROUTING -s 10.200.0.0/16 ! -d 224.0.0.0/4 -j MASQUERADE --random-fully", "    0     0 MASQUERADE  all  --  *      *       10.200.0.0/16       !224.0.0.0/4         "],
    ["nat", "POSTROUTING", "-A POSTROUTING -m mark --mark 0x4000/0x4000 -j SNAT --to-source 10.240.0.20 --random", "    0     0 SNAT       all  --  *      *       0.0.0.0/0            0.0.0.0/0            mark match 0x4000/0x4000 to:10.240.0.20 random"],
    ["nat", "POSTROUTING", "-A POSTROUTING -m mark ! --mark 0x8000 -j ACCEPT", "    0     0 ACCEPT     all  --  *      *       0.0.0.0/0            0.0.0.0/0            mark match ! 0x8000"],
    ["nat", "POSTROUTING", "-A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535", "    0     0 MASQUERADE  tcp  --  *      eth0    0.0.0.0/0            0.0.0.0/0            masq ports: 1024-65535"],
    ["nat", "G1", "-A G1 -j MARK --set-xmark 0x4000/0x4000", "    0     0 MARK       all  --  *      *       0.0.0.0/0            0.0.0.0/0            MARK or 0x4000"],
    ["nat", "G1", "-A G1 -j MARK --set-xmark 0x10/0xffffffff", "    0     0 MARK       all  --  *      *       0.0.0.0/0            0.0.0.0/0            MARK set 0x10"],
    ["nat", "G1", "-A G1 -j MARK --set-xmark 0x10/0xff", "    0     0 MARK       all  --  *      *       0.0.0.0/0            0.0.0.0/0            MARK xset 0x10/0xff"],
    ["nat", "G1", "-A G1 -j MARK --set-xmark 0x0/0xffffff00", "    0     0 MARK       all  --  *      *       0.0.0.0/0            0.0.0.0/0            MARK and 0xff"],
    ["nat", "G1", "-A G1 -j MARK --set-xmark 0x1/0x0", "    0     0 MARK       all  --  *      *       0.0.0.0/0            0.0.0.0/0            MARK xor 0x1"],
    ["filter", "INPUT", "-A INPUT -m conntrack --ctstate NEW,RELATED,ESTABLISHED -j ACCEPT", "    0     0 ACCEPT     all  --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate NEW,RELATED,ESTABLISHED"],
    ["filter", "INPUT", "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT", "    0     0 ACCEPT     all  --  *      *       0.0.0.0/0            0.0.0.0/0            state RELATED,ESTABLISHED"],
    ["filter", "INPUT", "-A INPUT -m conntrack ! --ctstate INVALID -j ACCEPT", "    0     0 ACCEPT     all  --  *      *       0.0.0.0/0            0.0.0.0/0            ! ctstate INVALID"],
    ["filter", "INPUT", "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT", "    0     0 ACCEPT     tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            tcp flags:0x17/0x02"],
    ["filter", "INPUT", "-A INPUT -p tcp -m tcp --sport 1024:65535 ! --dport 22 -j ACCEPT", "    0     0 ACCEPT     tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            tcp spts:1024:65535 dpt:!22"],
    ["filter", "INPUT", "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT", "    0     0 ACCEPT     icmp --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 8"],
    ["filter", "INPUT", "-A INPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT", "    0     0 ACCEPT     icmp --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 3 code 3"],
    ["filter", "INPUT", "-A INPUT ! -p udp -j ACCEPT", "    0     0 ACCEPT    !udp  --  *      *       0.0.0.0/0            0.0.0.0/0           "],
    ["filter", "INPUT", "-A INPUT -j REJECT --reject-with icmp-port-unreachable", "    0     0 REJECT     all  --  *      *       0.0.0.0/0            0.0.0.0/0            reject-with icmp-port-unreachable"],
    ["filter", "INPUT", '-A INPUT -j LOG --log-prefix "hop: " --log-level 6', '    0     0 LOG        all  --  *      *       0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 6 prefix "hop: "'],
    ["filter", "INPUT", "-A INPUT -j LOG", "    0     0 LOG        all  --  *      *       0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4"],
    ["filter", "INPUT", '-A INPUT -m comment --comment "a \\"quoted\\" \\\\back\\\\slash" -j ACCEPT', '    0     0 ACCEPT     all  --  *      *       0.0.0.0/0            0.0.0.0/0            /* a "quoted" \\back\\slash */'],
    ["filter", "INPUT", "-A INPUT -g G1", "    0     0 G1         all  --  *      *       0.0.0.0/0            0.0.0.0/0           [goto] "],
    ["filter", "INPUT", "-A INPUT -s 10.1.2.3/32 -j ACCEPT", "    0     0 ACCEPT     all  --  *      *       10.1.2.3             0.0.0.0/0           "],
    ["filter", "FORWARD", "-A FORWARD -i eth+ ! -o veth0 -j DROP", "    0     0 DROP       all  --  eth+   !veth0  0.0.0.0/0            0.0.0.0/0           "],
    ["filter", "G1", "-A G1", "    0     0            all  --  *      *       0.0.0.0/0            0.0.0.0/0           "],
  ] as [TableName, string, string, string][])("%s %s: %s", (table, chain, rule, want) => {
    expect(row(table, chain, rule)).toBe(want);
  });
});

describe("rows without -n (2018 names: netbase 5.4 services, libipt_icmp and LOG names)", () => {
  it.each([
    ["filter", "INPUT", "-A INPUT -p tcp -m tcp --sport 1024:65535 ! --dport 22 -j ACCEPT", "tcp spts:1024:65535 dpt:!ssh"],
    ["nat", "PREROUTING", "-A PREROUTING -p udp -m multiport --dports 53,80,8000:8080 -j DNAT --to-destination 10.200.0.27-10.200.0.29:5353", "multiport dports domain,http,8000:http-alt to:10.200.0.27-10.200.0.29:5353"],
    ["filter", "INPUT", "-A INPUT -p udp -m udp --dport 443 -j ACCEPT", "udp dpt:https"],
    ["filter", "INPUT", "-A INPUT -p udp -m udp --sport 22 -j ACCEPT", "udp spt:ssh"],
    ["filter", "INPUT", "-A INPUT -p tcp -m tcp --dport 6443 -j ACCEPT", "tcp dpt:6443"],
    ["filter", "INPUT", "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT", "tcp flags:FIN,SYN,RST,ACK/SYN"],
    ["filter", "INPUT", "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT", "icmp echo-request"],
    ["filter", "INPUT", "-A INPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT", "icmp port-unreachable"],
    ["filter", "INPUT", "-A INPUT -p icmp -m icmp ! --icmp-type 0 -j ACCEPT", "icmp !echo-reply"],
    ["filter", "INPUT", "-A INPUT -p icmp -m icmp --icmp-type 8/0 -j ACCEPT", "icmptype 8 code 0"],
    ["filter", "INPUT", '-A INPUT -j LOG --log-prefix "hop: " --log-level 6', 'LOG level info prefix "hop: "'],
    ["filter", "INPUT", "-A INPUT -j LOG", "LOG level warning"],
    ["filter", "INPUT", "-A INPUT -j LOG --log-level 3", "LOG level error"],
  ] as [TableName, string, string, string][])("%s %s: %s", (table, chain, rule, want) => {
    // -v columns: pkts 6, bytes 6, target 10, prot 6, opt 3, in 8, out 7, source 21, destination 21.
    const line = row(table, chain, rule, { verbose: true });
    expect(line.slice(0, 88).endsWith("--  any    any     anywhere             anywhere            ")).toBe(true);
    expect(line.slice(88)).toBe(" " + want);
  });

  it("prints any, anywhere and the numeric address of a host", () => {
    expect(row("filter", "FORWARD", "-A FORWARD -s 10.200.0.0/16 -d 10.1.2.3/32 -j ACCEPT", { verbose: true })).toBe(
      "    0     0 ACCEPT     all  --  any    any     10.200.0.0/16        10.1.2.3            ",
    );
    expect(row("filter", "FORWARD", "-A FORWARD ! -s 10.200.0.0/16 -j ACCEPT", {})).toBe("ACCEPT     all  -- !10.200.0.0/16        anywhere            ");
  });
});

describe("counter columns (xtables_print_num)", () => {
  it.each([
    [0, false, "    0 "],
    [99999, false, "99999 "],
    [100000, false, " 100K "],
    [123456, false, " 123K "],
    [9999499, false, "9999K "],
    [9999500, false, "  10M "],
    [98765432, false, "  99M "],
    [9876543210, false, "9877M "],
    [12345678901234, false, "  12T "],
    [0, true, "       0 "],
    [123456789, true, "123456789 "],
  ] as [number, boolean, string][])("%d (exact %s) → %j", (n, exact, want) => {
    expect(formatCount(n, exact)).toBe(want);
  });

  it("prints the policy counters without padding", () => {
    expect(formatCount(123456, false, false)).toBe("123K ");
    expect(formatCount(1206, true, false)).toBe("1206 ");
  });
});

describe("chain headers", () => {
  it("counts jumps and gotos as references and lists chains in save order", () => {
    const rs = load(read(RULES.edge!));
    const heads = iptablesList(rs, { table: "filter" })
      .stdout.split("\n")
      .filter((l) => l.startsWith("Chain "));
    expect(heads).toEqual([
      "Chain INPUT (policy ACCEPT)",
      "Chain FORWARD (policy DROP)",
      "Chain OUTPUT (policy ACCEPT)",
      "Chain G1 (3 references)",
      "Chain KUBE-SVC-NPX46M4PTMTKRN6Y (1 references)",
    ]);
  });

  it("prints the header of each column combination", () => {
    const rs = load(read(RULES.edge!));
    const header = (o: Partial<IptablesListOptions>) => iptablesList(rs, { table: "filter", chain: "OUTPUT", ...o }).stdout.split("\n")[1];
    expect(header({})).toBe("target     prot opt source               destination         ");
    expect(header({ verbose: true })).toBe(" pkts bytes target     prot opt in     out     source               destination         ");
    expect(header({ verbose: true, exact: true })).toBe("    pkts      bytes target     prot opt in     out     source               destination         ");
    expect(header({ lineNumbers: true })).toBe("num  target     prot opt source               destination         ");
    expect(header({ verbose: true, lineNumbers: true })).toBe("num   pkts bytes target     prot opt in     out     source               destination         ");
  });
});
