/**
 * The trace's plain-language explanations that several parts of the engine share: ICMP
 * messages by name, why a surprising step happened, and the sentence of every step (`say`). The
 * language is chosen per run (`withNarration`: RunOptions.lang, the worker's run and exec
 * requests); tool output (rules, conntrack lines, tcpdump) is never translated.
 */
import { NARRATION_RU } from "./narrate-ru";

/** The languages the trace can be told in. */
export const NARRATION_LANGS = ["en", "ru"] as const;
export type NarrationLang = (typeof NARRATION_LANGS)[number];

let current: NarrationLang = "en";

/** Runs `f` with the trace told in `lang` (the engine is synchronous: nothing else runs meanwhile). */
export function withNarration<T>(lang: NarrationLang | undefined, f: () => T): T {
  const prev = current;
  current = lang ?? "en";
  try {
    return f();
  } finally {
    current = prev;
  }
}

/** The language the trace is being told in now. */
export function narrationLang(): NarrationLang {
  return current;
}

/** ICMP's type and code in words, as the RFCs name them. */
function icmpNameEn(type: number, code: number): string {
  if (type === 3) {
    const what = ["net", "host", "protocol", "port", "fragmentation needed", "source route failed", "net unknown", "host unknown"][code];
    return code === 4 || code === 5 ? `destination unreachable: ${what}` : what ? `destination ${what} unreachable` : `destination unreachable, code ${code}`;
  }
  if (type === 5) return `redirect for the ${["network", "host", "type of service and network", "type of service and host"][code] ?? `code ${code}`}`;
  if (type === 11) return code === 0 ? "time to live exceeded in transit" : "fragment reassembly time exceeded";
  return `type ${type}, code ${code}`;
}

/**
 * Why conntrack found a packet INVALID, where the reason alone puzzles: an ACK in state
 * SYN_SENT means this node saw the connection's SYN but not its SYN-ACK.
 */
function whyInvalidEn(reason: string): string | undefined {
  if (/^TCP .*ACK.* is invalid in state SYN_SENT$/.test(reason) && !/SYN/.test(reason.replace(/in state SYN_SENT$/, ""))) {
    return (
      "This node saw the connection's SYN go through, but not the SYN-ACK that answered it: the answer went back by another path " +
      "(an asymmetric route: the replying host reaches the connection's source directly), so for this node the handshake never got its reply and " +
      "the last ACK fits no state it knows. The kernel does no NAT for an INVALID packet; unless a rule drops INVALID packets, " +
      "it is routed on as it is, and the next steps show where."
    );
  }
  return undefined;
}

/**
 * Why a source NAT kept (or moved) the port: the first packet of a connection decides its
 * binding, and the kernel keeps the port (the ICMP echo id) unless the translated tuple is
 * already someone else's (nf_nat_setup_info, get_unique_tuple).
 */
function whySourcePortEn(type: "MASQUERADE" | "SNAT", proto: string, before: number | undefined, after: number | undefined, randomised: boolean): string | undefined {
  if (before === undefined || after === undefined) return undefined;
  const what = proto === "icmp" ? "echo id" : "source port";
  const rule = type === "MASQUERADE" ? "MASQUERADE (SNAT to the outgoing interface's address)" : "SNAT";
  if (before === after) {
    return (
      `${rule} rewrote the address and left the ${what} ${before} as it was: the kernel keeps a connection's ${what} ` +
      `unless another connection already uses the same translated addresses and ${proto === "icmp" ? "id" : "ports"}; only then, or with --random or --random-fully, does it pick another. ` +
      `So the other side sees this node's address with the sender's own ${what}, and this node's conntrack entry maps the reply back to the sender.`
    );
  }
  return randomised
    ? `The rule asks for a random ${what} (--random or --random-fully), so ${rule} picked ${after} instead of ${before}; conntrack maps the reply back.`
    : `Another connection already uses ${before} with the same translated addresses, so ${rule} picked a free ${what}, ${after}; conntrack maps the reply back to ${before}.`;
}

/**
 * Why a UDP entry says [UNREPLIED]: UDP has no handshake, yet conntrack keeps a connection for
 * it. [UNREPLIED] and [ASSURED] are status flags printed beside the entry, not conntrack states.
 */
function whyUnrepliedUdpEn(place: string): string {
  return (
    `UDP has no connection, yet conntrack on ${place} keeps one for it: the first datagram made this entry, and [UNREPLIED] in conntrack -L says no datagram has come back the other way yet. ` +
    "[UNREPLIED] is a status flag (the kernel's IPS_SEEN_REPLY bit is not set), not a state: for iptables' -m conntrack --ctstate the packet was NEW, and the answer will be ESTABLISHED. " +
    "Unanswered, the entry goes 30 seconds after its last datagram (nf_conntrack_udp_timeout); the first answer clears the flag, and a datagram after that marks it [ASSURED] with the longer stream timeout. " +
    "While it lives, every datagram with the same addresses and ports follows this entry and its NAT, even if the rules change meanwhile: that is why kube-proxy deletes the UDP entries of a service whose endpoint goes away."
  );
}

/**
 * The plain sentence of every step the datapath records, from the step's data: one place for
 * the trace's English, so that a translation replaces this object and nothing else.
 */
const SAY_EN = {
  dropped: (place: string, reason: string) => `${place} drops the packet: ${reason}.`,
  routeLocal: (place: string, dst: string) => `${place}'s routing table says ${dst} is a local address: deliver it here.`,
  routeOut: (place: string, dst: string, via: string | undefined, dev: string, route: string | "default") =>
    `${place}'s routing table sends ${dst}${via !== undefined ? ` via ${via}` : ""} out of ${dev} (${route === "default" ? "default route" : `route ${route}`}).`,
  delivered: (place: string, what: string, from: string, to: string) => `${place} takes the ${what} from ${from}: ${to}.`,
  /** What was delivered: "echo request", "tcp segment", "ICMP message (destination net unreachable)". */
  payloadName: (proto: string, icmpType?: number, icmpCode?: number) =>
    proto === "icmp" ? (icmpType === 8 ? "echo request" : icmpType === 0 ? "echo reply" : `ICMP message (${icmpNameEn(icmpType ?? 0, icmpCode ?? 0)})`) : `${proto} segment`,
  ruleMatched: (table: string, chain: string, index: number, target: { kind: string; chain?: string }) => {
    const what = target.kind === "jump" ? `jump to ${target.chain}` : target.kind === "goto" ? `go to ${target.chain}` : target.kind === "none" ? "count it" : target.kind === "MARK" ? "mark the packet" : target.kind;
    return `${table} ${chain} rule ${index} matches: ${what}.`;
  },
  ctInvalid: (reason: string) => `conntrack marks the packet INVALID: ${reason}.`,
  ctNew: (place: string) => `conntrack on ${place} sees a new connection (state NEW).`,
  ctHit: (place: string, dir: "original" | "reply", state: string) => `conntrack on ${place} finds the connection ${dir === "reply" ? "in the reply direction" : "in the original direction"} (state ${state}).`,
  ctDestroyed: (place: string) => `conntrack on ${place} destroys the entry: a reset before any reply ends the connection at once (conntrack -L no longer lists it).`,
  ctConfirmed: (place: string) => `conntrack on ${place} confirms the new entry.`,
  ctAttached: (place: string) => `conntrack on ${place} gives this ICMP message the connection it is about (state RELATED): the kernel attaches it as it builds the message.`,
  icmpHeld: (what: string, host: string, afterRedirect: boolean) =>
    `No ICMP ${what} goes back to ${host}: the kernel sends a host at most one error a second once a burst of six is spent (net.ipv4.icmp_ratelimit = 1000)` +
    (afterRedirect ? `, and the redirect it sent ${host} moments ago restarted that host's clock.` : "."),
  natReversed: (manip: "src" | "dst", before: string, after: string) => `conntrack reverses the ${manip === "dst" ? "source NAT" : "destination NAT"} on the reply: ${before} becomes ${after}.`,
  natApplied: (type: string, manip: "src" | "dst", before: string, after: string) => `${type} rewrites the ${manip === "src" ? "source" : "destination"}: ${before} becomes ${after}.`,
  wire: (place: string, dir: "in" | "out", iface: string, ends: string) => `${place} ${dir === "out" ? "sends" : "receives"} the packet on ${iface}: ${ends}.`,
  bridgeForward: (bridge: string, mac: string, port: string) => `${bridge} looks up ${mac} in its forwarding table and sends the frame out of ${port}.`,
  bridgeFlood: (bridge: string, mac: string, port: string) => `${bridge} does not know ${mac} yet and floods the frame; the copy on ${port} reaches its owner.`,
};

/** Everything the trace says in words, in one language: English here, Russian in narrate-ru.ts. */
export interface Narration {
  readonly icmpName: typeof icmpNameEn;
  readonly whyInvalid: typeof whyInvalidEn;
  readonly whySourcePort: typeof whySourcePortEn;
  readonly whyUnrepliedUdp: typeof whyUnrepliedUdpEn;
  readonly say: typeof SAY_EN;
}

export const NARRATION_EN: Narration = { icmpName: icmpNameEn, whyInvalid: whyInvalidEn, whySourcePort: whySourcePortEn, whyUnrepliedUdp: whyUnrepliedUdpEn, say: SAY_EN };

const TABLES: Record<NarrationLang, Narration> = { en: NARRATION_EN, ru: NARRATION_RU ?? NARRATION_EN };

const told = (): Narration => TABLES[current];

/** ICMP's type and code in words, as the RFCs name them (in the current language). */
export const icmpName: Narration["icmpName"] = (type, code) => told().icmpName(type, code);
export const whyInvalid: Narration["whyInvalid"] = (reason) => told().whyInvalid(reason);
export const whySourcePort: Narration["whySourcePort"] = (...a) => told().whySourcePort(...a);
export const whyUnrepliedUdp: Narration["whyUnrepliedUdp"] = (place) => told().whyUnrepliedUdp(place);

/** The sentence of each step, in the current language. */
export const say: Narration["say"] = Object.fromEntries(
  (Object.keys(SAY_EN) as (keyof typeof SAY_EN)[]).map((k) => [k, (...a: unknown[]) => (told().say[k] as (...x: unknown[]) => string)(...a)]),
) as Narration["say"];
