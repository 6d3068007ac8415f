/**
 * The diagram's text meets WCAG AA (4.5:1) on what it is drawn on, in the light theme and in the
 * dark one, where the diagram is drawn through `invert(1) hue-rotate(180deg)` (src/index.css),
 * computed here with the Filter Effects spec's matrices on sRGB values as Chromium applies them.
 */
import { describe, expect, it } from "vitest";
import { C, FILL, TEXT, TRAIL, TUNNEL } from "./diagramStyle";

type RGB = [number, number, number];

function rgb(colour: string): RGB {
  if (colour === "white") return [1, 1, 1];
  const h = colour.replace("#", "");
  const full = h.length === 3 ? [...h].map((c) => c + c).join("") : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255) as RGB;
}

function luminance([r, g, b]: RGB): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function contrast(a: RGB, b: RGB): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** invert(1), then hue-rotate(180deg), per the Filter Effects Module's definitions. */
function darkFilter(c: RGB): RGB {
  const inv = c.map((v) => 1 - v) as RGB;
  const a = Math.PI;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const m = [
    [0.213 + cos * 0.787 - sin * 0.213, 0.715 - cos * 0.715 - sin * 0.715, 0.072 - cos * 0.072 + sin * 0.928],
    [0.213 - cos * 0.213 + sin * 0.143, 0.715 + cos * 0.285 + sin * 0.14, 0.072 - cos * 0.072 - sin * 0.283],
    [0.213 - cos * 0.213 - sin * 0.787, 0.715 - cos * 0.715 + sin * 0.715, 0.072 + cos * 0.928 + sin * 0.072],
  ];
  return m.map((row) => Math.min(1, Math.max(0, row[0]! * inv[0] + row[1]! * inv[1] + row[2]! * inv[2]))) as RGB;
}

/** Every text colour the diagram draws, with every fill it is drawn on. */
const PAIRS: [string, string, string][] = [
  ...(["node", "router", "client", "pod", "bridge"] as const).flatMap((f): [string, string, string][] => [
    [`ink on ${f}`, TEXT.ink, FILL[f]],
    [`muted on ${f}`, TEXT.muted, FILL[f]],
  ]),
  ["host network label on the page", TEXT.host, "white"],
  ["pod network on a node", TEXT.pod, FILL.node],
  ["bridge name on the bridge", TEXT.pod, FILL.bridge],
  ["service network label", TEXT.svc, FILL.services],
  ["service on its picked highlight", TEXT.ink, FILL.servicePicked],
  ["the packet's badge", TEXT.badgeText, TEXT.badge],
  ["a rule chip", TEXT.rule, TEXT.ruleFill],
  ["a tunnel's label and chip", TUNNEL.text, TUNNEL.fill],
  ["a tunnel's label on a node", TUNNEL.text, FILL.node],
  ["a drop's reason", TEXT.drop, TEXT.dropFill],
  ["a trail label", C.ink, TRAIL.label],
  ["a NAT on a trail label", TRAIL.natText, TRAIL.nat],
];

describe("the diagram's text contrast", () => {
  for (const theme of ["light", "dark"] as const) {
    it(`meets WCAG AA in the ${theme} theme`, () => {
      const shown = (c: string) => (theme === "dark" ? darkFilter(rgb(c)) : rgb(c));
      const low = PAIRS.map(([what, fg, bg]) => ({ what, ratio: contrast(shown(fg), shown(bg)) })).filter((p) => p.ratio < 4.5);
      expect(low.map((p) => `${p.what}: ${p.ratio.toFixed(2)}`)).toEqual([]);
    });
  }

  it("can fail: the old pod green on the bridge is below AA", () => {
    expect(contrast(rgb(C.pod), rgb(FILL.bridge))).toBeLessThan(4.5);
  });
});
