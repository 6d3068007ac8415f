import { describe, expect, it } from "vitest";
import { ipv4, parseCidr } from "../addr/ipv4";
import { Netns } from "../netns";
import { formatRoute, formatRouteTable } from "./format";
import { lookupRoute, type Route } from "./route";

/** worker-0 of the article: eth0 10.240.0.20/24, cnio0 10.200.0.1/24, DHCP default route. */
function worker0(): Netns {
  const ns = new Netns({ name: "worker-0", node: "worker-0" });
  ns.addIface({ name: "eth0", kind: "ether" });
  ns.addIface({ name: "cnio0", kind: "bridge" });
  ns.setUp("eth0");
  ns.setUp("cnio0");
  ns.addAddress("eth0", "10.240.0.20/24", "global", true);
  ns.addAddress("cnio0", "10.200.0.1/24");
  ns.addRoute({ table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: ipv4("10.240.0.1"), dev: "eth0", proto: "dhcp", scope: "global", src: ipv4("10.240.0.20"), metric: 100 });
  ns.addRoute({ table: "main", type: "unicast", dst: parseCidr("10.240.0.1/32"), dev: "eth0", proto: "dhcp", scope: "link", src: ipv4("10.240.0.20"), metric: 100 });
  return ns;
}

describe("ip route text", () => {
  it("prints the article's worker-0 table, each line ending in a space as iproute2 does", () => {
    expect(formatRouteTable(worker0().routes)).toBe(
      "default via 10.240.0.1 dev eth0 proto dhcp src 10.240.0.20 metric 100 \n" +
        "10.200.0.0/24 dev cnio0 proto kernel scope link src 10.200.0.1 \n" +
        "10.240.0.0/24 dev eth0 proto kernel scope link src 10.240.0.20 \n" +
        "10.240.0.1 dev eth0 proto dhcp scope link src 10.240.0.20 metric 100 \n",
    );
  });

  it("prints a pod's table: the default via the bridge and the connected /24", () => {
    const pod = new Netns({ name: "cni-1", node: "worker-0", pod: "busybox" });
    pod.addIface({ name: "eth0", kind: "veth" });
    pod.setUp("eth0");
    pod.addAddress("eth0", "10.200.0.4/24");
    pod.addRoute({ table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: ipv4("10.200.0.1"), dev: "eth0", proto: "boot", scope: "global" });
    expect(formatRouteTable(pod.routes)).toBe("default via 10.200.0.1 dev eth0 \n10.200.0.0/24 dev eth0 proto kernel scope link src 10.200.0.4 \n");
  });

  it("prints the local table as the lab's kernel does (local and broadcast entries, the broadcast even for an address added without brd, no network-address broadcast)", () => {
    const ns = worker0();
    expect(formatRouteTable(ns.routes, "local")).toBe(
      "local 10.200.0.1 dev cnio0 proto kernel scope host src 10.200.0.1 \n" +
        "broadcast 10.200.0.255 dev cnio0 proto kernel scope link src 10.200.0.1 \n" +
        "local 10.240.0.20 dev eth0 proto kernel scope host src 10.240.0.20 \n" +
        "broadcast 10.240.0.255 dev eth0 proto kernel scope link src 10.240.0.20 \n" +
        "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 \n" +
        "local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 \n" +
        "broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 \n",
    );
  });
});

describe("route lookup", () => {
  const ns = worker0();
  const up = () => true;
  it.each([
    ["10.200.0.21", "10.200.0.0/24 dev cnio0 proto kernel scope link src 10.200.0.1 ", "10.200.0.21"],
    ["10.240.0.21", "10.240.0.0/24 dev eth0 proto kernel scope link src 10.240.0.20 ", "10.240.0.21"],
    ["10.240.0.1", "10.240.0.1 dev eth0 proto dhcp scope link src 10.240.0.20 metric 100 ", "10.240.0.1"],
    ["10.200.1.15", "default via 10.240.0.1 dev eth0 proto dhcp src 10.240.0.20 metric 100 ", "10.240.0.1"],
    ["203.0.113.10", "default via 10.240.0.1 dev eth0 proto dhcp src 10.240.0.20 metric 100 ", "10.240.0.1"],
    ["10.240.0.20", "local 10.240.0.20 dev eth0 proto kernel scope host src 10.240.0.20 ", "10.240.0.20"],
    ["127.0.0.53", "local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 ", "127.0.0.53"],
  ])("%s takes %j with next hop %s (longest prefix, local table first)", (dst, route, nexthop) => {
    const m = lookupRoute(ns.routes, ipv4(dst), up)!;
    expect(formatRoute(m.route)).toBe(route);
    expect(m.nexthop).toBe(ipv4(nexthop));
  });

  it("breaks a tie between equal prefixes by the lower metric", () => {
    const routes: Route[] = [
      { table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: ipv4("10.0.0.1"), dev: "a", proto: "boot", scope: "global", metric: 200 },
      { table: "main", type: "unicast", dst: parseCidr("0.0.0.0/0"), via: ipv4("10.0.0.2"), dev: "b", proto: "boot", scope: "global", metric: 100 },
    ];
    expect(lookupRoute(routes, ipv4("192.0.2.1"), up)!.route.dev).toBe("b");
  });

  it("skips routes whose device is down and finds none when nothing is left", () => {
    const routes: Route[] = [{ table: "main", type: "unicast", dst: parseCidr("10.0.0.0/8"), dev: "a", proto: "boot", scope: "link" }];
    expect(lookupRoute(routes, ipv4("10.1.1.1"), () => false)).toBeUndefined();
    expect(lookupRoute(routes, ipv4("192.0.2.1"), up)).toBeUndefined();
  });

  it("refuses a duplicate route like RTNETLINK's File exists", () => {
    expect(() => ns.addRoute({ table: "main", type: "unicast", dst: parseCidr("10.240.0.1/32"), dev: "eth0", proto: "dhcp", scope: "link", src: ipv4("10.240.0.20"), metric: 100 })).toThrow("File exists");
  });
});
