/**
 * The languages Hopscope speaks: every UI string and every sentence of the trace. Tool output
 * (rules, conntrack lines, tcpdump, the shell) stays as the tools print it.
 */
import type { NarrationLang } from "../engine/narrate";

export const LANGS = ["en", "ru"] as const satisfies readonly NarrationLang[];
export type Lang = (typeof LANGS)[number];

/** Each language by its own name, as a language picker shows it. */
export const LANG_NAMES: Record<Lang, string> = { en: "English", ru: "Русский" };

export function isLang(v: unknown): v is Lang {
  return typeof v === "string" && (LANGS as readonly string[]).includes(v);
}

/**
 * A count with its noun in the right plural form for the language (Intl.PluralRules: Russian
 * has one, few and many: 1 шаг, 2 шага, 5 шагов, 21 шаг). `#` in a form is the number,
 * formatted for the language.
 */
export function plural(lang: Lang, n: number, forms: { readonly one: string; readonly few?: string; readonly many?: string; readonly other: string }): string {
  const category = pluralRules(lang).select(n) as keyof typeof forms;
  const form = forms[category] ?? forms.other;
  return form.replace("#", numberFormat(lang).format(n));
}

const rules = new Map<Lang, Intl.PluralRules>();
const numbers = new Map<Lang, Intl.NumberFormat>();

function pluralRules(lang: Lang): Intl.PluralRules {
  let r = rules.get(lang);
  if (!r) rules.set(lang, (r = new Intl.PluralRules(lang)));
  return r;
}

function numberFormat(lang: Lang): Intl.NumberFormat {
  let f = numbers.get(lang);
  if (!f) numbers.set(lang, (f = new Intl.NumberFormat(lang)));
  return f;
}
