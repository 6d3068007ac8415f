/**
 * A scenario's traffic, traced: ping (echo request, echo reply), dig over UDP (query, answer),
 * and TCP (curl, dig over TCP: SYN, SYN-ACK, ACK), each packet through the whole cluster.
 */
import { formatIpv4, ipv4, type Ipv4 } from "../addr/ipv4";
import type { Packet, TcpInfo } from "../packet/packet";
import { hashString } from "../rng";
import { origin } from "../narrate";
import type { Flow } from "../trace";
import type { FlowResult, PacketSpec } from "../world";
import type { Cluster } from "./build";
import { loadBalancerIngress, ScenarioError, type TrafficSpec } from "./spec";


/** Simulated time between one packet and the next of an exchange. */
const TURNAROUND_MS = 0.3;

function tcpFlags(f: "S" | "SA" | "A", seq: number, ackSeq: number): TcpInfo {
  return { syn: f !== "A", ack: f !== "S", fin: false, rst: false, psh: false, seq, ackSeq, win: f === "S" ? 64240 : f === "SA" ? 65160 : 502 };
}

export interface Endpoints {
  readonly fromNs: string;
  readonly dst: Ipv4;
  readonly dport?: number;
  readonly proto: "icmp" | "tcp" | "udp";
  readonly describe: string;
}

export function resolveTraffic(c: Cluster, t: TrafficSpec, path: string): Endpoints {
  const f = t.from;
  let fromNs: string;
  if ("pod" in f) {
    const pod = c.pods.find((p) => p.name === f.pod);
    if (!pod) {
      const some = c.pods.slice(0, 8).map((p) => p.name).join(", ");
      throw new ScenarioError(`${path}.from.pod`, `no pod named ${f.pod} (pods: ${some}${c.pods.length > 8 ? `, and ${c.pods.length - 8} more` : ""})`);
    }
    fromNs = pod.netns;
  } else if ("node" in f) {
    if (!c.nodes.some((n) => n.name === f.node)) throw new ScenarioError(`${path}.from.node`, `no node named ${f.node}`);
    fromNs = f.node;
  } else {
    fromNs = c.client;
  }
  const to = t.to;
  let dst: Ipv4;
  let dport = t.port;
  let describe: string;
  if ("ip" in to) {
    dst = ipv4(to.ip);
    describe = to.ip;
  } else if ("pod" in to) {
    const pod = c.pods.find((p) => p.name === to.pod);
    if (!pod) throw new ScenarioError(`${path}.to.pod`, `no pod named ${to.pod}`);
    dst = ipv4(pod.ip);
    describe = `${pod.name} (${pod.ip})`;
  } else if ("node" in to) {
    const node = c.nodes.find((n) => n.name === to.node);
    if (!node) throw new ScenarioError(`${path}.to.node`, `no node named ${to.node}`);
    if (to.public && !node.publicIp) throw new ScenarioError(`${path}.to.public`, `${node.name} has no public IP`);
    dst = ipv4(to.public ? node.publicIp! : node.ip);
    describe = origin.node(node.name, formatIpv4(dst), to.public === true);
  } else if ("service" in to) {
    const svc = c.services.find((s) => s.name === to.service && s.namespace === to.namespace);
    if (!svc) throw new ScenarioError(`${path}.to.service`, `no service ${to.namespace}/${to.service}`);
    const port =
      to.port === undefined
        ? svc.portsResolved[0]
        : svc.portsResolved.find((p) => (typeof to.port === "number" ? p.port === to.port && (!t.protocol || p.protocol === t.protocol) : p.portName === to.port));
    if (!port) throw new ScenarioError(`${path}.to.port`, `service ${to.namespace}/${to.service} has no port ${String(to.port)}`);
    dport ??= port.port;
    if (to.via === "loadBalancer") {
      // The address the cloud's load balancer answers on.
      const lbIp = svc.type === "LoadBalancer" ? loadBalancerIngress(c.scenario).get(`${svc.namespace}/${svc.name}`) : undefined;
      if (lbIp === undefined) throw new ScenarioError(`${path}.to.via`, `service ${to.namespace}/${to.service} has no load balancer`);
      dst = ipv4(lbIp);
      describe = origin.loadBalancer(to.namespace, to.service, `${lbIp}:${port.port}/${port.protocol}`);
    } else {
      dst = ipv4(svc.clusterIP);
      describe = origin.service(to.namespace, to.service, `${svc.clusterIP}:${port.port}/${port.protocol}`);
    }
  } else {
    dst = ipv4(c.scenario.cloud.client.ip);
    describe = origin.internet(c.scenario.cloud.client.ip);
  }
  const proto = t.kind === "ping" ? "icmp" : t.kind === "curl" ? "tcp" : t.protocol === "TCP" ? "tcp" : "udp";
  if (proto !== "icmp") dport ??= t.kind === "curl" ? 80 : 53;
  return { fromNs, dst, ...(dport !== undefined && { dport }), proto, describe };
}

/** The answer the receiving host gives to what it was delivered, as a PacketSpec from its side. */
function answer(delivered: Packet, flags?: "SA" | "A", payload?: PacketSpec["payload"]): PacketSpec {
  const base = { src: delivered.dst, dst: delivered.src };
  // The kernel's echo reply carries the request's data back (ping's timestamp in it).
  if (delivered.proto === "icmp") return { ...base, proto: "icmp", icmp: { ...delivered.icmp!, type: 0 }, payload: delivered.payload ?? { kind: "echo", bytes: 56 } };
  const spec: PacketSpec = { ...base, proto: delivered.proto, sport: delivered.dport, dport: delivered.sport, ...(payload && { payload }) };
  return flags ? { ...spec, tcp: tcpFlags(flags, 2_000_000_000, (delivered.tcp?.seq ?? 0) + 1) } : spec;
}

/** Traces one traffic item: its flows, request first. Throws ScenarioError for a bad reference. */
export function traceTraffic(c: Cluster, t: TrafficSpec, index: number): Flow[] {
  const path = `traffic.${index}`;
  const ep = resolveTraffic(c, t, path);
  const w = c.world;
  const flows: Flow[] = [];
  const sport = t.sport ?? 32768 + (hashString(`${c.scenario.id}/${index}`) % 28232);
  const fromName = "pod" in t.from ? t.from.pod : "node" in t.from ? t.from.node : origin.theClient();
  const startedBy = origin.traffic(t.kind, fromName, ep.describe, ep.dport !== undefined && !("service" in t.to) ? ep.dport : undefined);
  const record = (r: FlowResult) => {
    flows.push({ ...r.flow, origin: startedBy });
    for (const s of r.side ?? []) record(s);
  };
  const step = (r: FlowResult) => {
    record(r);
    w.now += TURNAROUND_MS;
    return r;
  };
  const errorOf = (r: FlowResult) => {
    if (!r.icmpError) return;
    // An error that comes late (ARP gives a neighbour up after 3 s) is sent when it comes.
    w.now += r.icmpError.delayMs ?? 0;
    step(w.send(r.icmpError.from, r.icmpError.spec, "error", r.icmpError.attach));
  };
  if (ep.proto === "icmp") {
    const req = step(w.send(ep.fromNs, { proto: "icmp", dst: ep.dst, icmp: { type: 8, code: 0, id: sport, seq: 1 }, payload: { kind: "echo", bytes: 56, sentMs: w.now } }, "request"));
    if (req.delivered) step(w.send(req.delivered.ns.name, answer(req.delivered.packet), "reply"));
    errorOf(req);
    return flows;
  }
  if (ep.proto === "udp") {
    const query = { kind: "dns-query" as const, id: 12345, name: "kubernetes.default.svc.cluster.local", qtype: "A" as const };
    const req = step(w.send(ep.fromNs, { proto: "udp", dst: ep.dst, sport, dport: ep.dport!, payload: t.kind === "dig" ? query : { kind: "raw", bytes: 32 } }, "request"));
    errorOf(req);
    if (req.delivered) {
      const reply = t.kind === "dig" ? { kind: "dns-answer" as const, id: 12345, name: query.name, answer: firstServiceIp(c) } : { kind: "raw" as const, bytes: 32 };
      step(w.send(req.delivered.ns.name, answer(req.delivered.packet, undefined, reply), "reply"));
    }
    return flows;
  }
  const syn = step(w.send(ep.fromNs, { proto: "tcp", dst: ep.dst, sport, dport: ep.dport!, tcp: tcpFlags("S", 1_000_000_000, 0) }, "request"));
  errorOf(syn);
  if (!syn.delivered) {
    // A host with nothing listening on the port answers the SYN with a reset, as the shell's curl sees.
    const dr = syn.dropped;
    if (dr?.reset) {
      const d = dr.packet;
      step(w.send(dr.ns.name, { proto: "tcp", src: d.dst, dst: d.src, sport: d.dport, dport: d.sport, tcp: { syn: false, ack: true, fin: false, rst: true, psh: false, seq: 0, ackSeq: (d.tcp?.seq ?? 0) + 1, win: 0 } }, "reset"));
    }
    return flows;
  }
  const synack = step(w.send(syn.delivered.ns.name, answer(syn.delivered.packet, "SA"), "reply"));
  if (!synack.delivered) return flows;
  const p = synack.delivered.packet;
  step(w.send(synack.delivered.ns.name, { proto: "tcp", src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, tcp: tcpFlags("A", 1_000_000_001, (p.tcp?.seq ?? 0) + 1) }, "ack"));
  return flows;
}

function firstServiceIp(c: Cluster): string {
  return c.services.find((s) => s.namespace === "default" && s.name === "kubernetes")?.clusterIP ?? c.scenario.cluster.gateway;
}
