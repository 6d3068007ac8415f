/** kubectl 1.10 output for the simulated cluster: get pods|svc|ep|nodes, describe pods|services. */
import { DAYS, MONTHS } from "./dates";
import type { Cluster } from "../k8s/build";
import { loadBalancerIngress } from "../k8s/spec";
import { goTabwriter } from "./tabwriter";

/** kubectl 1.10's printers: tabwriter(minwidth 10, padding 3), the last column unpadded. */
export function tabwrite(rows: readonly (readonly string[])[], minWidth = 10, padding = 3): string {
  return goTabwriter(rows.map((r) => r.join("\t")), minWidth, padding);
}

/** Seconds since the objects were made: four before the traffic, as in the article's listing. */
function ageSeconds(c: Cluster): number {
  return Math.max(0, Math.floor((c.world.now - c.world.startMs) / 1000)) + 4;
}

/** apimachinery's ShortHumanDuration, which kubectl 1.10 prints ages with: 59s, 1m, 59m, 1h, 23h, 1d. */
export function shortHumanDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function kubectlGetPods(c: Cluster, opts: { namespace?: string; allNamespaces?: boolean; wide?: boolean }): { stdout: string; stderr: string } {
  const ns = opts.namespace ?? "default";
  const pods = c.pods.filter((p) => opts.allNamespaces || p.namespace === ns).slice().sort((a, b) => (a.namespace + a.name < b.namespace + b.name ? -1 : 1));
  if (pods.length === 0) return { stdout: "", stderr: opts.allNamespaces ? "No resources found.\n" : `No resources found.\n` };
  const head = [...(opts.allNamespaces ? ["NAMESPACE"] : []), "NAME", "READY", "STATUS", "RESTARTS", "AGE", ...(opts.wide ? ["IP", "NODE"] : [])];
  const rows = pods.map((p) => [
    ...(opts.allNamespaces ? [p.namespace] : []),
    p.name,
    `${p.containers.length}/${p.containers.length}`,
    "Running",
    "0",
    shortHumanDuration(ageSeconds(c)),
    ...(opts.wide ? [p.ip, p.node] : []),
  ]);
  return { stdout: tabwrite([head, ...rows]), stderr: "" };
}

/**
 * kubectl describe service (1.10): one tabwriter block with padding 2, so values line up two
 * columns after the longest label; "Port:" lines have a third column for the port's name.
 */
export function kubectlDescribeService(c: Cluster, name: string | undefined, namespace: string): { stdout: string; stderr: string; code: number } {
  const services = c.services.filter((s) => s.namespace === namespace && (name === undefined || s.name === name));
  if (services.length === 0) {
    return { stdout: "", stderr: name ? `Error from server (NotFound): services "${name}" not found\n` : "No resources found.\n", code: name ? 1 : 0 };
  }
  const blocks = services.map((s) => {
    const rows: string[][] = [];
    const selector = Object.entries(s.selector).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(",");
    const labels = Object.entries(s.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
    rows.push(["Name:", s.name], ["Namespace:", s.namespace]);
    // One label per line, the later ones under the first (kubectl's printLabelsMultiline).
    if (labels.length === 0) rows.push(["Labels:", "<none>"]);
    else labels.forEach((l, i) => rows.push([i === 0 ? "Labels:" : "", l]));
    rows.push(["Annotations:", "<none>"], ["Selector:", selector || "<none>"], ["Type:", s.type], ["IP:", s.clusterIP]);
    // spec.loadBalancerIP on a second "IP:" line, as kubectl 1.10 prints it; then status.loadBalancer.ingress.
    if (s.loadBalancerIP !== undefined) rows.push(["IP:", s.loadBalancerIP]);
    const ingress = s.type === "LoadBalancer" ? loadBalancerIngress(c.scenario).get(`${s.namespace}/${s.name}`) : undefined;
    if (ingress !== undefined) rows.push(["LoadBalancer Ingress:", ingress]);
    for (const p of s.portsResolved) {
      const proto = p.protocol;
      rows.push(["Port:", p.portName || "<unset>", `${p.port}/${proto}`]);
      rows.push(["TargetPort:", `${p.targetPort}/${proto}`]);
      if (p.nodePort !== undefined) rows.push(["NodePort:", p.portName || "<unset>", `${p.nodePort}/${proto}`]);
      rows.push(["Endpoints:", p.endpoints.map((e) => `${e.ip}:${e.port}`).join(",") || "<none>"]);
    }
    rows.push(["Session Affinity:", s.sessionAffinity]);
    if (s.type === "NodePort" || s.type === "LoadBalancer") rows.push(["External Traffic Policy:", s.externalTrafficPolicy]);
    if (s.healthCheckNodePort !== undefined) rows.push(["HealthCheck NodePort:", String(s.healthCheckNodePort)]);
    if (s.loadBalancerSourceRanges?.length) rows.push(["LoadBalancer Source Ranges:", s.loadBalancerSourceRanges.join(",")]);
    rows.push(["Events:", "<none>"]);
    return goTabwriter(rows.map((r) => r.join("\t")), 0, 2);
  });
  // kubectl 1.10 writes "\n\n" before every object after the first (RunDescribe): two blank lines.
  return { stdout: blocks.join("\n\n"), stderr: "", code: 0 };
}


const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

/** The namespace's default service-account token secret, default-token-xxxxx (five characters from Kubernetes' alphabet). */
export function tokenSecret(namespace: string): string {
  let h = 0;
  for (const ch of `token/${namespace}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  let s = "";
  for (let i = 0; i < 5; i++) {
    s += ALPHANUMS[h % ALPHANUMS.length];
    h = Math.floor(h / ALPHANUMS.length) + i * 7919;
  }
  return `default-token-${s}`;
}

/** Go's RFC1123Z in UTC: "Mon, 14 May 2018 14:47:07 +0000". */
function rfc1123z(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${String(d.getUTCDate()).padStart(2, "0")} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${d.toISOString().slice(11, 19)} +0000`;
}



/** kubectl describe pods [NAME] (1.10). */
export function kubectlDescribePods(c: Cluster, name: string | undefined, namespace: string): { stdout: string; stderr: string; code: number } {
  const pods = c.pods.filter((p) => p.namespace === namespace && (name === undefined || p.name === name));
  if (pods.length === 0) return { stdout: "", stderr: name ? `Error from server (NotFound): pods "${name}" not found\n` : "No resources found.\n", code: name ? 1 : 0 };
  const ageS = ageSeconds(c);
  const started = c.world.startMs - 4000;
  const blocks = pods.map((p) => {
    const node = c.nodes.find((n) => n.name === p.node)!;
    const token = tokenSecret(p.namespace);
    const labels = Object.entries(p.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`);
    const L: string[] = [
      `Name:\t${p.name}`,
      `Namespace:\t${p.namespace}`,
      `Node:\t${p.node}/${node.ip}`,
      `Start Time:\t${rfc1123z(started)}`,
      ...(labels.length ? labels.map((l, i) => (i === 0 ? `Labels:\t${l}` : `\t${l}`)) : ["Labels:\t<none>"]),
      `Annotations:\t<none>`,
      `Status:\tRunning`,
      `IP:\t${p.ip}`,
      ...(p.controlledBy ? [`Controlled By:\t${p.controlledBy}`] : []),
      "Containers:",
    ];
    for (const ctr of p.containers) {
      const ports = ctr.ports.map((x) => `${x.containerPort}/${x.protocol}`);
      const hostPorts = ctr.ports.map((x) => `0/${x.protocol}`);
      L.push(
        `  ${ctr.name}:`,
        `    Container ID:\tcontainerd://${ctr.id}`,
        `    Image:\t${ctr.image}`,
        `    Image ID:\t${imageId(ctr.image)}`,
        ports.length > 1 ? `    Ports:\t${ports.join(", ")}` : `    Port:\t${ports[0] ?? "<none>"}`,
        hostPorts.length > 1 ? `    Host Ports:\t${hostPorts.join(", ")}` : `    Host Port:\t${hostPorts[0] ?? "<none>"}`,
        // The article's busybox pods run `command: [sleep, "3600"]`; the other images run their own entrypoint.
        ...(isBusybox(ctr.image) ? ["    Command:", "      sleep", "      3600"] : []),
        `    State:\tRunning`,
        `      Started:\t${rfc1123z(started + 2000)}`,
        `    Ready:\tTrue`,
        `    Restart Count:\t0`,
        `    Environment:\t<none>`,
        `    Mounts:`,
        `      /var/run/secrets/kubernetes.io/serviceaccount from ${token} (ro)`,
      );
    }
    L.push("Conditions:", "  Type\tStatus", "  Initialized \tTrue ", "  Ready \tTrue ", "  PodScheduled \tTrue ");
    L.push("Volumes:", `  ${token}:`, `    Type:\tSecret (a volume populated by a Secret)`, `    SecretName:\t${token}`, `    Optional:\tfalse`);
    L.push("QoS Class:\tBestEffort", "Node-Selectors:\t<none>", "Tolerations:\t<none>", "Events:");
    const image = p.containers[0]!.image;
    const a = shortHumanDuration(ageS);
    const b = shortHumanDuration(Math.max(0, ageS - 1));
    L.push(
      "  Type\tReason\tAge\tFrom\tMessage",
      "  ----\t------\t----\t----\t-------",
      `  Normal\tScheduled\t${a}\tdefault-scheduler\tSuccessfully assigned ${p.name} to ${p.node}`,
      `  Normal\tSuccessfulMountVolume\t${a}\tkubelet, ${p.node}\tMountVolume.SetUp succeeded for volume "${token}"`,
      `  Normal\tPulled\t${b}\tkubelet, ${p.node}\tContainer image "${image}" already present on machine`,
      `  Normal\tCreated\t${b}\tkubelet, ${p.node}\tCreated container`,
      `  Normal\tStarted\t${b}\tkubelet, ${p.node}\tStarted container`,
    );
    return goTabwriter(L, 0, 2);
  });
  return { stdout: blocks.join("\n\n"), stderr: "", code: 0 };
}

function isBusybox(image: string): boolean {
  return image.split("/").pop()!.split(":")[0] === "busybox";
}

function imageId(image: string): string {
  const name = image.includes("/") ? image.split(":")[0]! : `docker.io/library/${image.split(":")[0]}`;
  let h = 0x811c9dc5;
  let hex = "";
  for (let round = 0; hex.length < 64; round++) {
    for (const ch of `${image}/${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    hex += h.toString(16).padStart(8, "0");
  }
  return `${name}@sha256:${hex.slice(0, 64)}`;
}

/** kubectl get svc [-o wide] (1.10). */
export function kubectlGetServices(c: Cluster, opts: { namespace?: string; allNamespaces?: boolean; wide?: boolean }): { stdout: string; stderr: string } {
  const ns = opts.namespace ?? "default";
  const svcs = c.services.filter((s) => opts.allNamespaces || s.namespace === ns).slice().sort((a, b) => (a.namespace + "/" + a.name < b.namespace + "/" + b.name ? -1 : 1));
  if (svcs.length === 0) return { stdout: "", stderr: "No resources found.\n" };
  const ageS = ageSeconds(c);
  const head = [...(opts.allNamespaces ? ["NAMESPACE"] : []), "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", ...(opts.wide ? ["SELECTOR"] : [])];
  const rows = svcs.map((s) => {
    const ports = s.portsResolved.map((p) => (p.nodePort !== undefined ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(",");
    const selector = Object.entries(s.selector).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(",") || "<none>";
    const external = s.type === "LoadBalancer" ? (loadBalancerIngress(c.scenario).get(`${s.namespace}/${s.name}`) ?? "<pending>") : "<none>";
    return [...(opts.allNamespaces ? [s.namespace] : []), s.name, s.type, s.clusterIP, external, ports || "<none>", shortHumanDuration(ageS), ...(opts.wide ? [selector] : [])];
  });
  return { stdout: tabwrite([head, ...rows]), stderr: "" };
}

/** kubectl get nodes (1.10): KTHW's workers, registered by their kubelets (controllers run none). */
export function kubectlGetNodes(c: Cluster): { stdout: string; stderr: string } {
  const workers = c.nodes.filter((n) => n.role === "worker");
  if (workers.length === 0) return { stdout: "", stderr: "No resources found.\n" };
  // The nodes registered before the workloads were created: ten minutes before the pods, in this simulation.
  const age = shortHumanDuration(ageSeconds(c) + 600);
  return { stdout: tabwrite([["NAME", "STATUS", "ROLES", "AGE", "VERSION"], ...workers.map((n) => [n.name, "Ready", "<none>", age, "v1.10.2"])]), stderr: "" };
}

/** kubectl get endpoints (1.10): at most three addresses, then "+ N more...". */
export function kubectlGetEndpoints(c: Cluster, opts: { namespace?: string; allNamespaces?: boolean }): { stdout: string; stderr: string } {
  const ns = opts.namespace ?? "default";
  const svcs = c.services.filter((s) => opts.allNamespaces || s.namespace === ns).slice().sort((a, b) => (a.namespace + "/" + a.name < b.namespace + "/" + b.name ? -1 : 1));
  if (svcs.length === 0) return { stdout: "", stderr: "No resources found.\n" };
  const head = [...(opts.allNamespaces ? ["NAMESPACE"] : []), "NAME", "ENDPOINTS", "AGE"];
  const rows = svcs.map((s) => {
    const all = s.portsResolved.flatMap((p) => p.endpoints.map((e) => `${e.ip}:${e.port}`));
    const shown = all.length > 3 ? `${all.slice(0, 3).join(",")} + ${all.length - 3} more...` : all.join(",") || "<none>";
    return [...(opts.allNamespaces ? [s.namespace] : []), s.name, shown, shortHumanDuration(ageSeconds(c))];
  });
  return { stdout: tabwrite([head, ...rows]), stderr: "" };
}
