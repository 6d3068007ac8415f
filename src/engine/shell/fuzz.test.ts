/**
 * Nothing a user types can break the shell: random lines built from the shell's own programs,
 * options and arguments (and quoting, pipes and junk) always come back as an answer — a
 * number for the exit status and text to show — and quickly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveTarget } from "./exec";
import { LINE_LIMITS } from "./budget";
import { freshSession } from "../testing/shell-session";
import { PROGRAMS, runLine } from "./session";

const fresh = () => freshSession();

const WORDS = [
  ...PROGRAMS,
  "-n", "-i", "-c", "-t", "-e", "-L", "-S", "-Z", "-v", "-x", "-4", "-6", "-br", "-o", "-s", "-p", "-d", "-q", "-rn", "-ni", "-c3", "--bogus", "--net=/var/run/netns/x",
  "eth0", "cnio0", "lo", "nat", "filter", "POSTROUTING", "KUBE-SERVICES", "10.200.1.15", "10.32.0.10", "@10.32.0.10", "999999", "1", "0", "-1", "4026532089",
  "netns", "exec", "identify", "route", "link", "addr", "show", "dev", "fdb", "get", "describe", "pods", "svc", "ep", "nodes", "--", "info", "ls", "task", "k8s.io",
  "cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a", "busybox0-rw89s", "kubernetes", "http://10.32.0.53/", "port", "host", "and", "or", "not", "icmp", "tcp", "udp",
  "'", '"', "|", ";", "&&", "||", "#", "(", ")", "$(", "`", "\\\\", "*", "[1-9]*", "/proc/[1-9]*/ns/net", "/sys/class/net/eth0/ifindex", "/proc/sys/net/ipv4/ip_forward",
  "", "é", "constructor", "__proto__", "(a+)+", "\\\\(", "[", "]", "{", "}", ">", "<", "&", "!", "!!!!!!!!", "((((((",
  // What the hardening probe found hanging or flooding: backtracking patterns, packet and output bombs.
  "'.*.*.*.*Q'", "'[^Q]*[^Q]*[^Q]*Q'", "'.\\{0,99\\}.\\{0,99\\}Q'", "'\\(a*\\)*\\1'", "-w", "-E", "ping -c 100 10.200.1.15;", "iptables-save;", "-c 100", "/proc/" + "*".repeat(50) + "/ns/net",
];
const TARGETS = ["worker-0", "worker-1", "controller-0", "vpc-router", "client", "worker-0/busybox0-rw89s", "worker-1/nginx-65899c769f-wxdx6"];

describe("any line", () => {
  it("gets an answer, never an exception, and in good time", () => {
    let session = fresh();
    let n = 0;
    fc.assert(
      fc.property(fc.constantFrom(...TARGETS), fc.array(fc.constantFrom(...WORDS), { minLength: 0, maxLength: 9 }), (target, words) => {
        if (++n % 40 === 0) session = fresh();
        const t = resolveTarget(session.cluster, target);
        if ("error" in t) throw new Error(t.error);
        const line = words.join(" ");
        const t0 = performance.now();
        const r = runLine(session, t.ns, line);
        const ms = performance.now() - t0;
        expect(Number.isInteger(r.code), line).toBe(true);
        expect(typeof r.display, line).toBe("string");
        expect(r.display.includes("undefined") && !line.includes("undefined"), line).toBe(false);
        expect(ms, line).toBeLessThan(1500);
        expect(r.flows.length, line).toBeLessThanOrEqual(LINE_LIMITS.flows + 4);
        expect(r.display.length, line).toBeLessThan(LINE_LIMITS.output + 1000);
      }),
      { numRuns: 10_000, seed: 20261126 },
    );
  });
});
