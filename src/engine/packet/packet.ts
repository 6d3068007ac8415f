/** Packets are plain readonly data: every change (NAT, TTL) makes a new value. */
import type { Ipv4 } from "../addr/ipv4";

export type Proto = "icmp" | "tcp" | "udp";

export const PROTO_NUMBER: Readonly<Record<Proto, number>> = { icmp: 1, tcp: 6, udp: 17 };

/** TCP flags as tcpdump prints them: S, S., ., P., F., R, R. */
export interface TcpInfo {
  readonly syn: boolean;
  readonly ack: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly psh: boolean;
  readonly seq: number;
  readonly ackSeq: number;
  readonly win: number;
}

export interface IcmpInfo {
  readonly type: number;
  readonly code: number;
  /** Echo identifier (0 for error messages). */
  readonly id: number;
  readonly seq: number;
  /** For ICMP errors: the header of the packet that caused it. */
  readonly inner?: InnerHeader;
}

/** The start of the offending packet that an ICMP error quotes. */
export interface InnerHeader {
  readonly proto: Proto;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  readonly sport: number;
  readonly dport: number;
  /** When the quoted packet was ICMP: its type and id. */
  readonly icmpType?: number;
  readonly icmpId?: number;
}

/** What the application carried, only so that tools can describe it (tcpdump, traces). */
export type Payload =
  | { readonly kind: "echo"; readonly bytes: number }
  | { readonly kind: "dns-query"; readonly id: number; readonly name: string; readonly qtype: "A" }
  | { readonly kind: "dns-answer"; readonly id: number; readonly name: string; readonly answer: string }
  | { readonly kind: "http-request"; readonly host: string; readonly path: string }
  | { readonly kind: "http-response"; readonly status: number }
  | { readonly kind: "raw"; readonly bytes: number };

export interface Packet {
  readonly proto: Proto;
  readonly src: Ipv4;
  readonly dst: Ipv4;
  /** TCP/UDP ports; 0 for ICMP. */
  readonly sport: number;
  readonly dport: number;
  readonly ttl: number;
  /** The IP identification field. */
  readonly ipId: number;
  /** IP total length in bytes: what iptables counters and skb->len count. */
  readonly length: number;
  readonly icmp?: IcmpInfo;
  readonly tcp?: TcpInfo;
  readonly payload?: Payload;
}

/** An Ethernet frame on a wire. */
export interface Frame {
  readonly srcMac: string;
  readonly dstMac: string;
  readonly packet: Packet;
}

export const IP_HEADER = 20;
export const ICMP_HEADER = 8;
export const UDP_HEADER = 8;
/** A SYN from Linux carries mss, sackOK, timestamps, nop and wscale: 20 + 20 bytes. */
export const TCP_HEADER_SYN = 40;
/** Later segments carry the timestamp option: 20 + 12 bytes. */
export const TCP_HEADER = 32;
/** A reset carries no options: the bare 20-byte header (tcpdump shows a 54-byte frame). */
export const TCP_HEADER_RST = 20;

/** The TCP header length of a segment with these flags, as Linux sends it. */
export function tcpHeaderLength(t: { readonly syn: boolean; readonly rst: boolean }): number {
  return t.syn ? TCP_HEADER_SYN : t.rst ? TCP_HEADER_RST : TCP_HEADER;
}

export function withTtl(p: Packet, ttl: number): Packet {
  return { ...p, ttl };
}

/** ICMP types whose echo/reply pairs conntrack knows. */
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_TIME_EXCEEDED = 11;

export function isIcmpError(p: Packet): boolean {
  return p.proto === "icmp" && p.icmp !== undefined && p.icmp.inner !== undefined;
}
