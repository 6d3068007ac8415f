/**
 * Each what-if fault on the article's cluster, with traffic that meets it: the unit tests check
 * each consequence in the trace, the kernel tests check the same scenarios against Linux.
 */
import { setFault, type Fault } from "../k8s/faults";
import type { ScenarioInput } from "../k8s/spec";
import { articleScenario } from "./article-scenario";

const PING_ACROSS: ScenarioInput["traffic"] = [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" } }];
const LONELY = { name: "lonely", clusterIP: "10.32.0.99", selector: { app: "lonely" }, ports: [{ port: 80 }] };
const WEB = { name: "web", clusterIP: "10.32.0.80", selector: { app: "web" }, ports: [{ port: 80 }] };

function faulty(id: string, fault: Fault, traffic: ScenarioInput["traffic"], extra: Parameters<typeof articleScenario>[1] = {}): { scenario: ScenarioInput; fault: Fault } {
  return { scenario: setFault(articleScenario(id, extra, traffic), fault, true), fault };
}

/** Keyed by id; each comment says what the kernel does. */
export const FAULT_SCENARIOS = {
  // The router has no route for worker-1's pods and answers net unreachable.
  routeMissing: faulty("fault-route-missing", { kind: "vpc-route-missing", worker: "worker-1" }, PING_ACROSS),
  // worker-2 has no such pods and sends the packet back to the router until its TTL runs out; its
  // redirect is dropped by NAT, and the time exceeded is held back by the rate limit.
  routeWrongWorker: faulty("fault-route-wrong-worker", { kind: "vpc-route-wrong-worker", worker: "worker-1", via: "worker-2" }, PING_ACROSS),
  // The pod's address crosses the VPC unchanged.
  ipMasqOff: faulty("fault-ipmasq-off-one-node", { kind: "ipmasq-off", worker: "worker-0" }, PING_ACROSS),
  // worker-1 drops what it would forward to its pod, silently.
  ipForwardOff: faulty("fault-ip-forward-off", { kind: "ip-forward-off", worker: "worker-1" }, PING_ACROSS),
  // kube-dns's answer to a pod on its own bridge is not un-DNATed.
  bridgeNfOff: faulty("fault-bridge-nf-off", { kind: "bridge-nf-off", worker: "worker-0" }, [
    { kind: "dig", from: { pod: "busybox0-rw89s" }, to: { service: "kube-dns", namespace: "kube-system", port: "dns" }, protocol: "UDP", port: 53, sport: 43002 },
  ]),
  // No NodePort rule on worker-0: nothing listens on 31088 there, and it answers with a reset.
  kubeProxyStopped: faulty("fault-kube-proxy-stopped", { kind: "kube-proxy-stopped", worker: "worker-0", service: "default/nginx" }, [
    { kind: "curl", from: { client: true }, to: { node: "worker-0", public: true }, port: 31088, sport: 30307 },
  ]),
  // kube-proxy 1.10 rejects a service without endpoints in OUTPUT only: a pod's packet goes on un-DNATed...
  noEndpoints: faulty("fault-no-endpoints", { kind: "no-endpoints", service: "default/lonely" }, [{ kind: "curl", from: { pod: "busybox0-rw89s" }, to: { service: "lonely", namespace: "default" }, port: 80, sport: 42010 }], { services: [LONELY] }),
  // ...while the node's own gets port unreachable.
  noEndpointsFromNode: faulty("fault-no-endpoints-from-node", { kind: "no-endpoints", service: "default/lonely" }, [{ kind: "curl", from: { node: "worker-0" }, to: { service: "lonely", namespace: "default" }, port: 80, sport: 42011 }], { services: [LONELY] }),
  // nginx calling its own service is DNATed back to itself, and cnio0 will not send the frame out of the port it came in by.
  hairpinOff: faulty("fault-hairpin-off", { kind: "hairpin-off", worker: "worker-1" }, [{ kind: "curl", from: { pod: "nginx-65899c769f-wxdx6" }, to: { service: "nginx", namespace: "default" }, port: 80, sport: 41000 }]),
  // The DNAT sends the packet to an address nobody has; ARP gives up after 3 s and worker-2 answers host unreachable.
  staleEndpoint: faulty("fault-stale-endpoint", { kind: "stale-endpoint", service: "default/web", ip: "10.200.2.99", port: 80 }, [{ kind: "curl", from: { pod: "busybox0-rw89s" }, to: { service: "web", namespace: "default" }, port: 80, sport: 42012 }], { services: [WEB] }),
} as const;

/** The same call with hairpin mode on where nginx runs: the frame goes back out of its port, and the call works. */
export const HAIRPIN_ON: ScenarioInput = setFault(FAULT_SCENARIOS.hairpinOff.scenario, { kind: "hairpin-off", worker: "worker-1" }, false);
