/** -j LOG (libipt_LOG): the kernel logs the packet (not simulated); the walk goes on to the next rule. */
import { CONTINUE, Fail, type TargetModule } from "./api";
import { quote } from "./common";

export interface LogTarget {
  readonly kind: "LOG";
  readonly prefix?: string;
  readonly level?: number;
}

/** syslog's levels, by number. */
const LEVELS = ["emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"];

/** libipt_LOG's table in its order: the first name with the level is printed. */
const LOG_LEVEL_NAMES: readonly (readonly [string, number])[] = [
  ["alert", 1],
  ["crit", 2],
  ["debug", 7],
  ["emerg", 0],
  ["error", 3],
  ["info", 6],
  ["notice", 5],
  ["panic", 0],
  ["warning", 4],
];

export const LOG: TargetModule<LogTarget> = {
  named: true,
  options: { "log-prefix": 1, "log-level": 1 },
  parse(t) {
    const p = t.opts.get("log-prefix");
    const l = t.opts.get("log-level");
    if (p && p.value[0]!.length > 29) throw new Fail(p.column, "--log-prefix must be at most 29 characters");
    let level: number | undefined;
    if (l) {
      const text = l.value[0]!;
      level = /^[0-7]$/.test(text) ? Number(text) : LEVELS.indexOf(text === "panic" ? "emerg" : text === "warn" ? "warning" : text);
      if (level < 0) throw new Fail(l.column, `unknown --log-level "${text}"`);
    }
    return { kind: "LOG", ...(p && { prefix: p.value[0]! }), ...(level !== undefined && { level }) };
  },
  apply: () => CONTINUE,
  // Level 4 (warning) is the default, which iptables-save leaves out.
  save: (t) => " -j LOG" + (t.prefix !== undefined ? ` --log-prefix ${quote(t.prefix)}` : "") + (t.level !== undefined && t.level !== 4 ? ` --log-level ${t.level}` : ""),
  list(t, numeric) {
    const level = t.level ?? 4;
    let s = " LOG";
    if (numeric) s += ` flags 0 level ${level}`;
    else {
      const name = LOG_LEVEL_NAMES.find(([, l]) => l === level)?.[0];
      s += name !== undefined ? ` level ${name}` : ` UNKNOWN level ${level}`;
    }
    if (t.prefix !== undefined && t.prefix !== "") s += ` prefix "${t.prefix}"`;
    return s;
  },
};
