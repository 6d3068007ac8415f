/**
 * Lab runs in the background, a few at a time: each starts a lab script (export.ts) and reads
 * the JSON report it prints. The kernel-agreement test files share it; they hand in how to
 * start a script (node:child_process, which the engine itself does not import).
 */
import type { LabReport } from "./compare";

/** A started process, as far as the pool reads it (what node:child_process's spawn returns). */
export interface LabProcess {
  readonly stdout: { setEncoding(encoding: "utf8"): { on(event: "data", listener: (chunk: string) => void): unknown } };
  readonly stderr: { setEncoding(encoding: "utf8"): { on(event: "data", listener: (chunk: string) => void): unknown } };
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** A runner that keeps at most `limit` lab scripts going at once; the rest wait their turn. */
export function labPool(limit: number, start: (script: string) => LabProcess): (script: string) => Promise<LabReport> {
  let active = 0;
  const queue: (() => void)[] = [];
  return (script) =>
    new Promise<void>((go) => {
      if (active < limit) {
        active++;
        go();
      } else queue.push(go);
    }).then(
      () =>
        new Promise<LabReport>((resolve, reject) => {
          const child = start(script);
          let stdout = "";
          let stderr = "";
          child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
          child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
          child.on("error", (e: Error) => reject(e));
          child.on("close", (status: number | null) => {
            // The next waiting run takes this one's place (active stays the same).
            const next = queue.shift();
            if (next) next();
            else active--;
            if (status !== 0) reject(new Error(`the lab failed (${status}): ${stderr.slice(-2000)}`));
            else {
              try {
                resolve(JSON.parse(stdout) as LabReport);
              } catch (e) {
                reject(new Error(`the lab printed no JSON (${String(e)}): ${stdout.slice(0, 500)} ${stderr.slice(-1000)}`));
              }
            }
          });
        }),
    );
}
