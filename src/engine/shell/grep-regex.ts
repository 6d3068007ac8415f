/**
 * grep's patterns, matched in linear time. GNU grep runs an automaton, so no pattern makes it
 * backtrack; JavaScript's RegExp backtracks, and `.*.*.*Q` on a long line takes seconds. The
 * patterns are therefore translated to RE2's syntax and matched by re2js (a port of RE2, whose
 * time is linear in the text): basic syntax (`\(`, `\)`, `\{`, `\}`, `\|`, `\+`, `\?` are the
 * operators, the bare characters literal), -E's extended syntax, -F's fixed strings, -i, -w.
 *
 * Back-references (`\1`) need backtracking by nature; they are refused with a plain sentence
 * rather than matched slowly or wrongly.
 */
import { RE2JS } from "re2js";

export type Syntax = "basic" | "extended" | "fixed";

export type Compiled = { readonly ok: true; readonly test: (line: string) => boolean } | { readonly ok: false; readonly error: string };

/** Whether a basic or extended pattern has a back-reference (`\1` … `\9`) outside brackets. */
export function hasBackReference(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      if (/[1-9]/.test(pattern[i + 1] ?? "")) return true;
      i++;
    } else if (c === "[") i = bracketEnd(pattern, i);
  }
  return false;
}

/** The index of the ] that closes the bracket expression opening at `start` (or the last index when none does). */
function bracketEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  while (i < pattern.length) {
    if (pattern[i] === "[" && /[:.=]/.test(pattern[i + 1] ?? "")) {
      // [:alpha:], [.x.], [=x=]: their ] does not close the bracket.
      const close = pattern.indexOf(`${pattern[i + 1]}]`, i + 2);
      if (close < 0) return pattern.length - 1;
      i = close + 2;
      continue;
    }
    if (pattern[i] === "]") return i;
    i++;
  }
  return pattern.length - 1;
}

/** A POSIX bracket expression in RE2's syntax: a backslash is itself, a leading ] a member. */
function bracket(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "[" && /[:.=]/.test(body[i + 1] ?? "")) {
      const close = body.indexOf(`${body[i + 1]}]`, i + 2);
      out += body.slice(i, close + 2);
      i = close + 1;
    } else if (c === "\\" || (c === "]" && i === 0) || (c === "[")) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/**
 * A basic or extended pattern in RE2's syntax, read the way GNU grep reads it where the two
 * differ:
 * - basic: `^` is an anchor only first (or after `\(` or `\|`) and `$` only last (or before `\)`
 *   or `\|`), elsewhere they are characters; a `*` with nothing before it is a character;
 * - extended: `^` and `$` are anchors anywhere; a `)` that closes nothing is a character.
 * A repetition operator with nothing before it (in extended syntax) or after an anchor (but for
 * basic syntax's `^*`) is refused: GNU grep warns and then reads it one way or another by context.
 */
export function toRe2(pattern: string, syntax: Exclude<Syntax, "fixed">): string | { readonly unsupported: string } {
  const basic = syntax === "basic";
  let out = "";
  // Where each open group starts in `out`.
  const groups: number[] = [];
  // What was written last: nothing yet (or an opening group or alternation), an anchor that
  // takes no repetition, or something a repetition operator applies to; where that starts,
  // and whether a repetition operator was the last thing written.
  let state: "start" | "anchor" | "atom" = "start";
  let atomStart = 0;
  let repeated = false;
  const write = (text: string, next: typeof state) => {
    if (next === "atom") atomStart = out.length;
    out += text;
    state = next;
    repeated = false;
    caret = false;
  };
  const operator = (op: string) => {
    if (state === "atom") {
      // A second operator repeats the repetition (GNU: a+? is (a+)?), where RE2 would read a lazy one.
      if (repeated) out = `${out.slice(0, atomStart)}(?:${out.slice(atomStart)})`;
      out += op;
      repeated = true;
    } else if (basic && op === "*" && (state === "start" || caret)) write("\\*", "atom");
    else lead = op;
  };
  // A repetition operator with nothing before it in extended syntax: GNU grep warns, then reads
  // it one way or another depending on the rest of the pattern; not simulated.
  let lead: string | undefined;
  // Whether the anchor written last is basic syntax's leading ^ (after which * is a character).
  let caret = false;
  const open = () => {
    groups.push(out.length);
    write("(", "start");
  };
  const close = () => {
    const start = groups.pop() ?? 0;
    write(")", "atom");
    atomStart = start;
  };
  /** A zero-width assertion (a repetition after one is not simulated, but for basic syntax's ^*). */
  const assertion = (re: string) => write(re, "anchor");
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) {
      const n = pattern[++i]!;
      if (n === "<" || n === ">") {
        // GNU's start and end of a word; RE2 has only \b, which is the same next to a word
        // character written in the pattern (\<eth0\>), and not elsewhere.
        const beside = n === "<" ? pattern[i + 1] : pattern[i - 2];
        if (beside === undefined || !/\w/.test(beside) || (n === ">" && pattern[i - 3] === "\\")) {
          return { unsupported: "\\< and \\> are simulated only beside a letter, digit or _ written in the pattern, as in \\<eth0\\>" };
        }
        assertion("\\b");
      } else if (n === "b" || n === "B") assertion(`\\${n}`);
      else if (basic && n === "(") open();
      else if (basic && n === ")") close(); else if (basic && n === "|") write("|", "start");
      else if (basic && (n === "+" || n === "?")) operator(n);
      else if (basic && n === "{") {
        const interval = /^\\\{(\d*(,\d*)?)\\\}/.exec(pattern.slice(i - 1));
        if (!interval) return out + pattern.slice(i - 1); // RE2 says what is wrong
        i += interval[0].length - 2;
        operator(`{${interval[1]}}`);
      }
      // \w \W \s \S are GNU's classes, as in RE2; another escaped letter or digit is the
      // character itself (GNU warns of a stray \), any other escaped character is literal.
      else if ("wWsS".includes(n)) write(`\\${n}`, "atom");
      else write(/[A-Za-z0-9]/.test(n) ? n : `\\${n}`, "atom");
    } else if (c === "[") {
      const end = bracketEnd(pattern, i);
      if (pattern[end] !== "]" || end === i) return out + pattern.slice(i); // unmatched: RE2 says so
      let start = i + 1;
      const negate = pattern[start] === "^";
      if (negate) start++;
      write(`[${negate ? "^" : ""}${bracket(pattern.slice(start, end))}]`, "atom");
      i = end;
    } else if (c === "*") operator("*");
    else if (c === "^") {
      if (!basic) assertion("^");
      else if (state === "start") {
        write("^", "anchor");
        caret = true;
      }
      else write("\\^", "atom");
    } else if (c === "$") {
      if (!basic) assertion("$");
      else if (i === pattern.length - 1 || pattern.startsWith("\\)", i + 1) || pattern.startsWith("\\|", i + 1)) write("$", "anchor");
      else write("\\$", "atom");
    } else if (basic && "(){}|+?".includes(c)) write(`\\${c}`, "atom");
    else if (!basic && c === "{") {
      // An interval with nothing before it is ignored; a { that starts no interval is itself.
      const interval = /^\{\d*(,\d*)?\}/.exec(pattern.slice(i));
      if (interval) {
        i += interval[0].length - 1;
        operator(interval[0]);
      } else write("\\{", "atom");
    } else if (!basic && (c === "+" || c === "?")) operator(c);
    else if (!basic && c === "(") open();
    else if (!basic && c === ")") {
      if (groups.length) close();
      else write("\\)", "atom");
    } else if (!basic && c === "|") write("|", "start");
    else write(c, "atom");
    if (lead) return { unsupported: `${lead} with nothing before it to repeat, or after an anchor (GNU grep reads it differently by context)` };
  }
  return out;
}

/**
 * GNU grep's words for what RE2 finds wrong with a pattern, where grep finds the same fault;
 * otherwise (GNU takes `a**` or a leading `+`, RE2 does not) a note that says it is Hopscope's.
 */
function grepError(message: string): string {
  if (/missing closing \]/.test(message)) return "grep: Unmatched [, [^, [:, [., or [=";
  if (/missing closing \)/.test(message)) return "grep: Unmatched ( or \\(";
  if (/unexpected \)/.test(message)) return "grep: Unmatched ) or \\)";
  if (/trailing backslash/.test(message)) return "grep: Trailing backslash";
  if (/character class range: `\[:/.test(message)) return "grep: Invalid character class name";
  if (/character class range/.test(message)) return "grep: Invalid range end";
  return `grep: (hopscope: the simulated grep cannot take this pattern: ${message.replace(/^error parsing regexp: /, "").slice(0, 120)})`;
}

export function compileGrep(pattern: string, opts: { syntax: Syntax; ignoreCase: boolean; word: boolean }): Compiled {
  if (opts.syntax !== "fixed" && hasBackReference(pattern)) {
    return { ok: false, error: "grep: (hopscope: back-references such as \\1 are not simulated: this grep matches in linear time, which they cannot)" };
  }
  const source = opts.syntax === "fixed" ? RE2JS.quote(pattern) : toRe2(pattern, opts.syntax);
  if (typeof source !== "string") return { ok: false, error: `grep: (hopscope: not simulated: ${source.unsupported})` };
  try {
    const re = RE2JS.compile(opts.word ? `\\b(?:${source})\\b` : source, opts.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
    return { ok: true, test: (line) => re.test(line) };
  } catch (e) {
    return { ok: false, error: grepError(e instanceof Error ? e.message : String(e)) };
  }
}
