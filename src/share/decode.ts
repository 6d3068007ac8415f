/**
 * Reading a share link's view, whole: decodeView and decodeShare never throw; whatever a URL
 * holds, they answer with a view or with one sentence saying what was wrong. They are
 * src/share/read.ts's readView with the scenario document checked by validateScenario. The
 * page does the same in two steps (src/store/scenario.ts), loading the scenario schema only for
 * a link that carries a document.
 */
import { validateScenario } from "../engine/k8s/spec";
import type { Lang } from "../i18n/lang";
import { parsePosition, type DecodeResult, type Position } from "./codec";
import { readView } from "./read";

/**
 * Reads a view from a parsed hash: `view` (a version 1, 2 or 3 blob) and, for versions 2 and 3,
 * `at`. Such a view without `at` is at flow 0, step 0. A version 1 blob carries its own
 * position, and `at` is ignored.
 */
export function decodeView(params: { readonly view?: string | undefined; readonly at?: Position | undefined }, lang: Lang = "en"): DecodeResult {
  const r = readView(params, lang, validateScenario);
  return r.ok === "unchecked" ? r.finish(validateScenario) : r;
}

/**
 * Reads what encodeShare wrote, or what a `view=` parameter held: a blob alone (version 1, or
 * version 2 or 3 at flow 0, step 0), or a blob followed by `&at=<flow>.<step>`. An `at` that is not
 * two whole numbers is ignored, as parseHash does.
 */
export function decodeShare(data: string): DecodeResult {
  const m = /^([^&]*)&at=([^&]*)$/.exec(data);
  if (!m) return decodeView({ view: data });
  const at = parsePosition(m[2]);
  return decodeView({ view: m[1]!, ...(at && { at }) });
}

