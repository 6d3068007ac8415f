import { describe, expect, it } from "vitest";
import { runScenario } from "../k8s/run";
import { builtinScenario } from "../scenarios/article";
import { resolveTarget } from "./exec";
import { parseLine, runLine } from "./session";

const r = runScenario(builtinScenario("pod-to-pod"));
if (!r.ok) throw new Error("scenario failed");
const c = r.cluster;
const on = (target: string) => {
  const t = resolveTarget(c, target);
  if ("error" in t) throw new Error(t.error);
  return t.ns;
};

describe("a shell line", () => {
  it.each([
    [`ip route`, [["ip", "route"]]],
    [`sudo conntrack -L | grep 10.200.1.15`, [["sudo", "conntrack", "-L"], ["grep", "10.200.1.15"]]],
    [`echo "a b" 'c d' e\\ f`, [["echo", "a b", "c d", "e f"]]],
  ])("%j splits into pipeline stages", (line, stages) => {
    expect(parseLine(line)).toEqual({ pipelines: [{ stages }] });
  });

  it.each([
    [`echo "open`, "bash: unexpected EOF while looking for matching `\"'\n"],
    [`echo 'open`, "bash: unexpected EOF while looking for matching `''\n"],
    [`ip route |`, "bash: syntax error near unexpected token `|'\n"],
  ])("%j is refused as bash refuses it", (line, error) => {
    expect(parseLine(line)).toEqual({ error });
  });

  it("runs the article's commands on a node, with sudo and pipes", () => {
    expect(runLine(c, on("worker-0"), "sudo conntrack -L | grep 10.200.1.15").stdout).toBe(
      "icmp     1 29 src=10.200.0.21 dst=10.200.1.15 type=8 code=0 id=1280 src=10.200.1.15 dst=10.240.0.20 type=0 code=0 id=1280 mark=0 use=1\n",
    );
    expect(runLine(c, on("worker-0"), "ip route list | head -1").stdout).toBe("default via 10.240.0.1 dev eth0 proto dhcp src 10.240.0.20 metric 100 \n");
    expect(runLine(c, on("worker-0"), "sudo iptables -t nat -L POSTROUTING -v | cut -d' ' -f1").code).toBe(0);
  });

  it("answers ethtool -S with the peer's ifindex, the one ip link shows on the node", () => {
    const pod = on("worker-0/busybox0-rw89s");
    const peer = Number(/peer_ifindex: (\d+)/.exec(runLine(c, pod, "ethtool -S eth0").stdout)![1]);
    expect(runLine(c, on("worker-0"), `ip link | grep '^${peer}:'`).stdout).toMatch(new RegExp(`^${peer}: veth[0-9a-f]{8}@if3: `));
    const veth = /^\d+: (veth[0-9a-f]{8})@/.exec(runLine(c, on("worker-0"), `ip link | grep '^${peer}:'`).stdout)![1];
    expect(runLine(c, on("worker-0"), `sudo cat /sys/class/net/${veth}/ifindex`).stdout).toBe(`${peer}\n`);
  });

  it("lists the node's pod namespaces with their ids, newest first", () => {
    const out = runLine(c, on("worker-0"), "ip netns").stdout.split("\n").filter(Boolean);
    expect(out).toHaveLength(c.pods.filter((p) => p.node === "worker-0").length);
    expect(out.at(-1)).toMatch(/^cni-[0-9a-f-]+ \(id: 0\)$/);
  });

  it.each([
    ["frobnicate --now", "bash: frobnicate: command not found\n", 127],
    ["", "", 0],
    ["ethtool -S nope0", "Cannot get stats strings information: No such device\n", 71],
    ["cat /etc/shadow", "(hopscope: /etc/shadow is not among the simulated files: /etc/cni/net.d/* (10-bridge.conf, or 10-flannel.conflist and /run/flannel/subnet.env on flannel nodes), /var/lib/kubelet/kubelet-config.yaml, a pod's /etc/resolv.conf and /etc/hostname, /proc/sys/net/..., /sys/class/net/IFACE/...)\n", 1],
  ])("%j gets the tool's own answer", (line, stderr, code) => {
    const res = runLine(c, on("worker-0"), line);
    expect([res.stderr, res.code]).toEqual([stderr, code]);
  });

  it("takes a 10,000-character line without trouble", () => {
    const res = runLine(c, on("worker-0"), "x".repeat(10_000));
    expect(res.code).toBe(127);
    expect(res.stderr.endsWith(": command not found\n")).toBe(true);
  });
});
