/**
 * `brctl show [BRIDGE]` as bridge-utils 1.5 prints it (Ubuntu 18.04 ships 1.5-15ubuntu1;
 * brctl/brctl_cmd.c show_bridge and brctl_disp.c of v1.5, checked against brctl built from
 * that tag in a lab).
 *
 * Bridges and their ports are listed sorted by name (scandir with alphasort). A name that is
 * no bridge is a quirk of 1.5: the header and `NAME\t\t` go to stdout, then
 * `can't get info No such device` (or `Operation not supported` for a device that is not a
 * bridge) to stderr, and the exit status is still 0. bridge-utils 1.6 (2016, first packaged
 * by Ubuntu 20.04) changed this to `bridge X does not exist!` with status 1.
 */
import type { Netns } from "../netns";
import type { CommandOutput } from "./iptables-list";

export const BRCTL_HEADER = "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n";

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The bridge id: priority 8000 (hex, the default 32768) and the bridge's MAC. */
export function bridgeId(mac: string): string {
  return "8000." + mac.split(":").join("").toLowerCase();
}

function bridgeLine(ns: Netns, name: string, mac: string): string {
  const ports = ns.ifaces
    .filter((i) => i.master === name)
    .map((i) => i.name)
    .sort(byName);
  return `${name}\t\t${bridgeId(mac)}\tno\t\t${ports.join("\n\t\t\t\t\t\t\t")}\n`;
}

export function brctlShow(ns: Netns, bridge?: string): CommandOutput {
  if (bridge === undefined) {
    const bridges = ns.ifaces.filter((i) => i.kind === "bridge").sort((a, b) => byName(a.name, b.name));
    return { stdout: BRCTL_HEADER + bridges.map((b) => bridgeLine(ns, b.name, b.mac)).join(""), exitCode: 0 };
  }
  const dev = ns.iface(bridge);
  if (!dev || dev.kind !== "bridge") {
    const why = dev ? "Operation not supported" : "No such device";
    return { stdout: `${BRCTL_HEADER}${bridge}\t\t`, error: `can't get info ${why}`, exitCode: 0 };
  }
  return { stdout: BRCTL_HEADER + bridgeLine(ns, dev.name, dev.mac), exitCode: 0 };
}
