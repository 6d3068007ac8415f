/** Small timing helpers for the benchmarks: they print figures, they never assert on time. */
import { performance } from "node:perf_hooks";

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs `fn` `warmup` times unmeasured, then `runs` times; returns the milliseconds of each run. */
export function measure(fn: (i: number) => void, runs: number, warmup = 5): number[] {
  for (let i = 0; i < warmup; i++) fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

export function ms(x: number): string {
  return `${x.toFixed(3)} ms`;
}

export function line(label: string, value: string): void {
  console.log(`${label.padEnd(66)} ${value}`);
}
