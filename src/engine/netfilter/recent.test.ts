/**
 * -m recent, as kube-proxy 1.10 writes it for ClientIP session affinity. The saved and listed
 * texts are what iptables-legacy printed in a lab for the same rules; the behaviour follows
 * xt_recent's recent_mt.
 */
import { describe, expect, it } from "vitest";
import { ipv4 } from "../addr/ipv4";
import type { Packet } from "../packet/packet";
import { seededRng } from "../rng";
import { iptablesList } from "../shell/iptables-list";
import { iptablesSave, loadIptablesSave } from "./save";
import type { Ruleset } from "./types";
import { walkTable, type MatchContext } from "./walk";

const SET = '-A KUBE-SEP-X -p tcp -m comment --comment "default/kubernetes:https" -m recent --set --name KUBE-SEP-X --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.240.0.10:6443';
const CHECK = '-A KUBE-SVC-Y -m comment --comment "default/kubernetes:https" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-X --mask 255.255.255.255 --rsource -j KUBE-SEP-X';
const TEXT = `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:KUBE-SEP-X - [0:0]\n:KUBE-SVC-Y - [0:0]\n${SET}\n${CHECK}\nCOMMIT\n`;

function load(text: string): Ruleset {
  const r = loadIptablesSave(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe("-m recent", () => {
  it("saves kube-proxy's affinity rules back exactly as iptables-save does (lab)", () => {
    const out = iptablesSave(load(TEXT), { table: "nat" });
    expect(out).toContain(SET + "\n");
    expect(out).toContain(CHECK + "\n");
  });

  it("fills in what the kernel defaults: name DEFAULT, the full mask, the source side", () => {
    const out = iptablesSave(load(TEXT.replace(CHECK, "-A KUBE-SVC-Y -m recent --update --seconds 60 --hitcount 3 -j KUBE-SEP-X")), { table: "nat" });
    expect(out).toContain("-A KUBE-SVC-Y -m recent --update --seconds 60 --hitcount 3 --name DEFAULT --mask 255.255.255.255 --rsource -j KUBE-SEP-X\n");
  });

  it("lists them as iptables -L does (lab)", () => {
    const rs = load(TEXT);
    expect(iptablesList(rs, { table: "nat", chain: "KUBE-SEP-X" }).stdout.split("\n")[2]).toBe(
      "DNAT       tcp  --  anywhere             anywhere             /* default/kubernetes:https */ recent: SET name: KUBE-SEP-X side: source mask: 255.255.255.255 tcp to:10.240.0.10:6443",
    );
    expect(iptablesList(rs, { table: "nat", chain: "KUBE-SVC-Y" }).stdout.split("\n")[2]).toBe(
      "KUBE-SEP-X  all  --  anywhere             anywhere             /* default/kubernetes:https */ recent: CHECK seconds: 10800 reap name: KUBE-SEP-X side: source mask: 255.255.255.255",
    );
  });

  it.each([
    ["-m recent --name X", "exactly one of --set, --rcheck, --update, --remove"],
    ["-m recent --set --rcheck", "exactly one of"],
    ["-m recent --set --seconds 5", "--seconds and --hitcount go with --rcheck or --update"],
    ["-m recent --rcheck --reap", "--reap needs --seconds"],
    ["-m recent --rcheck --mask 300.0.0.0", "is not an IPv4 mask"],
    ["-m recent --rcheck --rsource --rdest", "cannot be combined"],
    ["-m recent --rcheck --seconds 5 --rttl", "--rttl is not simulated"],
  ])("refuses %j", (body, error) => {
    const r = loadIptablesSave(`*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD ${body} -j ACCEPT\nCOMMIT\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain(error);
  });

  it("refreshes on ! --update only when the rule's answer is a match, as recent_mt does", () => {
    const rs = load(`*filter\n:FORWARD DROP [0:0]\n-A FORWARD -m recent ! --update --seconds 10 --name A --rsource -j ACCEPT\nCOMMIT\n`);
    const lists = new Map<string, Map<number, number[]>>([["A", new Map([[ipv4("10.200.0.21"), [0]]])]]);
    const ctx = (now: number): MatchContext => ({ hook: "FORWARD", mark: 0, addrType: () => "UNICAST", rng: seededRng(1), nth: new Map(), recent: lists, now });
    const p: Packet = { proto: "icmp", src: ipv4("10.200.0.21"), dst: ipv4("10.200.1.15"), sport: 0, dport: 0, ttl: 64, ipId: 1, length: 84, icmp: { type: 8, code: 0, id: 1, seq: 1 } };
    // Seen 5 s ago: a hit, so "!" makes it no match, and nothing is refreshed.
    expect(walkTable("filter", rs.tables.filter, "FORWARD", p, ctx(5_000)).kind).toBe("drop");
    expect(lists.get("A")!.get(ipv4("10.200.0.21"))).toEqual([0]);
    // 20 s later: no hit, so the rule matches, and --update stamps the entry.
    expect(walkTable("filter", rs.tables.filter, "FORWARD", p, ctx(20_000)).kind).toBe("accept");
    expect(lists.get("A")!.get(ipv4("10.200.0.21"))).toEqual([0, 20_000]);
  });

  it("remembers a client on --set and sends it back within --seconds, forgetting it after (--reap)", () => {
    const rs = load(`*filter\n:FORWARD DROP [0:0]\n:SEEN - [0:0]\n-A FORWARD -m recent --rcheck --seconds 10 --reap --name A --rsource -j ACCEPT\n-A FORWARD -s 10.200.0.0/16 -j SEEN\n-A SEEN -m recent --set --name A --rsource -j DROP\nCOMMIT\n`);
    const lists = new Map<string, Map<number, number[]>>();
    const ctx = (now: number): MatchContext => ({ hook: "FORWARD", mark: 0, addrType: () => "UNICAST", rng: seededRng(1), nth: new Map(), recent: lists, now });
    const p: Packet = { proto: "tcp", src: ipv4("10.200.0.21"), dst: ipv4("10.32.0.1"), sport: 40000, dport: 443, ttl: 64, ipId: 1, length: 60, tcp: { syn: true, ack: false, fin: false, rst: false, psh: false, seq: 1, ackSeq: 0, win: 1 } };
    // First packet: not seen yet → SEEN sets it and drops.
    expect(walkTable("filter", rs.tables.filter, "FORWARD", p, ctx(0)).kind).toBe("drop");
    expect([...lists.get("A")!.keys()]).toEqual([ipv4("10.200.0.21")]);
    // Within 10 s: the check matches.
    expect(walkTable("filter", rs.tables.filter, "FORWARD", p, ctx(9_000)).kind).toBe("accept");
    // After 10 s the check fails and --reap removes the stale entry (the oldest); SEEN records it anew.
    expect(walkTable("filter", rs.tables.filter, "FORWARD", p, ctx(20_001)).kind).toBe("drop");
    expect(lists.get("A")!.get(ipv4("10.200.0.21"))).toEqual([20_001]);
    // Another client is its own entry.
    const other = { ...p, src: ipv4("10.200.1.15") };
    expect(walkTable("filter", rs.tables.filter, "FORWARD", other, ctx(20_002)).kind).toBe("drop");
    // 15 s on, a check for the second client reaps the least recently used other entry, the first client's.
    expect(walkTable("filter", rs.tables.filter, "FORWARD", other, ctx(31_000)).kind).toBe("drop");
    expect(lists.get("A")!.has(ipv4("10.200.0.21"))).toBe(false);
  });
});
