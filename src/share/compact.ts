/**
 * A scenario document as a compact change from another (a built-in scenario's): `diff` writes
 * the change, `applyPatch` makes the document again from the other and the change. A share link
 * carries the change when that is shorter than the whole document (see codec.ts).
 *
 * A patch is JSON, in one of three forms:
 * - `[value]`: the value here is replaced by `value`.
 * - `{key: patch, …}`: an object whose listed fields change, each by its patch; a field's patch
 *   `0` removes it, and a field the object lacks is added with `[value]`. Fields not listed
 *   stay as they are; `{}` changes nothing.
 * - `["@", kept, {index: patch, …}, [item, …]]`: a list. Its first `kept` items stay (those
 *   whose index is listed changed by their patch), any after them are dropped, and the items
 *   are appended. Adding pods, services or traffic to a scenario appends to its lists, so the
 *   change is the new items alone.
 *
 * `diff` picks, at every value, whichever of these is shortest as JSON, so its answer is
 * deterministic: the same two documents always give the same patch.
 *
 * `applyPatch` takes patches from links, so it treats them as hostile: it never throws, its work
 * is proportional to the patch and the base, and a patch it cannot apply gets a path and a
 * message saying what is wrong where. Nothing in a patch can copy or repeat a part of the base,
 * so the result is never larger than the base and the patch together; it nests at most
 * MAX_PATCH_DEPTH levels, and no list in it grows past MAX_PATCH_ITEMS.
 */

/** A JSON value, as JSON.parse makes them. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A change from one JSON value to another; see the module's comment for the forms. */
export type Patch = readonly [Json] | { readonly [key: string]: Patch | 0 } | readonly ["@", number, { readonly [index: string]: Patch }, readonly Json[]];

/** How deeply a patch, and the document it makes, may nest. A scenario nests 8 levels at most. */
export const MAX_PATCH_DEPTH = 32;
/** How many items a list may have after patching: a scenario's longest list holds 10,000 (workloads, services). */
export const MAX_PATCH_ITEMS = 20_000;
/** How many changes (fields, list items edited) a patch may make. */
export const MAX_PATCH_CHANGES = 100_000;
/** How many values (every object, list and scalar) the values a patch brings may hold in all. */
export const MAX_PATCH_VALUES = 1_000_000;

/**
 * The change that turns `base` into `target`: `{}` between equal objects. Both are read as JSON
 * (as JSON.stringify would write them).
 */
export function diff(base: unknown, target: unknown): Patch {
  return diffValue(asJson(base), asJson(target));
}

export type ApplyResult =
  | { readonly ok: true; readonly value: Json }
  /** Where (a dotted path into the document, "(root)" for the whole) and what went wrong, without a final period. */
  | { readonly ok: false; readonly path: string; readonly message: string };

/**
 * `base` changed by `patch`. The base is not modified, and the result shares nothing with it.
 * Never throws: a patch that is not one, or that does not fit the base, is answered with where
 * and why.
 */
export function applyPatch(base: unknown, patch: unknown): ApplyResult {
  const path: (string | number)[] = [];
  try {
    const budget = { changes: 0, values: 0 };
    return { ok: true, value: applyAt(asJson(base), patch, path, budget) };
  } catch (e) {
    if (e instanceof PatchError) return { ok: false, path: e.where, message: e.message };
    // Not reached by any patch JSON.parse can make; kept so that nothing escapes.
    return { ok: false, path: formatPath(path), message: `the patch could not be applied (${clipKey(e instanceof Error ? e.message : String(e))})` };
  }
}

// ---- Writing a patch ----

function diffValue(a: Json, b: Json): Patch {
  const whole: Patch = [b];
  let edit: Patch | undefined;
  if (isRecord(a) && isRecord(b)) edit = diffObject(a, b);
  else if (Array.isArray(a) && Array.isArray(b)) edit = diffList(a, b);
  // Ties go to the replacement: it is the simpler of the two.
  return edit !== undefined && JSON.stringify(edit).length < JSON.stringify(whole).length ? edit : whole;
}

function diffObject(a: { readonly [key: string]: Json }, b: { readonly [key: string]: Json }): Patch {
  const out: Record<string, Patch | 0> = {};
  for (const key of Object.keys(b)) {
    if (!Object.hasOwn(a, key)) setField(out, key, [b[key]!]);
    else if (!sameJson(a[key]!, b[key]!)) setField(out, key, diffValue(a[key]!, b[key]!));
  }
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) setField(out, key, 0);
  return out;
}

function diffList(a: readonly Json[], b: readonly Json[]): Patch {
  const kept = Math.min(a.length, b.length);
  const edits: Record<string, Patch> = {};
  for (let i = 0; i < kept; i++) if (!sameJson(a[i]!, b[i]!)) edits[i] = diffValue(a[i]!, b[i]!);
  return ["@", kept, edits, b.slice(kept)];
}

function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]!));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k]!, b[k]!));
}

// ---- Applying a patch ----

class PatchError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(message);
  }
}

interface Budget {
  changes: number;
  values: number;
}

const FORMS = '[value], {field: patch, …} or ["@", kept, {index: patch, …}, [item, …]]';

/** `value` (a fresh copy, which this may change in place) changed by `patch`, found at `path`. */
function applyAt(value: Json, patch: unknown, path: (string | number)[], budget: Budget): Json {
  const fail = (message: string): never => {
    throw new PatchError(formatPath(path), message);
  };
  if (path.length >= MAX_PATCH_DEPTH) fail(`the patch nests deeper than ${MAX_PATCH_DEPTH} levels`);
  if (++budget.changes > MAX_PATCH_CHANGES) fail(`the patch makes more than ${MAX_PATCH_CHANGES.toLocaleString("en-US")} changes`);
  if (Array.isArray(patch)) {
    if (patch.length === 1) return checkedValue(patch[0], path, budget);
    if (patch.length === 4 && patch[0] === "@") return applyList(value, patch as unknown[], path, budget);
    if (patch.length === 0) fail(`an empty list is not a patch (a patch is ${FORMS})`);
    return fail(`a list of ${items(patch.length)}${typeof patch[0] === "string" ? ` starting with ${quote(patch[0])}` : ""} is not a patch (a patch is ${FORMS})`);
  }
  if (isRecord(patch)) {
    if (!isRecord(value)) fail(`the patch changes an object's fields, but the base has ${describe(value)} here`);
    const out = value as Record<string, Json>;
    const keys = Object.keys(patch);
    if (keys.length > MAX_PATCH_CHANGES) fail(`the patch changes ${keys.length.toLocaleString("en-US")} fields, over the ${MAX_PATCH_CHANGES.toLocaleString("en-US")} it may`);
    for (const key of keys) {
      const p = patch[key];
      path.push(key);
      if (p === 0) {
        if (!Object.hasOwn(out, key)) fail("the patch removes a field the base does not have");
        delete out[key];
      } else if (!Object.hasOwn(out, key)) {
        if (!(Array.isArray(p) && p.length === 1)) fail("the patch changes a field the base does not have (a new field is given as [value])");
        setField(out, key, checkedValue((p as unknown[])[0], path, budget));
      } else {
        setField(out, key, applyAt(out[key]!, p, path, budget));
      }
      path.pop();
    }
    return out;
  }
  if (patch === 0) return fail("0 (remove) stands only for a field in an object's patch");
  return fail(`${describe(patch)} is not a patch (a patch is ${FORMS})`);
}

function applyList(value: Json, patch: unknown[], path: (string | number)[], budget: Budget): Json {
  const fail = (message: string, at: string | number | undefined = undefined): never => {
    throw new PatchError(formatPath(at === undefined ? path : [...path, at]), message);
  };
  const [, kept, edits, appended] = patch;
  if (!Array.isArray(value)) return fail(`the patch changes a list, but the base has ${describe(value)} here`);
  if (typeof kept !== "number" || !Number.isInteger(kept) || kept < 0) return fail(`a list's patch keeps a whole number of items, not ${describe(kept)}`);
  if (kept > value.length) return fail(`the patch keeps ${items(kept)} of a list that has ${value.length.toLocaleString("en-US")}`);
  if (!isRecord(edits)) return fail(`a list's patch changes items as {index: patch, …}, not ${describe(edits)}`);
  if (!Array.isArray(appended)) return fail(`a list's patch appends a list of items, not ${describe(appended)}`);
  const length = kept + appended.length;
  if (length > MAX_PATCH_ITEMS) return fail(`the patched list would hold ${length.toLocaleString("en-US")} items, over the ${MAX_PATCH_ITEMS.toLocaleString("en-US")} a list may`);
  const out = value.slice(0, kept) as Json[];
  const indexes = Object.keys(edits);
  if (indexes.length > kept) return fail(`the patch changes ${items(indexes.length)} of the ${kept.toLocaleString("en-US")} it keeps`);
  for (const key of indexes) {
    // Indexes as JSON writes them: "0", "17"; no sign, no leading zero, no exponent.
    const i = /^(0|[1-9][0-9]{0,8})$/.test(key) ? Number(key) : -1;
    if (i < 0 || i >= kept) return fail(`the patch changes an item it does not keep (it keeps ${kept === 1 ? "item 0" : `items 0 to ${kept - 1}`})`, clipKey(key));
    path.push(i);
    out[i] = applyAt(out[i]!, edits[key], path, budget);
    path.pop();
  }
  for (let j = 0; j < appended.length; j++) {
    path.push(kept + j);
    out.push(checkedValue(appended[j], path, budget));
    path.pop();
  }
  return out;
}

/**
 * A value a patch brings, checked to be JSON that nests, with the path to it, at most
 * MAX_PATCH_DEPTH levels; values are counted against the budget. The walk is iterative, and
 * ends at the depth or the count limit whatever the value is (even one that contains itself).
 */
function checkedValue(value: unknown, path: readonly (string | number)[], budget: Budget): Json {
  // Each entry knows its key and its parent's entry, so a path is spelled only for an error.
  interface Entry {
    readonly v: unknown;
    readonly depth: number;
    readonly key?: string | number;
    readonly up?: Entry;
  }
  const stack: Entry[] = [{ v: value, depth: path.length }];
  while (stack.length) {
    const entry = stack.pop()!;
    const { v, depth } = entry;
    const fail = (message: string): never => {
      const at: (string | number)[] = [];
      for (let e: Entry | undefined = entry; e?.key !== undefined; e = e.up) at.unshift(e.key);
      throw new PatchError(formatPath([...path, ...at]), message);
    };
    if (++budget.values > MAX_PATCH_VALUES) fail(`the patch brings more than ${MAX_PATCH_VALUES.toLocaleString("en-US")} values`);
    if (v === null || typeof v === "string" || typeof v === "boolean") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) fail(`${String(v)} is not a JSON number`);
      continue;
    }
    if (typeof v !== "object") fail(`${describe(v)} is not a JSON value`);
    if (depth >= MAX_PATCH_DEPTH) fail(`the patched document nests deeper than ${MAX_PATCH_DEPTH} levels`);
    if (Array.isArray(v)) {
      if (v.length > MAX_PATCH_ITEMS) fail(`a list of ${items(v.length)}, over the ${MAX_PATCH_ITEMS.toLocaleString("en-US")} a list may hold`);
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, key: i, up: entry });
    } else if (isRecord(v)) {
      const keys = Object.keys(v);
      if (keys.length > MAX_PATCH_ITEMS) fail(`an object of ${keys.length.toLocaleString("en-US")} fields, over the ${MAX_PATCH_ITEMS.toLocaleString("en-US")} an object may hold`);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: v[keys[i]!], depth: depth + 1, key: keys[i]!, up: entry });
    } else {
      fail(`${describe(v)} is not a JSON value`);
    }
  }
  return value as Json;
}

// ---- Helpers ----

/** A value as JSON reads it back: a fresh copy, without undefined fields or functions. */
function asJson(value: unknown): Json {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${describe(value)} is not a JSON value`);
  return JSON.parse(text) as Json;
}

function isRecord(v: unknown): v is { readonly [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

/** Sets a field as JSON.parse does: a field named "__proto__" is a field, not the object's prototype. */
function setField<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** What a value is, in a few words and without repeating it (it may be a megabyte long). */
function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return `a list of ${items(v.length)}`;
  switch (typeof v) {
    case "object":
      return "an object";
    case "string":
      return `the text ${quote(v)}`;
    case "number":
      return Number.isFinite(v) ? `the number ${String(v)}` : String(v);
    case "boolean":
      return String(v);
    default:
      return `a ${typeof v}`;
  }
}

function items(n: number): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? "item" : "items"}`;
}

function quote(text: string): string {
  return JSON.stringify(clipKey(text));
}

/** A dotted path, as the scenario's errors write them ("workloads.3.containers"); "(root)" for the whole, "" for an empty field name. */
function formatPath(path: readonly (string | number)[]): string {
  return path.length ? path.map((k) => (typeof k === "number" ? String(k) : k === "" ? '""' : clipKey(k))).join(".") : "(root)";
}

/** A key or a text cut to 40 characters, an ellipsis marking the cut (never inside a surrogate pair). */
function clipKey(text: string): string {
  if (text.length <= 40) return text;
  const end = /[\ud800-\udbff]/.test(text[38]!) ? 38 : 39;
  return text.slice(0, end) + "…";
}
