/**
 * Every shell command beyond the article's walk-through: a golden output per command (each on
 * a fresh session after the pod-to-pod scenario), the tools' own answers to bad input, and Tab
 * completion.
 */
import { describe, expect, it } from "vitest";
import { runScenario } from "../k8s/run";
import { articleScenario } from "../testing/article-scenario";
import { FAULT_SCENARIOS } from "../testing/faults";
import { complete } from "./complete";
import { freshSession, targetNs } from "../testing/shell-session";
import { runLine, type ShellSession } from "./session";

const fresh = () => freshSession();

const on = targetNs;

const POD = "worker-0/busybox0-rw89s";

const GOLDEN: readonly [name: string, target: string, line: string][] = [
  ["ifconfig-node", "worker-0", "ifconfig"],
  ["ifconfig-a-lo", "worker-0", "ifconfig -a lo"],
  ["bridge-fdb", "worker-0", "bridge fdb show"],
  ["bridge-fdb-dev", "worker-0", "bridge fdb show br cnio0 | grep -v self"],
  ["tcpdump-eth0", "worker-0", "sudo tcpdump -n -i eth0"],
  ["tcpdump-e-cnio0", "worker-0", "sudo tcpdump -n -e -i cnio0"],
  ["tcpdump-pod", POD, "tcpdump -n -i eth0 -c 1"],
  ["tcpdump-any", "worker-1", "sudo tcpdump -n -i any"],
  ["ping-node", "worker-0", "ping -c 2 10.200.1.15"],
  ["ping-unreachable", "worker-0", "ping -c 1 10.99.0.1"],
  ["ping-busybox", POD, "ping -c 1 10.200.0.27"],
  ["curl-service", "worker-0", "curl http://10.32.0.53/"],
  ["curl-refused", "worker-0", "curl 10.200.1.18:81"],
  ["wget-pod", POD, "wget -O- http://10.32.0.53"],
  ["nslookup-pod", POD, "nslookup kubernetes"],
  ["nslookup-pod-missing", POD, "nslookup nothing-here"],
  ["nslookup-node", "worker-0", "nslookup kube-dns.kube-system.svc.cluster.local 10.32.0.10"],
  ["dig-node", "worker-0", "dig @10.32.0.10 nginx.default.svc.cluster.local"],
  ["dig-short", "worker-0", "dig @10.32.0.10 kubernetes.default.svc.cluster.local +short"],
  ["get-svc", "worker-0", "kubectl get svc -o wide --all-namespaces"],
  ["get-nodes-endpoints", "worker-0", "kubectl get nodes; kubectl get ep --all-namespaces"],
  ["help", "worker-0", "help"],
  ["ps-single", "worker-0", "ps -p 1"],
  ["lsns-controller", "controller-0", "sudo lsns -t net"],
  ["ls-l-proc-terminal", "worker-0", "sudo ls -l /proc/1/ns/net"],
  ["ls-netns-l", "worker-0", "ls -l /var/run/netns"],
  ["ctr-containers-worker1", "worker-1", "sudo ctr -n k8s.io containers ls"],
  ["ctr-default-namespace", "worker-1", "sudo ctr containers ls"],
  ["cat-sys", POD, "cat /sys/class/net/eth0/iflink /sys/class/net/eth0/address /sys/class/net/eth0/mtu"],
  ["sysctl-node", "worker-0", "sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables; cat /proc/sys/net/ipv4/ip_forward"],
  ["sysctl-pod", POD, "sysctl net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables"],
  ["sysctl-controller", "controller-0", "sysctl -n net.ipv4.ip_forward"],
  ["xargs-echo", "worker-1", "ip netns | cut -d' ' -f1 | xargs"],
  ["sequence", "worker-0", "hostname; ip netns | wc -l && echo done || echo failed"],
  ["netns-from-pod", POD, "ip netns"],
  ["ip-brief-node", "worker-0", "ip -br link; ip -br addr"],
  ["ip-brief-pod", POD, "ip -br link; ip -br -4 addr"],
  ["ip-4-pod", POD, "ip -4 addr; ip -4 link show eth0"],
  ["ip-oneline", "worker-0", "ip -o link; ip -o -4 addr"],
  ["ip-stats", "worker-0", "ip -s link show cnio0; ip -s addr show dev cnio0"],
  ["ip-netns-option", "worker-0", "ip -n cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a -o -4 addr"],
  ["iptables-S", "worker-0", "sudo iptables -t nat -S POSTROUTING -v; sudo iptables -t nat -S KUBE-SERVICES"],
  ["describe-all-services", "worker-0", "kubectl describe services"],
  ["tcpdump-filter", "worker-0", "sudo tcpdump -n -i eth0 icmp and dst host 10.200.1.15"],
  ["conntrack-filters", "worker-0", "ping -c 1 10.200.1.15 | head -1; sudo conntrack -L -p icmp -n; sudo conntrack -L -p icmp -d 10.200.1.15"],
  ["ping-from-nginx-pod", "worker-1/nginx-65899c769f-wxdx6", "ping -c 1 10.200.1.15"],
];

describe("shell commands", () => {
  it.each(GOLDEN)("%s: %s$ %s matches its golden output", async (name, target, line) => {
    const s = fresh();
    const r = runLine(s, on(s, target), line);
    await expect(`${target}$ ${line}\n${r.display}[exit ${r.code}]\n`).toMatchFileSnapshot(`./__golden__/commands/${name}.txt`);
  });

  it("puts flows that commands trace into the session, after the scenario's", () => {
    const s = fresh();
    const before = s.flows.length;
    const r = runLine(s, on(s, POD), "ping -c 2 10.200.1.15");
    expect(r.flows.map((f) => f.name)).toEqual(["ping request", "ping reply", "ping request", "ping reply"]);
    expect(s.flows).toHaveLength(before + 4);
    expect(r.flows.every((f) => f.verdict === "delivered")).toBe(true);
    // tcpdump reads them back: the pod's eth0 saw the scenario's exchange and the two new ones.
    expect(runLine(s, on(s, POD), "tcpdump -n -i eth0").stdout.split("\n").filter(Boolean)).toHaveLength(6);
  });
});

describe("bad input gets the tool's own answer", () => {
  const s = fresh();
  it.each([
    ["worker-0", "", "", 0],
    ["worker-0", "ifconfig nope0", "nope0: error fetching interface information: Device not found\n", 1],
    ["worker-0", "ifconfig --bogus", "ifconfig: option `--bogus' not recognised.\nifconfig: `--help' gives usage information.\n", 1],
    ["worker-0", "ip link show dev nope0", 'Device "nope0" does not exist.\n', 1],
    ["worker-0", "ethtool -S nope0", "Cannot get stats strings information: No such device\n", 71],
    ["worker-0", "ethtool -X eth0", "ethtool: bad command line argument(s)\nFor more information run ethtool -h\n", 1],
    ["worker-0", "tcpdump -i nope0", "tcpdump: nope0: No such device exists\n(SIOCGIFHWADDR: No such device)\n", 1],
    ["worker-0", "bridge fdb show dev nope0", 'Cannot find device "nope0"\n', 255],
    ["worker-0", "bridge fdb frob", 'Command "frob" is unknown, try "bridge fdb help".\n', 255],
    ["worker-0", "lsns -q", "lsns: invalid option -- 'q'\nTry 'lsns --help' for more information.\n", 1],
    ["worker-0", "ls -Z /var/run/netns", "ls: invalid option -- 'Z'\nTry 'ls --help' for more information.\n", 2],
    // A file a real node has but the simulation does not: said so, not denied.
    ["worker-0", "ls /etc/shadow", "(hopscope: ls of /etc/shadow is not simulated; the simulated directories are /etc/cni/net.d, /opt/cni/bin, /run/flannel (flannel nodes), /var/run/netns and /proc/PID/ns)\n", 2],
    ["worker-0", "ip netns identify 424242", "Cannot open network namespace: No such file or directory\n", 1],
    ["worker-0", "ip netns exec", "No netns name specified\n", 255],
    ["worker-0", "ip netns exec cni-nope ip a", 'Cannot open network namespace "cni-nope": No such file or directory\n', 255],
    ["worker-0", "ip netns frob", 'Command "frob" is unknown, try "ip netns help".\n', 255],
    ["worker-0", "nsenter -t 424242 -n ip a", "nsenter: cannot open /proc/424242/ns/net: No such file or directory\n", 1],
    ["worker-0", "nsenter -n ip a", "nsenter: neither filename nor target pid supplied for ns/net\n", 1],
    ["worker-0", "nsenter -t 1 -n frob", "nsenter: failed to execute frob: No such file or directory\n", 1],
    ["worker-0", "ctr -n k8s.io containers info ffff", 'ctr: container "ffff" in namespace "k8s.io": not found\n', 1],
    ["worker-0", "ctr --bogus", "Incorrect Usage: flag provided but not defined: --bogus\n\n", 1],
    ["worker-0", "kubectl describe pods ghost", 'Error from server (NotFound): pods "ghost" not found\n', 1],
    ["worker-0", "kubectl exec ghost -- ls", 'Error from server (NotFound): pods "ghost" not found\n', 1],
    ["worker-0", "kubectl --bogus get pods", "Error: unknown flag: --bogus\n", 1],
    ["worker-0", "ping", "Usage: ping", 2],
    ["worker-0", "ping -c x 10.0.0.1", "ping: bad number of packets to transmit.\n", 2],
    ["worker-0", "ping web", "ping: web: Name or service not known\n", 2],
    [POD, "ping web", "ping: bad address 'web'\n", 1],
    ["worker-0", "curl --frob http://10.32.0.53/", "curl: option --frob: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n", 2],
    ["worker-0", "curl ftp://10.32.0.53/", "(hopscope: only http:// is simulated", 1],
    ["worker-0", "curl http://nginx/", "curl: (6) Could not resolve host: nginx\n", 6],
    ["worker-0", "conntrack -L -x", "conntrack v1.4.4 (conntrack-tools): unknown option `-x'\n", 2],
    ["worker-0", "conntrack -L --dport 80", "conntrack v1.4.4 (conntrack-tools): --dport needs -p tcp or -p udp before it\n", 2],
    ["worker-0", "conntrack -L -s nope", "conntrack v1.4.4 (conntrack-tools): Bad parameter `nope'\n", 2],
    ["worker-0", "ip -Z addr", 'Option "-Z" is unknown, try "ip -help".\n', 255],
    ["worker-0", "ip -n nope addr", 'Cannot open network namespace "nope": No such file or directory\n', 255],
    ["worker-0", "ip -n", 'Cannot open network namespace "(null)": No such file or directory\n', 255],
    ["worker-0", "ip -6 addr", "(hopscope: ip -6 is not simulated", 255],
    ["worker-0", "iptables -S -L", "iptables v1.6.1: Cannot use -L with -S\n", 2],
    ["worker-0", "iptables -L -S", "iptables v1.6.1: Cannot use -S with -L\n", 2],
    ["worker-0", "iptables -t nat -S NOPE", "iptables: No chain/target/match by that name.\n", 1],
    ["worker-0", "tcpdump -i eth0 port x", "tcpdump: illegal port number x\n", 1],
    ["worker-0", "ps -p", "error: list of process IDs must follow -p\n", 1],
    ["worker-0", "ps -p 424242", "", 1],
    ["worker-0", "grep", "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", 2],
    ["worker-0", "ip route | grep -Q x", "grep: invalid option -- 'Q'\n", 2],
    ["worker-0", "ip route | cut -d, -f0", "cut: invalid field value ‘0’\n", 1],
    ["worker-0", "ip route | head -n x", "head: invalid number of lines: ‘x’\n", 1],
    ["worker-0", "frobnicate --now", "bash: frobnicate: command not found\n", 127],
    ["worker-0", "sudo frobnicate", "sudo: frobnicate: command not found\n", 1],
    [POD, "frobnicate", "sh: frobnicate: not found\n", 127],
    ["worker-1/nginx-65899c769f-wxdx6", "frobnicate", "bash: frobnicate: command not found\n", 127],
    ["worker-0", "echo 'open", "bash: unexpected EOF while looking for matching `''\n", 2],
    ["worker-0", 'echo "open', "bash: unexpected EOF while looking for matching `\"'\n", 2],
    ["worker-0", "ip route |", "bash: syntax error near unexpected token `|'\n", 2],
    ["worker-0", "| grep x", "bash: syntax error near unexpected token `|'\n", 2],
    ["worker-0", "; ls", "bash: syntax error near unexpected token `;'\n", 2],
    ["worker-0", "ip route > /tmp/x", "bash: redirections are not simulated here; pipe into grep, head, tail, cut, wc, sort or xargs instead\n", 2],
    ["worker-0", "ping 10.0.0.1 &", "bash: background jobs (&) are not simulated\n", 2],
    ["worker-0", "ip netns exec $(ip netns | head -1) ip a", "bash: command substitution ($(…) and `…`) is not simulated\n", 2],
  ])("%s$ %j", (target, line, stderr, code) => {
    const r = runLine(s, on(s, target), line);
    expect(r.code).toBe(code);
    expect(r.stderr.startsWith(stderr)).toBe(true);
  });

  it.each([
    ["constructor"],
    ["__proto__"],
    ["valueOf"],
    ["hasOwnProperty x"],
    ["toString"],
    ["sudo constructor"],
    ["kubectl exec busybox0-rw89s -- constructor"],
    ["ip netns exec cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a __proto__"],
  ])("%j is just an unknown program (no JavaScript object member is taken for one)", (line) => {
    const r = runLine(s, on(s, "worker-0"), line);
    expect(typeof r.code).toBe("number");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not found|No such file|executable file not found/);
  });

  it("matches patterns that make a backtracking engine run away, and refuses filters nested too deep, at once", () => {
    const t0 = Date.now();
    const g = runLine(s, on(s, "worker-0"), "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! | grep -E '(a+)+$'");
    expect([g.code, g.stdout, g.stderr]).toEqual([1, "", ""]);
    expect(runLine(s, on(s, "worker-0"), "echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | grep -E '(a+)+$'").stdout).toBe("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
    const t = runLine(s, on(s, "worker-0"), "tcpdump -n -i eth0 " + "!".repeat(6000) + "icmp");
    expect([t.code, t.stderr]).toEqual([1, "tcpdump: expression nested more than 100 deep\n"]);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it.each([
    ["worker-0", "ping -c1 -q 10.200.1.15 | tail -n +2", "\n--- 10.200.1.15 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.419/0.419/0.419/0.000 ms\n"],
    ["worker-0", "ip netns | cut -d' ' -f1 | sort -rn | head -1", "cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a\n"],
    ["worker-0", "sudo -u root hostname", "worker-0\n"],
    ["worker-0", "sudo nsenter --net=/var/run/netns/cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a ip -br -4 a | grep eth0", "eth0@if5         UP             10.200.0.21/24 \n"],
    ["worker-0", "ip -n cni-nope -n cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a -br -4 a | grep eth0", "eth0@if5         UP             10.200.0.21/24 \n"],
    ["worker-0", "echo a # a comment; echo b", "a\n"],
    // grep's basic syntax: a bare | is a character, \| alternates (GNU); -E and -F as grep has them.
    ["worker-0", "ip route | grep -c 'dhcp|kernel'", "0\n"],
    ["worker-0", "ip route | grep -c 'dhcp\\|kernel'", "4\n"],
    ["worker-0", "ip route | grep -cE 'dhcp|kernel'", "4\n"],
    ["worker-0", "ip route | grep -cF '10.240.0.'", "3\n"],
    ["worker-0", "echo 'a(b)' | grep '(b)'", "a(b)\n"],
    ["worker-0", "echo dns#53", "dns#53\n"],
    ["worker-0", "sudo tcpdump -nei cnio0 -c1 | cut -d' ' -f2-4", "0a:58:0a:c8:00:15 > 0a:58:0a:c8:00:01,\n"],
    [POD, "ls -1i /var/run/netns | wc -l", "2\n"],
    [POD, "echo é | wc -c", "3\n"],
  ])("%s$ %s", (target, line, stdout) => {
    expect(runLine(s, on(s, target), line).stdout).toBe(stdout);
  });

  it("takes a 10,000-character line and a 200,000-character one without trouble", () => {
    const r = runLine(s, on(s, "worker-0"), "x".repeat(10_000));
    expect([r.code, r.stderr]).toEqual([127, `bash: ${"x".repeat(10_000)}: command not found\n`]);
    const long = runLine(s, on(s, "worker-0"), "echo " + "y".repeat(200_000));
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/^bash: the line is 200005 characters long/);
    const words = runLine(s, on(s, "worker-0"), "echo " + "a ".repeat(5_000) + "| wc -w");
    expect(words.stdout).toBe("5000\n");
  });

  it("stops runaway nesting", () => {
    const r = runLine(s, on(s, "worker-0"), "sudo ".repeat(20) + "hostname");
    expect(r.code).toBe(126);
  });
});

describe("a service without endpoints", () => {
  it("refuses a node's connection with kube-proxy's REJECT, as connect(2) reports it", () => {
    const r = runScenario(articleScenario("lonely", { services: [{ name: "lonely", clusterIP: "10.32.0.99", selector: { app: "none" }, ports: [{ port: 80 }] }] }));
    if (!r.ok) throw new Error("scenario failed");
    const s: ShellSession = { cluster: r.cluster, flows: [...r.trace.flows] };
    const res = runLine(s, on(s, "worker-0"), "curl http://10.32.0.99/");
    expect([res.code, res.stderr]).toEqual([7, "curl: (7) Failed to connect to 10.32.0.99 port 80: Connection refused\n"]);
    // The REJECT rule answers for the host: an ICMP port unreachable goes back to the sender.
    expect(res.flows.map((f) => [f.name, f.verdict])).toEqual([["SYN", "dropped"], ["error", "delivered"]]);
    expect(res.flows[0]!.dropReason).toContain("REJECT rule in filter KUBE-SERVICES (icmp-port-unreachable)");
    const wire = res.flows[1]!.steps.find((st) => st.detail.kind === "wire");
    expect(wire?.detail.kind === "wire" && wire.detail.tcpdump).toBe("IP 10.240.0.20 > 10.240.0.20: ICMP 10.32.0.99 tcp port 80 unreachable, length 68");
  });
});

describe("a VPC route pointing at the wrong worker", () => {
  it("ping from a node: the second echo's redirect reaches it (the first is dropped by worker-2's NAT), and no time exceeded ever does", () => {
    const r = runScenario(FAULT_SCENARIOS.routeWrongWorker.scenario);
    if (!r.ok) throw new Error("scenario failed");
    const s: ShellSession = { cluster: r.cluster, flows: [...r.trace.flows] };
    const res = runLine(s, on(s, "worker-0"), "ping -c 2 10.200.1.15");
    const lines = res.stdout.split("\n");
    expect(lines.filter((l) => l.startsWith("From "))).toEqual(["From 10.240.0.22: icmp_seq=2 Redirect Host(New nexthop: 10.240.0.1)"]);
    expect(res.stdout).toContain("2 packets transmitted, 0 received, 100% packet loss");
    const redirects = res.flows.filter((f) => f.name === "ICMP redirect");
    expect(redirects.map((f) => f.verdict)).toEqual(["dropped", "delivered"]);
    // worker-0 sends 10.200.1.15 to 10.240.0.1, not to worker-2, so its kernel ignores the advice.
    expect(redirects[1]!.steps.at(-1)!.why).toMatch(/^The kernel ignores this redirect: .*goes through 10\.240\.0\.1, not 10\.240\.0\.22\.$/);
    const wire = redirects[1]!.steps.find((st) => st.detail.kind === "wire");
    expect(wire?.detail.kind === "wire" && wire.detail.tcpdump).toBe("IP 10.240.0.22 > 10.240.0.20: ICMP redirect 10.200.1.15 to host 10.240.0.1, length 92");
  });
});

describe("Tab completion", () => {
  const s = fresh();
  const w0 = on(s, "worker-0");
  it.each([
    ["ifc", "ifconfig ", []],
    ["sudo lsn", "sudo lsns ", []],
    ["ip route | gr", "ip route | grep ", []],
    ["ifconfig cn", "ifconfig cnio0 ", []],
    ["tcpdump -n -i et", "tcpdump -n -i eth0 ", []],
    ["ip netns exec cni-2", "ip netns exec cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a ", []],
    ["ip netns exec cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a ethtool -S e", "ip netns exec cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a ethtool -S eth0 ", []],
    ["cat /sys/class/net/cn", "cat /sys/class/net/cnio0/", []],
    ["cat /sys/class/net/cnio0/ifi", "cat /sys/class/net/cnio0/ifindex ", []],
    ["kubectl describe pods busybox0-r", "kubectl describe pods busybox0-rw89s ", []],
    ["sudo nsenter -t 16", "sudo nsenter -t 16", ["16381", "16457"]],
    ["ip netns exec cni-", "ip netns exec cni-", ["cni-0b245fac-d31a-193a-5401-e251bfb7ef5d", "cni-2acb790a-158f-0a8c-7a2b-45309d56bf6a"]],
    ["ifconfig veth", "ifconfig veth", ["veth3e8b1c70", "veth7671b1d0"]],
    ["iptables -t n", "iptables -t nat ", []],
    ["ip -n cni-0", "ip -n cni-0b245fac-d31a-193a-5401-e251bfb7ef5d ", []],
    ["ip -br l", "ip -br link ", []],
    ["frobn", "frobn", []],
  ])("%j → %j", (line, completed, options) => {
    expect(complete(s, w0, line)).toEqual({ line: completed, options });
  });
});
