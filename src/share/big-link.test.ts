/**
 * A big cluster's link stays small: a 100-worker, 3,000-pod, 100-service scenario written with
 * a worker series and spread replicas makes a link of at most 8 KB, and it opens as the same
 * document; written out the long way the same cluster's link is more than twice as long.
 */
import { describe, expect, it } from "vitest";
import { scaleScenario, writtenOut } from "../engine/scenarios/generate";
import { encodeView, formatHash, parseHash } from "./codec";
import { decodeView } from "./decode";

const panels = { detail: true, hops: true, node: true };
const EIGHT_KB = 8 * 1024;

describe("a big scenario's link", () => {
  it("is at most 8 KB for 100 workers × 30 pods and 100 services, whole URL included, and opens as the same document", () => {
    const spec = scaleScenario({ workers: 100, podsPerWorker: 30, services: 100 });
    const view = encodeView({ scenario: { spec }, panels });
    const url = `http://localhost:4173/${formatHash({ view, at: { flow: 0, step: 0 }, embed: false, autoplay: false, hide: [] })}`;
    expect(url.length).toBeLessThanOrEqual(EIGHT_KB);
    const back = decodeView(parseHash(new URL(url).hash));
    expect(back.ok && back.state.scenario).toEqual({ spec });
  });

  it("would be over twice as long with every worker and every replica's node listed", () => {
    const spec = scaleScenario({ workers: 100, podsPerWorker: 30, services: 100 });
    const short = encodeView({ scenario: { spec }, panels }).length;
    const long = encodeView({ scenario: { spec: writtenOut(spec) }, panels }).length;
    expect(long).toBeGreaterThan(2 * short);
  });
});
