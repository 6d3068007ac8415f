/** Russian titles and descriptions of the built-ins on other CNIs (cni.ts), by the article scenario's id. */
import type { CniText } from "./cni";

export const FLANNEL_TEXT_RU: Readonly<Record<string, CniText>> = {
  "pod-to-pod": {
    title: "flannel: под → под, две ноды (VXLAN)",
    description:
      "busybox0-rw89s на worker-0 пингует busybox0-g6pww на worker-1 в кластере, где CNI — flannel с бэкендом VXLAN. worker-0 направляет 10.244.1.15 через 10.244.1.0 в flannel.1; по таблице пересылки VTEP MAC-адрес VTEP ноды worker-1 находится за 10.240.0.21, и кадр уходит с eth0 внутри UDP на порт 8472 (tcpdump называет его OTV). Сокет VXLAN на worker-1 распаковывает его, и cni0 доставляет кадр. FLANNEL-POSTRTG пропускает трафик под → под без маскарадинга; у маршрутизатора VPC нет маршрутов к подам, и они не нужны. TTL при получении 62.",
  },
  "same-node": {
    title: "flannel: под → под на одной ноде",
    description:
      "busybox0-rw89s пингует под kube-dns рядом с ним на worker-0. Кадр не покидает cni0: мост передаёт его из одного veth в другой, flannel.1 не участвует. В FORWARD его пропускает FLANNEL-FWD. TTL остаётся 64.",
  },
  "clusterip-dns-udp": {
    title: "flannel: ClusterIP, DNS по UDP",
    description:
      "busybox0-g6pww на worker-1 спрашивает kube-dns по адресу 10.32.0.10:53. KUBE-SVC-TCOU7JCQXEZGVUNU из kube-proxy 1.37 делает DNAT на под 10.244.0.27 на worker-0 ещё до маршрутизации, так что к worker-0 внутри VXLAN идёт уже преобразованный пакет: во внешнем заголовке только адреса двух нод.",
  },
  nodeport: {
    title: "flannel: NodePort из интернета",
    description:
      "Клиент открывает публичный адрес worker-0 на порту 31088. KUBE-EXT-2CMXP7HKUVJN7L6M помечает соединение, цепочка сервиса делает DNAT на nginx 10.244.1.18:80 на worker-1, а KUBE-POSTROUTING маскирует его адресом flannel.1 — 10.244.0.0 (маршрут к поду уходит через flannel.1), поэтому nginx на worker-1 видит 10.244.0.0. Пакет идёт внутри VXLAN на 10.240.0.21:8472.",
  },
  "node-to-pod": {
    title: "flannel: нода → под",
    description:
      "worker-0 пингует busybox0-g6pww на worker-1 из своей цепочки OUTPUT. Маршрут к 10.244.1.0/24 уходит через flannel.1, поэтому ядро выбирает адресом источника адрес flannel.1 — 10.244.0.0: под видит ping от 10.244.0.0, а не от 10.240.0.20. TTL при получении 63.",
  },
  "pod-to-internet": {
    title: "flannel: под → интернет",
    description:
      "busybox0-rw89s пингует хост в интернете. Маскирует его не CNI-плагин, а flanneld: правило FLANNEL-POSTRTG для источников из 10.244.0.0/16, уходящих за её пределы, подменяет источник адресом worker-0; затем граница облака отображает его на публичный адрес worker-0.",
  },
};

export const CALICO_TEXT_RU: Readonly<Record<string, CniText>> = {
  "pod-to-pod": {
    title: "Calico: под → под, две ноды (VXLAN)",
    description:
      "busybox0-rw89s на worker-0 пингует busybox0-g6pww на worker-1 в кластере, где CNI — Calico с VXLAN. Все маршруты пода ведут к 169.254.1.1 — адресу, которого нет ни у одного устройства: на ARP-запрос пода о нём отвечает cali47b0952c7b4 на worker-0 через proxy ARP, адресом ee:ee:ee:ee:ee:ee. worker-0 направляет 10.244.1.15 через 10.244.1.0 (туннельный адрес worker-1) в vxlan.calico, и кадр уходит с eth0 внутри UDP на порт 4789 с VNI 4096; raw-цепочки felix cali-OUTPUT и cali-PREROUTING исключают этот UDP из conntrack (NOTRACK). cali-nat-outgoing не трогает трафик под → под: его адрес назначения лежит в пуле. worker-1 доставляет пакет через cali99efa8ca226; маршрутизатор VPC не видит адресов подов. TTL при получении 62.",
  },
  "routed-pod-to-pod": {
    title: "Calico: под → под, две ноды, маршрутизация без инкапсуляции",
    description:
      "busybox0-rw89s на worker-0 пингует busybox0-g6pww на worker-1; у пула Calico инкапсуляция \"none\". На ARP-запрос пода о шлюзе 169.254.1.1 отвечает cali47b0952c7b4 через proxy ARP; маршрут BIRD 10.244.1.0/26 via 10.240.0.21 dev eth0 proto bird отправляет пакет прямо на worker-1 через подсеть — адреса подов в сети не меняются, туннеля нет. Маршрутизатор VPC в пути не участвует, маршрутов к подам у него нет. worker-1 доставляет пакет через cali99efa8ca226 (маршрут 10.244.1.15 dev cali99efa8ca226 scope link). TTL при получении 62.",
  },
  "same-node": {
    title: "Calico: под → под на одной ноде",
    description:
      "busybox0-rw89s пингует под kube-dns рядом с ним на worker-0. Моста нет: пакет идёт к 169.254.1.1 (за этот адрес отвечает proxy ARP устройства cali47b0952c7b4), и worker-0 маршрутизирует его как любой другой — по маршруту /32 10.244.0.27 dev calibfecee176ed scope link, поэтому, в отличие от моста, TTL уменьшается: TTL при получении 63.",
  },
  "node-to-pod": {
    title: "Calico: нода → под (VXLAN)",
    description:
      "worker-0 пингует busybox0-g6pww на worker-1 из своей цепочки OUTPUT. Маршрут к блоку worker-1 10.244.1.0/26 уходит через vxlan.calico, поэтому ядро выбирает адресом источника адрес vxlan.calico — 10.244.0.0, первый адрес блока worker-0: под видит ping от 10.244.0.0, а не от 10.240.0.20. UDP-обёртка идёт на 10.240.0.21:4789. TTL при получении 63.",
  },
  "clusterip-dns-udp": {
    title: "Calico: ClusterIP, DNS по UDP (VXLAN)",
    description:
      "busybox0-g6pww на worker-1 спрашивает kube-dns по адресу 10.32.0.10:53. KUBE-SVC-TCOU7JCQXEZGVUNU из kube-proxy 1.37 делает DNAT на под 10.244.0.27 на worker-0 ещё до маршрутизации; блок worker-0 10.244.0.0/26 достижим через vxlan.calico, поэтому преобразованный пакет идёт внутри VXLAN на 10.240.0.20:4789, а ответ возвращается тем же путём, и conntrack на worker-1 возвращает его источнику адрес 10.32.0.10.",
  },
  nodeport: {
    title: "Calico: NodePort из интернета (VXLAN)",
    description:
      "Клиент открывает публичный адрес worker-0 на порту 31088. KUBE-EXT-2CMXP7HKUVJN7L6M помечает соединение, цепочка сервиса делает DNAT на nginx 10.244.1.18:80 на worker-1, а KUBE-POSTROUTING маскирует его адресом vxlan.calico — 10.244.0.0 (маршрут к поду уходит через vxlan.calico), поэтому nginx видит 10.244.0.0. Пакет идёт внутри VXLAN на 10.240.0.21:4789.",
  },
  "pod-to-internet": {
    title: "Calico: под → интернет (VXLAN)",
    description:
      "busybox0-rw89s пингует хост в интернете. Маскирует его felix в цепочке cali-nat-outgoing: источник входит в ipset cali40masq-ipam-pools (у пула включён natOutgoing), а адрес назначения не входит в cali40network-ip-pools, поэтому источником становится адрес worker-0 — 10.240.0.20; затем граница облака отображает его на публичный адрес worker-0.",
  },
};
