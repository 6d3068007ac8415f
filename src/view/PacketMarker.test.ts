import { describe, expect, it } from "vitest";
import { wirePath } from "./PacketMarker";

describe("the packet's path between two hops", () => {
  it.each([
    ["within one node, straight", { x: 300, y: 300 }, { x: 310, y: 400 }, [{ x: 300, y: 300 }, { x: 310, y: 400 }]],
    ["between nodes, down the wire to the host network, across and up", { x: 300, y: 240 }, { x: 700, y: 240 }, [{ x: 300, y: 240 }, { x: 300, y: 190 }, { x: 700, y: 190 }, { x: 700, y: 240 }]],
    ["between the router and the client, along their own link", { x: 740, y: 71 }, { x: 1000, y: 71 }, [{ x: 740, y: 71 }, { x: 1000, y: 71 }]],
  ])("%s", (_name, a, b, path) => {
    expect(wirePath(a, b, 190)).toEqual(path);
  });
});
