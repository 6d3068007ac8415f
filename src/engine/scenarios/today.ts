/**
 * The article's scenarios (and the load balancer) on today's cluster: the same nodes, pods,
 * services and packets, with kube-proxy 1.37 in iptables mode (its default mode) and the
 * nf_tables iptables of today's nodes. The app's kube-proxy switch runs any of them in nftables
 * mode too, or back on 2018's 1.10. Titles and descriptions in English here, in Russian in
 * today-ru.ts; what they say is checked against the traces by today.test.ts.
 */

export const TODAY_PREFIX = "today-";

/** The kube-proxy of today's built-ins. */
export const TODAY_KUBE_PROXY = { mode: "iptables", version: "latest" } as const;

export interface TodayText {
  readonly title: string;
  readonly description: string;
}

/** By the article scenario's id. */
export const TODAY_TEXT: Readonly<Record<string, TodayText>> = {
  "pod-to-pod": {
      title: "Today: pod to pod across nodes (ipMasq on)",
      description:
        "The article's ping from busybox0-rw89s to busybox0-g6pww, on nodes with kube-proxy 1.37. The CNI bridge plugin's ipMasq chain still masquerades it to worker-0's address; kube-proxy's KUBE-POSTROUTING now begins by returning every packet without its 0x4000 mark, so this one passes untouched. TTL 62 on arrival.",
  },
  "pod-to-pod-no-masq": {
      title: "Today: pod to pod across nodes (ipMasq off)",
      description: "The same ping with ipMasq removed from the CNI config, on today's nodes: no CNI chains and no NAT anywhere; kube-proxy 1.37's chains look at the packet and let it pass.",
  },
  "same-node": {
      title: "Today: pod to pod on the same node",
      description: "busybox0-rw89s pings the kube-dns pod beside it on worker-0, with kube-proxy 1.37's rules on the node. The frame is bridged by cnio0, and with bridge-nf-call-iptables on it still passes FORWARD (today's KUBE-PROXY-FIREWALL, KUBE-FORWARD and service chains) and POSTROUTING. TTL stays 64.",
  },
  "clusterip-dns-udp": {
      title: "Today: ClusterIP, DNS over UDP",
      description: "busybox0-g6pww on worker-1 asks kube-dns at 10.32.0.10:53. kube-proxy 1.37 sends it from KUBE-SERVICES to KUBE-SVC-TCOU7JCQXEZGVUNU, whose rule names the endpoint (\"kube-system/kube-dns:dns -> 10.200.0.27:53\"), and its KUBE-SEP chain DNATs it to the pod on worker-0.",
  },
  "clusterip-dns-tcp": {
      title: "Today: ClusterIP, DNS over TCP",
      description: "The same question over TCP (the dns-tcp port): KUBE-SVC-ERIFXISQEP7F7OF4 sends the handshake to KUBE-SEP-32LPCMGYG6ODGN3H, which DNATs it to 10.200.0.27:53, as in 2018; the comments are today's.",
  },
  nodeport: {
      title: "Today: NodePort from the internet",
      description: "The client opens worker-0's public address on port 31088. kube-proxy 1.37 sends it from KUBE-NODEPORTS to KUBE-EXT-2CMXP7HKUVJN7L6M, which marks it for masquerade and goes on to the service's chain; KUBE-POSTROUTING masquerades it with --random-fully, so worker-1 sees 10.240.0.20 with a random source port.",
  },
  "node-to-pod": {
      title: "Today: node to pod",
      description: "worker-0 pings busybox0-g6pww on worker-1 from its own OUTPUT path (kubelet's KUBE-FIREWALL looks at it first). Nothing is NATed; the pod sees TTL 63.",
  },
  "pod-to-internet": {
      title: "Today: pod to the internet",
      description: "busybox0-rw89s pings a host on the internet from today's node: the CNI chain masquerades it to worker-0's address, the cloud's edge to worker-0's public one; the reply is un-NATed twice.",
  },
  "no-route": {
      title: "Today: a missing VPC route",
      description: "The VPC route to worker-1's pod network is gone. Today's kube-proxy changes nothing here: the ping leaves worker-0 masqueraded, and the VPC router drops it for want of a route.",
  },
  loadbalancer: {
      title: "Today: LoadBalancer from the internet",
      description: "The client reaches nginx through the cloud load balancer 198.51.100.80, which hands the connection to worker-2. kube-proxy 1.37 takes it through KUBE-FW (the source range 203.0.113.0/24 admits it), KUBE-EXT (mark for masquerade) and the service's chains. busybox0-rw89s's request from outside the range is not sent on by KUBE-FW; the filter table's KUBE-PROXY-FIREWALL drops it on worker-0.",
  },
};
