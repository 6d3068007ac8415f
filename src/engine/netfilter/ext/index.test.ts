import { describe, expect, it } from "vitest";
import { iptablesList } from "../../shell/iptables-list";
import { formatRule } from "../format";
import { formatParseError, parseIptablesSave } from "../parse";
import { loadIptablesSave } from "../save";
import type { Rule, Ruleset, TableName } from "../types";
import { MATCH_NAMES, matchModule, targetModule } from ".";

const HEADS: Record<TableName, string> = {
  filter: "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:C - [0:0]\n",
  nat: "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:C - [0:0]\n",
  mangle: "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:C - [0:0]\n",
  raw: "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:C - [0:0]\n",
};

function load(table: TableName, chain: string, body: string): Ruleset {
  const r = loadIptablesSave(`${HEADS[table]}-A ${chain} ${body}\nCOMMIT\n`);
  if (!r.ok) throw new Error(formatParseError(r.error));
  return r.value;
}

const loadRule = (table: TableName, chain: string, body: string): Rule => load(table, chain, body).tables[table].chains.get(chain)!.rules[0]!;

/** What the rule's row of `iptables -L -n` holds after the destination column. */
function listed(table: TableName, chain: string, body: string): string {
  const [, header, row] = iptablesList(load(table, chain, body), { table, chain, numeric: true }).stdout.split("\n");
  // A target name longer than its column (MASQUERADE) pushes the rest of the row right.
  return row!.slice(header!.length + Math.max(0, row!.indexOf(" ") - 9));
}

describe("unknown extensions", () => {
  it("an unknown match module is an error naming the line, the column and the module", () => {
    const r = parseIptablesSave("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m frob --frob 1 -j ACCEPT\nCOMMIT\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatParseError(r.error, "rules")).toBe(
      'rules:3:20: unsupported match module "frob" (supported: comment, tcp, udp, icmp, mark, addrtype, statistic, conntrack, state, multiport, recent, nfacct, set, rpfilter)',
    );
  });

  it("an option of an unknown target is an error naming the line, the column and the target", () => {
    const r = parseIptablesSave("*filter\n-A INPUT -s 10.0.0.1 -j FROB --frob 1\nCOMMIT\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatParseError(r.error)).toBe('input:2:30: unknown option "--frob" for target FROB');
  });

  it("an unknown target, which could be a chain until COMMIT, is an error naming its line and the target", () => {
    const r = loadIptablesSave("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1 -j FROB\nCOMMIT\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.line).toBe(3);
    expect(r.error.column).toBeGreaterThanOrEqual(1);
    expect(r.error.message).toBe('rule in INPUT jumps to "FROB", which is neither a target nor a chain of table filter');
  });
});

describe("the registry", () => {
  // One rule per extension, as iptables-save prints it, with the end of its `iptables -L -n` row.
  const RULES: [TableName, string, string, string][] = [
    ["filter", "INPUT", '-m comment --comment "a b" -j ACCEPT', " /* a b */"],
    ["filter", "INPUT", "-p tcp -m tcp --sport 1024:65535 ! --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -j DROP", " tcp spts:1024:65535 dpt:!22 flags:0x17/0x02"],
    ["filter", "INPUT", "-p udp -m udp --dport 53 -j RETURN", " udp dpt:53"],
    ["filter", "INPUT", "-p icmp -m icmp --icmp-type 3/3 -j REJECT --reject-with icmp-port-unreachable", " icmptype 3 code 3 reject-with icmp-port-unreachable"],
    ["filter", "INPUT", "-m mark ! --mark 0x10/0xff -j C", " mark match ! 0x10/0xff"],
    ["filter", "INPUT", "-m addrtype ! --src-type LOCAL --dst-type LOCAL,BROADCAST --limit-iface-in -g C", "[goto]  ADDRTYPE match src-type !LOCAL dst-type LOCAL,BROADCAST limit-in"],
    ["filter", "INPUT", "-m statistic --mode nth --every 3 --packet 1", " statistic mode nth every 3 packet 1"],
    ["filter", "INPUT", "-m conntrack ! --ctstate INVALID,DNAT -j LOG --log-prefix x --log-level 6", " ! ctstate INVALID,DNAT LOG flags 0 level 6 prefix \"x\""],
    ["filter", "INPUT", "-m state --state RELATED,ESTABLISHED -j ACCEPT", " state RELATED,ESTABLISHED"],
    ["filter", "INPUT", "-p tcp -m multiport --dports 80,8000:8080 -j ACCEPT", " multiport dports 80,8000:8080"],
    ["filter", "INPUT", "-m recent --rcheck --seconds 60 --reap --name A --mask 255.255.255.0 --rdest -j ACCEPT", " recent: CHECK seconds: 60 reap name: A side: dest mask: 255.255.255.0"],
    ["nat", "PREROUTING", "-p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.2:80 --random --persistent", " to:10.0.0.1-10.0.0.2:80 random persistent"],
    ["nat", "POSTROUTING", "-j SNAT --to-source 10.0.0.1 --random-fully", " to:10.0.0.1 random-fully"],
    ["nat", "POSTROUTING", "-p udp -j MASQUERADE --to-ports 1024-2000 --random", " masq ports: 1024-2000 random"],
    ["mangle", "OUTPUT", "-j MARK --set-xmark 0x4000/0x4000", " MARK or 0x4000"],
    ["filter", "FORWARD", "-m conntrack --ctstate INVALID -m nfacct --nfacct-name  ct_state_invalid_dropped_pkts -j DROP", " ctstate INVALID nfacct-name  ct_state_invalid_dropped_pkts"],
    ["nat", "POSTROUTING", "-m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40network-ip-pools dst -j MASQUERADE", " match-set cali40masq-ipam-pools src ! match-set cali40network-ip-pools dst"],
    // rpfilter and NOTRACK as iptables 1.8.9 saved and listed them in the lab (docs/kernel-lab-notes.md, Calico).
    ["raw", "PREROUTING", "-m mark --mark 0x80000/0x80000 -m rpfilter --validmark --invert -j DROP", " mark match 0x80000/0x80000 rpfilter validmark invert"],
    ["raw", "PREROUTING", "-m rpfilter --loose --accept-local -j ACCEPT", " rpfilter loose accept-local"],
    ["raw", "PREROUTING", "-p udp -m udp --dport 4789 -j NOTRACK", " udp dpt:4789 NOTRACK"],
  ];

  it.each(RULES)("%s %s %s: saves back as given and lists its own text", (table, chain, body, text) => {
    const rule = loadRule(table, chain, body);
    expect(formatRule(chain, rule)).toBe(`-A ${chain} ${body}`);
    expect(listed(table, chain, body)).toBe(text);
  });

  it("has a rule above for every match, and every value finds its own module", () => {
    const seen = new Set<string>();
    for (const [table, chain, body] of RULES) {
      const rule = loadRule(table, chain, body);
      for (const m of rule.matches) {
        seen.add(m.kind);
        expect(matchModule(m).save(m)).toMatch(new RegExp(`^ -m ${m.kind}\\b`));
      }
      const text = " " + body;
      expect(targetModule(rule.target).save(rule.target)).toBe(text.slice(text.search(/ -[jg] |$/)));
    }
    expect([...seen].sort()).toEqual([...MATCH_NAMES].sort());
  });
});
