/**
 * Shell lines that used to hang or flood (the [hardening] probe): each one now ends within its
 * line's budget of commands, packets, steps, output and time, and says in plain words where it
 * stopped. grep matches in linear time and agrees with GNU grep.
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LINE_LIMITS, MAX_TRACE_STEPS, stepsOf } from "./budget";
import { compileGrep } from "./grep-regex";
import { freshSession, targetNs } from "../testing/shell-session";
import { runLine } from "./session";

const fresh = () => freshSession();

const on = targetNs;

/** Wall time of a call, in milliseconds, with its result. */
function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

describe("grep cannot be made to backtrack", () => {
  const s = fresh();
  // iptables-save of a node, many times over: some 20,000 lines of rule text.
  const text = runLine(s, on(s, "worker-0"), "iptables-save -c").stdout;
  const big = text.repeat(Math.ceil(2_000_000 / text.length));
  // "~" is in no rule, so none of these matches: the worst case for a backtracking engine.
  const patterns = [
    ".*.*.*.*~",
    ".*".repeat(40) + "~",
    "[^~]*".repeat(30) + "~",
    ".\\{0,99\\}".repeat(12) + "~",
    "-w " + ".*".repeat(20) + "~",
    "-E '(a+)+(b+)+$'",
  ];
  for (const p of patterns) {
    it(`grep ${p.slice(0, 40)} over ${Math.round(big.length / 1e6)} MB of rules: no match, quickly`, () => {
      const [flag, pat] = p.startsWith("-") ? [p.split(" ")[0]!, p.slice(p.indexOf(" ") + 1).replace(/^'|'$/g, "")] : ["", p];
      const re = compileGrep(pat, { syntax: flag === "-E" ? "extended" : "basic", ignoreCase: false, word: flag === "-w" });
      expect(re.ok).toBe(true);
      if (!re.ok) return;
      const { value, ms } = timed(() => big.split("\n").filter((l) => re.test(l)).length);
      expect(value).toBe(0);
      console.log(`grep ${p.slice(0, 40)}: ${ms.toFixed(0)} ms over ${big.length.toLocaleString("en")} characters`);
      // Seconds to spare: a backtracking engine took minutes here.
      expect(ms).toBeLessThan(10_000);
    });
  }

  it("refuses back-references in plain words instead of matching them slowly", () => {
    const r = runLine(s, on(s, "worker-0"), "iptables-save | grep '\\(a*\\)*\\1~'");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^grep: \(hopscope: back-references such as \\1 are not simulated/);
  });

  const gnu = spawnSync("grep", ["--version"], { encoding: "utf8" });
  const haveGnu = gnu.status === 0 && gnu.stdout.startsWith("grep (GNU grep)");
  if (!haveGnu) console.warn("skipped: the comparison with GNU grep: GNU grep is not installed");
  it.skipIf(!haveGnu)("agrees with GNU grep on 500 random patterns over the node's rules", () => {
    const lines = text.split("\n").filter(Boolean);
    const atoms = ["a", "K", "U", "-", ".", "*", "\\+", "\\?", "[0-9]", "[^a-z]", "[[:digit:]]", "\\(", "\\)", "\\|", "^", "$", "KUBE", "SVC", "\\{2\\}", "\\{1,3\\}", "[]A]", " ", "\\.", "\\<", "\\>", "\\w", "\\s", ":", "/", "!"];
    const eatoms = ["a", "K", "-", ".", "*", "+", "?", "[0-9]", "[^a-z]", "(", ")", "|", "^", "$", "KUBE", "SEP", "{2}", "{1,3}", "[]A]", " ", "\\.", "\\w", "\\s", "\\b", "/", "!"];
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(fc.nat(100), { minLength: 1, maxLength: 8 }), (extended, icase, picks) => {
        const pool = extended ? eatoms : atoms;
        const pattern = picks.map((i) => pool[i % pool.length]).join("");
        const args = [...(extended ? ["-E"] : []), ...(icase ? ["-i"] : []), "-c", "-e", pattern];
        const real = spawnSync("grep", args, { input: lines.join("\n") + "\n", encoding: "utf8" });
        const ours = compileGrep(pattern, { syntax: extended ? "extended" : "basic", ignoreCase: icase, word: false });
        if (real.status === 2) return; // GNU refuses it too (or warns and refuses): not compared
        if (!ours.ok) {
          // What this grep cannot take must say it is Hopscope's limit, never pose as GNU's error.
          expect(ours.error, pattern).toMatch(/^grep: \(hopscope: /);
          return;
        }
        expect(`${lines.filter((l) => ours.test(l)).length}\n`, `grep ${args.join(" ")}`).toBe(real.stdout);
      }),
      { numRuns: 500, seed: 20261127 },
    );
  });
});

describe("a line's budget", () => {
  it("stops `ping -c 100 …;` repeated 20 times at the line's packets, and says so", () => {
    const s = fresh();
    const before = stepsOf(s.flows);
    const line = "ping -c 100 10.200.1.15;".repeat(20);
    const { value: r, ms } = timed(() => runLine(s, on(s, "worker-0/busybox0-rw89s"), line, { clock: () => performance.now() }));
    expect(r.flows.length).toBeLessThanOrEqual(LINE_LIMITS.flows + 2);
    expect(r.flows.length).toBeGreaterThan(100);
    expect(r.display).toContain("[hopscope: stopped: this line traced 250 packets, the most a line may trace]");
    expect(r.code).toBe(1);
    expect(stepsOf(s.flows) - before).toBeLessThanOrEqual(LINE_LIMITS.steps + 200);
    console.log(`ping -c 100 x20: ${r.flows.length} flows, ${stepsOf(r.flows)} steps, ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(10_000);
  });

  it("refuses `ping -c 100 …;` repeated 4,000 times and `iptables-save;` repeated 7,000 times before running anything", () => {
    const s = fresh();
    for (const [line, n] of [["ping -c 100 10.200.1.15;", 4000], ["iptables-save;", 7000]] as const) {
      const { value: r, ms } = timed(() => runLine(s, on(s, "worker-0"), line.repeat(n)));
      expect(r.display).toBe(`bash: (hopscope: this line runs ${n} commands; a line may run at most ${LINE_LIMITS.commands})\n`);
      expect(r.flows).toEqual([]);
      expect(ms).toBeLessThan(2000);
    }
  });

  it("cuts a line's output at its limit and says so", () => {
    const s = fresh();
    const limits = { ...LINE_LIMITS, output: 20_000 };
    const r = runLine(s, on(s, "worker-0"), "iptables-save; ".repeat(60), { limits });
    expect(r.stdout.length).toBeLessThanOrEqual(20_000);
    expect(r.stdout.length).toBeGreaterThan(15_000);
    expect(r.display.endsWith("[hopscope: stopped: this line printed more than 0.019 MB, the most a line may print]\n")).toBe(true);
    // The same line without the small limit prints all 60 copies.
    expect(runLine(s, on(s, "worker-0"), "iptables-save; ".repeat(60)).stdout.length).toBeGreaterThan(60 * 3000);
  });

  it("stops a line that runs past its time, between commands and between packets", () => {
    const s = fresh();
    let now = 0;
    // A clock that moves 4 s at every look: the limit is 10 s.
    const clock = () => (now += 4000);
    const r = runLine(s, on(s, "worker-0"), "echo a; echo b; echo c; echo d; echo e", { clock });
    expect(r.stdout).toBe("a\n");
    expect(r.display).toContain("[hopscope: stopped: this line ran for more than 10 s, the most a line may take]");
    now = 0;
    // One second at every look: ping stops after a few echo requests, as Ctrl+C would stop it.
    const p = runLine(s, on(s, "worker-0"), "ping -c 100 10.200.1.15", { clock: () => (now += 1000) });
    expect(p.flows.length).toBeLessThan(30);
    expect(p.stdout).toContain("^C");
  });

  it("stops tracing when the session's trace holds the most steps it may", () => {
    const s = fresh();
    const filler = s.flows[0]!;
    while (stepsOf(s.flows) < MAX_TRACE_STEPS - 50) s.flows.push(filler);
    const r = runLine(s, on(s, "worker-0"), "ping -c 10 10.200.1.15 && curl http://10.32.0.53/");
    expect(stepsOf(s.flows)).toBeLessThan(MAX_TRACE_STEPS + 200);
    expect(r.display).toMatch(/\[hopscope: stopped: the session's trace holds [\d,]+ steps, the most it may hold; reload the scenario to start afresh\]/);
  });
});
