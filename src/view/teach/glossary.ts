/**
 * The glossary: the terms a learner meets in the narration, each defined once, and the marker
 * that finds them in a sentence. The definitions follow the kernel, iptables and kube-proxy of
 * the article's era (kube-proxy 1.10–1.12 in iptables mode, cni-plugins v0.6.0, kernel 4.15).
 *
 * The marker is for prose only (a step's sentence, its "why", a drop's reason): tool output
 * (rule text, conntrack -L lines, tcpdump, a shell's output) stays exactly as the tools print it.
 */
import { GLOSSARY_RU, type GlossaryRu } from "./glossary-ru";

export interface GlossaryEntry {
  /** The term as the glossary names it. */
  readonly term: string;
  /** The definition, in plain sentences. */
  readonly definition: string;
  /**
   * What the term looks like in a sentence: regular-expression source, with no capturing groups.
   * Whole words only: the marker adds the boundaries (a letter, digit, `_` or `-` next to a match
   * makes it part of another word).
   */
  readonly pattern: string;
  /** The term in Russian: its name, its definition and the Russian words for it. */
  readonly ru: GlossaryRu;
}

/** `[Bb]ridges?`: a lower-case word, also at a sentence's start, and its plural. */
const word = (w: string, plural = true) => `[${w[0]!.toUpperCase()}${w[0]}]${w.slice(1).replace(/ /g, "\\s+")}${plural ? "s?" : ""}`;

const ENTRIES = [
  {
    term: "SNAT",
    pattern: "SNAT",
    definition:
      "Source NAT: rewrites a packet's source address (and its port only when it must). It is an iptables target of the nat table's POSTROUTING and INPUT chains. " +
      "Only a connection's first packet goes through the nat rules; conntrack records the translation, applies it to every later packet of the connection and undoes it on the replies.",
  },
  {
    term: "DNAT",
    pattern: "DNAT",
    definition:
      "Destination NAT: rewrites a packet's destination address and, if asked, its port. It is an iptables target of the nat table's PREROUTING and OUTPUT chains; kube-proxy's KUBE-SEP chains DNAT a Service's address to a pod's ip:port. " +
      "Decided on a connection's first packet; conntrack applies it to the rest and rewrites the replies' source back.",
  },
  {
    term: "MASQUERADE",
    pattern: "MASQUERADE",
    definition:
      "SNAT to the address of the interface the packet leaves by, looked up when the rule runs (on each connection's first packet, as nat rules see only that one) instead of being written in the rule. " +
      "Unlike SNAT, the kernel forgets a masqueraded connection's mapping when its interface goes down. The source port is kept unless another connection already uses it with the same addresses. " +
      "Here the CNI bridge plugin's ipMasq chain and kube-proxy's KUBE-POSTROUTING use it.",
  },
  {
    term: "conntrack",
    pattern: word("conntrack", false),
    definition:
      "Connection tracking (nf_conntrack): the kernel's table of connections, one per network namespace. Each entry holds the original direction's addresses and ports and the ones a reply will carry, which is where NAT is recorded. " +
      "Every packet is matched to an entry and gets a state (NEW, ESTABLISHED, RELATED or INVALID) that iptables matches with -m conntrack --ctstate. `conntrack -L` lists the entries.",
  },
  {
    term: "NEW",
    pattern: "NEW",
    definition:
      "A conntrack state (--ctstate NEW): the packet starts a connection, or belongs to one that has not yet seen packets in both directions. The nat table's rules see only a connection's first packet, which is NEW.",
  },
  {
    term: "ESTABLISHED",
    pattern: "ESTABLISHED",
    definition:
      "A conntrack state (--ctstate ESTABLISHED): the packet belongs to a connection that has seen packets in both directions; a reply is ESTABLISHED. " +
      "Not the same as the TCP state ESTABLISHED that `conntrack -L` prints for a TCP entry whose handshake is done.",
  },
  {
    term: "RELATED",
    pattern: "RELATED",
    definition:
      "A conntrack state (--ctstate RELATED): the packet is new but belongs with an existing connection, such as an ICMP error about that connection (or an FTP data connection, with a helper).",
  },
  {
    term: "INVALID",
    pattern: "INVALID",
    definition:
      "A conntrack state (--ctstate INVALID): the packet fits no connection conntrack knows, or breaks the protocol's rules for the state it is in (a TCP ACK for a handshake this host never saw answered). " +
      "The kernel applies no NAT to it; it goes on unless a rule drops INVALID packets.",
  },
  {
    term: "UNREPLIED",
    pattern: "UNREPLIED",
    definition:
      "Not a conntrack state but a status flag: `conntrack -L` prints [UNREPLIED] on an entry that has seen no packet in the reply direction yet (its SEEN_REPLY bit is not set; iptables matches it with `! --ctstatus SEEN_REPLY`). " +
      "The packet that made the entry was NEW; the first reply clears the flag.",
  },
  {
    term: "ASSURED",
    pattern: "ASSURED",
    definition:
      "Not a conntrack state but a status flag: `conntrack -L` prints [ASSURED] once a connection is past its setup (TCP: the handshake's last ACK; UDP: a packet after the first reply). " +
      "A full table never evicts an assured entry early. iptables matches it with --ctstatus ASSURED.",
  },
  {
    term: "KUBE-SERVICES",
    pattern: "KUBE-SERVICES",
    definition:
      "kube-proxy's chain that nat PREROUTING and OUTPUT jump to. For each Service port it has two rules matching the ClusterIP and port: KUBE-MARK-MASQ for traffic not from the cluster's pod CIDR, then a jump to the Service's KUBE-SVC chain. " +
      "Its last rule sends packets for one of the node's own addresses to KUBE-NODEPORTS. A filter-table chain of the same name REJECTs traffic to Services that have no endpoints.",
  },
  {
    term: "KUBE-SVC",
    pattern: "KUBE-SVC(?:-[A-Z0-9]+)?",
    definition:
      "One nat chain per Service port, named KUBE-SVC- and 16 characters of a hash of the port's name (namespace/service:port) and protocol. It picks an endpoint: one rule per endpoint, each but the last with " +
      "-m statistic --mode random --probability 1/(endpoints left), each jumping to that endpoint's KUBE-SEP chain.",
  },
  {
    term: "KUBE-SEP",
    pattern: "KUBE-SEP(?:-[A-Z0-9]+)?",
    definition:
      "One nat chain per Service endpoint (KUBE-SEP- and a hash of the port's name, protocol and the endpoint's ip:port). Its first rule sends a packet from the endpoint itself (a pod calling its own Service) to KUBE-MARK-MASQ; " +
      "its second DNATs the packet to the endpoint's ip:port.",
  },
  {
    term: "KUBE-MARK-MASQ",
    pattern: "KUBE-MARK-MASQ",
    definition:
      "kube-proxy's chain with one rule, `-j MARK --set-xmark 0x4000/0x4000`: it sets bit 14 of the packet's mark and the packet goes on. " +
      "In nat POSTROUTING, KUBE-POSTROUTING MASQUERADEs every packet carrying mark 0x4000/0x4000. kube-proxy marks NodePort traffic (with the default externalTrafficPolicy: Cluster), ClusterIP traffic not from the pod CIDR, and a pod calling its own Service.",
  },
  {
    term: "KUBE-POSTROUTING",
    pattern: "KUBE-POSTROUTING",
    definition:
      "kube-proxy's chain that nat POSTROUTING jumps to: it MASQUERADEs packets carrying the mark 0x4000/0x4000 that KUBE-MARK-MASQ set (\"kubernetes service traffic requiring SNAT\").",
  },
  {
    term: "KUBE-NODEPORTS",
    pattern: "KUBE-NODEPORTS",
    definition:
      "kube-proxy's nat chain for NodePort Services, reached from KUBE-SERVICES' last rule when the destination is one of the node's own addresses (-m addrtype --dst-type LOCAL). " +
      "For each node port: a KUBE-MARK-MASQ rule, then a jump to the Service's KUBE-SVC chain (or, with externalTrafficPolicy: Local, to its KUBE-XLB chain, which sends traffic from outside only to the node's own endpoints).",
  },
  {
    term: "CNI chain",
    pattern: "CNI-[0-9a-f]{24}",
    definition:
      "The nat chain the CNI bridge plugin makes for each pod when ipMasq is on: CNI- and 24 hex characters of a hash of the network's name and the pod's sandbox ID. " +
      "It ACCEPTs traffic to the node's own pod network (no NAT) and MASQUERADEs the rest, except multicast. nat POSTROUTING jumps to it for packets from the pod network.",
  },
  {
    term: "CNI",
    pattern: "CNI",
    definition:
      "Container Network Interface: the specification and plugins a container runtime calls to give a pod's network namespace its network. " +
      "The article's workers use the bridge plugin (the cnio0 bridge, a veth per pod, addresses from host-local IPAM, ipMasq on) and loopback, from cni-plugins v0.6.0.",
  },
  {
    term: "veth",
    pattern: word("veth"),
    definition:
      "A virtual Ethernet pair: two interfaces joined back to back, so a frame sent into one comes out of the other. " +
      "The bridge plugin puts one end in the pod's network namespace as eth0 and leaves the other on the host (veth followed by 8 hex digits), attached to the cnio0 bridge.",
  },
  {
    term: "bridge",
    pattern: word("bridge"),
    definition:
      "A Linux bridge: a virtual Ethernet switch in the kernel. It learns which MAC address is behind which port (its FDB) and forwards frames between its ports. " +
      "On each worker the CNI bridge cnio0 joins the pods' veths and holds the pod network's gateway address.",
  },
  {
    term: "FDB",
    pattern: `FDB|${word("forwarding table")}`,
    definition:
      "Forwarding database: a bridge's table of MAC address to port, learned from the source addresses of the frames it receives; learned entries age out after 300 seconds by default. " +
      "A frame for a MAC that is not in it is flooded to every port. `bridge fdb show` lists it.",
  },
  {
    term: "br_netfilter",
    pattern: "br_netfilter|bridge-nf-call-iptables",
    definition:
      "The kernel module that makes bridged frames pass through iptables: with net.bridge.bridge-nf-call-iptables = 1, an IPv4 frame crossing a bridge from one port to another goes through PREROUTING, FORWARD and POSTROUTING, although it is never routed. " +
      "kube-proxy relies on it, so that traffic from a pod to a Service whose endpoint sits on the same bridge is NATed and tracked.",
  },
  {
    term: "hairpin",
    pattern: word("hairpin"),
    definition:
      "Sending a frame back out of the bridge port it came in on, which a bridge does only when that port's hairpin mode is on. A pod calling its own Service needs it: the DNATed packet must go back down the same veth. " +
      "The article's CNI config leaves hairpin off, so such a call times out.",
  },
  {
    term: "ClusterIP",
    pattern: "ClusterIPs?|cluster IP",
    definition:
      "A Service's virtual address, from the service network. No interface holds it and nothing answers ARP for it: it exists only as kube-proxy's iptables rules on every node, which DNAT packets for it to one of the Service's pods.",
  },
  {
    term: "NodePort",
    pattern: "NodePorts?",
    definition:
      "A Service type that opens one port (30000–32767 by default) on every node's addresses. kube-proxy's KUBE-NODEPORTS chain marks such a packet for masquerade and DNATs it to one of the Service's pods, which may be on another node.",
  },
  {
    term: "pause container",
    pattern: word("pause container"),
    definition:
      "The small container (running /pause) that holds a pod's namespaces. The runtime starts it first and CNI sets up its network namespace; the pod's app containers then join that namespace, so they share one IP address and localhost.",
  },
  {
    term: "network namespace",
    pattern: `${word("network namespace")}|netns`,
    definition:
      "A separate copy of the kernel's network stack: its own interfaces, addresses, routes, iptables rules and conntrack table. Each pod has one; the node's own is the root namespace. `ip netns list` shows the ones CNI named cni-….",
  },
] as const satisfies readonly Omit<GlossaryEntry, "ru">[];

/** Every English term has its Russian (TypeScript refuses a missing one). */
const RU: Readonly<Record<(typeof ENTRIES)[number]["term"], GlossaryRu>> = GLOSSARY_RU;

export const GLOSSARY: readonly GlossaryEntry[] = ENTRIES.map((e) => ({ ...e, ru: RU[e.term] }));

/** A piece of a marked sentence: plain text, or a term and its entry. */
export type Piece = string | { readonly text: string; readonly entry: GlossaryEntry };

/**
 * Not a word's inside: no letter (Latin or Cyrillic), digit, `_` or `-` may touch a match, except
 * a hyphen before a Russian word after it ("veth-пара": the Latin term and a Russian noun).
 */
const EDGE = "A-Za-z0-9_\\-А-Яа-яЁё";
const CYRILLIC = "А-Яа-яЁё";
const MATCHER = new RegExp(
  `(?<![${EDGE}])(?:${GLOSSARY.map((e) => `(${e.ru.pattern ? `${e.pattern}|${e.ru.pattern}` : e.pattern})`).join("|")})(?![A-Za-z0-9_${CYRILLIC}])(?!-(?![${CYRILLIC}]))`,
  "g",
);

/**
 * The sentence in pieces, each glossary term's first appearance marked (one marked term per
 * entry is enough to reach its definition, and keeps a long "why" readable).
 */
export function markTerms(text: string): Piece[] {
  const out: Piece[] = [];
  const seen = new Set<GlossaryEntry>();
  let at = 0;
  for (const m of text.matchAll(MATCHER)) {
    const i = m.slice(1).findIndex((g) => g !== undefined);
    const entry = GLOSSARY[i]!;
    if (seen.has(entry)) continue;
    seen.add(entry);
    if (m.index > at) out.push(text.slice(at, m.index));
    out.push({ text: m[0], entry });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
