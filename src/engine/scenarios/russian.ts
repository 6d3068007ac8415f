/**
 * The built-in scenarios' titles and descriptions in Russian, installed into article.ts when a
 * Russian page asks for them: Node entry points may install them at start; the Web Worker loads
 * this module the first time a request is in Russian, so an English page does not carry them.
 */
import { BUILTIN_TEXT_RU } from "./article-ru";
import { installBuiltinRussian } from "./article";
import { TODAY_PREFIX } from "./today";
import { TODAY_TEXT_RU } from "./today-ru";
import { CALICO_PREFIX, FLANNEL_PREFIX } from "./cni";
import { CALICO_TEXT_RU, FLANNEL_TEXT_RU } from "./cni-ru";

export function installRussianBuiltins(): void {
  const texts: Record<string, { title: string; description: string }> = { ...BUILTIN_TEXT_RU };
  for (const [id, t] of Object.entries(TODAY_TEXT_RU)) texts[`${TODAY_PREFIX}${id}`] = t;
  for (const [id, t] of Object.entries(FLANNEL_TEXT_RU)) texts[`${FLANNEL_PREFIX}${id}`] = t;
  for (const [id, t] of Object.entries(CALICO_TEXT_RU)) texts[`${CALICO_PREFIX}${id}`] = t;
  installBuiltinRussian(texts);
}
