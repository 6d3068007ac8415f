/** Helpers several extensions share: numbers, ports and their texts. */
import type { PortRange } from "../types";
import { Fail, type ListOptions } from "./api";

/** A lookup in a table that ignores Object.prototype ("constructor", "__proto__"…). */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** A 32-bit number as iptables takes it: decimal, 0x hex or 0 octal. */
export function parseNumber(text: string, column: number, what: string, max = 0xffffffff): number {
  let n: number;
  if (/^0x[0-9a-f]+$/i.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]+$/.test(text)) n = parseInt(text, 8);
  else if (/^\d+$/.test(text)) n = Number(text);
  else throw new Fail(column, `${what} "${text}" is not a number`);
  if (n > max) throw new Fail(column, `${what} "${text}" is out of range (max ${max})`);
  return n;
}

const SERVICES: Record<string, number> = { ssh: 22, domain: 53, http: 80, https: 443, "kubernetes": 6443 };

function parsePort(text: string, column: number): number {
  let n = 0;
  let digits = 0;
  for (; digits < text.length; digits++) {
    const c = text.charCodeAt(digits);
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
  }
  if (digits === text.length && digits > 0 && digits <= 5 && n <= 65535) return n;
  const service = own(SERVICES, text);
  if (service !== undefined) return service;
  throw new Fail(column, `"${text}" is not a port number (0-65535)`);
}

/** `P`, `A:B`, `A:` or `:B` (with `sep` ":"; NAT targets use "-"). */
export function parsePortRange(text: string, column: number, sep = ":"): PortRange {
  const parts = text.split(sep);
  if (parts.length > 2) throw new Fail(column, `"${text}" is not a port or port range`);
  const min = parts[0] === "" ? 0 : parsePort(parts[0]!, column);
  const max = parts.length === 1 ? min : parts[1] === "" ? 65535 : parsePort(parts[1]!, column);
  if (min > max) throw new Fail(column, `port range "${text}" runs backwards`);
  return { min, max };
}

/** " !" before a negated option in iptables-save text. */
export function neg(invert: boolean): string {
  return invert ? " !" : "";
}

export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16);
}

/**
 * xtables_save_string: a string of only letters, digits, "_" and "-" is printed bare; anything
 * else goes in double quotes with `"`, `'` and `\` backslash-escaped (checked in the lab).
 */
export function quote(text: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(text)) return text;
  return '"' + text.replace(/[\\"']/g, (c) => "\\" + c) + '"';
}

/** A port or a range, `A:B` (or `A-B` with `sep` "-"). */
export function portRange(r: PortRange, sep = ":"): string {
  return r.min === r.max ? String(r.min) : `${r.min}${sep}${r.max}`;
}

/** A port as `iptables -L` prints it: its service name unless -n (getservbyport). */
export function service(port: number, proto: number, f: ListOptions): string {
  if (f.numeric) return String(port);
  const table = proto === 6 ? f.services.tcp : proto === 17 ? f.services.udp : undefined;
  return table?.[port] ?? String(port);
}
