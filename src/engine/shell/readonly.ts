/**
 * Commands that exist on a real node but change it (kubectl scale, iptables -A, ip route add,
 * sysctl -w, …): the shell shows the scenario's cluster as it is and changes nothing, and says
 * so in plain words instead of calling a real subcommand unknown.
 */
import { fail, type CommandResult } from "./exec";

const KUBECTL_CHANGES = new Set([
  "apply", "annotate", "autoscale", "cordon", "cp", "create", "delete", "drain", "edit", "expose", "label", "patch", "replace", "rollout", "run", "scale", "set", "taint", "uncordon",
]);
const IPTABLES_CHANGES = new Set(["-A", "--append", "-D", "--delete", "-I", "--insert", "-R", "--replace", "-N", "--new-chain", "-X", "--delete-chain", "-F", "--flush", "-P", "--policy", "-E", "--rename-chain"]);
const IP_CHANGES: Readonly<Record<string, readonly string[]>> = {
  route: ["add", "del", "delete", "change", "replace", "append", "prepend", "flush", "save", "restore"],
  link: ["add", "del", "delete", "set", "change"],
  address: ["add", "del", "delete", "change", "replace", "flush"],
  neighbour: ["add", "del", "delete", "change", "replace", "flush"],
  netns: ["add", "del", "delete", "attach", "set"],
  rule: ["add", "del", "delete", "flush"],
};
/** ip's objects by the abbreviations ip takes for them. */
function ipObject(word: string): string | undefined {
  if (word.length === 0) return undefined;
  if ("route".startsWith(word)) return "route";
  if ("link".startsWith(word)) return "link";
  if ("address".startsWith(word) || word === "addr") return "address";
  if ("neighbour".startsWith(word) || "neighbor".startsWith(word)) return "neighbour";
  if (word === "netns") return "netns";
  if (word === "rule" || word === "ru") return "rule";
  return undefined;
}

/** What the command would change, in a few words, or undefined when it only reads. */
export function changeOf(program: string, args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith("-"));
  switch (program) {
    case "kubectl": {
      // Skip the options that take a value (-n NS, --namespace NS).
      const verbs: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (args[i] === "-n" || args[i] === "--namespace") i++;
        else if (!args[i]!.startsWith("-")) verbs.push(args[i]!);
      }
      return verbs[0] !== undefined && KUBECTL_CHANGES.has(verbs[0]) ? `kubectl ${verbs[0]}` : undefined;
    }
    case "iptables":
    case "ip6tables": {
      const op = args.find((a) => IPTABLES_CHANGES.has(a) || /^-[A-Za-z]*[ADIRNXFPE]$/.test(a));
      return op ? `iptables ${op}` : undefined;
    }
    case "iptables-restore":
    case "iptables-legacy-restore":
      return "iptables-restore";
    case "ip": {
      // Past the global options (-4, -n NS, …) to the object and its verb.
      let i = 0;
      while (i < args.length && args[i]!.startsWith("-")) i += args[i] === "-n" || args[i] === "-netns" ? 2 : 1;
      const object = ipObject(args[i] ?? "");
      const verb = args[i + 1];
      if (object === "netns" && verb === "exec") return undefined;
      return object !== undefined && verb !== undefined && IP_CHANGES[object]!.includes(verb) ? `ip ${object} ${verb}` : undefined;
    }
    case "sysctl":
      return args.includes("-w") || words.some((w) => w.includes("=")) ? "sysctl -w" : undefined;
    case "conntrack": {
      const op = args.find((a) => ["-D", "--delete", "-F", "--flush", "-I", "--create", "-U", "--update"].includes(a));
      return op ? `conntrack ${op}` : undefined;
    }
    case "brctl":
      return words[0] !== undefined && /^(addbr|delbr|addif|delif|set.*|stp|hairpin)$/.test(words[0]) ? `brctl ${words[0]}` : undefined;
    case "bridge":
      return (words[0] === "fdb" || words[0] === "link" || words[0] === "vlan") && words[1] !== undefined && /^(add|del|delete|append|replace|set)$/.test(words[1]) ? `bridge ${words[0]} ${words[1]}` : undefined;
    case "ifconfig":
      return words.length >= 2 ? "ifconfig (setting an interface)" : undefined;
    case "route":
      return words[0] === "add" || words[0] === "del" ? `route ${words[0]}` : undefined;
    default:
      return undefined;
  }
}

/** The answer to a command that would change the cluster. */
export function refuseChange(what: string): CommandResult {
  return fail(`(hopscope: ${what} would change the cluster; this shell shows the scenario's cluster as it is and changes nothing. Change the scenario instead.)\n`, 1);
}
