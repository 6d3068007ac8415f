/**
 * The UI side of the worker: typed requests returning promises, a timeout, and a fresh worker
 * whenever the old one fails, so a crash costs one answer and never the page.
 */
import type { EngineRequest, EngineResponse, EngineResult } from "./protocol";

type Pending = { resolve: (r: EngineResult) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<EngineRequest, "id">;

export class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** How many times the worker was replaced after a failure. */
  restarts = 0;

  constructor(
    private readonly create: () => Worker,
    private readonly timeoutMs = 10_000,
    private readonly onRestart?: (reason: string) => void,
  ) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = this.create();
    w.onmessage = (ev: MessageEvent<EngineResponse>) => {
      const res = ev.data;
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      clearTimeout(p.timer);
      if (res.ok) p.resolve(res.result);
      else p.reject(new Error(res.error));
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      this.fail(`the engine worker failed: ${ev.message || "unknown error"}`);
    };
    this.worker = w;
    return w;
  }

  private fail(reason: string): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.restarts++;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
      this.pending.delete(id);
    }
    this.onRestart?.(reason);
  }

  request(body: RequestBody): Promise<EngineResult> {
    const id = this.nextId++;
    const w = this.ensure();
    return new Promise<EngineResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.fail(`the engine did not answer within ${this.timeoutMs / 1000} s`);
        reject(new Error("timeout"));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      w.postMessage({ ...body, id } as EngineRequest);
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}

export function createEngineWorker(): Worker {
  return new Worker(new URL("./engine.worker.ts", import.meta.url), { type: "module", name: "hopscope-engine" });
}
