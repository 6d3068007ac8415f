/**
 * Names that kube-proxy (v1.10–v1.12) and the CNI bridge plugin (v0.6.0) derive by hashing:
 * KUBE-SVC-/KUBE-SEP-/KUBE-XLB-/KUBE-FW- chains, CNI-… masquerade chains, and the
 * "<namespace>/<service>:<port name>" string (with its trailing colon for unnamed ports,
 * as ServicePortName.String() printed it before v1.19).
 */
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { hashString, seededRng } from "../rng";

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

/** UTF-8 bytes of a string (Go hashes the string's bytes). */
function utf8Bytes(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
const utf8 = { encode: utf8Bytes };

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** ServicePortName.String() of the era: always "ns/name:port", so an unnamed port ends in ":". */
export function servicePortName(namespace: string, service: string, portName: string): string {
  return `${namespace}/${service}:${portName}`;
}

/** portProtoHash: the first 16 characters of base32(sha256(spn + protocol)). */
export function portProtoHash(spn: string, protocol: string): string {
  return base32(sha256(utf8.encode(spn + protocol.toLowerCase()))).slice(0, 16);
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
  return "KUBE-SEP-" + base32(sha256(utf8.encode(spn + protocol.toLowerCase() + endpoint))).slice(0, 16);
}

/** The CNI bridge plugin's masquerade chain: "CNI-" + hex(sha512(network name + container id)), 28 characters in all. */
export function cniChain(networkName: string, containerId: string): string {
  return ("CNI-" + hex(sha512(utf8.encode(networkName + containerId)))).slice(0, 28);
}

/** The comment on every rule of that chain: name: "bridge" id: "<container id>". */
export function cniComment(networkName: string, containerId: string): string {
  return `name: ${JSON.stringify(networkName)} id: ${JSON.stringify(containerId)}`;
}

/**
 * A deterministic hex identifier (container and sandbox IDs, netns UUIDs, veth suffixes) from a
 * seed text. The real ones are random; these only need to be stable and well spread, so a seeded
 * generator does it at a fraction of a SHA-256's cost (a cluster has tens of thousands of them).
 */
export function hexId(seed: string, length = 64): string {
  const rng = seededRng(hashString(seed));
  let out = "";
  while (out.length < length) out += rng.nextU32().toString(16).padStart(8, "0");
  return out.slice(0, length);
}
