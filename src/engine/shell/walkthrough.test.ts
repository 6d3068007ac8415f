/**
 * The article's walk-through on the simulated cluster: every command in order, each output kept
 * as a golden file (__golden__/NN-name.txt, written once and reviewed against the real tools'
 * formats; CI never rewrites them), and the values that tie the commands together checked
 * across them, as the issue asks: the PID ctr shows is the one lsns, ps, ip netns identify and
 * nsenter know; the inode lsns prints is the one ls -1i prints; peer_ifindex is ip link's index.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../k8s/run";
import { builtinScenario } from "../scenarios/article";
import { ARTICLE_WALKTHROUGH, POD, runWalkthrough, type WalkResult } from "../testing/walkthrough";

let walk: WalkResult[];
const out = (name: string) => {
  const w = walk.find((x) => x.step.name === name);
  if (!w) throw new Error(`no step ${name}`);
  return w.display;
};

beforeAll(() => {
  const r = runScenario(builtinScenario("pod-to-pod"));
  if (!r.ok) throw new Error("scenario failed");
  walk = runWalkthrough({ cluster: r.cluster, flows: [...r.trace.flows] });
});

describe("the article's walk-through", () => {
  it("runs every command of the article, in its order, without an error", () => {
    expect(walk.map((w) => w.step.name)).toEqual(ARTICLE_WALKTHROUGH.map((s) => s.name));
    for (const w of walk) expect([w.line, w.code]).toEqual([w.line, 0]);
  });

  it.each(ARTICLE_WALKTHROUGH.map((s, i) => [String(i + 1).padStart(2, "0"), s.name] as const))("%s %s matches its golden output", async (nn, name) => {
    const w = walk.find((x) => x.step.name === name)!;
    await expect(`${w.step.target}$ ${w.line}\n${w.display}`).toMatchFileSnapshot(`./__golden__/${nn}-${name}.txt`);
  });

  it("ties the pause PID together: lsns, ls -l /proc | ps, ctr task ls, ip netns identify, nsenter", () => {
    const [, inode, pid] = /^(\d+) net +\d+ +(\d+) root \/pause$/m.exec(out("lsns").trim().split("\n").at(-1)!)!;
    // ls -1i knows the inode, ip netns the name, and identify maps the PID back to it.
    const netns = new RegExp(`^${inode} (cni-\\S+)$`, "m").exec(out("ls-netns"))![1]!;
    expect(out("ip-netns").split("\n")[0]).toMatch(new RegExp(`^${netns} \\(id: 1\\)$`));
    expect(out("netns-identify")).toBe(`${netns}\n`);
    // The processes in that namespace: pause first, then the busybox container's sleep.
    const ps = out("proc-ps").split("\n");
    expect(ps[0]).toBe("  PID TTY      STAT   TIME COMMAND");
    expect(ps[1]).toMatch(new RegExp(`^ *${pid} \\?        Ss     0:00 /pause$`));
    expect(ps[2]).toMatch(/^ *\d+ \? {8}Ss {5}0:00 sleep 3600$/);
    const sleepPid = /^ *(\d+)/.exec(ps[2]!)![1];
    // ctr's tasks: the sandbox runs as the pause PID, the container as the sleep's.
    const cid = /containerd:\/\/([0-9a-f]{64})/.exec(out("describe-pod"))![1]!;
    const tasks = out("ctr-tasks");
    const sandbox = new RegExp(`^([0-9a-f]{64}) +${pid} +RUNNING$`, "m").exec(tasks)![1]!;
    expect(tasks).toMatch(new RegExp(`^${cid} +${sleepPid} +RUNNING$`, "m"));
    expect(out("ctr-containers-pause")).toContain(sandbox);
    expect(out("ctr-containers-busybox")).toMatch(new RegExp(`^${cid} +docker\\.io/library/busybox:latest +io\\.containerd\\.runtime\\.v1\\.linux +\\n$`));
    // The sandbox record names the pod; the container record the same pod UID.
    const sandboxInfo = JSON.parse(out("ctr-info-sandbox")) as { ID: string; Labels: Record<string, string> };
    const containerInfo = JSON.parse(out("ctr-info-container")) as { ID: string; Labels: Record<string, string> };
    expect(sandboxInfo.ID).toBe(sandbox);
    expect(sandboxInfo.Labels["io.kubernetes.pod.name"]).toBe(POD);
    expect(sandboxInfo.Labels["io.cri-containerd.kind"]).toBe("sandbox");
    expect(containerInfo.Labels["io.kubernetes.pod.uid"]).toBe(sandboxInfo.Labels["io.kubernetes.pod.uid"]);
    expect(containerInfo.Labels["io.kubernetes.container.name"]).toBe("busybox");
  });

  it("ties the veth together: nsenter's eth0@ifN, ethtool's peer_ifindex, ip link on the node, /sys, brctl", () => {
    const link = out("nsenter-ip-link");
    const peer = /^3: eth0@if(\d+): /m.exec(link)![1]!;
    expect(link).toContain("link/ether 0a:58:0a:c8:00:15 brd ff:ff:ff:ff:ff:ff link-netnsid 0");
    expect(out("ethtool")).toBe(`NIC statistics:\n     peer_ifindex: ${peer}\n`);
    const veth = new RegExp(`^${peer}: (veth[0-9a-f]{8})@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cnio0 state UP mode DEFAULT group default \\n$`).exec(out("ip-link-grep"))![1]!;
    expect(out("sys-ifindex")).toBe(`${peer}\n`);
    expect(out("brctl")).toContain(veth);
    expect(out("nsenter-ifconfig")).toContain("inet 10.200.0.21  netmask 255.255.255.0  broadcast 0.0.0.0\n");
    expect(out("nsenter-ifconfig")).toContain("ether 0a:58:0a:c8:00:15  txqueuelen 0  (Ethernet)\n");
  });

  it("shows the routing the article shows, in the pod and on the node", () => {
    expect(out("pod-route")).toBe("default via 10.200.0.1 dev eth0 \n10.200.0.0/24 dev eth0 proto kernel scope link src 10.200.0.21 \n");
    expect(out("node-route").split("\n")[0]).toBe("default via 10.240.0.1 dev eth0 proto dhcp src 10.240.0.20 metric 100 ");
  });

  it("pings from the pod with busybox's output and ttl 62, and the new flow is NATed as the article shows on both nodes", () => {
    const ping = out("kubectl-exec-ping");
    expect(ping).toMatch(/^PING 10\.200\.1\.15 \(10\.200\.1\.15\): 56 data bytes\n64 bytes from 10\.200\.1\.15: seq=0 ttl=62 time=\d\.\d{3} ms\n64 bytes from 10\.200\.1\.15: seq=1 ttl=62 time=\d\.\d{3} ms\n\n--- 10\.200\.1\.15 ping statistics ---\n2 packets transmitted, 2 packets received, 0% packet loss\n/);
    expect(walk.find((w) => w.step.name === "kubectl-exec-ping")!.flows).toBe(4);
    // The scenario's ping (id 1280) and the new one: each SNATed to worker-0's address.
    const w0 = out("conntrack-w0").split("\n").filter((l) => l.startsWith("icmp"));
    expect(w0).toHaveLength(2);
    for (const l of w0) expect(l).toMatch(/^icmp +1 \d+ src=10\.200\.0\.21 dst=10\.200\.1\.15 type=8 code=0 id=(\d+) src=10\.200\.1\.15 dst=10\.240\.0\.20 type=0 code=0 id=\1 mark=0 use=1$/);
    const w1 = out("conntrack-w1").split("\n").filter((l) => l.startsWith("icmp"));
    for (const l of w1) expect(l).toMatch(/^icmp +1 \d+ src=10\.240\.0\.20 dst=10\.200\.1\.15 type=8 code=0 id=(\d+) src=10\.200\.1\.15 dst=10\.240\.0\.20 type=0 code=0 id=\1 mark=0 use=1$/);
  });

  it("counts the CNI masquerade rule and zeroes the chain as iptables -Z -L -v does", () => {
    const z = out("iptables-zero");
    // nat rules see only a connection's first packet: the scenario's echo request and the first
    // of the new ping (its second request belongs to the same conntrack entry, same ICMP id).
    expect(z).toMatch(/^ +2 +168 CNI-be726a77f15ea47ff32947a3 +all +-- +any +any +10\.200\.0\.0\/24 +anywhere +\/\* name: "bridge" id: "[0-9a-f]{64}" \*\/$/m);
    expect(z.endsWith("Zeroing chain `POSTROUTING'\n")).toBe(true);
  });

  it("follows the NodePort request from the internet into conntrack on both workers", () => {
    expect(out("curl-nodeport")).toBe("<title>Welcome to nginx!</title>\n");
    expect(out("conntrack-nodeport-w0")).toMatch(/^tcp +6 \d+ ESTABLISHED src=203\.0\.113\.10 dst=10\.240\.0\.20 sport=(\d+) dport=31088 src=10\.200\.1\.18 dst=10\.240\.0\.20 sport=80 dport=\1 \[ASSURED\] mark=0 use=1\n/);
    expect(out("conntrack-nodeport-w1")).toMatch(/^tcp +6 \d+ ESTABLISHED src=10\.240\.0\.20 dst=10\.200\.1\.18 sport=(\d+) dport=80 src=10\.200\.1\.18 dst=10\.240\.0\.20 sport=80 dport=\1 \[ASSURED\] mark=0 use=1\n/);
  });
});
