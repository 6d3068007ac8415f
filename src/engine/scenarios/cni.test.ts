/**
 * The built-ins on flannel and Calico say what their traces show: the chains and TTL their descriptions
 * name, VXLAN between nodes (UDP 8472, outer header node to node, the inner packet whole), and a
 * VPC router that never sees a pod address.
 */
import { describe, expect, it } from "vitest";
import { buildCluster } from "../k8s/build";
import { runScenario } from "../k8s/run";
import { traceTraffic } from "../k8s/traffic";
import { validateScenario } from "../k8s/spec";
import { checkTrace } from "../trace-check";
import { BUILTIN_SCENARIOS } from "./article";
import { CALICO_PREFIX, CALICO_ROUTED, CALICO_TEXT, FLANNEL_PREFIX, FLANNEL_TEXT } from "./cni";
import { CALICO_TEXT_RU, FLANNEL_TEXT_RU } from "./cni-ru";

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

const calico = BUILTIN_SCENARIOS.filter((s) => s.id.startsWith(CALICO_PREFIX));

describe("Calico's built-in scenarios", () => {
  it("are one per text, in English and Russian, on Calico (VXLAN, or none for routed-), the pool 10.244.0.0/16 in /26 blocks", () => {
    expect(calico.map((s) => s.id.slice(CALICO_PREFIX.length)).sort()).toEqual(Object.keys(CALICO_TEXT).sort());
    expect(Object.keys(CALICO_TEXT_RU).sort()).toEqual(Object.keys(CALICO_TEXT).sort());
    for (const s of calico) {
      const v = validateScenario(s);
      if (!v.ok) throw new Error(JSON.stringify(v.issues));
      expect(v.scenario.cluster.cni).toMatchObject({ type: "calico", encapsulation: s.id.startsWith(`${CALICO_PREFIX}${CALICO_ROUTED}`) ? "none" : "vxlan" });
      expect(v.scenario.cluster.podNetwork).toBe("10.244.0.0/16");
      for (const w of v.scenario.cluster.workers) expect(w.podCidr, w.name).toMatch(/^10\.244\.\d+\.0\/26$/);
    }
  });

  for (const s of calico) {
    it(`${s.id}: what its description names is in the trace, the pods reach their gateway by proxy ARP, and the VPC router sees no pod address`, () => {
      const r = runScenario(s);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(checkTrace(JSON.parse(JSON.stringify(r.trace)))).toEqual([]);
      const steps = r.trace.flows.flatMap((f) => f.steps);
      const ruleText = steps.flatMap((x) => (x.kind === "rule" ? [`${x.detail.chain} ${x.detail.rule}`] : [])).join("\n");
      for (const chain of s.description!.match(/KUBE-[A-Z0-9-]+[A-Z0-9]|cali-[A-Za-z-]+[A-Za-z]/g) ?? []) expect(ruleText, `${s.id} names ${chain}`).toContain(chain);
      if (s.description!.includes("NOTRACK")) expect(steps.some((x) => x.kind === "rule" && x.detail.target === "NOTRACK")).toBe(true);
      const ttl = /TTL (\d+)/.exec(s.description!);
      if (ttl) expect(r.trace.flows[0]!.steps.filter((x) => x.kind === "deliver").at(-1)?.packet.ttl, `${s.id}: TTL`).toBe(Number(ttl[1]));
      for (const x of steps.filter((x) => x.node === "vpc-router")) {
        expect(inPods(x.packet.src) || inPods(x.packet.dst), `${s.id}: the VPC router saw ${x.packet.src} > ${x.packet.dst}`).toBe(false);
      }
      // Every packet a pod sends leaves by its default route via 169.254.1.1, which only proxy ARP answers.
      const podRoutes = steps.filter((x) => x.kind === "route" && x.pod && x.detail.decision === "output");
      for (const x of podRoutes) if (x.kind === "route") expect(x.detail.nexthop).toBe("169.254.1.1");
      const onEth0 = steps.filter((x) => x.kind === "wire" && x.iface === "eth0" && !x.pod && x.packet.dport === 4789);
      if (s.description!.includes("4789")) {
        expect(onEth0.length, `${s.id}: VXLAN on eth0`).toBeGreaterThan(0);
        for (const x of onEth0) {
          expect(x.packet.src.startsWith("10.240.0.") && x.packet.dst.startsWith("10.240.0.")).toBe(true);
          expect(x.packet.vni).toBe(4096);
          expect(x.packet.ttl).toBe(64);
          if (x.kind === "wire") expect(x.detail.tcpdump).toMatch(/^IP 10\.240\.0\.2\d\.\d+ > 10\.240\.0\.2\d\.4789: VXLAN, flags \[I\] \(0x08\), vni 4096\nIP /);
        }
        // felix's NOTRACK: the outer datagrams never get a conntrack entry on either node.
        const outerTracked = steps.filter((x) => x.kind === "conntrack" && x.packet.dport === 4789 && x.packet.inner === undefined && x.packet.proto === "udp");
        expect(outerTracked, `${s.id}: conntrack saw VXLAN's own datagrams`).toEqual([]);
      } else {
        expect(onEth0).toEqual([]);
        expect(steps.some((x) => x.kind === "encap")).toBe(false);
      }
      if (s.id.startsWith(`${CALICO_PREFIX}${CALICO_ROUTED}`)) {
        const crossing = steps.filter((x) => x.kind === "wire" && x.iface === "eth0" && !x.pod && x.node.startsWith("worker-"));
        expect(crossing.length).toBeGreaterThan(0);
        for (const x of crossing) expect(inPods(x.packet.src) && inPods(x.packet.dst), `${s.id}: pod addresses on the wire`).toBe(true);
      }
    });
  }

  it("without proxy_arp on the pod's cali device nobody answers for 169.254.1.1: the ping fails with host unreachable, as in the kernel", () => {
    const s = calico.find((x) => x.id === `${CALICO_PREFIX}pod-to-pod`)!;
    const v = validateScenario(s);
    if (!v.ok) throw new Error(JSON.stringify(v.issues));
    const cluster = buildCluster(v.scenario);
    const pod = cluster.pods.find((p) => p.name === "busybox0-rw89s")!;
    const cali = cluster.world.get(pod.node).requireIface(pod.hostVeth);
    expect(cali.proxyArp).toEqual({ delay: 0 });
    delete cali.proxyArp;
    const flows = traceTraffic(cluster, v.scenario.traffic[0]!, 0);
    const drop = flows[0]!.steps.find((x) => x.kind === "drop");
    expect(drop?.kind === "drop" && drop.detail.reason).toContain("169.254.1.1");
    // ipv4_link_failure: the pod's own stack answers its ping with host unreachable ("Destination Host Unreachable").
    expect(flows.map((f) => f.name)).toEqual(["request", "error"]);
    expect(flows[1]!.steps.at(-1)).toMatchObject({ kind: "deliver", pod: "busybox0-rw89s", packet: { src: "10.244.0.21", dst: "10.244.0.21", proto: "icmp" } });
    expect(flows[0]!.steps.filter((x) => x.kind === "wire")).toEqual([]);
  });

  it("an IP-in-IP pool is refused at cluster.cni.encapsulation, and so is a Calico cluster that names none", () => {
    const s = calico[0]!;
    const withEncap = (encapsulation?: string) => ({ ...s, cluster: { ...s.cluster, cni: { type: "calico", ...(encapsulation && { encapsulation }) } } });
    const ipip = validateScenario(withEncap("ipip"));
    expect(ipip.ok).toBe(false);
    if (!ipip.ok) expect(ipip.issues).toEqual([{ path: "cluster.cni.encapsulation", message: expect.stringMatching(/IP-in-IP is not modelled yet.*no ipip module.*tunl0/) }]);
    const none = validateScenario(withEncap());
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.issues).toEqual([{ path: "cluster.cni.encapsulation", message: expect.stringMatching(/"none".*"vxlan"/) }]);
  });
});
