/**
 * The narration of one flow as Markdown, for notes and slides: each step at the chosen level of
 * detail with its sentence, why it happened (when the step says), where, the packet's addresses,
 * and what a tool prints about it (the tcpdump line, the route, the iptables rule, the NAT, the
 * conntrack entry), verbatim in code blocks.
 */
import { tcpdumpEtherText } from "../../engine/packet/ether-text";
import { endpoints, type Step } from "../../engine/trace";
import type { Lang } from "../../i18n/lang";
import { exportText } from "./i18n";

type Words = (typeof exportText)["en"];

export interface NarrationInput {
  readonly scenarioTitle: string;
  /** The scenario's description, as the page shows it under its title. */
  readonly description?: string;
  readonly flowName: string;
  readonly origin?: string;
  /** How the flow ended ("delivered", "dropped: …"). */
  readonly outcome: string;
  readonly level: string;
  readonly steps: readonly Step[];
  /** The headings' and labels' language (the step sentences come told in it already); English by default. */
  readonly lang?: Lang;
}

/**
 * The characters that would change running text's meaning in Markdown, backslash-escaped
 * (emphasis, code, links, HTML); `>` and `#` only matter at a line's start, where ours never are.
 */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<]/g, (c) => `\\${c}`);
}

/** A fenced code block that no backtick run inside `text` can close. */
function fence(text: string, lang = "text"): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}${lang}\n${text.replace(/\n+$/, "")}\n${f}`;
}

/** An inline code span for `text`. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return longest ? `${f} ${text} ${f}` : `${f}${text}${f}`;
}

function where(t: Words, s: Step): string {
  const place = s.pod ? t.mdPodOn({ pod: s.pod, node: s.node }) : s.node;
  return s.iface ? `${place}, ${s.iface} (${s.dir === "in" ? t.mdReceived : t.mdSent})` : place;
}

/** What the tools print about a step, as they print it. */
function toolText(t: Words, s: Step): string[] {
  const d = s.detail;
  switch (d.kind) {
    case "wire":
      // tcpdump -e: each frame's link-level header, then its IP line without "IP " (a tunnel's datagram: two frames, two lines).
      return [`tcpdump -n -e -i ${s.iface ?? "any"}:`, fence(tcpdumpEtherText(d))];
    case "encap":
      return [
        t.mdEncap({ action: d.action, device: d.device, vni: d.vni, port: d.port }),
        `- ${t.mdOuter}: UDP ${code(endpoints(d.outer))}, ttl ${d.outer.ttl}\n- ${t.mdInner}: ${d.inner.proto.toUpperCase()} ${code(endpoints(d.inner))}, ttl ${d.inner.ttl}`,
        ...(d.fdb ? [`bridge fdb show dev ${d.device}:`, fence(`${d.fdb.mac} dst ${d.fdb.dst} self permanent`)] : []),
      ];
    case "route":
      return [t.mdRoute({ command: `ip route${d.table === "local" ? " show table local" : ""}` }), fence(d.route)];
    case "rule":
      return [t.mdRule({ table: d.table, chain: d.chain, hook: d.hook, index: d.index }), fence(d.rule)];
    case "nat":
      return [
        `${d.type}: ${code(endpoints(d.before))} ${t.mdBecomes} ${code(endpoints(d.after))}.`,
        ...(d.rule ? [t.mdRuleSetUp, fence(d.rule)] : []),
        "conntrack -L:",
        fence(d.conntrack),
      ];
    case "conntrack":
      return d.entry ? [`conntrack -L (${d.event}):`, fence(d.entry)] : [];
    case "drop":
      return [`${t.mdDropped}: ${escapeMarkdown(d.reason)}`, ...(d.rule ? [fence(d.rule)] : [])];
    default:
      return [];
  }
}

export function narrationMarkdown(n: NarrationInput): string {
  const t = exportText[n.lang ?? "en"];
  const out: string[] = [`# ${escapeMarkdown(n.scenarioTitle)}`, ""];
  if (n.description) out.push(escapeMarkdown(n.description), "");
  out.push(`- ${t.mdFlow}: ${escapeMarkdown(n.flowName)}`);
  if (n.origin) out.push(`- ${t.mdStartedBy}: ${escapeMarkdown(n.origin)}`);
  out.push(`- ${t.mdOutcome}: ${escapeMarkdown(n.outcome)}`);
  out.push(`- ${t.mdLevel({ level: t.levelName({ level: n.level }), n: n.steps.length })}`);
  n.steps.forEach((s, i) => {
    out.push("", `## ${i + 1}. ${escapeMarkdown(s.text)}`, "");
    if (s.why) out.push(`> ${t.mdWhy}: ${escapeMarkdown(s.why)}`, "");
    out.push(`- ${t.mdWhere}: ${escapeMarkdown(where(t, s))}`);
    out.push(`- ${t.mdPacket}: ${s.packet.proto.toUpperCase()} ${code(endpoints(s.packet))}, ttl ${s.packet.ttl}`);
    const inner = s.packet.inner;
    if (inner && s.kind !== "encap") out.push(`- ${t.mdInner}: ${inner.proto.toUpperCase()} ${code(endpoints(inner))}, ttl ${inner.ttl}${s.packet.vni !== undefined ? ` (VXLAN VNI ${s.packet.vni})` : ""}`);
    const tools = toolText(t, s);
    if (tools.length) out.push("", ...tools.flatMap((t, k) => (k === 0 ? [t] : ["", t])));
  });
  return out.join("\n") + "\n";
}
