/**
 * The article's tour: Nicolas Leiva's "Kubernetes Networking: Behind the scenes" (2018), section
 * by section, on the built-in scenarios. Each chapter names its scenario, finds its step in the
 * trace by what happens there (never by a position, which changes when the engine does), opens
 * a tab under the diagram and offers a shell command for the reader to run.
 */
import type { FlatStep } from "../../store/playback";

/**
 * The article in English (on ITNEXT) and Flant's Russian translation on Habr ("За кулисами сети в
 * Kubernetes"). Both addresses are as many reading lists cite them; neither could be opened from
 * here to check, so they are kept in this one place.
 */
export const ARTICLE_URL = "https://itnext.io/kubernetes-networking-behind-the-scenes-39a1ab1792bb";
export const ARTICLE_URL_RU = "https://habr.com/ru/company/flant/blog/420813/";

export interface Chapter {
  readonly id: string;
  readonly title: string;
  /** The part of the article the chapter follows, in our words (not the article's own heading). */
  readonly section: string;
  /** A built-in scenario's id (src/engine/scenarios/article.ts). */
  readonly scenario: string;
  /** The step to show: the first one of the scenario's trace this is true of. */
  readonly step: (s: FlatStep) => boolean;
  /** What the step is, in a few words (for tests and the reader). */
  readonly stepIs: string;
  /** The tab under the diagram: the node's rules and conntrack, or the shell. */
  readonly tab: "node" | "shell";
  /** A command put in the shell's input line, on a node or a pod (`worker-0/busybox0-rw89s`). */
  readonly shell: { readonly target: string; readonly line: string };
  /** What to look at, in two or three sentences. */
  readonly text: string;
  /** The title, the section and the text in Russian. */
  readonly ru: { readonly title: string; readonly section: string; readonly text: string };
}

const wire = (s: FlatStep) => s.step.kind === "wire";

export const CHAPTERS: readonly Chapter[] = [
  {
    id: "host-network",
    title: "The host network",
    section: "the host network (10.240.0.0/24)",
    scenario: "node-to-pod",
    step: (s) => wire(s) && s.step.node === "worker-0" && s.step.pod === undefined && s.step.iface === "eth0" && s.step.dir === "out",
    stepIs: "the ping leaving worker-0's eth0",
    tab: "shell",
    shell: { target: "worker-0", line: "ip route" },
    text: "Every machine has an address on the host network 10.240.0.0/24: controllers .10 to .12, workers .20 to .22. Here worker-0 itself pings a pod: the packet leaves eth0 with the node's own address 10.240.0.20, towards the VPC router 10.240.0.1, its default gateway. Run ip route to see the node's routes.",
    ru: {
      title: "Сеть хостов",
      section: "сеть хостов (10.240.0.0/24)",
      text: "У каждой машины есть адрес в сети хостов 10.240.0.0/24: у контроллеров с .10 по .12, у воркеров с .20 по .22. Здесь сам worker-0 пингует под: пакет уходит с eth0 с собственным адресом узла 10.240.0.20 к маршрутизатору VPC 10.240.0.1, его шлюзу по умолчанию. Выполните ip route, чтобы увидеть маршруты узла.",
    },
  },
  {
    id: "pod-network",
    title: "The pod network with CNI",
    section: "the pod network (10.200.0.0/16) and the CNI plugin",
    scenario: "pod-to-pod",
    step: (s) => wire(s) && s.step.node === "worker-0" && s.step.pod === undefined && s.step.iface === "cnio0" && s.step.dir === "in",
    stepIs: "the ping arriving on worker-0's bridge cnio0",
    tab: "shell",
    shell: { target: "worker-0", line: "cat /etc/cni/net.d/10-bridge.conf" },
    text: "Each worker takes a /24 of the pod network 10.200.0.0/16 (worker-0 has 10.200.0.0/24), and kubelet runs the CNI bridge plugin for every pod: it plugs the pod into the bridge cnio0, and host-local IPAM gives the pod its address. The ping has just come out of the pod onto cnio0. The CNI config in the Shell tab says so: bridge, isGateway, ipMasq, the subnet.",
    ru: {
      title: "Сеть подов и CNI",
      section: "сеть подов (10.200.0.0/16) и CNI-плагин",
      text: "Каждый воркер получает /24 из сети подов 10.200.0.0/16 (у worker-0 — 10.200.0.0/24), и kubelet запускает CNI-плагин bridge для каждого пода: он подключает под к мосту cnio0, а host-local IPAM выдаёт поду адрес. Пинг только что вышел из пода на cnio0. Конфигурация CNI во вкладке Shell говорит то же самое: bridge, isGateway, ipMasq, подсеть.",
    },
  },
  {
    id: "pause-namespaces",
    title: "The pause container and namespaces",
    section: "network namespaces and the pause container",
    scenario: "pod-to-pod",
    step: (s) => wire(s) && s.step.node === "worker-0" && s.step.pod === undefined && (s.step.iface ?? "").startsWith("veth") && s.step.dir === "in",
    stepIs: "the ping crossing the veth pair into worker-0's root namespace",
    tab: "shell",
    shell: { target: "worker-0", line: "sudo lsns -t net" },
    text: "A pod's network namespace belongs to its pause container; the pod's other containers join it. The pod's eth0 and the host's veth interface are the two ends of one veth pair, which the ping has just crossed. lsns -t net lists one /pause per pod; ip netns and nsenter -t PID -n take it from there.",
    ru: {
      title: "pause-контейнер и пространства имён",
      section: "сетевые пространства имён и pause-контейнер",
      text: "Сетевое пространство имён пода принадлежит его pause-контейнеру; остальные контейнеры пода присоединяются к нему. eth0 пода и интерфейс veth на хосте — два конца одной пары veth, которую пинг только что пересёк. lsns -t net показывает по одному /pause на под; дальше помогут ip netns и nsenter -t PID -n.",
    },
  },
  {
    id: "pod-to-pod",
    title: "Pod to pod",
    section: "routing from pod to pod",
    scenario: "pod-to-pod",
    step: (s) => s.step.kind === "route" && s.step.node === "vpc-router",
    stepIs: "the VPC router's route to worker-1's pod network",
    tab: "shell",
    shell: { target: "worker-0/busybox0-rw89s", line: "ip route" },
    text: "The pod sends everything to its gateway 10.200.0.1 (cnio0), worker-0 sends it to the VPC router, and the router knows each worker's pod range: 10.200.1.0/24 via 10.240.0.21. Those routes are not the CNI plugin's work here: they were added to the VPC by hand. The pod's own routing table is in the Shell tab.",
    ru: {
      title: "От пода к поду",
      section: "маршрутизацию от пода к поду",
      text: "Под отправляет всё своему шлюзу 10.200.0.1 (cnio0), worker-0 — маршрутизатору VPC, а маршрутизатор знает диапазон подов каждого воркера: 10.200.1.0/24 via 10.240.0.21. Эти маршруты здесь не дело CNI-плагина: их добавили в VPC вручную. Таблица маршрутизации самого пода — во вкладке Shell.",
    },
  },
  {
    id: "ipmasq",
    title: "ipMasq",
    section: "ipMasq: NAT between pods, and without it",
    scenario: "pod-to-pod",
    step: (s) => s.step.kind === "nat" && s.step.node === "worker-0",
    stepIs: "the MASQUERADE on worker-0",
    tab: "node",
    shell: { target: "worker-0", line: "sudo iptables -t nat -L POSTROUTING -v -n" },
    text: "With ipMasq on, the bridge plugin adds a CNI-… chain to nat POSTROUTING that masquerades whatever the pod sends outside its own /24: the ping leaves worker-0 as 10.240.0.20, as conntrack -L on worker-1 shows. Rules & conntrack shows the chain and the entry; the counters are in the Shell tab's command. The scenario \"Pod to pod across nodes (ipMasq off)\" is the same ping without NAT.",
    ru: {
      title: "ipMasq",
      section: "ipMasq: NAT между подами и без него",
      text: "С включённым ipMasq плагин bridge добавляет в nat POSTROUTING цепочку CNI-…, которая делает маскарадинг всему, что под отправляет за пределы своей /24: пинг уходит с worker-0 как 10.240.0.20, что видно в conntrack -L на worker-1. Вкладка узла с правилами и conntrack показывает цепочку и запись; счётчики покажет команда во вкладке Shell. Среди встроенных сценариев есть тот же пинг с выключенным ipMasq — без NAT.",
    },
  },
  {
    id: "services-dns",
    title: "Services and DNS",
    section: "services: ClusterIP and the DNS add-on",
    scenario: "clusterip-dns-udp",
    step: (s) => s.step.kind === "nat" && s.step.detail.kind === "nat" && s.step.detail.type === "DNAT",
    stepIs: "kube-proxy's DNAT of the DNS query on worker-1",
    tab: "node",
    shell: { target: "worker-1", line: "sudo iptables -t nat -S KUBE-SERVICES" },
    text: "kube-dns's ClusterIP 10.32.0.10 is on no interface: it exists only as kube-proxy's rules. KUBE-SERVICES matches the address and port and jumps to KUBE-SVC-…, which picks an endpoint's KUBE-SEP-…, whose DNAT sends the query to the pod 10.200.0.27:53. The Shell tab lists KUBE-SERVICES.",
    ru: {
      title: "Сервисы и DNS",
      section: "сервисы: ClusterIP и DNS-аддон",
      text: "ClusterIP kube-dns 10.32.0.10 не назначен ни одному интерфейсу: он существует только как правила kube-proxy. KUBE-SERVICES проверяет адрес и порт и переходит в KUBE-SVC-…, которая выбирает KUBE-SEP-… одного из эндпоинтов, и её DNAT отправляет запрос поду 10.200.0.27:53. Во вкладке Shell — список правил KUBE-SERVICES.",
    },
  },
  {
    id: "nodeport",
    title: "NodePort",
    section: "NodePort",
    scenario: "nodeport",
    step: (s) => s.step.kind === "rule" && s.step.detail.kind === "rule" && s.step.detail.chain === "KUBE-NODEPORTS",
    stepIs: "the KUBE-NODEPORTS rule on worker-0",
    tab: "node",
    shell: { target: "worker-0", line: "sudo iptables -t nat -S KUBE-NODEPORTS" },
    text: "nginx is published on port 31088 of every node. The request reaches worker-0, where KUBE-NODEPORTS marks it for masquerade and sends it to KUBE-SVC-…; the DNAT picks nginx on worker-1, so the packet leaves worker-0 again, its source masqueraded to 10.240.0.20. The reply goes back to worker-0, which undoes both NATs before it answers the client.",
    ru: {
      title: "NodePort",
      section: "NodePort",
      text: "nginx опубликован на порту 31088 каждого узла. Запрос приходит на worker-0, где KUBE-NODEPORTS помечает его для маскарадинга и отправляет в KUBE-SVC-…; DNAT выбирает nginx на worker-1, поэтому пакет снова уходит с worker-0, с источником, заменённым маскарадингом на 10.240.0.20. Ответ возвращается на worker-0, который отменяет оба NAT, прежде чем ответить клиенту.",
    },
  },
];

/** The step a chapter opens on, in a trace's flattened steps: -1 when none is what it looks for. */
export function chapterStep(ch: Chapter, steps: readonly FlatStep[]): number {
  return steps.findIndex(ch.step);
}
