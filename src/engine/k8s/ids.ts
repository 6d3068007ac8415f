/**
 * Identifiers the cluster's components draw at random (container and sandbox IDs, netns UUIDs,
 * pod name suffixes), derived here from seeds so the same scenario always names things alike.
 */
import { hashString, seededRng } from "../rng";

/**
 * A deterministic hex identifier (container and sandbox IDs, netns UUIDs, veth suffixes) from a
 * seed text. The real ones are random; these only need to be stable and well spread, so a seeded
 * generator does it at a fraction of a SHA-256's cost (a cluster has tens of thousands of them).
 */
export function hexId(seed: string, length = 64): string {
  const rng = seededRng(hashString(seed));
  let out = "";
  while (out.length < length) out += rng.nextU32().toString(16).padStart(8, "0");
  return out.slice(0, length);
}

/** Kubernetes' alphabet for generated name suffixes (no vowels, no look-alikes). */
export const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** rand.SafeEncodeString: each byte of the text mapped into ALPHANUMS; "2145573259" → "65899c769f". */
export function safeEncode(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) out += ALPHANUMS[text.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/**
 * containerd's network namespace name for a sandbox: cni- and a random UUID (here derived from
 * the sandbox; `attempt` > 0 derives another one, as a new random draw would, when the first is
 * taken).
 */
export function netnsName(sandboxId: string, attempt = 0): string {
  const h = hexId(attempt ? `netns/${sandboxId}/${attempt}` : `netns/${sandboxId}`, 32);
  return `cni-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
