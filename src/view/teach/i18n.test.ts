/** The teaching parts in Russian: nothing left in English by copy and paste, the glossary marks Russian prose, plurals agree. */
import { describe, expect, it } from "vitest";
import { plural } from "../../i18n/lang";
import { GLOSSARY, markTerms } from "./glossary";
import { teachText } from "./i18n";
import { LEGEND_ITEMS } from "./Legend";
import { SHORTCUTS } from "./shortcuts";
import { CHAPTERS } from "./tour";

const marked = (text: string) => markTerms(text).flatMap((p) => (typeof p === "string" ? [] : [[p.text, p.entry.term]]));
const joined = (text: string) => markTerms(text).map((p) => (typeof p === "string" ? p : p.text)).join("");

/** English words of prose (not names the tools print, which stay Latin in Russian). */
const ENGLISH_PROSE = /\b(the|and|of|to|is|in|on|a|with|step|chapter|answer|right|close)\b/i;
const CYRILLIC = /[А-Яа-яЁё]/;

/** A value of a catalog entry, with sample parameters for a function. */
function sample(v: unknown): string {
  return typeof v === "function" ? String((v as (p: unknown) => string)({ n: 2, total: 7, target: "worker-0", section: "NodePort", answered: 5, right: 21, answer: "10.240.0.20" })) : String(v);
}

describe("the teaching parts in Russian", () => {
  it("say every catalog entry in Russian, unless it is the other language's own title", () => {
    for (const key of Object.keys(teachText.en) as (keyof typeof teachText.en)[]) {
      const en = sample(teachText.en[key]);
      const ru = sample(teachText.ru[key]);
      if (key === "otherArticleTitle" || key === "articleTitle") {
        expect(ru, key).not.toBe(en);
        continue;
      }
      if (/[A-Za-z]{2,}/.test(en.replace(/worker-0|NodePort/g, ""))) {
        expect(ru, key).not.toBe(en);
        expect(ru, key).toMatch(CYRILLIC);
        expect(ru, key).not.toMatch(ENGLISH_PROSE);
      }
    }
  });

  it("has every chapter, legend item, shortcut and glossary definition in Russian", () => {
    for (const c of CHAPTERS) {
      for (const part of ["title", "section", "text"] as const) {
        if (c[part] === "NodePort" || c[part] === "ipMasq") continue;
        expect(c.ru[part], `${c.id}.${part}`).not.toBe(c[part]);
        expect(c.ru[part], `${c.id}.${part}`).toMatch(CYRILLIC);
      }
    }
    for (const it of LEGEND_ITEMS) expect(it.ru, it.key).toMatch(CYRILLIC);
    for (const g of SHORTCUTS) {
      expect(g.titleRu).toMatch(CYRILLIC);
      for (const s of g.items) expect(s.ru, s.what).toMatch(CYRILLIC);
    }
    for (const e of GLOSSARY) {
      expect(e.ru.definition, e.term).toMatch(CYRILLIC);
      expect(e.ru.definition, e.term).not.toMatch(/\b(the|and|of|is)\b/);
      // Backticks pair up (they set commands as code).
      expect(e.ru.definition.split("`").length % 2, e.term).toBe(1);
    }
  });

  it("keeps the glossary's facts in the Russian definitions", () => {
    const ru = (t: string) => GLOSSARY.find((e) => e.term === t)!.ru.definition;
    expect(ru("UNREPLIED")).toMatch(/^Не состояние conntrack, а флаг статуса/);
    expect(ru("ASSURED")).toMatch(/^Не состояние conntrack, а флаг статуса/);
    expect(ru("KUBE-MARK-MASQ")).toContain("0x4000/0x4000");
    expect(ru("KUBE-MARK-MASQ")).toContain("`-j MARK --set-xmark 0x4000/0x4000`");
    expect(ru("MASQUERADE")).toMatch(/интерфейса, через который пакет уходит/);
    // Every address, number and name the English gives is in the Russian too.
    for (const e of GLOSSARY) {
      const facts = e.definition.match(/\b\d[\d./:x]*|\b[A-Z][A-Z0-9_-]{2,}\b|`[^`]+`/g) ?? [];
      for (const f of facts) expect(e.ru.definition, `${e.term}: ${f}`).toContain(f);
    }
  });

  it("marks the terms in a Russian sentence, Latin names and Russian words alike", () => {
    const text = "MASQUERADE переписывает источник: 10.200.0.21 > 10.200.1.15 становится 10.240.0.20 > 10.200.1.15.";
    expect(marked(text)).toEqual([["MASQUERADE", "MASQUERADE"]]);
    expect(joined(text)).toBe(text);
    expect(marked("Пакет проходит через мост cnio0 и по veth-паре попадает в сетевое пространство имён пода")).toEqual([
      ["мост", "bridge"],
      ["veth", "veth"],
      ["сетевое пространство имён", "network namespace"],
    ]);
    expect(marked("В сетевом пространстве имен pause-контейнера conntrack видит запись")).toEqual([
      ["сетевом пространстве имен", "network namespace"],
      ["pause-контейнера", "pause container"],
      ["conntrack", "conntrack"],
    ]);
    expect(marked("KUBE-SVC-TCOU7JCQXEZGVUNU выбирает KUBE-SEP-LRUTK6XRXU43VLIG, затем DNAT на 10.200.1.15:80")).toEqual([
      ["KUBE-SVC-TCOU7JCQXEZGVUNU", "KUBE-SVC"],
      ["KUBE-SEP-LRUTK6XRXU43VLIG", "KUBE-SEP"],
      ["DNAT", "DNAT"],
    ]);
    expect(marked("После маскарадинга источник — 10.240.0.20")).toEqual([["маскарадинга", "MASQUERADE"]]);
    expect(marked("Мосты и таблица пересылки")).toEqual([
      ["Мосты", "bridge"],
      ["таблица пересылки", "FDB"],
    ]);
  });

  it("does not mark a Russian word that only begins like a term, nor a Latin term inside a word", () => {
    expect(marked("мостик и мостовая")).toEqual([]);
    expect(marked("мостNAT и SNATа")).toEqual([]);
    // A hyphen before a Latin word still joins it (kube-proxy's names); before a Russian one it does not.
    expect(marked("KUBE-SVC-… и KUBE-SEP-…")).toEqual([]);
    expect(marked("NodePort-сервис")).toEqual([["NodePort", "NodePort"]]);
  });

  it("counts answers in Russian with the right plural form", () => {
    const score = (answered: number, right: number) => teachText.ru.quizScore({ answered, total: 30, right });
    expect(score(1, 1)).toBe("1 ответ из 30 · 1 верный");
    expect(score(2, 2)).toBe("2 ответа из 30 · 2 верных");
    expect(score(5, 5)).toBe("5 ответов из 30 · 5 верных");
    expect(score(11, 11)).toBe("11 ответов из 30 · 11 верных");
    expect(score(21, 21)).toBe("21 ответ из 30 · 21 верный");
    expect(score(22, 22)).toBe("22 ответа из 30 · 22 верных");
    expect(score(25, 25)).toBe("25 ответов из 30 · 25 верных");
    expect(teachText.ru.endOfTrace({ right: 1, total: 3 })).toBe("Конец трассы: 1 верный ответ из 3.");
    expect(teachText.ru.endOfTrace({ right: 2, total: 3 })).toBe("Конец трассы: 2 верных ответа из 3.");
    expect(teachText.ru.endOfTrace({ right: 0, total: 3 })).toBe("Конец трассы: 0 верных ответов из 3.");
    expect(plural("ru", 21, { one: "# шаг", few: "# шага", many: "# шагов", other: "# шага" })).toBe("21 шаг");
    // English stays as it was.
    expect(teachText.en.quizScore({ answered: 1, total: 3, right: 0 })).toBe("1 of 3 answered · 0 right");
  });
});
