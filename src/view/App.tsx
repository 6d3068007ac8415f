import { useEffect, useMemo, useState } from "react";
import type { Trace } from "../engine/trace";
import { EngineClient, createEngineWorker } from "../worker/client";

type Status =
  | { kind: "loading" }
  | { kind: "ready"; engine: string; trace: Trace }
  | { kind: "error"; message: string };

/** A placeholder page: proves the engine answers from its worker while the real UI is built. */
export function App() {
  const [status, setStatus] = useState<Status>({ kind: "loading" });
  const [notice, setNotice] = useState<string>();
  const client = useMemo(() => new EngineClient(createEngineWorker, 10_000, (reason) => setNotice(`${reason} — restarted it.`)), []);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const hello = await client.request({ kind: "hello" });
        const demo = await client.request({ kind: "demo-trace" });
        if (!live) return;
        if (hello.kind === "hello" && demo.kind === "demo-trace") setStatus({ kind: "ready", engine: hello.engine, trace: demo.trace });
      } catch (e) {
        if (live) setStatus({ kind: "error", message: e instanceof Error ? e.message : String(e) });
      }
    })();
    return () => {
      live = false;
    };
  }, [client]);

  useEffect(() => () => client.dispose(), [client]);

  const crash = async () => {
    try {
      await client.request({ kind: "crash" });
    } catch {
      // The notice set by onRestart tells the user; the next request gets a fresh worker.
      const hello = await client.request({ kind: "hello" }).catch(() => undefined);
      if (hello?.kind === "hello") setNotice((n) => `${n ?? "The engine failed"} It answers again.`);
    }
  };

  return (
    <main className="mx-auto max-w-4xl p-6 font-sans">
      <h1 className="text-2xl font-semibold">Hopscope</h1>
      <p className="mt-1 text-slate-600">Kubernetes packet flows, hop by hop. The cluster view is on its way; the engine below is live.</p>
      {notice && (
        <p role="status" data-testid="engine-notice" className="mt-4 rounded border border-amber-400 bg-amber-50 p-2">
          {notice}
        </p>
      )}
      <section className="mt-6" aria-live="polite">
        {status.kind === "loading" && <p data-testid="engine-status">Starting the network engine…</p>}
        {status.kind === "error" && (
          <p data-testid="engine-status" className="text-red-700">
            The network engine could not start: {status.message}
          </p>
        )}
        {status.kind === "ready" && (
          <>
            <p data-testid="engine-status">
              Engine ready ({status.engine}): a ping through a masquerading router took{" "}
              <span data-testid="step-count">{status.trace.flows.reduce((n, f) => n + f.steps.length, 0)}</span> steps.
            </p>
            {status.trace.flows.map((flow) => (
              <div key={flow.name} className="mt-4">
                <h2 className="font-medium">
                  {flow.name}: {flow.verdict}
                </h2>
                <ol className="mt-1 list-decimal pl-6 text-sm" data-testid={`flow-${flow.name}`}>
                  {flow.steps.map((s, i) => (
                    <li key={i}>
                      <span className="font-mono text-xs text-slate-500">{s.kind}</span> {s.text}
                    </li>
                  ))}
                </ol>
              </div>
            ))}
            <button type="button" className="mt-4 rounded bg-slate-800 px-3 py-1 text-white" onClick={crash} data-testid="crash-worker">
              Crash the engine worker
            </button>
          </>
        )}
      </section>
    </main>
  );
}
