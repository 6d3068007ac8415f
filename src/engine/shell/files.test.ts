/**
 * The files a learner reads, ip route get and traceroute: byte for byte as the 2018 node's tools
 * wrote them (the CNI configuration is KTHW's heredoc output, checked by its SHA-256), and ls's
 * columns against GNU ls itself.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runScenario } from "../k8s/run";
import { builtinScenario } from "../scenarios/article";
import { resolveTarget } from "./exec";
import { lsColumns } from "./files";
import { runLine, type ShellSession } from "./session";

function fresh(id = "pod-to-pod"): ShellSession {
  const r = runScenario(builtinScenario(id));
  if (!r.ok) throw new Error("scenario failed");
  return { cluster: r.cluster, flows: [...r.trace.flows] };
}
const s = fresh();
const run = (target: string, line: string) => {
  const t = resolveTarget(s.cluster, target);
  if ("error" in t) throw new Error(t.error);
  return runLine(s, t.ns, line);
};
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("files", () => {
  it("the CNI configuration is KTHW's, byte for byte (worker-0's 10-bridge.conf: 303 bytes)", () => {
    const bridge = run("worker-0", "cat /etc/cni/net.d/10-bridge.conf").stdout;
    expect(bridge.length).toBe(303);
    expect(sha256(bridge)).toBe("ed5b34f1af9faca8da8affa9455f181cf9115091ba85b2622e4022c13f064280");
    expect(sha256(run("worker-2", "cat /etc/cni/net.d/99-loopback.conf").stdout)).toBe("db66167de0b72c11385e9fbaba90d9c27c59bca55ae55026239896948e6aee82");
    expect(run("worker-1", "cat /etc/cni/net.d/10-bridge.conf").stdout).toContain('[{"subnet": "10.200.1.0/24"}]');
    expect(run("worker-0", "sudo cat /var/lib/kubelet/kubelet-config.yaml").stdout).toContain('podCIDR: "10.200.0.0/24"\nruntimeRequestTimeout: "15m"\ntlsCertFile: "/var/lib/kubelet/worker-0.pem"\n');
  });

  it("a pod's /etc/resolv.conf is what containerd writes from kubelet's ClusterFirst settings, and says what it cannot know", () => {
    for (const r of [run("worker-0/busybox0-rw89s", "cat /etc/resolv.conf"), run("worker-0", "kubectl exec busybox0-rw89s -- cat /etc/resolv.conf")]) {
      expect(r.stdout).toBe("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.32.0.10\noptions ndots:5\n");
      expect(r.stderr).toMatch(/node's search domains/);
      expect(r.code).toBe(0);
    }
    // nsenter changes the network namespace only: the file is the node's.
    expect(run("worker-0", "sudo nsenter --net=/var/run/netns/cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a cat /etc/resolv.conf").stderr).toMatch(/node's own \/etc\/resolv.conf/);
    expect(run("worker-0/busybox0-rw89s", "cat /etc/hostname").stdout).toBe("busybox0-rw89s\n");
  });

  it("ls lists the CNI directories, in columns on a terminal and one per line into a pipe", () => {
    expect(run("worker-0", "ls /opt/cni/bin").stdout).toBe("bridge\tflannel     ipvlan    macvlan  ptp     tuning\ndhcp\thost-local  loopback  portmap  sample  vlan\n");
    expect(run("worker-0", "ls /etc/cni/net.d | cat").stdout).toBe("10-bridge.conf\n99-loopback.conf\n");
    expect(run("worker-0", "ls /etc/cni/net.d/10-bridge.conf").stdout).toBe("/etc/cni/net.d/10-bridge.conf\n");
  });

  const gnuLs = spawnSync("ls", ["--version"], { encoding: "utf8" }).stdout.startsWith("ls (GNU coreutils)");
  if (!gnuLs) console.warn("skipped: ls's columns against GNU ls: GNU ls is not installed");
  it.skipIf(!gnuLs)("ls's columns are GNU ls's for 200 random directories", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,22}$/), { minLength: 1, maxLength: 30 }), (names) => {
        const dir = mkdtempSync(join(tmpdir(), "hopscope-ls-"));
        try {
          for (const n of names) writeFileSync(join(dir, n), "");
          const real = spawnSync("ls", ["-C", "-w", "80", dir], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } }).stdout;
          expect(lsColumns([...names].sort())).toBe(real);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 200, seed: 20261127 },
    );
  });
});

describe("ip route get", () => {
  it("answers from the routing table the packets use, as iproute2 4.15 prints it, with the caller's uid", () => {
    expect(run("worker-0", "ip route get 10.200.1.15").stdout).toBe("10.200.1.15 via 10.240.0.1 dev eth0 src 10.240.0.20 uid 1000 \n    cache \n");
    expect(run("worker-0", "sudo ip route get 10.200.0.21").stdout).toBe("10.200.0.21 dev cnio0 src 10.200.0.1 uid 0 \n    cache \n");
    expect(run("worker-0", "ip route get 10.240.0.20").stdout).toBe("local 10.240.0.20 dev lo src 10.240.0.20 uid 1000 \n    cache <local> \n");
    expect(run("worker-0/busybox0-rw89s", "ip route get 10.32.0.10").stdout).toBe("10.32.0.10 via 10.200.0.1 dev eth0 src 10.200.0.21 uid 0 \n    cache \n");
    const none = run("vpc-router", "ip route get 10.9.9.9");
    expect([none.stdout, none.stderr, none.code]).toEqual(["", "RTNETLINK answers: Network is unreachable\n", 2]);
    expect(run("worker-0", "ip route get foo").stderr).toBe('Error: any valid prefix is expected rather than "foo".\n');
  });
});

describe("traceroute -n", () => {
  it("from a pod to a pod on another node: the node, the other node (the VPC fabric is no hop), the pod", () => {
    const r = run("worker-0/busybox0-rw89s", "traceroute -n 10.200.1.15");
    expect(r.stdout.replace(/\d+\.\d{3} ms/g, "T ms")).toBe(
      "traceroute to 10.200.1.15 (10.200.1.15), 30 hops max, 46 byte packets\n 1  10.200.0.1  T ms  T ms  T ms\n 2  10.240.0.21  T ms  T ms  T ms\n 3  10.200.1.15  T ms  T ms  T ms\n",
    );
    expect(r.stderr).toBe("(hopscope: round-trip times are simulated)\n");
    // Each probe and its ICMP answer are flows of the trace.
    expect(r.flows.length).toBe(18);
  });

  it("from a node, in traceroute 2.1.0's layout; a router without a route answers !N; no route at all fails to connect", () => {
    expect(run("worker-0", "traceroute -n 10.200.1.15").stdout.replace(/\d+\.\d{3} ms/g, "T ms")).toBe(
      "traceroute to 10.200.1.15 (10.200.1.15), 30 hops max, 60 byte packets\n 1  10.240.0.21  T ms  T ms  T ms\n 2  10.200.1.15  T ms  T ms  T ms\n",
    );
    expect(run("worker-0", "traceroute -n -q 1 10.9.9.9").stdout.replace(/\d+\.\d{3} ms/g, "T ms")).toBe("traceroute to 10.9.9.9 (10.9.9.9), 30 hops max, 60 byte packets\n 1  10.240.0.1  T ms !N\n");
    const none = run("vpc-router", "traceroute -n 10.9.9.9");
    expect([none.stdout, none.stderr, none.code]).toEqual(["traceroute to 10.9.9.9 (10.9.9.9), 30 hops max, 60 byte packets\n", "connect: Network is unreachable\n", 1]);
    expect(run("worker-0", "traceroute 10.200.1.15").stderr).toMatch(/use traceroute -n/);
  });
});
