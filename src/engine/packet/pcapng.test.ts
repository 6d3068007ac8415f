/**
 * The pcapng capture: its blocks read back by hand, then by the real tcpdump (every wire step of
 * the trace is the line tcpdump prints, in order, at the same time) and by tshark (no warnings,
 * no malformed packet, no bad checksum with checksum validation on). A missing tool skips its
 * test loudly (`skipped: …`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScenario, type RunResult } from "../k8s/run";
import { BUILTIN_SCENARIOS, builtinScenario } from "../scenarios/article";
import { resolveTarget } from "../shell/exec";
import { runLine } from "../shell/session";
import type { Step } from "../trace";
import { tcpdumpEtherText } from "./ether-text";
import { tcpdumpTime } from "./format";
import { PcapngWriter } from "./pcapng";
import { encodeFrame } from "./wire";

type Ok = Extract<RunResult, { ok: true }>;

const dir = mkdtempSync(join(tmpdir(), "hopscope-pcap-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function has(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

function loudly(msg: string): void {
  console.warn(`\n${"!".repeat(msg.length)}\n${msg}\n${"!".repeat(msg.length)}\n`);
}

const hasTcpdump = has("tcpdump");
const hasTshark = has("tshark");
if (!hasTcpdump) loudly("skipped: pcapng files read by tcpdump: tcpdump is not installed");
if (!hasTshark) loudly("skipped: pcapng files read by tshark: tshark is not installed");

/** Shell lines whose packets a real tcpdump prints as the trace does: a reset, TTL exceeded, port unreachable, DNS. */
const SHELL_LINES: readonly [string, string][] = [
  ["worker-0", "curl -s -m 1 http://10.200.1.18:81/"],
  ["worker-0", "traceroute -n 10.200.1.15"],
  ["worker-0/busybox0-rw89s", "traceroute -n 10.200.1.15"],
  ["worker-0", "dig @10.32.0.10 kubernetes.default.svc.cluster.local"],
  ["worker-0/busybox0-rw89s", "nslookup kubernetes"],
  ["worker-0/busybox0-rw89s", "ping -c 2 10.200.1.15"],
];

interface Captured {
  readonly file: string;
  readonly writer: PcapngWriter;
  readonly wire: Step[];
}

function capture(id: string, lines: readonly [string, string][] = [], maxFrames?: number): Captured {
  const writer = new PcapngWriter(maxFrames === undefined ? {} : { maxFrames });
  const r = runScenario(builtinScenario(id), { taps: [writer] }) as Ok;
  expect(r.ok).toBe(true);
  const session = { cluster: r.cluster, flows: [...r.trace.flows] };
  for (const [target, line] of lines) {
    const t = resolveTarget(r.cluster, target);
    if ("error" in t) throw new Error(t.error);
    runLine(session, t.ns, line);
  }
  const file = join(dir, `${id}${lines.length ? "-shell" : ""}${maxFrames === undefined ? "" : `-max${maxFrames}`}.pcapng`);
  writeFileSync(file, writer.bytes());
  return { file, writer, wire: session.flows.flatMap((f) => f.steps).filter((s) => s.kind === "wire") };
}

const where = (s: Step) => (s.pod ? `${s.node}/${s.pod}` : s.node);

/** The blocks of a little-endian pcapng file, read without the writer's code. */
function blocks(b: Uint8Array): { type: number; body: DataView }[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: { type: number; body: DataView }[] = [];
  let at = 0;
  while (at < b.length) {
    const type = v.getUint32(at, true);
    const len = v.getUint32(at + 4, true);
    expect(len % 4).toBe(0);
    expect(v.getUint32(at + len - 4, true)).toBe(len);
    out.push({ type, body: new DataView(b.buffer, b.byteOffset + at + 8, len - 12) });
    at += len;
  }
  expect(at).toBe(b.length);
  return out;
}

function options(v: DataView, from: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let at = from;
  while (at + 4 <= v.byteLength) {
    const code = v.getUint16(at, true);
    const len = v.getUint16(at + 2, true);
    if (code === 0) break;
    out.set(code, new Uint8Array(v.buffer, v.byteOffset + at + 4, len));
    at += 4 + Math.ceil(len / 4) * 4;
  }
  return out;
}

const text = (b: Uint8Array | undefined) => (b ? String.fromCharCode(...b) : undefined);

describe("pcapng writer", () => {
  it.each(BUILTIN_SCENARIOS.map((s) => s.id))("%s: one block per frame, on interfaces named after the trace's places, at the trace's times", (id) => {
    const { writer, wire } = capture(id);
    const all = blocks(writer.bytes());
    const shb = all[0]!;
    expect(shb.type).toBe(0x0a0d0d0a);
    expect(shb.body.getUint32(0, true)).toBe(0x1a2b3c4d);
    expect([shb.body.getUint16(4, true), shb.body.getUint16(6, true)]).toEqual([1, 0]);
    const names: string[] = [];
    const frames: { iface: string; dir: number; time: string; data: Uint8Array }[] = [];
    for (const blk of all.slice(1)) {
      if (blk.type === 1) {
        expect(blk.body.getUint16(0, true)).toBe(1); // LINKTYPE_ETHERNET
        const opts = options(blk.body, 8);
        expect(opts.get(9)).toEqual(Uint8Array.of(6)); // microseconds
        names.push(text(opts.get(2))!);
      } else if (blk.type === 6) {
        const v = blk.body;
        const micros = v.getUint32(4, true) * 2 ** 32 + v.getUint32(8, true);
        const len = v.getUint32(12, true);
        expect(v.getUint32(16, true)).toBe(len);
        const data = new Uint8Array(v.buffer, v.byteOffset + 20, len);
        const flags = options(v, 20 + Math.ceil(len / 4) * 4).get(2)!;
        frames.push({ iface: names[v.getUint32(0, true)]!, dir: flags[0]!, time: tcpdumpTime(micros / 1000), data });
      } else throw new Error(`unexpected block type ${blk.type}`);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(frames.length).toBe(wire.length);
    expect(writer.frames).toBe(wire.length);
    wire.forEach((s, i) => {
      const d = s.detail;
      if (d?.kind !== "wire") throw new Error("not a wire step");
      const f = frames[i]!;
      expect(f.iface).toBe(`${where(s)}/${s.iface}`);
      expect(f.dir).toBe(s.dir === "in" ? 1 : 2);
      expect(f.time).toBe(tcpdumpTime(d.time));
      expect(f.data.length).toBe(d.length + 14);
    });
  });

  it("keeps at most maxFrames frames, counts the rest and says so in interface statistics", () => {
    const { writer, wire } = capture("nodeport", [], 5);
    expect(writer.frames).toBe(5);
    expect(writer.dropped).toBe(wire.length - 5);
    const all = blocks(writer.bytes());
    expect(all.filter((b) => b.type === 6).length).toBe(5);
    const isbs = all.filter((b) => b.type === 5);
    expect(isbs.length).toBe(writer.interfaceNames.length);
    const droppedSum = isbs.reduce((n, b) => n + b.body.getUint32(12 + 12 + 4, true), 0);
    expect(droppedSum).toBe(writer.dropped);
  });

  it("frames are the wire encoding of the packets", () => {
    const events: Uint8Array[] = [];
    const writer = new PcapngWriter();
    const r = runScenario(builtinScenario("pod-to-pod"), { taps: [writer, { frame: (ev) => events.push(encodeFrame(ev.frame)) }] }) as Ok;
    expect(r.ok).toBe(true);
    const epbs = blocks(writer.bytes()).filter((b) => b.type === 6);
    epbs.forEach((b, i) => {
      const len = b.body.getUint32(12, true);
      expect(new Uint8Array(b.body.buffer, b.body.byteOffset + 20, len)).toEqual(events[i]);
    });
  });
});

/** tcpdump -n -S (absolute sequence numbers, as the trace prints them) in UTC. */
function tcpdumpRead(file: string, ether = false): { lines: string[]; stderr: string; status: number | null } {
  const r = spawnSync("tcpdump", ["-n", "-S", ...(ether ? ["-e"] : []), "-r", file], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  // A packet's text may take more lines (a VXLAN datagram's frame follows its header): those lines start with no timestamp.
  const lines: string[] = [];
  for (const l of r.stdout.split("\n")) {
    if (l === "") continue;
    if (lines.length > 0 && !/^\d\d:\d\d:\d\d\.\d{6} /.test(l)) lines[lines.length - 1] += `\n${l}`;
    else lines.push(l);
  }
  return { lines, stderr: r.stderr, status: r.status };
}

describe.skipIf(!hasTcpdump)("the real tcpdump reads the capture", () => {
  const cases: [string, readonly [string, string][]][] = [...BUILTIN_SCENARIOS.map((s) => [s.id, []] as [string, []]), ["pod-to-pod", SHELL_LINES]];
  it.each(cases)("%s (shell lines: %j): every wire step is the line tcpdump -n prints, in order, at its time", (id, lines) => {
    const { file, wire } = capture(id, lines);
    const r = tcpdumpRead(file);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^reading from file .*, link-type EN10MB \(Ethernet\)/);
    const expected = wire.map((s) => (s.detail?.kind === "wire" ? `${tcpdumpTime(s.detail.time)} ${s.detail.tcpdump}` : ""));
    expect(r.lines).toEqual(expected);
  });

  it.each(["pod-to-pod", "flannel-pod-to-pod", "calico-nodeport"])("%s: with -e, every wire step is what tcpdump -n -e prints (a VXLAN datagram's carried frame with its own link-level header)", (id) => {
    const { file, wire } = capture(id, []);
    const r = tcpdumpRead(file, true);
    expect(r.status).toBe(0);
    expect(r.lines).toEqual(wire.map((s) => (s.detail?.kind === "wire" ? `${tcpdumpTime(s.detail.time)} ${tcpdumpEtherText(s.detail)}` : "")));
    if (id !== "pod-to-pod") expect(r.lines.some((l) => /\n[0-9a-f:]{17} > [0-9a-f:]{17}, ethertype IPv4 \(0x0800\), length \d+: 10\.244\./.test(l))).toBe(true);
  });

  it("reads a capture that dropped frames past its bound", () => {
    const { file } = capture("nodeport", [], 5);
    const r = tcpdumpRead(file);
    expect(r.status).toBe(0);
    expect(r.lines.length).toBe(5);
  });
});

describe.skipIf(!hasTshark)("tshark reads the capture", () => {
  /** tshark's own notice when run as root, which says nothing about the file. */
  const quiet = (s: string) => s.split("\n").filter((l) => l !== "" && !/^Running as user "root"/.test(l));

  it.each([...BUILTIN_SCENARIOS.map((s) => [s.id, []] as [string, []]), ["pod-to-pod", SHELL_LINES] as [string, readonly [string, string][]]])("%s (shell lines: %j): no warning, no error, no malformed packet, no bad checksum", (id, lines) => {
    const { file, wire } = capture(id, lines);
    const all = spawnSync("tshark", ["-n", "-r", file], { encoding: "utf8" });
    expect(all.status).toBe(0);
    expect(quiet(all.stderr)).toEqual([]);
    expect(all.stdout.split("\n").filter((l) => l.trim() !== "").length).toBe(wire.length);
    const bad = spawnSync(
      "tshark",
      [
        "-n",
        "-r",
        file,
        ...["ip.check_checksum:TRUE", "tcp.check_checksum:TRUE", "udp.check_checksum:TRUE"].flatMap((o) => ["-o", o]),
        "-Y",
        '_ws.malformed || _ws.expert.severity >= "error" || ip.checksum.status == "Bad" || icmp.checksum.status == "Bad" || udp.checksum.status == "Bad" || tcp.checksum.status == "Bad"',
      ],
      { encoding: "utf8" },
    );
    expect(bad.status).toBe(0);
    expect(quiet(bad.stderr)).toEqual([]);
    expect(bad.stdout).toBe("");
  });

  it("the checksum filter finds a corrupted checksum (so that the test above can fail)", () => {
    const { writer } = capture("pod-to-pod");
    const b = writer.bytes();
    // The first frame's IP header checksum: after the SHB, the first IDB, the EPB header (28), the Ethernet header (14) and 10 IP bytes.
    const all = blocks(b);
    const epbAt = all.slice(0, all.findIndex((x) => x.type === 6)).reduce((n, x) => n + x.body.byteLength + 12, 0);
    b[epbAt + 28 + 14 + 10]! ^= 0xff;
    const file = join(dir, "corrupted.pcapng");
    writeFileSync(file, b);
    const bad = spawnSync("tshark", ["-n", "-r", file, "-o", "ip.check_checksum:TRUE", "-Y", 'ip.checksum.status == "Bad"'], { encoding: "utf8" });
    expect(bad.stdout.split("\n").filter((l) => l.trim() !== "").length).toBe(1);
  });
});
