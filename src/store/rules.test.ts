import { describe, expect, it } from "vitest";
import { nodeRules, rowOf, ruleAt } from "./rules";

describe("a node's outline of rules", () => {
  const r = nodeRules([
    { table: "nat", chain: "PREROUTING", count: 2 },
    { table: "nat", chain: "INPUT", count: 0 },
    { table: "nat", chain: "KUBE-SERVICES", count: 3 },
    { table: "filter", chain: "INPUT", count: 0 },
    { table: "filter", chain: "FORWARD", count: 1 },
    { table: "filter", chain: "KUBE-FORWARD", count: 0 },
  ]);

  it("numbers the rules in order, table by table", () => {
    expect(r.total).toBe(6);
    expect(r.tables).toEqual([
      { table: "nat", start: 0, count: 5 },
      { table: "filter", start: 5, count: 1 },
    ]);
  });

  it("goes from a chain's rule to its row and back, past empty chains", () => {
    for (let row = 0; row < r.total; row++) {
      const at = ruleAt(r, row)!;
      expect(rowOf(r, at.table, at.chain, at.index)).toBe(row);
    }
    expect(ruleAt(r, 2)).toEqual({ table: "nat", chain: "KUBE-SERVICES", index: 1 });
    expect(ruleAt(r, 5)).toEqual({ table: "filter", chain: "FORWARD", index: 1 });
    expect(ruleAt(r, 6)).toBeUndefined();
    expect(rowOf(r, "nat", "KUBE-SERVICES", 4)).toBeUndefined();
    expect(rowOf(r, "filter", "KUBE-FORWARD", 1)).toBeUndefined();
    expect(rowOf(r, "nat", "NOPE", 1)).toBeUndefined();
  });
});
