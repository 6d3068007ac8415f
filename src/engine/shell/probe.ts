/**
 * Tools that send packets: ping, curl, busybox wget, nslookup and dig. Each one starts new
 * flows through the engine (so they appear in the trace, the counters and conntrack) and prints
 * what the real tool prints: iputils ping, curl, bind9's nslookup and dig on a node (Ubuntu
 * 18.04); busybox 1.28's ping, wget and nslookup in a pod. Round-trip times are simulated: they
 * come from the number of links the packets crossed, not from a clock, and the tools say so on
 * stderr.
 *
 * What is traced: ping's echo requests and replies (and ICMP errors), curl's and wget's TCP
 * handshake (or the RST of a closed port), one A query and its answer for the name lookups.
 * The HTTP exchange after the handshake, the FIN/ACK close, busybox's extra AAAA and PTR
 * queries and ARP are not traced.
 */
import { DAYS, MONTHS } from "./dates";
import { formatIpv4, isIpv4, parseIpv4, type Ipv4 } from "../addr/ipv4";
import type { Cluster } from "../k8s/build";
import type { Netns } from "../netns";
import type { Packet, TcpInfo } from "../packet/packet";
import { hashString } from "../rng";
import type { Flow } from "../trace";
import type { FlowResult, PacketSpec } from "../world";
import type { LineBudget } from "./budget";
import { fail, type CommandResult } from "./exec";

export interface ProbeContext {
  readonly c: Cluster;
  readonly ns: Netns;
  /** Flows traced so far (for deterministic ids) and where new ones go. */
  readonly flows: readonly Flow[];
  readonly newFlows: Flow[];
  /** Busybox's applets (in a pod) rather than Ubuntu's tools (on a node). */
  readonly busybox: boolean;
  /** What the line may still trace; the tools stop sending when it is used up. */
  readonly budget: LineBudget;
}

const SIMULATED = "(hopscope: round-trip times are simulated)\n";
const TURNAROUND_MS = 0.3;

function record(ctx: ProbeContext, r: FlowResult): FlowResult {
  keep(ctx, r);
  ctx.c.world.now += TURNAROUND_MS;
  return r;
}

/** A flow and what the stack sent while it went (a redirect), in order. */
function keep(ctx: ProbeContext, r: FlowResult): void {
  ctx.newFlows.push(r.flow);
  ctx.budget.traced(r.flow);
  for (const s of r.side ?? []) keep(ctx, s);
}

/** The ICMP redirects that reached this shell's namespace while `r` went. */
function redirectsHere(ctx: ProbeContext, r: FlowResult): Packet[] {
  return (r.side ?? []).flatMap((s) => (s.delivered?.ns === ctx.ns && s.delivered.packet.icmp?.type === 5 ? [s.delivered.packet] : []));
}

function wires(r: FlowResult | undefined): number {
  return r ? r.flow.steps.filter((s) => s.kind === "wire").length : 0;
}

/** A simulated round trip: 0.1 ms plus 0.02 ms per link crossed, with a little deterministic jitter. */
function rttOf(req: FlowResult, rep: FlowResult | undefined, salt: string): number {
  const jitter = (hashString(salt) % 80) / 1000;
  return 0.1 + 0.02 * (wires(req) + wires(rep)) + jitter;
}

function ephemeral(ctx: ProbeContext, what: string): number {
  return 32768 + (hashString(`${ctx.ns.name}/${what}/${ctx.flows.length + ctx.newFlows.length}`) % 28232);
}

function errorOf(ctx: ProbeContext, r: FlowResult): Packet | undefined {
  if (!r.icmpError) return undefined;
  ctx.c.world.now += r.icmpError.delayMs ?? 0;
  const e = record(ctx, ctx.c.world.send(r.icmpError.from, r.icmpError.spec, "error", r.icmpError.attach));
  return e.delivered?.packet;
}

const fmt3 = (n: number) => n.toFixed(3);

/** An IPv4 literal, or undefined (names are not resolved by these tools here). */
function literal(text: string): Ipv4 | undefined {
  return isIpv4(text) ? parseIpv4(text) : undefined;
}

/** `ping [-c N] [-W S] [-i S] HOST`. */
export function ping(ctx: ProbeContext, args: readonly string[]): CommandResult {
  let count: number | undefined;
  let host: string | undefined;
  let quiet = false;
  let capped = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    // -c 3 and -c3 alike; -W, -i, -w and -s take a value too (timing and size are not modelled).
    const valued = /^-([cWiws])(.*)$/.exec(a);
    if (valued) {
      const value = valued[2] !== "" ? valued[2]! : args[++k];
      if (valued[1] !== "c") continue;
      const v = Number(value);
      if (!Number.isInteger(v) || v <= 0) return fail(ctx.busybox ? `ping: invalid number '${value ?? ""}'\n` : `ping: bad number of packets to transmit.\n`, ctx.busybox ? 1 : 2);
      capped = v > MAX_PINGS;
      count = Math.min(v, MAX_PINGS);
    } else if (a === "-q") quiet = true;
    else if (a === "-n") continue;
    else if (a.startsWith("-")) return fail(ctx.busybox ? `ping: invalid option -- '${a.slice(1, 2)}'\nBusyBox v1.28.4 multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n` : `ping: invalid option -- '${a.slice(1, 2)}'\nUsage: ping [-aAbBdDfhLnOqrRUvV64] [-c count] [-i interval] [-I interface]\n            [-m mark] [-M pmtudisc_option] [-l preload] [-p pattern] [-Q tos]\n            [-s packetsize] [-S sndbuf] [-t ttl] [-T timestamp_option]\n            [-w deadline] [-W timeout] [hop1 ...] destination\n`, ctx.busybox ? 1 : 2);
    else host = a;
  }
  if (host === undefined) return fail(ctx.busybox ? "BusyBox v1.28.4 multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n" : "Usage: ping [-aAbBdDfhLnOqrRUvV64] [-c count] [-i interval] [-I interface]\n            [-m mark] [-M pmtudisc_option] [-l preload] [-p pattern] [-Q tos]\n            [-s packetsize] [-S sndbuf] [-t ttl] [-T timestamp_option]\n            [-w deadline] [-W timeout] [hop1 ...] destination\n", ctx.busybox ? 1 : 2);
  const dst = literal(host);
  if (dst === undefined) return fail(ctx.busybox ? `ping: bad address '${host}'\n` : `ping: ${host}: Name or service not known\n`, ctx.busybox ? 1 : 2);
  if (!ctx.budget.mayTrace()) return USED_UP;
  let interrupted = count === undefined;
  let n = count ?? 4;
  const id = hashString(`${ctx.ns.name}/ping/${ctx.flows.length + ctx.newFlows.length}`) & 0xffff;
  const w = ctx.c.world;
  const lines: string[] = [ctx.busybox ? `PING ${host} (${host}): 56 data bytes` : `PING ${host} (${host}) 56(84) bytes of data.`];
  const rtts: number[] = [];
  let errors = 0;
  const start = w.now;
  for (let i = 0; i < n; i++) {
    // A line that used up its budget stops pinging, as Ctrl+C would; the line then says why.
    if (!ctx.budget.mayTrace()) {
      n = i;
      interrupted = true;
      break;
    }
    // One echo a second; an error that came late (ARP giving up) has moved the clock on already.
    if (i > 0) w.now = Math.max(w.now, start + 1000 * i);
    const seq = ctx.busybox ? i : i + 1;
    const req = record(ctx, w.send(ctx.ns.name, { proto: "icmp", dst, icmp: { type: 8, code: 0, id, seq }, payload: { kind: "echo", bytes: 56, sentMs: w.now } }, "ping request"));
    // iputils ping reads every ICMP message on its raw socket and reports a redirect about its echo.
    if (!ctx.busybox) for (const r of redirectsHere(ctx, req)) lines.push(`From ${formatIpv4(r.src)}: icmp_seq=${seq} Redirect Host(New nexthop: ${formatIpv4(r.icmp!.gateway ?? (0 as Ipv4))})`);
    const err = errorOf(ctx, req);
    if (err) {
      errors++;
      const what = err.icmp?.type === 11 ? "Time to live exceeded" : err.icmp?.code === 1 ? "Destination Host Unreachable" : "Destination Net Unreachable";
      if (!ctx.busybox) lines.push(`From ${formatIpv4(err.src)} icmp_seq=${seq} ${what}`);
      continue;
    }
    if (!req.delivered) continue;
    const d = req.delivered.packet;
    const rep = record(ctx, w.send(req.delivered.ns.name, { proto: "icmp", src: d.dst, dst: d.src, icmp: { ...d.icmp!, type: 0 }, payload: d.payload ?? { kind: "echo", bytes: 56 } }, "ping reply"));
    if (!rep.delivered || rep.delivered.ns !== ctx.ns) continue;
    const rtt = rttOf(req, rep, `${id}/${seq}`);
    rtts.push(rtt);
    if (!quiet) lines.push(`64 bytes from ${host}: ${ctx.busybox ? "seq" : "icmp_seq"}=${seq} ttl=${rep.delivered.packet.ttl} time=${fmt3(rtt)} ms`);
  }
  const received = rtts.length;
  // iputils prints the loss with %g, busybox as an integer that is rounded down.
  const lossExact = ((n - received) * 100) / n;
  const loss = ctx.busybox ? Math.floor(lossExact) : Number(lossExact.toPrecision(6));
  // iputils reports the time from the first request to the last answer: about a second per interval.
  const elapsed = (n - 1) * 1001;
  if (interrupted) lines.push("^C");
  lines.push("", `--- ${host} ping statistics ---`);
  if (ctx.busybox) {
    lines.push(`${n} packets transmitted, ${received} packets received, ${loss}% packet loss`);
    if (received) lines.push(`round-trip min/avg/max = ${fmt3(Math.min(...rtts))}/${fmt3(avg(rtts))}/${fmt3(Math.max(...rtts))} ms`);
  } else {
    lines.push(`${n} packets transmitted, ${received} received, ${errors ? `+${errors} errors, ` : ""}${loss}% packet loss, time ${elapsed}ms`);
    if (received) lines.push(`rtt min/avg/max/mdev = ${fmt3(Math.min(...rtts))}/${fmt3(avg(rtts))}/${fmt3(Math.max(...rtts))}/${fmt3(mdev(rtts))} ms`);
    else lines.push("");
  }
  const note = (received ? SIMULATED : "") + (capped ? `(hopscope: ${MAX_PINGS} echo requests at most are simulated)\n` : "");
  return { stdout: lines.join("\n") + "\n", stderr: note, code: received ? 0 : 1 };
}

const MAX_PINGS = 100;

/** A tool that sends nothing because the line's budget is used up (the line's notice says so). */
const USED_UP: CommandResult = { stdout: "", stderr: "", code: 1 };

const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function mdev(xs: readonly number[]): number {
  const m = avg(xs);
  return Math.sqrt(Math.max(0, avg(xs.map((x) => x * x)) - m * m));
}

function tcp(flags: { syn?: boolean; ack?: boolean; rst?: boolean }, seq: number, ackSeq: number, win: number): TcpInfo {
  return { syn: !!flags.syn, ack: !!flags.ack, fin: false, rst: !!flags.rst, psh: false, seq, ackSeq, win };
}

type Connect = { kind: "ok"; app: string } | { kind: "refused" } | { kind: "timeout" } | { kind: "unreachable"; why: string };

/** What connect(2) reports for an ICMP error to its SYN (icmp_err_convert; time exceeded is EHOSTUNREACH). */
function icmpErrno(p: Packet): string {
  const t = p.icmp?.type;
  const c = p.icmp?.code;
  if (t === 3 && c === 0) return "Network is unreachable";
  if (t === 3 && c === 3) return "Connection refused";
  return "No route to host";
}

/** A TCP handshake from the shell's namespace, traced; what the connecting tool learns. */
function connect(ctx: ProbeContext, dst: Ipv4, dport: number): Connect {
  const w = ctx.c.world;
  const sport = ephemeral(ctx, "tcp");
  const syn = record(ctx, w.send(ctx.ns.name, { proto: "tcp", dst, sport, dport, tcp: tcp({ syn: true }, 1_000_000_000, 0, 64240) }, "SYN"));
  const err = errorOf(ctx, syn);
  if (err) return { kind: "unreachable", why: icmpErrno(err) };
  if (!syn.delivered) {
    const dr = syn.dropped;
    // A REJECT rule (kube-proxy's for a service without endpoints) answers for the host; the
    // trace ends at the rule, and the tool reports what the answer means to connect(2).
    if (dr?.rejectWith !== undefined) {
      const kind = dr.rejectWith;
      if (kind === "icmp-port-unreachable" || kind === "tcp-reset") return { kind: "refused" };
      return { kind: "unreachable", why: kind === "icmp-net-unreachable" ? "Network is unreachable" : "No route to host" };
    }
    // A host with nothing listening on the port answers the SYN with a reset.
    if (!dr?.reset) return { kind: "timeout" };
    const d = dr.packet;
    const rst = record(ctx, w.send(dr.ns.name, { proto: "tcp", src: d.dst, dst: d.src, sport: d.dport!, dport: d.sport!, tcp: tcp({ rst: true, ack: true }, 0, d.tcp!.seq + 1, 0) }, "RST"));
    return rst.delivered ? { kind: "refused" } : { kind: "timeout" };
  }
  const d = syn.delivered.packet;
  const listener = syn.delivered.ns.listener("tcp", d.dport!);
  if (!listener) return { kind: "timeout" };
  const synack = record(ctx, w.send(syn.delivered.ns.name, { proto: "tcp", src: d.dst, dst: d.src, sport: d.dport!, dport: d.sport!, tcp: tcp({ syn: true, ack: true }, 2_000_000_000, d.tcp!.seq + 1, 65160) }, "SYN-ACK"));
  if (!synack.delivered) return { kind: "timeout" };
  const p = synack.delivered.packet;
  record(ctx, w.send(ctx.ns.name, { proto: "tcp", src: p.dst, dst: p.src, sport: p.dport!, dport: p.sport!, tcp: tcp({ ack: true }, 1_000_000_001, p.tcp!.seq + 1, 502) }, "ACK"));
  return { kind: "ok", app: listener.app };
}

/** nginx's default page, as the nginx image of 2018 serves it (612 bytes). */
export const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

function parseUrl(url: string): { host: string; port: number; path: string } | undefined {
  const m = /^(?:http:\/\/)?([^/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
  if (!m) return undefined;
  const port = m[2] === undefined ? 80 : Number(m[2]);
  if (!(port >= 1 && port <= 65535)) return undefined;
  return { host: m[1]!, port, path: m[3] ?? "/" };
}

function bodyFor(app: string): string | undefined {
  return app === "nginx" ? NGINX_WELCOME : undefined;
}

/** curl on a node: `curl [-s] [-m S] [--connect-timeout S] URL`. */
export function curl(ctx: ProbeContext, args: readonly string[]): CommandResult {
  let url: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "-s" || a === "--silent" || a === "-sS" || a === "-S") continue;
    if (a === "-m" || a === "--max-time" || a === "--connect-timeout") k++;
    else if (a.startsWith("-")) return fail(`curl: option ${a}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n`, 2);
    else url = a;
  }
  if (url === undefined) return fail("curl: try 'curl --help' or 'curl --manual' for more information\n", 2);
  if (/^[a-z]+:\/\//i.test(url) && !url.startsWith("http://")) return fail(`(hopscope: only http:// is simulated; ${url.split(":")[0]} would need a TLS or other exchange the model does not have)\n`, 1);
  const u = parseUrl(url);
  if (!u) return fail(`curl: (3) URL using bad/illegal format or missing URL\n`, 3);
  const dst = literal(u.host);
  if (dst === undefined) return fail(`curl: (6) Could not resolve host: ${u.host}\n`, 6);
  if (!ctx.budget.mayTrace()) return USED_UP;
  const r = connect(ctx, dst, u.port);
  if (r.kind === "refused") return fail(`curl: (7) Failed to connect to ${u.host} port ${u.port}: Connection refused\n`, 7);
  if (r.kind === "timeout") return fail(`curl: (7) Failed to connect to ${u.host} port ${u.port}: Connection timed out\n`, 7);
  if (r.kind === "unreachable") return fail(`curl: (7) Failed to connect to ${u.host} port ${u.port}: ${r.why}\n`, 7);
  const body = bodyFor(r.app);
  if (body === undefined) return { stdout: "", stderr: `(hopscope: connected to ${r.app}; its HTTP answer is not simulated)\n`, code: 0 };
  return { stdout: body, stderr: "", code: 0 };
}

/** busybox wget in a pod: `wget -qO- URL` (or -O - without -q, which also says where it connects). */
export function wget(ctx: ProbeContext, args: readonly string[]): CommandResult {
  let quiet = false;
  let toStdout = false;
  let url: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "-O") toStdout = args[++k] === "-";
    else if (/^-[qO-]+$/.test(a)) {
      if (a.includes("q")) quiet = true;
      if (a.includes("O-")) toStdout = true;
      else if (a.endsWith("O")) toStdout = args[++k] === "-";
    } else if (a.startsWith("-")) return fail(`wget: unrecognized option '${a}'\nBusyBox v1.28.4 multi-call binary.\n\nUsage: wget [-c|--continue] [--spider] [-q|--quiet] [-O|--output-document FILE]\n`);
    else url = a;
  }
  if (url === undefined) return fail("BusyBox v1.28.4 multi-call binary.\n\nUsage: wget [-c|--continue] [--spider] [-q|--quiet] [-O|--output-document FILE]\n");
  if (!toStdout) return fail("wget: the simulated pod has no writable file system here; use wget -qO- URL\n");
  const u = parseUrl(url);
  if (!u) return fail(`wget: bad address '${url}'\n`);
  const dst = literal(u.host);
  if (dst === undefined) return fail(`wget: bad address '${u.host}'\n`);
  if (!ctx.budget.mayTrace()) return USED_UP;
  const hello = quiet ? "" : `Connecting to ${u.host} (${u.host}:${u.port})\n`;
  const r = connect(ctx, dst, u.port);
  if (r.kind === "refused") return fail(`${hello}wget: can't connect to remote host (${u.host}): Connection refused\n`);
  if (r.kind === "timeout") return fail(`${hello}wget: can't connect to remote host (${u.host}): Connection timed out\n`);
  if (r.kind === "unreachable") return fail(`${hello}wget: can't connect to remote host (${u.host}): ${r.why}\n`);
  const body = bodyFor(r.app);
  if (body === undefined) return { stdout: "", stderr: `(hopscope: connected to ${r.app}; its HTTP answer is not simulated)\n`, prelude: hello, code: 0 };
  // busybox also draws a progress bar on stderr without -q; its exact layout is not reproduced.
  return { stdout: body, stderr: "", prelude: hello, code: 0 };
}

/** The cluster DNS's view: a service's FQDN → its cluster IP, and the reverse. */
function serviceRecords(c: Cluster): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of c.services) m.set(`${s.name}.${s.namespace}.svc.cluster.local`, s.clusterIP);
  return m;
}

function reverseName(c: Cluster, ip: string): string | undefined {
  const s = c.services.find((x) => x.clusterIP === ip);
  return s ? `${s.name}.${s.namespace}.svc.cluster.local` : undefined;
}

/** The pod's search path (its namespace first, ndots:5) or, on a node, the name as given. */
function candidates(ctx: ProbeContext, name: string): string[] {
  const bare = name.replace(/\.$/, "");
  if (!ctx.busybox || name.endsWith(".")) return [bare];
  const pod = ctx.c.pods.find((p) => p.netns === ctx.ns.name);
  const ns = pod?.namespace ?? "default";
  const search = [`${ns}.svc.cluster.local`, "svc.cluster.local", "cluster.local"].map((d) => `${bare}.${d}`);
  return bare.split(".").length - 1 >= 5 ? [bare, ...search] : [...search, bare];
}

type Lookup = { kind: "answer"; fqdn: string; ip: string } | { kind: "nxdomain" } | { kind: "timeout" };

/** One A query to the server and its answer, traced (the first search-path name that exists is the one queried). */
function lookup(ctx: ProbeContext, server: Ipv4, name: string): Lookup {
  const records = serviceRecords(ctx.c);
  const names = candidates(ctx, name);
  const hit = names.find((n) => records.has(n));
  const qname = hit ?? names[names.length - 1]!;
  const w = ctx.c.world;
  const id = hashString(`${ctx.ns.name}/dns/${ctx.flows.length + ctx.newFlows.length}`) & 0xffff;
  const sport = ephemeral(ctx, "udp");
  const q = record(ctx, w.send(ctx.ns.name, { proto: "udp", dst: server, sport, dport: 53, payload: { kind: "dns-query", id, name: qname, qtype: "A" } }, "DNS query"));
  errorOf(ctx, q);
  if (!q.delivered || !q.delivered.ns.listener("udp", 53)) return { kind: "timeout" };
  const d = q.delivered.packet;
  const answer: PacketSpec["payload"] = hit ? { kind: "dns-answer", id, name: qname, answer: records.get(hit)! } : { kind: "raw", bytes: 12 + qname.length + 2 + 4 };
  const rep = record(ctx, w.send(q.delivered.ns.name, { proto: "udp", src: d.dst, dst: d.src, sport: d.dport!, dport: d.sport!, payload: answer }, "DNS answer"));
  if (!rep.delivered || rep.delivered.ns !== ctx.ns) return { kind: "timeout" };
  return hit ? { kind: "answer", fqdn: hit, ip: records.get(hit)! } : { kind: "nxdomain" };
}

const NODE_RESOLVER = "(hopscope: the node's own resolver, systemd-resolved on 127.0.0.53, is not simulated; name the cluster DNS server, e.g. 10.32.0.10)\n";

function clusterDns(c: Cluster): string {
  return c.services.find((s) => s.namespace === "kube-system" && s.name === "kube-dns")?.clusterIP ?? "10.32.0.10";
}

/** nslookup NAME [SERVER]: busybox 1.28's layout in a pod, bind9's on a node. */
export function nslookup(ctx: ProbeContext, args: readonly string[]): CommandResult {
  const words = args.filter((a) => !a.startsWith("-"));
  const bad = args.find((a) => a.startsWith("-"));
  if (bad) return fail(ctx.busybox ? `nslookup: unrecognized option '${bad}'\nBusyBox v1.28.4 multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n` : `*** Invalid option: ${bad.slice(1)}\n`);
  const [name, serverText] = words;
  if (name === undefined) return fail(ctx.busybox ? "BusyBox v1.28.4 multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n" : "nslookup: interactive mode is not simulated; give a name and a server\n");
  if (!ctx.busybox && serverText === undefined) return fail(NODE_RESOLVER);
  const server = serverText ?? clusterDns(ctx.c);
  const serverIp = literal(server);
  if (serverIp === undefined) return fail(ctx.busybox ? `nslookup: can't resolve '${server}'\n` : `nslookup: couldn't get address for '${server}': not found\n`);
  if (!ctx.budget.mayTrace()) return USED_UP;
  const r = lookup(ctx, serverIp, name);
  if (ctx.busybox) {
    const srvName = reverseName(ctx.c, server);
    let out = `Server:    ${server}\nAddress 1: ${server}${srvName ? ` ${srvName}` : ""}\n\n`;
    if (r.kind !== "answer") return { stdout: out, stderr: `nslookup: can't resolve '${name}'\n`, code: 1 };
    out += `Name:      ${name}\nAddress 1: ${r.ip} ${r.fqdn}\n`;
    return { stdout: out, stderr: "", code: 0 };
  }
  if (r.kind === "timeout") return { stdout: ";; connection timed out; no servers could be reached\n\n", stderr: "", code: 1 };
  const head = `Server:\t\t${server}\nAddress:\t${server}#53\n\n`;
  if (r.kind === "nxdomain") return { stdout: `${head}** server can't find ${name}: NXDOMAIN\n\n`, stderr: "", code: 1 };
  return { stdout: `${head}Name:\t${r.fqdn}\nAddress: ${r.ip}\n\n`, stderr: "", code: 0 };
}

/** dig @SERVER NAME [+short]: bind 9.11's layout (on a node). */
export function dig(ctx: ProbeContext, args: readonly string[]): CommandResult {
  let server: string | undefined;
  let name: string | undefined;
  let short = false;
  for (const a of args) {
    if (a.startsWith("@")) server = a.slice(1);
    else if (a === "+short") short = true;
    else if (a.startsWith("+")) return fail(`Invalid option: ${a}\nUsage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}\n`);
    else if (a === "A" || a === "IN") continue;
    else if (/^(AAAA|MX|TXT|SRV|PTR|NS|SOA|CNAME|ANY)$/i.test(a)) return fail(`(hopscope: dig ${a} is not simulated; the cluster DNS here answers A queries)\n`, 1);
    else if (a.startsWith("-")) return fail(`Invalid option: ${a}\nUsage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}\n`);
    else name = a;
  }
  if (server === undefined) return fail(NODE_RESOLVER);
  const serverIp = literal(server);
  if (serverIp === undefined) return fail(`dig: couldn't get address for '${server}': not found\n`, 10);
  if (name === undefined) return fail("(hopscope: dig without a name asks for the root servers, which are not simulated; give a name)\n");
  if (!ctx.budget.mayTrace()) return USED_UP;
  const started = ctx.c.world.now;
  const r = lookup(ctx, serverIp, name);
  if (short) return { stdout: r.kind === "answer" ? `${r.ip}\n` : "", stderr: "", code: r.kind === "timeout" ? 9 : 0 };
  const cmd = `\n; <<>> DiG 9.11.3-1ubuntu1-Ubuntu <<>> ${args.join(" ")}\n; (1 server found)\n;; global options: +cmd\n`;
  if (r.kind === "timeout") return { stdout: `${cmd};; connection timed out; no servers could be reached\n`, stderr: "", code: 9 };
  const fq = `${name.replace(/\.$/, "")}.`;
  const status = r.kind === "answer" ? "NOERROR" : "NXDOMAIN";
  const id = hashString(`${ctx.ns.name}/dig/${fq}`) & 0xffff;
  let out = `${cmd};; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: ${id}\n;; flags: qr aa rd ra; QUERY: 1, ANSWER: ${r.kind === "answer" ? 1 : 0}, AUTHORITY: 0, ADDITIONAL: 0\n\n;; QUESTION SECTION:\n;${fq}\t\tIN\tA\n\n`;
  if (r.kind === "answer") out += `;; ANSWER SECTION:\n${fq}\t30\tIN\tA\t${r.ip}\n\n`;
  const when = new Date(started);
  const hms = when.toISOString().slice(11, 19);
  out += `;; Query time: 0 msec\n;; SERVER: ${server}#53(${server})\n;; WHEN: ${DAYS[when.getUTCDay()]} ${MONTHS[when.getUTCMonth()]} ${String(when.getUTCDate()).padStart(2, "0")} ${hms} UTC ${when.getUTCFullYear()}\n;; MSG SIZE  rcvd: ${12 + fq.length + 1 + 4 + (r.kind === "answer" ? 16 : 0)}\n\n`;
  return { stdout: out, stderr: "", code: 0 };
}

/** traceroute's answer for one probe: the address that answered and how, or nothing. */
type ProbeAnswer = { from: string; ms: number; mark: string; final: boolean } | undefined;

/**
 * `traceroute -n [-m MAX] [-q N] [-w S] HOST`: UDP probes to port 33434 and up with TTL 1, 2, …
 * through the model, each answered (or not) as the model's routers and hosts answer: TTL exceeded
 * from a router, port unreachable from the destination (the last hop), net unreachable (!N) from
 * a router without a route, nothing from a host that drops silently. traceroute 2.1.0's layout on a
 * node, busybox 1.28's in a busybox pod; times are simulated.
 */
export function traceroute(ctx: ProbeContext, args: readonly string[]): CommandResult {
  const bb = ctx.busybox;
  const usage = bb
    ? "BusyBox v1.28.4 multi-call binary.\n\nUsage: traceroute [-46FIlnrv] [-f 1ST_TTL] [-m MAXTTL] [-q PROBES] [-p PORT]\n\t[-t TOS] [-w WAIT_SEC] [-s SRC_IP] [-i IFACE]\n\t[-z PAUSE_MSEC] HOST [BYTES]\n"
    : "Usage: traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w waittime ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]\n";
  let numeric = false;
  let maxTtl = 30;
  let probes = 3;
  let wait = bb ? 5 : 5;
  let host: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const valued = /^-([mqw])(.*)$/.exec(a);
    if (a === "-n") numeric = true;
    else if (valued) {
      const value = valued[2] !== "" ? valued[2]! : args[++k];
      const v = Number(value);
      if (value === undefined || !Number.isFinite(v) || v <= 0) return fail(bb ? `traceroute: invalid number '${value ?? ""}'\n` : `Cannot handle \`-${valued[1]}' option with arg \`${value ?? ""}' (argc ${k})\n`, bb ? 1 : 2);
      if (valued[1] === "m") maxTtl = Math.min(Math.floor(v), 255);
      else if (valued[1] === "q") probes = Math.floor(v);
      else wait = v;
    } else if (a.startsWith("-")) return fail(bb ? `traceroute: invalid option -- '${a.slice(1, 2)}'\n${usage}` : `Bad option \`${a}' (argc ${k + 1})\n`, bb ? 1 : 2);
    else if (host === undefined) host = a;
    else return fail(bb ? usage : `Extra arg \`${a}' (position 2, argc ${k + 1})\n`, bb ? 1 : 2);
  }
  if (host === undefined) return fail(usage, bb ? 1 : 2);
  if (probes > 10) return fail(bb ? `traceroute: number ${probes} is not in 1..10 range\n` : `no more than 10 probes per hop\n`, bb ? 1 : 2);
  const dst = literal(host);
  if (dst === undefined) return fail(bb ? `traceroute: bad address '${host}'\n` : `${host}: Name or service not known\nCannot handle "host" cmdline arg \`${host}' on position 1 (argc ${args.length})\n`, bb ? 1 : 2);
  if (!numeric) return fail("(hopscope: traceroute without -n looks every hop up in DNS, which is not simulated; use traceroute -n)\n", 1);
  const w = ctx.c.world;
  if (!ctx.ns.route(dst)) {
    // No route on the sender: connect() (2.1.0) or sendto() (busybox 1.28) fails.
    const head = `traceroute to ${host} (${host}), ${maxTtl} hops max, ${bb ? 46 : 60} byte packets\n`;
    return bb ? { stdout: `${head} 1`, stderr: "traceroute: sendto: Network is unreachable\n", code: 1 } : { stdout: head, stderr: "connect: Network is unreachable\n", code: 1 };
  }
  if (!ctx.budget.mayTrace()) return USED_UP;
  const sport = ephemeral(ctx, "traceroute");
  const lines: string[] = [`traceroute to ${host} (${host}), ${maxTtl} hops max, ${bb ? 46 : 60} byte packets`];
  let port = 33434;
  let stopped = false;
  for (let ttl = 1; ttl <= maxTtl && !stopped; ttl++) {
    const answers: ProbeAnswer[] = [];
    for (let q = 0; q < probes; q++) {
      if (!ctx.budget.mayTrace()) {
        stopped = true;
        break;
      }
      const probe = record(ctx, w.send(ctx.ns.name, { proto: "udp", dst, sport, dport: port++, ttl, payload: { kind: "raw", bytes: bb ? 18 : 32 } }, `traceroute probe, TTL ${ttl}`));
      const err = errorOf(ctx, probe);
      if (err && err.icmp) {
        const t = err.icmp.type;
        const c = err.icmp.code;
        const final = t === 3;
        const mark = t === 11 ? "" : c === 3 ? "" : c === 0 ? "!N" : c === 1 ? "!H" : c === 2 ? "!P" : c === 13 ? (bb ? "!A" : "!X") : `!${bb ? `<${c}>` : c}`;
        answers.push({ from: formatIpv4(err.src), ms: rttOf(probe, undefined, `${sport}/${port}`), mark, final });
      } else {
        // No answer: traceroute waits for it, then prints *.
        w.now += wait * 1000;
        answers.push(undefined);
      }
    }
    if (answers.length === 0) break;
    let text = bb ? `${String(ttl).padStart(2)}` : `${String(ttl).padStart(2)} `;
    let last: string | undefined;
    for (const a of answers) {
      if (!a) {
        text += bb ? "  *" : " *";
        continue;
      }
      if (a.from !== last) text += bb ? `  ${a.from}` : ` ${a.from}`;
      last = a.from;
      text += `  ${fmt3(a.ms)} ms${a.mark ? ` ${a.mark}` : ""}`;
    }
    lines.push(text);
    // It stops at the hop where the destination (or an unreachable) answered.
    if (answers.some((a) => a?.final)) break;
  }
  return { stdout: lines.join("\n") + "\n", stderr: SIMULATED, code: 0 };
}
