/**
 * The few files and directories a learner reads on the article's nodes and in its pods, with
 * the content the 2018 cluster had: the CNI configuration KTHW writes (10-bridge.conf,
 * 99-loopback.conf) from the scenario's CNI settings, kubelet's config, the CNI plugins'
 * directory, and a pod's /etc/resolv.conf as containerd writes it from kubelet's DNS settings.
 * What the scenario cannot know (a GCE project's search domains, the node's own resolver) is
 * said, not invented.
 */
import { formatIpv4, parseCidr } from "../addr/ipv4";
import { flannelMtu, subnetEnv } from "../cni/flannel";
import type { CniNode } from "../cni/plugin";
import type { Cluster } from "../k8s/build";
import type { Netns } from "../netns";

export type FileAnswer = { readonly content: string; readonly note?: string } | { readonly note: string };

/** The CNI plugins v0.6.0 release tarball: what KTHW unpacks into /opt/cni/bin. */
const CNI_PLUGINS = ["bridge", "dhcp", "flannel", "host-local", "ipvlan", "loopback", "macvlan", "portmap", "ptp", "sample", "tuning", "vlan"];

function workerOf(c: Cluster, ns: Netns) {
  return c.scenario.cluster.workers.find((w) => w.name === ns.node);
}

/** /etc/cni/net.d/10-bridge.conf as KTHW's heredoc writes it (4-space indents, the subnet line at 10). */
function bridgeConf(c: Cluster, worker: NonNullable<ReturnType<typeof workerOf>>): string {
  const cni = { ...c.scenario.cluster.cni, ...worker.cni };
  const q = JSON.stringify;
  return [
    "{",
    `    "cniVersion": "0.3.1",`,
    `    "name": ${q(cni.name)},`,
    `    "type": "bridge",`,
    `    "bridge": ${q(cni.bridge)},`,
    `    "isGateway": ${cni.isGateway},`,
    `    "ipMasq": ${cni.ipMasq},`,
    // KTHW's file has no hairpinMode key; a scenario that turns it on gets the plugin's key for it.
    ...(cni.hairpinMode ? [`    "hairpinMode": true,`] : []),
    `    "ipam": {`,
    `        "type": "host-local",`,
    `        "ranges": [`,
    `          [{"subnet": ${q(worker.podCidr)}}]`,
    `        ],`,
    `        "routes": [{"dst": "0.0.0.0/0"}]`,
    `    }`,
    "}",
    "",
  ].join("\n");
}

/** Whether the cluster's CNI is flannel: its nodes have flannel's files instead of 10-bridge.conf. */
function onFlannel(c: Cluster): boolean {
  return c.scenario.cluster.cni.type === "flannel";
}

/**
 * /etc/cni/net.d/10-flannel.conflist: kube-flannel.yml v0.28.9's cni-conf.json, which its
 * install-cni init container copies byte for byte (/opt/bin/install-conf, an atomic copy) from
 * the ConfigMap: the YAML block without its four-space indent, ending in one newline.
 */
const FLANNEL_CONFLIST = [
  "{",
  '  "name": "cbr0",',
  '  "cniVersion": "0.3.1",',
  '  "plugins": [',
  "    {",
  '      "type": "flannel",',
  '      "delegate": {',
  '        "hairpinMode": true,',
  '        "isDefaultGateway": true',
  "      }",
  "    },",
  "    {",
  '      "type": "portmap",',
  '      "capabilities": {',
  '        "portMappings": true',
  "      }",
  "    }",
  "  ]",
  "}",
  "",
].join("\n");

const LOOPBACK_CONF = `{\n    "cniVersion": "0.3.1",\n    "type": "loopback"\n}\n`;

/** KTHW's /var/lib/kubelet/kubelet-config.yaml of May 2018 (Kubernetes 1.10). */
function kubeletConfig(c: Cluster, worker: NonNullable<ReturnType<typeof workerOf>>): string {
  return [
    "kind: KubeletConfiguration",
    "apiVersion: kubelet.config.k8s.io/v1beta1",
    "authentication:",
    "  anonymous:",
    "    enabled: false",
    "  webhook:",
    "    enabled: true",
    "  x509:",
    '    clientCAFile: "/var/lib/kubernetes/ca.pem"',
    "authorization:",
    "  mode: Webhook",
    'clusterDomain: "cluster.local"',
    "clusterDNS:",
    `  - "${clusterDns(c)}"`,
    `podCIDR: "${worker.podCidr}"`,
    'runtimeRequestTimeout: "15m"',
    `tlsCertFile: "/var/lib/kubelet/${worker.name}.pem"`,
    `tlsPrivateKeyFile: "/var/lib/kubelet/${worker.name}-key.pem"`,
    "",
  ].join("\n");
}

/** The cluster DNS address kubelet hands pods: kube-dns's cluster IP, else the service network's .10 (KTHW's). */
export function clusterDns(c: Cluster): string {
  const svc = c.services.find((s) => s.namespace === "kube-system" && s.name === "kube-dns");
  return svc?.clusterIP ?? formatIpv4(parseCidr(c.scenario.cluster.serviceNetwork).net + 10);
}

const NODE_RESOLVER_NOTE = "(hopscope: the node's own /etc/resolv.conf, systemd-resolved's stub with nameserver 127.0.0.53 and the cloud's search domains, is not simulated)";
const HOST_SEARCH_NOTE = "(hopscope: on the article's GCE nodes kubelet also appends the node's search domains, such as c.<project>.internal google.internal, which the scenario does not know)";

/**
 * The file at `path` as seen from `fs`, the namespace whose files a command reads (a pod's own
 * files in its shell and through kubectl exec; the node's through nsenter or ip netns exec).
 */
export function readFile(c: Cluster, fs: Netns, path: string): FileAnswer | undefined {
  const clean = path.replace(/\/+/g, "/");
  if (fs.pod !== undefined) {
    const pod = c.pods.find((p) => p.netns === fs.name);
    if (!pod) return undefined;
    if (clean === "/etc/resolv.conf") {
      // kube-dns.yaml gives kube-dns dnsPolicy Default: the node's resolv.conf, not the cluster's.
      if (pod.namespace === "kube-system" && pod.name.startsWith("kube-dns-")) return { note: `(hopscope: kube-dns runs with dnsPolicy Default, so it gets the node's resolv.conf: systemd-resolved's stub, nameserver 127.0.0.53, which is not simulated)` };
      // containerd's CRI plugin writes search, nameserver, options, from kubelet's ClusterFirst settings.
      return { content: `search ${pod.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver ${clusterDns(c)}\noptions ndots:5\n`, note: HOST_SEARCH_NOTE };
    }
    if (clean === "/etc/hostname") return { content: `${pod.name}\n` };
    return undefined;
  }
  if (clean === "/etc/resolv.conf") return { note: NODE_RESOLVER_NOTE };
  const worker = workerOf(c, fs);
  if (!worker) return undefined;
  if (onFlannel(c)) {
    // kube-flannel's install-cni copies cni-conf.json in; flanneld writes the lease (/var/run is /run).
    if (clean === "/etc/cni/net.d/10-flannel.conflist") return { content: FLANNEL_CONFLIST };
    if (clean === "/run/flannel/subnet.env" || clean === "/var/run/flannel/subnet.env") {
      const node: CniNode = { name: worker.name, ip: worker.ip, podCidr: worker.podCidr, podNetwork: c.scenario.cluster.podNetwork, config: { ...c.scenario.cluster.cni, ...worker.cni } as CniNode["config"] };
      return { content: subnetEnv(node, flannelMtu(c.world, worker.name)) };
    }
  } else if (clean === "/etc/cni/net.d/10-bridge.conf") return { content: bridgeConf(c, worker) };
  if (clean === "/etc/cni/net.d/99-loopback.conf") return { content: LOOPBACK_CONF };
  if (clean === "/var/lib/kubelet/kubelet-config.yaml") return { content: kubeletConfig(c, worker) };
  return undefined;
}

/** The entries of a directory, sorted, or undefined for one the simulation does not have. */
export function listDir(c: Cluster, fs: Netns, path: string): readonly string[] | undefined {
  const clean = path.replace(/\/+/g, "/").replace(/(.)\/$/, "$1");
  if (fs.pod !== undefined || !workerOf(c, fs)) return undefined;
  if (clean === "/etc/cni/net.d") return [onFlannel(c) ? "10-flannel.conflist" : "10-bridge.conf", "99-loopback.conf"];
  if (onFlannel(c) && (clean === "/run/flannel" || clean === "/var/run/flannel")) return ["subnet.env"];
  if (clean === "/etc/cni") return ["net.d"];
  if (clean === "/opt/cni/bin") return CNI_PLUGINS;
  if (clean === "/opt/cni") return ["bin"];
  return undefined;
}

/**
 * Whether the simulation knows that `path` does not exist: a name missing from a directory it
 * has (10-bridge.conf on a flannel node), or flannel's run directory on a node without flannel.
 */
export function knownAbsent(c: Cluster, fs: Netns, path: string): boolean {
  const clean = path.replace(/\/+/g, "/").replace(/(.)\/$/, "$1");
  if (readFile(c, fs, clean) || listDir(c, fs, clean)) return false;
  if (fs.pod !== undefined || !workerOf(c, fs)) return false;
  if (/^\/(var\/)?run\/flannel(\/|$)/.test(clean)) return true;
  const cut = clean.lastIndexOf("/");
  return cut > 0 && listDir(c, fs, clean.slice(0, cut)) !== undefined;
}

/**
 * GNU ls's columns on an 80-column terminal: as many columns as fit, filled down then across,
 * each as wide as its longest name plus two; runs of spaces to a tab stop become tabs (tabsize 8).
 */
export function lsColumns(names: readonly string[], width = 80): string {
  if (names.length === 0) return "";
  let best = { cols: 1, rows: names.length, widths: [Math.max(...names.map((n) => n.length))] };
  for (let cols = 2; cols <= names.length; cols++) {
    const rows = Math.ceil(names.length / cols);
    if (Math.ceil(names.length / rows) < cols) continue; // that many columns would leave one empty
    const widths: number[] = [];
    for (let k = 0; k < cols; k++) widths.push(Math.max(0, ...names.slice(k * rows, (k + 1) * rows).map((n) => n.length)));
    const total = widths.reduce((a, b) => a + b + 2, 0) - 2;
    if (total < width) best = { cols, rows, widths };
  }
  const lines: string[] = [];
  for (let r = 0; r < best.rows; r++) {
    let line = "";
    let pos = 0;
    for (let k = 0; k < best.cols; k++) {
      const name = names[k * best.rows + r];
      if (name === undefined) break;
      const at = best.widths.slice(0, k).reduce((a, b) => a + b + 2, 0);
      // GNU ls's indent(): a tab whenever it reaches the next tab stop without passing `at`.
      while (pos < at) {
        if (Math.floor(at / 8) > Math.floor((pos + 1) / 8)) {
          line += "\t";
          pos += 8 - (pos % 8);
        } else {
          line += " ";
          pos++;
        }
      }
      line += name;
      pos += name.length;
    }
    lines.push(line);
  }
  return lines.map((l) => l + "\n").join("");
}
