/** Commands that would change the cluster say so, instead of calling a real subcommand unknown; reading ones still run. */
import { describe, expect, it } from "vitest";
import { resolveTarget } from "./exec";
import { changeOf } from "./readonly";
import { freshSession } from "../testing/shell-session";
import { runLine } from "./session";

const fresh = () => freshSession();

describe("commands that change the cluster", () => {
  const s = fresh();
  const on = (t: string) => {
    const r = resolveTarget(s.cluster, t);
    if ("error" in r) throw new Error(r.error);
    return r.ns;
  };
  it.each([
    ["kubectl scale deployment nginx --replicas=3", "kubectl scale"],
    ["kubectl run web --image=nginx", "kubectl run"],
    ["kubectl -n kube-system delete pod kube-dns-5d4b8df4f8-mdh84", "kubectl delete"],
    ["kubectl apply -f web.yaml", "kubectl apply"],
    ["sudo iptables -t nat -A POSTROUTING -j MASQUERADE", "iptables -A"],
    ["iptables -D FORWARD 1", "iptables -D"],
    ["iptables -I INPUT -j DROP", "iptables -I"],
    ["iptables -t nat -F", "iptables -F"],
    ["sudo iptables-restore", "iptables-restore"],
    ["ip route add 10.0.0.0/8 via 10.240.0.1", "ip route add"],
    ["sudo ip r del default", "ip route del"],
    ["ip link set cnio0 down", "ip link set"],
    ["ip addr add 10.9.9.9/32 dev eth0", "ip address add"],
    ["sudo sysctl -w net.ipv4.ip_forward=0", "sysctl -w"],
    ["sysctl net.ipv4.ip_forward=0", "sysctl -w"],
    ["sudo conntrack -F", "conntrack -F"],
    ["brctl addif cnio0 eth0", "brctl addif"],
  ])("%s", (line, what) => {
    const r = runLine(s, on("worker-0"), line);
    expect(r.code).toBe(1);
    expect(r.display).toBe(`(hopscope: ${what} would change the cluster; this shell shows the scenario's cluster as it is and changes nothing. Change the scenario instead.)\n`);
  });

  it("leaves the reading commands alone", () => {
    for (const [program, args] of [
      ["kubectl", ["get", "pods", "-n", "delete"]],
      ["iptables", ["-t", "nat", "-nvL"]],
      ["iptables", ["-S", "FORWARD"]],
      ["ip", ["route"]],
      ["ip", ["netns", "exec", "x", "ip", "route", "add"]],
      ["ip", ["-n", "route", "link", "show"]],
      ["sysctl", ["net.ipv4.ip_forward"]],
      ["conntrack", ["-L"]],
      ["brctl", ["show"]],
    ] as const) {
      expect(changeOf(program, args), `${program} ${args.join(" ")}`).toBeUndefined();
    }
  });
});
