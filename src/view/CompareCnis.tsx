/**
 * "Compare CNIs": the scenario on screen on the bridge plugin beside the same scenario on flannel
 * (and on Calico once its plugin is modelled: the built-ins list scenarios on it), in the Compare
 * view, as "Compare kube-proxies" does for kube-proxy releases.
 */
import type { JSX } from "react";
import type { CniType } from "../engine/k8s/spec";
import { useT } from "../i18n/use";
import { useHopscope } from "../store/store";
import type { ScenarioSummary } from "../worker/protocol";
import { APP } from "./i18n/page";

/** The CNI plugins Compare offers the scenario on: Calico only when there are built-ins on it (its plugin is modelled). */
export function comparedCnis(scenarios: readonly ScenarioSummary[]): CniType[] {
  return scenarios.some((s) => s.cni === "calico") ? ["bridge", "flannel", "calico"] : ["bridge", "flannel"];
}

/** The pair Compare opens on: the bridge plugin and flannel, or the scenario's own Calico beside flannel. */
export function cniPair(current: CniType): readonly [string, string] {
  return current === "calico" ? ["cni-calico", "cni-flannel"] : ["cni-bridge", "cni-flannel"];
}

export function CompareCnis({ onCompare }: { onCompare: (keys: readonly [string, string]) => void }): JSX.Element | null {
  const t = useT(APP);
  const current = useHopscope((s) => s.scenario?.cni);
  if (!current) return null;
  return (
    <button
      type="button"
      className="rounded border border-slate-300 bg-white px-2 py-1 hover:bg-slate-100"
      onClick={() => onCompare(cniPair(current))}
      data-testid="compare-cnis"
      data-menu-close=""
    >
      {t.compareCnis}
    </button>
  );
}
