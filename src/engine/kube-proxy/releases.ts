/**
 * Which kube-proxy a scenario's nodes run: `cluster.kubeProxy: { mode, version }`. Absent, it is
 * the article's, 1.10 in iptables mode. "latest" names the newest release Hopscope models. This
 * table is all validation needs (no rules are written here), so the app's schema stays small.
 */
export type KubeProxyMode = "iptables" | "nftables";

/** What each mode can be: the releases whose rules Hopscope writes, from their sources. */
export const KUBE_PROXY_RELEASES: Readonly<Record<KubeProxyMode, readonly string[]>> = {
  iptables: ["1.10", "1.37"],
  nftables: ["1.37"],
};

/** The newest release modelled in any mode, which "latest" names. */
export function latestRelease(mode: KubeProxyMode): string | undefined {
  return KUBE_PROXY_RELEASES[mode].at(-1);
}

export interface KubeProxyChoice {
  readonly mode: KubeProxyMode;
  readonly version: string;
}

/** A scenario's choice written out: the default filled in and "latest" resolved. */
export function resolveKubeProxy(kp: { readonly mode?: KubeProxyMode; readonly version?: string } | undefined): KubeProxyChoice {
  const mode = kp?.mode ?? "iptables";
  const asked = kp?.version ?? (mode === "iptables" ? "1.10" : "latest");
  return { mode, version: asked === "latest" ? (latestRelease(mode) ?? asked) : asked };
}

/** Every supported pair, as a sentence's list ("iptables 1.10, …"). */
export function supportedKubeProxies(): string {
  const out: string[] = [];
  for (const mode of ["iptables", "nftables"] as const) {
    const releases = KUBE_PROXY_RELEASES[mode];
    if (!releases.length) continue;
    out.push(`mode "${mode}" with version ${[...releases.map((r) => `"${r}"`), `"latest" (${latestRelease(mode)})`].join(", ")}`);
  }
  return out.join("; ");
}

/** Why a choice cannot be had, or undefined when it can. */
export function kubeProxyProblem(kp: { readonly mode?: KubeProxyMode; readonly version?: string }): string | undefined {
  const { mode, version } = resolveKubeProxy(kp);
  if (KUBE_PROXY_RELEASES[mode].includes(version)) return undefined;
  const what = kp.version === undefined ? `${mode} mode` : `kube-proxy ${JSON.stringify(kp.version).slice(0, 20)} in ${mode} mode`;
  return `${what} is not modelled; Hopscope has ${supportedKubeProxies()}`;
}

/** Every modelled pair, oldest first per mode (the app's switch lists them in this order). */
export function kubeProxyChoices(): KubeProxyChoice[] {
  return (["iptables", "nftables"] as const).flatMap((mode) => KUBE_PROXY_RELEASES[mode].map((version) => ({ mode, version })));
}

/** Whether a choice is what an absent `cluster.kubeProxy` means (the article's). */
export function isDefaultKubeProxy(kp: KubeProxyChoice): boolean {
  return kp.mode === "iptables" && kp.version === "1.10";
}
