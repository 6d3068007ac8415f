/** `conntrack -L` lines exactly as conntrack-tools prints them. */
import { formatIpv4 } from "../addr/ipv4";
import { PROTO_NUMBER } from "../packet/packet";
import type { ConnEntry, Tuple } from "./conntrack";

function tupleText(t: Tuple): string {
  const addrs = `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)}`;
  if (t.proto === "icmp") return `${addrs} type=${t.dport} code=${t.code ?? 0} id=${t.sport}`;
  return `${addrs} sport=${t.sport} dport=${t.dport}`;
}

/**
 * `tcp      6 86396 ESTABLISHED src=… dst=… sport=… dport=… src=… dst=… sport=… dport=… [ASSURED] mark=0 use=1`:
 * protocol name padded to 8 columns, number, seconds left, TCP state, original tuple,
 * [UNREPLIED] until a reply is seen, reply tuple, [ASSURED], mark and use.
 */
export function formatConntrackEntry(e: ConnEntry, now: number): string {
  const left = Math.max(0, Math.floor((e.expires - now) / 1000));
  let s = `${e.orig.proto.padEnd(8)} ${PROTO_NUMBER[e.orig.proto]} ${left} `;
  if (e.tcpState !== undefined) s += `${e.tcpState} `;
  s += tupleText(e.orig) + " ";
  if (!e.seenReply) s += "[UNREPLIED] ";
  s += tupleText(e.reply) + " ";
  if (e.assured) s += "[ASSURED] ";
  s += `mark=${e.mark} use=1`;
  return s;
}

/** The summary conntrack prints on stderr after a listing. */
export function conntrackSummary(count: number, version = "1.4.4"): string {
  return `conntrack v${version} (conntrack-tools): ${count} flow entries have been shown.`;
}
