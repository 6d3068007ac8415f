/** Registers the CNI plugins beyond the article's bridge plugin (select.ts). */
import { calicoPlugin } from "./calico";
import { flannelPlugin } from "./flannel";
import { registerCni } from "./select";

export function registerOtherCnis(): void {
  registerCni("flannel", flannelPlugin);
  registerCni("calico", calicoPlugin);
}
