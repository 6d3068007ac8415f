/**
 * A decoder for lz-string's "EncodedURIComponent" format that stops at a size limit.
 *
 * lz-string's own decompressFromEncodedURIComponent builds its whole output before returning it.
 * Its format is LZW-like: every code may name a dictionary entry one character longer than the
 * longest before it, so the output can grow with the square of the input. A 64 KB link can
 * unpack to hundreds of millions of characters. This decoder counts the output as it goes and
 * gives up as soon as the next entry would take it past `maxChars`.
 *
 * The format, as lz-string 1.5 writes it:
 * - Each character of the text stands for its place in "A"–"Z", "a"–"z", "0"–"9", "+", "-",
 *   "$" (0 to 64) and carries that number's low 6 bits, the most significant first. The
 *   compressor writes only 0 to 63; "$", 64, reads as six 0 bits. Bits past the end of the text
 *   read as 0.
 * - A code of n bits is read least significant bit first.
 * - The first code has 2 bits: 0 is followed by an 8-bit character, 1 by a 16-bit UTF-16 unit,
 *   2 ends the stream (the text was empty). That character is dictionary entry 3 and the first
 *   output.
 * - Every later code has `width` bits (3 at the start). 0 and 1 again bring a new 8- or 16-bit
 *   character, added to the dictionary as its own entry; 2 ends the stream; any other code names
 *   a dictionary entry. A code equal to the next free entry means "the previous output plus its
 *   own first character".
 * - After each code, the previous output followed by the first character of this one is added to
 *   the dictionary.
 * - The width follows a countdown of dictionary entries added, 4 after the first code: when it
 *   reaches 0 it is set to 2^width and the width grows by one bit. A code that brings a new
 *   character adds two entries (the character, and the extension of the previous output).
 * - Before each code after the first, the decoder checks that some of the text is left; if all of
 *   it has been read, the stream is cut off.
 *
 * Differences from lz-string's decoder, all for texts no compressor writes:
 * - A character outside those 65 is refused ("garbled"). lz-string reads it as 0, and turns a
 *   space into "+".
 * - A first code of 3 is refused ("garbled"). lz-string then stores `undefined` as entry 3 and
 *   goes on, writing the word "undefined" into later entries or throwing a TypeError.
 * - The empty text is "truncated"; lz-string answers null.
 */

/** The characters of the format, each standing for its index. */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";

const VALUE_OF = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export type BoundedDecodeResult =
  /** The whole stream, ended by its end code, unpacked to at most maxChars characters. */
  | { readonly kind: "ok"; readonly text: string }
  /** The output would have grown past maxChars; decoding stopped there. */
  | { readonly kind: "too-large"; readonly maxChars: number }
  /** The text ran out before the end code: it was cut off (or is empty). */
  | { readonly kind: "truncated" }
  /** A character outside the format's 65, a first code of 3, or a code naming no dictionary entry. */
  | { readonly kind: "garbled" };

/**
 * Unpacks `input`, written by lz-string's compressToEncodedURIComponent, to at most `maxChars`
 * UTF-16 code units. Never throws: every input gets one of the four answers. Time and memory
 * are proportional to input.length plus maxChars, whatever the input.
 */
export function decompressBounded(input: string, maxChars: number): BoundedDecodeResult {
  // A limit that is not a number from 0 up (NaN, a negative) allows nothing, rather than throwing.
  if (!(maxChars >= 0)) maxChars = 0;
  const length = input.length;
  if (length === 0) return { kind: "truncated" };
  for (let i = 0; i < length; i++) {
    const ch = input.charCodeAt(i);
    if (ch >= 128 || VALUE_OF[ch]! < 0) return { kind: "garbled" };
  }
  const valueAt = (i: number) => (i < length ? VALUE_OF[input.charCodeAt(i)]! : 0);

  // The bit reader: `value` holds the character being read, `mask` the next bit of it (32 down
  // to 1), `next` the index of the character after it. Once next > length, all of the text has
  // been read.
  let value = valueAt(0);
  let mask = 32;
  let next = 1;
  const read = (bits: number): number => {
    let code = 0;
    for (let b = 0; b < bits; b++) {
      if (value & mask) code += 2 ** b;
      mask >>= 1;
      if (mask === 0) {
        mask = 32;
        value = valueAt(next++);
      }
    }
    return code;
  };

  // The dictionary, entry by entry: the entry it extends (-1 for a single character), its last
  // and first characters, and its length. Entries 0–2 are the three special codes.
  const prefix: number[] = [-1, -1, -1];
  const last: number[] = [0, 0, 0];
  const first: number[] = [0, 0, 0];
  const size: number[] = [0, 0, 0];
  const addChar = (unit: number) => {
    prefix.push(-1);
    last.push(unit);
    first.push(unit);
    size.push(1);
  };
  /** Adds entry `of` followed by character `unit`. */
  const addExtension = (of: number, unit: number) => {
    prefix.push(of);
    last.push(unit);
    first.push(first[of]!);
    size.push(size[of]! + 1);
  };

  let out = new Uint16Array(Math.min(maxChars, 1024));
  let outLength = 0;
  /** Appends entry `code` to the output, or answers false if it would pass maxChars. */
  const emit = (code: number): boolean => {
    const n = size[code]!;
    if (n > maxChars - outLength) return false;
    if (outLength + n > out.length) {
      const grown = new Uint16Array(Math.min(maxChars, Math.max(out.length * 2, outLength + n)));
      grown.set(out.subarray(0, outLength));
      out = grown;
    }
    // Written from its last character back, following the chain of entries it extends.
    let at = outLength + n - 1;
    for (let c = code; c !== -1; c = prefix[c]!) out[at--] = last[c]!;
    outLength += n;
    return true;
  };
  const finish = (): BoundedDecodeResult => {
    const chunks: string[] = [];
    for (let i = 0; i < outLength; i += 8192) chunks.push(String.fromCharCode(...out.subarray(i, Math.min(outLength, i + 8192))));
    return { kind: "ok", text: chunks.join("") };
  };
  const tooLarge: BoundedDecodeResult = { kind: "too-large", maxChars };

  switch (read(2)) {
    case 0:
      addChar(read(8));
      break;
    case 1:
      addChar(read(16));
      break;
    case 2:
      return { kind: "ok", text: "" };
    default:
      return { kind: "garbled" };
  }
  if (!emit(3)) return tooLarge;
  let previous = 3;
  let width = 3;
  let countdown = 4;

  while (true) {
    if (next > length) return { kind: "truncated" };
    let code = read(width);
    if (code === 0 || code === 1) {
      addChar(read(code === 0 ? 8 : 16));
      code = prefix.length - 1;
      if (--countdown === 0) countdown = 2 ** width++;
    } else if (code === 2) {
      return finish();
    }
    const free = prefix.length;
    if (code < free) {
      if (!emit(code)) return tooLarge;
      addExtension(previous, first[code]!);
    } else if (code === free) {
      // The entry being defined by this very code: the previous output and its first character.
      addExtension(previous, first[previous]!);
      if (!emit(code)) return tooLarge;
    } else {
      return { kind: "garbled" };
    }
    if (--countdown === 0) countdown = 2 ** width++;
    previous = code;
  }
}
