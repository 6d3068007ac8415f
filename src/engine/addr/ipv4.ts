/**
 * IPv4 addresses and CIDR prefixes as plain 32-bit unsigned integers.
 *
 * Parsing and formatting go through ip-num (the one place text becomes a number); everything
 * after that compares integers, which is what keeps a 100,000-rule chain walk cheap.
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

const parsed = new Map<string, Ipv4>();

/** Parses dotted-quad text; throws AddressError naming the text when it is not an IPv4 address. */
export function parseIpv4(text: string): Ipv4 {
  const hit = parsed.get(text);
  if (hit !== undefined) return hit;
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) throw new AddressError(`"${text}" is not an IPv4 address`);
  const [valid, problems] = Validator.isValidIPv4String(text);
  if (!valid) throw new AddressError(`"${text}" is not an IPv4 address: ${problems.join("; ")}`);
  const value = Number(IPv4.fromString(text).getValue()) as Ipv4;
  if (parsed.size > 50_000) parsed.clear();
  parsed.set(text, value);
  return value;
}

export function isIpv4(text: string): boolean {
  try {
    parseIpv4(text);
    return true;
  } catch {
    return false;
  }
}

const formatted = new Map<number, string>();

export function formatIpv4(ip: number): string {
  const hit = formatted.get(ip);
  if (hit !== undefined) return hit;
  const text = IPv4.fromNumber(BigInt(ip >>> 0)).toString();
  if (formatted.size > 50_000) formatted.clear();
  formatted.set(ip, text);
  return text;
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
  const addr = parseIpv4(addrText);
  // ip-num checks the range once more; its start is the network address we computed.
  const range = IPv4CidrRange.fromCidr(`${formatIpv4(cidrOf(addr, Number(lenText)).net)}/${lenText}`);
  return cidrOf(Number(range.getFirst().getValue()), Number(lenText));
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
