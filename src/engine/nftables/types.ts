/**
 * The nftables model: tables of a family holding sets, maps and chains; chains holding rules;
 * rules holding statements (matches, counters, verdicts, NAT). Values are kept as numbers so the
 * evaluator compares integers, and as the structure `nft list ruleset` prints back.
 *
 * What the kernel taught (nft 1.0.6, kernel of the lab; docs/kernel-lab-notes.md, "nftables"):
 * handles count per table across chains, sets and rules; a table block creates its chains first,
 * then its sets, then its rules; a single-element anonymous set becomes its value.
 */

export type Family = "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev";
export const FAMILIES: readonly Family[] = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

export type NftHook = "prerouting" | "input" | "forward" | "output" | "postrouting" | "ingress" | "egress";
export type ChainType = "filter" | "nat" | "route";

/** A data type of a set's key or a map's data, as nft names it. */
export type DataType = "ipv4_addr" | "ipv6_addr" | "inet_proto" | "inet_service" | "mark" | "ifname" | "verdict" | "integer" | "ether_addr" | "ct_state" | "nf_proto" | "iface_index" | "icmp_type" | "icmp_code";

export interface Counter {
  packets: number;
  bytes: number;
}

/** One field's value: an integer, an inclusive integer interval (prefix and range), or a string. */
export type Value =
  | { readonly kind: "int"; readonly v: number }
  /** A prefix (`10.0.0.0/8`) or a range (`a-b`), both inclusive; `prefix` says how it was written. */
  | { readonly kind: "range"; readonly lo: number; readonly hi: number; readonly prefix?: number }
  | { readonly kind: "str"; readonly v: string; readonly wildcard?: boolean };

export type VerdictKind = "accept" | "drop" | "return" | "continue" | "jump" | "goto";
export interface VerdictVal {
  readonly kind: VerdictKind;
  readonly chain?: string;
}

/** A selector: what a match or a lookup reads from the packet. */
export type Selector =
  | { readonly kind: "payload"; readonly proto: "ip" | "ip6" | "th" | "tcp" | "udp" | "icmp"; readonly field: "saddr" | "daddr" | "protocol" | "nexthdr" | "sport" | "dport" | "type" | "code" }
  | { readonly kind: "meta"; readonly key: "l4proto" | "mark" | "iifname" | "oifname" | "nfproto" | "iif" | "oif"; readonly bare: boolean }
  | { readonly kind: "ct"; readonly key: "state" | "status" | "mark" }
  | { readonly kind: "fib"; readonly addr: "saddr" | "daddr"; readonly iface?: "iif" | "oif" }
  | { readonly kind: "numgen"; readonly mod: number; readonly offset: number };

/** The left side of a match or a lookup: one selector or a concatenation of them. */
export type LeftExpr = readonly Selector[];

/** What a match compares with. */
export type RightExpr =
  | { readonly kind: "value"; readonly values: readonly Value[] }
  | { readonly kind: "set"; readonly elements: readonly SetElement[] }
  | { readonly kind: "ref"; readonly name: string }
  /** Bits of a bitmask type (ct state, ct status), written comma-separated. */
  | { readonly kind: "flags"; readonly names: readonly string[] };

export interface SetElement {
  /** One value per concatenated field. */
  readonly key: readonly Value[];
  readonly data?: Value | VerdictVal;
  readonly comment?: string;
  /** Simulated time (ms) the element expires at: set by `update @set` in a set with a timeout. */
  readonly expires?: number;
}

export interface NatRange {
  readonly minIp?: number;
  readonly maxIp?: number;
  readonly minPort?: number;
  readonly maxPort?: number;
}

export type Stmt =
  | { readonly kind: "match"; readonly left: LeftExpr; readonly op: "==" | "!="; readonly mask?: number; readonly right: RightExpr }
  | { readonly kind: "vmap"; readonly left: LeftExpr; readonly map: Extract<RightExpr, { kind: "set" | "ref" }> }
  | { readonly kind: "verdict"; readonly verdict: VerdictVal }
  | { readonly kind: "counter"; readonly counter: Counter }
  | { readonly kind: "markset"; readonly op?: "|" | "^" | "&"; readonly value: number; readonly ct?: boolean }
  | {
      readonly kind: "nat";
      readonly type: "dnat" | "snat" | "masquerade" | "redirect";
      readonly range?: NatRange;
      readonly flags: readonly string[];
      readonly ipFamily?: boolean;
      /** `dnat ip addr . port to …`: address and port given as a concatenation (kube-proxy 1.37 writes it so). */
      readonly concat?: boolean;
      /** `… to numgen random mod N map { 0 : addr . port, … }`: the target drawn per connection. */
      readonly pick?: { readonly mod: number; readonly offset: number; readonly targets: readonly { readonly key: number; readonly ip: number; readonly port: number }[] };
    }
  | { readonly kind: "reject"; readonly with?: { readonly type: "icmp" | "icmpx" | "icmpv6" | "tcp reset"; readonly code?: string } }
  | { readonly kind: "notrack" }
  | { readonly kind: "log"; readonly prefix?: string; readonly level?: string }
  | { readonly kind: "update"; readonly set: string; readonly key: LeftExpr };

export interface NftRule {
  readonly handle: number;
  readonly stmts: readonly Stmt[];
  readonly comment?: string;
}

export interface BaseChain {
  readonly type: ChainType;
  readonly hook: NftHook;
  readonly priority: number;
  readonly policy: "accept" | "drop";
  readonly device?: string;
}

export interface NftChain {
  readonly name: string;
  readonly handle: number;
  base?: BaseChain;
  comment?: string;
  rules: NftRule[];
  /** Registration order of the base chain among every base chain of the namespace. */
  registered?: number;
}

export interface NftSet {
  readonly name: string;
  readonly handle: number;
  readonly map: boolean;
  readonly key: readonly DataType[];
  readonly data?: DataType;
  flags: string[];
  timeout?: number;
  size?: number;
  comment?: string;
  elements: SetElement[];
  /** Anonymous sets belong to one rule and are never listed. */
  readonly anonymous?: boolean;
}

export interface NftTable {
  readonly family: Family;
  readonly name: string;
  readonly handle: number;
  comment?: string;
  readonly sets: Map<string, NftSet>;
  readonly chains: Map<string, NftChain>;
  /** Named counter objects (`add counter`), listed before the sets; created when first added. */
  counters?: Map<string, NftCounterObject>;
  /** The last handle given out in this table (chains, sets, objects and rules share it). */
  lastHandle: number;
}

/** A named counter (`add counter ip t name { comment "…" ; }`). */
export interface NftCounterObject {
  readonly name: string;
  readonly handle: number;
  readonly comment?: string;
  packets: number;
  bytes: number;
}

export interface NftRuleset {
  /** In creation order, which is the order `nft list ruleset` prints them in. */
  readonly tables: NftTable[];
  lastTableHandle: number;
  /** Counts base chains as they are registered, for the order of equal priorities. */
  registrations: number;
  /** Grows with every committed transaction, so derived facts can be cached. */
  generation?: number;
}

export function emptyNftRuleset(): NftRuleset {
  return { tables: [], lastTableHandle: 0, registrations: 0 };
}

export function findTable(rs: NftRuleset, family: Family, name: string): NftTable | undefined {
  return rs.tables.find((t) => t.family === family && t.name === name);
}

/** nft's named priorities: the name, its value, and the hooks it is valid for (undefined: all). */
export const STD_PRIOS: readonly { readonly name: string; readonly value: number; readonly hooks?: readonly NftHook[] }[] = [
  { name: "raw", value: -300 },
  { name: "mangle", value: -150 },
  { name: "dstnat", value: -100, hooks: ["prerouting"] },
  { name: "filter", value: 0 },
  { name: "security", value: 50 },
  { name: "srcnat", value: 100, hooks: ["postrouting"] },
];

/** Bits of `ct state` in the order nft prints them (by bit value). */
export const CT_STATE_BITS: readonly (readonly [string, number])[] = [
  ["invalid", 1],
  ["established", 2],
  ["related", 4],
  ["new", 8],
  ["untracked", 64],
];

/** Bits of `ct status`, by bit value. */
export const CT_STATUS_BITS: readonly (readonly [string, number])[] = [
  ["expected", 1],
  ["seen-reply", 2],
  ["assured", 4],
  ["confirmed", 8],
  ["snat", 16],
  ["dnat", 32],
  ["dying", 512],
];

/** Protocol names as /etc/protocols (netbase) gives them; nft prints these. */
export const L4PROTO_NAMES: Readonly<Record<number, string>> = { 0: "ip", 1: "icmp", 2: "igmp", 3: "ggp", 4: "ipencap", 5: "st", 6: "tcp", 8: "egp", 9: "igp", 12: "pup", 17: "udp", 20: "hmp", 22: "xns-idp", 27: "rdp", 29: "iso-tp4", 33: "dccp", 36: "xtp", 37: "ddp", 38: "idpr-cmtp", 41: "ipv6", 43: "ipv6-route", 44: "ipv6-frag", 45: "idrp", 46: "rsvp", 47: "gre", 50: "esp", 51: "ah", 57: "skip", 58: "ipv6-icmp", 59: "ipv6-nonxt", 60: "ipv6-opts", 73: "rspf", 81: "vmtp", 88: "eigrp", 89: "ospf", 93: "ax.25", 94: "ipip", 97: "etherip", 98: "encap", 103: "pim", 108: "ipcomp", 112: "vrrp", 115: "l2tp", 124: "isis", 132: "sctp", 133: "fc", 135: "mobility-header", 136: "udplite", 137: "mpls-in-ip", 138: "manet", 139: "hip", 140: "shim6", 141: "wesp", 142: "rohc", 143: "ethernet" };
export const L4PROTO_BY_NAME: Readonly<Record<string, number>> = { "ip": 0, "icmp": 1, "igmp": 2, "ggp": 3, "ipencap": 4, "st": 5, "tcp": 6, "egp": 8, "igp": 9, "pup": 12, "udp": 17, "hmp": 20, "xns-idp": 22, "rdp": 27, "iso-tp4": 29, "dccp": 33, "xtp": 36, "ddp": 37, "idpr-cmtp": 38, "ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "idrp": 45, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51, "skip": 57, "ipv6-icmp": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "rspf": 73, "vmtp": 81, "eigrp": 88, "ospf": 89, "ax.25": 93, "ipip": 94, "etherip": 97, "encap": 98, "pim": 103, "ipcomp": 108, "vrrp": 112, "l2tp": 115, "isis": 124, "sctp": 132, "fc": 133, "mobility-header": 135, "udplite": 136, "mpls-in-ip": 137, "manet": 138, "hip": 139, "shim6": 140, "wesp": 141, "rohc": 142, "ethernet": 143, icmpv6: 58 };

/** ICMP types and codes by name, as nft prints them. */
export const ICMP_TYPES: Readonly<Record<number, string>> = {
  0: "echo-reply",
  3: "destination-unreachable",
  4: "source-quench",
  5: "redirect",
  8: "echo-request",
  9: "router-advertisement",
  10: "router-solicitation",
  11: "time-exceeded",
  12: "parameter-problem",
  13: "timestamp-request",
  14: "timestamp-reply",
  15: "info-request",
  16: "info-reply",
  17: "address-mask-request",
  18: "address-mask-reply",
};
export const ICMP_CODES: Readonly<Record<number, string>> = {
  0: "net-unreachable",
  1: "host-unreachable",
  2: "prot-unreachable",
  3: "port-unreachable",
  4: "frag-needed",
  9: "net-prohibited",
  10: "host-prohibited",
  13: "admin-prohibited",
};

/** `meta nfproto` values by name. */
export const NFPROTO_BY_NAME: Readonly<Record<string, number>> = { ipv4: 2, ipv6: 10 };

/** The data type a selector reads. */
export function selectorType(s: Selector): DataType {
  switch (s.kind) {
    case "payload":
      if (s.field === "type") return "icmp_type";
      if (s.field === "code") return "icmp_code";
      if (s.field === "saddr" || s.field === "daddr") return s.proto === "ip6" ? "ipv6_addr" : "ipv4_addr";
      if (s.field === "protocol" || s.field === "nexthdr") return "inet_proto";
      return "inet_service";
    case "meta":
      if (s.key === "l4proto") return "inet_proto";
      if (s.key === "nfproto") return "nf_proto";
      if (s.key === "iif" || s.key === "oif") return "iface_index";
      if (s.key === "mark") return "mark";
      if (s.key === "iifname" || s.key === "oifname") return "ifname";
      return "integer";
    case "ct":
      return s.key === "mark" ? "mark" : "ct_state";
    case "fib":
      return "integer";
    case "numgen":
      return "integer";
  }
}
