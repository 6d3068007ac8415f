/**
 * The trace told in Russian: every sentence of narrate.ts's English, in the same order. Names
 * the tools print or that are code stay as they are (chains, targets, tables, hooks, conntrack
 * states and flags, interfaces, sysctls, addresses); so do the tool output fields of each step.
 */
import type { Narration } from "./narrate";

/** ICMP's type and code in words, as Russian translations of the RFCs name them. */
function icmpName(type: number, code: number): string {
  if (type === 3) {
    const what = ["сеть назначения недостижима", "узел назначения недостижим", "протокол недостижим", "порт недостижим", "требуется фрагментация", "ошибка маршрута от источника", "сеть назначения неизвестна", "узел назначения неизвестен"][code];
    return code === 4 || code === 5 ? `адресат недостижим: ${what}` : (what ?? `адресат недостижим, код ${code}`);
  }
  if (type === 5) return `перенаправление ${["для сети", "для узла", "для типа обслуживания и сети", "для типа обслуживания и узла"][code] ?? `с кодом ${code}`}`;
  if (type === 11) return code === 0 ? "время жизни истекло в пути" : "истекло время сборки фрагментов";
  return `тип ${type}, код ${code}`;
}

/** conntrack's reasons for INVALID (conntrack.ts gives them in English), in Russian. */
function invalidReason(reason: string): string {
  if (reason === "ICMP error for an unknown connection") return "ICMP-ошибка о неизвестном соединении";
  if (reason === "a TCP segment that is neither SYN nor ACK cannot start a connection") return "TCP-сегмент без SYN и без ACK не может начать соединение";
  const icmp = /^ICMP type (\d+) cannot start a connection$/.exec(reason);
  if (icmp) return `ICMP-сообщение типа ${icmp[1]} не может начать соединение`;
  const tcp = /^TCP (.+) is invalid in state (\S+)$/.exec(reason);
  if (tcp) return `TCP-сегмент ${tcp[1] === "without flags" ? "без флагов" : `с ${tcp[1]!.includes("+") ? "флагами" : "флагом"} ${tcp[1]}`} недопустим в состоянии ${tcp[2]}`;
  return reason;
}

function whyInvalid(reason: string): string | undefined {
  if (/^TCP .*ACK.* is invalid in state SYN_SENT$/.test(reason) && !/SYN/.test(reason.replace(/in state SYN_SENT$/, ""))) {
    return (
      "Этот узел видел, как прошёл SYN соединения, но не видел ответный SYN-ACK: ответ ушёл другим путём " +
      "(асимметричный маршрут: отвечающий хост достаёт до источника соединения напрямую), поэтому для этого узла рукопожатие так и осталось без ответа, " +
      "и последний ACK не подходит ни к одному известному ему состоянию. Для пакета в состоянии INVALID ядро не выполняет NAT; если никакое правило не отбрасывает INVALID-пакеты, " +
      "он маршрутизируется дальше как есть, а куда он попадёт, покажут следующие шаги."
    );
  }
  return undefined;
}

function whySourcePort(type: "MASQUERADE" | "SNAT", proto: string, before: number | undefined, after: number | undefined, randomised: boolean): string | undefined {
  if (before === undefined || after === undefined) return undefined;
  const icmp = proto === "icmp";
  const what = icmp ? "идентификатор echo" : "порт источника";
  const rule = type === "MASQUERADE" ? "MASQUERADE (SNAT на адрес выходного интерфейса)" : "SNAT";
  if (before === after) {
    return (
      `${rule} переписал адрес, а ${what} ${before} оставил как был: ядро сохраняет соединению его ${what}, ` +
      `если только другое соединение уже не использует те же транслированные адреса и ${icmp ? "идентификатор" : "порты"}; лишь тогда (или с --random и --random-fully) оно выбирает другой. ` +
      `Поэтому другая сторона видит адрес этого узла с ${icmp ? "идентификатором echo" : "портом источника"} самого отправителя, а запись conntrack на этом узле возвращает ответ отправителю.`
    );
  }
  return randomised
    ? `Правило требует случайный ${what} (--random или --random-fully), поэтому ${rule} выбрал ${after} вместо ${before}; conntrack вернёт ответ отправителю.`
    : `Другое соединение уже использует ${before} с теми же транслированными адресами, поэтому ${rule} выбрал свободный ${what}, ${after}; conntrack вернёт ответ на ${before}.`;
}

function whyUnrepliedUdp(place: string): string {
  return (
    `У UDP нет соединений, и всё же conntrack на ${place} заводит для него соединение: эту запись создала первая датаграмма, а [UNREPLIED] в выводе conntrack -L значит, что в обратную сторону пока не пришло ни одной. ` +
    "[UNREPLIED] — флаг статуса (в ядре не установлен бит IPS_SEEN_REPLY), а не состояние: для -m conntrack --ctstate в iptables пакет был NEW, а ответ будет ESTABLISHED. " +
    "Без ответа запись исчезнет через 30 секунд после последней датаграммы (nf_conntrack_udp_timeout); первый ответ снимает флаг, а следующая за ним датаграмма помечает запись [ASSURED] с более долгим таймаутом потока. " +
    "Пока запись жива, каждая датаграмма с теми же адресами и портами идёт по ней и по её NAT, даже если правила тем временем изменились: вот почему kube-proxy удаляет UDP-записи сервиса, у которого пропал эндпоинт."
  );
}

const say: Narration["say"] = {
  dropped: (place, reason) => `${place} отбрасывает пакет: ${reason}.`,
  routeLocal: (place, dst) => `Таблица маршрутизации ${place}: ${dst} — локальный адрес, пакет доставляется здесь.`,
  routeOut: (place, dst, via, dev, route) =>
    `Таблица маршрутизации ${place} направляет пакет для ${dst}${via !== undefined ? ` через ${via}` : ""} в интерфейс ${dev} (${route === "default" ? "маршрут по умолчанию" : `маршрут ${route}`}).`,
  delivered: (place, what, from, to) => `${place} принимает ${what} от ${from}: ${to}.`,
  loadBalancerPicks: (frontend, service, node, nodeIp, targets, healthChecked) =>
    `Правило переадресации облачного балансировщика для ${frontend} (сервис ${service}) хеширует адреса, порты и протокол соединения и отправляет его на ${node} (${nodeIp}), ` +
    `${healthChecked ? `одну из нод, которые его проверка здоровья считает рабочими (с локальным эндпоинтом), всего ${targets}` : `одну из целевых нод (всего ${targets})`}. NAT он не делает: пакет приходит на ноду всё ещё адресованным IP балансировщика.`,
  /** In the accusative: it is only ever what a host takes. */
  payloadName: (proto, icmpType, icmpCode) =>
    proto === "icmp"
      ? icmpType === 8
        ? "эхо-запрос ICMP"
        : icmpType === 0
          ? "эхо-ответ ICMP"
          : `ICMP-сообщение (${icmpName(icmpType ?? 0, icmpCode ?? 0)})`
      : proto === "udp"
        ? "UDP-датаграмму"
        : `${proto.toUpperCase()}-сегмент`,
  ruleMatched: (table, chain, index, target) => {
    const what =
      target.kind === "jump"
        ? `переход в ${target.chain}`
        : target.kind === "goto"
          ? `переход без возврата (goto) в ${target.chain}`
          : target.kind === "none"
            ? "только учесть в счётчиках"
            : target.kind === "MARK"
              ? "пометить пакет"
              : target.kind;
    return `Срабатывает правило ${index} цепочки ${chain} таблицы ${table}: ${what}.`;
  },
  ctInvalid: (reason) => `conntrack помечает пакет как INVALID: ${invalidReason(reason)}.`,
  ctNew: (place) => `conntrack на ${place} видит новое соединение (состояние NEW).`,
  ctHit: (place, dir, state) => `conntrack на ${place} находит соединение ${dir === "reply" ? "в обратном направлении" : "в исходном направлении"} (состояние ${state}).`,
  ctDestroyed: (place) => `conntrack на ${place} удаляет запись: сброс до всякого ответа сразу завершает соединение (conntrack -L её больше не показывает).`,
  ctConfirmed: (place) => `conntrack на ${place} подтверждает новую запись.`,
  ctAttached: (place) => `conntrack на ${place} относит это ICMP-сообщение к соединению, которого оно касается (состояние RELATED): ядро привязывает его, пока собирает сообщение.`,
  icmpHeld: (what, host, afterRedirect) =>
    `ICMP-сообщение «${what}» не уходит обратно к ${host}: исчерпав запас из шести, ядро шлёт одному хосту не больше одной ошибки в секунду (net.ipv4.icmp_ratelimit = 1000)` +
    (afterRedirect ? `, а перенаправление, только что отправленное ${host}, запустило отсчёт для этого хоста заново.` : "."),
  natReversed: (manip, before, after) =>
    `conntrack отменяет в ответе ${manip === "dst" ? "трансляцию источника (SNAT)" : "трансляцию назначения (DNAT)"}: ${before} становится ${after}.`,
  natApplied: (type, manip, before, after) => `${type} переписывает ${manip === "src" ? "источник" : "назначение"}: ${before} становится ${after}.`,
  wire: (place, dir, iface, ends) => `${place} ${dir === "out" ? "отправляет пакет через" : "получает пакет на"} ${iface}: ${ends}.`,
  bridgeForward: (bridge, mac, port) => `${bridge} находит ${mac} в своей таблице пересылки и отправляет кадр в порт ${port}.`,
  encap: (place, dev, vni, mac, remote, ends) =>
    `${place} отправляет кадр через ${dev}, устройство VXLAN: по его таблице пересылки ${mac} находится за ${remote}, поэтому весь Ethernet-кадр уходит внутри UDP-датаграммы с VNI ${vni}: ${ends}.`,
  decap: (place, dev, port, vni, inner) =>
    `Сокет VXLAN на ${place} (UDP-порт ${port}) принимает датаграмму: VNI ${vni} принадлежит ${dev}, и кадр изнутри выходит из ${dev}: ${inner}.`,
  bridgeFlood: (bridge, mac, port) => `${bridge} ещё не знает ${mac} и рассылает кадр во все порты; копия через ${port} доходит до владельца.`,
};

const reason: Narration["reason"] = {
  noRoute: (dst, type) => `нет маршрута к ${dst}${type !== undefined ? ` (маршрут типа ${type})` : ""}`,
  noSource: (dev) => `у ${dev} нет адреса для источника`,
  policy: (table, hook) => `политика цепочки ${hook} таблицы ${table} — DROP`,
  rule: (target, table, chain) => `правило ${target} в цепочке ${chain} таблицы ${table}`,
  natOutside: (target) => `${target} вне таблицы nat`,
  redirectUnsettled: (hook) => `NAT отбрасывает ICMP-перенаправление о соединении, чей NAT ещё не определён (nat ${hook})`,
  redirectTranslated: (hook) => `NAT отбрасывает ICMP-перенаправление о соединении, которое он транслирует (nat ${hook})`,
  masqNoAddress: (dev) => `MASQUERADE: у ${dev} нет адреса`,
  noNeighbour: (ip, dev, hostUnreachable) => `никто не отвечает на ARP-запрос о ${ip} на ${dev}${hostUnreachable ? " (Destination Host Unreachable)" : ""}`,
  forwardingOff: () => "пересылка выключена (net.ipv4.ip_forward = 0)",
  ttlExceeded: (ttl) => `TTL истёк в пути (ttl ${ttl})`,
  noListener: (proto, port) =>
    proto === "udp" ? `никто не слушает UDP-порт ${port} (ядро отвечает ICMP-сообщением «порт недостижим»)` : `никто не слушает TCP-порт ${port} (ядро отвечает сбросом, RST)`,
  noIcmpSocket: () => "ни один сокет не ждёт этого ICMP-сообщения",
  bridgeNoPort: (bridge, mac) => `${bridge} не знает порта, ведущего к ${mac}`,
  bridgeHairpin: (bridge, port) => `${bridge} отправил бы кадр обратно в ${port}, откуда тот пришёл, а режим hairpin выключен`,
  loop: (hops) => `пакет прошёл больше звеньев, чем допустимо (${hops}): петля пересылки`,
  down: (iface) => `интерфейс ${iface} выключен (DOWN)`,
  noMac: (segment, mac) => `в сегменте ${segment} нет хоста с MAC ${mac}`,
  noVni: (port, vni) => `ни у одного устройства VXLAN на UDP-порту ${port} нет VNI ${vni}`,
  noVtep: (dev, mac) => `в таблице пересылки ${dev} нет записи для ${mac} (а обучение выключено), так что удалённой точки туннеля нет`,
  notForVtep: (mac, dev) => `кадр внутри адресован ${mac}, а не собственному MAC ${dev}`,
  notFor: (mac, iface) => `кадр адресован ${mac}, а не ${iface}`,
  on: (reason, place) => `${reason} (на ${place})`,
};

const taker: Narration["taker"] = {
  kernelEcho: () => "ядро (ICMP echo)",
  kernelRedirect: () => "ядро (ICMP redirect)",
  ping: () => "ping",
  socketAbout: (proto) => `${proto.toUpperCase()}-сокет, которого оно касается`,
  clientSocket: () => "клиентский сокет",
};

const why: Narration["why"] = {
  redirectNat: () => "Перенаправление позволило бы двум хостам общаться в обход трансляции (nf_nat_icmp_reply_translation).",
  redirectIgnored: (dst, gateway, from) =>
    `Ядро игнорирует это перенаправление: оно принимает его только от шлюза, через который идёт его маршрут, а ${gateway !== undefined ? `маршрут к ${dst} идёт через ${gateway}, не через ${from}` : `маршрут к ${dst} идёт без шлюза, не через ${from}`}.`,
  redirectHeeded: (dst, gateway) =>
    `Ядро принимает это перенаправление и отныне отправляет пакеты для ${dst} через ${gateway} (исключение маршрута, которое Hopscope не моделирует: следующие пакеты по-прежнему идут по таблице маршрутизации).`,
};

/** The engine's flow names, in Russian; TCP flags stay as tcpdump names them. */
const FLOW_NAMES: Readonly<Record<string, string>> = {
  request: "запрос",
  reply: "ответ",
  error: "ошибка",
  reset: "сброс",
  ack: "подтверждение",
  "ICMP redirect": "ICMP-перенаправление",
  "ping request": "запрос ping",
  "ping reply": "ответ ping",
  "DNS query": "DNS-запрос",
  "DNS answer": "DNS-ответ",
};

function flowName(name: string): string {
  const probe = /^traceroute probe, TTL (\d+)$/.exec(name);
  if (probe) return `проба traceroute, TTL ${probe[1]}`;
  return FLOW_NAMES[name] ?? name;
}

/** The traffic item's words: `from` in the genitive ("от клиента"), `to` in the dative ("к сервису …"). */
const origin: Narration["origin"] = {
  traffic: (kind, from, to, port) => `${kind} от ${from} к ${to}${port !== undefined ? `, порт ${port}` : ""}`,
  theClient: () => "клиента",
  node: (node, ip, isPublic) => (isPublic ? `публичному адресу ${node} (${ip})` : `${node} (${ip})`),
  service: (namespace, name, addr) => `сервису ${namespace}/${name} (${addr})`,
  loadBalancer: (namespace, name, addr) => `балансировщику сервиса ${namespace}/${name} (${addr})`,
  internet: (ip) => `клиенту в интернете (${ip})`,
  shell: (line, where) => `${line} (на ${where})`,
};

export const NARRATION_RU: Narration = { icmpName, whyInvalid, whySourcePort, whyUnrepliedUdp, say, reason, taker, why, flowName, origin };
