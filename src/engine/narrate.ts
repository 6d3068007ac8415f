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
  /** The cloud load balancer's choice of a node for a connection (cloud/vpc.ts). */
  loadBalancerPicks: (frontend: string, service: string, node: string, nodeIp: string, targets: number, healthChecked: boolean) =>
    `The cloud load balancer's forwarding rule for ${frontend} (service ${service}) hashes the connection's addresses, ports and protocol and sends it to ${node} (${nodeIp}), ` +
    `one of ${targets} ${healthChecked ? "nodes its health check finds serving (a local endpoint)" : targets === 1 ? "target node" : "target nodes"}. It does no NAT: the packet reaches the node still addressed to the load balancer's IP.`,
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
  encap: (place: string, dev: string, vni: number, mac: string, remote: string, ends: string) =>
    `${place} sends the frame out of ${dev}, a VXLAN device: its forwarding table puts ${mac} behind ${remote}, so the whole Ethernet frame goes inside a UDP datagram with VNI ${vni}: ${ends}.`,
  decap: (place: string, dev: string, port: number, vni: number, inner: string) =>
    `${place}'s VXLAN socket on UDP port ${port} takes the datagram: VNI ${vni} is ${dev}'s, so the frame inside comes out of ${dev}: ${inner}.`,
  bridgeFlood: (bridge: string, mac: string, port: string) => `${bridge} does not know ${mac} yet and floods the frame; the copy on ${port} reaches its owner.`,
};

/**
 * Why a packet was dropped: the drop step's reason (and the flow's, with `on`). Tool-given names
 * (chains, tables, interfaces, sysctls, REJECT's --reject-with) stay as they are in every language.
 */
const REASON_EN = {
  noRoute: (dst: string, type: string | undefined) => `no route to ${dst}${type !== undefined ? ` (${type} route)` : ""}`,
  noSource: (dev: string) => `no source address on ${dev}`,
  policy: (table: string, hook: string) => `the ${table} ${hook} policy is DROP`,
  rule: (target: "DROP" | "REJECT", table: string, chain: string) => `${target} rule in ${table} ${chain}`,
  natOutside: (target: string) => `${target} outside the nat table`,
  redirectUnsettled: (hook: string) => `NAT drops an ICMP redirect about a connection whose NAT is not settled yet (nat ${hook})`,
  redirectTranslated: (hook: string) => `NAT drops an ICMP redirect about a connection it translates (nat ${hook})`,
  masqNoAddress: (dev: string) => `MASQUERADE: ${dev} has no address`,
  noNeighbour: (ip: string, dev: string, hostUnreachable: boolean) => `no neighbour answers ARP for ${ip} on ${dev}${hostUnreachable ? " (Destination Host Unreachable)" : ""}`,
  forwardingOff: () => "forwarding is off (net.ipv4.ip_forward = 0)",
  ttlExceeded: (ttl: number) => `TTL exceeded in transit (ttl ${ttl})`,
  noListener: (proto: "udp" | "tcp", port: number) =>
    proto === "udp" ? `nothing listens on udp port ${port} (the kernel answers ICMP port unreachable)` : `nothing listens on tcp port ${port} (the kernel answers with a reset)`,
  noIcmpSocket: () => "no socket wants this ICMP message",
  /** Starts with the bridge's name (the view finds a bridge's drops by it). */
  bridgeNoPort: (bridge: string, mac: string) => `${bridge} has no port leading to ${mac}`,
  /** Starts with the bridge's name (the view finds a bridge's drops by it). */
  bridgeHairpin: (bridge: string, port: string) => `${bridge} would send the frame back out of ${port}, where it came from, and hairpin mode is off`,
  loop: (hops: number) => `the packet crossed more than ${hops} links (a forwarding loop)`,
  down: (iface: string) => `${iface} is down`,
  noMac: (segment: string, mac: string) => `no host on ${segment} has MAC ${mac}`,
  noVni: (port: number, vni: number) => `no VXLAN device on UDP port ${port} has VNI ${vni}`,
  noVtep: (dev: string, mac: string) => `${dev} has no forwarding entry for ${mac} (and learning is off), so no remote endpoint to send it to`,
  notForVtep: (mac: string, dev: string) => `the frame inside is for ${mac}, not ${dev}'s own MAC`,
  notFor: (mac: string, iface: string) => `the frame is for ${mac}, not ${iface}`,
  /** The flow's drop reason: the step's, and where. */
  on: (reason: string, place: string) => `${reason} (on ${place})`,
};

/** Who took a delivered packet (the deliver step's `to`), when it is no listener's app. */
const TAKER_EN = {
  kernelEcho: () => "kernel (ICMP echo)",
  kernelRedirect: () => "kernel (ICMP redirect)",
  ping: () => "ping",
  socketAbout: (proto: string) => `the ${proto} socket it is about`,
  clientSocket: () => "client socket",
};

/** The other plain-language explanations of surprising steps. */
const WHY_EN = {
  redirectNat: () => "A redirect would let the two hosts talk past the translation (nf_nat_icmp_reply_translation).",
  redirectIgnored: (dst: string, gateway: string | undefined, from: string) =>
    `The kernel ignores this redirect: it heeds one only from the gateway it uses, and ${gateway !== undefined ? `its route to ${dst} goes through ${gateway}` : `its route to ${dst} has no gateway`}, not ${from}.`,
  redirectHeeded: (dst: string, gateway: string) =>
    `The kernel heeds this redirect and sends ${dst} through ${gateway} from now on (a route exception, which Hopscope does not model: later packets still follow the routing table).`,
};

/** A flow's name ("request", "ping reply", "traceroute probe, TTL 3"): English is the engine's own. */
function flowNameEn(name: string): string {
  return name;
}

/** What started a flow, for people: a scenario's traffic item or a shell line. */
const ORIGIN_EN = {
  traffic: (kind: string, from: string, to: string, port: number | undefined) => `${kind} from ${from} to ${to}${port !== undefined ? ` port ${port}` : ""}`,
  theClient: () => "the client",
  node: (node: string, ip: string, isPublic: boolean) => `${node}${isPublic ? "'s public address" : ""} (${ip})`,
  service: (namespace: string, name: string, addr: string) => `service ${namespace}/${name} (${addr})`,
  loadBalancer: (namespace: string, name: string, addr: string) => `the load balancer of service ${namespace}/${name} (${addr})`,
  internet: (ip: string) => `the client on the internet (${ip})`,
  shell: (line: string, where: string) => `${line} (on ${where})`,
};

/** Everything the trace says in words, in one language: English here, Russian in narrate-ru.ts. */
export interface Narration {
  readonly icmpName: typeof icmpNameEn;
  readonly whyInvalid: typeof whyInvalidEn;
  readonly whySourcePort: typeof whySourcePortEn;
  readonly whyUnrepliedUdp: typeof whyUnrepliedUdpEn;
  readonly say: typeof SAY_EN;
  readonly reason: typeof REASON_EN;
  readonly taker: typeof TAKER_EN;
  readonly why: typeof WHY_EN;
  readonly flowName: typeof flowNameEn;
  readonly origin: typeof ORIGIN_EN;
}

export const NARRATION_EN: Narration = {
  icmpName: icmpNameEn,
  whyInvalid: whyInvalidEn,
  whySourcePort: whySourcePortEn,
  whyUnrepliedUdp: whyUnrepliedUdpEn,
  say: SAY_EN,
  reason: REASON_EN,
  taker: TAKER_EN,
  why: WHY_EN,
  flowName: flowNameEn,
  origin: ORIGIN_EN,
};

const TABLES: Record<NarrationLang, Narration> = { en: NARRATION_EN, ru: NARRATION_RU };

const told = (): Narration => TABLES[current];

/**
 * Whether a drop's reason is "no route to …", in whichever language the trace was told (the
 * hooks view ends such a drop at the routing decision; it must not read the words itself).
 */
export function isNoRouteReason(reason: string): boolean {
  return NARRATION_LANGS.some((l) => reason.startsWith(TABLES[l].reason.noRoute("", undefined)));
}

/** ICMP's type and code in words, as the RFCs name them (in the current language). */
export const icmpName: Narration["icmpName"] = (type, code) => told().icmpName(type, code);
export const whyInvalid: Narration["whyInvalid"] = (reason) => told().whyInvalid(reason);
export const whySourcePort: Narration["whySourcePort"] = (...a) => told().whySourcePort(...a);
export const whyUnrepliedUdp: Narration["whyUnrepliedUdp"] = (place) => told().whyUnrepliedUdp(place);

/** A table of sentences whose every entry tells in the current language. */
function inCurrent<K extends "say" | "reason" | "taker" | "why" | "origin">(part: K): Narration[K] {
  return Object.fromEntries(
    Object.keys(NARRATION_EN[part]).map((k) => [k, (...a: unknown[]) => (told()[part] as unknown as Record<string, (...x: unknown[]) => string>)[k]!(...a)]),
  ) as unknown as Narration[K];
}

/** The sentence of each step, in the current language. */
export const say: Narration["say"] = inCurrent("say");
/** Why a packet was dropped, in the current language. */
export const reason: Narration["reason"] = inCurrent("reason");
/** Who took a delivered packet, in the current language. */
export const taker: Narration["taker"] = inCurrent("taker");
/** The other explanations of surprising steps, in the current language. */
export const why: Narration["why"] = inCurrent("why");
/** What started a flow, in the current language. */
export const origin: Narration["origin"] = inCurrent("origin");
/** A flow's name, in the current language. */
export const flowName: Narration["flowName"] = (name) => told().flowName(name);
