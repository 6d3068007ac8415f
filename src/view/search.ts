/**
 * The diagram's search: a pod, node or service by name or address. Pure: the box asks this, then
 * unfolds and focuses what it names.
 */
import type { Topology } from "../engine/k8s/topology";

export type Found =
  | { readonly kind: "pod"; readonly name: string; readonly node: string; readonly label: string }
  | { readonly kind: "node"; readonly id: string; readonly label: string }
  | { readonly kind: "service"; readonly key: string; readonly label: string };

/** At most this many characters are searched for: a query is a name or an address. */
export const MAX_QUERY = 100;

/**
 * What `query` finds, best first: an exact name or address before a prefix, a prefix before a
 * part of a name; nodes, then pods, then services at equal rank. At most `limit` results.
 */
export function findInTopology(t: Topology, query: string, limit = 8): Found[] {
  const q = query.trim().toLowerCase().slice(0, MAX_QUERY);
  if (!q) return [];
  const ranked: { rank: number; order: number; found: Found }[] = [];
  const rank = (...texts: (string | undefined)[]): number => {
    let best = Infinity;
    for (const raw of texts) {
      if (raw === undefined) continue;
      const s = raw.toLowerCase();
      if (s === q) best = Math.min(best, 0);
      else if (s.startsWith(q)) best = Math.min(best, 1);
      else if (s.includes(q)) best = Math.min(best, 2);
    }
    return best;
  };
  let order = 0;
  for (const n of t.nodes) {
    const r = rank(n.id, n.ip, n.publicIp);
    if (r < Infinity) ranked.push({ rank: r, order: order++, found: { kind: "node", id: n.id, label: `${n.id} ${n.ip}` } });
  }
  for (const p of t.pods) {
    const r = rank(p.name, p.ip, `${p.namespace}/${p.name}`);
    if (r < Infinity) ranked.push({ rank: r, order: order++, found: { kind: "pod", name: p.name, node: p.node, label: `${p.name} ${p.ip} (${p.node})` } });
  }
  for (const s of t.services) {
    const key = `${s.namespace}/${s.name}`;
    const r = rank(s.name, key, s.clusterIP);
    if (r < Infinity) ranked.push({ rank: r, order: order++, found: { kind: "service", key, label: `${key} ${s.clusterIP}` } });
  }
  return ranked
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .slice(0, limit)
    .map((r) => r.found);
}
