import { describe, expect, it } from "vitest";
import { cniChain } from "./bridge";

describe("the CNI bridge plugin's chain name (v0.6.0)", () => {
  it("hashes the article's container to CNI-be726a77f15ea47ff32947a3", () => {
    expect(cniChain("bridge", "631cab5de5565cc432a3beca0e2aece0cef9285482b11f3eb0b46c134e457854")).toBe("CNI-be726a77f15ea47ff32947a3");
  });
});
