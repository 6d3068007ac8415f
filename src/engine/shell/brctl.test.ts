import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bridgeLab } from "../testing/bridge-lab";
import { World } from "../world";
import { bridgeId, brctlShow } from "./brctl";

const golden = (name: string) => readFileSync(new URL(`./__fixtures__/bridge-utils-1.5/${name}`, import.meta.url), "utf8");

/** The lab the bridge-utils 1.5 fixtures were captured in (see __fixtures__/README.md). */
function labWorld(): World {
  const w = new World();
  w.addNetns({ name: "n", node: "n" });
  w.addNetns({ name: "peers", node: "n" });
  w.bridge("n", "cnio0", "0a:58:0a:c8:00:01");
  w.veth({ ns: "n", name: "veth3f64507a" }, { ns: "peers", name: "p1" });
  w.veth({ ns: "n", name: "vethb0b0dc1b" }, { ns: "peers", name: "p2" });
  w.enslave("n", "vethb0b0dc1b", "cnio0");
  w.enslave("n", "veth3f64507a", "cnio0");
  w.bridge("n", "abr", "02:00:00:00:00:0a");
  return w;
}

describe("brctl show, byte for byte against bridge-utils 1.5 in the lab", () => {
  const n = labWorld().get("n");

  it.each([
    [undefined, "all.txt"],
    ["cnio0", "cnio0.txt"],
    ["abr", "abr.txt"],
  ] as [string | undefined, string][])("brctl show %s", (bridge, file) => {
    expect(brctlShow(n, bridge)).toEqual({ stdout: golden(file), exitCode: 0 });
  });

  it("prints the header alone in a namespace without bridges", () => {
    const w = new World();
    expect(brctlShow(w.addNetns({ name: "empty", node: "n" }))).toEqual({ stdout: golden("none.txt"), exitCode: 0 });
  });

  it.each([
    ["nope", "nope"],
    ["veth3f64507a", "p1"],
  ])("brctl show %s: 1.5's half line, its complaint on stderr, and status 0", (name, file) => {
    const out = brctlShow(n, name);
    // The lab's p1 was a veth too; only the name differs.
    expect(out).toEqual({
      stdout: golden(`${file}.out`).replace(`${file}\t\t`, `${name}\t\t`),
      error: golden(`${file}.err`).trimEnd(),
      exitCode: Number(golden(`${file}.rc`).trim()),
    });
  });

  it("says what the terminal shows for a missing bridge", () => {
    const out = brctlShow(n, "docker0");
    expect(out.stdout + out.error + "\n").toBe("bridge name\tbridge id\t\tSTP enabled\tinterfaces\ndocker0\t\tcan't get info No such device\n");
  });
});

describe("the article's bridge", () => {
  it("prints cnio0 with its two pods' veths", () => {
    const w = bridgeLab();
    expect(brctlShow(w.get("node"))).toEqual({
      stdout: "bridge name\tbridge id\t\tSTP enabled\tinterfaces\ncnio0\t\t8000.0a580ac80001\tno\t\tveth0000000a\n\t\t\t\t\t\t\tveth0000000b\n",
      exitCode: 0,
    });
  });

  it.each([
    ["0a:58:0a:c8:00:01", "8000.0a580ac80001"],
    ["0A:58:0A:C8:00:01", "8000.0a580ac80001"],
    ["02:00:00:00:00:0a", "8000.02000000000a"],
  ])("bridge id of %s is %s", (mac, id) => {
    expect(bridgeId(mac)).toBe(id);
  });
});
