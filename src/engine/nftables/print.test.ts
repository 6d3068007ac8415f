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
  for (const name of ["kp", "rich", "attrs", "per", "iface", "ctvmap", "icmp"]) {
    it(`${name}.nft lists as the kernel listed it`, () => {
      const rs = load(read(`${name}.nft`));
      expect(printRuleset(rs)).toBe(read(`${name}.out`));
    });
    it(`${name}.nft lists with handles (-a) as the kernel did`, () => {
      expect(printRuleset(load(read(`${name}.nft`)), { handles: true })).toBe(read(`${name}-a.out`));
    });
    for (const [flag, o] of [
      ["n", { numeric: true }],
      ["s", { stateless: true }],
    ] as const) {
      it(`${name}.nft lists with -${flag} as the kernel did`, () => {
        expect(printRuleset(load(read(`${name}.nft`)), o)).toBe(read(`${name}-${flag}.out`));
      });
    }
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

describe("hostile input", () => {
  it("never throws for mangled rulesets: every answer is a ruleset or an error naming a line", () => {
    const base = read("kp.out") + read("rich.out") + read("attrs.out");
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const junk = ["{", "}", ";", ",", '"', ".", ":", "@", "-", "/", "\n", " ", "vmap", "goto", "0x", "999999999999", "ip", "set"];
    const lines = base.split("\n").length;
    for (let k = 0; k < 300; k++) {
      let text = base;
      for (let m = 0; m < 1 + rnd(4); m++) {
        const at = rnd(text.length);
        text = rnd(2) ? text.slice(0, at) + junk[rnd(junk.length)]! + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + rnd(20));
      }
      const rs = emptyNftRuleset();
      const r = applyNft(rs, text);
      if (!r.ok) {
        expect(r.error.line).toBeGreaterThanOrEqual(1);
        expect(r.error.line).toBeLessThanOrEqual(lines + 2);
        expect(r.error.message.length).toBeGreaterThan(3);
      } else expect(typeof printRuleset(rs)).toBe("string");
    }
  });
});

describe("rule commands, as the kernel answered them", () => {
  it("flush table empties the chains but keeps set elements; replace keeps the handle; add/insert position go after/before", () => {
    const rs = load("table ip t {\n\tset s { type ipv4_addr; elements = { 10.0.0.1 } }\n\tchain c { ip daddr @s accept; counter; }\n}\n");
    expect(applyNft(rs, "flush table ip t\nadd rule ip t c counter\nadd rule ip t c accept\n").ok).toBe(true);
    expect(applyNft(rs, "replace rule ip t c handle 5 drop\nadd rule ip t c position 5 log\ninsert rule ip t c position 5 notrack\n").ok).toBe(true);
    expect(printRuleset(rs, { handles: true })).toBe(
      "table ip t { # handle 1\n\tset s { # handle 2\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.1 }\n\t}\n\n\tchain c { # handle 1\n\t\tnotrack # handle 8\n\t\tdrop # handle 5\n\t\tlog # handle 7\n\t\taccept # handle 6\n\t}\n}\n",
    );
  });
});
