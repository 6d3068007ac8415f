/** What the node's shell commands print: pure formatters over the engine's model. */
export {
  iptablesList,
  formatCount,
  formatMatchText,
  formatTargetText,
  targetName,
  NETBASE_2018_SERVICES,
  NO_CHAIN_ERROR,
  type IptablesListOptions,
  type CommandOutput,
  type ServiceTable,
} from "./iptables-list";
export { ipLink, ipAddr, netnsId, linkLocalFromMac, formatIpv6, hasCarrier, type IpShowOptions } from "./ip";
export { brctlShow, bridgeId, BRCTL_HEADER } from "./brctl";
