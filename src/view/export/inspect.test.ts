import { applyPalette, GIFEncoder, quantize } from "gifenc";
import { describe, expect, it } from "vitest";
import { gifInfo, pngInfo, webmInfo } from "./inspect";

function png(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  return b;
}

function gif(width: number, height: number, frames: number): Uint8Array {
  const enc = GIFEncoder();
  for (let f = 0; f < frames; f++) {
    const rgba = new Uint8Array(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * (f + 1)) % 251));
    const palette = quantize(rgba, 256);
    enc.writeFrame(applyPalette(rgba, palette), width, height, { palette, delay: 500 });
  }
  enc.finish();
  return enc.bytes();
}

/** An EBML element: its ID's bytes, an 8-byte size (or unknown), then the body. */
function el(id: number[], body: Uint8Array | number[], unknownSize = false): Uint8Array {
  const data = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const size = unknownSize ? [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] : [0x01, 0, 0, 0, 0, 0, 0, 0];
  const out = new Uint8Array(id.length + 8 + data.length);
  out.set(id);
  out.set(size, id.length);
  if (!unknownSize) new DataView(out.buffer).setUint32(id.length + 4, data.length);
  out.set(data, id.length + 8);
  return out;
}
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const text = (s: string) => [...s].map((c) => c.charCodeAt(0));

function webm(opts: { simple: number; grouped: number; unknownSizes?: boolean; docType?: string }): Uint8Array {
  const header = el([0x1a, 0x45, 0xdf, 0xa3], el([0x42, 0x82], text(opts.docType ?? "webm")));
  const video = el([0xe0], cat(el([0xb0], [0x05, 0x00]), el([0xba], [0x02, 0xd0])));
  const tracks = el([0x16, 0x54, 0xae, 0x6b], el([0xae], cat(el([0x86], text("V_VP8")), video)));
  const blocks = [
    ...Array.from({ length: opts.simple }, () => el([0xa3], [0x81, 0, 0, 0x80, 1, 2, 3])),
    ...Array.from({ length: opts.grouped }, () => el([0xa0], el([0xa1], [0x81, 0, 0, 0, 1, 2]))),
  ];
  const cluster = el([0x1f, 0x43, 0xb6, 0x75], cat(el([0xe7], [0]), ...blocks), opts.unknownSizes);
  return cat(header, el([0x18, 0x53, 0x80, 0x67], cat(tracks, cluster), opts.unknownSizes));
}

describe("pngInfo", () => {
  it("reads IHDR's width and height", () => {
    expect(pngInfo(png(1280, 720))).toEqual({ width: 1280, height: 720 });
  });
  it("rejects what is not a PNG", () => {
    const b = png(1, 1);
    b[1] = 0;
    expect(() => pngInfo(b)).toThrow(/signature/);
  });
});

describe("gifInfo", () => {
  it("counts the image frames of a GIF that gifenc wrote", () => {
    expect(gifInfo(gif(7, 5, 3))).toMatchObject({ version: "GIF89a", width: 7, height: 5, frames: 3 });
    expect(gifInfo(gif(4, 4, 1)).frames).toBe(1);
  });
  it("rejects a truncated or foreign file", () => {
    const g = gif(5, 5, 2);
    expect(() => gifInfo(g.subarray(0, g.length - 1))).toThrow(/trailer|truncated/);
    expect(() => gifInfo(png(5, 5))).toThrow(/header/);
  });
});

describe("webmInfo", () => {
  it("counts SimpleBlocks and Blocks, and reads the frame size", () => {
    expect(webmInfo(webm({ simple: 4, grouped: 2 }))).toEqual({ docType: "webm", codec: "V_VP8", width: 1280, height: 720, frames: 6 });
  });
  it("reads Segments and Clusters of unknown size", () => {
    expect(webmInfo(webm({ simple: 3, grouped: 0, unknownSizes: true })).frames).toBe(3);
  });
  it("rejects a file without the EBML header or cut short", () => {
    expect(() => webmInfo(png(1, 1))).toThrow(/EBML/);
    const w = webm({ simple: 2, grouped: 0 });
    expect(() => webmInfo(w.subarray(0, w.length - 3))).toThrow(/past the end/);
  });
});
