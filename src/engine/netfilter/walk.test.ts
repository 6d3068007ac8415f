import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ipv4, formatIpv4 } from "../addr/ipv4";
import type { Packet, TcpInfo } from "../packet/packet";
import { seededRng } from "../rng";
import { loadIptablesSave } from "./save";
import type { AddrType, ConnState, HookName, Ruleset, TableName } from "./types";
import { walkTable, type ChainVerdict, type MatchContext, type MatchedRule } from "./walk";

const KTHW = readFileSync(new URL("./__fixtures__/kthw-worker-0.rules", import.meta.url), "utf8");

function load(text: string): Ruleset {
  const r = loadIptablesSave(text);
  if (!r.ok) throw new Error(`expected the input to load, got line ${r.error.line}: ${r.error.message}`);
  return r.value;
}

function tcpFlags(flags: string): TcpInfo {
  return {
    syn: flags.includes("S"),
    ack: flags.includes("."),
    fin: flags.includes("F"),
    rst: flags.includes("R"),
    psh: flags.includes("P"),
    seq: 1000,
    ackSeq: flags.includes(".") ? 2000 : 0,
    win: 64240,
  };
}

/** A TCP SYN 10.0.0.1:40000 -> 10.0.0.2:80 of 60 bytes, changed by `over`. */
function packet(over: Partial<Packet> = {}): Packet {
  const proto = over.proto ?? "tcp";
  return {
    proto,
    src: ipv4("10.0.0.1"),
    dst: ipv4("10.0.0.2"),
    sport: proto === "icmp" ? 0 : 40000,
    dport: proto === "icmp" ? 0 : 80,
    ttl: 64,
    ipId: 1,
    length: 60,
    ...(proto === "tcp" && { tcp: tcpFlags("S") }),
    ...(proto === "icmp" && { icmp: { type: 8, code: 0, id: 7, seq: 1 } }),
    ...over,
  };
}

const LOCAL_IP = ipv4("10.0.0.2");
const BROADCAST_IP = ipv4("10.255.255.255");

/** Route types: 10.0.0.2 is local (but not on eth1), 10.255.255.255 is broadcast, everything else unicast. */
function addrTypeStub(ip: number, iface?: string): AddrType {
  if (ip === LOCAL_IP) return iface === "eth1" ? "UNICAST" : "LOCAL";
  if (ip === BROADCAST_IP) return "BROADCAST";
  return "UNICAST";
}

interface CtxOptions {
  hook?: HookName;
  inIface?: string;
  outIface?: string;
  mark?: number;
  ctState?: ConnState;
  ctSnat?: boolean;
  ctDnat?: boolean;
  seed?: number;
}

function context(o: CtxOptions = {}): MatchContext {
  return {
    hook: o.hook ?? "FORWARD",
    ...(o.inIface !== undefined && { inIface: o.inIface }),
    ...(o.outIface !== undefined && { outIface: o.outIface }),
    mark: o.mark ?? 0,
    ...(o.ctState !== undefined && { ctState: o.ctState }),
    ...(o.ctSnat !== undefined && { ctSnat: o.ctSnat }),
    ...(o.ctDnat !== undefined && { ctDnat: o.ctDnat }),
    addrType: addrTypeStub,
    rng: seededRng(o.seed ?? 1),
    nth: new Map(),
  };
}

/** FORWARD (policy DROP) holds one rule `<body> -j ACCEPT`; true when the packet is accepted by it. */
function matches(body: string, p: Packet, o: CtxOptions = {}): boolean {
  const rs = load(`*filter\n:FORWARD DROP [0:0]\n-A FORWARD ${body} -j ACCEPT\nCOMMIT\n`);
  const v = walkTable("filter", rs.tables.filter, "FORWARD", p, context({ ...o, hook: "FORWARD" }));
  if (v.kind === "accept") {
    expect(v.by).not.toBe("policy");
    return true;
  }
  expect(v).toEqual({ kind: "drop", by: "policy", chain: "FORWARD" });
  return false;
}

/** Walks `hook` of `table` and returns the verdict and the rules that matched as "CHAIN#index". */
function walk(rs: Ruleset, table: TableName, hook: HookName, p: Packet, ctx: MatchContext): { verdict: ChainVerdict; trail: string[] } {
  const trail: string[] = [];
  const verdict = walkTable(table, rs.tables[table], hook, p, ctx, (m: MatchedRule) => {
    expect(m.table).toBe(table);
    trail.push(`${m.chain}#${m.index}`);
  });
  return { verdict, trail };
}

const by = (v: ChainVerdict) => (v.by === "policy" ? "policy" : `${v.by.chain}#${v.by.index}`);

describe("matches", () => {
  const A = (s: string) => ipv4(s);
  it.each<[string, string, Partial<Packet>, CtxOptions, boolean]>([
    // Addresses
    ["-s inside the prefix", "-s 10.0.0.0/8", { src: A("10.9.8.7") }, {}, true],
    ["-s outside the prefix", "-s 10.0.0.0/8", { src: A("11.0.0.1") }, {}, false],
    ["! -s outside the prefix", "! -s 10.0.0.0/8", { src: A("11.0.0.1") }, {}, true],
    ["! -s inside the prefix", "! -s 10.0.0.0/8", { src: A("10.0.0.1") }, {}, false],
    ["-s host route, same host", "-s 10.0.0.1", { src: A("10.0.0.1") }, {}, true],
    ["-s host route, next host", "-s 10.0.0.1", { src: A("10.0.0.3") }, {}, false],
    ["-s with host bits given (cleared)", "-s 10.200.7.7/16", { src: A("10.200.0.9") }, {}, true],
    ["-s 0.0.0.0/0 matches anything", "-s 0.0.0.0/0", { src: A("203.0.113.9") }, {}, true],
    ["-d inside a /4 with the top bit set", "-d 224.0.0.0/4", { dst: A("239.255.255.250") }, {}, true],
    ["-d outside a /4", "-d 224.0.0.0/4", { dst: A("240.0.0.1") }, {}, false],
    ["! -d outside a /4", "! -d 224.0.0.0/4", { dst: A("10.0.0.2") }, {}, true],
    ["! -d inside a /4", "! -d 224.0.0.0/4", { dst: A("224.0.0.1") }, {}, false],
    ["-d 255.255.255.255", "-d 255.255.255.255/32", { dst: A("255.255.255.255") }, {}, true],
    // Protocol
    ["-p tcp on tcp", "-p tcp", { proto: "tcp" }, {}, true],
    ["-p tcp on udp", "-p tcp", { proto: "udp" }, {}, false],
    ["! -p tcp on udp", "! -p tcp", { proto: "udp" }, {}, true],
    ["! -p tcp on tcp", "! -p tcp", { proto: "tcp" }, {}, false],
    ["-p icmp on icmp", "-p icmp", { proto: "icmp" }, {}, true],
    ["-p 17 on udp", "-p 17", { proto: "udp" }, {}, true],
    ["-p all on icmp", "-p all", { proto: "icmp" }, {}, true],
    // Interfaces
    ["-i exact name", "-i eth0", {}, { inIface: "eth0" }, true],
    ["-i other name", "-i eth0", {}, { inIface: "eth1" }, false],
    ["-i is not a prefix match", "-i eth", {}, { inIface: "eth0" }, false],
    ["-i without an input interface", "-i eth0", {}, {}, false],
    ["-i eth+ wildcard hit", "-i eth+", {}, { inIface: "eth12" }, true],
    ["-i eth+ wildcard miss", "-i eth+", {}, { inIface: "veth0" }, false],
    ["! -i eth+ on veth0", "! -i eth+", {}, { inIface: "veth0" }, true],
    ["! -i eth+ on eth3", "! -i eth+", {}, { inIface: "eth3" }, false],
    ["-i + matches every interface", "-i +", {}, { inIface: "cni0" }, true],
    ["-o exact name", "-o veth0", {}, { outIface: "veth0" }, true],
    ["-o other name", "-o veth0", {}, { outIface: "veth1" }, false],
    ["-o cni+ wildcard", "-o cni+", {}, { outIface: "cni0" }, true],
    ["! -o veth0 on eth0", "! -o veth0", {}, { outIface: "eth0" }, true],
    ["! -o veth0 on veth0", "! -o veth0", {}, { outIface: "veth0" }, false],
    ["-i and -o together", "-i eth+ ! -o veth0", {}, { inIface: "eth0", outIface: "cni0" }, true],
    ["-i and -o together, -o excluded", "-i eth+ ! -o veth0", {}, { inIface: "eth0", outIface: "veth0" }, false],
    // comment
    ["a comment matches everything", '-m comment --comment "anything at all"', {}, {}, true],
    // tcp / udp ports
    ["--dport equal", "-p tcp --dport 80", { dport: 80 }, {}, true],
    ["--dport different", "-p tcp --dport 80", { dport: 81 }, {}, false],
    ["! --dport different", "-p tcp ! --dport 80", { dport: 81 }, {}, true],
    ["! --dport equal", "-p tcp ! --dport 80", { dport: 80 }, {}, false],
    ["--dport range lower bound", "-p tcp --dport 1000:2000", { dport: 1000 }, {}, true],
    ["--dport range upper bound", "-p tcp --dport 1000:2000", { dport: 2000 }, {}, true],
    ["--dport range below", "-p tcp --dport 1000:2000", { dport: 999 }, {}, false],
    ["--dport range above", "-p tcp --dport 1000:2000", { dport: 2001 }, {}, false],
    ["! --dport range outside", "-p tcp ! --dport 1000:2000", { dport: 999 }, {}, true],
    ["--sport open-ended range", "-p tcp --sport 1024:", { sport: 65535 }, {}, true],
    ["--sport open-ended range below", "-p tcp --sport 1024:", { sport: 1023 }, {}, false],
    ["--sport and --dport both hit", "-p tcp --sport 1024:65535 --dport 22", { sport: 5000, dport: 22 }, {}, true],
    ["--sport hit but --dport miss", "-p tcp --sport 1024:65535 --dport 22", { sport: 5000, dport: 23 }, {}, false],
    ["udp --sport equal", "-p udp --sport 53", { proto: "udp", sport: 53 }, {}, true],
    ["udp --sport different", "-p udp --sport 53", { proto: "udp", sport: 54 }, {}, false],
    ["a tcp port rule on a udp packet", "-p tcp --dport 53", { proto: "udp", dport: 53 }, {}, false],
    ["a udp port rule on a tcp packet", "-p udp --dport 53", { proto: "tcp", dport: 53 }, {}, false],
    // tcp flags
    ["--syn on a SYN", "-p tcp --syn", { tcp: tcpFlags("S") }, {}, true],
    ["--syn on a SYN-ACK", "-p tcp --syn", { tcp: tcpFlags("S.") }, {}, false],
    ["--syn on an ACK", "-p tcp --syn", { tcp: tcpFlags(".") }, {}, false],
    ["--syn on a SYN-RST", "-p tcp --syn", { tcp: tcpFlags("SR") }, {}, false],
    ["! --syn on an ACK", "-p tcp ! --syn", { tcp: tcpFlags(".") }, {}, true],
    ["! --syn on a SYN", "-p tcp ! --syn", { tcp: tcpFlags("S") }, {}, false],
    ["--tcp-flags SYN,ACK SYN,ACK on a SYN-ACK", "-p tcp --tcp-flags SYN,ACK SYN,ACK", { tcp: tcpFlags("S.") }, {}, true],
    ["--tcp-flags SYN,ACK SYN,ACK on a SYN", "-p tcp --tcp-flags SYN,ACK SYN,ACK", { tcp: tcpFlags("S") }, {}, false],
    ["--tcp-flags RST RST on a RST-ACK", "-p tcp --tcp-flags RST RST", { tcp: tcpFlags("R.") }, {}, true],
    ["--tcp-flags FIN,ACK NONE on a SYN", "-p tcp --tcp-flags FIN,ACK NONE", { tcp: tcpFlags("S") }, {}, true],
    ["--tcp-flags FIN,ACK NONE on a FIN-ACK", "-p tcp --tcp-flags FIN,ACK NONE", { tcp: tcpFlags("F.") }, {}, false],
    ["--tcp-flags ALL NONE on a null packet", "-p tcp --tcp-flags ALL NONE", { tcp: tcpFlags("") }, {}, true],
    ["--tcp-flags ALL NONE on a PSH-ACK", "-p tcp --tcp-flags ALL NONE", { tcp: tcpFlags("P.") }, {}, false],
    ["! --tcp-flags SYN,ACK SYN,ACK on an ACK", "-p tcp ! --tcp-flags SYN,ACK SYN,ACK", { tcp: tcpFlags(".") }, {}, true],
    // icmp
    ["--icmp-type echo-request on a ping", "-p icmp --icmp-type echo-request", { proto: "icmp", icmp: { type: 8, code: 0, id: 1, seq: 1 } }, {}, true],
    ["--icmp-type echo-request on a reply", "-p icmp --icmp-type echo-request", { proto: "icmp", icmp: { type: 0, code: 0, id: 1, seq: 1 } }, {}, false],
    ["! --icmp-type echo-request on a reply", "-p icmp ! --icmp-type echo-request", { proto: "icmp", icmp: { type: 0, code: 0, id: 1, seq: 1 } }, {}, true],
    ["! --icmp-type echo-request on a ping", "-p icmp ! --icmp-type echo-request", { proto: "icmp", icmp: { type: 8, code: 0, id: 1, seq: 1 } }, {}, false],
    ["--icmp-type 3/3 on port unreachable", "-p icmp --icmp-type 3/3", { proto: "icmp", icmp: { type: 3, code: 3, id: 0, seq: 0 } }, {}, true],
    ["--icmp-type 3/3 on host unreachable", "-p icmp --icmp-type 3/3", { proto: "icmp", icmp: { type: 3, code: 1, id: 0, seq: 0 } }, {}, false],
    ["--icmp-type 3 on any code of type 3", "-p icmp --icmp-type destination-unreachable", { proto: "icmp", icmp: { type: 3, code: 13, id: 0, seq: 0 } }, {}, true],
    ["--icmp-type 11 on type 3", "-p icmp --icmp-type time-exceeded", { proto: "icmp", icmp: { type: 3, code: 0, id: 0, seq: 0 } }, {}, false],
    // mark
    ["--mark v/m with the bit set", "-m mark --mark 0x4000/0x4000", {}, { mark: 0x4001 }, true],
    ["--mark v/m with the bit clear", "-m mark --mark 0x4000/0x4000", {}, { mark: 0x8000 }, false],
    ["! --mark v/m with the bit clear", "-m mark ! --mark 0x4000/0x4000", {}, { mark: 0 }, true],
    ["! --mark v/m with the bit set", "-m mark ! --mark 0x4000/0x4000", {}, { mark: 0xc000 }, false],
    ["--mark without a mask is exact", "-m mark --mark 0x10", {}, { mark: 0x10 }, true],
    ["--mark without a mask, extra bits", "-m mark --mark 0x10", {}, { mark: 0x11 }, false],
    ["--mark on the top bit", "-m mark --mark 0x80000000/0x80000000", {}, { mark: 0x80000001 }, true],
    ["--mark 0x0/0xffff on a high mark", "-m mark --mark 0x0/0xffff", {}, { mark: 0xffff0000 }, true],
    // addrtype
    ["--dst-type LOCAL on a local address", "-m addrtype --dst-type LOCAL", { dst: A("10.0.0.2") }, {}, true],
    ["--dst-type LOCAL on another address", "-m addrtype --dst-type LOCAL", { dst: A("10.0.0.3") }, {}, false],
    ["! --dst-type LOCAL on another address", "-m addrtype ! --dst-type LOCAL", { dst: A("10.0.0.3") }, {}, true],
    ["! --dst-type LOCAL on a local address", "-m addrtype ! --dst-type LOCAL", { dst: A("10.0.0.2") }, {}, false],
    ["--src-type LOCAL on a local source", "-m addrtype --src-type LOCAL", { src: A("10.0.0.2") }, {}, true],
    ["--src-type LOCAL on a remote source", "-m addrtype --src-type LOCAL", { src: A("10.0.0.1") }, {}, false],
    ["--dst-type LOCAL,BROADCAST on broadcast", "-m addrtype --dst-type LOCAL,BROADCAST", { dst: A("10.255.255.255") }, {}, true],
    ["! --src-type LOCAL --dst-type LOCAL, both hold", "-m addrtype ! --src-type LOCAL --dst-type LOCAL", { src: A("10.0.0.1"), dst: A("10.0.0.2") }, {}, true],
    ["! --src-type LOCAL --dst-type LOCAL, local source", "-m addrtype ! --src-type LOCAL --dst-type LOCAL", { src: A("10.0.0.2"), dst: A("10.0.0.2") }, {}, false],
    ["--limit-iface-in looks up on the input interface (eth0)", "-m addrtype --dst-type LOCAL --limit-iface-in", { dst: A("10.0.0.2") }, { inIface: "eth0" }, true],
    ["--limit-iface-in looks up on the input interface (eth1)", "-m addrtype --dst-type LOCAL --limit-iface-in", { dst: A("10.0.0.2") }, { inIface: "eth1" }, false],
    ["--limit-iface-out looks up on the output interface (eth1)", "-m addrtype --dst-type LOCAL --limit-iface-out", { dst: A("10.0.0.2") }, { inIface: "eth0", outIface: "eth1" }, false],
    ["without a limit the interface is not used", "-m addrtype --dst-type LOCAL", { dst: A("10.0.0.2") }, { inIface: "eth1", outIface: "eth1" }, true],
    // conntrack
    ["--ctstate NEW on NEW", "-m conntrack --ctstate NEW", {}, { ctState: "NEW" }, true],
    ["--ctstate NEW on ESTABLISHED", "-m conntrack --ctstate NEW", {}, { ctState: "ESTABLISHED" }, false],
    ["--ctstate RELATED,ESTABLISHED on ESTABLISHED", "-m conntrack --ctstate RELATED,ESTABLISHED", {}, { ctState: "ESTABLISHED" }, true],
    ["--ctstate RELATED,ESTABLISHED on RELATED", "-m conntrack --ctstate RELATED,ESTABLISHED", {}, { ctState: "RELATED" }, true],
    ["! --ctstate INVALID on NEW", "-m conntrack ! --ctstate INVALID", {}, { ctState: "NEW" }, true],
    ["! --ctstate INVALID on INVALID", "-m conntrack ! --ctstate INVALID", {}, { ctState: "INVALID" }, false],
    ["--ctstate UNTRACKED on an untracked packet", "-m conntrack --ctstate UNTRACKED", {}, {}, true],
    ["--ctstate NEW on an untracked packet", "-m conntrack --ctstate NEW", {}, {}, false],
    ["--ctstate DNAT with a DNAT binding", "-m conntrack --ctstate DNAT", {}, { ctState: "ESTABLISHED", ctDnat: true }, true],
    ["--ctstate DNAT without a DNAT binding", "-m conntrack --ctstate DNAT", {}, { ctState: "ESTABLISHED", ctSnat: true }, false],
    ["--ctstate SNAT with an SNAT binding", "-m conntrack --ctstate SNAT", {}, { ctState: "NEW", ctSnat: true }, true],
    ["--ctstate SNAT,DNAT with only DNAT", "-m conntrack --ctstate SNAT,DNAT", {}, { ctState: "NEW", ctDnat: true }, true],
    ["! --ctstate DNAT with a DNAT binding", "-m conntrack ! --ctstate DNAT", {}, { ctState: "NEW", ctDnat: true }, false],
    ["! --ctstate DNAT without one", "-m conntrack ! --ctstate DNAT", {}, { ctState: "NEW" }, true],
    ["--ctstate NEW is not implied by a DNAT binding", "-m conntrack --ctstate NEW", {}, { ctState: "ESTABLISHED", ctDnat: true }, false],
    // state
    ["--state NEW on NEW", "-m state --state NEW", {}, { ctState: "NEW" }, true],
    ["--state NEW on RELATED", "-m state --state NEW", {}, { ctState: "RELATED" }, false],
    ["--state RELATED,ESTABLISHED on ESTABLISHED", "-m state --state RELATED,ESTABLISHED", {}, { ctState: "ESTABLISHED" }, true],
    ["! --state INVALID on ESTABLISHED", "-m state ! --state INVALID", {}, { ctState: "ESTABLISHED" }, true],
    ["! --state INVALID on INVALID", "-m state ! --state INVALID", {}, { ctState: "INVALID" }, false],
    ["--state UNTRACKED on an untracked packet", "-m state --state UNTRACKED", {}, {}, true],
    ["--state ESTABLISHED on an untracked packet", "-m state --state ESTABLISHED", {}, {}, false],
    // multiport
    ["--dports list hit", "-p tcp -m multiport --dports 22,80,8000:8080", { dport: 80 }, {}, true],
    ["--dports range hit", "-p tcp -m multiport --dports 22,80,8000:8080", { dport: 8080 }, {}, true],
    ["--dports miss", "-p tcp -m multiport --dports 22,80,8000:8080", { dport: 8081 }, {}, false],
    ["--dports looks at the destination only", "-p tcp -m multiport --dports 22", { sport: 22, dport: 23 }, {}, false],
    ["--sports hit", "-p udp -m multiport --sports 53,67:68", { proto: "udp", sport: 68, dport: 9999 }, {}, true],
    ["--sports looks at the source only", "-p udp -m multiport --sports 53", { proto: "udp", sport: 1053, dport: 53 }, {}, false],
    ["--ports on the source", "-p tcp -m multiport --ports 443,6443", { sport: 6443, dport: 50000 }, {}, true],
    ["--ports on the destination", "-p tcp -m multiport --ports 443,6443", { sport: 50000, dport: 443 }, {}, true],
    ["--ports on neither", "-p tcp -m multiport --ports 443,6443", { sport: 50000, dport: 50001 }, {}, false],
    ["! --dports outside the list", "-p tcp -m multiport ! --dports 22,80", { dport: 443 }, {}, true],
    ["! --dports inside the list", "-p tcp -m multiport ! --dports 22,80", { dport: 22 }, {}, false],
    ["! --ports inside a range on the source", "-p tcp -m multiport ! --ports 1000:2000", { sport: 1500, dport: 80 }, {}, false],
    // Several conditions at once: all must hold
    ["header and matches all hold", "-s 10.0.0.0/24 -d 10.0.0.2 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW", {}, { ctState: "NEW" }, true],
    ["header holds, a later match fails", "-s 10.0.0.0/24 -d 10.0.0.2 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW", {}, { ctState: "ESTABLISHED" }, false],
  ])("%s", (_name, body, p, o, expected) => {
    expect(matches(body, packet(p), o)).toBe(expected);
  });
});

const FILTER = (rules: string, policies = { INPUT: "ACCEPT", FORWARD: "ACCEPT", OUTPUT: "ACCEPT" }) =>
  `*filter\n:INPUT ${policies.INPUT} [0:0]\n:FORWARD ${policies.FORWARD} [0:0]\n:OUTPUT ${policies.OUTPUT} [0:0]\n${rules}COMMIT\n`;

describe("targets", () => {
  it.each<[string, string, string, string, string[], string | undefined]>([
    ["ACCEPT accepts", "-A INPUT -j ACCEPT\n", "accept", "INPUT#1", ["INPUT#1"], undefined],
    ["DROP drops", "-A INPUT -j DROP\n-A INPUT -j ACCEPT\n", "drop", "INPUT#1", ["INPUT#1"], undefined],
    ["REJECT drops with the default reason", "-A INPUT -j REJECT\n", "drop", "INPUT#1", ["INPUT#1"], "icmp-port-unreachable"],
    ["REJECT --reject-with tcp-reset", "-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n", "drop", "INPUT#1", ["INPUT#1"], "tcp-reset"],
    [
      "RETURN from a user chain continues after the jump",
      ":C - [0:0]\n-A INPUT -j C\n-A INPUT -s 10.0.0.1 -j ACCEPT\n-A C -j RETURN\n-A C -j DROP\n",
      "accept",
      "INPUT#2",
      ["INPUT#1", "C#1", "INPUT#2"],
      undefined,
    ],
    [
      "the end of a user chain continues after the jump",
      ":C - [0:0]\n-A INPUT -j C\n-A INPUT -j ACCEPT\n-A C -s 192.0.2.1 -j DROP\n",
      "accept",
      "INPUT#2",
      ["INPUT#1", "INPUT#2"],
      undefined,
    ],
    ["RETURN in a built-in chain applies the policy", "-A INPUT -j RETURN\n-A INPUT -j ACCEPT\n", "drop", "policy", ["INPUT#1"], undefined],
    ["the end of a built-in chain applies the policy", "-A INPUT -s 192.0.2.1 -j ACCEPT\n", "drop", "policy", [], undefined],
    [
      "a jumped-to chain returns to the rule after the jump",
      ":A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A INPUT -j ACCEPT\n-A A -j B\n-A A -j DROP\n-A B -s 192.0.2.1 -j ACCEPT\n",
      "drop",
      "A#2",
      ["INPUT#1", "A#1", "A#2"],
      undefined,
    ],
    [
      "a goto'd chain's end returns to the caller's caller",
      ":A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A INPUT -j ACCEPT\n-A A -g B\n-A A -j DROP\n-A B -s 192.0.2.1 -j ACCEPT\n",
      "accept",
      "INPUT#2",
      ["INPUT#1", "A#1", "INPUT#2"],
      undefined,
    ],
    [
      "RETURN in a goto'd chain returns to the caller's caller",
      ":A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A INPUT -j ACCEPT\n-A A -g B\n-A A -j DROP\n-A B -j RETURN\n-A B -j DROP\n",
      "accept",
      "INPUT#2",
      ["INPUT#1", "A#1", "B#1", "INPUT#2"],
      undefined,
    ],
    ["a goto from a built-in chain ends in the policy", ":B - [0:0]\n-A INPUT -g B\n-A INPUT -j ACCEPT\n", "drop", "policy", ["INPUT#1"], undefined],
    ["a jump from a built-in chain comes back", ":B - [0:0]\n-A INPUT -j B\n-A INPUT -j ACCEPT\n", "accept", "INPUT#2", ["INPUT#1", "INPUT#2"], undefined],
    [
      "nested jumps unwind one level at a time",
      ":A - [0:0]\n:B - [0:0]\n:C - [0:0]\n-A INPUT -j A\n-A A -j B\n-A A -j DROP\n-A B -j C\n-A B -j RETURN\n-A C -j RETURN\n",
      "drop",
      "A#2",
      ["INPUT#1", "A#1", "B#1", "C#1", "B#2", "A#2"],
      undefined,
    ],
    ["LOG continues", "-A INPUT -j LOG --log-prefix x\n-A INPUT -j DROP\n", "drop", "INPUT#2", ["INPUT#1", "INPUT#2"], undefined],
    ["a rule without a target counts and continues", "-A INPUT -s 10.0.0.1\n-A INPUT -j ACCEPT\n", "accept", "INPUT#2", ["INPUT#1", "INPUT#2"], undefined],
    ["a terminal verdict in a user chain ends the walk", ":C - [0:0]\n-A INPUT -j C\n-A INPUT -j ACCEPT\n-A C -j DROP\n", "drop", "C#1", ["INPUT#1", "C#1"], undefined],
  ])("%s", (_name, rules, kind, byRule, trail, rejectWith) => {
    const rs = load(FILTER(rules, { INPUT: "DROP", FORWARD: "ACCEPT", OUTPUT: "ACCEPT" }));
    const r = walk(rs, "filter", "INPUT", packet(), context({ hook: "INPUT" }));
    expect(r.verdict.kind).toBe(kind);
    expect(by(r.verdict)).toBe(byRule);
    expect(r.trail).toEqual(trail);
    expect(r.verdict.kind === "drop" ? r.verdict.rejectWith : undefined).toBe(rejectWith);
    if (r.verdict.kind !== "nat") expect(r.verdict.chain).toBe(byRule === "policy" ? "INPUT" : byRule.split("#")[0]);
  });

  it.each<[string, string, number, number]>([
    ["--set-xmark 0x4000/0x4000 (KUBE-MARK-MASQ)", "--set-xmark 0x4000/0x4000", 0x1, 0x4001],
    ["--or-mark 0x4000", "--or-mark 0x4000", 0x8001, 0xc001],
    ["--set-mark 0x10 replaces the whole mark", "--set-mark 0x10", 0xffff, 0x10],
    ["--set-mark 0x10/0xff replaces the low byte", "--set-mark 0x10/0xff", 0xabcd, 0xab10],
    ["--set-mark 0x110/0xff sets the value's bits outside the mask (not toggles them)", "--set-mark 0x110/0xff", 0xabcd, 0xab10],
    ["--and-mark 0xff keeps the low byte", "--and-mark 0xff", 0xabcd, 0xcd],
    ["--xor-mark 0x1 flips the low bit", "--xor-mark 0x1", 0x3, 0x2],
    ["--set-xmark 0x1/0x0 xors", "--set-xmark 0x1/0x0", 0x1, 0x0],
    ["--set-xmark on the top bit stays unsigned", "--set-xmark 0x80000000/0x80000000", 0x1, 0x80000001],
    ["--and-mark 0 clears everything", "--and-mark 0x0", 0xffffffff, 0],
  ])("MARK %s changes ctx.mark with xmark semantics and the walk continues", (_name, opts, before, after) => {
    const rs = load(`*mangle\n:PREROUTING DROP [0:0]\n-A PREROUTING -j MARK ${opts}\n-A PREROUTING -m mark --mark ${after}/0xffffffff -j ACCEPT\nCOMMIT\n`);
    const ctx = context({ hook: "PREROUTING", mark: before });
    const r = walk(rs, "mangle", "PREROUTING", packet(), ctx);
    expect(ctx.mark).toBe(after);
    expect(r.trail).toEqual(["PREROUTING#1", "PREROUTING#2"]);
    expect(r.verdict).toMatchObject({ kind: "accept", chain: "PREROUTING" });
  });

  it("a MARK set in a user chain is seen by the rules after the jump", () => {
    const rs = load(`*mangle\n:PREROUTING DROP [0:0]\n:M - [0:0]\n-A PREROUTING -j M\n-A PREROUTING -m mark --mark 0x4000/0x4000 -j ACCEPT\n-A M -j MARK --or-mark 0x4000\nCOMMIT\n`);
    const ctx = context({ hook: "PREROUTING" });
    const r = walk(rs, "mangle", "PREROUTING", packet(), ctx);
    expect(r.trail).toEqual(["PREROUTING#1", "M#1", "PREROUTING#2"]);
    expect(r.verdict.kind).toBe("accept");
    expect(ctx.mark).toBe(0x4000);
  });

  it.each<[string, HookName, string, Record<string, unknown>]>([
    ["DNAT", "PREROUTING", "-A PREROUTING -p tcp -j DNAT --to-destination 10.200.0.27:53\n", { kind: "DNAT", range: { minIp: ipv4("10.200.0.27"), maxIp: ipv4("10.200.0.27"), ports: { min: 53, max: 53 } }, random: false, persistent: false }],
    ["SNAT", "POSTROUTING", "-A POSTROUTING -j SNAT --to-source 10.240.0.20-10.240.0.21 --random\n", { kind: "SNAT", range: { minIp: ipv4("10.240.0.20"), maxIp: ipv4("10.240.0.21") }, random: true, randomFully: false, persistent: false }],
    ["MASQUERADE", "POSTROUTING", "-A POSTROUTING -j MASQUERADE --random-fully\n", { kind: "MASQUERADE", random: false, randomFully: true }],
  ])("%s ends the walk with kind nat", (_name, hook, rules, target) => {
    const rs = load(`*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${rules}-A ${hook} -j ACCEPT\nCOMMIT\n`);
    const r = walk(rs, "nat", hook, packet(), context({ hook }));
    expect(r.verdict.kind).toBe("nat");
    expect(r.verdict.kind === "nat" && r.verdict.target).toEqual(target);
    expect(by(r.verdict)).toBe(`${hook}#1`);
    expect(r.trail).toEqual([`${hook}#1`]);
    const chain = rs.tables.nat.chains.get(hook)!;
    expect(chain.rules[1]!.counters.pkts).toBe(0);
    expect(chain.policyCounters).toEqual({ pkts: 0, bytes: 0 });
  });

  it("a hook the table has no chain for accepts by policy", () => {
    const rs = load(FILTER(""));
    expect(walkTable("filter", rs.tables.filter, "PREROUTING", packet(), context({ hook: "PREROUTING" }))).toEqual({ kind: "accept", by: "policy", chain: "PREROUTING" });
  });
});

describe("a kube-proxy worker (kthw fixture)", () => {
  const SERVICE_PACKET = packet({ proto: "udp", src: ipv4("10.240.0.21"), dst: ipv4("10.32.0.10"), sport: 33000, dport: 53, length: 71 });

  it("DNATs a node's DNS query through KUBE-SERVICES, marking it for masquerade on the way", () => {
    const rs = load(KTHW);
    const ctx = context({ hook: "OUTPUT", ctState: "NEW" });
    const r = walk(rs, "nat", "OUTPUT", SERVICE_PACKET, ctx);
    expect(r.trail).toEqual([
      "OUTPUT#1",
      "KUBE-SERVICES#3",
      "KUBE-MARK-MASQ#1",
      "KUBE-SERVICES#4",
      "KUBE-SVC-TCOU7JCQXEZGVUNU#1",
      "KUBE-SEP-LRUTK6XRXU43VLIG#2",
    ]);
    expect(r.verdict.kind).toBe("nat");
    if (r.verdict.kind !== "nat") return;
    expect(r.verdict.by.chain).toBe("KUBE-SEP-LRUTK6XRXU43VLIG");
    expect(r.verdict.target).toEqual({ kind: "DNAT", range: { minIp: ipv4("10.200.0.27"), maxIp: ipv4("10.200.0.27"), ports: { min: 53, max: 53 } }, random: false, persistent: false });
    expect(ctx.mark).toBe(0x4000);
  });

  it("MASQUERADEs the marked packet in POSTROUTING", () => {
    const rs = load(KTHW);
    const r = walk(rs, "nat", "POSTROUTING", SERVICE_PACKET, context({ hook: "POSTROUTING", mark: 0x4000 }));
    expect(r.trail).toEqual(["POSTROUTING#1", "KUBE-POSTROUTING#1"]);
    expect(r.verdict.kind === "nat" && r.verdict.target.kind).toBe("MASQUERADE");
  });

  it("accepts an unmarked packet in POSTROUTING by policy, counting the policy", () => {
    const rs = load(KTHW);
    const r = walk(rs, "nat", "POSTROUTING", SERVICE_PACKET, context({ hook: "POSTROUTING", mark: 0 }));
    expect(r.trail).toEqual(["POSTROUTING#1"]);
    expect(r.verdict).toEqual({ kind: "accept", by: "policy", chain: "POSTROUTING" });
    expect(rs.tables.nat.chains.get("POSTROUTING")!.policyCounters).toEqual({ pkts: 1, bytes: 71 });
  });

  it("drops a packet KUBE-MARK-DROP marked, in the filter table", () => {
    const rs = load(KTHW);
    const r = walk(rs, "filter", "INPUT", SERVICE_PACKET, context({ hook: "INPUT", mark: 0x8000, ctState: "ESTABLISHED" }));
    expect(r.trail).toEqual(["INPUT#2", "KUBE-FIREWALL#1"]);
    expect(r.verdict).toMatchObject({ kind: "drop", chain: "KUBE-FIREWALL" });
  });
});

describe("counters", () => {
  it("grow by packet.length only on the rules that match", () => {
    const rs = load(FILTER("-A INPUT -s 192.0.2.1 -j DROP\n-A INPUT -p tcp\n-A INPUT -p udp -j DROP\n-A INPUT -j ACCEPT\n"));
    for (const length of [60, 100, 1500]) walkTable("filter", rs.tables.filter, "INPUT", packet({ length }), context({ hook: "INPUT" }));
    const input = rs.tables.filter.chains.get("INPUT")!;
    expect(input.rules.map((r) => r.counters)).toEqual([
      { pkts: 0, bytes: 0 },
      { pkts: 3, bytes: 1660 },
      { pkts: 0, bytes: 0 },
      { pkts: 3, bytes: 1660 },
    ]);
    expect(input.policyCounters).toEqual({ pkts: 0, bytes: 0 });
  });

  it("count the jump, the RETURN and the rule after it, but not rules skipped by RETURN", () => {
    const rs = load(FILTER(":C - [0:0]\n-A INPUT -j C\n-A INPUT -j ACCEPT\n-A C -j RETURN\n-A C -j DROP\n"));
    walkTable("filter", rs.tables.filter, "INPUT", packet({ length: 84 }), context({ hook: "INPUT" }));
    const chains = rs.tables.filter.chains;
    expect(chains.get("INPUT")!.rules.map((r) => r.counters.pkts)).toEqual([1, 1]);
    expect(chains.get("C")!.rules.map((r) => r.counters)).toEqual([
      { pkts: 1, bytes: 84 },
      { pkts: 0, bytes: 0 },
    ]);
  });

  it.each<[string, string, string, { pkts: number; bytes: number }]>([
    ["the policy decides at the end of the chain", "-A FORWARD -s 192.0.2.1 -j ACCEPT\n", "DROP", { pkts: 2, bytes: 160 }],
    ["the policy decides on RETURN from the built-in chain", "-A FORWARD -j RETURN\n", "ACCEPT", { pkts: 2, bytes: 160 }],
    ["the policy decides at the end of a goto'd chain", ":G - [0:0]\n-A FORWARD -g G\n", "DROP", { pkts: 2, bytes: 160 }],
    ["a rule decides: the policy is not counted", "-A FORWARD -j ACCEPT\n", "DROP", { pkts: 0, bytes: 0 }],
  ])("policy counters: %s", (_name, rules, policy, expected) => {
    const rs = load(FILTER(rules, { INPUT: "ACCEPT", FORWARD: policy, OUTPUT: "ACCEPT" }));
    for (let i = 0; i < 2; i++) walkTable("filter", rs.tables.filter, "FORWARD", packet({ length: 80 }), context());
    expect(rs.tables.filter.chains.get("FORWARD")!.policyCounters).toEqual(expected);
  });

  it("start from the counters the ruleset was loaded with", () => {
    const rs = load("*filter\n:INPUT DROP [10:1000]\n[5:500] -A INPUT -p tcp\nCOMMIT\n");
    walkTable("filter", rs.tables.filter, "INPUT", packet({ length: 40 }), context({ hook: "INPUT" }));
    const input = rs.tables.filter.chains.get("INPUT")!;
    expect(input.rules[0]!.counters).toEqual({ pkts: 6, bytes: 540 });
    expect(input.policyCounters).toEqual({ pkts: 11, bytes: 1040 });
  });

  it("onMatch hears every matching rule in order, with its table, chain, 1-based index and the rule itself", () => {
    const rs = load(FILTER(":C - [0:0]\n-A OUTPUT -p udp -j DROP\n-A OUTPUT -j LOG\n-A OUTPUT -j C\n-A OUTPUT -j ACCEPT\n-A C -s 192.0.2.1 -j DROP\n-A C -p tcp\n"));
    const heard: MatchedRule[] = [];
    const v = walkTable("filter", rs.tables.filter, "OUTPUT", packet(), context({ hook: "OUTPUT" }), (m) => heard.push(m));
    const chains = rs.tables.filter.chains;
    expect(heard).toEqual([
      { table: "filter", chain: "OUTPUT", index: 2, rule: chains.get("OUTPUT")!.rules[1] },
      { table: "filter", chain: "OUTPUT", index: 3, rule: chains.get("OUTPUT")!.rules[2] },
      { table: "filter", chain: "C", index: 2, rule: chains.get("C")!.rules[1] },
      { table: "filter", chain: "OUTPUT", index: 4, rule: chains.get("OUTPUT")!.rules[3] },
    ]);
    expect(v).toEqual({ kind: "accept", by: heard[3], chain: "OUTPUT" });
  });
});

describe("statistic", () => {
  const ACCEPT_IF = (match: string) => load(`*filter\n:INPUT DROP [0:0]\n-A INPUT ${match} -j ACCEPT\nCOMMIT\n`);

  function run(match: string, n: number, seed: number): boolean[] {
    const rs = ACCEPT_IF(match);
    const ctx = context({ hook: "INPUT", seed });
    const out: boolean[] = [];
    for (let i = 0; i < n; i++) out.push(walkTable("filter", rs.tables.filter, "INPUT", packet(), ctx).kind === "accept");
    return out;
  }

  it("--probability 0.5 matches about half of 10,000 packets", () => {
    const hits = run("-m statistic --mode random --probability 0.5", 10_000, 7).filter(Boolean).length;
    expect(hits / 10_000).toBeGreaterThanOrEqual(0.45);
    expect(hits / 10_000).toBeLessThanOrEqual(0.55);
  });

  it.each<[string, number, number]>([
    ["0.2", 0.17, 0.23],
    ["0.9", 0.87, 0.93],
  ])("--probability %s matches at about that rate", (p, lo, hi) => {
    const rate = run(`-m statistic --mode random --probability ${p}`, 10_000, 3).filter(Boolean).length / 10_000;
    expect(rate).toBeGreaterThanOrEqual(lo);
    expect(rate).toBeLessThanOrEqual(hi);
  });

  it.each<[string, string, number]>([
    ["0 never matches", "--probability 0", 0],
    ["1 always matches", "--probability 1", 1000],
    ["! 1 never matches", "! --probability 1", 0],
    ["! 0 always matches", "! --probability 0", 1000],
  ])("--probability %s", (_name, opt, expected) => {
    expect(run(`-m statistic --mode random ${opt}`, 1000, 5).filter(Boolean).length).toBe(expected);
  });

  it.each<[string, number, boolean]>([
    ["a draw just below p*2^31 matches", 0x3fffffff, true],
    ["a draw equal to p*2^31 does not match", 0x40000000, false],
    ["the draw's top bit is ignored (0xbfffffff)", 0xbfffffff, true],
    ["the draw's top bit is ignored (0xc0000000)", 0xc0000000, false],
    ["a zero draw matches", 0, true],
  ])("--probability 0.5 compares the draw's low 31 bits with lround(p*2^31): %s", (_name, draw, hit) => {
    const rs = ACCEPT_IF("-m statistic --mode random --probability 0.5");
    const ctx: MatchContext = { ...context({ hook: "INPUT" }), rng: { nextU32: () => draw } };
    expect(walkTable("filter", rs.tables.filter, "INPUT", packet(), ctx).kind).toBe(hit ? "accept" : "drop");
  });

  it("the same seed gives the same sequence, another seed another one", () => {
    const a = run("-m statistic --mode random --probability 0.5", 200, 42);
    const b = run("-m statistic --mode random --probability 0.5", 200, 42);
    const c = run("-m statistic --mode random --probability 0.5", 200, 43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it("! --probability p matches exactly the packets --probability p does not, given the same draws", () => {
    const a = run("-m statistic --mode random --probability 0.3", 2000, 9);
    const b = run("-m statistic --mode random ! --probability 0.3", 2000, 9);
    expect(b).toEqual(a.map((x) => !x));
  });

  it("spreads 30,000 connections over kube-proxy's three kubernetes endpoints (0.33333, 0.5, fallback)", () => {
    const rs = load(KTHW);
    const ctx = context({ hook: "OUTPUT", seed: 2026 });
    const hits = new Map<string, number>();
    const p = packet({ src: ipv4("10.200.0.5"), dst: ipv4("10.32.0.1"), sport: 41000, dport: 443 });
    for (let i = 0; i < 30_000; i++) {
      ctx.mark = 0;
      const v = walkTable("nat", rs.tables.nat, "OUTPUT", p, ctx);
      if (v.kind !== "nat" || v.target.kind !== "DNAT") throw new Error(`expected a DNAT, got ${JSON.stringify(v)}`);
      const to = `${formatIpv4(v.target.range.minIp)}:${v.target.range.ports?.min}`;
      hits.set(to, (hits.get(to) ?? 0) + 1);
    }
    expect([...hits.keys()].sort()).toEqual(["10.240.0.10:6443", "10.240.0.11:6443", "10.240.0.12:6443"]);
    for (const [to, n] of hits) {
      expect(n / 30_000, to).toBeGreaterThanOrEqual(0.28);
      expect(n / 30_000, to).toBeLessThanOrEqual(0.38);
    }
    // Each endpoint chain's DNAT rule counted exactly the connections sent there.
    const sep = (name: string) => rs.tables.nat.chains.get(name)!.rules[1]!.counters.pkts;
    expect(sep("KUBE-SEP-HFMBYHW5FO36NATD")).toBe(hits.get("10.240.0.10:6443"));
    expect(sep("KUBE-SEP-E6U6KEZPQBWVNUQ2")).toBe(hits.get("10.240.0.11:6443"));
    expect(sep("KUBE-SEP-WRZKKJS6MWEUDTA4")).toBe(hits.get("10.240.0.12:6443"));
  });

  it("--mode nth --every 3 --packet 0 matches exactly every third packet", () => {
    const hits = run("-m statistic --mode nth --every 3 --packet 0", 30, 1)
      .map((hit, i) => (hit ? i + 1 : 0))
      .filter((n) => n > 0);
    // The kernel's phase, seen in the lab: packets 1, 4, 7, …
    expect(hits).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
  });

  it("--every 3 with --packet 0, 1 and 2 share the packets out: each packet matches exactly one rule", () => {
    const rs = load(
      "*filter\n" +
        "-A INPUT -m statistic --mode nth --every 3 --packet 0\n" +
        "-A INPUT -m statistic --mode nth --every 3 --packet 1\n" +
        "-A INPUT -m statistic --mode nth --every 3 --packet 2\n" +
        "COMMIT\n",
    );
    const ctx = context({ hook: "INPUT" });
    const perPacket: number[][] = [];
    for (let i = 0; i < 9; i++) {
      const heard: number[] = [];
      walkTable("filter", rs.tables.filter, "INPUT", packet(), ctx, (m) => heard.push(m.index));
      perPacket.push(heard);
    }
    for (const heard of perPacket) expect(heard).toHaveLength(1);
    // Rotating through the three rules, each taking every third packet.
    for (let i = 3; i < 9; i++) expect(perPacket[i]).toEqual(perPacket[i - 3]);
    // The lab's per-rule counters after each packet were 1 0 0, 1 1 0, 1 1 1.
    expect(perPacket.slice(0, 3)).toEqual([[1], [2], [3]]);
    expect(rs.tables.filter.chains.get("INPUT")!.rules.map((r) => r.counters.pkts)).toEqual([3, 3, 3]);
  });

  it("! --every 3 matches two packets in three", () => {
    expect(run("-m statistic --mode nth ! --every 3 --packet 1", 30, 1).filter(Boolean).length).toBe(20);
  });

  it("--every 1 matches every packet", () => {
    expect(run("-m statistic --mode nth --every 1 --packet 0", 10, 1).every(Boolean)).toBe(true);
  });

  it("keeps each nth rule's counter in ctx.nth, so a new context starts again", () => {
    const rs = ACCEPT_IF("-m statistic --mode nth --every 2 --packet 0");
    const ctx1 = context({ hook: "INPUT" });
    const first = [0, 1, 2, 3].map(() => walkTable("filter", rs.tables.filter, "INPUT", packet(), ctx1).kind);
    const ctx2 = context({ hook: "INPUT" });
    const again = [0, 1, 2, 3].map(() => walkTable("filter", rs.tables.filter, "INPUT", packet(), ctx2).kind);
    expect(again).toEqual(first);
    expect(first.filter((k) => k === "accept")).toHaveLength(2);
    expect(ctx1.nth.size).toBe(1);
  });
});
