/**
 * A small seeded pseudo-random generator (mulberry32). The engine never calls Math.random():
 * the same scenario and seed always give the same trace.
 */
export interface Rng {
  /** An unsigned 32-bit integer. */
  nextU32(): number;
}

export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return {
    nextU32() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    },
  };
}

/** A stable 32-bit hash of a string (FNV-1a), for deriving seeds from scenario ids. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
