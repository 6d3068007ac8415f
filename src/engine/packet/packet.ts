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
  /** For a redirect (type 5): the better next hop it names, in the bytes an error leaves unused. */
  readonly gateway?: Ipv4;
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
  /**
   * The rest of the quoted packet as the erring host had it (NAT never rewrites these), so that
   * the error's bytes quote it whole: Linux quotes as much of it as fits in 576 bytes.
   */
  readonly icmpSeq?: number;
  readonly ttl?: number;
  readonly ipId?: number;
  readonly length?: number;
  readonly df?: boolean;
  readonly tos?: number;
  readonly tcp?: TcpInfo;
  readonly payload?: Payload;
}

/** What the application carried, only so that tools can describe it (tcpdump, traces). */
export type Payload =
  /** `sentMs`: the sender's clock when it sent the request; ping puts it in the data, and the reply echoes the data. */
  | { readonly kind: "echo"; readonly bytes: number; readonly sentMs?: number }
  | { readonly kind: "dns-query"; readonly id: number; readonly name: string; readonly qtype: "A" }
  | { readonly kind: "dns-answer"; readonly id: number; readonly name: string; readonly answer: string }
  | { readonly kind: "http-request"; readonly host: string; readonly path: string }
  | { readonly kind: "http-response"; readonly status: number }
  | { readonly kind: "raw"; readonly bytes: number }
  /** A VXLAN datagram's payload: the 8-byte VXLAN header (its network identifier) and the Ethernet frame it carries. */
  | { readonly kind: "vxlan"; readonly vni: number; readonly frame: Frame };

/** The VXLAN header before the carried frame. */
export const VXLAN_HEADER = 8;
export const ETHER_HEADER_BYTES = 14;

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
  /** IP's Don't Fragment flag; absent: what the kernel sets for such a packet (kernelIpFields). */
  readonly df?: boolean;
  /** The IP TOS byte; absent: 0. */
  readonly tos?: number;
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

/**
 * The IP header fields Linux chooses for a packet it builds (docs/kernel-lab-notes.md, "IP
 * header fields"). Sockets send with DF (path MTU discovery is on by default). The kernel's own
 * ICMP messages (echo replies, errors) go out without DF, from ICMP sockets set to
 * IP_PMTUDISC_DONT, and errors carry TOS 0xc0 (precedence "internetwork control"). A SYN-ACK
 * (ip_build_and_send_pkt) and a reset (ip_send_unicast_reply) have DF and id 0; other packets
 * take an id from a counter (the namespace's, standing in for the kernel's hashed generators
 * and a connected socket's own counter).
 */
export function kernelIpFields(p: { readonly proto: Proto; readonly icmp?: IcmpInfo; readonly tcp?: TcpInfo }): { readonly df: boolean; readonly tos: number; readonly idZero: boolean } {
  if (p.proto === "icmp" && p.icmp && (p.icmp.inner !== undefined || p.icmp.type === ICMP_ECHO_REPLY)) {
    return { df: false, tos: p.icmp.inner !== undefined ? 0xc0 : 0, idZero: false };
  }
  const t = p.tcp;
  return { df: true, tos: 0, idZero: p.proto === "tcp" && t !== undefined && ((t.syn && t.ack) || t.rst) };
}

/** What an ICMP error about `p` quotes of it: the header fields NAT may rewrite, and the rest. */
export function quotedHeader(p: Packet): InnerHeader {
  return {
    proto: p.proto,
    src: p.src,
    dst: p.dst,
    sport: p.sport,
    dport: p.dport,
    ...(p.proto === "icmp" && p.icmp && { icmpType: p.icmp.type, icmpId: p.icmp.id, icmpSeq: p.icmp.seq }),
    ttl: p.ttl,
    ipId: p.ipId,
    length: p.length,
    df: p.df ?? kernelIpFields(p).df,
    ...(p.tos !== undefined && p.tos !== 0 && { tos: p.tos }),
    ...(p.tcp && { tcp: p.tcp }),
    ...(p.payload && { payload: p.payload }),
  };
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
