/** The view slice: which panels are open, how an embed shows the app, and the notice above it all. */
import type { StateCreator } from "zustand";
import { DEFAULT_PANELS, type ShareState } from "../share/codec";
import type { HopscopeState } from "./store";

export type Panels = ShareState["panels"];

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
  setPanels(p: Partial<Panels>): void;
  dismissNotice(): void;
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
});
