/**
 * The built-ins on flannel say what their traces show: the chains and TTL their descriptions
 * name, VXLAN between nodes (UDP 8472, outer header node to node, the inner packet whole), and a
 * VPC router that never sees a pod address.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../k8s/run";
import { validateScenario } from "../k8s/spec";
import { checkTrace } from "../trace-check";
import { BUILTIN_SCENARIOS } from "./article";
import { FLANNEL_PREFIX, FLANNEL_TEXT } from "./cni";
import { FLANNEL_TEXT_RU } from "./cni-ru";

const flannel = BUILTIN_SCENARIOS.filter((s) => s.id.startsWith(FLANNEL_PREFIX));
const inPods = (ip: string | undefined) => ip !== undefined && ip.startsWith("10.244.");

describe("flannel's built-in scenarios", () => {
  it("are one per text, in English and Russian, each on flannel with pod network 10.244.0.0/16", () => {
    expect(flannel.map((s) => s.id.slice(FLANNEL_PREFIX.length)).sort()).toEqual(Object.keys(FLANNEL_TEXT).sort());
    expect(Object.keys(FLANNEL_TEXT_RU).sort()).toEqual(Object.keys(FLANNEL_TEXT).sort());
    for (const s of flannel) {
      const v = validateScenario(s);
      if (!v.ok) throw new Error(JSON.stringify(v.issues));
      expect(v.scenario.cluster.cni.type).toBe("flannel");
      expect(v.scenario.cluster.podNetwork).toBe("10.244.0.0/16");
    }
  });

  for (const s of flannel) {
    it(`${s.id}: what its description names is in the trace, and the VPC router sees no pod address`, () => {
      const r = runScenario(s);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(checkTrace(JSON.parse(JSON.stringify(r.trace)))).toEqual([]);
      const steps = r.trace.flows.flatMap((f) => f.steps);
      const ruleText = steps.flatMap((x) => (x.kind === "rule" ? [`${x.detail.chain} ${x.detail.rule}`] : [])).join("\n");
      for (const chain of s.description!.match(/(KUBE|FLANNEL)-[A-Z0-9-]+[A-Z0-9]/g) ?? []) expect(ruleText, `${s.id} names ${chain}`).toContain(chain);
      const ttl = /TTL (\d+)/.exec(s.description!) ?? /TTL stays (\d+)/.exec(s.description!);
      if (ttl) expect(r.trace.flows[0]!.steps.filter((x) => x.kind === "deliver").at(-1)?.packet.ttl, `${s.id}: TTL`).toBe(Number(ttl[1]));
      for (const x of steps.filter((x) => x.node === "vpc-router")) {
        expect(inPods(x.packet.src) || inPods(x.packet.dst), `${s.id}: the VPC router saw ${x.packet.src} > ${x.packet.dst}`).toBe(false);
        expect(x.packet.inner).toBeUndefined();
      }
      if (s.description!.includes("8472")) {
        const onEth0 = steps.filter((x) => x.kind === "wire" && x.iface === "eth0" && x.packet.dport === 8472 && !x.pod);
        expect(onEth0.length, `${s.id}: VXLAN on eth0`).toBeGreaterThan(0);
        for (const x of onEth0) {
          expect(x.packet.proto).toBe("udp");
          expect(x.packet.src.startsWith("10.240.0.") && x.packet.dst.startsWith("10.240.0.")).toBe(true);
          expect(x.packet.vni).toBe(1);
          expect(inPods(x.packet.inner?.src) || inPods(x.packet.inner?.dst)).toBe(true);
          expect(x.packet.ttl).toBe(64);
          if (x.kind === "wire") expect(x.detail.tcpdump).toMatch(/^IP 10\.240\.0\.2\d\.\d+ > 10\.240\.0\.2\d\.8472: OTV, flags \[I\] \(0x08\), overlay 0, instance 1\nIP 10\.244\./);
        }
        expect(steps.some((x) => x.kind === "encap" && x.detail.action === "encap")).toBe(true);
        expect(steps.some((x) => x.kind === "encap" && x.detail.action === "decap")).toBe(true);
      }
    });
  }
});
