import { describe, expect, it } from "vitest";
import { EngineClient } from "./client";
import type { EngineRequest, EngineResponse } from "./protocol";

/** A stand-in for the worker: answers each request as `answer` says, a tick later. */
function fakeWorker(answer: (req: EngineRequest) => EngineResponse | "crash") {
  const w = {
    onmessage: null as ((ev: MessageEvent<EngineResponse>) => void) | null,
    onerror: null as ((ev: ErrorEvent) => void) | null,
    terminated: false,
    postMessage(req: EngineRequest) {
      setTimeout(() => {
        const res = answer(req);
        if (res === "crash") w.onerror?.({ message: "boom", preventDefault: () => undefined } as ErrorEvent);
        else w.onmessage?.({ data: res } as MessageEvent<EngineResponse>);
      }, 0);
    },
    terminate() {
      w.terminated = true;
    },
  };
  return w;
}

function client(answer: (req: EngineRequest) => EngineResponse | "crash") {
  const restarts: string[] = [];
  const workers: ReturnType<typeof fakeWorker>[] = [];
  const c = new EngineClient(
    () => {
      const w = fakeWorker(answer);
      workers.push(w);
      return w as unknown as Worker;
    },
    1000,
    (reason) => restarts.push(reason),
  );
  return { c, restarts, workers };
}

describe("the engine client", () => {
  it("answers each request with its kind's result, and run with invalid too", async () => {
    const { c } = client((req) =>
      req.kind === "rules"
        ? { id: req.id, ok: true, result: { kind: "rules", node: req.node, chains: [] } }
        : { id: req.id, ok: true, result: { kind: "invalid", issues: [{ path: "scenario", message: "no" }] } },
    );
    expect(await c.request({ kind: "rules", node: "worker-0" })).toEqual({ kind: "rules", node: "worker-0", chains: [] });
    expect(await c.request({ kind: "run", scenario: "x" })).toEqual({ kind: "invalid", issues: [{ path: "scenario", message: "no" }] });
  });

  it("refuses an answer of another kind than the request's, saying which", async () => {
    const { c } = client((req) => ({ id: req.id, ok: true, result: { kind: "rules", node: "worker-0", chains: [] } }));
    await expect(c.request({ kind: "pcap" })).rejects.toThrow('the engine answered a "pcap" request with a "rules" result');
    await expect(c.request({ kind: "exec", target: "worker-0", line: "ip route" })).rejects.toThrow('the engine answered a "exec" request with a "rules" result');
    const invalid = client((req) => ({ id: req.id, ok: true, result: { kind: "invalid", issues: [] } }));
    await expect(invalid.c.request({ kind: "scenarios" })).rejects.toThrow('the engine answered a "scenarios" request with a "invalid" result');
  });

  it("passes an error answer on as an error, and replaces a worker that failed", async () => {
    const { c, restarts, workers } = client((req) => (req.kind === "exec" ? "crash" : { id: req.id, ok: false, error: "no scenario is loaded" }));
    await expect(c.request({ kind: "pcap" })).rejects.toThrow("no scenario is loaded");
    expect(restarts).toEqual([]);
    await expect(c.request({ kind: "exec", target: "worker-0", line: "ip route" })).rejects.toThrow("the engine worker failed: boom");
    expect(restarts).toEqual(["the engine worker failed: boom"]);
    expect(workers.map((w) => w.terminated)).toEqual([true]);
    await expect(c.request({ kind: "pcap" })).rejects.toThrow("no scenario is loaded");
    expect(workers).toHaveLength(2);
  });
});
