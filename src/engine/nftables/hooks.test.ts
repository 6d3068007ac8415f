import { describe, expect, it } from "vitest";
import { ipv4 } from "../addr/ipv4";
import { formatConntrackEntry } from "../conntrack/format";
import { iptablesRestoreOrThrow } from "../netfilter/save";
import { routerLab } from "../testing/router-lab";
import type { FlowResult, World } from "../world";
import { loadNft } from "./parse";
import { nftRouterWorld } from "./router-lab";
import { printRuleset } from "./print";

const SYN = { syn: true, ack: false, fin: false, rst: false, psh: false, seq: 1, ackSeq: 0, win: 64240 };

function connect(w: World, sport: number): FlowResult {
  return w.send("client", { proto: "tcp", dst: ipv4("10.0.1.1"), sport, dport: 80, tcp: SYN });
}

describe("an nft router: DNAT by numgen vmap to two backends, masquerade, a forward chain", () => {
  it("delivers a connection to a backend, DNATed and masqueraded, with nft rule steps", () => {
    const w = nftRouterWorld();
    const r = connect(w, 40000);
    expect(r.flow.verdict).toBe("delivered");
    const to = r.delivered!.ns.name;
    expect(["b1", "b2"]).toContain(to);
    const p = r.delivered!.packet;
    expect([p.src, p.dst, p.dport]).toEqual(to === "b1" ? [ipv4("10.0.2.1"), ipv4("10.0.2.2"), 8080] : [ipv4("10.0.3.1"), ipv4("10.0.3.2"), 8080]);
    const rules = r.flow.steps.filter((s) => s.kind === "rule").map((s) => s.detail);
    expect(rules.map((d) => d.kind === "rule" && `${d.family} ${d.table} ${d.chain} ${d.hook} #${d.index}: ${d.rule} -> ${d.target}`)).toEqual([
      `ip lab pre PREROUTING #1: ip daddr 10.0.1.1 tcp dport 80 counter packets 1 bytes 60 numgen random mod 2 vmap { 0 : goto be1, 1 : goto be2 } -> ${to === "b1" ? "be1" : "be2"}`,
      `ip lab ${to === "b1" ? "be1" : "be2"} PREROUTING #1: counter packets 1 bytes 60 meta l4proto tcp dnat to 10.0.${to === "b1" ? 2 : 3}.2:8080 -> DNAT`,
      "ip lab filter-fwd FORWARD #2: ct status dnat counter packets 1 bytes 60 accept -> ACCEPT",
      `ip lab post POSTROUTING #1: oifname "r-b*" counter packets 1 bytes 60 masquerade -> MASQUERADE`,
    ]);
    expect(rules.map((d) => d.kind === "rule" && d.base)).toEqual([
      { chain: "pre", type: "nat", priority: -100 },
      { chain: "pre", type: "nat", priority: -100 },
      { chain: "filter-fwd", type: "filter", priority: 0 },
      { chain: "post", type: "nat", priority: 100 },
    ]);
    const nats = r.flow.steps.filter((s) => s.kind === "nat").map((s) => s.detail.kind === "nat" && [s.detail.type, s.detail.rule]);
    expect(nats.map((n) => n && n[0])).toEqual(["DNAT", "MASQUERADE"]);
    const ct = w.get("router").ct.list(w.now).map((e) => formatConntrackEntry(e, w.now));
    expect(ct).toHaveLength(1);
    expect(ct[0]).toContain(`src=10.0.1.2 dst=10.0.1.1 sport=40000 dport=80 [UNREPLIED] src=10.0.${to === "b1" ? 2 : 3}.2 dst=10.0.${to === "b1" ? 2 : 3}.1 sport=8080 dport=40000`);
  });

  it("spreads connections over both backends and counts each as the kernel would", () => {
    const w = nftRouterWorld(11);
    const seen: Record<string, number> = { b1: 0, b2: 0 };
    for (let i = 0; i < 20; i++) {
      const r = connect(w, 41000 + i);
      expect(r.flow.verdict).toBe("delivered");
      seen[r.delivered!.ns.name]!++;
    }
    expect(seen.b1! + seen.b2!).toBe(20);
    expect(seen.b1).toBeGreaterThan(0);
    expect(seen.b2).toBeGreaterThan(0);
    const out = printRuleset(w.get("router").nft);
    expect(out).toContain(`ip daddr 10.0.1.1 tcp dport 80 counter packets 20 bytes 1200 numgen`);
    expect(out).toContain(`\tchain be1 {\n\t\tcounter packets ${seen.b1} bytes ${seen.b1! * 60} meta l4proto tcp dnat to 10.0.2.2:8080`);
    expect(out).toContain(`\tchain be2 {\n\t\tcounter packets ${seen.b2} bytes ${seen.b2! * 60} meta l4proto tcp dnat to 10.0.3.2:8080`);
    expect(out).toContain(`\t\tct status dnat counter packets 20 bytes 1200 accept\n\t\tcounter packets 0 bytes 0\n`);
  });

  it("the forward chain's drop policy drops what was not DNATed, naming the nft chain", () => {
    const w = nftRouterWorld();
    const r = w.send("client", { proto: "tcp", dst: ipv4("10.0.2.2"), sport: 40001, dport: 8080, tcp: SYN });
    expect(r.flow.verdict).toBe("dropped");
    expect(r.flow.dropReason).toContain("the nft ip lab filter-fwd policy is DROP");
  });

  it("reply packets are un-NATed by conntrack without walking the nat chains", () => {
    const w = nftRouterWorld();
    const r = connect(w, 40002);
    const d = r.delivered!;
    const rep = w.send(d.ns.name, { proto: "tcp", src: d.packet.dst, dst: d.packet.src, sport: 8080, dport: d.packet.sport, tcp: { ...SYN, ack: true } });
    expect(rep.flow.verdict).toBe("delivered");
    expect(rep.delivered!.ns.name).toBe("client");
    expect([rep.delivered!.packet.src, rep.delivered!.packet.sport]).toEqual([ipv4("10.0.1.1"), 80]);
    const rules = rep.flow.steps.filter((s) => s.kind === "rule").map((s) => s.detail.kind === "rule" && s.detail.chain);
    expect(rules).toEqual(["filter-fwd"]);
  });

  it("with an iptables nat table too, the first binding decides: the nft chain (registered later, so first at equal priority) masquerades, the iptables MASQUERADE never runs", () => {
    const w = routerLab();
    w.get("router").loadNftLater((rs) => loadNft(rs, "table ip x {\n chain post { type nat hook postrouting priority srcnat; counter masquerade\n }\n chain pre { type nat hook prerouting priority dstnat; counter\n }\n}\n"));
    const r = w.send("client", { proto: "icmp", dst: ipv4("10.0.2.2"), icmp: { type: 8, code: 0, id: 9, seq: 1 } });
    expect(r.flow.verdict).toBe("delivered");
    const rules = r.flow.steps.filter((s) => s.kind === "rule").map((s) => s.detail.kind === "rule" && `${s.detail.family ?? "iptables"} ${s.detail.table} ${s.detail.chain}`);
    // Equal priorities: the nft chain registered after the iptables table runs first.
    expect(rules).toEqual(["ip x pre", "ip x post"]);
    expect(printRuleset(w.get("router").nft)).toContain("counter packets 1 bytes 84 masquerade");
  });

  it("a namespace without nft tables walks as before: no nft steps, the same trace", () => {
    const a = routerLab().send("client", { proto: "icmp", dst: ipv4("10.0.2.2"), icmp: { type: 8, code: 0, id: 9, seq: 1 } });
    const w = routerLab();
    w.get("router").loadNftLater(() => undefined);
    const b = w.send("client", { proto: "icmp", dst: ipv4("10.0.2.2"), icmp: { type: 8, code: 0, id: 9, seq: 1 } });
    expect(b.flow).toEqual(a.flow);
  });

  it("an iptables filter table and an nft filter chain on the same hook both run, by priority", () => {
    const w = routerLab();
    iptablesRestoreOrThrow(w.get("router").nf, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p icmp -j ACCEPT\nCOMMIT\n");
    w.get("router").loadNftLater((rs) => loadNft(rs, "table inet f {\n chain early { type filter hook forward priority -10; counter\n }\n chain late { type filter hook forward priority 10; counter\n }\n}\n"));
    const r = w.send("client", { proto: "icmp", dst: ipv4("10.0.2.2"), icmp: { type: 8, code: 0, id: 9, seq: 1 } });
    const rules = r.flow.steps.filter((s) => s.kind === "rule").map((s) => s.detail.kind === "rule" && `${s.detail.table} ${s.detail.chain}`);
    expect(rules).toEqual(["f early", "filter FORWARD", "f late", "nat POSTROUTING"]);
  });

  it("notrack at raw priority leaves the packet untracked: no conntrack entry, no NAT, ct state untracked", () => {
    const w = routerLab();
    w.get("router").loadNftLater((rs) =>
      loadNft(rs, "table ip r {\n chain raw { type filter hook prerouting priority raw; ip daddr 10.0.2.2 notrack\n }\n chain f { type filter hook forward priority 0; ct state untracked counter\n }\n}\n"),
    );
    const r = w.send("client", { proto: "icmp", dst: ipv4("10.0.2.2"), icmp: { type: 8, code: 0, id: 9, seq: 1 } });
    expect(r.flow.verdict).toBe("delivered");
    expect(r.delivered!.packet.src).toBe(ipv4("10.0.1.2"));
    expect(r.flow.steps.some((s) => s.kind === "conntrack" && s.node === "router")).toBe(false);
    expect(w.get("router").ct.list(w.now)).toEqual([]);
    expect(printRuleset(w.get("router").nft)).toContain("ct state untracked counter packets 1 bytes 84");
  });
});
