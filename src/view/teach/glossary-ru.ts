/**
 * The glossary in Russian: each term's name as a Russian reader looks it up, its definition (the
 * same facts as the English, sentence for sentence) and the Russian words that name it in a
 * sentence, if any. Names the tools print (targets, chains, states, flags, interfaces, commands)
 * stay Latin, and the English patterns find them in Russian prose too.
 */

export interface GlossaryRu {
  /** The term as the tooltip's heading names it in Russian. */
  readonly term: string;
  readonly definition: string;
  /**
   * The Russian words for the term in a sentence (regular-expression source, no capturing
   * groups), in each case and number, besides the English pattern.
   */
  readonly pattern?: string;
}

/** A Russian noun's forms: `[Мм]ост(?:а|у|ом|е|ы|ов|ам|ами|ах)?`. */
const noun = (stem: string, endings: string) => `[${stem[0]!.toUpperCase()}${stem[0]}]${stem.slice(1)}(?:${endings})`;

export const GLOSSARY_RU = {
  SNAT: {
    term: "SNAT",
    definition:
      "Source NAT: переписывает адрес источника пакета (а его порт — только когда иначе нельзя). Это цель iptables в цепочках POSTROUTING и INPUT таблицы nat. " +
      "Правила nat видят только первый пакет соединения; conntrack запоминает трансляцию, применяет её ко всем следующим пакетам соединения и отменяет её в ответах.",
  },
  DNAT: {
    term: "DNAT",
    definition:
      "Destination NAT: переписывает адрес назначения пакета и, если задано, его порт. Это цель iptables в цепочках PREROUTING и OUTPUT таблицы nat; цепочки KUBE-SEP kube-proxy делают DNAT адреса сервиса на ip:port пода. " +
      "Решение принимается на первом пакете соединения; conntrack применяет его к остальным и возвращает в ответах прежний адрес источника.",
  },
  MASQUERADE: {
    term: "MASQUERADE",
    pattern: noun("маскарадинг", "|а|у|ом|е"),
    definition:
      "SNAT на адрес интерфейса, через который пакет уходит: адрес берётся в момент срабатывания правила (на первом пакете каждого соединения — правила nat видят только его), а не записан в самом правиле. " +
      "В отличие от SNAT, ядро забывает трансляцию маскарадингового соединения, когда его интерфейс отключается. Порт источника сохраняется, если его уже не занимает другое соединение с теми же адресами. " +
      "Здесь её используют цепочка ipMasq CNI-плагина bridge и KUBE-POSTROUTING kube-proxy.",
  },
  conntrack: {
    term: "conntrack",
    definition:
      "Отслеживание соединений (nf_conntrack): таблица соединений в ядре, своя в каждом сетевом пространстве имён. Каждая запись хранит адреса и порты исходного направления и те, что будут в ответе, — именно там записан NAT. " +
      "Каждый пакет сопоставляется с записью и получает состояние (NEW, ESTABLISHED, RELATED или INVALID), которое iptables проверяет через -m conntrack --ctstate. `conntrack -L` выводит записи.",
  },
  NEW: {
    term: "NEW",
    definition:
      "Состояние conntrack (--ctstate NEW): пакет начинает соединение или относится к соединению, которое ещё не видело пакетов в обоих направлениях. Правила таблицы nat видят только первый пакет соединения, а он NEW.",
  },
  ESTABLISHED: {
    term: "ESTABLISHED",
    definition:
      "Состояние conntrack (--ctstate ESTABLISHED): пакет относится к соединению, которое видело пакеты в обоих направлениях; ответ — ESTABLISHED. " +
      "Не путать с TCP-состоянием ESTABLISHED, которое `conntrack -L` выводит для TCP-записи с завершённым рукопожатием.",
  },
  RELATED: {
    term: "RELATED",
    definition:
      "Состояние conntrack (--ctstate RELATED): пакет новый, но связан с существующим соединением, например ICMP-ошибка об этом соединении (или, с помощником, соединение данных FTP).",
  },
  INVALID: {
    term: "INVALID",
    definition:
      "Состояние conntrack (--ctstate INVALID): пакет не подходит ни к одному известному conntrack соединению или нарушает правила протокола для своего состояния (TCP ACK на рукопожатие, ответа на которое этот хост не видел). " +
      "Ядро не применяет к нему NAT; пакет идёт дальше, если его не отбросит правило для INVALID-пакетов.",
  },
  UNREPLIED: {
    term: "UNREPLIED",
    definition:
      "Не состояние conntrack, а флаг статуса: `conntrack -L` выводит [UNREPLIED] у записи, которая ещё не видела ни одного пакета в обратном направлении (бит SEEN_REPLY не установлен; iptables проверяет это через `! --ctstatus SEEN_REPLY`). " +
      "Пакет, создавший запись, был NEW; первый же ответ снимает флаг.",
  },
  ASSURED: {
    term: "ASSURED",
    definition:
      "Не состояние conntrack, а флаг статуса: `conntrack -L` выводит [ASSURED], когда соединение прошло установку (TCP: последний ACK рукопожатия; UDP: пакет после первого ответа). " +
      "Переполненная таблица никогда не вытесняет такую запись досрочно. iptables проверяет его через --ctstatus ASSURED.",
  },
  "KUBE-SERVICES": {
    term: "KUBE-SERVICES",
    definition:
      "Цепочка kube-proxy, в которую переходят nat PREROUTING и OUTPUT. На каждый порт сервиса в ней два правила, проверяющих ClusterIP и порт: KUBE-MARK-MASQ для трафика не из CIDR подов кластера, затем переход в цепочку KUBE-SVC этого сервиса. " +
      "Её последнее правило отправляет пакеты на собственные адреса узла в KUBE-NODEPORTS. Одноимённая цепочка таблицы filter делает REJECT трафику к сервисам без эндпоинтов.",
  },
  "KUBE-SVC": {
    term: "KUBE-SVC",
    definition:
      "По одной цепочке nat на порт сервиса, с именем KUBE-SVC- и 16 символами хеша имени порта (namespace/service:port) и протокола. Она выбирает эндпоинт: по правилу на эндпоинт, у каждого, кроме последнего, " +
      "-m statistic --mode random --probability 1/(сколько эндпоинтов осталось), и каждое переходит в цепочку KUBE-SEP своего эндпоинта.",
  },
  "KUBE-SEP": {
    term: "KUBE-SEP",
    definition:
      "По одной цепочке nat на эндпоинт сервиса (KUBE-SEP- и хеш имени порта, протокола и ip:port эндпоинта). Её первое правило отправляет пакет от самого эндпоинта (под обращается к собственному сервису) в KUBE-MARK-MASQ; " +
      "второе делает DNAT пакета на ip:port эндпоинта.",
  },
  "KUBE-MARK-MASQ": {
    term: "KUBE-MARK-MASQ",
    definition:
      "Цепочка kube-proxy из одного правила, `-j MARK --set-xmark 0x4000/0x4000`: оно ставит бит 14 в метке пакета, и пакет идёт дальше. " +
      "В nat POSTROUTING цепочка KUBE-POSTROUTING делает MASQUERADE каждому пакету с меткой 0x4000/0x4000. kube-proxy помечает трафик NodePort (при externalTrafficPolicy: Cluster по умолчанию), трафик к ClusterIP не из CIDR подов и под, обращающийся к собственному сервису.",
  },
  "KUBE-POSTROUTING": {
    term: "KUBE-POSTROUTING",
    definition:
      "Цепочка kube-proxy, в которую переходит nat POSTROUTING: она делает MASQUERADE пакетам с меткой 0x4000/0x4000, поставленной KUBE-MARK-MASQ (\"kubernetes service traffic requiring SNAT\").",
  },
  "KUBE-NODEPORTS": {
    term: "KUBE-NODEPORTS",
    definition:
      "Цепочка nat kube-proxy для сервисов NodePort; в неё ведёт последнее правило KUBE-SERVICES, когда назначение — один из собственных адресов узла (-m addrtype --dst-type LOCAL). " +
      "На каждый NodePort: правило KUBE-MARK-MASQ, затем переход в цепочку KUBE-SVC сервиса (или, при externalTrafficPolicy: Local, в его цепочку KUBE-XLB, которая отправляет внешний трафик только на эндпоинты этого узла).",
  },
  "CNI chain": {
    term: "Цепочка CNI",
    definition:
      "Цепочка nat, которую CNI-плагин bridge создаёт для каждого пода при включённом ipMasq: CNI- и 24 шестнадцатеричных символа хеша имени сети и ID sandbox-контейнера пода. " +
      "Она делает ACCEPT трафику в собственную сеть подов узла (без NAT) и MASQUERADE остальному, кроме multicast. nat POSTROUTING переходит в неё для пакетов из сети подов.",
  },
  CNI: {
    term: "CNI",
    definition:
      "Container Network Interface: спецификация и плагины, которые вызывает среда выполнения контейнеров, чтобы подключить сетевое пространство имён пода к сети. " +
      "На воркерах из статьи работают плагин bridge (мост cnio0, по veth на под, адреса от host-local IPAM, ipMasq включён) и loopback из cni-plugins v0.6.0.",
  },
  veth: {
    term: "veth",
    definition:
      "Пара виртуальных Ethernet-интерфейсов, соединённых друг с другом: кадр, отправленный в один, выходит из другого. " +
      "Плагин bridge помещает один конец в сетевое пространство имён пода как eth0, а другой оставляет на хосте (veth и 8 шестнадцатеричных цифр), подключённым к мосту cnio0.",
  },
  bridge: {
    term: "Мост (bridge)",
    pattern: noun("мост", "|а|у|ом|е|ы|ов|ам|ами|ах"),
    definition:
      "Linux bridge: виртуальный Ethernet-коммутатор в ядре. Он запоминает, какой MAC-адрес за каким портом (его FDB), и пересылает кадры между своими портами. " +
      "На каждом воркере мост CNI cnio0 объединяет veth подов и держит адрес шлюза сети подов.",
  },
  FDB: {
    term: "FDB",
    pattern: `${noun("таблиц", "а|ы|е|у|ей")}\\s+пересылки`,
    definition:
      "Forwarding database: таблица моста «MAC-адрес → порт», которую он заполняет по адресам источника полученных кадров; выученные записи по умолчанию устаревают через 300 секунд. " +
      "Кадр для MAC, которого в ней нет, рассылается во все порты. `bridge fdb show` выводит её.",
  },
  br_netfilter: {
    term: "br_netfilter",
    definition:
      "Модуль ядра, который пропускает кадры, проходящие через мост, через iptables: при net.bridge.bridge-nf-call-iptables = 1 IPv4-кадр, идущий через мост из одного порта в другой, проходит PREROUTING, FORWARD и POSTROUTING, хотя никогда не маршрутизируется. " +
      "kube-proxy на это рассчитывает: так трафик от пода к сервису, чей эндпоинт на том же мосту, проходит NAT и отслеживается.",
  },
  hairpin: {
    term: "hairpin",
    definition:
      "Отправка кадра обратно в тот же порт моста, через который он пришёл; мост делает это, только если на порту включён режим hairpin. Он нужен поду, обращающемуся к собственному сервису: пакет после DNAT должен вернуться в тот же veth. " +
      "В конфигурации CNI из статьи hairpin выключен, поэтому такое обращение завершается по тайм-ауту.",
  },
  ClusterIP: {
    term: "ClusterIP",
    definition:
      "Виртуальный адрес сервиса из сети сервисов. Его нет ни на одном интерфейсе, и никто не отвечает на ARP-запросы о нём: он существует только как правила iptables kube-proxy на каждом узле, которые делают DNAT пакетов к нему на один из подов сервиса.",
  },
  NodePort: {
    term: "NodePort",
    definition:
      "Тип сервиса, открывающий один порт (по умолчанию из 30000–32767) на адресах каждого узла. Цепочка KUBE-NODEPORTS kube-proxy помечает такой пакет для маскарадинга и делает его DNAT на один из подов сервиса, возможно, на другом узле.",
  },
  "pause container": {
    term: "pause-контейнер",
    pattern: noun("pause-контейнер", "|а|у|ом|е|ы|ов|ам|ами|ах"),
    definition:
      "Маленький контейнер (в нём работает /pause), который держит пространства имён пода. Среда выполнения запускает его первым, и CNI настраивает его сетевое пространство имён; затем к нему присоединяются контейнеры приложения пода, поэтому у них один IP-адрес и общий localhost.",
  },
  "network namespace": {
    term: "Сетевое пространство имён",
    pattern: `${noun("сетев", "ое|ого|ому|ым|ом|ые|ых|ыми")}\\s+пространств(?:о|а|у|ом|е|ам|ами|ах)?\\s+им[её]н`,
    definition:
      "Отдельная копия сетевого стека ядра: свои интерфейсы, адреса, маршруты, правила iptables и таблица conntrack. Оно есть у каждого пода; собственное пространство узла — корневое. `ip netns list` показывает те, которым CNI дал имена cni-….",
  },
} as const satisfies Readonly<Record<string, GlossaryRu>>;
