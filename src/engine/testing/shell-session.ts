/** A shell session on a built-in scenario, as the shell's tests start one, and the namespace a target names. */
import { runScenario } from "../k8s/run";
import { builtinScenario } from "../scenarios/article";
import { resolveTarget } from "../shell/exec";
import type { ShellSession } from "../shell/session";
import type { Netns } from "../netns";

/** A fresh session after a built-in scenario's traffic (pod-to-pod unless named). */
export function freshSession(id = "pod-to-pod"): ShellSession {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error(`scenario ${id} failed: ${JSON.stringify(r.issues)}`);
  return { cluster: r.cluster, flows: [...r.trace.flows] };
}

/** The namespace of "worker-0" or "worker-0/<pod>" in the session's cluster. */
export function targetNs(s: ShellSession, target: string): Netns {
  const t = resolveTarget(s.cluster, target);
  if ("error" in t) throw new Error(t.error);
  return t.ns;
}
