/**
 * The what-if faults in the words the editor shows, in Russian (faults.ts has the English).
 * Sysctl names and component names stay as they are written on a node.
 */
import type { FaultKind } from "./faults";

export const FAULT_TEXT_RU: Readonly<Record<FaultKind, { readonly label: string; readonly about: string }>> = {
  "vpc-route-missing": { label: "нет маршрута в VPC", about: "У облачного маршрутизатора нет маршрута к CIDR подов этой ноды." },
  "vpc-route-wrong-worker": { label: "маршрут VPC на другую ноду", about: "Облачный маршрутизатор отправляет CIDR подов этой ноды на другую ноду." },
  "ipmasq-off": { label: "ipMasq выключен", about: "Плагин bridge на этой ноде не маскирует трафик подов, покидающий сеть подов." },
  "ip-forward-off": { label: "net.ipv4.ip_forward=0", about: "Эта нода не пересылает пакеты между своими интерфейсами." },
  "bridge-nf-off": { label: "net.bridge.bridge-nf-call-iptables=0", about: "iptables не видит пакетов, которые мост cnio0 этой ноды передаёт внутри себя." },
  "hairpin-off": { label: "режим hairpin выключен", about: "Мост этой ноды не отправит кадр обратно в порт, через который тот пришёл (так по умолчанию в KTHW)." },
  "kube-proxy-stopped": { label: "kube-proxy остановлен", about: "kube-proxy на этой ноде остановился до создания сервиса: здесь нет его правил." },
  "no-endpoints": { label: "селектор не выбирает ни одного пода", about: "Селектор сервиса не совпадает ни с одним подом, поэтому у сервиса нет эндпоинтов." },
  "stale-endpoint": { label: "устаревший эндпоинт", about: "Эндпоинт, чей под уже удалён, а правила для него остались." },
};
