/**
 * Readers for the files an export writes, enough to check them: a PNG's size, a GIF's screen
 * size and image frames, a WebM's EBML header, frame size and blocks. Pure (bytes in, facts
 * out), so the unit tests and the end-to-end tests check files the same way.
 */

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const u32be = (b: Uint8Array, o: number) => ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
const u16le = (b: Uint8Array, o: number) => b[o]! + (b[o + 1]! << 8);
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

/** A PNG's width and height from its IHDR chunk; throws when the bytes are not a PNG. */
export function pngInfo(b: Uint8Array): { width: number; height: number } {
  if (b.length < 24 || PNG_SIGNATURE.some((x, i) => b[i] !== x)) throw new Error("not a PNG: the signature is missing");
  if (ascii(b, 12, 4) !== "IHDR") throw new Error("not a PNG: the first chunk is not IHDR");
  return { width: u32be(b, 16), height: u32be(b, 20) };
}

/** Skips a GIF's data sub-blocks starting at `o`; returns the offset after the terminator. */
function skipSubBlocks(b: Uint8Array, o: number): number {
  for (;;) {
    if (o >= b.length) throw new Error("GIF: truncated data sub-blocks");
    const n = b[o]!;
    o += 1 + n;
    if (n === 0) return o;
  }
}

/** A GIF's version, logical screen size and number of image frames; throws on a malformed file. */
export function gifInfo(b: Uint8Array): { version: string; width: number; height: number; frames: number; loops: boolean } {
  if (b.length < 13) throw new Error("not a GIF: too short");
  const version = ascii(b, 0, 6);
  if (version !== "GIF89a" && version !== "GIF87a") throw new Error("not a GIF: the header is missing");
  const width = u16le(b, 6);
  const height = u16le(b, 8);
  const packed = b[10]!;
  let o = 13 + (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);
  let frames = 0;
  let loops = false;
  for (;;) {
    if (o >= b.length) throw new Error("GIF: no trailer");
    const block = b[o]!;
    if (block === 0x3b) break;
    if (block === 0x21) {
      const label = b[o + 1]!;
      if (label === 0xff && ascii(b, o + 3, 11) === "NETSCAPE2.0") loops = true;
      o = skipSubBlocks(b, o + 2);
    } else if (block === 0x2c) {
      const local = b[o + 9]!;
      o += 10 + (local & 0x80 ? 3 * 2 ** ((local & 7) + 1) : 0);
      o = skipSubBlocks(b, o + 1); // after the LZW minimum code size
      frames++;
    } else throw new Error(`GIF: unknown block 0x${block.toString(16)} at byte ${o}`);
  }
  return { version, width, height, frames, loops };
}

/** An EBML variable-length integer at `o`: its value (the marker bit kept for IDs) and length. */
function vint(b: Uint8Array, o: number, keepMarker: boolean): { value: number; length: number; unknown: boolean } {
  const first = b[o];
  if (first === undefined || first === 0) throw new Error(`EBML: bad variable-length integer at byte ${o}`);
  let length = 1;
  while (!(first & (0x80 >> (length - 1)))) length++;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = b[o + i];
    if (byte === undefined) throw new Error("EBML: truncated");
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { value, length, unknown: !keepMarker && allOnes };
}

const EBML = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const BLOCK_GROUP = 0xa0;
const BLOCK = 0xa1;
const SIMPLE_BLOCK = 0xa3;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const VIDEO = 0xe0;
const PIXEL_WIDTH = 0xb0;
const PIXEL_HEIGHT = 0xba;
const DOC_TYPE = 0x4282;
const CODEC_ID = 0x86;
const MASTERS = new Set([SEGMENT, CLUSTER, BLOCK_GROUP, TRACKS, TRACK_ENTRY, VIDEO]);

/** A WebM's doc type, codec, frame size and number of frames (SimpleBlocks and Blocks). */
export function webmInfo(b: Uint8Array): { docType: string; codec: string; width: number; height: number; frames: number } {
  if (b.length < 4 || u32be(b, 0) !== EBML) throw new Error("not a WebM: the EBML header is missing");
  const info = { docType: "", codec: "", width: 0, height: 0, frames: 0 };
  const uint = (o: number, n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[o + i]!;
    return v;
  };
  const walk = (start: number, end: number, inEbmlHeader: boolean) => {
    let o = start;
    while (o < end) {
      const id = vint(b, o, true);
      const size = vint(b, o + id.length, false);
      const body = o + id.length + size.length;
      // An unknown size (a live stream's Segment or Cluster) runs to the end of its parent.
      const bodyEnd = size.unknown ? end : body + size.value;
      if (bodyEnd > b.length) throw new Error(`EBML: element 0x${id.value.toString(16)} runs past the end of the file`);
      if (id.value === EBML) walk(body, bodyEnd, true);
      else if (inEbmlHeader && id.value === DOC_TYPE) info.docType = ascii(b, body, size.value);
      else if (MASTERS.has(id.value)) walk(body, bodyEnd, false);
      else if (id.value === SIMPLE_BLOCK || id.value === BLOCK) info.frames++;
      else if (id.value === CODEC_ID) info.codec = ascii(b, body, size.value);
      else if (id.value === PIXEL_WIDTH) info.width = uint(body, size.value);
      else if (id.value === PIXEL_HEIGHT) info.height = uint(body, size.value);
      o = bodyEnd;
    }
  };
  walk(0, b.length, false);
  if (!info.docType) throw new Error("not a WebM: no DocType in the EBML header");
  return info;
}
