/**
 * Message catalogs: each part of the UI keeps its strings in one module as an English catalog and
 * a Russian one. The Russian must have every key the English has, with the same kind of value
 * (a string, or a function of the same parameters): TypeScript refuses a catalog that misses one,
 * so no string is left untranslated by accident.
 */
import type { Lang } from "./lang";

type Entry = string | ((...args: never[]) => string);

/** The same keys, each a string or a function of the same parameters. */
export type Translation<E extends Record<string, Entry>> = { readonly [K in keyof E]: E[K] extends string ? string : E[K] };

export type Catalog<E extends Record<string, Entry>> = Readonly<Record<Lang, Translation<E>>>;

export function defineCatalog<E extends Record<string, Entry>>(en: E, ru: Translation<E>): Catalog<E> {
  // An English catalog is a translation of itself (its strings are strings).
  return { en: en as Translation<E>, ru };
}
