/** "Copy link" and "Copy embed code": the current view as a URL, or as an iframe for a course page. */
import { useState } from "react";
import { viewUrl } from "../share/browser";
import { useHopscope } from "../store/store";

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
  const btn = "rounded border border-slate-300 bg-white px-2 py-1 text-sm hover:bg-slate-100";
  return (
    <div className="flex items-center gap-2">
      <button type="button" className={btn} onClick={() => void copy("link")} data-testid="copy-link">
        Copy link
      </button>
      <button type="button" className={btn} onClick={() => void copy("embed")} data-testid="copy-embed">
        Copy embed code
      </button>
      <span role="status" className="text-xs text-emerald-700" data-testid="copied">
        {copied}
      </span>
    </div>
  );
}
