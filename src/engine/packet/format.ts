/**
 * tcpdump -n text for the packets the engine moves (tcpdump 4.9 wording). The TCP options, DNS
 * messages and HTTP lines it shows come from packet/wire.ts, which also writes them as bytes.
 */
import { formatIpv4 } from "../addr/ipv4";
import type { Frame, Packet } from "./packet";
import { IP_HEADER, UDP_HEADER, tcpHeaderLength } from "./packet";
import { dnsMessage, formatDns, formatTcpOptions, httpFirstLine, tcpOptions } from "./wire";

function icmpText(p: Packet): string {
  const icmp = p.icmp!;
  const len = p.length - IP_HEADER;
  switch (icmp.type) {
    case 8:
      return `ICMP echo request, id ${icmp.id}, seq ${icmp.seq}, length ${len}`;
    case 0:
      return `ICMP echo reply, id ${icmp.id}, seq ${icmp.seq}, length ${len}`;
    case 3: {
      const inner = icmp.inner;
      if (inner && icmp.code === 3 && inner.proto !== "icmp") return `ICMP ${formatIpv4(inner.dst)} ${inner.proto} port ${inner.dport} unreachable, length ${len}`;
      if (inner && icmp.code === 1) return `ICMP host ${formatIpv4(inner.dst)} unreachable, length ${len}`;
      if (inner && icmp.code === 0) return `ICMP net ${formatIpv4(inner.dst)} unreachable, length ${len}`;
      if (inner && icmp.code === 13) return `ICMP host ${formatIpv4(inner.dst)} unreachable - admin prohibited filter, length ${len}`;
      return `ICMP ${inner ? formatIpv4(inner.dst) : "?"} unreachable, length ${len}`;
    }
    case 5: {
      // print-icmp.c names a redirect by its code: to a net or a host, "redirect-tos" for the TOS kinds.
      const kind = icmp.code >= 2 ? "redirect-tos" : "redirect";
      const to = icmp.code % 2 === 0 ? "net" : "host";
      const gw = icmp.gateway !== undefined ? formatIpv4(icmp.gateway) : "0.0.0.0";
      return `ICMP ${kind} ${icmp.inner ? formatIpv4(icmp.inner.dst) : "?"} to ${to} ${gw}, length ${len}`;
    }
    case 11:
      return `ICMP time exceeded in-transit, length ${len}`;
    default:
      return `ICMP type-#${icmp.type}, length ${len}`;
  }
}

function tcpText(p: Packet): string {
  const t = p.tcp!;
  let flags = "";
  if (t.syn) flags += "S";
  if (t.fin) flags += "F";
  if (t.rst) flags += "R";
  if (t.psh) flags += "P";
  if (t.ack) flags += ".";
  const headerLen = tcpHeaderLength(t);
  const payload = p.length - IP_HEADER - headerLen;
  let s = `Flags [${flags}]`;
  if (t.syn || payload > 0 || t.fin || t.rst) s += payload > 0 ? `, seq ${t.seq}:${t.seq + payload}` : `, seq ${t.seq}`;
  if (t.ack) s += `, ack ${t.ackSeq}`;
  s += `, win ${t.win}`;
  const options = tcpOptions(t);
  if (options.length) s += `, options [${formatTcpOptions(options)}]`;
  s += `, length ${payload}`;
  const app = p.payload;
  if (payload > 0 && (app?.kind === "http-request" || app?.kind === "http-response")) s += `: HTTP: ${httpFirstLine(app)}`;
  // DNS over TCP: the message follows its two-byte length.
  if (payload > 0 && (app?.kind === "dns-query" || app?.kind === "dns-answer")) s += `: ${formatDns(dnsMessage(app), payload - 2)}`;
  return s;
}

function udpText(p: Packet): string {
  const len = p.length - IP_HEADER - UDP_HEADER;
  const app = p.payload;
  if (app?.kind === "vxlan") return vxlanText(p, app.vni) + "\n" + tcpdumpLine(app.frame.packet);
  if (app?.kind === "dns-query" || app?.kind === "dns-answer") return formatDns(dnsMessage(app), len);
  return `UDP, length ${len}`;
}

/**
 * tcpdump's words for a VXLAN header, by the port it came to: 4789 is VXLAN's own, while 8472
 * (Linux's default, flannel's) is registered to OTV, whose header VXLAN's matches; the frame
 * inside follows on the next line.
 */
function vxlanText(p: Packet, vni: number): string {
  if (p.dport === 8472 || p.sport === 8472) return `OTV, flags [I] (0x08), overlay 0, instance ${vni}`;
  if (p.dport === 4789 || p.sport === 4789) return `VXLAN, flags [I] (0x08), vni ${vni}`;
  return `UDP, length ${p.length - IP_HEADER - UDP_HEADER}`;
}

/** The part after the timestamp: `IP 10.240.0.20 > 10.200.1.18: ICMP echo request, id 1280, seq 1, length 64`. */
export function tcpdumpLine(p: Packet): string {
  const src = formatIpv4(p.src);
  const dst = formatIpv4(p.dst);
  if (p.proto === "icmp") return `IP ${src} > ${dst}: ${icmpText(p)}`;
  const ends = `IP ${src}.${p.sport} > ${dst}.${p.dport}: `;
  return ends + (p.proto === "tcp" ? tcpText(p) : udpText(p));
}

/** `-e`: the link-level header before the IP line. */
export function tcpdumpEther(f: Frame): string {
  return `${f.srcMac} > ${f.dstMac}, ethertype IPv4 (0x0800), length ${f.packet.length + 14}: `;
}

/** `14:47:11.349522` from milliseconds of simulated time (UTC). */
export function tcpdumpTime(ms: number): string {
  const d = new Date(Math.floor(ms));
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const micros = Math.round((ms - Math.floor(ms / 1000) * 1000) * 1000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}`;
}
