/**
 * Figures measured in the page, for the specs and the UI benchmark to print (never to assert on
 * time: timings on a shared machine vary).
 */
import type { Page } from "@playwright/test";

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** Milliseconds from a → key press to the next step highlighted in the hop list and painted, `n` times: median and max. */
export async function keyToStep(page: Page, n = 10): Promise<{ median: number; max: number; times: number[] }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    times.push(
      await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            // The hop list, or, where it is hidden (an embed, a phone's fold), the footer's position.
            const list = document.querySelector('[data-testid="hop-list"]');
            const position = document.querySelector('[data-testid="position"]')!;
            const before = list?.querySelector('li[aria-current="step"]') ?? null;
            const text = position.textContent;
            const t0 = performance.now();
            const done = () => {
              obs.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - t0));
            };
            const obs = new MutationObserver(() => {
              const now = list?.querySelector('li[aria-current="step"]') ?? null;
              if ((list && now && now !== before) || (!list && position.textContent !== text)) done();
            });
            obs.observe(list ?? position, { subtree: true, attributes: true, childList: true, characterData: true });
            window.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
          }),
      ),
    );
  }
  return { median: quantile(times, 0.5), max: quantile(times, 1), times };
}

/** Frame times (ms between animation frames) over `ms` milliseconds of whatever the page is doing: median, p95, max. */
export async function frameTimes(page: Page, ms = 3000): Promise<{ frames: number; median: number; p95: number; max: number }> {
  const frames = await page.evaluate(
    (span) =>
      new Promise<number[]>((resolve) => {
        const out: number[] = [];
        let last = performance.now();
        const end = last + span;
        const tick = (t: number) => {
          out.push(t - last);
          last = t;
          if (t < end) requestAnimationFrame(tick);
          else resolve(out);
        };
        requestAnimationFrame(tick);
      }),
    ms,
  );
  return { frames: frames.length, median: quantile(frames, 0.5), p95: quantile(frames, 0.95), max: quantile(frames, 1) };
}

/** Elements in the page, and in the diagram alone. */
export function domCount(page: Page): Promise<{ page: number; diagram: number }> {
  return page.evaluate(() => ({ page: document.getElementsByTagName("*").length, diagram: document.querySelector('[data-testid="topology"]')?.getElementsByTagName("*").length ?? 0 }));
}
