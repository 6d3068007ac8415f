import { describe, expect, it } from "vitest";
import { capLines, handle } from "./handle";
import type { EngineResponse, Kind, ResultOf } from "./protocol";
import { builtinScenario } from "../engine/scenarios/article";

async function ok<K extends Kind>(pending: Promise<EngineResponse<K>>): Promise<ResultOf<K>> {
  const res = await pending;
  if (!res.ok) throw new Error(res.error);
  return res.result;
}

describe("the worker answers in the page's language", () => {
  it("lists the built-in scenarios with Russian titles for lang ru, English ones otherwise", async () => {
    const en = await ok(handle({ id: 1, kind: "scenarios" }));
    const ru = await ok(handle({ id: 2, kind: "scenarios", lang: "ru" }));
    expect(en.scenarios.find((s) => s.id === "pod-to-pod")?.title).toBe("Pod to pod across nodes (ipMasq on)");
    expect(ru.scenarios.map((s) => s.id)).toEqual(en.scenarios.map((s) => s.id));
    expect(ru.scenarios.find((s) => s.id === "pod-to-pod")?.title).toBe("Под → под, две ноды (с ipMasq)");
    for (const s of ru.scenarios) expect(s.description).toMatch(/[а-яё]/);
    expect(await ok(handle({ id: 3, kind: "scenarios", lang: "en" }))).toEqual(en);
  });

  it("tells a run and a trace of a built-in scenario in Russian, title and sentences; a user's scenario keeps its title", async () => {
    const run = await ok(handle({ id: 4, kind: "run", scenario: "no-route", lang: "ru" }));
    if (run.kind !== "run") throw new Error("run failed");
    expect(run.scenario.title).toBe("Нет маршрута в VPC");
    expect(run.trace.flows[0]!.steps[0]!.text).toMatch(/^Таблица маршрутизации busybox0-rw89s/);
    const trace = await ok(handle({ id: 5, kind: "trace", scenario: "no-route", lang: "ru" }));
    if (trace.kind !== "trace") throw new Error("trace failed");
    expect(trace.scenario.title).toBe("Нет маршрута в VPC");
    const english = await ok(handle({ id: 6, kind: "run", scenario: "no-route" }));
    if (english.kind !== "run") throw new Error("run failed");
    expect(english.scenario.title).toBe("A missing VPC route");
    const mine = { ...structuredClone(builtinScenario("no-route")!), title: "My broken VPC", description: "mine" };
    const own = await ok(handle({ id: 7, kind: "run", scenario: { spec: mine }, lang: "ru" }));
    if (own.kind !== "run") throw new Error("run failed");
    expect(own.scenario).toMatchObject({ title: "My broken VPC", description: "mine" });
    expect(own.trace.flows[0]!.steps[0]!.text).toMatch(/^Таблица маршрутизации/);
  });

  it("tells a shell line's flows in Russian", async () => {
    await ok(handle({ id: 8, kind: "run", scenario: "pod-to-pod", lang: "ru" }));
    const ping = await ok(handle({ id: 9, kind: "exec", target: "worker-0/busybox0-rw89s", line: "ping -c 1 10.200.1.15", lang: "ru" }));
    expect(ping.flows.map((f) => f.name)).toEqual(["запрос ping", "ответ ping"]);
    expect(ping.flows[0]!.origin).toBe("ping -c 1 10.200.1.15 (на busybox0-rw89s)");
    expect(ping.display).toMatch(/^PING 10\.200\.1\.15 \(10\.200\.1\.15\): 56 data bytes\n/);
  });
});

describe("the terminal's cut-off notice", () => {
  it("counts the lines not shown with the right Russian plural, and stays as it was in English", () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`).join("\n") + "\n";
    expect(capLines(lines(3), 2)).toBe("line 0\nline 1\n[hopscope: 1 more line not shown; pipe the command into grep, head or tail]\n");
    expect(capLines(lines(3), 2, "ru")).toBe("line 0\nline 1\n[hopscope: не показана ещё 1 строка; передайте вывод команды в grep, head или tail]\n");
    expect(capLines(lines(4), 2, "ru")).toMatch(/не показаны ещё 2 строки;/);
    expect(capLines(lines(7), 2, "ru")).toMatch(/не показано ещё 5 строк;/);
    expect(capLines(lines(13), 2, "ru")).toMatch(/не показано ещё 11 строк;/);
    expect(capLines(lines(23), 2, "ru")).toMatch(/не показана ещё 21 строка;/);
    expect(capLines(lines(24), 2, "ru")).toMatch(/не показаны ещё 22 строки;/);
    expect(capLines(lines(27), 2, "ru")).toMatch(/не показано ещё 25 строк;/);
  });
});
