/**
 * The article's scenarios (and the load balancer) on today's cluster: the same nodes, pods,
 * services and packets, with kube-proxy 1.37 in iptables mode (its default mode) and the
 * nf_tables iptables of today's nodes. The app's kube-proxy switch runs any of them in nftables
 * mode too, or back on 2018's 1.10. Titles and descriptions in English and Russian; what they
 * say is checked against the traces by today.test.ts.
 */

export const TODAY_PREFIX = "today-";

/** The kube-proxy of today's built-ins. */
export const TODAY_KUBE_PROXY = { mode: "iptables", version: "latest" } as const;

export interface TodayText {
  readonly title: string;
  readonly description: string;
}

/** By the article scenario's id. */
export const TODAY_TEXT: Readonly<Record<string, { readonly en: TodayText; readonly ru: TodayText }>> = {
  "pod-to-pod": {
    en: {
      title: "Today: pod to pod across nodes (ipMasq on)",
      description:
        "The article's ping from busybox0-rw89s to busybox0-g6pww, on nodes with kube-proxy 1.37. The CNI bridge plugin's ipMasq chain still masquerades it to worker-0's address; kube-proxy's KUBE-POSTROUTING now begins by returning every packet without its 0x4000 mark, so this one passes untouched. TTL 62 on arrival.",
    },
    ru: {
      title: "Сегодня: под → под, две ноды (с ipMasq)",
      description:
        "Тот же ping из статьи от busybox0-rw89s к busybox0-g6pww, но на нодах с kube-proxy 1.37. Цепочка ipMasq CNI-плагина bridge по-прежнему маскирует его адресом worker-0; KUBE-POSTROUTING у kube-proxy теперь сразу возвращает каждый пакет без метки 0x4000, и этот проходит нетронутым. TTL при получении 62.",
    },
  },
  "pod-to-pod-no-masq": {
    en: {
      title: "Today: pod to pod across nodes (ipMasq off)",
      description: "The same ping with ipMasq removed from the CNI config, on today's nodes: no CNI chains and no NAT anywhere; kube-proxy 1.37's chains look at the packet and let it pass.",
    },
    ru: {
      title: "Сегодня: под → под, две ноды (без ipMasq)",
      description: "Тот же ping без ipMasq в конфигурации CNI, на сегодняшних нодах: цепочек CNI нет, NAT нигде нет; цепочки kube-proxy 1.37 смотрят на пакет и пропускают его.",
    },
  },
  "same-node": {
    en: {
      title: "Today: pod to pod on the same node",
      description: "busybox0-rw89s pings the kube-dns pod beside it on worker-0, with kube-proxy 1.37's rules on the node. The frame is bridged by cnio0, and with bridge-nf-call-iptables on it still passes FORWARD (today's KUBE-PROXY-FIREWALL, KUBE-FORWARD and service chains) and POSTROUTING. TTL stays 64.",
    },
    ru: {
      title: "Сегодня: под → под на одной ноде",
      description: "busybox0-rw89s пингует под kube-dns рядом с собой на worker-0, где правила kube-proxy 1.37. Кадр коммутирует мост cnio0, но при bridge-nf-call-iptables = 1 он всё равно проходит FORWARD (сегодняшние KUBE-PROXY-FIREWALL, KUBE-FORWARD и цепочки сервисов) и POSTROUTING. TTL остаётся 64.",
    },
  },
  "clusterip-dns-udp": {
    en: {
      title: "Today: ClusterIP, DNS over UDP",
      description: "busybox0-g6pww on worker-1 asks kube-dns at 10.32.0.10:53. kube-proxy 1.37 sends it from KUBE-SERVICES to KUBE-SVC-TCOU7JCQXEZGVUNU, whose rule names the endpoint (\"kube-system/kube-dns:dns -> 10.200.0.27:53\"), and its KUBE-SEP chain DNATs it to the pod on worker-0.",
    },
    ru: {
      title: "Сегодня: ClusterIP, DNS по UDP",
      description: "busybox0-g6pww на worker-1 спрашивает kube-dns по адресу 10.32.0.10:53. kube-proxy 1.37 ведёт запрос из KUBE-SERVICES в KUBE-SVC-TCOU7JCQXEZGVUNU, чьё правило называет конечную точку («kube-system/kube-dns:dns -> 10.200.0.27:53»), и его цепочка KUBE-SEP делает DNAT на под на worker-0.",
    },
  },
  "clusterip-dns-tcp": {
    en: {
      title: "Today: ClusterIP, DNS over TCP",
      description: "The same question over TCP (the dns-tcp port): KUBE-SVC-ERIFXISQEP7F7OF4 sends the handshake to KUBE-SEP-32LPCMGYG6ODGN3H, which DNATs it to 10.200.0.27:53, as in 2018; the comments are today's.",
    },
    ru: {
      title: "Сегодня: ClusterIP, DNS по TCP",
      description: "Тот же вопрос по TCP (порт dns-tcp): KUBE-SVC-ERIFXISQEP7F7OF4 отправляет рукопожатие в KUBE-SEP-32LPCMGYG6ODGN3H, та делает DNAT на 10.200.0.27:53, как и в 2018 году; комментарии — сегодняшние.",
    },
  },
  nodeport: {
    en: {
      title: "Today: NodePort from the internet",
      description: "The client opens worker-0's public address on port 31088. kube-proxy 1.37 sends it from KUBE-NODEPORTS to KUBE-EXT-2CMXP7HKUVJN7L6M, which marks it for masquerade and goes on to the service's chain; KUBE-POSTROUTING masquerades it with --random-fully, so worker-1 sees 10.240.0.20 with a random source port.",
    },
    ru: {
      title: "Сегодня: NodePort из интернета",
      description: "Клиент открывает публичный адрес worker-0 на порту 31088. kube-proxy 1.37 ведёт соединение из KUBE-NODEPORTS в KUBE-EXT-2CMXP7HKUVJN7L6M, та помечает его для маскарада и передаёт в цепочку сервиса; KUBE-POSTROUTING маскирует его с --random-fully, и worker-1 видит 10.240.0.20 со случайным портом источника.",
    },
  },
  "node-to-pod": {
    en: {
      title: "Today: node to pod",
      description: "worker-0 pings busybox0-g6pww on worker-1 from its own OUTPUT path (kubelet's KUBE-FIREWALL looks at it first). Nothing is NATed; the pod sees TTL 63.",
    },
    ru: {
      title: "Сегодня: нода → под",
      description: "worker-0 пингует busybox0-g6pww на worker-1 из собственного пути OUTPUT (первой на пакет смотрит KUBE-FIREWALL от kubelet). NAT нет; под видит TTL 63.",
    },
  },
  "pod-to-internet": {
    en: {
      title: "Today: pod to the internet",
      description: "busybox0-rw89s pings a host on the internet from today's node: the CNI chain masquerades it to worker-0's address, the cloud's edge to worker-0's public one; the reply is un-NATed twice.",
    },
    ru: {
      title: "Сегодня: под → интернет",
      description: "busybox0-rw89s пингует хост в интернете с сегодняшней ноды: цепочка CNI маскирует ping адресом worker-0, граница облака — публичным адресом worker-0; ответ дважды проходит обратную трансляцию.",
    },
  },
  "no-route": {
    en: {
      title: "Today: a missing VPC route",
      description: "The VPC route to worker-1's pod network is gone. Today's kube-proxy changes nothing here: the ping leaves worker-0 masqueraded, and the VPC router drops it for want of a route.",
    },
    ru: {
      title: "Сегодня: нет маршрута в VPC",
      description: "Маршрута VPC к сети подов worker-1 нет. Сегодняшний kube-proxy здесь ничего не меняет: ping уходит с worker-0 замаскированным, и маршрутизатор VPC отбрасывает его, не найдя маршрута.",
    },
  },
  loadbalancer: {
    en: {
      title: "Today: LoadBalancer from the internet",
      description: "The client reaches nginx through the cloud load balancer 198.51.100.80, which hands the connection to worker-2. kube-proxy 1.37 takes it through KUBE-FW (the source range 203.0.113.0/24 admits it), KUBE-EXT (mark for masquerade) and the service's chains. busybox0-rw89s's request from outside the range is not sent on by KUBE-FW; the filter table's KUBE-PROXY-FIREWALL drops it on worker-0.",
    },
    ru: {
      title: "Сегодня: LoadBalancer из интернета",
      description: "Клиент приходит к nginx через облачный балансировщик 198.51.100.80, который отдаёт соединение worker-2. kube-proxy 1.37 ведёт его через KUBE-FW (диапазон источников 203.0.113.0/24 его пускает), KUBE-EXT (пометка для маскарада) и цепочки сервиса. Запрос busybox0-rw89s из-за пределов диапазона KUBE-FW дальше не передаёт, и на worker-0 его отбрасывает KUBE-PROXY-FIREWALL в таблице filter.",
    },
  },
};
