import { describe, expect, it } from "vitest";
import { ipv4 } from "../addr/ipv4";
import type { Packet, TcpInfo } from "../packet/packet";
import { seededRng } from "../rng";
import { ConntrackTable, KERNEL_TIMEOUTS, nextTcpState, withKubeProxyTimeouts, type TcpState } from "./conntrack";
import { conntrackSummary, formatConntrackEntry } from "./format";
import { natPacket, setupNat } from "./nat";

const A = ipv4("10.200.0.21");
const B = ipv4("10.200.1.15");
const NODE = ipv4("10.240.0.20");

function ping(src = A, dst = B, id = 1280, type = 8): Packet {
  return { proto: "icmp", src, dst, sport: 0, dport: 0, ttl: 64, ipId: 1, length: 84, icmp: { type, code: 0, id, seq: 1 } };
}

function udp(src: number, dst: number, sport: number, dport: number): Packet {
  return { proto: "udp", src: src as never, dst: dst as never, sport, dport, ttl: 64, ipId: 1, length: 62 };
}

const flags = (f: string): TcpInfo => ({ syn: f.includes("S"), ack: f.includes("A"), fin: f.includes("F"), rst: f.includes("R"), psh: false, seq: 1, ackSeq: 1, win: 64240 });

function tcp(src: number, dst: number, sport: number, dport: number, f: string): Packet {
  return { proto: "tcp", src: src as never, dst: dst as never, sport, dport, ttl: 64, ipId: 1, length: 60, tcp: flags(f) };
}

describe("conntrack -L lines", () => {
  it("prints the article's masqueraded ping on worker-0 exactly", () => {
    const ct = new ConntrackTable();
    const info = ct.track(ping(), 0);
    if (info.state === "INVALID") throw new Error("unexpected");
    setupNat(ct, info.entry, "src", { minIp: NODE, maxIp: NODE, randomPorts: false }, seededRng(1), 0);
    info.entry.srcNat = true;
    ct.confirm(info.entry);
    expect(formatConntrackEntry(info.entry, 600)).toBe(
      "icmp     1 29 src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1280 [UNREPLIED] src=10.200.1.15 dst=10.240.0.20 type=0 code=0 id=1280 mark=0 use=1",
    );
    ct.track(ping(B, NODE, 1280, 0), 700);
    expect(formatConntrackEntry(info.entry, 1000)).toBe(
      "icmp     1 29 src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1280 src=10.200.1.15 dst=10.240.0.20 type=0 code=0 id=1280 mark=0 use=1",
    );
  });

  it("prints TCP with its state and [ASSURED], as the article's NodePort entry", () => {
    const ct = new ConntrackTable(withKubeProxyTimeouts(KERNEL_TIMEOUTS));
    const client = ipv4("203.0.113.10");
    const syn = ct.track(tcp(client, NODE, 30303, 31088, "S"), 0);
    if (syn.state === "INVALID") throw new Error("unexpected");
    setupNat(ct, syn.entry, "dst", { minIp: ipv4("10.200.1.18"), maxIp: ipv4("10.200.1.18"), ports: { min: 80, max: 80 }, randomPorts: false }, seededRng(1), 0);
    setupNat(ct, syn.entry, "src", { minIp: NODE, maxIp: NODE, randomPorts: false }, seededRng(1), 0);
    ct.confirm(syn.entry);
    ct.track(tcp(ipv4("10.200.1.18"), NODE, 80, 30303, "SA"), 1);
    ct.track(tcp(client, NODE, 30303, 31088, "A"), 2);
    expect(formatConntrackEntry(syn.entry, 3002)).toBe(
      "tcp      6 86397 ESTABLISHED src=203.0.113.10 dst=10.240.0.20 sport=30303 dport=31088 src=10.200.1.18 dst=10.240.0.20 sport=80 dport=30303 [ASSURED] mark=0 use=1",
    );
  });

  it("says how many entries it showed, on stderr's wording", () => {
    expect(conntrackSummary(1)).toBe("conntrack v1.4.4 (conntrack-tools): 1 flow entries have been shown.");
  });
});

describe("connection states", () => {
  it("calls a first packet NEW, its reply ESTABLISHED, and later originals ESTABLISHED", () => {
    const ct = new ConntrackTable();
    const first = ct.track(ping(), 0);
    expect(first.state).toBe("NEW");
    if (first.state === "INVALID") return;
    ct.confirm(first.entry);
    expect(ct.track({ ...ping(), icmp: { type: 8, code: 0, id: 1280, seq: 2 } }, 10).state).toBe("NEW");
    const reply = ct.track(ping(B, A, 1280, 0), 20);
    expect(reply.state).toBe("ESTABLISHED");
    expect(ct.track(ping(), 30).state).toBe("ESTABLISHED");
  });

  it("refuses an echo reply nobody asked for (INVALID)", () => {
    expect(new ConntrackTable().track(ping(B, A, 9, 0), 0).state).toBe("INVALID");
  });

  it("calls an ICMP error about a tracked connection RELATED", () => {
    const ct = new ConntrackTable();
    const first = ct.track(udp(A, B, 40000, 53), 0);
    if (first.state === "INVALID") throw new Error("unexpected");
    ct.confirm(first.entry);
    const err: Packet = {
      proto: "icmp", src: B, dst: A, sport: 0, dport: 0, ttl: 64, ipId: 2, length: 56,
      icmp: { type: 3, code: 3, id: 0, seq: 0, inner: { proto: "udp", src: A, dst: B, sport: 40000, dport: 53 } },
    };
    expect(ct.track(err, 5).state).toBe("RELATED");
  });

  it("forgets an entry once its timeout has passed", () => {
    const ct = new ConntrackTable();
    const first = ct.track(ping(), 0);
    if (first.state === "INVALID") throw new Error("unexpected");
    ct.confirm(first.entry);
    expect(ct.list(29_999)).toHaveLength(1);
    expect(ct.list(30_000)).toHaveLength(0);
    expect(ct.track(ping(), 30_001).state).toBe("NEW");
  });

  it("keeps UDP at 30 s without [ASSURED] for one exchange, and assures it when traffic goes on after 2 s (lab)", () => {
    const ct = new ConntrackTable();
    const q = ct.track(udp(A, B, 40000, 5353), 0);
    if (q.state === "INVALID") throw new Error("unexpected");
    ct.confirm(q.entry);
    ct.track(udp(B, A, 5353, 40000), 1);
    expect(formatConntrackEntry(q.entry, 1001)).toMatch(/^udp {6}17 29 .* dport=40000 mark=0 use=1$/);
    ct.track(udp(A, B, 40000, 5353), 500);
    expect(q.entry.assured).toBe(false);
    ct.track(udp(A, B, 40000, 5353), 2500);
    ct.track(udp(B, A, 5353, 40000), 2501);
    expect(formatConntrackEntry(q.entry, 3501)).toMatch(/^udp {6}17 119 .* \[ASSURED\] mark=0 use=1$/);
  });

  it.each<[TcpState, "original" | "reply", string, TcpState | "IV" | "IG"]>([
    ["NONE", "original", "S", "SYN_SENT"],
    ["SYN_SENT", "reply", "SA", "SYN_RECV"],
    ["SYN_RECV", "original", "A", "ESTABLISHED"],
    ["ESTABLISHED", "original", "FA", "FIN_WAIT"],
    ["FIN_WAIT", "reply", "A", "CLOSE_WAIT"],
    ["CLOSE_WAIT", "reply", "FA", "LAST_ACK"],
    ["LAST_ACK", "original", "A", "TIME_WAIT"],
    ["SYN_SENT", "reply", "R", "CLOSE"],
    ["NONE", "original", "SA", "IV"],
    ["ESTABLISHED", "original", "S", "IG"],
  ])("TCP in %s, %s %s → %s", (from, dir, f, to) => {
    expect(nextTcpState(from, dir, flags(f))).toBe(to);
  });

  it("walks a TCP handshake and close with the kernel's timeouts, assured after the handshake", () => {
    const ct = new ConntrackTable();
    const s = ct.track(tcp(A, B, 34142, 8080, "S"), 0);
    if (s.state === "INVALID") throw new Error("unexpected");
    ct.confirm(s.entry);
    const e = s.entry;
    expect([e.tcpState, e.expires]).toEqual(["SYN_SENT", 120_000]);
    ct.track(tcp(B, A, 8080, 34142, "SA"), 0);
    expect([e.tcpState, e.assured]).toEqual(["SYN_RECV", false]);
    ct.track(tcp(A, B, 34142, 8080, "A"), 0);
    expect([e.tcpState, e.assured, e.expires]).toEqual(["ESTABLISHED", true, 432_000_000]);
    ct.track(tcp(A, B, 34142, 8080, "FA"), 0);
    ct.track(tcp(B, A, 8080, 34142, "FA"), 0);
    ct.track(tcp(A, B, 34142, 8080, "A"), 0);
    expect([e.tcpState, e.expires]).toEqual(["TIME_WAIT", 120_000]);
  });

  it("forgets a connection whose SYN was answered by RST at once, as the kernel does (lab: nothing left on router or server)", () => {
    const ct = new ConntrackTable();
    const s = ct.track(tcp(A, B, 34142, 81, "S"), 0);
    if (s.state === "INVALID") throw new Error("unexpected");
    ct.confirm(s.entry);
    expect(ct.list(0)).toHaveLength(1);
    const rst = ct.track(tcp(B, A, 81, 34142, "RA"), 0);
    // The reset itself still belongs to the connection (its NAT is undone on the way) …
    expect(rst.state).toBe("ESTABLISHED");
    // … but the entry is gone from the table.
    expect(ct.list(0)).toHaveLength(0);
    expect(ct.lookup({ proto: "tcp", src: A, dst: B, sport: 34142, dport: 81 }, 0)).toBeUndefined();
  });

  it("keeps an answered connection when a reset comes later: it goes to CLOSE for 10 s", () => {
    const ct = new ConntrackTable();
    const s = ct.track(tcp(A, B, 34142, 8080, "S"), 0);
    if (s.state === "INVALID") throw new Error("unexpected");
    ct.confirm(s.entry);
    ct.track(tcp(B, A, 8080, 34142, "SA"), 0);
    ct.track(tcp(A, B, 34142, 8080, "A"), 0);
    ct.track(tcp(A, B, 34142, 8080, "RA"), 0);
    expect([s.entry.tcpState, s.entry.expires]).toEqual(["CLOSE", 10_000]);
    expect(ct.list(0)).toHaveLength(1);
  });

  it("uses kube-proxy's 86400 s for established TCP", () => {
    expect(withKubeProxyTimeouts(KERNEL_TIMEOUTS).tcp.ESTABLISHED).toBe(86400);
    expect(withKubeProxyTimeouts(KERNEL_TIMEOUTS).tcp.CLOSE_WAIT).toBe(3600);
  });
});

describe("NAT bindings", () => {
  function bound(sport: number, table = new ConntrackTable(), src = A) {
    const info = table.track(udp(src, B, sport, 5353), 0);
    if (info.state === "INVALID") throw new Error("unexpected");
    setupNat(table, info.entry, "src", { minIp: NODE, maxIp: NODE, randomPorts: false }, seededRng(3), 0);
    table.confirm(info.entry);
    return { table, entry: info.entry };
  }

  it("keeps the source port when the masqueraded tuple is free", () => {
    expect(bound(40000).entry.reply.dport).toBe(40000);
  });

  it.each([
    [40000, 1024, 65535],
    [500, 1, 511],
    [700, 600, 1023],
  ])("moves a clashing source port %d into its class %d–%d", (port, min, max) => {
    const first = bound(port);
    const second = bound(port, first.table, ipv4("10.200.0.99"));
    const moved = second.entry.reply.dport;
    expect(moved).not.toBe(port);
    expect(moved).toBeGreaterThanOrEqual(min);
    expect(moved).toBeLessThanOrEqual(max);
  });

  it("rewrites originals forward and replies back from the tuples alone", () => {
    const { entry } = bound(40000);
    entry.srcNat = true;
    const out = natPacket(entry, "original", "src", udp(A, B, 40000, 5353));
    expect([out.src, out.sport]).toEqual([NODE, 40000]);
    const back = natPacket(entry, "reply", "dst", udp(B, NODE, 5353, 40000));
    expect([back.dst, back.dport]).toEqual([A, 40000]);
    // The other manip types leave the packets alone.
    expect(natPacket(entry, "original", "dst", udp(A, B, 40000, 5353)).dst).toBe(B);
  });
});
