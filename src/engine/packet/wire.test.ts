/**
 * The bytes of every frame the engine moves: decoding them gives back the packet's fields, their
 * checksums hold when recomputed here, and the text printed from the decoded packet is the
 * trace's tcpdump line.
 */
import { describe, expect, it } from "vitest";
import { parseIpv4 } from "../addr/ipv4";
import { runScenario, type RunResult } from "../k8s/run";
import { BUILTIN_SCENARIOS, builtinScenario } from "../scenarios/article";
import { resolveTarget } from "../shell/exec";
import { runLine } from "../shell/session";
import type { Step } from "../trace";
import { payloadLength, type Tap, type TapEvent } from "../world";
import { tcpdumpLine } from "./format";
import { kernelIpFields, type InnerHeader, type Packet, type Payload } from "./packet";
import { decodeFrame, decodeIpv4, encodeFrame, encodeIpv4, splitTime, tcpOptions } from "./wire";

type Ok = Extract<RunResult, { ok: true }>;

class Recorder implements Tap {
  readonly events: TapEvent[] = [];
  frame(ev: TapEvent): void {
    this.events.push(ev);
  }
}

/** A scenario run with a recorder on its world, then shell lines in the same session. */
function capture(id: string, lines: readonly [string, string][] = []): { events: TapEvent[]; wire: Step[] } {
  const rec = new Recorder();
  const r = runScenario(builtinScenario(id), { taps: [rec] }) as Ok;
  expect(r.ok).toBe(true);
  const session = { cluster: r.cluster, flows: [...r.trace.flows] };
  for (const [target, line] of lines) {
    const t = resolveTarget(r.cluster, target);
    if ("error" in t) throw new Error(t.error);
    // The session keeps the line's flows (as the worker's does).
    runLine(session, t.ns, line);
  }
  const wire = session.flows.flatMap((f) => f.steps).filter((s) => s.kind === "wire");
  return { events: rec.events, wire };
}

/** RFC 1071, written again here so that the encoder's own checksum code is not what checks it. */
function sums(b: Uint8Array, extra = 0): number {
  let s = extra;
  for (let i = 0; i < b.length; i += 2) s += b[i]! * 256 + (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/** Every checksum in an IPv4 packet's bytes (and in the packet an ICMP error quotes, when whole) holds. */
function checksumsHold(ip: Uint8Array): boolean {
  const ihl = (ip[0]! & 15) * 4;
  const total = ip[2]! * 256 + ip[3]!;
  if (sums(ip.subarray(0, ihl)) !== 0xffff) return false;
  if (ip.length < total) return true; // a quoted packet, cut short
  const l4 = ip.subarray(ihl, total);
  const proto = ip[9]!;
  if (proto === 1) {
    if (sums(l4) !== 0xffff) return false;
    const type = l4[0]!;
    return type === 3 || type === 11 ? checksumsHold(l4.subarray(8)) : true;
  }
  const pseudo = sums(ip.subarray(12, 20)) + proto + l4.length;
  if (proto === 17 && l4[6] === 0 && l4[7] === 0) return true;
  return sums(l4, pseudo) === 0xffff;
}

/** The fields a packet's bytes carry, with the model's defaults made explicit. */
function onWire(p: Packet): unknown {
  const payload = (x: Payload | undefined): unknown => (x?.kind === "echo" && x.sentMs !== undefined ? { ...x, sentMs: splitTime(x.sentMs) } : x);
  const inner = (h: InnerHeader | undefined): unknown =>
    h && {
      ...h,
      sport: h.proto === "icmp" ? 0 : h.sport,
      dport: h.proto === "icmp" ? 0 : h.dport,
      tos: h.tos ?? 0,
      payload: payload(h.payload),
    };
  return {
    ...p,
    df: p.df ?? kernelIpFields(p).df,
    tos: p.tos ?? 0,
    payload: payload(p.payload),
    ...(p.icmp && { icmp: { ...p.icmp, inner: inner(p.icmp.inner) } }),
  };
}

/** What shell lines add: a reset, TTL exceeded, port unreachable, DNS answers and a name that does not exist. */
const SHELL_LINES: readonly [string, string][] = [
  ["worker-0", "curl -s -m 1 http://10.200.1.18:81/"],
  ["worker-0", "traceroute -n 10.200.1.15"],
  ["worker-0", "dig @10.32.0.10 kubernetes.default.svc.cluster.local"],
  ["worker-0/busybox0-rw89s", "nslookup kubernetes"],
  ["worker-0/busybox0-rw89s", "nslookup nosuchname"],
  ["worker-0/busybox0-rw89s", "ping -c 2 10.200.1.15"],
  ["worker-1/busybox0-g6pww", "wget -qO- http://10.32.0.53/"],
];

describe("wire bytes", () => {
  const cases: [string, readonly [string, string][]][] = [...BUILTIN_SCENARIOS.map((s) => [s.id, []] as [string, []]), ["pod-to-pod", SHELL_LINES]];
  it.each(cases)("every frame of %s (shell lines: %j) decodes to its packet, with valid checksums and the trace's tcpdump text", (id, lines) => {
    const { events, wire } = capture(id, lines);
    expect(events.length).toBe(wire.length);
    expect(events.length).toBeGreaterThan(0);
    events.forEach((ev, i) => {
      const step = wire[i]!;
      const d = step.detail;
      if (d?.kind !== "wire") throw new Error("not a wire step");
      const p = ev.frame.packet;
      expect(tcpdumpLine(p)).toBe(d.tcpdump);
      const bytes = encodeFrame(ev.frame);
      expect(bytes.length).toBe(p.length + 14);
      const back = decodeFrame(bytes);
      expect(back.ethertype).toBe(0x0800);
      expect({ src: back.srcMac, dst: back.dstMac }).toEqual(d.mac);
      expect(back.ip.ipChecksumOk && back.ip.l4ChecksumOk).toBe(true);
      expect(checksumsHold(bytes.subarray(14))).toBe(true);
      expect(onWire(back.ip.packet)).toEqual(onWire(p));
      // The text printed from what the bytes say is the trace's.
      expect(tcpdumpLine(back.ip.packet)).toBe(d.tcpdump);
      if (p.tcp) expect(back.ip.tcpOptions).toEqual(tcpOptions(p.tcp));
    });
  });

  it("covers what the brief asks for: echo, DNS both ways, a reset, TTL exceeded, port and net unreachable", () => {
    const seen = new Set<string>();
    for (const [id, lines] of [["no-route", []], ["pod-to-pod", SHELL_LINES]] as const) {
      for (const ev of capture(id, lines).events) {
        const p = ev.frame.packet;
        if (p.icmp) seen.add(`icmp ${p.icmp.type}/${p.icmp.code}`);
        if (p.tcp?.rst) seen.add("rst");
        if (p.tcp?.syn) seen.add(p.tcp.ack ? "syn-ack" : "syn");
        if (p.payload) seen.add(p.payload.kind);
      }
    }
    expect([...seen].sort()).toEqual(["dns-answer", "dns-query", "echo", "icmp 0/0", "icmp 11/0", "icmp 3/0", "icmp 3/3", "icmp 8/0", "raw", "rst", "syn", "syn-ack"]);
  });

  it("a flipped bit anywhere in a header is caught by a checksum", () => {
    const { events } = capture("nodeport");
    for (const ev of events.slice(0, 6)) {
      const ip = encodeIpv4(ev.frame.packet);
      for (const at of [1, 8, 13, 22, 30, ip.length - 1]) {
        const bad = ip.slice();
        bad[at]! ^= 0x10;
        expect(checksumsHold(bad)).toBe(false);
        const d = decodeIpv4(bad);
        expect(d.ipChecksumOk && d.l4ChecksumOk).toBe(false);
      }
    }
  });
});

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

describe("wire bytes as Linux writes them (docs/kernel-lab-notes.md, IP header fields)", () => {
  const base = { src: parseIpv4("10.200.0.21"), dst: parseIpv4("10.200.1.15"), ttl: 64, ipId: 7 };

  it("a SYN: DF, options mss, sackOK, TS, nop, wscale in Linux's order (20 bytes)", () => {
    const p: Packet = { ...base, proto: "tcp", sport: 40000, dport: 80, length: 60, df: true, tcp: { syn: true, ack: false, fin: false, rst: false, psh: false, seq: 1_000_000_000, ackSeq: 0, win: 64240 } };
    const b = encodeIpv4(p);
    expect(hex(b.subarray(0, 10))).toBe("4500003c000740004006");
    expect(hex(b.subarray(20 + 12, 20 + 14))).toBe("a002"); // data offset 10 words, SYN
    expect(hex(b.subarray(40))).toBe("020405b40402080a000003e80000000001030307");
  });

  it("a reset: a bare 20-byte header, id 0 and DF as the kernel sends it", () => {
    const spec = { proto: "tcp" as const, tcp: { syn: false, ack: true, fin: false, rst: true, psh: false, seq: 0, ackSeq: 1_000_000_001, win: 0 } };
    expect(kernelIpFields(spec)).toEqual({ df: true, tos: 0, idZero: true });
    const b = encodeIpv4({ ...base, ...spec, ipId: 0, sport: 81, dport: 40000, length: 40, df: true });
    expect(b.length).toBe(40);
    expect(hex(b.subarray(4, 8))).toBe("00004000");
    expect(b[32]).toBe(0x50);
  });

  it("the kernel's ICMP: echo replies without DF, errors with TOS 0xc0, quoting the whole offending packet", () => {
    expect(kernelIpFields({ proto: "icmp", icmp: { type: 0, code: 0, id: 1, seq: 1 } })).toEqual({ df: false, tos: 0, idZero: false });
    expect(kernelIpFields({ proto: "icmp", icmp: { type: 8, code: 0, id: 1, seq: 1 } })).toEqual({ df: true, tos: 0, idZero: false });
    const probe: Packet = { ...base, proto: "udp", sport: 33738, dport: 33434, ttl: 1, length: 60, df: true, payload: { kind: "raw", bytes: 32 } };
    const inner: InnerHeader = { proto: "udp", src: probe.src, dst: probe.dst, sport: 33738, dport: 33434, ttl: 1, ipId: 7, length: 60, df: true, payload: { kind: "raw", bytes: 32 } };
    const err: Packet = { ...base, src: parseIpv4("10.240.0.21"), dst: probe.src, proto: "icmp", sport: 0, dport: 0, length: 88, df: false, tos: 0xc0, icmp: { type: 11, code: 0, id: 0, seq: 0, inner } };
    const b = encodeIpv4(err);
    expect(hex(b.subarray(0, 2))).toBe("45c0");
    expect(hex(b.subarray(6, 8))).toBe("0000");
    expect(hex(b.subarray(20, 21))).toBe("0b");
    expect(hex(b.subarray(28))).toBe(hex(encodeIpv4(probe)));
  });

  it("DNS: the query and answer tcpdump prints as 12345+ A? … (54) and 12345* 1/0/0 A 10.32.0.1 (70)", () => {
    const q: Packet = { ...base, proto: "udp", sport: 53340, dport: 53, length: 82, payload: { kind: "dns-query", id: 12345, name: "kubernetes.default.svc.cluster.local", qtype: "A" } };
    const qb = encodeIpv4(q).subarray(28);
    expect(qb.length).toBe(54);
    expect(hex(qb.subarray(0, 12))).toBe("303901000001000000000000");
    expect(hex(qb.subarray(12, 24))).toBe("0a6b756265726e6574657307");
    expect(hex(qb.subarray(48))).toBe("6c0000010001"); // "l", the root, type A, class IN
    const a: Packet = { ...q, sport: 53, dport: 53340, length: 98, payload: { kind: "dns-answer", id: 12345, name: "kubernetes.default.svc.cluster.local", answer: "10.32.0.1" } };
    const ab = encodeIpv4(a).subarray(28);
    expect(ab.length).toBe(70);
    expect(hex(ab.subarray(0, 12))).toBe("303985800001000100000000");
    expect(hex(ab.subarray(54))).toBe("c00c000100010000001e00040a200001");
    expect(tcpdumpLine(decodeIpv4(encodeIpv4(a)).packet)).toBe("IP 10.200.0.21.53 > 10.200.1.15.53340: 12345* 1/0/0 A 10.32.0.1 (70)");
  });

  it("ping's data: a struct timeval of the send time, then bytes counting up from 0x10", () => {
    const p: Packet = { ...base, proto: "icmp", sport: 0, dport: 0, length: 84, icmp: { type: 8, code: 0, id: 1280, seq: 1 }, payload: { kind: "echo", bytes: 56, sentMs: Date.UTC(2018, 4, 14, 14, 47, 11, 250) } };
    const data = encodeIpv4(p).subarray(28);
    expect(hex(data.subarray(0, 16))).toBe("6fa1f95a0000000090d0030000000000");
    expect(hex(data.subarray(16))).toBe(hex(Uint8Array.from({ length: 40 }, (_, i) => i + 16)));
  });

  it("HTTP request and response text, at the lengths the trace counts", () => {
    const req: Packet = { ...base, proto: "tcp", sport: 40000, dport: 80, length: 52 + payloadLength({ kind: "http-request", host: "10.200.1.18", path: "/" }), tcp: { syn: false, ack: true, fin: false, rst: false, psh: true, seq: 1, ackSeq: 1, win: 502 }, payload: { kind: "http-request", host: "10.200.1.18", path: "/" } };
    const rb = encodeIpv4(req);
    expect(String.fromCharCode(...rb.subarray(52, 52 + 16))).toBe("GET / HTTP/1.1\r\n");
    expect(tcpdumpLine(decodeIpv4(rb).packet)).toBe(tcpdumpLine(req));
    const res: Packet = { ...req, sport: 80, dport: 40000, length: 52 + payloadLength({ kind: "http-response", status: 200 }), payload: { kind: "http-response", status: 200 } };
    const sb = encodeIpv4(res);
    expect(String.fromCharCode(...sb.subarray(52 + 238 - 4))).toBe("\r\n\r\n");
    expect(decodeIpv4(sb).packet.payload).toEqual({ kind: "http-response", status: 200 });
    expect(tcpdumpLine(decodeIpv4(sb).packet)).toContain(": HTTP: HTTP/1.1 200 OK");
  });
});
