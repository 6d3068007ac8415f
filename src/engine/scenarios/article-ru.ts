/**
 * The built-in scenarios' titles and descriptions in Russian, by id (article.ts has the English
 * and the scenarios themselves). Names, addresses, chains and ports stay as the tools print them.
 */
export const BUILTIN_TEXT_RU: Readonly<Record<string, { readonly title: string; readonly description: string }>> = {
  "pod-to-pod": {
    title: "Под → под, две ноды (с ipMasq)",
    description:
      "busybox0-rw89s на worker-0 пингует busybox0-g6pww на worker-1. Цепочка ipMasq CNI-плагина bridge маскирует ping адресом worker-0, поэтому worker-1 видит 10.240.0.20, как и в conntrack из статьи; на обратном пути conntrack отменяет NAT в ответе. Ping приходит с TTL 62.",
  },
  "pod-to-pod-no-masq": {
    title: "Под → под, две ноды (без ipMasq)",
    description:
      "Тот же ping, но без ipMasq в конфигурации CNI: ни цепочек CNI, ни NAT нигде. Каждый контейнер достаёт до любого другого со своим собственным адресом.",
  },
  "same-node": {
    title: "Под → под на одной ноде",
    description:
      "busybox0-rw89s пингует под kube-dns на той же ноде. Кадр так и не покидает cnio0: мост передаёт его из одного veth в другой, и всё же при включённом bridge-nf-call-iptables (как на ноде с kube-proxy) он проходит FORWARD и POSTROUTING и получает запись в conntrack. TTL остаётся 64.",
  },
  "clusterip-dns-udp": {
    title: "ClusterIP: DNS по UDP",
    description:
      "busybox0-g6pww на worker-1 спрашивает kube-dns по его ClusterIP 10.32.0.10:53. Правила kube-proxy на worker-1 делают DNAT на под 10.200.0.27:53 на worker-0; адрес сервиса существует только в виде правил iptables.",
  },
  "clusterip-dns-tcp": {
    title: "ClusterIP: DNS по TCP",
    description:
      "Тот же вопрос по TCP (порт dns-tcp): KUBE-SVC-ERIFXISQEP7F7OF4 отправляет рукопожатие в KUBE-SEP-32LPCMGYG6ODGN3H, а эта цепочка делает DNAT на 10.200.0.27:53.",
  },
  nodeport: {
    title: "NodePort из интернета",
    description:
      "Клиент в интернете (203.0.113.10, порт источника 30303) открывает http://<публичный IP worker-0>:31088/. Облако транслирует публичный адрес в 10.240.0.20; KUBE-NODEPORTS помечает соединение для маскарадинга и делает DNAT на nginx 10.200.1.18:80 на worker-1, поэтому для worker-1 оно приходит с 10.240.0.20.",
  },
  "node-to-pod": {
    title: "Нода → под",
    description:
      "Сама worker-0 пингует busybox0-g6pww на worker-1. Пакет начинает путь в цепочке OUTPUT ноды с адресом ноды, проходит через маршрутизатор VPC и доходит до пода с TTL 63; никакого NAT.",
  },
  "pod-to-internet": {
    title: "Под → интернет",
    description:
      "busybox0-rw89s пингует хост в интернете. Цепочка CNI маскирует ping адресом worker-0, а граница облака транслирует его в публичный адрес worker-0; на обратном пути NAT в ответе отменяется дважды.",
  },
  loadbalancer: {
    title: "LoadBalancer из интернета",
    description:
      "nginx — сервис типа LoadBalancer: облачный балансировщик отвечает на 198.51.100.80 и пропускает только 203.0.113.0/24. Клиент (203.0.113.10) открывает http://198.51.100.80/. Балансировщик по хешу соединения выбирает одну из рабочих нод и передаёт пакет без NAT; там цепочка KUBE-FW kube-proxy помечает его для маскарадинга и отправляет в KUBE-SVC, которая делает DNAT на nginx 10.200.1.18:80. Ответ уходит с адресом балансировщика в качестве источника. Затем busybox0-rw89s обращается к тому же адресу изнутри кластера: его адрес не входит ни в один разрешённый диапазон, поэтому KUBE-FW заканчивается на KUBE-MARK-DROP, и KUBE-FIREWALL отбрасывает пакет на worker-0.",
  },
  "no-route": {
    title: "Нет маршрута в VPC",
    description:
      "Маршрут VPC для сети подов worker-1 10.200.1.0/24 удалён. Ping уходит с worker-0, как обычно, замаскированный, но у маршрутизатора VPC нет маршрута к 10.200.1.15, и он отбрасывает пакет.",
  },
};
