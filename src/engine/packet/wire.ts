/**
 * Packets as bytes: an Ethernet II frame carrying the IPv4 packet exactly as Linux would put it
 * on the wire (docs/kernel-lab-notes.md, "IP header fields"), and the way back. The header
 * values that tcpdump's text shows (TCP options, DNS messages, HTTP first lines) come from the
 * functions here, which packet/format.ts prints from, so the text and the bytes cannot disagree.
 *
 * Everything is total: a packet the model never makes (a length shorter than its headers) still
 * encodes, to its headers, and any byte string decodes to something.
 */
import type { Ipv4 } from "../addr/ipv4";
import {
  ICMP_HEADER,
  IP_HEADER,
  PROTO_NUMBER,
  UDP_HEADER,
  VXLAN_HEADER,
  kernelIpFields,
  tcpHeaderLength,
  type Frame,
  type IcmpInfo,
  type InnerHeader,
  type Packet,
  type Payload,
  type Proto,
  type TcpInfo,
} from "./packet";

export const ETHER_HEADER = 14;
export const ETHERTYPE_IPV4 = 0x0800;

// ---- the header values the text shows ----------------------------------------------------------

export type TcpOption =
  | { readonly kind: "mss"; readonly value: number }
  | { readonly kind: "sackOK" }
  | { readonly kind: "TS"; readonly val: number; readonly ecr: number }
  | { readonly kind: "nop" }
  | { readonly kind: "wscale"; readonly shift: number };

/**
 * The options Linux sends, in their order on the wire: a SYN (or SYN-ACK) carries mss, SACK
 * permitted, timestamps, a nop and the window scale (20 bytes); later segments two nops and the
 * timestamps (12); a reset none.
 */
export function tcpOptions(t: Pick<TcpInfo, "syn" | "ack" | "rst" | "seq" | "ackSeq">): TcpOption[] {
  if (t.syn) {
    return [
      { kind: "mss", value: 1460 },
      { kind: "sackOK" },
      { kind: "TS", val: 1000 + (t.seq % 1000), ecr: t.ack ? 1000 + (t.ackSeq % 1000) : 0 },
      { kind: "nop" },
      { kind: "wscale", shift: 7 },
    ];
  }
  if (t.rst) return [];
  return [{ kind: "nop" }, { kind: "nop" }, { kind: "TS", val: 1001, ecr: 1001 }];
}

/** `mss 1460,sackOK,TS val 1000 ecr 0,nop,wscale 7`, tcpdump's way. */
export function formatTcpOptions(opts: readonly TcpOption[]): string {
  return opts
    .map((o) => {
      switch (o.kind) {
        case "mss":
          return `mss ${o.value}`;
        case "sackOK":
          return "sackOK";
        case "TS":
          return `TS val ${o.val} ecr ${o.ecr}`;
        case "nop":
          return "nop";
        case "wscale":
          return `wscale ${o.shift}`;
      }
    })
    .join(",");
}

/** The flags of the DNS messages the model sends: a stub resolver's query, and an authoritative answer. */
export const DNS_QUERY_FLAGS = 0x0100; // RD
export const DNS_ANSWER_FLAGS = 0x8580; // QR AA RD RA, NOERROR
/** The TTL kube-dns gives cluster records. */
export const DNS_ANSWER_TTL = 30;
const DNS_TYPE_A = 1;
const DNS_CLASS_IN = 1;

/** A DNS message of one question and at most one A record, as the model's payloads describe them. */
export interface DnsMessage {
  readonly id: number;
  readonly flags: number;
  readonly name: string;
  readonly qtype: number;
  readonly answers: readonly { readonly ttl: number; readonly address: string }[];
}

export function dnsMessage(p: Extract<Payload, { kind: "dns-query" | "dns-answer" }>): DnsMessage {
  return p.kind === "dns-query"
    ? { id: p.id, flags: DNS_QUERY_FLAGS, name: p.name, qtype: DNS_TYPE_A, answers: [] }
    : { id: p.id, flags: DNS_ANSWER_FLAGS, name: p.name, qtype: DNS_TYPE_A, answers: [{ ttl: DNS_ANSWER_TTL, address: p.answer }] };
}

/**
 * tcpdump's one line for a DNS message (ns_print without -v): `12345+ A? name. (54)` for a query
 * (`+`: recursion desired), `12345* 1/0/0 A 10.32.0.1 (70)` for an answer (`*`: authoritative,
 * `-` would mean recursion not available). `length` is the message's length as tcpdump counts it.
 */
export function formatDns(m: DnsMessage, length: number): string {
  const qr = (m.flags & 0x8000) !== 0;
  if (!qr) return `${m.id}${m.flags & 0x0100 ? "+" : ""} A? ${m.name}. (${length})`;
  const flags = `${m.flags & 0x0400 ? "*" : ""}${m.flags & 0x0080 ? "" : "-"}`;
  const answers = m.answers.map((a) => ` A ${a.address}`).join(",");
  return `${m.id}${flags} ${m.answers.length}/0/0${answers} (${length})`;
}

/** The nginx of 2018 answering its welcome page: a 238-byte header. */
function httpResponseHead(status: number): string {
  return (
    `HTTP/1.1 ${status} OK\r\nServer: nginx/1.15.0\r\nDate: Mon, 14 May 2018 14:47:11 GMT\r\nContent-Type: text/html\r\nContent-Length: 612\r\n` +
    `Last-Modified: Tue, 05 Jun 2018 12:00:18 GMT\r\nConnection: keep-alive\r\nETag: "5b167b52-264"\r\nAccept-Ranges: bytes\r\n\r\n`
  );
}

/** The application bytes of an HTTP payload as text (what world.ts's payloadLength counts). */
export function httpText(p: Extract<Payload, { kind: "http-request" | "http-response" }>): string {
  return p.kind === "http-request" ? `GET ${p.path} HTTP/1.1\r\nHost: ${p.host}\r\nUser-Agent: curl/7.58.0\r\nAccept: */*\r\n\r\n` : httpResponseHead(p.status);
}

/** The first line of an HTTP message, which tcpdump prints after `HTTP: `. */
export function httpFirstLine(p: Extract<Payload, { kind: "http-request" | "http-response" }>): string {
  const text = httpText(p);
  const end = text.indexOf("\r\n");
  return end < 0 ? text : text.slice(0, end);
}

// ---- bytes ---------------------------------------------------------------------------------------

/** The Internet checksum (RFC 1071) of b[start, end), starting from a partial sum. */
export function inetChecksum(b: Uint8Array, start = 0, end = b.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < end) sum += b[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  put16(b, at, Math.floor(v / 0x10000) & 0xffff);
  put16(b, at + 2, v & 0xffff);
}

const get16 = (b: Uint8Array, at: number): number => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
const get32 = (b: Uint8Array, at: number): number => get16(b, at) * 0x10000 + get16(b, at + 2);

/** Text as bytes, one per character (the model's names and HTTP lines are ASCII). */
function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function text(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function ipBytes(ip: number, b: Uint8Array, at: number): void {
  put32(b, at, ip >>> 0);
}

function dottedToInt(s: string): number {
  const parts = s.split(".").map(Number);
  if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return 0;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function intToDotted(n: number): string {
  return `${(n >>> 24) & 0xff}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

function macBytes(mac: string, b: Uint8Array, at: number): void {
  const parts = mac.split(":");
  for (let i = 0; i < 6; i++) b[at + i] = parseInt(parts[i] ?? "0", 16) & 0xff;
}

function macText(b: Uint8Array, at: number): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push((b[at + i] ?? 0).toString(16).padStart(2, "0"));
  return out.join(":");
}

/** A DNS name as labels (`kubernetes.default…` → 10 kubernetes 7 default … 0): name.length + 2 bytes. */
function dnsName(name: string): Uint8Array {
  const labels = name === "" ? [] : name.split(".");
  const out = new Uint8Array(name === "" ? 1 : name.length + 2);
  let at = 0;
  for (const l of labels) {
    out[at++] = Math.min(l.length, 255);
    out.set(ascii(l), at);
    at += l.length;
  }
  return out;
}

export function encodeDns(m: DnsMessage): Uint8Array {
  const name = dnsName(m.name);
  const size = 12 + name.length + 4 + m.answers.length * 16;
  const b = new Uint8Array(size);
  put16(b, 0, m.id);
  put16(b, 2, m.flags);
  put16(b, 4, 1);
  put16(b, 6, m.answers.length);
  b.set(name, 12);
  let at = 12 + name.length;
  put16(b, at, m.qtype);
  put16(b, at + 2, DNS_CLASS_IN);
  at += 4;
  for (const a of m.answers) {
    put16(b, at, 0xc00c); // the name: a pointer to the question's
    put16(b, at + 2, DNS_TYPE_A);
    put16(b, at + 4, DNS_CLASS_IN);
    put32(b, at + 6, a.ttl);
    put16(b, at + 10, 4);
    put32(b, at + 12, dottedToInt(a.address));
    at += 16;
  }
  return b;
}

/** A DNS message of the model's shape, or undefined when the bytes are anything else. */
export function decodeDns(b: Uint8Array): DnsMessage | undefined {
  if (b.length < 17 || get16(b, 4) !== 1 || get16(b, 8) !== 0 || get16(b, 10) !== 0) return undefined;
  const ancount = get16(b, 6);
  let at = 12;
  const labels: string[] = [];
  while (at < b.length && b[at] !== 0) {
    const n = b[at]!;
    if (n >= 0xc0 || at + 1 + n > b.length) return undefined;
    labels.push(text(b, at + 1, at + 1 + n));
    at += 1 + n;
  }
  if (at >= b.length) return undefined;
  at++;
  if (at + 4 > b.length || get16(b, at + 2) !== DNS_CLASS_IN) return undefined;
  const qtype = get16(b, at);
  at += 4;
  const answers: { ttl: number; address: string }[] = [];
  for (let i = 0; i < ancount; i++) {
    if (at + 16 > b.length || get16(b, at) !== 0xc00c || get16(b, at + 2) !== DNS_TYPE_A || get16(b, at + 10) !== 4) return undefined;
    answers.push({ ttl: get32(b, at + 6), address: intToDotted(get32(b, at + 12)) });
    at += 16;
  }
  if (at !== b.length) return undefined;
  return { id: get16(b, 0), flags: get16(b, 2), name: labels.join("."), qtype, answers };
}

/** ping's data (iputils): a struct timeval of the send time (seconds and microseconds, 8 bytes each, little-endian on x86-64), then bytes counting up from 0x10. */
function echoData(n: number, sentMs: number | undefined): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i & 0xff;
  if (sentMs !== undefined && n >= 16) {
    const { sec, usec } = splitTime(sentMs);
    b.fill(0, 0, 16);
    putLe(b, 0, sec);
    putLe(b, 8, usec);
  }
  return b;
}

function putLe(b: Uint8Array, at: number, v: number): void {
  for (let i = 0; i < 8 && v > 0; i++) {
    b[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

function getLe(b: Uint8Array, at: number): number {
  let v = 0;
  for (let i = 7; i >= 0; i--) v = v * 256 + (b[at + i] ?? 0);
  return v;
}

/** Milliseconds since the epoch as whole seconds and microseconds, rounded as tcpdumpTime rounds. */
export function splitTime(ms: number): { sec: number; usec: number } {
  let sec = Math.floor(ms / 1000);
  let usec = Math.round((ms - sec * 1000) * 1000);
  if (usec >= 1_000_000) {
    sec += 1;
    usec -= 1_000_000;
  }
  return { sec, usec };
}

/** `n` bytes of what the payload carries: its own bytes, cut or zero-filled to fit. */
function payloadBytes(p: Payload | undefined, n: number, proto: Proto): Uint8Array {
  const out = new Uint8Array(Math.max(0, n));
  if (!p || n <= 0) return out;
  let data: Uint8Array;
  switch (p.kind) {
    case "echo":
      return echoData(n, p.sentMs);
    case "raw":
      return out;
    case "dns-query":
    case "dns-answer": {
      const m = encodeDns(dnsMessage(p));
      if (proto === "tcp") {
        // DNS over TCP: the message after its two-byte length.
        data = new Uint8Array(2 + m.length);
        put16(data, 0, Math.max(0, n - 2));
        data.set(m, 2);
      } else data = m;
      break;
    }
    case "http-request":
    case "http-response":
      data = ascii(httpText(p));
      break;
    case "vxlan": {
      // The VXLAN header: flags with I (a valid VNI) set, 3 reserved bytes, the VNI, 1 reserved byte; then the frame.
      const frame = encodeFrame(p.frame);
      data = new Uint8Array(VXLAN_HEADER + frame.length);
      data[0] = 0x08;
      data[4] = (p.vni >>> 16) & 0xff;
      data[5] = (p.vni >>> 8) & 0xff;
      data[6] = p.vni & 0xff;
      data.set(frame, VXLAN_HEADER);
      break;
    }
  }
  out.set(data.subarray(0, n));
  return out;
}

/** The application payload the bytes carry, or undefined for none (the inverse of payloadBytes on the model's payloads). */
function decodePayload(b: Uint8Array, proto: Proto): Payload | undefined {
  if (b.length === 0) return undefined;
  const dns = decodeDns(proto === "tcp" && b.length >= 2 && get16(b, 0) === b.length - 2 ? b.subarray(2) : b);
  if (dns && dns.qtype === DNS_TYPE_A) {
    if (dns.flags === DNS_QUERY_FLAGS && dns.answers.length === 0) return { kind: "dns-query", id: dns.id, name: dns.name, qtype: "A" };
    if (dns.flags === DNS_ANSWER_FLAGS && dns.answers.length === 1) return { kind: "dns-answer", id: dns.id, name: dns.name, answer: dns.answers[0]!.address };
  }
  const head = text(b, 0, Math.min(b.length, 512));
  const req = /^GET (.*) HTTP\/1\.1\r\nHost: (.*)\r\nUser-Agent: curl\/7\.58\.0\r\nAccept: \*\/\*\r\n\r\n$/s.exec(head);
  if (req) return { kind: "http-request", path: req[1]!, host: req[2]! };
  const res = /^HTTP\/1\.1 (\d{3}) OK\r\n/.exec(head);
  if (res) return { kind: "http-response", status: Number(res[1]) };
  return { kind: "raw", bytes: b.length };
}

const NO_FLAGS: TcpInfo = { syn: false, ack: false, fin: false, rst: false, psh: false, seq: 0, ackSeq: 0, win: 0 };

/** The packet that an ICMP error quotes, rebuilt from what the error's inner header kept of it. */
export function quotedPacket(inner: InnerHeader, quotedBytes: number): Packet {
  return {
    proto: inner.proto,
    src: inner.src,
    dst: inner.dst,
    sport: inner.proto === "icmp" ? 0 : inner.sport,
    dport: inner.proto === "icmp" ? 0 : inner.dport,
    ttl: inner.ttl ?? 64,
    ipId: inner.ipId ?? 0,
    length: inner.length ?? quotedBytes,
    ...(inner.df !== undefined && { df: inner.df }),
    ...(inner.tos !== undefined && { tos: inner.tos }),
    ...(inner.proto === "icmp" && { icmp: { type: inner.icmpType ?? 8, code: 0, id: inner.icmpId ?? 0, seq: inner.icmpSeq ?? 0 } }),
    ...(inner.proto === "tcp" && { tcp: inner.tcp ?? NO_FLAGS }),
    ...(inner.payload && { payload: inner.payload }),
  };
}

/** The IPv4 packet as bytes: packet.length of them (more only when its headers do not fit in that). */
export function encodeIpv4(p: Packet): Uint8Array {
  const t = p.tcp ?? NO_FLAGS;
  const l4Header = p.proto === "icmp" ? ICMP_HEADER : p.proto === "udp" ? UDP_HEADER : tcpHeaderLength(t);
  const total = Math.max(p.length, IP_HEADER + l4Header);
  const b = new Uint8Array(total);
  const df = p.df ?? kernelIpFields(p).df;
  b[0] = 0x45;
  b[1] = (p.tos ?? 0) & 0xff;
  put16(b, 2, p.length & 0xffff);
  put16(b, 4, p.ipId & 0xffff);
  put16(b, 6, df ? 0x4000 : 0);
  b[8] = p.ttl & 0xff;
  b[9] = PROTO_NUMBER[p.proto];
  ipBytes(p.src, b, 12);
  ipBytes(p.dst, b, 16);
  put16(b, 10, inetChecksum(b, 0, IP_HEADER));
  const l4 = IP_HEADER;
  const dataAt = l4 + l4Header;
  const dataLen = total - dataAt;
  switch (p.proto) {
    case "icmp": {
      const icmp: IcmpInfo = p.icmp ?? { type: 8, code: 0, id: 0, seq: 0 };
      b[l4] = icmp.type & 0xff;
      b[l4 + 1] = icmp.code & 0xff;
      if (icmp.inner) {
        // An error: 4 unused bytes (a redirect's new gateway), then the start of the packet it
        // is about, checksums and all.
        if (icmp.gateway !== undefined) put32(b, l4 + 4, icmp.gateway >>> 0);
        const q = quotedPacket(icmp.inner, dataLen);
        b.set(encodeIpv4(q).subarray(0, dataLen), dataAt);
      } else {
        put16(b, l4 + 4, icmp.id);
        put16(b, l4 + 6, icmp.seq);
        b.set(p.payload ? payloadBytes(p.payload, dataLen, "icmp") : echoData(dataLen, undefined), dataAt);
      }
      put16(b, l4 + 2, inetChecksum(b, l4, total));
      break;
    }
    case "udp": {
      put16(b, l4, p.sport);
      put16(b, l4 + 2, p.dport);
      put16(b, l4 + 4, (total - l4) & 0xffff);
      b.set(payloadBytes(p.payload, dataLen, "udp"), dataAt);
      // A VXLAN device checksums its datagrams too (ip -d link: udpcsum, the kernel's default).
      const sum = inetChecksum(b, l4, total, pseudoSum(p, total - l4));
      put16(b, l4 + 6, sum === 0 ? 0xffff : sum);
      break;
    }
    case "tcp": {
      put16(b, l4, p.sport);
      put16(b, l4 + 2, p.dport);
      put32(b, l4 + 4, t.seq >>> 0);
      put32(b, l4 + 8, t.ackSeq >>> 0);
      b[l4 + 12] = (l4Header / 4) << 4;
      b[l4 + 13] = (t.fin ? 0x01 : 0) | (t.syn ? 0x02 : 0) | (t.rst ? 0x04 : 0) | (t.psh ? 0x08 : 0) | (t.ack ? 0x10 : 0);
      put16(b, l4 + 14, t.win);
      let at = l4 + 20;
      for (const o of tcpOptions(t)) at = putTcpOption(b, at, o);
      b.set(payloadBytes(p.payload, dataLen, "tcp"), dataAt);
      put16(b, l4 + 16, inetChecksum(b, l4, total, pseudoSum(p, total - l4)));
      break;
    }
  }
  return b;
}

/** The unfolded sum of the pseudo-header TCP and UDP checksums cover. */
function pseudoSum(p: Packet, l4Length: number): number {
  return (p.src >>> 16) + (p.src & 0xffff) + (p.dst >>> 16) + (p.dst & 0xffff) + PROTO_NUMBER[p.proto] + l4Length;
}

function putTcpOption(b: Uint8Array, at: number, o: TcpOption): number {
  switch (o.kind) {
    case "mss":
      b.set([2, 4], at);
      put16(b, at + 2, o.value);
      return at + 4;
    case "sackOK":
      b.set([4, 2], at);
      return at + 2;
    case "TS":
      b.set([8, 10], at);
      put32(b, at + 2, o.val);
      put32(b, at + 6, o.ecr);
      return at + 10;
    case "nop":
      b[at] = 1;
      return at + 1;
    case "wscale":
      b.set([3, 3, o.shift], at);
      return at + 3;
  }
}

/** The options of a TCP header's option bytes, stopping at end-of-options or at a malformed one. */
export function decodeTcpOptions(b: Uint8Array): TcpOption[] {
  const out: TcpOption[] = [];
  let at = 0;
  while (at < b.length) {
    const kind = b[at]!;
    if (kind === 0) break;
    if (kind === 1) {
      out.push({ kind: "nop" });
      at++;
      continue;
    }
    const len = b[at + 1] ?? 0;
    if (len < 2 || at + len > b.length) break;
    if (kind === 2 && len === 4) out.push({ kind: "mss", value: get16(b, at + 2) });
    else if (kind === 4 && len === 2) out.push({ kind: "sackOK" });
    else if (kind === 8 && len === 10) out.push({ kind: "TS", val: get32(b, at + 2), ecr: get32(b, at + 6) });
    else if (kind === 3 && len === 3) out.push({ kind: "wscale", shift: b[at + 2]! });
    at += len;
  }
  return out;
}

/** The frame as bytes: destination MAC, source MAC, ethertype 0x0800, then the IPv4 packet. */
export function encodeFrame(f: Frame): Uint8Array {
  const ip = encodeIpv4(f.packet);
  const b = new Uint8Array(ETHER_HEADER + ip.length);
  macBytes(f.dstMac, b, 0);
  macBytes(f.srcMac, b, 6);
  put16(b, 12, ETHERTYPE_IPV4);
  b.set(ip, ETHER_HEADER);
  return b;
}

// ---- decoding ------------------------------------------------------------------------------------

/** What the bytes of an IPv4 packet say, in the model's terms, with the checksums they carry. */
export interface DecodedIpv4 {
  readonly packet: Packet;
  /** The IP header checksum, and whether the header sums to zero with it. */
  readonly ipChecksumOk: boolean;
  /** The ICMP, UDP or TCP checksum over the whole segment (and pseudo-header), verified. */
  readonly l4ChecksumOk: boolean;
  /** The TCP options as sent. */
  readonly tcpOptions?: readonly TcpOption[];
  /** For an ICMP error: the quoted packet, decoded as far as it was quoted. */
  readonly quoted?: DecodedIpv4;
}

const PROTO_OF: Readonly<Record<number, Proto>> = { 1: "icmp", 6: "tcp", 17: "udp" };

/**
 * Decodes an IPv4 packet. `quoted`: the bytes are the start of a packet an ICMP error quotes, so
 * they may stop before its total length says.
 */
export function decodeIpv4(b: Uint8Array, quoted = false): DecodedIpv4 {
  const ihl = ((b[0] ?? 0x45) & 0x0f) * 4;
  const length = get16(b, 2);
  const end = quoted ? b.length : Math.min(b.length, Math.max(length, ihl));
  const proto = PROTO_OF[b[9] ?? 0] ?? "udp";
  const flags = get16(b, 6);
  const src = get32(b, 12) as Ipv4;
  const dst = get32(b, 16) as Ipv4;
  const base = {
    proto,
    src,
    dst,
    ttl: b[8] ?? 0,
    ipId: get16(b, 4),
    length,
    df: (flags & 0x4000) !== 0,
    ...(b[1] ? { tos: b[1] } : {}),
  };
  const ipChecksumOk = inetChecksum(b, 0, ihl) === 0;
  const l4 = ihl;
  // A quoted packet may be cut short: its checksums and payload then cannot be checked.
  const complete = end >= length;
  switch (proto) {
    case "icmp": {
      const type = b[l4] ?? 0;
      const code = b[l4 + 1] ?? 0;
      const l4ChecksumOk = !complete || inetChecksum(b, l4, end) === 0;
      if (type === 3 || type === 11 || type === 12 || type === 4 || type === 5) {
        const q = decodeIpv4(b.subarray(l4 + ICMP_HEADER, end), true);
        const qp = q.packet;
        const inner: InnerHeader = {
          proto: qp.proto,
          src: qp.src,
          dst: qp.dst,
          sport: qp.sport,
          dport: qp.dport,
          ...(qp.proto === "icmp" && qp.icmp && { icmpType: qp.icmp.type, icmpId: qp.icmp.id, icmpSeq: qp.icmp.seq }),
          ttl: qp.ttl,
          ipId: qp.ipId,
          length: qp.length,
          df: qp.df ?? false,
          ...(qp.tos !== undefined && { tos: qp.tos }),
          ...(qp.tcp && { tcp: qp.tcp }),
          ...(qp.payload && { payload: qp.payload }),
        };
        const gateway = type === 5 ? { gateway: get32(b, l4 + 4) as Ipv4 } : {};
        const restOfHeader = type === 5 ? { id: 0, seq: 0 } : { id: get16(b, l4 + 4), seq: get16(b, l4 + 6) };
        return { packet: { ...base, sport: 0, dport: 0, icmp: { type, code, ...restOfHeader, inner, ...gateway } }, ipChecksumOk, l4ChecksumOk, quoted: q };
      }
      const data = b.subarray(l4 + ICMP_HEADER, end);
      const payload = decodeEcho(data, quoted ? Math.max(0, length - ihl - ICMP_HEADER) : data.length);
      return { packet: { ...base, sport: 0, dport: 0, icmp: { type, code, id: get16(b, l4 + 4), seq: get16(b, l4 + 6) }, ...(payload && { payload }) }, ipChecksumOk, l4ChecksumOk };
    }
    case "udp": {
      const sport = get16(b, l4);
      const dport = get16(b, l4 + 2);
      const l4ChecksumOk = !complete || get16(b, l4 + 6) === 0 || inetChecksum(b, l4, end, pseudoSum({ ...base, proto, sport, dport } as Packet, end - l4)) === 0;
      const data = b.subarray(l4 + UDP_HEADER, end);
      const payload = complete ? (decodeVxlan(data) ?? decodePayload(data, "udp")) : undefined;
      return { packet: { ...base, sport, dport, ...(payload && { payload }) }, ipChecksumOk, l4ChecksumOk };
    }
    case "tcp": {
      const sport = get16(b, l4);
      const dport = get16(b, l4 + 2);
      const off = ((b[l4 + 12] ?? 0x50) >> 4) * 4;
      const f = b[l4 + 13] ?? 0;
      const tcp: TcpInfo = {
        syn: (f & 0x02) !== 0,
        ack: (f & 0x10) !== 0,
        fin: (f & 0x01) !== 0,
        rst: (f & 0x04) !== 0,
        psh: (f & 0x08) !== 0,
        seq: get32(b, l4 + 4),
        ackSeq: get32(b, l4 + 8),
        win: get16(b, l4 + 14),
      };
      const l4ChecksumOk = !complete || inetChecksum(b, l4, end, pseudoSum({ ...base, proto, sport, dport } as Packet, end - l4)) === 0;
      const payload = complete ? decodePayload(b.subarray(Math.min(end, l4 + off), end), "tcp") : undefined;
      return { packet: { ...base, sport, dport, tcp, ...(payload && { payload }) }, ipChecksumOk, l4ChecksumOk, tcpOptions: decodeTcpOptions(b.subarray(l4 + 20, Math.min(end, l4 + off))) };
    }
  }
}

/** A VXLAN header (I flag, reserved bytes zero) followed by an Ethernet frame carrying IPv4: the payload it is. */
function decodeVxlan(b: Uint8Array): Payload | undefined {
  if (b.length < VXLAN_HEADER + ETHER_HEADER + 20 || b[0] !== 0x08 || b[1] !== 0 || b[2] !== 0 || b[3] !== 0 || b[7] !== 0) return undefined;
  const inner = b.subarray(VXLAN_HEADER);
  if (get16(inner, 12) !== ETHERTYPE_IPV4 || ((inner[ETHER_HEADER] ?? 0) >> 4) !== 4) return undefined;
  const f = decodeFrame(inner);
  return { kind: "vxlan", vni: ((b[4]! << 16) | (b[5]! << 8) | b[6]!) >>> 0, frame: { srcMac: f.srcMac, dstMac: f.dstMac, packet: f.ip.packet } };
}

/** ping's data back: its length, and the send time when it carries one. */
function decodeEcho(data: Uint8Array, bytes: number): Payload | undefined {
  if (bytes === 0) return undefined;
  const plain = echoData(Math.min(16, data.length), undefined);
  let stamped = data.length >= 16;
  if (stamped && plain.every((x, i) => data[i] === x)) stamped = false;
  if (!stamped) return { kind: "echo", bytes };
  const sec = getLe(data, 0);
  const usec = getLe(data, 8);
  return { kind: "echo", bytes, sentMs: sec * 1000 + usec / 1000 };
}

export interface DecodedFrame {
  readonly dstMac: string;
  readonly srcMac: string;
  readonly ethertype: number;
  readonly ip: DecodedIpv4;
}

export function decodeFrame(b: Uint8Array): DecodedFrame {
  return { dstMac: macText(b, 0), srcMac: macText(b, 6), ethertype: get16(b, 12), ip: decodeIpv4(b.subarray(ETHER_HEADER)) };
}
