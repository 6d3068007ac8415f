/**
 * "Copy link" and "Copy embed code": the current view as a URL, or as an iframe for a course
 * page. An edited scenario too large for a link is offered instead as a file ("Download
 * scenario file"), with a line saying why. "Download pcap": the session's packets as a capture
 * file for Wireshark or tcpdump.
 */
import { useEffect, useState } from "react";
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
  return st.source && shared ? shareOffer(st.source, shared.view) : undefined;
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

export function ShareButtons() {
  const t = useT(SHARE);
  const [copied, setCopied] = useState<string>();
  const copy = async (what: "link" | "embed") => {
    const text = what === "link" ? linkFor(false) : embedCode();
    if (!text) {
      // A view whose link would not open is never copied: say why instead.
      const offer = currentOffer();
      if (offer && offer.kind !== "link") {
        setCopied(offer.reason);
        setTimeout(() => setCopied(undefined), 4000);
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
    setTimeout(() => setCopied(undefined), 2000);
  };
  const ready = useHopscope((st) => st.status.kind === "ready");
  // What to offer changes with the scenario, panels and shell lines only. Worked out after the
  // view is drawn: writing a big edited scenario's link part takes a third of a second, which
  // would otherwise hold the scenario off the screen (a click on a button works it out at once).
  const source = useHopscope((st) => st.source);
  const panels = useHopscope((st) => st.panels);
  const shellLines = useHopscope((st) => st.shellLines);
  const [worked, setWorked] = useState<{ source: unknown; panels: unknown; shellLines: unknown; offer: ShareOffer | undefined }>();
  useEffect(() => {
    if (!source) return;
    return afterPaint(() => setWorked({ source, panels, shellLines, offer: currentOffer() }));
  }, [source, panels, shellLines]);
  const offer = worked && worked.source === source && worked.panels === panels && worked.shellLines === shellLines ? worked.offer : undefined;
  const downloadScenario = () => {
    const st = useHopscope.getState();
    if (!st.source || !("spec" in st.source)) return;
    const file = scenarioFile(st.source.spec);
    saveFile(file.name, new Blob([file.text], { type: "application/json" }));
    setCopied(t.saved({ name: file.name }));
    setTimeout(() => setCopied(undefined), 4000);
  };
  const download = async () => {
    try {
      const file = await pcapFile();
      saveFile(file.name, new Blob([file.bytes], { type: "application/x-pcapng" }));
      setCopied(t.savedPcap({ name: file.name, frames: file.frames }));
    } catch (e) {
      setCopied(t.noCapture({ message: e instanceof Error ? e.message : String(e) }));
    }
    setTimeout(() => setCopied(undefined), 4000);
  };
  const btn = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100";
  return (
    <div className="flex flex-wrap items-center gap-2">
      {offer?.kind === "file" ? (
        <>
          <button type="button" className={btn} onClick={downloadScenario} data-testid="download-scenario">
            {t.downloadScenario}
          </button>
          <span className="text-xs text-amber-800" data-testid="share-too-large">
            {offer.reason}
          </span>
        </>
      ) : (
        <>
          <button type="button" className={btn} onClick={() => void copy("link")} data-testid="copy-link">
            {t.copyLink}
          </button>
          <button type="button" className={btn} onClick={() => void copy("embed")} data-testid="copy-embed">
            {t.copyEmbed}
          </button>
        </>
      )}
      <button
        type="button"
        className={`${btn} disabled:opacity-50`}
        onClick={() => void download()}
        disabled={!ready}
        title={t.pcapTitle}
        data-testid="download-pcap"
      >
        {t.downloadPcap}
      </button>
      <span role="status" className="text-xs text-emerald-700" data-testid="copied">
        {copied}
      </span>
    </div>
  );
}
