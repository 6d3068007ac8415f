/**
 * A runtime check of the trace contract (the project's own copy of it): what `cli trace --json`
 * prints and what the worker sends the UI. Returns the problems found, each with its path.
 */
const KINDS = new Set(["wire", "route", "rule", "nat", "conntrack", "bridge", "encap", "deliver", "drop"]);
const PROTOS = new Set(["icmp", "tcp", "udp"]);
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const isInt = (x: unknown, min: number, max: number) => typeof x === "number" && Number.isInteger(x) && x >= min && x <= max;

export function checkTrace(value: unknown): string[] {
  const problems: string[] = [];
  const need = (cond: boolean, path: string, what: string) => {
    if (!cond) problems.push(`${path}: ${what}`);
  };
  if (!isObj(value)) return ["(root): expected an object"];
  need(typeof value.scenario === "string", "scenario", "expected a string");
  if (!Array.isArray(value.flows) || value.flows.length === 0) return [...problems, "flows: expected a non-empty array"];
  value.flows.forEach((flow: unknown, i: number) => {
    const fp = `flows.${i}`;
    if (!isObj(flow)) return need(false, fp, "expected an object");
    need(typeof flow.name === "string", `${fp}.name`, "expected a string");
    need(flow.verdict === "delivered" || flow.verdict === "dropped", `${fp}.verdict`, 'expected "delivered" or "dropped"');
    need(flow.dropReason === undefined || typeof flow.dropReason === "string", `${fp}.dropReason`, "expected a string");
    need(flow.origin === undefined || typeof flow.origin === "string", `${fp}.origin`, "expected a string");
    if (!Array.isArray(flow.steps)) return need(false, `${fp}.steps`, "expected an array");
    flow.steps.forEach((step: unknown, j: number) => {
      const sp = `${fp}.steps.${j}`;
      if (!isObj(step)) return need(false, sp, "expected an object");
      need(KINDS.has(step.kind as string), `${sp}.kind`, `expected one of ${[...KINDS].join(", ")}`);
      need(typeof step.node === "string", `${sp}.node`, "expected a string");
      need(step.pod === undefined || typeof step.pod === "string", `${sp}.pod`, "expected a string");
      need(typeof step.text === "string", `${sp}.text`, "expected a string");
      need(step.why === undefined || typeof step.why === "string", `${sp}.why`, "expected a string");
      need(step.detail === undefined || isObj(step.detail), `${sp}.detail`, "expected an object");
      if (step.kind === "wire") {
        need(typeof step.iface === "string", `${sp}.iface`, "a wire step needs iface");
        need(step.dir === "in" || step.dir === "out", `${sp}.dir`, 'a wire step needs dir "in" or "out"');
      }
      checkPacket(step.packet, `${sp}.packet`, need, 0);
    });
  });
  return problems;
}

/** A step's packet, and what it carries when it is a tunnel's outer packet (one level: VXLAN in VXLAN is not modelled). */
function checkPacket(p: unknown, path: string, need: (cond: boolean, path: string, what: string) => void, depth: number): void {
  if (!isObj(p)) return need(false, path, "expected an object");
  need(PROTOS.has(p.proto as string), `${path}.proto`, "expected icmp, tcp or udp");
  need(typeof p.src === "string" && IPV4.test(p.src), `${path}.src`, "expected an IPv4 address");
  need(typeof p.dst === "string" && IPV4.test(p.dst), `${path}.dst`, "expected an IPv4 address");
  need(p.sport === undefined || isInt(p.sport, 0, 65535), `${path}.sport`, "expected a port 0-65535");
  need(p.dport === undefined || isInt(p.dport, 0, 65535), `${path}.dport`, "expected a port 0-65535");
  need(isInt(p.ttl, 0, 255), `${path}.ttl`, "expected a TTL 0-255");
  need(p.vni === undefined || isInt(p.vni, 0, 0xffffff), `${path}.vni`, "expected a VNI 0-16777215");
  if (p.inner !== undefined) {
    if (depth > 0) return need(false, `${path}.inner`, "a tunnel inside a tunnel is not part of the contract");
    checkPacket(p.inner, `${path}.inner`, need, depth + 1);
  }
}
