import { describe, expect, it } from "vitest";
import { AddressError, cidrContains, formatCidr, formatIpv4, formatRouteDst, parseCidr, parseIpv4 } from "./ipv4";

describe("IPv4 addresses", () => {
  it.each([
    ["0.0.0.0", 0],
    ["10.200.0.21", 0x0ac80015],
    ["255.255.255.255", 0xffffffff],
    ["198.51.100.20", 0xc6336414],
  ])("parses %s to %d and formats it back", (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each(["10.0.0.256", "10.0.0", "10.0.0.1.2", "a.b.c.d", "", " 10.0.0.1", "10.0.0.-1"])("refuses %j with an AddressError naming it", (text) => {
    expect(() => parseIpv4(text)).toThrow(AddressError);
    expect(() => parseIpv4(text)).toThrow(JSON.stringify(text));
  });
});

describe("CIDR prefixes", () => {
  it.each([
    ["10.200.0.0/16", "10.200.0.0/16"],
    ["10.200.0.5/16", "10.200.0.0/16"],
    ["10.1.2.3", "10.1.2.3/32"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["224.0.0.0/4", "224.0.0.0/4"],
    ["10.0.0.0/255.255.255.0", "10.0.0.0/24"],
  ])("parses %s as %s (host bits cleared, as iptables does)", (text, canonical) => {
    expect(formatCidr(parseCidr(text))).toBe(canonical);
  });

  it.each(["10.0.0.0/33", "10.0.0.0/x", "10.0.0.0/255.0.255.0", "10.0.0/8"])("refuses %s", (text) => {
    expect(() => parseCidr(text)).toThrow(AddressError);
  });

  it.each([
    ["10.200.0.0/16", "10.200.255.1", true],
    ["10.200.0.0/16", "10.201.0.1", false],
    ["10.200.1.0/24", "10.200.1.15", true],
    ["10.200.1.0/24", "10.200.0.21", false],
    ["0.0.0.0/0", "203.0.113.10", true],
    ["10.200.1.15/32", "10.200.1.15", true],
    ["10.200.1.15/32", "10.200.1.16", false],
    ["224.0.0.0/4", "239.255.255.250", true],
    ["224.0.0.0/4", "10.240.0.20", false],
  ])("%s contains %s: %s", (cidr, ip, expected) => {
    expect(cidrContains(parseCidr(cidr), parseIpv4(ip))).toBe(expected);
  });

  it.each([
    ["0.0.0.0/0", "default"],
    ["10.240.0.1/32", "10.240.0.1"],
    ["10.200.0.0/24", "10.200.0.0/24"],
  ])("ip route names %s as %s", (cidr, text) => {
    expect(formatRouteDst(parseCidr(cidr))).toBe(text);
  });
});

describe("the fast path agrees with ip-num", () => {
  it("on 20,000 random addresses, prefixes and containment checks", async () => {
    const { seededRng } = await import("../rng");
    const { cidrContainsReference, cidrOf, formatIpv4Reference, parseIpv4Reference } = await import("./ipv4");
    const rng = seededRng(42);
    for (let i = 0; i < 20_000; i++) {
      const ip = rng.nextU32();
      const text = formatIpv4(ip);
      expect(text).toBe(formatIpv4Reference(ip));
      expect(parseIpv4(text)).toBe(parseIpv4Reference(text));
      const cidr = cidrOf(rng.nextU32(), rng.nextU32() % 33);
      const probe = rng.nextU32() % 2 ? ip : cidr.net + (rng.nextU32() % 256);
      expect(cidrContains(cidr, probe)).toBe(cidrContainsReference(cidr, probe >>> 0));
    }
  });

  it.each(["010.0.0.1", "1.02.3.4"])("refuses %s, whose leading zero inet_aton would read as octal", (text) => {
    expect(() => parseIpv4(text)).toThrow("leading zero");
  });
});
