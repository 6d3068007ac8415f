/**
 * The article's cluster ("Kubernetes networking behind the scenes", built the Kubernetes The
 * Hard Way of May 2018) and the walk-throughs that are Hopscope's built-in scenarios. Public
 * addresses come from the documentation ranges, so a lab built from a scenario reaches no real host.
 */
import type { ScenarioInput } from "../k8s/spec";
import type { NarrationLang } from "../narrate";
import { CALICO_PREFIX, CALICO_ROUTED, CALICO_TEXT, FLANNEL_PREFIX, FLANNEL_TEXT, onCalico, onFlannel } from "./cni";
import { TODAY_KUBE_PROXY, TODAY_PREFIX, TODAY_TEXT } from "./today";

type Cluster = Pick<ScenarioInput, "cluster" | "cloud" | "workloads" | "services">;

/** The CNI sandbox whose masquerade chain the article shows on worker-0: CNI-be726a77f15ea47ff32947a3. */
export const ARTICLE_SANDBOX = "631cab5de5565cc432a3beca0e2aece0cef9285482b11f3eb0b46c134e457854";

export function articleCluster(opts: { ipMasq?: boolean } = {}): Cluster {
  return {
    cluster: {
      hostNetwork: "10.240.0.0/24",
      podNetwork: "10.200.0.0/16",
      serviceNetwork: "10.32.0.0/24",
      gateway: "10.240.0.1",
      controllers: [0, 1, 2].map((i) => ({ name: `controller-${i}`, ip: `10.240.0.1${i}`, publicIp: `198.51.100.1${i}` })),
      workers: [0, 1, 2].map((i) => ({ name: `worker-${i}`, ip: `10.240.0.2${i}`, publicIp: `198.51.100.2${i}`, podCidr: `10.200.${i}.0/24` })),
      cni: { name: "bridge", bridge: "cnio0", isGateway: true, ipMasq: opts.ipMasq ?? true, hairpinMode: false },
    },
    cloud: { podRoutes: "auto", client: { name: "client", ip: "203.0.113.10" } },
    workloads: [
      {
        kind: "Deployment",
        name: "kube-dns",
        namespace: "kube-system",
        labels: { "k8s-app": "kube-dns" },
        replicas: 1,
        podTemplateHash: 1806489094,
        // kube-dns.yaml of KTHW's DNS add-on: kubedns answers on 10053, dnsmasq in front of it
        // on 53 (the port the Service targets), sidecar serves metrics.
        containers: [
          {
            name: "kubedns",
            image: "gcr.io/google_containers/k8s-dns-kube-dns-amd64:1.14.7",
            ports: [
              { name: "dns-local", containerPort: 10053, protocol: "UDP" },
              { name: "dns-tcp-local", containerPort: 10053, protocol: "TCP" },
              { name: "metrics", containerPort: 10055, protocol: "TCP" },
            ],
          },
          {
            name: "dnsmasq",
            image: "gcr.io/google_containers/k8s-dns-dnsmasq-nanny-amd64:1.14.7",
            ports: [
              { name: "dns", containerPort: 53, protocol: "UDP" },
              { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
            ],
          },
          {
            name: "sidecar",
            image: "gcr.io/google_containers/k8s-dns-sidecar-amd64:1.14.7",
            ports: [{ name: "metrics", containerPort: 10054, protocol: "TCP" }],
          },
        ],
        pods: [{ node: "worker-0", ip: "10.200.0.27", sandboxId: ARTICLE_SANDBOX }],
      },
      {
        kind: "ReplicationController",
        name: "busybox0",
        labels: { app: "busybox0" },
        replicas: 2,
        containers: [{ name: "busybox", image: "busybox" }],
        pods: [
          { node: "worker-1", ip: "10.200.1.15", name: "busybox0-g6pww" },
          { node: "worker-0", ip: "10.200.0.21", name: "busybox0-rw89s" },
        ],
      },
      {
        kind: "Deployment",
        name: "nginx",
        labels: { run: "nginx" },
        replicas: 1,
        podTemplateHash: 2145573259,
        containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80, protocol: "TCP" }] }],
        pods: [{ node: "worker-1", ip: "10.200.1.18", name: "nginx-65899c769f-wxdx6" }],
      },
    ],
    services: [
      {
        name: "kube-dns",
        namespace: "kube-system",
        clusterIP: "10.32.0.10",
        // kube-dns.yaml's labels, as KTHW's DNS add-on sets them.
        labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "addonmanager.kubernetes.io/mode": "Reconcile", "kubernetes.io/name": "KubeDNS" },
        selector: { "k8s-app": "kube-dns" },
        ports: [
          { name: "dns", protocol: "UDP", port: 53, targetPort: 53 },
          { name: "dns-tcp", protocol: "TCP", port: 53, targetPort: 53 },
        ],
      },
      {
        name: "nginx",
        type: "NodePort",
        clusterIP: "10.32.0.53",
        // kubectl expose copies the deployment's labels (kubectl run nginx: run=nginx).
        labels: { run: "nginx" },
        selector: { run: "nginx" },
        ports: [{ protocol: "TCP", port: 80, targetPort: 80, nodePort: 31088 }],
      },
    ],
  };
}

function scenario(id: string, title: string, description: string, traffic: ScenarioInput["traffic"], cluster: Cluster = articleCluster()): ScenarioInput {
  return { version: 1, id, title, description, seed: 1, ...cluster, traffic };
}

const noRouteCluster = (): Cluster => {
  const c = articleCluster();
  return { ...c, cloud: { ...c.cloud, podRoutes: [{ dst: "10.200.0.0/24", via: "10.240.0.20" }, { dst: "10.200.2.0/24", via: "10.240.0.22" }] } };
};

/**
 * The article's cluster with nginx exposed as `kubectl expose --type=LoadBalancer` would on GCE:
 * the cloud's load balancer at 198.51.100.80 (a documentation address), open only to the
 * client's network 203.0.113.0/24 (loadBalancerSourceRanges).
 */
export function loadBalancerCluster(): Cluster {
  const c = articleCluster();
  const services = (c.services ?? []).map((sv) =>
    sv.name === "nginx" ? { ...sv, type: "LoadBalancer" as const, loadBalancerIP: "198.51.100.80", loadBalancerSourceRanges: ["203.0.113.0/24"] } : sv,
  );
  return { ...c, services };
}

/** The article's scenarios (and the load balancer), on its 2018 cluster. */
const ARTICLE_SCENARIOS: readonly ScenarioInput[] = [
  scenario(
    "pod-to-pod",
    "Pod to pod across nodes (ipMasq on)",
    "busybox0-rw89s on worker-0 pings busybox0-g6pww on worker-1. The CNI bridge plugin's ipMasq chain masquerades the ping to worker-0's address, so worker-1 sees 10.240.0.20, as the article's conntrack shows; the reply is un-NATed on the way back. The ping arrives with TTL 62.",
    [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" }, sport: 1280 }],
  ),
  scenario(
    "pod-to-pod-no-masq",
    "Pod to pod across nodes (ipMasq off)",
    "The same ping with ipMasq removed from the CNI config: no CNI chains, no NAT anywhere. Every container reaches every other container with its own address.",
    [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" }, sport: 1792 }],
    articleCluster({ ipMasq: false }),
  ),
  scenario(
    "same-node",
    "Pod to pod on the same node",
    "busybox0-rw89s pings the kube-dns pod on the same node. The frame never leaves cnio0: it is bridged from one veth to the other, yet with bridge-nf-call-iptables on (as on a kube-proxy node) it still passes FORWARD and POSTROUTING, and gets a conntrack entry. TTL stays 64.",
    [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.0.27" }, sport: 2816 }],
  ),
  scenario(
    "clusterip-dns-udp",
    "ClusterIP: DNS over UDP",
    "busybox0-g6pww on worker-1 asks kube-dns at its ClusterIP 10.32.0.10:53. kube-proxy's rules on worker-1 DNAT it to the pod 10.200.0.27:53 on worker-0; the service address exists only as iptables rules.",
    [{ kind: "dig", from: { pod: "busybox0-g6pww" }, to: { service: "kube-dns", namespace: "kube-system", port: "dns" }, protocol: "UDP", port: 53, sport: 53340 }],
  ),
  scenario(
    "clusterip-dns-tcp",
    "ClusterIP: DNS over TCP",
    "The same question over TCP (the dns-tcp port): KUBE-SVC-ERIFXISQEP7F7OF4 sends the handshake to KUBE-SEP-32LPCMGYG6ODGN3H, which DNATs it to 10.200.0.27:53.",
    [{ kind: "dig", from: { pod: "busybox0-g6pww" }, to: { service: "kube-dns", namespace: "kube-system", port: "dns-tcp" }, protocol: "TCP", port: 53, sport: 49070 }],
  ),
  scenario(
    "nodeport",
    "NodePort from the internet",
    "A client on the internet (203.0.113.10, source port 30303) opens http://<worker-0's public IP>:31088/. The cloud translates the public address to 10.240.0.20; KUBE-NODEPORTS marks the connection for masquerade and DNATs it to nginx 10.200.1.18:80 on worker-1, so worker-1 sees it coming from 10.240.0.20.",
    [{ kind: "curl", from: { client: true }, to: { node: "worker-0", public: true }, port: 31088, sport: 30303 }],
  ),
  scenario(
    "node-to-pod",
    "Node to pod",
    "worker-0 itself pings busybox0-g6pww on worker-1. The packet starts in the node's OUTPUT path with the node's address, crosses the VPC router and reaches the pod with TTL 63; nothing is NATed.",
    [{ kind: "ping", from: { node: "worker-0" }, to: { ip: "10.200.1.15" }, sport: 3328 }],
  ),
  scenario(
    "pod-to-internet",
    "Pod to the internet",
    "busybox0-rw89s pings a host on the internet. The CNI chain masquerades it to worker-0's address, and the cloud's edge translates that to worker-0's public address; the reply is un-NATed twice on the way back.",
    [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { client: true }, sport: 3840 }],
  ),
  scenario(
    "no-route",
    "A missing VPC route",
    "The VPC route for worker-1's pod network 10.200.1.0/24 has been removed. The ping leaves worker-0 masqueraded as usual, but the VPC router has no route to 10.200.1.15 and drops it.",
    [{ kind: "ping", from: { pod: "busybox0-rw89s" }, to: { ip: "10.200.1.15" }, sport: 1280 }],
    noRouteCluster(),
  ),
  scenario(
    "loadbalancer",
    "LoadBalancer from the internet",
    "nginx is a LoadBalancer service: the cloud's load balancer answers on 198.51.100.80 and admits only 203.0.113.0/24. The client (203.0.113.10) opens http://198.51.100.80/. The load balancer hashes the connection to one worker and forwards it without NAT; there kube-proxy's KUBE-FW chain marks it for masquerade and sends it to KUBE-SVC, which DNATs it to nginx 10.200.1.18:80. The reply leaves with the load balancer's address as its source. Then busybox0-rw89s tries the same address from inside the cluster: its source is in no allowed range, so KUBE-FW ends in KUBE-MARK-DROP and KUBE-FIREWALL drops it on worker-0.",
    [
      { kind: "curl", from: { client: true }, to: { service: "nginx", via: "loadBalancer" }, sport: 30303 },
      { kind: "curl", from: { pod: "busybox0-rw89s" }, to: { service: "nginx", via: "loadBalancer" }, sport: 40404 },
    ],
    loadBalancerCluster(),
  ),
];

/** The same scenarios on today's cluster: kube-proxy 1.37 (today.ts). */
const TODAY_SCENARIOS: readonly ScenarioInput[] = ARTICLE_SCENARIOS.flatMap((s) => {
  const text = TODAY_TEXT[s.id];
  if (!text) return [];
  return [{ ...s, id: `${TODAY_PREFIX}${s.id}`, title: text.title, description: text.description, cluster: { ...s.cluster, kubeProxy: { ...TODAY_KUBE_PROXY } } }];
});

/** Today's cluster on flannel's VXLAN overlay (cni.ts). */
const FLANNEL_SCENARIOS: readonly ScenarioInput[] = TODAY_SCENARIOS.flatMap((s) => {
  const base = s.id.slice(TODAY_PREFIX.length);
  const text = FLANNEL_TEXT[base];
  return text ? [onFlannel(s, `${FLANNEL_PREFIX}${base}`, text)] : [];
});

/** Today's cluster on Calico, VXLAN and routed (cni.ts). */
const CALICO_SCENARIOS: readonly ScenarioInput[] = Object.entries(CALICO_TEXT).flatMap(([id, text]) => {
  const routed = id.startsWith(CALICO_ROUTED);
  const base = TODAY_SCENARIOS.find((s) => s.id === `${TODAY_PREFIX}${routed ? id.slice(CALICO_ROUTED.length) : id}`);
  return base ? [onCalico(base, `${CALICO_PREFIX}${id}`, text, routed ? "none" : "vxlan")] : [];
});

/** The built-in scenarios, in the order the picker lists them: the article's cluster, then today's, then today's on other CNIs. */
export const BUILTIN_SCENARIOS: readonly ScenarioInput[] = [...ARTICLE_SCENARIOS, ...TODAY_SCENARIOS, ...FLANNEL_SCENARIOS, ...CALICO_SCENARIOS];

/** The built-ins' Russian titles and descriptions by id, once russian.ts installed them. */
let russian: Readonly<Record<string, { readonly title: string; readonly description: string }>> | undefined;

export function installBuiltinRussian(texts: Readonly<Record<string, { readonly title: string; readonly description: string }>>): void {
  russian = texts;
}

export function builtinRussianLoaded(): boolean {
  return russian !== undefined;
}

/**
 * A built-in scenario's id, title and description in `lang` (Russian once russian.ts installed it);
 * undefined for an id that is no built-in's.
 */
export function builtinSummary(id: string, lang?: NarrationLang): { id: string; title: string; description: string } | undefined {
  const s = builtinScenario(id);
  if (!s) return undefined;
  if (lang === "ru" && !russian) throw new Error("the built-ins' Russian texts are not loaded (scenarios/russian.ts)");
  const told = lang === "ru" ? russian?.[id] : undefined;
  return { id: s.id, title: told?.title ?? s.title, description: told?.description ?? s.description ?? "" };
}

export function builtinScenario(id: string): ScenarioInput | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.id === id);
}

/**
 * A new scenario to build on: the article's three networks, its cloud (router, client) and one
 * worker, with no controllers, workloads, services or traffic yet.
 */
export function blankScenario(): ScenarioInput {
  const c = articleCluster();
  return {
    version: 1,
    id: "my-cluster",
    title: "My cluster",
    description: "",
    seed: 1,
    cluster: { ...c.cluster, controllers: [], workers: c.cluster.workers.slice(0, 1) },
    cloud: c.cloud,
    workloads: [],
    services: [],
    traffic: [],
  };
}
