/** Small browser helpers the panels share. */

/** Saves `blob` as a download named `name`. */
export function saveFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started from the URL by the time this runs.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const FOCUSABLE = 'button:not([disabled]), select:not([disabled]), input:not([disabled]), [tabindex="0"]';

/** In a modal dialog's keydown: Tab and Shift+Tab go round its controls instead of leaving it. */
export function keepTabInside(e: { key: string; shiftKey: boolean; preventDefault(): void }, dialog: HTMLElement | null): void {
  if (e.key !== "Tab" || !dialog) return;
  const items = dialog.querySelectorAll<HTMLElement>(FOCUSABLE);
  if (!items.length) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

/**
 * Runs `fn` once the browser has drawn the next frame (a frame, then a task), for work that can
 * wait until what changed is on screen; returns its cancellation (an effect's cleanup).
 */
export function afterPaint(fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(fn, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) clearTimeout(timer);
  };
}
