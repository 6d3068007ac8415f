/** -m udp (libxt_udp): ports; `-p udp --dport 53` loads it by itself. The tcp module without flags. */
import { portMatch } from "./tcp";

export const udp = portMatch("udp", 17, { sport: 1, "source-port": 1, dport: 1, "destination-port": 1 });
