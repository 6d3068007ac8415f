/**
 * "Copy link" and "Copy embed code": the current view as a URL, or as an iframe for a course
 * page. "Download pcap": the session's packets as a capture file for Wireshark or tcpdump.
 */
import { useState } from "react";
import { viewUrl } from "../share/browser";
import { pcapFile, useHopscope } from "../store/store";

const linkFor = viewUrl;

function embedCode(): string | undefined {
  const url = linkFor(true);
  const title = useHopscope.getState().scenario?.title ?? "Hopscope";
  if (!url) return undefined;
  const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<iframe src="${attr(url)}" width="800" height="450" title="Hopscope: ${attr(title)}" style="border:0;max-width:100%" loading="lazy"></iframe>`;
}

export function ShareButtons() {
  const [copied, setCopied] = useState<string>();
  const copy = async (what: "link" | "embed") => {
    const text = what === "link" ? linkFor(false) : embedCode();
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what === "link" ? "Link copied" : "Embed code copied");
    } catch {
      // No clipboard (an insecure origin, a denied permission): show the text to copy by hand.
      window.prompt("Copy this:", text);
    }
    setTimeout(() => setCopied(undefined), 2000);
  };
  const ready = useHopscope((st) => st.status.kind === "ready");
  const download = async () => {
    try {
      const file = await pcapFile();
      const url = URL.createObjectURL(new Blob([file.bytes], { type: "application/x-pcapng" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = file.name;
      a.style.display = "none";
      document.body.appendChild(a);
      a.click();
      a.remove();
      // The download has started from the URL by the time this runs.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setCopied(`Saved ${file.name} (${file.frames.toLocaleString("en")} ${file.frames === 1 ? "frame" : "frames"})`);
    } catch (e) {
      setCopied(`No capture: ${e instanceof Error ? e.message : String(e)}`);
    }
    setTimeout(() => setCopied(undefined), 4000);
  };
  const btn = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100";
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" className={btn} onClick={() => void copy("link")} data-testid="copy-link">
        Copy link
      </button>
      <button type="button" className={btn} onClick={() => void copy("embed")} data-testid="copy-embed">
        Copy embed code
      </button>
      <button
        type="button"
        className={`${btn} disabled:opacity-50`}
        onClick={() => void download()}
        disabled={!ready}
        title="The packets of this session (the scenario's and the shell's) as a pcapng file for Wireshark or tcpdump"
        data-testid="download-pcap"
      >
        Download pcap
      </button>
      <span role="status" className="text-xs text-emerald-700" data-testid="copied">
        {copied}
      </span>
    </div>
  );
}
