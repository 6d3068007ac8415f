/**
 * A pcapng capture of every frame the world moves: a Tap (world.ts) that Wireshark, tshark and
 * tcpdump can read. One Section Header Block; one Interface Description Block per interface, in
 * the order frames first appear on them, named after the place the trace names the step and the
 * interface: `worker-0/eth0`, `vpc-router/eth0` for a node (or router, or client) namespace,
 * `worker-0/busybox0-rw89s/eth0` for a pod's (the trace's `worker-0/busybox0-rw89s`, then the
 * interface); linktype Ethernet, microsecond timestamps (if_tsresol 6). One Enhanced Packet
 * Block per frame, stamped with the simulated time and flagged inbound or outbound.
 *
 * Memory is bounded: at most `maxFrames` frames are kept (MAX_TRACE_STEPS by default, the most
 * steps a trace holds, so a capture of a whole trace is never cut); later ones are counted, not
 * kept, and the file's interface statistics say how many were dropped.
 */
import { MAX_TRACE_STEPS } from "../trace";
import type { Tap, TapEvent } from "../world";
import { encodeFrame, splitTime } from "./wire";

/** LINKTYPE_ETHERNET. */
const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262144;
const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BLOCK_ISB = 0x00000005;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** What the capture calls an interface: the trace's place (node, or node/pod), then the interface. */
export function captureName(ev: Pick<TapEvent, "ns" | "iface">): string {
  const place = ev.ns.pod !== undefined ? `${ev.ns.node}/${ev.ns.pod}` : ev.ns.node;
  return `${place}/${ev.iface.name}`;
}

/** A growable little-endian byte buffer. */
class Bytes {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  pad4(): void {
    while (this.length % 4) this.u8(0);
  }

  /** Writes a u32 at an earlier offset (a block's length, once known). */
  patch32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true);
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

/** Text as bytes, UTF-8 (interface names may hold any character a scenario allows). */
function utf8(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Writes one block: type, length, body (by `fill`), length again. */
function block(out: Bytes, type: number, fill: () => void): void {
  const start = out.length;
  out.u32(type);
  out.u32(0);
  fill();
  out.pad4();
  const len = out.length - start + 4;
  out.u32(len);
  out.patch32(start + 4, len);
}

function option(out: Bytes, code: number, value: Uint8Array): void {
  out.u16(code);
  out.u16(value.length);
  out.bytes(value);
  out.pad4();
}

function endOfOptions(out: Bytes): void {
  out.u16(0);
  out.u16(0);
}

export interface PcapngOptions {
  /** The most frames kept (MAX_TRACE_STEPS by default). */
  readonly maxFrames?: number;
}

export class PcapngWriter implements Tap {
  private readonly out = new Bytes();
  private readonly interfaces = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly received: number[] = [];
  private readonly droppedOn: number[] = [];
  private readonly maxFrames: number;
  /** Frames kept in the file. */
  frames = 0;
  /** Frames seen past maxFrames, counted but not kept. */
  dropped = 0;
  /** The time of the last frame seen, in microseconds (the statistics' timestamp). */
  private lastMicros = 0;

  constructor(opts: PcapngOptions = {}) {
    this.maxFrames = opts.maxFrames ?? MAX_TRACE_STEPS;
    block(this.out, BLOCK_SHB, () => {
      this.out.u32(BYTE_ORDER_MAGIC);
      this.out.u16(1);
      this.out.u16(0);
      // Section length unknown: -1.
      this.out.u32(0xffffffff);
      this.out.u32(0xffffffff);
      option(this.out, 4, utf8("Hopscope (simulated Linux network stack)")); // shb_userappl
      endOfOptions(this.out);
    });
  }

  private interfaceId(ev: TapEvent): number {
    const key = `${ev.ns.name}\u0000${ev.iface.name}`;
    let id = this.interfaces.get(key);
    if (id !== undefined) return id;
    id = this.names.length;
    const name = captureName(ev);
    this.interfaces.set(key, id);
    this.names.push(name);
    this.received.push(0);
    this.droppedOn.push(0);
    block(this.out, BLOCK_IDB, () => {
      this.out.u16(LINKTYPE_ETHERNET);
      this.out.u16(0);
      this.out.u32(SNAPLEN);
      option(this.out, 2, utf8(name)); // if_name
      option(this.out, 3, utf8(`${ev.iface.name} (${ev.iface.kind}) in ${ev.ns.pod !== undefined ? `pod ${ev.ns.pod} on ${ev.ns.node}` : ev.ns.node}`)); // if_description
      option(this.out, 9, Uint8Array.of(6)); // if_tsresol: microseconds
      endOfOptions(this.out);
    });
    return id;
  }

  frame(ev: TapEvent): void {
    const id = this.interfaceId(ev);
    this.received[id]!++;
    const { sec, usec } = splitTime(ev.time);
    const ts = sec * 1_000_000 + usec;
    this.lastMicros = ts;
    if (this.frames >= this.maxFrames) {
      this.dropped++;
      this.droppedOn[id]!++;
      return;
    }
    this.frames++;
    const data = encodeFrame(ev.frame);
    block(this.out, BLOCK_EPB, () => {
      this.out.u32(id);
      this.out.u32(Math.floor(ts / 0x100000000));
      this.out.u32(ts % 0x100000000);
      this.out.u32(data.length);
      this.out.u32(data.length);
      this.out.bytes(data);
      this.out.pad4();
      // epb_flags: direction, inbound 1 or outbound 2.
      const flags = new Uint8Array(4);
      new DataView(flags.buffer).setUint32(0, ev.dir === "in" ? 1 : 2, true);
      option(this.out, 2, flags);
      endOfOptions(this.out);
    });
  }

  /** The capture so far, as a pcapng file (with each interface's statistics when frames were dropped). */
  bytes(): Uint8Array<ArrayBuffer> {
    if (this.dropped === 0) return this.out.result();
    const tail = new Bytes();
    this.names.forEach((_, id) => {
      block(tail, BLOCK_ISB, () => {
        tail.u32(id);
        tail.u32(Math.floor(this.lastMicros / 0x100000000));
        tail.u32(this.lastMicros % 0x100000000);
        const counts = new Uint8Array(16);
        const v = new DataView(counts.buffer);
        v.setUint32(0, this.received[id]!, true); // isb_ifrecv, 64-bit
        v.setUint32(8, this.droppedOn[id]!, true); // isb_ifdrop, 64-bit
        option(tail, 4, counts.subarray(0, 8));
        option(tail, 5, counts.subarray(8, 16));
        endOfOptions(tail);
      });
    });
    const head = this.out.result();
    const t = tail.result();
    const all = new Uint8Array(head.length + t.length);
    all.set(head);
    all.set(t, head.length);
    return all;
  }

  /** The interfaces' names, by interface id. */
  get interfaceNames(): readonly string[] {
    return this.names;
  }
}
