import fc from "fast-check";
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from "lz-string";
import { describe, expect, it } from "vitest";
import { decompressBounded, type BoundedDecodeResult } from "./lz-bounded";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
const BIG = 1 << 30;

/** Any UTF-16 code unit, lone surrogates included: lz-string packs units, not code points. */
const unitArb = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const textArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 100 }),
  fc.string({ unit: unitArb, maxLength: 300 }),
  // Long and repetitive: the case the dictionary's long entries come from.
  fc.tuple(fc.string({ unit: "binary", minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 30_000 })).map(([s, n]) => s.repeat(n)),
  fc.array(fc.constantFrom("{\"t\":\"worker-0\",", "\"l\":\"ping\"}", "é", "😀", "\u0000", "\ud800"), { maxLength: 2000 }).map((a) => a.join("")),
);

/** What lz-string's own decoder answers: its text, or "threw". */
function reference(input: string): string | null | "threw" {
  try {
    return decompressFromEncodedURIComponent(input);
  } catch {
    return "threw";
  }
}

/**
 * The first code of a stream is its first 2 bits; 3 is one no compressor writes. (The 65th
 * character, "$", stands for 64, whose low six bits are all 0.)
 */
function firstCodeIs3(input: string): boolean {
  const value = ALPHABET.indexOf(input[0] ?? "A");
  return value >= 48 && value < 64;
}

/**
 * Checks that decompressBounded answers as lz-string does. When lz-string gives a text, ours is
 * the same text if it fits in `limit`, and "too-large" if not. When lz-string fails (null, "",
 * or a throw), ours fails too, or is "too-large" (it stops before reaching the failure), or, for
 * "", is the empty text of a stream that ends at once.
 */
function expectAgreement(input: string, limit: number): BoundedDecodeResult {
  const ours = decompressBounded(input, limit);
  if (input === "") {
    // lz-string answers null; ours says what happened.
    expect(ours).toEqual({ kind: "truncated" });
    return ours;
  }
  if (firstCodeIs3(input)) {
    expect(ours).toEqual({ kind: "garbled" });
    return ours;
  }
  const theirs = reference(input);
  if (typeof theirs === "string" && theirs !== "" && theirs !== "threw") {
    expect(ours).toEqual(theirs.length <= limit ? { kind: "ok", text: theirs } : { kind: "too-large", maxChars: limit });
  } else if (theirs === "") {
    expect(["truncated", "too-large", "ok"]).toContain(ours.kind);
    if (ours.kind === "ok") expect(ours.text).toBe("");
  } else {
    expect(["garbled", "too-large"]).toContain(ours.kind);
  }
  return ours;
}

/** Packs codes, each a value and a width in bits, as the format does (see lz-bounded.ts). */
function pack(codes: readonly (readonly [number, number])[]): string {
  const bits: number[] = [];
  for (const [value, width] of codes) for (let b = 0; b < width; b++) bits.push(Math.floor(value / 2 ** b) % 2);
  while (bits.length % 6) bits.push(0);
  let out = "";
  for (let i = 0; i < bits.length; i += 6) out += ALPHABET[bits.slice(i, i + 6).reduce((a, b) => a * 2 + b, 0)];
  return out;
}

/**
 * A hand-built bomb: the character "a", then `n` codes each naming the entry being defined (the
 * previous output and its first character), so output k is k + 1 characters long and the whole
 * output is 1 + n(n + 3)/2 characters. The code widths follow the format's rule.
 */
function bomb(n: number): string {
  const codes: [number, number][] = [
    [0, 2],
    [97, 8],
  ];
  let free = 4;
  let width = 3;
  let countdown = 4;
  for (let k = 0; k < n; k++) {
    codes.push([free++, width]);
    if (--countdown === 0) countdown = 2 ** width++;
  }
  codes.push([2, width]);
  return pack(codes);
}

describe("decompressBounded", () => {
  it("unpacks whatever lz-string packed: decompressBounded(compress(s)) is s", () => {
    fc.assert(
      fc.property(textArb, (s) => {
        expect(decompressBounded(compressToEncodedURIComponent(s), BIG)).toEqual({ kind: "ok", text: s });
      }),
      { numRuns: 500 },
    );
  });

  it("takes a text exactly as long as the limit, and refuses one a character longer", () => {
    fc.assert(
      fc.property(textArb.filter((s) => s.length > 0), (s) => {
        const packed = compressToEncodedURIComponent(s);
        expect(decompressBounded(packed, s.length)).toEqual({ kind: "ok", text: s });
        expect(decompressBounded(packed, s.length - 1)).toEqual({ kind: "too-large", maxChars: s.length - 1 });
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with lz-string on random texts in the format's alphabet", () => {
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 400 }), fc.constantFrom(BIG, 3), (input, limit) => {
        const r = expectAgreement(input, limit);
        const kind = r.kind === "ok" && r.text !== "" ? "text" : r.kind;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }),
      { numRuns: 5_000 },
    );
    for (const kind of ["text", "ok", "garbled", "truncated", "too-large"]) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(20);
  });

  it("agrees with lz-string on packed texts that were cut, or had characters changed, inserted or removed", () => {
    const char = fc.constantFrom(...ALPHABET);
    const damaged = textArb.chain((s) => {
      const packed = compressToEncodedURIComponent(s);
      const at = fc.nat(Math.max(0, packed.length - 1));
      return fc.oneof(
        fc.constant(packed),
        at.map((i) => packed.slice(0, i)),
        fc.tuple(at, char).map(([i, c]) => packed.slice(0, i) + c + packed.slice(i + 1)),
        fc.tuple(at, char).map(([i, c]) => packed.slice(0, i) + c + packed.slice(i)),
        at.map((i) => packed.slice(0, i) + packed.slice(i + 1)),
      );
    });
    const kinds = new Map<string, number>();
    fc.assert(
      fc.property(damaged, fc.constantFrom(BIG, 1000, 10), (input, limit) => {
        const r = expectAgreement(input, limit);
        kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
      }),
      { numRuns: 2_000 },
    );
    for (const kind of ["ok", "garbled", "truncated", "too-large"]) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(20);
  });

  it("builds bombs that lz-string unpacks to the expected run of a's", () => {
    for (const n of [0, 1, 2, 3, 10, 100, 1500]) {
      const expected = "a".repeat(1 + (n * (n + 3)) / 2);
      expect(bomb(n)).toBe(compressToEncodedURIComponent(expected));
      expect(decompressFromEncodedURIComponent(bomb(n))).toBe(expected);
      expect(decompressBounded(bomb(n), BIG)).toEqual({ kind: "ok", text: expected });
    }
  });

  it("refuses bombs fast, stopping at the limit", () => {
    const cases: [string, string][] = [
      ["lz-string's packing of 5,000,000 a's", compressToEncodedURIComponent("a".repeat(5_000_000))],
      ["a hand-built bomb of 22,000 codes (242,033,001 characters)", bomb(22_000)],
    ];
    for (const [name, input] of cases) {
      const t0 = performance.now();
      const r = decompressBounded(input, 1_048_576);
      const ms = performance.now() - t0;
      console.log(`${name}: ${input.length} characters, refused in ${ms.toFixed(1)} ms`);
      expect(r).toEqual({ kind: "too-large", maxChars: 1_048_576 });
    }
    expect(bomb(22_000).length).toBeLessThanOrEqual(64 * 1024);
  });

  it.each<[string, string, BoundedDecodeResult["kind"]]>([
    ["the empty text", "", "truncated"],
    ["a space (lz-string reads it as +)", "N4Ig bi", "garbled"],
    ["a character outside the alphabet", "N4Ig=bi", "garbled"],
    ["a non-ASCII character", "N4Igébi", "garbled"],
    ["a first code of 3", "0AAAAA", "garbled"],
    // "a", then code 7 where the next free entry is 5.
    ["a code past the dictionary", pack([[0, 2], [97, 8], [7, 3], [2, 3]]), "garbled"],
    ["a stream that never ends", "AAAA", "truncated"],
  ])("answers %s", (_name, input, kind) => {
    expect(decompressBounded(input, BIG).kind).toBe(kind);
  });

  it("packs test streams as lz-string reads them", () => {
    expect(decompressFromEncodedURIComponent(pack([[0, 2], [104, 8], [0, 3], [105, 8], [2, 3]]))).toBe("hi");
    expect(decompressFromEncodedURIComponent(pack([[0, 2], [97, 8], [7, 3], [2, 3]]))).toBeNull();
  });

  it("never throws, whatever the limit", () => {
    const packed = compressToEncodedURIComponent("hello");
    for (const limit of [NaN, -1, 0, 0.5, Infinity]) expect(() => decompressBounded(packed, limit)).not.toThrow();
    expect(decompressBounded(packed, NaN).kind).toBe("too-large");
    expect(decompressBounded(packed, Infinity)).toEqual({ kind: "ok", text: "hello" });
  });
});
