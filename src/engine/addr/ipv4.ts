/**
 * IPv4 addresses and CIDR prefixes as plain 32-bit unsigned integers.
 *
 * ip-num is the reference for what an address is: it validates anything the fast path does not
 * accept outright and words the error, and the tests check the fast path against it on random
 * input. Parsing a canonical dotted quad is done by hand because a 100,000-rule iptables-save
 * has to load in well under a second, and ip-num's BigInt path takes seconds for that. After
 * parsing, everything compares integers.
 */
import { IPv4, IPv4CidrRange, Validator } from "ip-num";

declare const ipv4Brand: unique symbol;
/** An IPv4 address as an unsigned 32-bit integer. */
export type Ipv4 = number & { readonly [ipv4Brand]: true };

export interface Cidr {
  /** The network address (host bits cleared). */
  readonly net: Ipv4;
  readonly prefix: number;
  /** The netmask as an unsigned 32-bit integer. */
  readonly mask: number;
}

export class AddressError extends Error {
  override readonly name = "AddressError";
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Strict dotted quad: four decimal octets 0-255, no leading zeros (which inet_aton would read as octal). */
function fastParse(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

/** Parses dotted-quad text; throws AddressError naming the text when it is not an IPv4 address. */
export function parseIpv4(text: string): Ipv4 {
  const fast = fastParse(text);
  if (fast !== undefined) return fast as Ipv4;
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) throw new AddressError(`"${text}" is not an IPv4 address`);
  if (/(^|\.)0\d/.test(text)) throw new AddressError(`"${text}" is not an IPv4 address: an octet has a leading zero (inet_aton would read it as octal)`);
  // Anything else the fast path refused, ip-num words.
  const [, problems] = Validator.isValidIPv4String(text);
  throw new AddressError(`"${text}" is not an IPv4 address: ${problems.join("; ") || "invalid octet"}`);
}

/** The reference parse through ip-num, for tests and for anything that is not on a hot path. */
export function parseIpv4Reference(text: string): Ipv4 {
  const [valid, problems] = Validator.isValidIPv4String(text);
  if (!valid) throw new AddressError(`"${text}" is not an IPv4 address: ${problems.join("; ")}`);
  return Number(IPv4.fromString(text).getValue()) as Ipv4;
}

export function isIpv4(text: string): boolean {
  return fastParse(text) !== undefined;
}

export function formatIpv4(ip: number): string {
  const v = ip >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** The reference format through ip-num, for tests. */
export function formatIpv4Reference(ip: number): string {
  return IPv4.fromNumber(BigInt(ip >>> 0)).toString();
}

/** Whether ip-num's range type agrees that `cidr` holds `ip` (the reference for cidrContains). */
export function cidrContainsReference(cidr: Cidr, ip: number): boolean {
  const range = IPv4CidrRange.fromCidr(`${formatIpv4(cidr.net)}/${cidr.prefix}`);
  const addr = IPv4.fromNumber(BigInt(ip >>> 0));
  return range.getFirst().isLessThanOrEquals(addr) && addr.isLessThanOrEquals(range.getLast());
}

export function ipv4(text: string): Ipv4 {
  return parseIpv4(text);
}

/** Builds a prefix from an address; host bits are cleared as the kernel and iptables do. */
export function cidrOf(addr: number, prefix: number): Cidr {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new AddressError(`prefix length ${prefix} is out of range 0-32`);
  const mask = maskOf(prefix);
  return { net: ((addr & mask) >>> 0) as Ipv4, prefix, mask };
}

/**
 * Parses "a.b.c.d/len" (or a bare address, as /32). Host bits are cleared, so "10.200.0.5/16"
 * gives 10.200.0.0/16, as iptables and `ip route` do. Throws AddressError.
 */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf("/");
  if (slash < 0) return cidrOf(parseIpv4(text), 32);
  const addrText = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(lenText) || Number(lenText) > 32) {
    // iptables also takes a dotted netmask after the slash.
    if (isIpv4(lenText)) return cidrOf(parseIpv4(addrText), prefixOfMask(parseIpv4(lenText), text));
    throw new AddressError(`"${text}" has an invalid prefix length "${lenText}"`);
  }
  return cidrOf(parseIpv4(addrText), Number(lenText));
}

function prefixOfMask(mask: number, text: string): number {
  const inverted = ~mask >>> 0;
  if ((inverted & (inverted + 1)) !== 0) throw new AddressError(`"${text}" has a non-contiguous netmask`);
  return 32 - Math.log2(inverted + 1);
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ((ip & cidr.mask) >>> 0) === cidr.net;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.net)}/${cidr.prefix}`;
}

/** `ip route` prints host routes without "/32" and everything else with its length. */
export function formatRouteDst(cidr: Cidr): string {
  if (cidr.prefix === 0) return "default";
  return cidr.prefix === 32 ? formatIpv4(cidr.net) : formatCidr(cidr);
}

export function broadcastOf(cidr: Cidr): Ipv4 {
  return ((cidr.net | ~cidr.mask) >>> 0) as Ipv4;
}

export const ANY: Cidr = cidrOf(0, 0);
