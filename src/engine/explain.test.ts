/** Surprising steps say why: an INVALID packet at the router, an ICMP error by name, the bridge's table. */
import { describe, expect, it } from "vitest";
import { runScenario } from "./k8s/run";
import { builtinScenario } from "./scenarios/article";
import type { Step } from "./trace";
import { icmpName, whyInvalid, whySourcePort } from "./narrate";

function steps(id: string): Step[] {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error("scenario failed");
  return r.trace.flows.flatMap((f) => f.steps);
}

describe("surprising steps are explained", () => {
  it("the ACK the VPC router finds INVALID in the NodePort handshake says why and what comes next", () => {
    const invalid = steps("nodeport").filter((s) => s.detail?.kind === "conntrack" && s.detail.event === "invalid");
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.node).toBe("vpc-router");
    expect(invalid[0]!.text).toBe("conntrack marks the packet INVALID: TCP ACK is invalid in state SYN_SENT.");
    expect(invalid[0]!.why).toMatch(/saw the connection's SYN go through, but not the SYN-ACK/);
    expect(invalid[0]!.why).toMatch(/no NAT for an INVALID packet/);
    // Only that reason is explained this way.
    expect(whyInvalid("ICMP type 0 cannot start a connection")).toBeUndefined();
    expect(whyInvalid("TCP SYN is invalid in state SYN_SENT")).toBeUndefined();
  });

  it("an ICMP error's delivery names the error", () => {
    const last = steps("no-route").at(-1)!;
    expect(last.text).toBe("busybox0-rw89s takes the ICMP message (destination net unreachable) from 10.240.0.1: ping.");
    expect([icmpName(3, 3), icmpName(3, 1), icmpName(11, 0), icmpName(3, 4)]).toEqual([
      "destination port unreachable",
      "destination host unreachable",
      "time to live exceeded in transit",
      "destination unreachable: fragmentation needed",
    ]);
  });

  it("a bridge step carries the forwarding table it used: none for a flood, the learned entry for a forward", () => {
    const bridged = steps("pod-to-pod").filter((s) => s.detail?.kind === "bridge");
    const flood = bridged.find((s) => s.detail?.kind === "bridge" && s.detail.action === "flood")!;
    const d = flood.detail as Extract<Step["detail"], { kind: "bridge" }>;
    expect(d.fdb!.some((e) => e.mac === d.mac)).toBe(false);
    expect(d.fdb!.every((e) => e.local)).toBe(true);
    const forward = steps("nodeport").find((s) => s.detail?.kind === "bridge" && s.detail.action === "forward")!;
    const f = forward.detail as Extract<Step["detail"], { kind: "bridge" }>;
    expect(f.fdb![0]).toEqual({ mac: f.mac, port: f.port, local: false });
    expect(f.fdbSize).toBeGreaterThanOrEqual(f.fdb!.length);
  });

  it("a masquerade that keeps the source port says why: NodePort's MASQUERADE on worker-0 keeps the client's 30303", () => {
    const nat = steps("nodeport").filter((s) => s.detail?.kind === "nat" && s.detail.type === "MASQUERADE");
    expect(nat).toHaveLength(1);
    const d = nat[0]!.detail as Extract<Step["detail"], { kind: "nat" }>;
    expect(nat[0]!.node).toBe("worker-0");
    expect(d.before.sport).toBe(30303);
    expect(d.after.sport).toBe(30303);
    expect(d.changed).toEqual(["src"]);
    expect(nat[0]!.why).toMatch(/left the source port 30303 as it was/);
    expect(nat[0]!.why).toMatch(/--random or --random-fully/);
    // A ping's echo id is kept the same way, and said so in its own words.
    const ping = steps("pod-to-pod").find((s) => s.detail?.kind === "nat" && s.detail.type === "MASQUERADE")!;
    expect(ping.why).toMatch(/left the echo id 1280 as it was/);
    // The later packets of the connection reuse the binding: no repeat of the why.
    const later = steps("nodeport").filter((s) => s.detail?.kind === "nat" && s.detail.type === "SNAT" && s.node === "worker-0");
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((s) => s.why === undefined)).toBe(true);
    // A moved port is explained differently.
    expect(whySourcePort("MASQUERADE", "tcp", 30303, 1025, false)).toMatch(/picked a free source port, 1025/);
    expect(whySourcePort("SNAT", "udp", 53, 53, false)).toMatch(/^SNAT rewrote the address/);
  });

  it("an unreplied UDP conntrack entry says why: the DNS query's entries, and not the TCP ones", () => {
    const confirms = steps("clusterip-dns-udp").filter((s) => s.detail?.kind === "conntrack" && s.detail.event === "confirm");
    expect(confirms.map((s) => s.node)).toEqual(["worker-1", "vpc-router", "worker-0"]);
    for (const c of confirms) {
      const d = c.detail as Extract<Step["detail"], { kind: "conntrack" }>;
      expect(d.entry).toMatch(/^udp {6}17 30 .*\[UNREPLIED\]/);
      expect(c.why).toMatch(/\[UNREPLIED\] is a status flag/);
      expect(c.why).toMatch(/30 seconds/);
      expect(c.why).toContain(`conntrack on ${c.node}`);
    }
    const tcp = steps("clusterip-dns-tcp").filter((s) => s.detail?.kind === "conntrack" && s.detail.event === "confirm");
    expect(tcp.length).toBeGreaterThan(0);
    expect(tcp.every((s) => s.why === undefined)).toBe(true);
  });
});
