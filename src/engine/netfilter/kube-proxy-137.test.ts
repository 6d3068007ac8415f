import { describe, expect, it } from "vitest";
import { KUBE_PROXY_137_RULES } from "./__fixtures__/kube-proxy-1.37-rules";
import { formatParseError } from "./parse";
import { iptablesSave, loadIptablesSave } from "./save";

const HEAD = { filter: "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n", nat: "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n" };

/** The rule lines iptables-save prints after restoring one rule as kube-proxy writes it. */
function savedRule(table: "filter" | "nat", input: string): string {
  const chains = new Set([input.split(" ")[1]!, ...[...input.matchAll(/-j (KUBE-[A-Z0-9-]+)/g)].map((m) => m[1]!)]);
  const text = HEAD[table] + [...chains].map((c) => `:${c} - [0:0]`).join("\n") + `\n${input}\nCOMMIT\n`;
  const r = loadIptablesSave(text);
  if (!r.ok) throw new Error(formatParseError(r.error));
  return iptablesSave(r.value).split("\n").filter((l) => l.startsWith("-A "))[0]!;
}

describe("kube-proxy 1.37's rules: parsed as it writes them, printed as iptables-save v1.8.9 printed them", () => {
  it.each(KUBE_PROXY_137_RULES.map((r) => [r.input, r] as const))("%s", (_input, r) => {
    expect(savedRule(r.table, r.input)).toBe(r.saved);
    // And the printed form reads back to itself.
    expect(savedRule(r.table, r.saved)).toBe(r.saved);
  });
});
