/** The engine's Web Worker: thin on purpose. Messages in, answers (or errors as data) out. */
import { handle } from "./handle";
import type { EngineRequest, EngineResponse } from "./protocol";

interface WorkerScope {
  onmessage: ((ev: MessageEvent<EngineRequest>) => void) | null;
  postMessage(message: EngineResponse): void;
}

const scope = self as unknown as WorkerScope;

/** Requests are answered one at a time, in order: a shell line must meet the scenario the request before it loaded. */
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (ev) => {
  const req = ev.data;
  queue = queue.then(async () => scope.postMessage(await handle(req)));
};
