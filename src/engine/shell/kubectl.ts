/** kubectl 1.10 output for the simulated cluster: get pods -o wide, describe services. */
import type { Cluster, PodInfo } from "../k8s/build";

/**
 * Go's text/tabwriter as kubectl 1.10's printers set it up (minwidth 10, padding 3): each
 * column as wide as its widest cell plus 3, at least 10; the last column is not padded.
 */
export function tabwrite(rows: readonly (readonly string[])[], minWidth = 10, padding = 3): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(Math.max(minWidth, widths[i]! + padding)))).join("") + "\n")
    .join("");
}

function age(c: Cluster, _p: PodInfo): string {
  // Pods were created four seconds before the traffic, as in the article's listing.
  const seconds = Math.max(0, Math.floor((c.world.now - c.world.startMs) / 1000)) + 4;
  return seconds < 120 ? `${seconds}s` : `${Math.floor(seconds / 60)}m`;
}

export function kubectlGetPods(c: Cluster, opts: { namespace?: string; allNamespaces?: boolean; wide?: boolean }): { stdout: string; stderr: string } {
  const ns = opts.namespace ?? "default";
  const pods = c.pods.filter((p) => opts.allNamespaces || p.namespace === ns).slice().sort((a, b) => (a.namespace + a.name < b.namespace + b.name ? -1 : 1));
  if (pods.length === 0) return { stdout: "", stderr: opts.allNamespaces ? "No resources found.\n" : `No resources found.\n` };
  const head = [...(opts.allNamespaces ? ["NAMESPACE"] : []), "NAME", "READY", "STATUS", "RESTARTS", "AGE", ...(opts.wide ? ["IP", "NODE"] : [])];
  const rows = pods.map((p) => [
    ...(opts.allNamespaces ? [p.namespace] : []),
    p.name,
    `${p.containers.length}/${p.containers.length}`,
    "Running",
    "0",
    age(c, p),
    ...(opts.wide ? [p.ip, p.node] : []),
  ]);
  return { stdout: tabwrite([head, ...rows]), stderr: "" };
}

/**
 * kubectl describe service (1.10): one tabwriter block with padding 2, so values line up two
 * columns after the longest label; "Port:" lines have a third column for the port's name.
 */
export function kubectlDescribeService(c: Cluster, name: string | undefined, namespace: string): { stdout: string; stderr: string; code: number } {
  const services = c.services.filter((s) => s.namespace === namespace && (name === undefined || s.name === name));
  if (services.length === 0) {
    return { stdout: "", stderr: name ? `Error from server (NotFound): services "${name}" not found\n` : "No resources found.\n", code: name ? 1 : 0 };
  }
  const blocks = services.map((s) => {
    const rows: string[][] = [];
    const selector = Object.entries(s.selector).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(",");
    rows.push(["Name:", s.name], ["Namespace:", s.namespace], ["Labels:", "<none>"], ["Annotations:", "<none>"], ["Selector:", selector || "<none>"], ["Type:", s.type], ["IP:", s.clusterIP]);
    for (const p of s.portsResolved) {
      const proto = p.protocol;
      rows.push(["Port:", p.portName || "<unset>", `${p.port}/${proto}`]);
      rows.push(["TargetPort:", `${p.targetPort}/${proto}`]);
      if (p.nodePort !== undefined) rows.push(["NodePort:", p.portName || "<unset>", `${p.nodePort}/${proto}`]);
      rows.push(["Endpoints:", p.endpoints.map((e) => `${e.ip}:${e.port}`).join(",") || "<none>"]);
    }
    rows.push(["Session Affinity:", "None"]);
    if (s.type === "NodePort") rows.push(["External Traffic Policy:", s.externalTrafficPolicy]);
    rows.push(["Events:", "<none>"]);
    return describeBlock(rows);
  });
  return { stdout: blocks.join("\n\n\n") , stderr: "", code: 0 };
}

/** tabwriter(0, 8, 2): the first column aligned over all rows; a third cell aligned only with its neighbours. */
function describeBlock(rows: readonly string[][]): string {
  const label = Math.max(...rows.map((r) => r[0]!.length)) + 2;
  return rows
    .map((r) => {
      if (r.length === 2) return r[0]!.padEnd(label) + r[1] + "\n";
      return r[0]!.padEnd(label) + r[1]!.padEnd(r[1]!.length + 2) + r[2] + "\n";
    })
    .join("");
}
