/**
 * The narration of one flow as Markdown, for notes and slides: each step at the chosen level of
 * detail with its sentence, why it happened (when the step says), where, the packet's addresses,
 * and what a tool prints about it (the tcpdump line, the route, the iptables rule, the NAT, the
 * conntrack entry), verbatim in code blocks.
 */
import { endpoints, type Step } from "../../engine/trace";

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

function where(s: Step): string {
  const place = s.pod ? `pod ${s.pod} on ${s.node}` : s.node;
  return s.iface ? `${place}, ${s.iface} (${s.dir === "in" ? "received" : "sent"})` : place;
}

/** What the tools print about a step, as they print it. */
function toolText(s: Step): string[] {
  const d = s.detail;
  switch (d.kind) {
    case "wire":
      return [`tcpdump -n -e -i ${s.iface ?? "any"}:`, fence(`${d.mac ? `${d.mac.src} > ${d.mac.dst}, ethertype IPv4 (0x0800), length ${d.length + 14}: ` : ""}${d.tcpdump}`)];
    case "route":
      return [`The route that matched (ip route${d.table === "local" ? " show table local" : ""}):`, fence(d.route)];
    case "rule":
      return [`Table ${d.table}, chain ${d.chain} (${d.hook}), rule ${d.index}:`, fence(d.rule)];
    case "nat":
      return [
        `${d.type}: ${code(endpoints(d.before))} becomes ${code(endpoints(d.after))}.`,
        ...(d.rule ? ["The rule that set it up:", fence(d.rule)] : []),
        "conntrack -L:",
        fence(d.conntrack),
      ];
    case "conntrack":
      return d.entry ? [`conntrack -L (${d.event}):`, fence(d.entry)] : [];
    case "drop":
      return [`Dropped: ${escapeMarkdown(d.reason)}`, ...(d.rule ? [fence(d.rule)] : [])];
    default:
      return [];
  }
}

export function narrationMarkdown(n: NarrationInput): string {
  const out: string[] = [`# ${escapeMarkdown(n.scenarioTitle)}`, ""];
  if (n.description) out.push(escapeMarkdown(n.description), "");
  out.push(`- Flow: ${escapeMarkdown(n.flowName)}`);
  if (n.origin) out.push(`- Started by: ${escapeMarkdown(n.origin)}`);
  out.push(`- Outcome: ${escapeMarkdown(n.outcome)}`);
  out.push(`- Level of detail: ${n.level} (${n.steps.length} ${n.steps.length === 1 ? "step" : "steps"})`);
  n.steps.forEach((s, i) => {
    out.push("", `## ${i + 1}. ${escapeMarkdown(s.text)}`, "");
    if (s.why) out.push(`> Why: ${escapeMarkdown(s.why)}`, "");
    out.push(`- Where: ${escapeMarkdown(where(s))}`);
    out.push(`- Packet: ${s.packet.proto.toUpperCase()} ${code(endpoints(s.packet))}, ttl ${s.packet.ttl}`);
    const tools = toolText(s);
    if (tools.length) out.push("", ...tools.flatMap((t, k) => (k === 0 ? [t] : ["", t])));
  });
  return out.join("\n") + "\n";
}
