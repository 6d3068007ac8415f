/**
 * The names kube-proxy (v1.10–v1.12) derives by hashing: KUBE-SVC-/KUBE-SEP-/KUBE-XLB-/KUBE-FW-
 * chains, and the "<namespace>/<service>:<port name>" string (with its trailing colon for unnamed
 * ports, as ServicePortName.String() printed it before v1.19).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8Bytes } from "../hash";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** RFC 4648 base32 with padding, as Go's base32.StdEncoding encodes. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

/** ServicePortName.String() of the era: always "ns/name:port", so an unnamed port ends in ":". */
export function servicePortName(namespace: string, service: string, portName: string): string {
  return `${namespace}/${service}:${portName}`;
}

/** portProtoHash: the first 16 characters of base32(sha256(spn + protocol)). */
export function portProtoHash(spn: string, protocol: string): string {
  return base32(sha256(utf8Bytes(spn + protocol.toLowerCase()))).slice(0, 16);
}

export function svcChain(spn: string, protocol: string): string {
  return "KUBE-SVC-" + portProtoHash(spn, protocol);
}

export function xlbChain(spn: string, protocol: string): string {
  return "KUBE-XLB-" + portProtoHash(spn, protocol);
}

export function fwChain(spn: string, protocol: string): string {
  return "KUBE-FW-" + portProtoHash(spn, protocol);
}

/** KUBE-SEP-: base32(sha256(spn + protocol + "ip:port")) cut to 16. */
export function sepChain(spn: string, protocol: string, endpoint: string): string {
  return "KUBE-SEP-" + base32(sha256(utf8Bytes(spn + protocol.toLowerCase() + endpoint))).slice(0, 16);
}

/**
 * Today's ServicePortName.String() (since v1.19): "ns/name:port", or "ns/name" for an unnamed
 * port (no trailing colon). Today's hashes take this string, so an unnamed port's chains differ
 * from 1.10's.
 */
export function servicePortNameModern(namespace: string, service: string, portName: string): string {
  return portName === "" ? `${namespace}/${service}` : `${namespace}/${service}:${portName}`;
}

/** KUBE-SVL-: the local-endpoints chain of a service port (externalTrafficPolicy Local). */
export function svlChain(spn: string, protocol: string): string {
  return "KUBE-SVL-" + portProtoHash(spn, protocol);
}

/** KUBE-EXT-: where a service port's external traffic (NodePort, load balancer) goes first. */
export function extChain(spn: string, protocol: string): string {
  return "KUBE-EXT-" + portProtoHash(spn, protocol);
}
