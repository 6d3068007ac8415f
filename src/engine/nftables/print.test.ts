import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyNft, formatNftError } from "./parse";
import { formatPriority, printRuleset } from "./print";
import { emptyNftRuleset, type NftRuleset } from "./types";

const dir = join(__dirname, "__fixtures__");
const read = (f: string) => readFileSync(join(dir, f), "utf8");

function load(text: string): NftRuleset {
  const rs = emptyNftRuleset();
  const r = applyNft(rs, text);
  if (!r.ok) throw new Error(formatNftError(r.error));
  return rs;
}

describe("nft list ruleset, as nft 1.0.6 printed it (goldens in __fixtures__)", () => {
  for (const name of ["kp", "rich", "attrs", "per", "iface"]) {
    it(`${name}.nft lists as the kernel listed it`, () => {
      const rs = load(read(`${name}.nft`));
      expect(printRuleset(rs)).toBe(read(`${name}.out`));
    });
    it(`${name}.nft lists with handles (-a) as the kernel did`, () => {
      expect(printRuleset(load(read(`${name}.nft`)), { handles: true })).toBe(read(`${name}-a.out`));
    });
    it(`${name}.out, read back, lists the same`, () => {
      expect(printRuleset(load(read(`${name}.out`)))).toBe(read(`${name}.out`));
    });
  }
});

describe("priorities", () => {
  it("names a priority within 10 of a named one valid for the hook", () => {
    expect(formatPriority("prerouting", -110)).toBe("dstnat - 10");
    expect(formatPriority("output", -110)).toBe("-110");
    expect(formatPriority("output", -100)).toBe("-100");
    expect(formatPriority("postrouting", 105)).toBe("srcnat + 5");
    expect(formatPriority("input", 10)).toBe("filter + 10");
    expect(formatPriority("input", 11)).toBe("11");
    expect(formatPriority("output", -145)).toBe("mangle + 5");
  });
});

describe("nft -f errors", () => {
  const err = (text: string) => {
    const rs = emptyNftRuleset();
    const r = applyNft(rs, text);
    if (r.ok) throw new Error("accepted");
    return r.error;
  };
  it("names line and column of a bad token", () => {
    const e = err("table ip t {\n\tchain c {\n\t\tip saddr 10.0.0.300 accept\n\t}\n}\n");
    expect(e.line).toBe(3);
    expect(e.column).toBe(12);
  });
  it("refuses a rule in a table that does not exist, and changes nothing", () => {
    const rs = load("add table ip a\n");
    const r = applyNft(rs, "add chain ip a c\nadd rule ip b c accept\n");
    expect(r.ok).toBe(false);
    expect(printRuleset(rs)).toBe("table ip a {\n}\n");
  });
  it("refuses a jump to a chain that does not exist", () => {
    expect(err("add table ip a\nadd chain ip a c\nadd rule ip a c jump nope\n").message).toMatch(/No such file or directory/);
  });
  it("refuses prefixes in a set without flags interval", () => {
    expect(err("table ip a { set s { type ipv4_addr; elements = { 10.0.0.0/8 } } }\n").message).toMatch(/flags interval/);
  });
  it("refuses dstnat as an output priority", () => {
    expect(err("table ip a { chain c { type nat hook output priority dstnat; } }\n").message).toMatch(/invalid priority/);
  });
  it("refuses an oversized input", () => {
    expect(err("#".repeat(4_000_001)).message).toMatch(/larger/);
  });
  it("an unterminated block is an error, not a hang", () => {
    expect(err("table ip a {\n chain c {\n").message).toMatch(/syntax error/);
  });
});
