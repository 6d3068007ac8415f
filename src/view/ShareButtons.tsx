/**
 * "Copy link" and "Copy embed code": the current view as a URL, or as an iframe for a course
 * page. An edited scenario too large for a link is offered instead as a file ("Download
 * scenario file"), with a line saying why. "Download pcap": the session's packets as a capture
 * file for Wireshark or tcpdump.
 */
import { useEffect, useState } from "react";
import { create } from "zustand";
import { viewUrl } from "../share/browser";
import { scenarioFile, shareOffer, type ShareOffer } from "../share/offer";
import { pcapFile, useHopscope } from "../store/store";
import { useT } from "../i18n/use";
import { SHARE } from "./i18n/page";
import { afterPaint, saveFile } from "./dom";

/** What sharing the page's current view offers (undefined before a scenario is loaded). */
function currentOffer(): ShareOffer | undefined {
  const st = useHopscope.getState();
  const shared = st.shareView();
  return st.source && shared ? shareOffer(st.source, shared.view, st.lang) : undefined;
}

/** The view's URL, unless its link would not open (too large): then nothing. */
function linkFor(embed: boolean): string | undefined {
  const offer = currentOffer();
  return offer === undefined || offer.kind === "link" ? viewUrl(embed) : undefined;
}

function embedCode(): string | undefined {
  const url = linkFor(true);
  const title = useHopscope.getState().scenario?.title ?? "Hopscope";
  if (!url) return undefined;
  const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<iframe src="${attr(url)}" width="800" height="450" title="Hopscope: ${attr(title)}" style="border:0;max-width:100%" loading="lazy"></iframe>`;
}

/** What the last share action did, said in one line (the buttons may sit in the header's menu, the line stays in sight). */
const useShareStatus = create<{ text?: string; timer?: ReturnType<typeof setTimeout> }>(() => ({}));

function clearLater(ms: number): void {
  useShareStatus.setState({ timer: setTimeout(() => useShareStatus.setState({ text: undefined, timer: undefined }), ms) });
}

function setCopied(text: string | undefined): void {
  clearTimeout(useShareStatus.getState().timer);
  useShareStatus.setState({ text, timer: undefined });
}

/** The share buttons' status line: a small note under the header's right end while there is something to say. */
export function ShareStatus() {
  const text = useShareStatus((s) => s.text);
  return (
    <span
      role="status"
      className="pointer-events-none absolute right-4 top-full z-40 mt-1 max-w-[calc(100vw-2rem)] rounded border border-emerald-300 bg-emerald-50 px-2 py-1 text-xs text-emerald-800 shadow empty:border-0 empty:p-0 empty:shadow-none"
      data-testid="copied"
    >
      {text}
    </span>
  );
}

/**
 * The share buttons: `link`, the view's link (or, for a scenario too large for one, its file);
 * `more`, the embed code and the pcap; `all`, both.
 */
export function ShareButtons({ part = "all" }: { part?: "link" | "more" | "all" }) {
  const t = useT(SHARE);
  const copy = async (what: "link" | "embed") => {
    const text = what === "link" ? linkFor(false) : embedCode();
    if (!text) {
      // A view whose link would not open is never copied: say why instead.
      const offer = currentOffer();
      if (offer && offer.kind !== "link") {
        setCopied(offer.reason);
        clearLater(4000);
      }
      return;
    }
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what === "link" ? t.linkCopied : t.embedCopied);
    } catch {
      // No clipboard (an insecure origin, a denied permission): show the text to copy by hand.
      window.prompt(t.copyThis, text);
    }
    clearLater(2000);
  };
  const ready = useHopscope((st) => st.status.kind === "ready");
  // What to offer changes with the scenario, panels and shell lines only. Worked out after the
  // view is drawn: writing a big edited scenario's link part takes a third of a second, which
  // would otherwise hold the scenario off the screen (a click on a button works it out at once).
  const source = useHopscope((st) => st.source);
  const panels = useHopscope((st) => st.panels);
  const shellLines = useHopscope((st) => st.shellLines);
  const lang = useHopscope((st) => st.lang);
  const [worked, setWorked] = useState<{ source: unknown; panels: unknown; shellLines: unknown; lang: unknown; offer: ShareOffer | undefined }>();
  useEffect(() => {
    if (!source) return;
    return afterPaint(() => setWorked({ source, panels, shellLines, lang, offer: currentOffer() }));
  }, [source, panels, shellLines, lang]);
  const offer = worked && worked.source === source && worked.panels === panels && worked.shellLines === shellLines && worked.lang === lang ? worked.offer : undefined;
  const downloadScenario = () => {
    const st = useHopscope.getState();
    if (!st.source || !("spec" in st.source)) return;
    const file = scenarioFile(st.source.spec);
    saveFile(file.name, new Blob([file.text], { type: "application/json" }));
    setCopied(t.saved({ name: file.name }));
    clearLater(4000);
  };
  const download = async () => {
    try {
      const file = await pcapFile();
      saveFile(file.name, new Blob([file.bytes], { type: "application/x-pcapng" }));
      setCopied(t.savedPcap({ name: file.name, frames: file.frames }));
    } catch (e) {
      setCopied(t.noCapture({ message: e instanceof Error ? e.message : String(e) }));
    }
    clearLater(4000);
  };
  const btn = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100";
  const link =
    offer?.kind === "file" ? (
      <>
        <button type="button" className={btn} onClick={downloadScenario} data-testid="download-scenario" data-menu-close="">
          {t.downloadScenario}
        </button>
        <span className="max-w-xs truncate text-xs text-amber-800" title={offer.reason} data-testid="share-too-large">
          {offer.reason}
        </span>
      </>
    ) : (
      <button type="button" className={btn} onClick={() => void copy("link")} data-testid="copy-link" data-menu-close="">
        {t.copyLink}
      </button>
    );
  const more = (
    <>
      {offer?.kind !== "file" && (
        <button type="button" className={btn} onClick={() => void copy("embed")} data-testid="copy-embed" data-menu-close="">
          {t.copyEmbed}
        </button>
      )}
      <button
        type="button"
        className={`${btn} disabled:opacity-50`}
        onClick={() => void download()}
        disabled={!ready}
        title={t.pcapTitle}
        data-testid="download-pcap"
          data-menu-close=""
      >
        {t.downloadPcap}
      </button>
    </>
  );
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2">
      {part !== "more" && link}
      {part !== "link" && more}
    </div>
  );
}
