/**
 * What kube-proxy 1.37 (nftables mode) sends nft and the engine must take: its first full sync
 * for the article's worker-0 and for a node with load balancers (the fixtures of
 * src/engine/kube-proxy/__fixtures__, each with what the kernel's nft 1.0.6 listed after `nft -f`),
 * named counters added and deleted, and DNAT to an address and port as a concatenation, one or
 * drawn by numgen from a map (listed as nft lists it, and read back from that listing).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { seededRng } from "../rng";
import { walkNftChain } from "./eval";
import { applyNft, loadNft } from "./parse";
import { printRuleset } from "./print";
import { emptyNftRuleset } from "./types";

const FIXTURES = join(__dirname, "../kube-proxy/__fixtures__");

describe("kube-proxy 1.37's nft text", () => {
  for (const name of ["nft-article-worker-0", "nft-lb-mixed-worker-0"]) {
    it(`${name}: loaded and listed as the kernel's nft listed it, and the listing reads back to itself`, () => {
      const rs = emptyNftRuleset();
      loadNft(rs, readFileSync(join(FIXTURES, `${name}.input.nft`), "utf8"));
      const kernel = readFileSync(join(FIXTURES, `${name}.txt`), "utf8");
      const listed = printRuleset(rs);
      expect(listed.split("\n")).toEqual(kernel.split("\n"));
      const again = emptyNftRuleset();
      loadNft(again, listed);
      expect(printRuleset(again)).toBe(listed);
    });
  }

  it("takes named counters added and deleted, and lists one that stays as nft does (before the sets)", () => {
    const rs = emptyNftRuleset();
    loadNft(rs, ["add table ip t", "add chain ip t c", "add counter ip t gone", "delete counter ip t gone", "add counter ip t cnt1", "add set ip t s { type ipv4_addr ; }", 'add counter ip t cnt0 { comment "x" ; }'].join("\n"));
    // As nft 1.0.6 listed the same commands in a namespace.
    expect(printRuleset(rs)).toBe(
      ["table ip t {", "\tcounter cnt1 {", "\t\tpackets 0 bytes 0", "\t}", "", "\tcounter cnt0 {", '\t\tcomment "x"', "\t\tpackets 0 bytes 0", "\t}", "", "\tset s {", "\t\ttype ipv4_addr", "\t}", "", "\tchain c {", "\t}", "}", ""].join("\n"),
    );
    expect(applyNft(rs, "delete counter ip t nope")).toMatchObject({ ok: false, error: { message: expect.stringContaining("No such file or directory") } });
  });

  it("lists dnat ip addr . port to … as nft 1.0.6 does, and draws the numgen map's target per connection", () => {
    const rs = emptyNftRuleset();
    loadNft(
      rs,
      [
        "add table ip t",
        "add chain ip t c { type nat hook prerouting priority dstnat ; }",
        "add rule ip t c meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 10.0.0.1 . 80 , 1 : 10.0.0.2 . 8080 }",
        "add rule ip t c meta l4proto tcp dnat ip addr . port to 10.0.0.3 . 53",
      ].join("\n"),
    );
    const listed = printRuleset(rs);
    expect(listed).toContain("\t\tmeta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.0.0.1 . 80, 1 : 10.0.0.2 . 8080 }\n");
    expect(listed).toContain("\t\tmeta l4proto tcp dnat to 10.0.0.3:53\n");
    const again = emptyNftRuleset();
    loadNft(again, listed);
    expect(printRuleset(again)).toBe(listed);
    // Both targets are drawn over many connections, each with its own port.
    const table = rs.tables[0]!;
    const chain = table.chains.get("c")!;
    const rng = seededRng(7);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const v = walkNftChain(table, chain, { proto: "tcp", src: 0x0a000063, dst: 0x0a0000fe, sport: 1000 + i, dport: 80, ttl: 64 } as never, { hook: "prerouting", rng, addrType: () => "UNICAST", mark: 0 });
      if (v.kind === "nat") seen.add(`${v.nat.range?.minIp}:${v.nat.range?.minPort}`);
    }
    expect([...seen].sort()).toEqual([`${0x0a000001}:80`, `${0x0a000002}:8080`].sort());
  });
});
