/**
 * The draft of click-to-send (src/view/editor/SendForm.tsx): what the page keeps while the editor
 * is open, and what the diagram's picks fill in. Apart from the form, so the page (App.tsx) can
 * hold a draft without loading the editor, which it loads when the editor opens.
 */
import type { PickTarget } from "../Topology";

export type SendKind = "ping" | "curl" | "dig";

export interface SendDraft {
  readonly from?: PickTarget;
  readonly to?: PickTarget;
  readonly kind: SendKind;
  readonly port: string;
  readonly protocol: "UDP" | "TCP";
  /** A node's public address as destination (a NodePort from the internet); unset: yes from the client, no otherwise. */
  readonly publicAddress?: boolean;
}

export const EMPTY_SEND: SendDraft = { kind: "ping", port: "", protocol: "UDP" };

/** Whether the packet goes to the node's public address: the client on the internet reaches a node by it. */
export function toPublic(d: SendDraft): boolean {
  return d.publicAddress ?? (d.from !== undefined && "client" in d.from);
}
