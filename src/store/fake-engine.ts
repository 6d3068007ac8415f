/**
 * For the store's tests: an engine client that answers in the test's own thread, from the
 * worker's real request handler (src/worker/handle.ts) called directly, one request at a time
 * in order as the worker does. It records every request and can fail the way a crashed worker
 * does (the request rejected, then the store told of the restart).
 */
import { answerTo, type EngineRequester } from "../worker/client";
import { handle } from "../worker/handle";
import type { Kind, RequestOf, ResultOf } from "../worker/protocol";
import type { EngineFactory } from "./store";

export class FakeEngine implements EngineRequester {
  /** Every request the store made, in order. */
  readonly requests: RequestOf[] = [];
  /** Called as each request arrives, before it is answered: a test's way to act mid-load. */
  onRequest: ((body: RequestOf) => void) | undefined;
  private readonly failures: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  constructor(private readonly onRestart: (reason: string) => void) {}

  /** The next request fails, as one the worker crashed on does, with this reason (queue several for several). */
  failNext(reason: string): void {
    this.failures.push(reason);
  }

  /** The kinds of the requests made so far, with what names their subject ("run pod-to-pod", "exec worker-0 ip route"). */
  log(): string[] {
    return this.requests.map((r) => {
      switch (r.kind) {
        case "run":
          return `run ${typeof r.scenario === "string" ? r.scenario : "(spec)"}`;
        case "exec":
        case "complete":
          return `${r.kind} ${r.target} ${r.line}`;
        case "rules":
          return `rules ${r.node}`;
        default:
          return r.kind;
      }
    });
  }

  request<K extends Kind>(body: RequestOf<K>): Promise<ResultOf<K>> {
    // (A request of kind K is a request: TypeScript does not see through the generic mapped type.)
    const any = body as RequestOf;
    this.requests.push(any);
    this.onRequest?.(any);
    const failure = this.failures.shift();
    if (failure !== undefined) {
      // As EngineClient.fail does: the pending request is rejected, then the store hears of the restart.
      const failed = Promise.reject(new Error(failure));
      this.onRestart(failure);
      return failed;
    }
    const answer = this.queue.then(() => handle({ ...body, id: this.nextId++ }));
    this.queue = answer;
    return answer.then((res) => {
      if (!res.ok) throw new Error(res.error);
      return answerTo(body.kind, res.result);
    });
  }
}

/** An engine factory for createHopscope, and a way to reach the fake it makes. */
export function fakeEngine(): { connect: EngineFactory; engine: () => FakeEngine } {
  let made: FakeEngine | undefined;
  return {
    connect: (onRestart) => (made = new FakeEngine(onRestart)),
    engine: () => {
      if (!made) throw new Error("the store has not asked its engine anything yet");
      return made;
    },
  };
}
