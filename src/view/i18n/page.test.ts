import { describe, expect, it } from "vitest";
import { decodeView } from "../../share/decode";
import { NOTICES } from "../../store/notices";
import { EDITOR } from "../editor/i18n";
import { APP, COMPARE, CONTROLS, DETAIL, HOPS, NODE, SHARE, TERMINAL, TOPOLOGY } from "./page";

const CATALOGS = { APP, CONTROLS, HOPS, DETAIL, NODE, TERMINAL, SHARE, TOPOLOGY, COMPARE, EDITOR, NOTICES } as const;

/** Any parameter a catalog function reads is 5 (a number, and as text "5"). */
const ANY = new Proxy({}, { get: (_, k) => (k === Symbol.toPrimitive ? () => 5 : 5) });
/** Commands quoted in a sentence stay as typed: they are left out of the English-word check. */
const COMMANDS = /ip route show table local|ip route|conntrack -L|iptables -L -v|sudo lsns -t net|ip netns|tcpdump -n -i \S+|ping -c \d+ \S+|nsenter -n|nft -s list table \S+|bridge fdb show dev \S+|IP-in-IP/g;
const text = (v: unknown): string => (typeof v === "function" ? (v as (p: unknown) => string)(ANY) : String(v));

/** Entries that are the same in both languages on purpose: names and commands only. */
const SAME = new Set(["EDITOR.json", "EDITOR.ping", "HOPS.kind", "COMPARE.dir", "APP.kubeProxy", "APP.kubeProxyOption"]);
/** Entries that differ but are a name, not a sentence (no Cyrillic needed). */
const NAMES = new Set(["DETAIL.mac", "EDITOR.hField"]);
/** Common English UI words: none may be left in a Russian string (code names are not among them). */
const ENGLISH = /\b(the|and|step|steps|packet|node|rules|open|show|hide|copy|link|scenario|edit|play|pause|next|previous|first|last|of|is|on|in|to|from|no|yet|not|with|without|add|remove|pick|send|table|chain|rule|entry|entries|field|before|after|why|dropped|delivered|level|speed|fit)\b/i;

describe("the page's catalogs", () => {
  for (const [name, cat] of Object.entries(CATALOGS)) {
    it(`${name}: every Russian entry is Russian (Cyrillic, differs from the English, no English UI word left)`, () => {
      const keys = Object.keys(cat.en);
      expect(keys.length).toBeGreaterThan(0);
      expect(Object.keys(cat.ru).sort()).toEqual([...keys].sort());
      for (const k of keys) {
        const en = text((cat.en as Record<string, unknown>)[k]);
        const ru = text((cat.ru as Record<string, unknown>)[k]);
        if (SAME.has(`${name}.${k}`)) {
          expect(ru, `${name}.${k}`).toBe(en);
          continue;
        }
        expect(ru, `${name}.${k}`).not.toBe(en);
        if (!NAMES.has(`${name}.${k}`)) expect(ru, `${name}.${k}`).toMatch(/[А-Яа-яЁё]/);
        expect(ru.replace(COMMANDS, ""), `${name}.${k}: ${ru}`).not.toMatch(ENGLISH);
      }
    });
  }
});

it("a step's kind tag: English words in Russian, netfilter's names kept", () => {
  expect(["wire", "route", "rule", "nat", "conntrack", "bridge", "encap", "deliver", "drop"].map((kind) => HOPS.ru.kind({ kind }))).toEqual(["провод", "маршрут", "правило", "nat", "conntrack", "мост", "туннель", "доставка", "отброшен"]);
  expect(HOPS.en.kind({ kind: "rule" })).toBe("rule");
  expect([COMPARE.ru.dir({ dir: "in" }), COMPARE.ru.dir({ dir: "out" }), COMPARE.en.dir({ dir: "in" })]).toEqual(["принят", "отправлен", "in"]);
});

describe("plural forms in Russian", () => {
  const cases: [number, string][] = [
    [1, "1 запись"],
    [2, "2 записи"],
    [5, "5 записей"],
    [11, "11 записей"],
    [21, "21 запись"],
    [22, "22 записи"],
    [25, "25 записей"],
  ];
  for (const [n, want] of cases) {
    it(`a bridge's forwarding table with ${n}: ${want}`, () => {
      expect(DETAIL.ru.fdb({ bridge: "cnio0", size: n })).toBe(`таблица пересылки cnio0 на момент прихода кадра (${want})`);
    });
  }
  it("steps, packets, bytes, flows, frames, problems, skipped lines agree with their numbers", () => {
    expect(HOPS.ru.windowed({ count: 1 })).toContain("(1 шаг;");
    expect(HOPS.ru.windowed({ count: 22 })).toContain("(22 шага;");
    expect(HOPS.ru.windowed({ count: 12345 })).toContain("(12\u00a0345 шагов;");
    expect(DETAIL.ru.rule({ table: "nat", chain: "KUBE-SERVICES", hook: "PREROUTING", index: 1, pkts: 21, bytes: 84 })).toBe("таблица nat, цепочка KUBE-SERVICES (PREROUTING), правило 1: 21 пакет, 84 байта");
    expect(DETAIL.ru.rule({ table: "nat", chain: "KUBE-SERVICES", hook: "PREROUTING", index: 1, pkts: 11, bytes: 1 })).toMatch(/11 пакетов, 1 байт$/);
    expect(TERMINAL.ru.newFlows({ flows: 1 })).toBe("[hopscope: прослежен 1 новый поток; на схеме — первый]\n");
    expect(TERMINAL.ru.newFlows({ flows: 3 })).toContain("прослежено 3 новых потока");
    expect(TERMINAL.ru.newFlows({ flows: 25 })).toContain("прослежено 25 новых потоков");
    expect(TERMINAL.ru.replayed({ lines: 21 })).toContain("воспроизведена 21 строка");
    expect(SHARE.ru.savedPcap({ name: "a.pcapng", frames: 5 })).toBe("Сохранён файл a.pcapng (5 кадров)");
    expect(EDITOR.ru.problems({ count: 2 })).toBe("2 ошибки: исправьте, чтобы применить.");
    expect(NOTICES.ru.missing({ count: 1, list: "x" })).toContain("пропущена 1 строка: x.");
    expect(EDITOR.ru.hControllers({ count: 3 })).toBe("3 контроллера");
    expect(EDITOR.ru.hField({ name: "worker-0", field: "pod CIDR" })).toBe("worker-0: CIDR подов");
    expect(EDITOR.en.hField({ name: "worker-0", field: "pod CIDR" })).toBe("worker-0 pod CIDR");
  });
});

describe("English is as it was", () => {
  it("keeps the page's sentences byte for byte", () => {
    expect(APP.en.live({ n: 3, total: 21, text: "x" })).toBe("Step 3 of 21: x");
    expect(CONTROLS.en.valueText({ n: 1, total: 2 })).toBe("step 1 of 2");
    expect(HOPS.en.windowed({ count: 12345 })).toBe("Hops of the packet, in order (12,345 steps; the ones in view are listed)");
    expect(DETAIL.en.fdb({ bridge: "cnio0", size: 1 })).toBe("cnio0's forwarding table when the frame came (1 entry)");
    expect(DETAIL.en.fdb({ bridge: "cnio0", size: 9, shown: 4 })).toBe("cnio0's forwarding table when the frame came (9 entries, 4 shown)");
    expect(DETAIL.en.rule({ table: "nat", chain: "C", hook: "OUTPUT", index: 2, pkts: 1, bytes: 60 })).toBe("table nat, chain C (OUTPUT), rule 2: 1 packets, 60 bytes");
    expect(TERMINAL.en.newFlows({ flows: 1 })).toBe("[hopscope: 1 new flow traced; the view shows the first]\n");
    expect(SHARE.en.savedPcap({ name: "a", frames: 1 })).toBe("Saved a (1 frame)");
    expect(NOTICES.en.restarted({ reason: "It broke" })).toBe("It broke. The engine was restarted.");
    expect(EDITOR.en.notApplied({ count: 1 })).toBe("Not applied: this edit has a problem (shown at the fields). The diagram still shows the last valid scenario.");
  });
});

describe("a link that cannot be opened says why in the page's language", () => {
  it("in Russian, and in English exactly as before", () => {
    const bad = { view: "<script>" };
    const en = decodeView(bad);
    const ru = decodeView(bad, "ru");
    expect(en).toEqual({ ok: false, error: "The link's data has characters a Hopscope link never contains: it was changed or garbled." });
    expect(ru.ok).toBe(false);
    expect(!ru.ok && ru.error).toBe("В данных ссылки есть символы, которых в ссылке Hopscope не бывает: её изменили или испортили.");
    const none = decodeView({}, "ru");
    expect(!none.ok && none.error).toMatch(/^В ссылке нет вида/);
  });
});
