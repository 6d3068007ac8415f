/**
 * The UI side of the worker: typed requests returning promises, a timeout, and a fresh worker
 * whenever the old one fails, so a crash costs one answer and never the page.
 */
import { RESULT_KINDS, type EngineRequest, type EngineResponse, type EngineResult, type Kind, type RequestOf, type ResultOf } from "./protocol";

type Pending = { resolve: (r: EngineResult) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> };

/** What the UI needs of an engine: each request answered with its kind's result. */
export interface EngineRequester {
  request<K extends Kind>(body: RequestOf<K>): Promise<ResultOf<K>>;
}

/**
 * An answer as the result of the request it answers, or a clear error when its kind is not one
 * that request is answered with. The one place the protocol's pairing is checked at run time.
 */
export function answerTo<K extends Kind>(kind: K, result: EngineResult): ResultOf<K> {
  const allowed: readonly string[] = RESULT_KINDS[kind];
  if (!allowed.includes(result.kind)) throw new Error(`the engine answered a "${kind}" request with a "${result.kind}" result`);
  return result as ResultOf<K>;
}

export class EngineClient implements EngineRequester {
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

  request<K extends Kind>(body: RequestOf<K>): Promise<ResultOf<K>> {
    const id = this.nextId++;
    const w = this.ensure();
    const answer = new Promise<EngineResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.fail(`the engine did not answer within ${this.timeoutMs / 1000} s`);
        reject(new Error("timeout"));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const req: EngineRequest<K> = { ...body, id };
      w.postMessage(req);
    });
    return answer.then((result) => answerTo(body.kind, result));
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}

export function createEngineWorker(): Worker {
  return new Worker(new URL("./engine.worker.ts", import.meta.url), { type: "module", name: "hopscope-engine" });
}
