import { describe, expect, it } from "vitest";
import { countsNothing, isNftTable, nftTablesOf, nodeRules, rowOf, ruleAt } from "./rules";

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

describe("an outline with nftables tables", () => {
  const r = nodeRules([
    { table: "nat", chain: "POSTROUTING", count: 2 },
    { table: "filter", chain: "INPUT", count: 1 },
    { table: "ip kube-proxy", chain: "nat-prerouting", count: 1 },
    { table: "ip kube-proxy", chain: "service-ECO34HEO-default/nginx/tcp/", count: 2 },
  ]);

  it("names the nft tables and finds an nft rule step's row by table, chain and position", () => {
    expect(nftTablesOf(r)).toEqual(["ip kube-proxy"]);
    expect(nftTablesOf(nodeRules([{ table: "nat", chain: "PREROUTING", count: 1 }]))).toEqual([]);
    expect(rowOf(r, "ip kube-proxy", "service-ECO34HEO-default/nginx/tcp/", 2)).toBe(5);
    expect(rowOf(r, "kube-proxy", "nat-prerouting", 1)).toBeUndefined();
    expect(ruleAt(r, 4)).toEqual({ table: "ip kube-proxy", chain: "service-ECO34HEO-default/nginx/tcp/", index: 1 });
  });

  it("an nft rule without a counter statement counts nothing; iptables rules always count", () => {
    expect(countsNothing("ip kube-proxy", "jump services")).toBe(true);
    expect(countsNothing("ip kube-proxy", "ip daddr 10.0.0.1 counter dnat to 10.200.0.5:80")).toBe(false);
    expect(countsNothing("ip kube-proxy", undefined)).toBe(false);
    expect(countsNothing("nat", "-A KUBE-SERVICES -j KUBE-NODEPORTS")).toBe(false);
    expect(isNftTable("ip kube-proxy")).toBe(true);
  });
});
