import { describe, expect, it } from "vitest";
import type { StepPacket } from "../trace";
import { parsePcapFilter } from "./pcap-filter";

const ping: StepPacket = { proto: "icmp", src: "10.200.0.21", dst: "10.200.1.15", ttl: 64 };
const dns: StepPacket = { proto: "udp", src: "10.200.0.21", dst: "10.32.0.10", sport: 40000, dport: 53, ttl: 64 };
const web: StepPacket = { proto: "tcp", src: "203.0.113.10", dst: "10.240.0.20", sport: 30303, dport: 31088, ttl: 63 };
const all = [ping, dns, web];

function pick(expr: string): StepPacket[] {
  const f = parsePcapFilter(expr);
  if (!f.ok) throw new Error(f.error);
  return all.filter(f.filter);
}

describe("tcpdump filter expressions", () => {
  it.each([
    ["icmp", [ping]],
    ["udp or tcp", [dns, web]],
    ["port 53", [dns]],
    ["dst port 53", [dns]],
    ["src port 53", []],
    ["host 10.200.0.21", [ping, dns]],
    ["src 10.200.0.21 and not icmp", [dns]],
    ["dst net 10.32.0.0/24", [dns]],
    ["net 10.240.0.0/24", [web]],
    ["not (icmp or udp)", [web]],
    ["! icmp && ! udp", [web]],
    // pcap: and/or are equal and associate left to right: (icmp or udp) and port 53.
    ["icmp or udp and port 53", [dns]],
    ["ip", all],
    ["udp port 53", [dns]],
    ["tcp port 53", []],
    ["tcp dst port 31088 or icmp", [ping, web]],
    ["arp", []],
  ])("%j keeps what tcpdump keeps", (expr, want) => {
    expect(pick(expr)).toEqual(want);
  });

  it.each([
    ["port", "illegal port number "],
    ["port 70000", "illegal port number 70000"],
    ["host web", 'can\'t resolve host "web"'],
    ["( icmp", "syntax error"],
    ["icmp udp", "syntax error in filter expression"],
    ["net 10.0.0.0/33", 'invalid net "10.0.0.0/33"'],
    ["frob", "syntax error in filter expression"],
    ["!".repeat(5000) + "icmp", "expression nested more than 100 deep"],
    ["(".repeat(5000) + "icmp", "expression nested more than 100 deep"],
  ])("%j is refused", (expr, error) => {
    const f = parsePcapFilter(expr);
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.error.startsWith(error)).toBe(true);
  });
});
