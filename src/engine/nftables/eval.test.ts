import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ipv4 } from "../addr/ipv4";
import type { AddrType } from "../netfilter/types";
import type { Packet } from "../packet/packet";
import { seededRng } from "../rng";
import { walkNftChain, type NftContext, type NftMatched } from "./eval";
import { loadNft } from "./parse";
import { formatNftRule, printRuleset } from "./print";
import { emptyNftRuleset, findTable, type NftTable } from "./types";

function kubeProxy(): NftTable {
  const rs = emptyNftRuleset();
  loadNft(rs, readFileSync(join(__dirname, "__fixtures__", "kp.nft"), "utf8"));
  loadNft(rs, "add element ip kube-proxy service-nodeports { tcp . 3004 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }\nadd element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }\n");
  return findTable(rs, "ip", "kube-proxy")!;
}

function tcp(src: string, dst: string, dport: number): Packet {
  return { proto: "tcp", src: ipv4(src), dst: ipv4(dst), sport: 40000, dport, ttl: 64, ipId: 1, length: 60 } as Packet;
}

function ctx(over: Partial<NftContext> = {}, local: string[] = ["192.168.0.2"]): NftContext {
  return {
    hook: "prerouting",
    mark: 0,
    ctState: "NEW",
    tracked: true,
    addrType: (ip): AddrType => (local.map((a) => ipv4(a) as number).includes(ip) ? "LOCAL" : "UNICAST"),
    rng: seededRng(7),
    ...over,
  };
}

function walk(t: NftTable, chain: string, p: Packet, c: NftContext) {
  const seen: NftMatched[] = [];
  const v = walkNftChain(t, t.chains.get(chain)!, p, c, (m) => seen.push(m));
  return { v, seen: seen.map((m) => `${m.chain.name}#${m.index}: ${formatNftRule(m.rule, "ip")}`) };
}

describe("walking kube-proxy's nftables rules", () => {
  it("a pod's packet to a ClusterIP is DNATed to one of the endpoints, picked by numgen", () => {
    const t = kubeProxy();
    const seenTargets = new Set<string>();
    const rng = seededRng(1);
    for (let k = 0; k < 40; k++) {
      const { v, seen } = walk(t, "nat-prerouting", tcp("10.0.0.5", "172.30.0.44", 80), ctx({ rng }));
      expect(v.kind).toBe("nat");
      if (v.kind !== "nat") continue;
      expect(v.nat.type).toBe("dnat");
      seenTargets.add(`${v.nat.range!.minIp}:${v.nat.range!.minPort}`);
      expect(seen[0]).toBe("nat-prerouting#1: jump services");
      expect(seen[1]).toBe("services#1: ip daddr . meta l4proto . th dport vmap @service-ips");
    }
    expect([...seenTargets].sort()).toEqual([`${ipv4("10.180.0.4")}:80`, `${ipv4("10.180.0.5")}:80`].sort());
  });

  it("a packet from outside the pod network is marked for masquerade, and nat-postrouting masquerades it", () => {
    const t = kubeProxy();
    const c = ctx();
    const { v } = walk(t, "nat-prerouting", tcp("203.0.113.2", "172.30.0.44", 80), c);
    expect(v.kind).toBe("nat");
    expect(c.mark).toBe(0x4000);
    const post = ctx({ hook: "postrouting", mark: c.mark });
    const out = walk(t, "nat-postrouting", tcp("203.0.113.2", "10.180.0.4", 80), post);
    expect(out.v.kind === "nat" && out.v.nat.type).toBe("masquerade");
    expect(out.v.kind === "nat" && out.v.nat.flags).toEqual(["fully-random"]);
    expect(post.mark).toBe(0);
    expect(out.seen).toEqual([
      "nat-postrouting#1: jump masquerading",
      "masquerading#2: meta mark set meta mark ^ 0x00004000",
      "masquerading#3: masquerade fully-random",
    ]);
  });

  it("a packet without the mark returns from masquerading: nat-postrouting accepts by policy", () => {
    const t = kubeProxy();
    const out = walk(t, "nat-postrouting", tcp("10.0.0.5", "10.180.0.4", 80), ctx({ hook: "postrouting" }));
    expect(out.v).toMatchObject({ kind: "accept", by: "policy" });
    expect(out.seen).toEqual(["nat-postrouting#1: jump masquerading", "masquerading#1: meta mark & 0x00004000 == 0x00000000 return"]);
  });

  it("a NodePort packet on a node address goes through service-nodeports", () => {
    const t = kubeProxy();
    const { v, seen } = walk(t, "nat-prerouting", tcp("203.0.113.2", "192.168.0.2", 3004), ctx());
    expect(v.kind).toBe("nat");
    expect(seen).toContain("services#2: ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports");
    const other = walk(t, "nat-prerouting", tcp("203.0.113.2", "192.168.0.3", 3004), ctx());
    expect(other.v).toMatchObject({ kind: "accept", by: "policy" });
  });

  it("a service without endpoints is rejected in filter-output through the no-endpoint-services vmap", () => {
    const t = kubeProxy();
    const { v, seen } = walk(t, "filter-output", tcp("10.0.0.5", "172.30.0.46", 80), ctx({ hook: "output" }));
    expect(v.kind).toBe("drop");
    expect(v.kind === "drop" && v.reject).toBeTruthy();
    expect(seen.at(-1)).toBe("reject-chain#1: reject");
  });

  it("an unallocated ClusterIP is dropped; an established packet skips the checks", () => {
    const t = kubeProxy();
    const { v } = walk(t, "filter-output", tcp("10.0.0.5", "172.30.0.99", 80), ctx({ hook: "output" }));
    expect(v).toMatchObject({ kind: "drop" });
    expect(v.kind === "drop" && v.reject).toBeFalsy();
    const est = walk(t, "filter-output", tcp("10.0.0.5", "172.30.0.99", 80), ctx({ hook: "output", ctState: "ESTABLISHED" }));
    expect(est.v).toMatchObject({ kind: "accept", by: "policy" });
  });

  it("update @set adds the source, and the affinity rule then sends it to the same endpoint", () => {
    const t = kubeProxy();
    let picked: number | undefined;
    for (let k = 0; k < 20 && picked !== ipv4("10.180.0.4"); k++) {
      const r = walk(t, "nat-prerouting", tcp("10.0.0.7", "172.30.0.44", 80), ctx({ rng: seededRng(k) }));
      picked = r.v.kind === "nat" ? r.v.nat.range!.minIp : undefined;
    }
    expect(picked).toBe(ipv4("10.180.0.4"));
    expect(printRuleset({ tables: [t], lastTableHandle: 1, registrations: 0 })).toContain("elements = { 10.0.0.7 expires 3h }");
    for (let k = 0; k < 10; k++) {
      const r = walk(t, "nat-prerouting", tcp("10.0.0.7", "172.30.0.44", 80), ctx({ rng: seededRng(100 + k) }));
      expect(r.v.kind === "nat" && r.v.nat.range!.minIp).toBe(ipv4("10.180.0.4"));
    }
  });

  it("counters count the packets and bytes of rules that reach them", () => {
    const rs = emptyNftRuleset();
    loadNft(rs, "table ip t {\n chain c { type filter hook input priority 0; policy drop;\n tcp dport 22 counter accept\n counter\n }\n}\n");
    const t = findTable(rs, "ip", "t")!;
    walk(t, "c", tcp("10.0.0.1", "10.0.0.2", 22), ctx({ hook: "input" }));
    const v = walk(t, "c", tcp("10.0.0.1", "10.0.0.2", 23), ctx({ hook: "input" }));
    expect(v.v).toMatchObject({ kind: "drop", by: "policy" });
    expect(printRuleset(rs)).toContain("tcp dport 22 counter packets 1 bytes 60 accept\n\t\tcounter packets 1 bytes 60\n");
  });

  it("an element added by update expires after the set timeout: nft lists the time left; once expired it no longer matches and update adds it afresh", () => {
    const rs = emptyNftRuleset();
    loadNft(rs, "table ip t {\n set aff { type ipv4_addr; flags dynamic,timeout; timeout 10s; }\n chain c { type filter hook output priority 0;\n ip saddr @aff counter accept\n update @aff { ip saddr }\n }\n}\n");
    const t = findTable(rs, "ip", "t")!;
    const c = t.chains.get("c")!;
    const p = tcp("10.0.0.7", "10.0.0.8", 80);
    walkNftChain(t, c, p, ctx({ hook: "output" }), undefined, 1000);
    expect(printRuleset(rs, { now: 2200 })).toContain("elements = { 10.0.0.7 expires 8s800ms }");
    const again = walkNftChain(t, c, p, ctx({ hook: "output" }), undefined, 5000);
    expect(again).toMatchObject({ kind: "accept", by: { index: 1 } });
    expect(printRuleset(rs, { now: 5000 })).toContain("elements = { 10.0.0.7 expires 6s }");
    const late = walkNftChain(t, c, p, ctx({ hook: "output" }), undefined, 20_000);
    expect(late).toMatchObject({ kind: "accept", by: "policy" });
    expect(printRuleset(rs, { now: 20_000 })).toContain("elements = { 10.0.0.7 expires 10s }");
  });
});

describe("large verdict maps", () => {
  it("finds a service among 20,000 in a concatenated vmap, quickly, and misses what is not there", () => {
    const rs = emptyNftRuleset();
    const lines = ["table ip t {", " map svc { type ipv4_addr . inet_proto . inet_service : verdict; }", " chain a { accept; }", " chain c { type nat hook prerouting priority dstnat; ip daddr . meta l4proto . th dport vmap @svc; }", "}"];
    const els: string[] = [];
    for (let i = 0; i < 20_000; i++) els.push(`10.${(i >> 8) & 255}.${i & 255}.1 . tcp . ${80 + (i % 3)} : goto a`);
    loadNft(rs, lines.join("\n") + `\nadd element ip t svc { ${els.join(", ")} }\n`);
    const t = findTable(rs, "ip", "t")!;
    const hit = walk(t, "c", tcp("10.0.0.5", "10.77.32.1", 80 + (((77 << 8) | 32) % 3)), ctx());
    expect(hit.v).toMatchObject({ kind: "accept", by: { chain: { name: "a" } } });
    const miss = walk(t, "c", tcp("10.0.0.5", "10.77.32.1", 443), ctx());
    expect(miss.v).toMatchObject({ kind: "accept", by: "policy" });
    expect(miss.seen).toEqual([]);
  });
});

describe("ct state in a verdict map", () => {
  it("ct state vmap picks the verdict of the packet's state", () => {
    const rs = emptyNftRuleset();
    loadNft(rs, "table inet filter {\n chain input { type filter hook input priority 0; policy drop;\n ct state vmap { established : accept, related : accept, invalid : drop, new : continue }\n tcp dport 22 accept\n }\n}\n");
    const t = findTable(rs, "inet", "filter")!;
    expect(walk(t, "input", tcp("10.0.0.1", "10.0.0.2", 80), ctx({ hook: "input", ctState: "ESTABLISHED" })).v).toMatchObject({ kind: "accept", by: { index: 1 } });
    expect(walk(t, "input", tcp("10.0.0.1", "10.0.0.2", 80), ctx({ hook: "input", ctState: "INVALID" })).v).toMatchObject({ kind: "drop", by: { index: 1 } });
    expect(walk(t, "input", tcp("10.0.0.1", "10.0.0.2", 22), ctx({ hook: "input", ctState: "NEW" })).v).toMatchObject({ kind: "accept", by: { index: 2 } });
    expect(walk(t, "input", tcp("10.0.0.1", "10.0.0.2", 80), ctx({ hook: "input", ctState: "NEW" })).v).toMatchObject({ kind: "drop", by: "policy" });
  });
});

describe("icmp type", () => {
  it("matches an echo request by type and code, and not a TCP packet", () => {
    const rs = emptyNftRuleset();
    loadNft(rs, "table ip t {\n chain c { type filter hook input priority 0; policy drop;\n icmp type echo-request icmp code 0 accept\n }\n}\n");
    const t = findTable(rs, "ip", "t")!;
    const ping = { proto: "icmp", src: ipv4("10.0.0.1"), dst: ipv4("10.0.0.2"), sport: 0, dport: 0, ttl: 64, ipId: 1, length: 84, icmp: { type: 8, code: 0, id: 1, seq: 1 } } as Packet;
    expect(walk(t, "c", ping, ctx({ hook: "input" })).v).toMatchObject({ kind: "accept", by: { index: 1 } });
    expect(walk(t, "c", { ...ping, icmp: { type: 0, code: 0, id: 1, seq: 1 } } as Packet, ctx({ hook: "input" })).v).toMatchObject({ kind: "drop", by: "policy" });
    expect(walk(t, "c", tcp("10.0.0.1", "10.0.0.2", 8), ctx({ hook: "input" })).v).toMatchObject({ kind: "drop", by: "policy" });
  });
});
