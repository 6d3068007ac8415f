/**
 * The page's own words in English and Russian: the header, the panels, the controls, the hop
 * list and detail, the node panel, the shell's frame, sharing and the diagram's labels. The
 * trace's sentences come from the engine (src/engine/narrate*.ts); what the tools print
 * (rules, conntrack lines, tcpdump, routes, the shell's output), addresses, interface, chain and
 * table names stay as they are in both languages.
 */
import { defineCatalog } from "../../i18n/catalog";
import { plural } from "../../i18n/lang";

/** The header, the panels' frames, the notices' frame and the live region. */
export const APP = defineCatalog(
  {
    scenario: "Scenario",
    edited: (p: { title: string }) => `Edited: ${p.title}`,
    panels: "Panels",
    panelDetail: "detail",
    panelHops: "hops",
    panelNode: "node panel",
    tour: "Tour",
    quiz: "Quiz",
    editScenario: "Edit scenario",
    theme: "Theme",
    themeSystem: "System",
    themeLight: "Light",
    themeDark: "Dark",
    dismiss: "Dismiss",
    openFull: "Open in Hopscope ↗",
    topology: "Topology",
    engineError: (p: { message: string }) => `The network engine could not run this scenario: ${p.message}`,
    noTraffic: "No traffic yet: open the editor and send a packet.",
    tracing: "Tracing…",
    nodePanels: "Node panels",
    tabNode: "Rules & conntrack",
    tabShell: "Shell",
    tabHooks: "Netfilter hooks",
    hopDetail: "Hop detail",
    thisHop: "This hop",
    allHops: "All hops",
    live: (p: { n: number; total: number; text: string }) => `Step ${p.n} of ${p.total}: ${p.text}`,
  },
  {
    scenario: "Сценарий",
    edited: (p: { title: string }) => `Изменённый: ${p.title}`,
    panels: "Панели",
    panelDetail: "подробности",
    panelHops: "хопы",
    panelNode: "панель узла",
    tour: "Экскурсия",
    quiz: "Викторина",
    editScenario: "Изменить сценарий",
    theme: "Тема",
    themeSystem: "Как в системе",
    themeLight: "Светлая",
    themeDark: "Тёмная",
    dismiss: "Закрыть",
    openFull: "Открыть в Hopscope ↗",
    topology: "Топология",
    engineError: (p: { message: string }) => `Сетевой движок не смог выполнить этот сценарий: ${p.message}`,
    noTraffic: "Трафика пока нет: откройте редактор и отправьте пакет.",
    tracing: "Трассировка…",
    nodePanels: "Панели узла",
    tabNode: "Правила и conntrack",
    tabShell: "Терминал",
    tabHooks: "Хуки netfilter",
    hopDetail: "Подробности хопа",
    thisHop: "Этот хоп",
    allHops: "Все хопы",
    live: (p: { n: number; total: number; text: string }) => `Шаг ${p.n} из ${p.total}: ${p.text}`,
  },
);

/** The footer's playback controls. */
export const CONTROLS = defineCatalog(
  {
    playback: "Playback",
    first: "First step (Home)",
    back: "Previous step (Left arrow)",
    pauseName: "Pause (Space)",
    playName: "Play (Space)",
    pause: "Pause",
    play: "Play",
    forward: "Next step (Right arrow)",
    last: "Last step (End)",
    timeline: "Timeline",
    valueText: (p: { n: number; total: number }) => `step ${p.n} of ${p.total}`,
    levelHelp: "Level of detail: hops (one step per place), hooks (one per netfilter hook), rules (every rule). Keys 1, 2, 3; L cycles.",
    level: "Level",
    levelName: "Level of detail",
    hops: "Hops",
    hooks: "Hooks",
    rules: "Rules",
    speed: "speed",
    fit: "Fit",
    shortcutsTitle: "Keyboard shortcuts (?)",
    shortcuts: "Keyboard shortcuts",
  },
  {
    playback: "Воспроизведение",
    first: "Первый шаг (Home)",
    back: "Предыдущий шаг (стрелка влево)",
    pauseName: "Пауза (пробел)",
    playName: "Пуск (пробел)",
    pause: "Пауза",
    play: "Пуск",
    forward: "Следующий шаг (стрелка вправо)",
    last: "Последний шаг (End)",
    timeline: "Шкала шагов",
    valueText: (p: { n: number; total: number }) => `шаг ${p.n} из ${p.total}`,
    levelHelp: "Уровень детализации: хопы (один шаг на каждое место), хуки (по одному на хук netfilter), правила (каждое правило). Клавиши 1, 2, 3; L переключает по кругу.",
    level: "Уровень",
    levelName: "Уровень детализации",
    hops: "Хопы",
    hooks: "Хуки",
    rules: "Правила",
    speed: "скорость",
    fit: "Вписать",
    shortcutsTitle: "Сочетания клавиш (?)",
    shortcuts: "Сочетания клавиш",
  },
);

const KINDS_RU: Readonly<Record<string, string>> = { wire: "провод", route: "маршрут", rule: "правило", bridge: "мост", deliver: "доставка", drop: "отброшен" };

/** The list of hops. */
export const HOPS = defineCatalog(
  {
    delivered: "delivered",
    dropped: "dropped: ",
    kind: (p: { kind: string }) => p.kind,
    list: "Hops of the packet, in order",
    windowed: (p: { count: number }) => `Hops of the packet, in order (${p.count.toLocaleString("en")} steps; the ones in view are listed)`,
  },
  {
    delivered: "доставлен",
    dropped: "отброшен: ",
    /** A step's kind as its tag: netfilter's own words (nat, conntrack) stay. */
    kind: (p: { kind: string }) => KINDS_RU[p.kind] ?? p.kind,
    list: "Хопы пакета по порядку",
    windowed: (p: { count: number }) => `Хопы пакета по порядку (${plural("ru", p.count, { one: "# шаг", few: "# шага", many: "# шагов", other: "# шага" })}; перечислены видимые)`,
  },
);

/** "This hop": the current step in full. */
export const DETAIL = defineCatalog(
  {
    none: "No step selected.",
    podOn: (p: { pod: string; node: string }) => `${p.pod} on ${p.node}`,
    received: "received",
    sent: "sent",
    why: "Why: ",
    field: "field",
    before: "before",
    after: "after",
    changed: " (changed)",
    route: (p: { local: boolean }) => `the route that matched (ip route${p.local ? " show table local" : ""})`,
    rule: (p: { table: string; chain: string; hook: string; index: number; pkts: number; bytes: number }) =>
      `table ${p.table}, chain ${p.chain} (${p.hook}), rule ${p.index}: ${p.pkts} packets, ${p.bytes} bytes`,
    natHeader: ": the header before and after",
    unconfirmed: "unconfirmed: conntrack -L lists it once the packet leaves the node or is delivered to it",
    entry: (p: { unconfirmed: string }) => `the conntrack entry (${p.unconfirmed})`,
    entryEvent: (p: { event: string; unconfirmed: string }) => `the conntrack entry (${p.event}; ${p.unconfirmed})`,
    fdb: (p: { bridge: string; size: number; shown?: number }) =>
      `${p.bridge}'s forwarding table when the frame came (${p.size} ${p.size === 1 ? "entry" : "entries"}${p.shown !== undefined ? `, ${p.shown} shown` : ""})`,
    flood: (p: { mac: string }) => `No entry for ${p.mac}: the bridge floods the frame to every port.`,
    mac: "mac",
    port: "port",
    own: "the bridge's own",
    learned: "learned",
    showHooks: "Show in the hooks view",
    dropped: "Dropped: ",
  },
  {
    none: "Шаг не выбран.",
    podOn: (p: { pod: string; node: string }) => `${p.pod} на ${p.node}`,
    received: "принят",
    sent: "отправлен",
    why: "Почему: ",
    field: "поле",
    before: "до",
    after: "после",
    changed: " (изменено)",
    route: (p: { local: boolean }) => `сработавший маршрут (ip route${p.local ? " show table local" : ""})`,
    rule: (p: { table: string; chain: string; hook: string; index: number; pkts: number; bytes: number }) =>
      `таблица ${p.table}, цепочка ${p.chain} (${p.hook}), правило ${p.index}: ${plural("ru", p.pkts, { one: "# пакет", few: "# пакета", many: "# пакетов", other: "# пакета" })}, ${plural("ru", p.bytes, { one: "# байт", few: "# байта", many: "# байт", other: "# байта" })}`,
    natHeader: ": заголовок до и после",
    unconfirmed: "не подтверждена: conntrack -L покажет её, когда пакет покинет узел или будет доставлен на него",
    entry: (p: { unconfirmed: string }) => `запись conntrack (${p.unconfirmed})`,
    entryEvent: (p: { event: string; unconfirmed: string }) => `запись conntrack (${p.event}; ${p.unconfirmed})`,
    fdb: (p: { bridge: string; size: number; shown?: number }) =>
      `таблица пересылки ${p.bridge} на момент прихода кадра (${plural("ru", p.size, { one: "# запись", few: "# записи", many: "# записей", other: "# записи" })}${p.shown !== undefined ? `, показано ${p.shown}` : ""})`,
    flood: (p: { mac: string }) => `Записи для ${p.mac} нет: мост рассылает кадр во все порты.`,
    mac: "MAC",
    port: "порт",
    own: "собственный адрес моста",
    learned: "изучен",
    showHooks: "Показать на схеме хуков",
    dropped: "Отброшен: ",
  },
);

/** The node panel: a node's rules with their counters and its conntrack table. */
export const NODE = defineCatalog(
  {
    node: "Node",
    follow: "Follow the packet",
    what: "iptables -L -v (nat, filter) and conntrack -L after this step",
    reading: (p: { node: string }) => `Reading ${p.node}'s rules…`,
    noRules: (p: { node: string }) => `${p.node} has no iptables rules loaded.`,
    table: (p: { table: string }) => `table ${p.table}`,
    rule: "rule",
    decided: "(decided this NAT)",
    unconfirmed:
      "Not listed by conntrack -L yet: the entry this step shows is unconfirmed. The kernel confirms it when the packet leaves the node (POSTROUTING) or is delivered to it (INPUT); if the packet is dropped first, it is never listed.",
    noEntries: "No conntrack entries yet.",
    rulesBox: (p: { node: string; count: number }) => `${p.node}'s iptables rules (${p.count.toLocaleString("en")})`,
    tableRows: (p: { table: string; count: number }) => `table ${p.table} (${p.count.toLocaleString("en")} rules; the ones in view are listed)`,
    conntrackRows: (p: { count: number }) => `conntrack -L (${p.count.toLocaleString("en")} entries; the ones in view are listed)`,
  },
  {
    node: "Узел",
    follow: "Следить за пакетом",
    what: "iptables -L -v (nat, filter) и conntrack -L после этого шага",
    reading: (p: { node: string }) => `Читаем правила ${p.node}…`,
    noRules: (p: { node: string }) => `На ${p.node} не загружено ни одного правила iptables.`,
    table: (p: { table: string }) => `таблица ${p.table}`,
    rule: "правило",
    decided: "(выбрало этот NAT)",
    unconfirmed:
      "conntrack -L её пока не показывает: запись, которую показывает этот шаг, не подтверждена. Ядро подтверждает её, когда пакет покидает узел (POSTROUTING) или доставляется на него (INPUT); если пакет отброшен раньше, запись так и не появится в списке.",
    noEntries: "Записей conntrack пока нет.",
    rulesBox: (p: { node: string; count: number }) => `Правила iptables узла ${p.node} (${p.count.toLocaleString("ru")})`,
    tableRows: (p: { table: string; count: number }) => `таблица ${p.table} (${plural("ru", p.count, { one: "# правило", few: "# правила", many: "# правил", other: "# правила" })}; перечислены видимые)`,
    conntrackRows: (p: { count: number }) => `conntrack -L (${plural("ru", p.count, { one: "# запись", few: "# записи", many: "# записей", other: "# записи" })}; перечислены видимые)`,
  },
);

/** The shell's frame (its output stays as the tools print it). */
export const TERMINAL = defineCatalog(
  {
    podHintBusybox: "the node's tools in the pod's namespace (as nsenter -n), busybox's ping, nslookup, wget · ",
    podHint: "the node's tools in the pod's namespace (as nsenter -n) · ",
    replayed: (p: { lines: number }) => `[hopscope: the shared session's ${p.lines} ${p.lines === 1 ? "line" : "lines"}, replayed]\n`,
    newFlows: (p: { flows: number }) => `[hopscope: ${p.flows} new flow${p.flows === 1 ? "" : "s"} traced; the view shows the first]\n`,
    shellOn: "Shell on",
    hint: "after the scenario's traffic · Tab completes, Esc leaves · try sudo lsns -t net, ip netns, sudo conntrack -L, tcpdump -n -i cnio0, ping -c 2 10.200.1.15",
    copy: "Copy session",
    command: "command",
  },
  {
    podHintBusybox: "инструменты узла в сетевом пространстве имён пода (как nsenter -n), ping, nslookup и wget из busybox · ",
    podHint: "инструменты узла в сетевом пространстве имён пода (как nsenter -n) · ",
    replayed: (p: { lines: number }) =>
      `[hopscope: ${plural("ru", p.lines, { one: "воспроизведена # строка", few: "воспроизведены # строки", many: "воспроизведено # строк", other: "воспроизведено # строки" })} присланного сеанса]\n`,
    newFlows: (p: { flows: number }) =>
      `[hopscope: ${plural("ru", p.flows, { one: "прослежен # новый поток", few: "прослежено # новых потока", many: "прослежено # новых потоков", other: "прослежено # нового потока" })}; на схеме — первый]\n`,
    shellOn: "Терминал на",
    hint: "после трафика сценария · Tab дополняет, Esc — выйти · попробуйте sudo lsns -t net, ip netns, sudo conntrack -L, tcpdump -n -i cnio0, ping -c 2 10.200.1.15",
    copy: "Копировать сеанс",
    command: "команда",
  },
);

/** Sharing: links, embed code, files. */
export const SHARE = defineCatalog(
  {
    linkCopied: "Link copied",
    embedCopied: "Embed code copied",
    copyThis: "Copy this:",
    saved: (p: { name: string }) => `Saved ${p.name}`,
    savedPcap: (p: { name: string; frames: number }) => `Saved ${p.name} (${p.frames.toLocaleString("en")} ${p.frames === 1 ? "frame" : "frames"})`,
    noCapture: (p: { message: string }) => `No capture: ${p.message}`,
    downloadScenario: "Download scenario file",
    copyLink: "Copy link",
    copyEmbed: "Copy embed code",
    pcapTitle: "The packets of this session (the scenario's and the shell's) as a pcapng file for Wireshark or tcpdump",
    downloadPcap: "Download pcap",
  },
  {
    linkCopied: "Ссылка скопирована",
    embedCopied: "Код для встраивания скопирован",
    copyThis: "Скопируйте:",
    saved: (p: { name: string }) => `Сохранён файл ${p.name}`,
    savedPcap: (p: { name: string; frames: number }) =>
      `Сохранён файл ${p.name} (${plural("ru", p.frames, { one: "# кадр", few: "# кадра", many: "# кадров", other: "# кадра" })})`,
    noCapture: (p: { message: string }) => `Захвата нет: ${p.message}`,
    downloadScenario: "Скачать файл сценария",
    copyLink: "Копировать ссылку",
    copyEmbed: "Код для встраивания",
    pcapTitle: "Пакеты этого сеанса (сценария и терминала) в файле pcapng для Wireshark или tcpdump",
    downloadPcap: "Скачать pcap",
  },
);

/** The diagram's words (addresses, names and the packet's badge stay as they are). */
export const TOPOLOGY = defineCatalog(
  {
    label: "Cluster topology: the host network, each worker's pod network on its cnio0 bridge, the VPC router, the internet and the virtual service network",
    hostNetwork: "host network",
    router: "VPC router (cloud fabric)",
    routes: "routes per pod CIDR",
    publicNat: (p: { ip: string }) => `1:1 public NAT · internet side ${p.ip}`,
    pickClient: "Pick the internet client",
    client: "Internet client",
    docRange: "(documentation range)",
    pick: (p: { name: string }) => `Pick ${p.name}`,
    openNode: (p: { node: string }) => `Open ${p.node}'s rules and conntrack`,
    public: "public",
    podNetwork: "pod network",
    bridge: "(bridge)",
    pickPod: (p: { pod: string }) => `Pick pod ${p.pod}`,
    openShell: (p: { pod: string }) => `Open a shell in ${p.pod}`,
    onHost: "on the host",
    services: (p: { cidr: string }) => `service network ${p.cidr} — virtual: no wire, only kube-proxy's iptables rules on every node`,
    pickService: (p: { name: string }) => `Pick service ${p.name}`,
    showRule: (p: { rule: string; node: string }) => `Show the rule: ${p.rule}, in ${p.node}'s rules`,
    droppedAt: (p: { where: string; why: string }) => `dropped at ${p.where}: ${p.why}`,
  },
  {
    label: "Топология кластера: сеть узлов, сеть подов каждого воркера на его мосту cnio0, маршрутизатор VPC, интернет и виртуальная сеть сервисов",
    hostNetwork: "сеть узлов",
    router: "Маршрутизатор VPC (облачная сеть)",
    routes: "CIDR подов → узлы",
    publicNat: (p: { ip: string }) => `публичный NAT 1:1 · снаружи ${p.ip}`,
    pickClient: "Выбрать интернет-клиента",
    client: "Интернет-клиент",
    docRange: "(диапазон для документации)",
    pick: (p: { name: string }) => `Выбрать ${p.name}`,
    openNode: (p: { node: string }) => `Открыть правила и conntrack узла ${p.node}`,
    public: "публичный",
    podNetwork: "сеть подов",
    bridge: "(мост)",
    pickPod: (p: { pod: string }) => `Выбрать под ${p.pod}`,
    openShell: (p: { pod: string }) => `Открыть терминал в поде ${p.pod}`,
    onHost: "на узле",
    services: (p: { cidr: string }) => `сеть сервисов ${p.cidr} — виртуальная: проводов нет, только правила iptables от kube-proxy на каждом узле`,
    pickService: (p: { name: string }) => `Выбрать сервис ${p.name}`,
    showRule: (p: { rule: string; node: string }) => `Показать правило ${p.rule} среди правил узла ${p.node}`,
    droppedAt: (p: { where: string; why: string }) => `отброшен на ${p.where}: ${p.why}`,
  },
);

/** Compare's frame: its pickers, each side's state, the rows' window (the divergence sentence is compare.ts's). */
export const COMPARE = defineCatalog(
  {
    compare: "Compare",
    first: "First version",
    second: "Second version",
    pickOption: "Pick a version",
    closeName: "Close compare",
    close: "Close",
    same: "The two traces are the same, hop by hop.",
    pick: "Pick a version.",
    tracing: "Tracing…",
    traced: (p: { title: string; flows: number; steps: number }) => `${p.title}: ${p.flows} ${p.flows === 1 ? "flow" : "flows"}, ${p.steps.toLocaleString("en")} steps`,
    invalid: (p: { label: string }) => `${p.label} is not a scenario the engine can run:`,
    failed: (p: { label: string; message: string }) => `${p.label} could not be traced: ${p.message}`,
    retry: "Try again",
    rows: (p: { start: number; end: number; total: number }) => `Rows ${p.start.toLocaleString("en")}–${p.end.toLocaleString("en")} of ${p.total.toLocaleString("en")}`,
    earlier: "Earlier rows",
    later: "Later rows",
    back: "Back to the divergence",
    table: "The two traces, hop by hop",
    firstDivergence: "first divergence",
    noHop: "no such hop",
    dir: (p: { dir: string }) => p.dir,
  },
  {
    compare: "Сравнение",
    first: "Первая версия",
    second: "Вторая версия",
    pickOption: "Выберите версию",
    closeName: "Закрыть сравнение",
    close: "Закрыть",
    same: "Обе трассы совпадают хоп в хоп.",
    pick: "Выберите версию.",
    tracing: "Трассировка…",
    traced: (p: { title: string; flows: number; steps: number }) =>
      `${p.title}: ${plural("ru", p.flows, { one: "# поток", few: "# потока", many: "# потоков", other: "# потока" })}, ${plural("ru", p.steps, { one: "# шаг", few: "# шага", many: "# шагов", other: "# шага" })}`,
    invalid: (p: { label: string }) => `${p.label} — не сценарий, который движок может выполнить:`,
    failed: (p: { label: string; message: string }) => `${p.label}: трассировка не удалась: ${p.message}`,
    retry: "Попробовать ещё раз",
    rows: (p: { start: number; end: number; total: number }) => {
      const f = new Intl.NumberFormat("ru");
      return `Строки ${f.format(p.start)}–${f.format(p.end)} из ${f.format(p.total)}`;
    },
    earlier: "Предыдущие строки",
    later: "Следующие строки",
    back: "Назад к расхождению",
    table: "Обе трассы, хоп за хопом",
    firstDivergence: "первое расхождение",
    noHop: "такого хопа нет",
    /** A frame's direction at its interface: received or sent. */
    dir: (p: { dir: string }) => (p.dir === "in" ? "принят" : p.dir === "out" ? "отправлен" : p.dir),
  },
);
