/**
 * The kernel's limits on the ICMP it sends, kept per destination host as the kernel keeps them
 * (struct inet_peer): a token bucket for errors (icmpv4_xrlim_allow, net.ipv4.icmp_ratelimit) and
 * the redirect back-off (ip_rt_send_redirect). Both read and move the same clock, rate_last, so a
 * redirect sent to a host holds back an error to that host right after it: the lab shows a
 * forwarding loop's "time exceeded" suppressed that way (docs/kernel-lab-notes.md).
 *
 * The global limit (net.ipv4.icmp_msgs_per_sec, 1000 a second with a burst of 50) is not kept:
 * no trace comes near it.
 */

/** One host's entry. Times are milliseconds of simulated time, as jiffies at HZ=1000. */
export interface IcmpPeer {
  rateTokens: number;
  rateLast: number;
  redirects: number;
}

/** net.ipv4.icmp_ratelimit: 1000 ms between errors to one host once the burst is spent. */
export const ICMP_RATELIMIT_MS = 1000;
/** XRLIM_BURST_FACTOR: a host may collect up to six intervals' worth. */
const BURST_FACTOR = 6;
/** net.ipv4.icmp_ratemask 6168: destination unreachable, source quench, time exceeded, parameter problem. */
const RATEMASK = (1 << 3) | (1 << 4) | (1 << 11) | (1 << 12);
/** ip_rt_redirect_load (HZ/50), ip_rt_redirect_number and ip_rt_redirect_silence ((HZ/50) << 10). */
const REDIRECT_LOAD_MS = 20;
const REDIRECT_NUMBER = 9;
const REDIRECT_SILENCE_MS = REDIRECT_LOAD_MS << (REDIRECT_NUMBER + 1);

/** inet_getpeer: a new entry starts 60 s in the past, so that its first bucket is full. */
export function peerOf(peers: Map<number, IcmpPeer>, host: number, now: number): IcmpPeer {
  let p = peers.get(host);
  if (!p) {
    p = { rateTokens: 0, rateLast: now - 60_000, redirects: 0 };
    peers.set(host, p);
  }
  return p;
}

/** Whether the rate limit applies to this ICMP type and code at all (icmpv4_mask_allow). */
export function rateLimited(type: number, code: number): boolean {
  if (type === 3 && code === 4) return false; // fragmentation needed: PMTU discovery is never limited
  return (RATEMASK & (1 << type)) !== 0;
}

/** inet_peer_xrlim_allow: take one interval's tokens, or refuse; the clock moves either way. */
export function errorAllowed(peer: IcmpPeer, now: number): boolean {
  let token = peer.rateTokens + (now - peer.rateLast);
  peer.rateLast = now;
  if (token > BURST_FACTOR * ICMP_RATELIMIT_MS) token = BURST_FACTOR * ICMP_RATELIMIT_MS;
  const ok = token >= ICMP_RATELIMIT_MS;
  if (ok) token -= ICMP_RATELIMIT_MS;
  peer.rateTokens = token;
  return ok;
}

/**
 * ip_rt_send_redirect's back-off: after a quiet spell the count starts over; the first redirect
 * goes at once, the n-th only 20 ms << n after the one before, and after nine none at all until
 * the host has been quiet for 20.48 s. A redirect sent (or held back after nine) moves rate_last.
 */
export function redirectAllowed(peer: IcmpPeer, now: number): boolean {
  if (now > peer.rateLast + REDIRECT_SILENCE_MS) {
    peer.rateTokens = 0;
    peer.redirects = 0;
  }
  if (peer.redirects >= REDIRECT_NUMBER) {
    peer.rateLast = now;
    return false;
  }
  if (peer.redirects === 0 || now > peer.rateLast + (REDIRECT_LOAD_MS << peer.redirects)) {
    peer.rateLast = now;
    peer.redirects++;
    return true;
  }
  return false;
}
