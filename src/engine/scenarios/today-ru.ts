/** Today's built-ins in Russian (by the article scenario's id); loaded with the other Russian texts (russian.ts). */
import type { TodayText } from "./today";

export const TODAY_TEXT_RU: Readonly<Record<string, TodayText>> = {
  "pod-to-pod": {
      title: "Сегодня: под → под, две ноды (с ipMasq)",
      description:
        "Тот же ping из статьи от busybox0-rw89s к busybox0-g6pww, но на нодах с kube-proxy 1.37. Цепочка ipMasq CNI-плагина bridge по-прежнему маскирует его адресом worker-0; KUBE-POSTROUTING у kube-proxy теперь сразу возвращает каждый пакет без метки 0x4000, и этот проходит нетронутым. TTL при получении 62.",
  },
  "pod-to-pod-no-masq": {
      title: "Сегодня: под → под, две ноды (без ipMasq)",
      description: "Тот же ping без ipMasq в конфигурации CNI, на сегодняшних нодах: цепочек CNI нет, NAT нигде нет; цепочки kube-proxy 1.37 смотрят на пакет и пропускают его.",
  },
  "same-node": {
      title: "Сегодня: под → под на одной ноде",
      description: "busybox0-rw89s пингует под kube-dns рядом с собой на worker-0, где правила kube-proxy 1.37. Кадр коммутирует мост cnio0, но при bridge-nf-call-iptables = 1 он всё равно проходит FORWARD (сегодняшние KUBE-PROXY-FIREWALL, KUBE-FORWARD и цепочки сервисов) и POSTROUTING. TTL остаётся 64.",
  },
  "clusterip-dns-udp": {
      title: "Сегодня: ClusterIP, DNS по UDP",
      description: "busybox0-g6pww на worker-1 спрашивает kube-dns по адресу 10.32.0.10:53. kube-proxy 1.37 ведёт запрос из KUBE-SERVICES в KUBE-SVC-TCOU7JCQXEZGVUNU, чьё правило называет конечную точку («kube-system/kube-dns:dns -> 10.200.0.27:53»), и его цепочка KUBE-SEP делает DNAT на под на worker-0.",
  },
  "clusterip-dns-tcp": {
      title: "Сегодня: ClusterIP, DNS по TCP",
      description: "Тот же вопрос по TCP (порт dns-tcp): KUBE-SVC-ERIFXISQEP7F7OF4 отправляет рукопожатие в KUBE-SEP-32LPCMGYG6ODGN3H, та делает DNAT на 10.200.0.27:53, как и в 2018 году; комментарии — сегодняшние.",
  },
  nodeport: {
      title: "Сегодня: NodePort из интернета",
      description: "Клиент открывает публичный адрес worker-0 на порту 31088. kube-proxy 1.37 ведёт соединение из KUBE-NODEPORTS в KUBE-EXT-2CMXP7HKUVJN7L6M, та помечает его для маскарада и передаёт в цепочку сервиса; KUBE-POSTROUTING маскирует его с --random-fully, и worker-1 видит 10.240.0.20 со случайным портом источника.",
  },
  "node-to-pod": {
      title: "Сегодня: нода → под",
      description: "worker-0 пингует busybox0-g6pww на worker-1 из собственного пути OUTPUT (первой на пакет смотрит KUBE-FIREWALL от kubelet). NAT нет; под видит TTL 63.",
  },
  "pod-to-internet": {
      title: "Сегодня: под → интернет",
      description: "busybox0-rw89s пингует хост в интернете с сегодняшней ноды: цепочка CNI маскирует ping адресом worker-0, граница облака — публичным адресом worker-0; ответ дважды проходит обратную трансляцию.",
  },
  "no-route": {
      title: "Сегодня: нет маршрута в VPC",
      description: "Маршрута VPC к сети подов worker-1 нет. Сегодняшний kube-proxy здесь ничего не меняет: ping уходит с worker-0 замаскированным, и маршрутизатор VPC отбрасывает его, не найдя маршрута.",
  },
  loadbalancer: {
      title: "Сегодня: LoadBalancer из интернета",
      description: "Клиент приходит к nginx через облачный балансировщик 198.51.100.80, который отдаёт соединение worker-2. kube-proxy 1.37 ведёт его через KUBE-FW (диапазон источников 203.0.113.0/24 его пускает), KUBE-EXT (пометка для маскарада) и цепочки сервиса. Запрос busybox0-rw89s из-за пределов диапазона KUBE-FW дальше не передаёт, и на worker-0 его отбрасывает KUBE-PROXY-FIREWALL в таблице filter.",
  },
};
