/**
 * iptables-nft's tables as nft prints them, against what nft v1.0.6 printed for the same
 * iptables-restore input (the .nft files beside each .rules fixture were made with
 * `ip netns exec <ns> sh -c 'iptables-restore < X.rules && nft list ruleset'`; the kernel lab test
 * in src/engine/lab/nft-list.test.ts makes them again and compares).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listIptablesTextAsNft as listAsNft } from "./nft-list";

const FIXTURES = join(__dirname, "__fixtures__");

describe("iptables-nft rules as nft list ruleset prints them", () => {
  for (const n of [1, 2, 3]) {
    it(`nft-forms-${n}: every line as nft printed it`, () => {
      const rules = readFileSync(join(FIXTURES, `nft-forms-${n}.rules`), "utf8");
      const printed = readFileSync(join(FIXTURES, `nft-forms-${n}.nft`), "utf8");
      expect(listAsNft(rules).split("\n")).toEqual(printed.split("\n"));
    });
  }
});
