/** The kernel's per-host ICMP limits, as inet_peer keeps them. */
import { describe, expect, it } from "vitest";
import { errorAllowed, peerOf, rateLimited, redirectAllowed, type IcmpPeer } from "./icmp-limits";

describe("ICMP error rate limit (icmpv4_xrlim_allow)", () => {
  it("lets a burst of six through, then one a second", () => {
    const peers = new Map<number, IcmpPeer>();
    const p = peerOf(peers, 1, 100_000);
    const burst = Array.from({ length: 8 }, () => errorAllowed(p, 100_000));
    expect(burst).toEqual([true, true, true, true, true, true, false, false]);
    expect(errorAllowed(p, 100_999)).toBe(false);
    expect(errorAllowed(p, 101_999)).toBe(true);
  });

  it("applies to unreachable, source quench, time exceeded and parameter problem, but never to fragmentation needed", () => {
    expect([rateLimited(3, 1), rateLimited(4, 0), rateLimited(11, 0), rateLimited(12, 0)]).toEqual([true, true, true, true]);
    expect([rateLimited(3, 4), rateLimited(0, 0), rateLimited(5, 1), rateLimited(8, 0)]).toEqual([false, false, false, false]);
  });
});

describe("redirect back-off (ip_rt_send_redirect)", () => {
  it("sends the first at once, the next after 40 ms, then 80 ms, and stops after nine until 20.48 s of quiet", () => {
    const peers = new Map<number, IcmpPeer>();
    const p = peerOf(peers, 1, 0);
    expect(redirectAllowed(p, 0)).toBe(true);
    expect(redirectAllowed(p, 40)).toBe(false);
    expect(redirectAllowed(p, 41)).toBe(true);
    expect(redirectAllowed(p, 41 + 80)).toBe(false);
    expect(redirectAllowed(p, 41 + 81)).toBe(true);
    let t = 41 + 81;
    for (let n = 3; n < 9; n++) {
      t += (20 << n) + 1;
      expect(redirectAllowed(p, t)).toBe(true);
    }
    expect(p.redirects).toBe(9);
    expect(redirectAllowed(p, t + 20_000)).toBe(false);
    expect(redirectAllowed(p, t + 20_000 + 20_481)).toBe(true);
  });

  it("moves the clock the error limit reads: an error right after a redirect is held back", () => {
    const peers = new Map<number, IcmpPeer>();
    const p = peerOf(peers, 1, 50_000);
    expect(redirectAllowed(p, 50_000)).toBe(true);
    expect(errorAllowed(p, 50_000)).toBe(false);
    expect(errorAllowed(p, 51_000)).toBe(true);
  });
});
