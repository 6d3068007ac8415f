/** The engine's Web Worker: thin on purpose. Messages in, answers (or errors as data) out. */
import { handle } from "./handle";
import type { EngineRequest, EngineResponse } from "./protocol";

interface WorkerScope {
  onmessage: ((ev: MessageEvent<EngineRequest>) => void) | null;
  postMessage(message: EngineResponse): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (ev) => {
  const req = ev.data;
  if (req.kind === "crash") {
    // Simulates a fault outside the handler: the client must notice and restart the worker.
    throw new Error("engine worker crashed on request");
  }
  scope.postMessage(handle(req));
};
