/**
 * What a node's process table and containerd hold, derived from the cluster so that every
 * command agrees with every other: the PID `ctr task ls` prints for a pod's pause container is
 * the one `lsns -t net`, `ls -l /proc/<pid>/ns/net`, `ps -p`, `ip netns identify` and
 * `nsenter -t` know; a namespace's inode is the same in `lsns` and `ls -1i /var/run/netns`.
 *
 * The numbers are not the article's (they depend on boot order and history) but follow the
 * kernel's rules: PIDs grow with creation order, pod namespaces get inodes above the root
 * namespace's, and a pod's processes live in its pod's namespace while containerd's shims stay
 * in the node's.
 */
import type { Cluster, PodInfo } from "../k8s/build";
import { hexId } from "../k8s/ids";
import { hashString } from "../rng";

export interface Proc {
  readonly pid: number;
  /** The network namespace: the node's name or the pod's cni-… name. */
  readonly netns: string;
  /** The full command line as ps shows it in COMMAND. */
  readonly cmdline: string;
  /** ps's STAT column. */
  readonly stat: string;
  /** The pod and container it belongs to, when it does. */
  readonly pod?: PodInfo;
  readonly container?: string;
}

export interface PodRuntime {
  readonly pod: PodInfo;
  readonly uid: string;
  readonly inode: number;
  readonly pausePid: number;
  /** The first process of each container, by container name. */
  readonly containerPids: ReadonlyMap<string, number>;
}

export interface Host {
  readonly node: string;
  readonly rootInode: number;
  readonly procs: readonly Proc[];
  readonly pods: readonly PodRuntime[];
  /** A namespace's inode by its name (the node's own name for the root namespace). */
  inodeOf(netns: string): number | undefined;
}

/** The root network namespace's inode on the article's worker-0. */
export const ROOT_NET_INODE = 4026532089;

/** The node's own processes, in the order systemd starts them. Controllers run the control plane, workers the node agents. */
function systemProcs(worker: boolean): { cmd: string; stat: string }[] {
  const common = [
    { cmd: "/sbin/init", stat: "Ss" },
    { cmd: "/lib/systemd/systemd-journald", stat: "Ss" },
    { cmd: "/lib/systemd/systemd-udevd", stat: "Ss" },
    { cmd: "/lib/systemd/systemd-networkd", stat: "Ss" },
    { cmd: "/lib/systemd/systemd-resolved", stat: "Ss" },
    { cmd: "/usr/sbin/cron -f", stat: "Ss" },
    { cmd: "/usr/sbin/sshd -D", stat: "Ss" },
  ];
  const agents = worker
    ? [
        { cmd: "/bin/containerd", stat: "Ssl" },
        { cmd: "/usr/local/bin/kubelet --config=/var/lib/kubelet/kubelet-config.yaml --container-runtime=remote --container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --image-pull-progress-deadline=2m --kubeconfig=/var/lib/kubelet/kubeconfig --network-plugin=cni --register-node=true --v=2", stat: "Ssl" },
        { cmd: "/usr/local/bin/kube-proxy --config=/var/lib/kube-proxy/kube-proxy-config.yaml", stat: "Ssl" },
      ]
    : [
        { cmd: "/usr/local/bin/etcd --name controller --data-dir=/var/lib/etcd", stat: "Ssl" },
        { cmd: "/usr/local/bin/kube-apiserver --service-cluster-ip-range=10.32.0.0/24 --service-node-port-range=30000-32767", stat: "Ssl" },
        { cmd: "/usr/local/bin/kube-controller-manager --cluster-cidr=10.200.0.0/16 --service-cluster-ip-range=10.32.0.0/24", stat: "Ssl" },
        { cmd: "/usr/local/bin/kube-scheduler --config=/etc/kubernetes/config/kube-scheduler.yaml --v=2", stat: "Ssl" },
      ];
  return [...common, ...agents];
}

/** The processes a container's image runs. */
export function containerProcs(image: string): { cmd: string; stat: string }[] {
  const name = image.split("/").pop()!.split(":")[0]!;
  if (name === "nginx") return [{ cmd: "nginx: master process nginx -g daemon off;", stat: "Ss" }, { cmd: "nginx: worker process", stat: "S" }];
  if (name === "busybox") return [{ cmd: "sleep 3600", stat: "Ss" }];
  if (name.startsWith("k8s-dns-kube-dns")) return [{ cmd: "/kube-dns --domain=cluster.local. --dns-port=10053 --config-dir=/kube-dns-config --v=2", stat: "Ssl" }];
  if (name.startsWith("k8s-dns-dnsmasq-nanny")) {
    return [
      { cmd: "/dnsmasq-nanny -v=2 -logtostderr -configDir=/etc/k8s/dns/dnsmasq-nanny -restartDnsmasq=true -- -k --cache-size=1000 --no-negcache --log-facility=- --server=/cluster.local/127.0.0.1#10053 --server=/in-addr.arpa/127.0.0.1#10053 --server=/ip6.arpa/127.0.0.1#10053", stat: "Ssl" },
      { cmd: "/usr/sbin/dnsmasq -k --cache-size=1000 --no-negcache --log-facility=- --server=/cluster.local/127.0.0.1#10053 --server=/in-addr.arpa/127.0.0.1#10053 --server=/ip6.arpa/127.0.0.1#10053", stat: "S" },
    ];
  }
  if (name.startsWith("k8s-dns-sidecar")) return [{ cmd: "/sidecar --v=2 --logtostderr --probe=kubedns,127.0.0.1:10053,kubernetes.default.svc.cluster.local,5,SRV --probe=dnsmasq,127.0.0.1:53,kubernetes.default.svc.cluster.local,5,SRV", stat: "Ssl" }];
  return [{ cmd: `/${name}`, stat: "Ss" }];
}

/** A pod's UID: a version-1 style UUID derived from its name (the article's is 0b35e956-8080-11e8-…). */
export function podUid(p: PodInfo): string {
  const h = hexId(`uid/${p.namespace}/${p.name}`, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-11e8-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const cache = new WeakMap<Cluster, Map<string, Host>>();

/** The process table and containers of a node (cached per cluster). */
export function hostOf(c: Cluster, node: string): Host {
  let perNode = cache.get(c);
  if (!perNode) cache.set(c, (perNode = new Map()));
  const hit = perNode.get(node);
  if (hit) return hit;
  const info = c.nodes.find((n) => n.name === node);
  const worker = info?.role === "worker";
  const seed = hashString(`host/${node}`);
  const procs: Proc[] = [];
  let pid = 1;
  for (const p of systemProcs(worker)) {
    procs.push({ pid, netns: node, cmdline: p.cmd, stat: p.stat });
    pid = pid === 1 ? 280 + (seed % 40) : pid + 17 + ((seed >>> pid % 13) % 90);
  }
  const rootInode = ROOT_NET_INODE;
  const pods: PodRuntime[] = [];
  const mine = c.pods.filter((p) => p.node === node);
  mine.forEach((pod, k) => {
    // Each pod starts a while after the previous one; a containerd-shim (in the node's
    // namespace) parents each container.
    pid = Math.max(pid, 8000 * (k + 1)) + ((seed + k * 7919) % 400);
    const inode = rootInode + 191 + k * 73 + ((seed >>> k) % 11);
    procs.push({ pid, netns: node, cmdline: `containerd-shim -namespace k8s.io -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/k8s.io/${pod.sandboxId} -address /run/containerd/containerd.sock -containerd-binary /bin/containerd`, stat: "Sl" });
    const pausePid = pid + 19;
    procs.push({ pid: pausePid, netns: pod.netns, cmdline: "/pause", stat: "Ss", pod, container: "POD" });
    pid = pausePid + 57;
    const containerPids = new Map<string, number>();
    for (const ctr of pod.containers) {
      procs.push({ pid, netns: node, cmdline: `containerd-shim -namespace k8s.io -workdir /var/lib/containerd/io.containerd.runtime.v1.linux/k8s.io/${ctr.id} -address /run/containerd/containerd.sock -containerd-binary /bin/containerd`, stat: "Sl" });
      pid += 19;
      containerPids.set(ctr.name, pid);
      containerProcs(ctr.image).forEach((cp, i) => {
        procs.push({ pid, netns: pod.netns, cmdline: cp.cmd, stat: cp.stat, pod, container: ctr.name });
        pid += i === 0 ? 24 : 3;
      });
    }
    pods.push({ pod, uid: podUid(pod), inode, pausePid, containerPids });
  });
  const inodes = new Map<string, number>([[node, rootInode], ...pods.map((p) => [p.pod.netns, p.inode] as const)]);
  const host: Host = { node, rootInode, procs, pods, inodeOf: (ns) => inodes.get(ns) };
  perNode.set(node, host);
  return host;
}
