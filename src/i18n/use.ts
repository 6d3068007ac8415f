/** The current language's strings of a catalog, for React components (re-rendered when the language changes). */
import { useHopscope } from "../store/store";
import type { Catalog, Translation } from "./catalog";

export function useT<E extends Record<string, string | ((...args: never[]) => string)>>(catalog: Catalog<E>): Translation<E> {
  const lang = useHopscope((s) => s.lang);
  return catalog[lang];
}

/** The current language, for plural() and Intl formatting. */
export function useLang() {
  return useHopscope((s) => s.lang);
}
