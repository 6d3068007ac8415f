/**
 * The names today's kube-proxy (nftables mode) derives by hashing, and the service port name it
 * writes in comments. Facts read in kubernetes/kubernetes pkg/proxy/nftables/proxier.go
 * (hashAndTruncate, servicePortChainNameBase, servicePortEndpointChainNameBase) and
 * pkg/proxy/types.go (ServicePortName.String()).
 *
 * A chain's base name is "HASH-ns/name/proto/port" where HASH is the first 8 characters of the
 * RFC 4648 base32 (with padding, as Go's base32.StdEncoding) of the SHA-256 of the very string
 * it prefixes; an endpoint's is "HASH-ns/name/proto/port__ip/port". An IPv6 endpoint's colons
 * become dots. A base longer than 240 characters (nftables' 256 less 16 for the prefix) is cut
 * to 237 and ends in "...".
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { utf8Bytes } from "../hash";
import { base32 } from "./chains";

/** knftables.NameLengthMax (256) less the longest prefix kube-proxy puts before a base name (16). */
const BASE_LENGTH_MAX = 256 - 16;

/** hashAndTruncate: 8 base32 characters of sha256(name), a dash, the name; cut to 240 with "...". */
export function hashAndTruncate(name: string): string {
  const out = base32(sha256(utf8Bytes(name))).slice(0, 8) + "-" + name;
  return out.length > BASE_LENGTH_MAX ? out.slice(0, BASE_LENGTH_MAX - 3) + "..." : out;
}

/** "ns/name/proto/port" hashed: the base of service-, local-, external- and firewall- chains. */
export function servicePortBase(namespace: string, service: string, protocol: string, portName: string): string {
  return hashAndTruncate(`${namespace}/${service}/${protocol.toLowerCase()}/${portName}`);
}

/** "ns/name/proto/port__ip/port" hashed: the base of endpoint- chains and affinity- sets. */
export function endpointBase(namespace: string, service: string, protocol: string, portName: string, ip: string, port: number): string {
  return hashAndTruncate(`${namespace}/${service}/${protocol.toLowerCase()}/${portName}__${ip.replaceAll(":", ".")}/${port}`);
}

/** Today's ServicePortName.String(): "ns/name:port", or "ns/name" for an unnamed port (since v1.19). */
export function servicePortNameString(namespace: string, service: string, portName: string): string {
  return portName === "" ? `${namespace}/${service}` : `${namespace}/${service}:${portName}`;
}
