/**
 * JSON text as users hand it to Hopscope (a scenario file, an import): a leading UTF-8
 * byte-order mark is skipped, as many editors write one; a syntax error names its line and
 * column in plain words, whatever the JavaScript engine's own message looks like; text past the
 * size budget is refused before it is parsed.
 */
import { findNodeAtLocation, parse, parseTree, printParseErrorCode, type ParseError } from "jsonc-parser";

/** The most JSON text Hopscope reads at once: 16 MiB, far beyond any scenario it can run. */
export const MAX_JSON_CHARS = 16 * 1024 * 1024;

export type JsonText = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly where: string; readonly message: string };

const WORDS: Record<string, string> = {
  InvalidSymbol: "an unexpected character (JSON wants double-quoted names and strings, and nothing after the value)",
  InvalidNumberFormat: "a malformed number",
  PropertyNameExpected: "a property name in double quotes was expected",
  ValueExpected: "a value was expected",
  ColonExpected: "a colon was expected",
  CommaExpected: "a comma was expected",
  CloseBraceExpected: "a closing } was expected",
  CloseBracketExpected: "a closing ] was expected",
  EndOfFileExpected: "the text goes on after the JSON value ends",
  InvalidCommentToken: "JSON has no comments",
  UnexpectedEndOfComment: "JSON has no comments",
  UnexpectedEndOfString: "a string is not closed",
  UnexpectedEndOfNumber: "a number ends too early",
  InvalidUnicode: "a malformed \\u escape",
  InvalidEscapeCharacter: "an escape that JSON does not have",
  InvalidCharacter: "a control character inside a string",
};

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

export function parseJsonText(raw: string): JsonText {
  if (raw.length > MAX_JSON_CHARS) {
    return { ok: false, where: "(json)", message: `the text is ${(raw.length / 1048576).toFixed(1)} MB; Hopscope reads at most ${MAX_JSON_CHARS / 1048576} MB of JSON` };
  }
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // Where and why, from a parser that reports offsets (the engine's own message may quote the text instead).
    const errors: ParseError[] = [];
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) return { ok: false, where: "(json)", message: text.trim() === "" ? "the text is empty" : "not valid JSON" };
    const { line, column } = lineColumn(text, first.offset);
    const code = printParseErrorCode(first.error);
    return { ok: false, where: `(json line ${line}, column ${column})`, message: WORDS[code] ?? code };
  }
}

/**
 * Where a validation path ("cluster.workers.1.podCidr") sits in the JSON text: the line and
 * column of its value, or of the nearest enclosing value the text has (a missing field points
 * at its object). Undefined when the text is not JSON.
 */
export function locatePath(raw: string, path: string): { line: number; column: number } | undefined {
  if (raw.length > MAX_JSON_CHARS) return undefined;
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const root = parseTree(text);
  if (!root) return undefined;
  const segments: (string | number)[] = path === "" ? [] : path.split(".").map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, segments.slice(0, n));
    if (node) return lineColumn(text, node.offset);
  }
  return undefined;
}
