/**
 * The article's walk-through, command by command, on the simulated cluster of the pod-to-pod
 * scenario: the same commands in the same order on the same nodes, with the values the earlier
 * commands revealed (the newest pod namespace's inode and its pause PID, container IDs, the
 * veth's peer index) filled into the later ones, as a reader following along would.
 *
 * Where the article looks at its nginx pod on worker-0, this cluster's newest pod on worker-0 is
 * busybox0-rw89s, so the walk greps for busybox; the NodePort part curls from the client on the
 * internet, as the article does from its workstation.
 *
 * Shared by the unit test, the golden files and the Playwright test that types it.
 */
import type { Cluster } from "../k8s/build";
import { resolveTarget } from "../shell/exec";
import { runLine, type ShellSession } from "../shell/session";

export type WalkVars = Record<string, string>;

export interface WalkStep {
  /** A short name for the golden file. */
  readonly name: string;
  /** Where it runs: a node, the client, or node/pod. */
  readonly target: string;
  readonly line: (v: WalkVars) => string;
  /** Reads values later steps need from this step's output; throws when they are missing. */
  readonly learn?: (out: string, v: WalkVars) => void;
}

function need(m: RegExpExecArray | null | undefined, what: string): RegExpExecArray {
  if (!m) throw new Error(`the walk-through could not find ${what}`);
  return m;
}

export const POD = "busybox0-rw89s";

export const ARTICLE_WALKTHROUGH: readonly WalkStep[] = [
  {
    name: "lsns",
    target: "worker-0",
    line: () => "sudo lsns -t net",
    learn: (out, v) => {
      // The newest namespace: the last row (rows are sorted by inode).
      const rows = out.trim().split("\n").slice(1);
      const m = need(/^(\d+) net +\d+ +(\d+) root \/pause$/.exec(rows.at(-1)!.trim()), "a pod namespace in lsns");
      v.INODE = m[1]!;
      v.PID = m[2]!;
    },
  },
  {
    name: "ls-netns",
    target: "worker-0",
    line: () => "ls -1i /var/run/netns",
    learn: (out, v) => {
      v.NETNS = need(new RegExp(`^${v.INODE} (cni-[0-9a-f-]+)$`, "m").exec(out), "the namespace's name by its inode")[1]!;
    },
  },
  { name: "ip-netns", target: "worker-0", line: () => "ip netns" },
  { name: "proc-ps", target: "worker-0", line: (v) => `sudo ls -l /proc/[1-9]*/ns/net | grep ${v.INODE} | cut -f3 -d"/" | xargs ps -p` },
  { name: "get-pods-grep", target: "worker-0", line: () => "kubectl get pods -o wide | grep busybox" },
  {
    name: "describe-pod",
    target: "worker-0",
    line: () => `kubectl describe pods ${POD}`,
    learn: (out, v) => {
      v.CID = need(/Container ID: +containerd:\/\/([0-9a-f]{64})/.exec(out), "the container ID")[1]!;
    },
  },
  { name: "ctr-namespaces", target: "worker-0", line: () => "sudo ctr namespaces ls" },
  { name: "ctr-containers-busybox", target: "worker-0", line: () => "sudo ctr -n k8s.io containers ls | grep busybox" },
  { name: "ctr-containers-pause", target: "worker-0", line: () => "sudo ctr -n k8s.io containers ls | grep pause" },
  {
    name: "ctr-tasks",
    target: "worker-0",
    line: () => "sudo ctr -n k8s.io task ls",
    learn: (out, v) => {
      v.SANDBOX = need(new RegExp(`^([0-9a-f]{64}) +${v.PID} +RUNNING$`, "m").exec(out), "the task with the pause PID")[1]!;
    },
  },
  { name: "ctr-info-sandbox", target: "worker-0", line: (v) => `sudo ctr -n k8s.io containers info ${v.SANDBOX}` },
  { name: "ctr-info-container", target: "worker-0", line: (v) => `sudo ctr -n k8s.io containers info ${v.CID}` },
  { name: "netns-identify", target: "worker-0", line: (v) => `sudo ip netns identify ${v.PID}` },
  { name: "nsenter-ip-link", target: "worker-0", line: (v) => `sudo nsenter -t ${v.PID} -n ip link show` },
  { name: "nsenter-ifconfig", target: "worker-0", line: (v) => `sudo nsenter -t ${v.PID} -n ifconfig eth0` },
  {
    name: "ethtool",
    target: "worker-0",
    line: (v) => `sudo ip netns exec ${v.NETNS} ethtool -S eth0`,
    learn: (out, v) => {
      v.PEER = need(/peer_ifindex: (\d+)/.exec(out), "peer_ifindex")[1]!;
    },
  },
  {
    name: "ip-link-grep",
    target: "worker-0",
    line: (v) => `ip link | grep '^${v.PEER}:'`,
    learn: (out, v) => {
      v.VETH = need(/^\d+: (veth[0-9a-f]{8})@if\d+:/.exec(out), "the host end of the veth")[1]!;
    },
  },
  { name: "sys-ifindex", target: "worker-0", line: (v) => `sudo cat /sys/class/net/${v.VETH}/ifindex` },
  { name: "brctl", target: "worker-0", line: () => "brctl show cnio0" },
  { name: "pod-route", target: "worker-0", line: (v) => `sudo ip netns exec ${v.NETNS} ip route show` },
  { name: "node-route", target: "worker-0", line: () => "ip route list" },
  { name: "get-pods", target: "worker-0", line: () => "kubectl get pods -o wide" },
  { name: "kubectl-exec-ping", target: "worker-0", line: () => `kubectl exec -it ${POD} -- ping -c 2 10.200.1.15` },
  { name: "conntrack-w0", target: "worker-0", line: () => "sudo conntrack -L | grep 10.200.1.15" },
  { name: "conntrack-w1", target: "worker-1", line: () => "sudo conntrack -L | grep 10.200.1.15" },
  { name: "iptables-zero", target: "worker-0", line: () => "sudo iptables -t nat -Z POSTROUTING -L -v" },
  { name: "describe-kube-dns", target: "worker-0", line: () => "kubectl -n kube-system describe services" },
  { name: "describe-nginx", target: "worker-0", line: () => "kubectl describe services nginx" },
  { name: "curl-nodeport", target: "client", line: () => "curl -s http://198.51.100.20:31088/ | grep title" },
  { name: "conntrack-nodeport-w0", target: "worker-0", line: () => "sudo conntrack -L | grep 31088" },
  { name: "conntrack-nodeport-w1", target: "worker-1", line: () => "sudo conntrack -L | grep 'dport=80 '" },
];

export interface WalkResult {
  readonly step: WalkStep;
  readonly line: string;
  readonly display: string;
  readonly code: number;
  readonly flows: number;
}

/** Runs the walk-through in a session, filling in learned values; throws if a step's output lacks what the next needs. */
export function runWalkthrough(session: ShellSession, steps: readonly WalkStep[] = ARTICLE_WALKTHROUGH): WalkResult[] {
  const vars: WalkVars = {};
  return steps.map((step) => {
    const t = resolveTarget(session.cluster, step.target);
    if ("error" in t) throw new Error(t.error);
    const line = step.line(vars);
    const r = runLine(session, t.ns, line);
    step.learn?.(r.stdout, vars);
    return { step, line, display: r.display, code: r.code, flows: r.flows.length };
  });
}

/** A fresh session on a cluster just after its scenario's traffic. */
export function sessionOf(cluster: Cluster, flows: ShellSession["flows"]): ShellSession {
  return { cluster, flows: [...flows] };
}
