/**
 * Built-ins on other CNIs: the article's walk-throughs on today's cluster (kube-proxy 1.37),
 * with flannel's VXLAN overlay instead of the bridge plugin's routed pods. The pods keep their
 * places and host parts; the pod network is flannel's default 10.244.0.0/16. Titles and
 * descriptions in English here, in Russian in cni-ru.ts; what they say is checked against the
 * traces by cni.test.ts.
 */
import type { ScenarioInput } from "../k8s/spec";

export const FLANNEL_PREFIX = "flannel-";

export interface CniText {
  readonly title: string;
  readonly description: string;
}

/** By the article scenario's id: the walk-throughs told again on flannel. */
export const FLANNEL_TEXT: Readonly<Record<string, CniText>> = {
  "pod-to-pod": {
    title: "flannel: pod to pod across nodes (VXLAN)",
    description:
      "busybox0-rw89s on worker-0 pings busybox0-g6pww on worker-1, on a cluster whose CNI is flannel with its VXLAN backend. worker-0 routes 10.244.1.15 via 10.244.1.0 onto flannel.1; the VTEP's forwarding table puts worker-1's VTEP MAC behind 10.240.0.21, so the frame leaves eth0 inside UDP to port 8472 (tcpdump calls it OTV). worker-1's VXLAN socket unwraps it and cni0 delivers it. FLANNEL-POSTRTG returns pod-to-pod traffic unmasqueraded; the VPC router has no pod routes and needs none. TTL 62 on arrival.",
  },
  "same-node": {
    title: "flannel: pod to pod on the same node",
    description:
      "busybox0-rw89s pings the kube-dns pod beside it on worker-0. The frame stays on cni0, bridged from one veth to the other; flannel.1 is not involved. FLANNEL-FWD accepts it in FORWARD. TTL stays 64.",
  },
  "clusterip-dns-udp": {
    title: "flannel: ClusterIP, DNS over UDP",
    description:
      "busybox0-g6pww on worker-1 asks kube-dns at 10.32.0.10:53. kube-proxy 1.37's KUBE-SVC-TCOU7JCQXEZGVUNU DNATs it to the pod 10.244.0.27 on worker-0 before routing, so what crosses to worker-0 is the translated packet inside VXLAN: the outer header names only the two nodes.",
  },
  nodeport: {
    title: "flannel: NodePort from the internet",
    description:
      "The client opens worker-0's public address on port 31088. KUBE-EXT-2CMXP7HKUVJN7L6M marks the connection, the service's chain DNATs it to nginx 10.244.1.18:80 on worker-1, and KUBE-POSTROUTING masquerades it to flannel.1's address 10.244.0.0 (the route to the pod leaves by flannel.1), so worker-1's nginx sees 10.244.0.0. The packet crosses in VXLAN to 10.240.0.21:8472.",
  },
  "node-to-pod": {
    title: "flannel: node to pod",
    description:
      "worker-0 pings busybox0-g6pww on worker-1 from its own OUTPUT path. The route to 10.244.1.0/24 leaves by flannel.1, so the kernel picks flannel.1's address 10.244.0.0 as the source: the pod sees the ping from 10.244.0.0, not from 10.240.0.20. TTL 63 on arrival.",
  },
  "pod-to-internet": {
    title: "flannel: pod to the internet",
    description:
      "busybox0-rw89s pings a host on the internet. Not the CNI plugin but flanneld masquerades it: FLANNEL-POSTRTG's rule for sources in 10.244.0.0/16 going outside it rewrites the source to worker-0's address; the cloud's edge then maps that to worker-0's public one.",
  },
};

/** A scenario of today's cluster moved onto flannel: its CNI, the pod network 10.244.0.0/16 and every pod address in it. */
export function onFlannel(s: ScenarioInput, id: string, text: CniText): ScenarioInput {
  const moved = JSON.parse(JSON.stringify(s).replaceAll('"10.200.', '"10.244.')) as ScenarioInput;
  return { ...moved, id, title: text.title, description: text.description, cluster: { ...moved.cluster, cni: { type: "flannel" } } };
}

export const CALICO_PREFIX = "calico-";
/** The routed (encapsulation "none") built-ins' ids: calico-routed-<article id>. */
export const CALICO_ROUTED = "routed-";

/**
 * By built-in id after "calico-": the walk-throughs told again on Calico, VXLAN unless the id
 * starts with "routed-" (then the pool's encapsulation is "none"); the article scenario's id follows.
 */
export const CALICO_TEXT: Readonly<Record<string, CniText>> = {
  "pod-to-pod": {
    title: "Calico: pod to pod across nodes (VXLAN)",
    description:
      "busybox0-rw89s on worker-0 pings busybox0-g6pww on worker-1, on a cluster whose CNI is Calico with VXLAN. The pod's only routes point at 169.254.1.1, an address no device has: worker-0's cali47b0952c7b4 answers the pod's ARP request for it by proxy ARP, with ee:ee:ee:ee:ee:ee. worker-0 routes 10.244.1.15 via 10.244.1.0, worker-1's tunnel address, onto vxlan.calico, and the frame leaves eth0 inside UDP to port 4789 with VNI 4096; felix's raw chains cali-OUTPUT and cali-PREROUTING leave that UDP untracked (NOTRACK). cali-nat-outgoing leaves pod-to-pod traffic alone, its destination being in the pool. worker-1 delivers it through cali99efa8ca226; the VPC router sees no pod address. TTL 62 on arrival.",
  },
  "routed-pod-to-pod": {
    title: "Calico: pod to pod across nodes, routed (no encapsulation)",
    description:
      "busybox0-rw89s on worker-0 pings busybox0-g6pww on worker-1, on Calico with the pool's encapsulation \"none\". cali47b0952c7b4 answers the pod's ARP request for its gateway 169.254.1.1 by proxy ARP; BIRD's route 10.244.1.0/26 via 10.240.0.21 dev eth0 proto bird sends the packet straight to worker-1 across the subnet, pod addresses unchanged on the wire and no tunnel. The VPC router is not on the way and has no pod routes. worker-1 delivers it through cali99efa8ca226, whose route is 10.244.1.15 dev cali99efa8ca226 scope link. TTL 62 on arrival.",
  },
  "same-node": {
    title: "Calico: pod to pod on the same node",
    description:
      "busybox0-rw89s pings the kube-dns pod beside it on worker-0. There is no bridge: the packet goes to 169.254.1.1 (cali47b0952c7b4's proxy ARP answers for it), and worker-0 routes it like any other, by the /32 route 10.244.0.27 dev calibfecee176ed scope link, so unlike on a bridge the TTL drops: TTL 63 on arrival.",
  },
  "node-to-pod": {
    title: "Calico: node to pod (VXLAN)",
    description:
      "worker-0 pings busybox0-g6pww on worker-1 from its own OUTPUT path. The route to worker-1's block 10.244.1.0/26 leaves by vxlan.calico, so the kernel picks vxlan.calico's address 10.244.0.0, the first of worker-0's block, as the source: the pod sees the ping from 10.244.0.0, not from 10.240.0.20. The UDP around it goes to 10.240.0.21:4789. TTL 63 on arrival.",
  },
  "clusterip-dns-udp": {
    title: "Calico: ClusterIP, DNS over UDP (VXLAN)",
    description:
      "busybox0-g6pww on worker-1 asks kube-dns at 10.32.0.10:53. kube-proxy 1.37's KUBE-SVC-TCOU7JCQXEZGVUNU DNATs it to the pod 10.244.0.27 on worker-0 before routing; worker-1 reaches worker-0's block 10.244.0.0/26 via vxlan.calico, so the translated packet crosses inside VXLAN to 10.240.0.20:4789, and the answer comes back the same way, conntrack on worker-1 turning its source back into 10.32.0.10.",
  },
  nodeport: {
    title: "Calico: NodePort from the internet (VXLAN)",
    description:
      "The client opens worker-0's public address on port 31088. KUBE-EXT-2CMXP7HKUVJN7L6M marks the connection, the service's chain DNATs it to nginx 10.244.1.18:80 on worker-1, and KUBE-POSTROUTING masquerades it to vxlan.calico's address 10.244.0.0 (the route to the pod leaves by vxlan.calico), so nginx sees 10.244.0.0. The packet crosses in VXLAN to 10.240.0.21:4789.",
  },
  "pod-to-internet": {
    title: "Calico: pod to the internet (VXLAN)",
    description:
      "busybox0-rw89s pings a host on the internet. felix masquerades it in cali-nat-outgoing: the source is in the ipset cali40masq-ipam-pools (the pool has natOutgoing) and the destination is not in cali40network-ip-pools, so the source becomes worker-0's address 10.240.0.20; the cloud's edge then maps that to worker-0's public one.",
  },
};

/**
 * A scenario of today's cluster moved onto Calico with the pool's encapsulation: the pod network
 * 10.244.0.0/16 (the pool) and every pod address in it, and each worker's podCidr its /26 block
 * (worker k's 10.244.k.0/26, which keeps today's pods' host parts, all below 64).
 */
export function onCalico(s: ScenarioInput, id: string, text: CniText, encapsulation: "none" | "vxlan"): ScenarioInput {
  const moved = JSON.parse(JSON.stringify(s).replaceAll('"10.200.', '"10.244.')) as ScenarioInput;
  const cluster = moved.cluster as ScenarioInput["cluster"] & { workers?: { podCidr: string }[] };
  const workers = cluster.workers?.map((w) => ({ ...w, podCidr: w.podCidr.replace(/\.0\/24$/, ".0/26") }));
  return { ...moved, id, title: text.title, description: text.description, cluster: { ...cluster, ...(workers && { workers }), cni: { type: "calico", encapsulation } } };
}
