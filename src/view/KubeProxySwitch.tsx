/**
 * The kube-proxy the scenario's nodes run: 2018's 1.10 in iptables mode (the article's), or
 * today's release in iptables or nftables mode. Switching runs the same scenario, the same
 * packets, through the other rules (an edit, so Undo goes back); "Compare kube-proxies" puts two
 * of them side by side in the Compare view.
 */
import type { JSX } from "react";
import { kubeProxyChoices, type KubeProxyChoice } from "../engine/kube-proxy/releases";
import { useT } from "../i18n/use";
import { useHopscope } from "../store/store";
import { APP } from "./i18n/page";

/** A choice as a value of the list and a key of Compare's versions. */
export function kubeProxyKey(kp: KubeProxyChoice): string {
  return `${kp.mode}-${kp.version}`;
}

/** The list: which kube-proxy the scenario on screen runs. */
export function KubeProxySwitch({ small = false, testId = "kube-proxy" }: { small?: boolean; testId?: string }): JSX.Element | null {
  const t = useT(APP);
  const current = useHopscope((s) => s.scenario?.kubeProxy);
  const busy = useHopscope((s) => s.status.kind === "loading");
  const choices = kubeProxyChoices();
  if (!current || choices.length < 2) return null;
  return (
    <label className={`flex shrink-0 items-center gap-1 whitespace-nowrap ${small ? "" : "text-sm"}`}>
      <span className={small ? "font-semibold" : "text-slate-600"}>{t.kubeProxy}</span>
      <select
        className={`rounded border border-slate-300 bg-white px-1 ${small ? "py-0.5" : "py-1"}`}
        value={kubeProxyKey(current)}
        disabled={busy}
        onChange={(e) => {
          const picked = choices.find((c) => kubeProxyKey(c) === e.target.value);
          if (picked) void useHopscope.getState().setKubeProxy(picked);
        }}
        data-testid={testId}
      >
        {choices.map((c) => (
          <option key={kubeProxyKey(c)} value={kubeProxyKey(c)}>
            {t.kubeProxyOption(c)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Opens Compare on the scenario with its kube-proxy and with the next one modelled. */
export function CompareKubeProxies({ onCompare }: { onCompare: (keys: readonly [string, string]) => void }): JSX.Element | null {
  const t = useT(APP);
  const current = useHopscope((s) => s.scenario?.kubeProxy);
  const choices = kubeProxyChoices();
  if (!current || choices.length < 2) return null;
  const here = kubeProxyKey(current);
  const at = choices.findIndex((c) => kubeProxyKey(c) === here);
  const other = choices[(at + 1) % choices.length]!;
  return (
    <button
      type="button"
      className="rounded border border-slate-300 bg-white px-2 py-1 hover:bg-slate-100"
      onClick={() => onCompare([`kp-${here}`, `kp-${kubeProxyKey(other)}`])}
      data-testid="compare-kube-proxies"
      data-menu-close=""
    >
      {t.compareKubeProxies}
    </button>
  );
}
