/** The view slice: which panels are open, how an embed shows the app, and the notice above it all. */
import type { StateCreator } from "zustand";
import { DEFAULT_PANELS, type ShareState } from "../share/codec";
import type { HopscopeState } from "./store";

export type Panels = ShareState["panels"];

export type BottomTab = "node" | "shell" | "hooks";

export interface EmbedOptions {
  readonly on: boolean;
  readonly autoplay: boolean;
  readonly hide: readonly string[];
}

export interface ViewSlice {
  readonly panels: Panels;
  /** From the URL's hash: embed=1, autoplay=1, hide=…. */
  readonly embed: EmbedOptions;
  /** A message for the reader (a bad link, a restarted engine), until dismissed. */
  readonly notice?: string;
  /** The tab under the diagram: the node's rules and conntrack, the shell, or the node's netfilter hooks. */
  readonly bottomTab: BottomTab;
  /**
   * A command put into the shell's input line for the reader to run (the tour does), with the
   * node or pod it runs on; the shell takes it and clears it.
   */
  readonly shellDraft?: { readonly target: string; readonly line: string; readonly focus?: boolean };
  /** True while an export draws the diagram step by step: no animation then. */
  readonly exporting: boolean;
  setPanels(p: Partial<Panels>): void;
  dismissNotice(): void;
  setBottomTab(t: BottomTab): void;
  /** `focus`: the reader asked for the shell (a click on a pod), so its prompt takes the keyboard; the tour's offers leave it where it is. */
  offerShellLine(target: string, line: string, opts?: { readonly focus?: boolean }): void;
  takeShellDraft(): { readonly target: string; readonly line: string; readonly focus?: boolean } | undefined;
  setExporting(on: boolean): void;
}

export const viewSlice: StateCreator<HopscopeState, [], [], ViewSlice> = (set, get) => ({
  panels: DEFAULT_PANELS,
  embed: { on: false, autoplay: false, hide: [] },
  setPanels(p: Partial<Panels>) {
    set({ panels: { ...get().panels, ...p } });
  },
  dismissNotice() {
    set({ notice: undefined });
  },
  bottomTab: "node",
  exporting: false,
  setBottomTab(t) {
    set({ bottomTab: t });
  },
  offerShellLine(target, line, opts) {
    set({ shellDraft: { target, line, ...(opts?.focus && { focus: true }) }, bottomTab: "shell" });
  },
  takeShellDraft() {
    const d = get().shellDraft;
    if (d) set({ shellDraft: undefined });
    return d;
  },
  setExporting(on) {
    set({ exporting: on });
  },
});
