import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Netns } from "../netns";
import { loadNft } from "../nftables/parse";
import type { Cluster } from "../k8s/build";
import { runScenario } from "../k8s/run";
import { hasXtStatements, nftTableText } from "../netfilter/nft-list";
import { parseIptablesSave } from "../netfilter/parse";
import { restoreParsed } from "../netfilter/save";
import { emptyRuleset } from "../netfilter/types";
import { articleScenario } from "../testing/article-scenario";
import { resolveTarget } from "./exec";
import { nftCommand } from "./nft";
import { runLine } from "./session";

const fixtures = join(__dirname, "..", "nftables", "__fixtures__");

function node(): Netns {
  const ns = new Netns({ name: "n", node: "n" });
  ns.loadNftLater((rs) => loadNft(rs, readFileSync(join(fixtures, "kp.nft"), "utf8")));
  return ns;
}

describe("nft list in the shell", () => {
  it("nft list ruleset and nft -a list ruleset print what the kernel printed", () => {
    expect(nftCommand(node(), ["list", "ruleset"]).stdout).toBe(readFileSync(join(fixtures, "kp.out"), "utf8"));
    expect(nftCommand(node(), ["-a", "list", "ruleset"]).stdout).toBe(readFileSync(join(fixtures, "kp-a.out"), "utf8"));
  });

  it("lists one chain, set or map inside its table's braces, as nft does", () => {
    expect(nftCommand(node(), ["list", "chain", "ip", "kube-proxy", "services"]).stdout).toBe(
      "table ip kube-proxy {\n\tchain services {\n\t\tip daddr . meta l4proto . th dport vmap @service-ips\n\t\tip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports\n\t}\n}\n",
    );
    expect(nftCommand(node(), ["list", "set", "ip", "kube-proxy", "cluster-ips"]).stdout).toBe(
      'table ip kube-proxy {\n\tset cluster-ips {\n\t\ttype ipv4_addr\n\t\tcomment "Active ClusterIPs"\n\t\telements = { 172.30.0.41, 172.30.0.42,\n\t\t\t     172.30.0.46 }\n\t}\n}\n',
    );
    expect(nftCommand(node(), ["-a", "list", "chain", "kube-proxy", "nat-prerouting"]).stdout).toBe(
      "table ip kube-proxy {\n\tchain nat-prerouting { # handle 12\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tjump services # handle 50\n\t}\n}\n",
    );
    expect(nftCommand(node(), ["list", "tables"]).stdout).toBe("table ip kube-proxy\n");
  });

  it("answers unknown tables, chains and sets with nft's error and carets", () => {
    expect(nftCommand(node(), ["list", "table", "ip", "nope"])).toEqual({ stdout: "", stderr: "Error: No such file or directory\nlist table ip nope\n              ^^^^\n", code: 1 });
    expect(nftCommand(node(), ["list", "chain", "ip", "kube-proxy", "nope"]).stderr).toBe("Error: No such file or directory\nlist chain ip kube-proxy nope\n                         ^^^^\n");
    expect(nftCommand(node(), ["list", "map", "ip", "kube-proxy", "cluster-ips"]).stderr).toBe("Error: No such file or directory\nlist map ip kube-proxy cluster-ips\n                       ^^^^^^^^^^^\n");
    expect(nftCommand(node(), ["list", "table", "inet", "kube-proxy"]).stderr).toBe("Error: No such file or directory\nlist table inet kube-proxy\n                ^^^^^^^^^^\n");
    expect(nftCommand(node(), ["list", "table"]).stderr).toBe("Error: syntax error, unexpected newline, expecting string\nlist table\n          ^\n");
    expect(nftCommand(node(), ["list", "ruleset", "bogus"]).stderr).toBe("Error: syntax error, unexpected string, expecting end of file or newline or semicolon\nlist ruleset bogus\n             ^^^^^\n");
    expect(nftCommand(node(), [])).toEqual({ stdout: "", stderr: "nft: no command specified\n", code: 1 });
  });

  it("an empty namespace lists nothing", () => {
    expect(nftCommand(new Netns({ name: "e", node: "e" }), ["list", "ruleset"])).toEqual({ stdout: "", stderr: "", code: 0 });
  });
});

describe("nft -n and -s", () => {
  it("print numbers and stateless counters as the kernel's nft did (goldens kp-n.out, kp-s.out)", () => {
    expect(nftCommand(node(), ["-n", "list", "ruleset"]).stdout).toBe(readFileSync(join(fixtures, "kp-n.out"), "utf8"));
    expect(nftCommand(node(), ["-s", "list", "ruleset"]).stdout).toBe(readFileSync(join(fixtures, "kp-s.out"), "utf8"));
    expect(nftCommand(node(), ["-x", "list", "ruleset"]).stderr).toBe("nft: invalid option -- 'x'\n");
    expect(nftCommand(node(), ["--foo", "list", "ruleset"]).stderr).toBe("nft: unrecognized option '--foo'\n");
  });
});

describe("nft on today's nodes lists iptables-nft's tables too", () => {
  const withProxy = (kubeProxy: unknown) => {
    const s = structuredClone(articleScenario("kp", {})) as Record<string, unknown> & { cluster: Record<string, unknown> };
    s.cluster.kubeProxy = kubeProxy;
    const r = runScenario(s);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.cluster;
  };
  const nftMode = withProxy({ mode: "nftables", version: "latest" });
  const iptMode = withProxy({ mode: "iptables", version: "1.37" });
  const worker = (c: Cluster) => {
    const t = resolveTarget(c, "worker-0");
    if ("error" in t) throw new Error(t.error);
    return t.ns;
  };

  it("lists kubelet's mangle, filter and nat before table ip kube-proxy, in the order they were made", () => {
    expect(runLine(nftMode, worker(nftMode), "sudo nft list tables").stdout).toBe("table ip mangle\ntable ip filter\ntable ip nat\ntable ip kube-proxy\n");
    expect(runLine(iptMode, worker(iptMode), "sudo nft list tables").stdout).toBe("table ip mangle\ntable ip filter\ntable ip nat\n");
    const out = runLine(nftMode, worker(nftMode), "sudo nft list ruleset").stdout;
    expect(out.indexOf("table ip nat {")).toBeGreaterThan(out.indexOf("table ip filter {"));
    expect(out.indexOf("table ip kube-proxy {")).toBeGreaterThan(out.indexOf("table ip nat {"));
    expect(out).toContain(nftTableText(worker(nftMode).nf.tables.filter));
  });

  it("writes nft's warning before each table with xt rules, interleaved on the terminal (mangle has none)", () => {
    const r = runLine(nftMode, worker(nftMode), "sudo nft list ruleset");
    expect(r.stderr).toBe("# Warning: table ip filter is managed by iptables-nft, do not touch!\n# Warning: table ip nat is managed by iptables-nft, do not touch!\n");
    expect(r.display.indexOf("# Warning: table ip filter")).toBe(r.display.indexOf("table ip filter {") - "# Warning: table ip filter is managed by iptables-nft, do not touch!\n".length);
    expect(r.display.startsWith("table ip mangle {")).toBe(true);
    const piped = runLine(nftMode, worker(nftMode), "sudo nft list ruleset | grep -c chain");
    expect(piped.stdout).toMatch(/^\d+\n$/);
    expect(piped.stderr).toBe(r.stderr);
  });

  it("lists one iptables table or chain, -s without counter values and -n with numbers as the kernel's nft did", () => {
    const ns = worker(nftMode);
    const chain = nftCommand(ns, ["-s", "list", "chain", "ip", "nat", "POSTROUTING"], 0, { iptablesNft: true });
    expect(chain.stderr).toBe("# Warning: table ip nat is managed by iptables-nft, do not touch!\n");
    expect(chain.stdout).toMatch(/^table ip nat \{\n\tchain POSTROUTING \{\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n(\t\tip saddr 10\.200\.0\.0\/24 {2}counter jump CNI-[0-9a-f]+\n)+\t\}\n\}\n$/);
    const n = nftCommand(ns, ["-n", "list", "table", "nat"], 0, { iptablesNft: true }).stdout;
    expect(n).toContain("type nat hook prerouting priority -100;");
    expect(n).toContain("type nat hook postrouting priority 100;");
    expect(nftCommand(ns, ["-n", "list", "table", "mangle"], 0, { iptablesNft: true }).stdout).toContain("type route hook output priority -150;");
    expect(nftCommand(ns, ["list", "chain", "ip", "nat", "NOPE"], 0, { iptablesNft: true }).stderr).toBe("Error: No such file or directory\nlist chain ip nat NOPE\n                  ^^^^\n");
    expect(nftCommand(ns, ["list", "table", "ip", "nat"], 0).code).toBe(1);
  });

  it("nft -a on iptables-nft's tables says their handles are not simulated; kube-proxy's own table still lists them", () => {
    const r = runLine(nftMode, worker(nftMode), "sudo nft -a list ruleset");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("not simulated");
    expect(runLine(nftMode, worker(nftMode), "sudo nft -a list table ip kube-proxy").stdout).toContain("# handle");
  });

  it("the article's 2018 node has no nft: bash answers command not found with status 127", () => {
    const c = withProxy(undefined);
    expect(runLine(c, worker(c), "nft list ruleset")).toMatchObject({ stdout: "", stderr: "bash: nft: command not found\n", code: 127 });
    expect(runLine(c, worker(c), "sudo nft list ruleset").stderr).toBe("sudo: nft: command not found\n");
  });
});

describe("nft-list options", () => {
  it("-s keeps the word counter and drops its values; -n numbers only the -p protocol and the priorities", () => {
    const rs = emptyRuleset();
    const r = restoreParsed(rs, parseOk("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n-A INPUT -p udp -j ACCEPT\n-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT\nCOMMIT\n"), { counters: true });
    expect(r.ok).toBe(true);
    const t = rs.tables.filter;
    expect(nftTableText(t, { numeric: true })).toBe(
      "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tmeta l4proto 1 icmp type echo-request counter packets 0 bytes 0 accept\n\t\tmeta l4proto 17 counter packets 0 bytes 0 accept\n\t\tfib daddr type local counter packets 0 bytes 0 accept\n\t}\n\n\tchain FORWARD {\n\t\ttype filter hook forward priority 0; policy accept;\n\t}\n\n\tchain OUTPUT {\n\t\ttype filter hook output priority 0; policy accept;\n\t}\n}\n",
    );
    expect(nftTableText(t, { stateless: true })).toContain("\t\tmeta l4proto udp counter accept\n");
    expect(hasXtStatements(t)).toBe(true);
    const plain = emptyRuleset();
    restoreParsed(plain, parseOk("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 192.0.2.1/32 -p tcp -m tcp --dport 80 -m mark --mark 0x1/0x1 -j ACCEPT\nCOMMIT\n"), {});
    expect(hasXtStatements(plain.tables.filter)).toBe(false);
  });
});

function parseOk(text: string) {
  const p = parseIptablesSave(text);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}

describe("iptables-nft's tables against the kernel's nft (fixtures nft-1.0.6/)", () => {
  const lab = join(__dirname, "__fixtures__", "nft-1.0.6");
  const read = (f: string) => readFileSync(join(lab, f), "utf8");
  const ns = new Netns({ name: "lab", node: "lab" });
  const r = restoreParsed(ns.nf, parseOk(read("kubelet-nft.rules")), {});
  if (!r.ok) throw new Error(r.error.message);

  it("nft list ruleset: stdout, stderr and the terminal's interleaving as nft wrote them", () => {
    const out = nftCommand(ns, ["list", "ruleset"], 0, { iptablesNft: true });
    expect(out.stdout).toBe(read("kubelet-nft.out"));
    expect(out.stderr).toBe(read("kubelet-nft.err"));
    expect(out.terminal).toBe(read("kubelet-nft.term"));
  });

  it.each([
    [["-s", "list", "ruleset"], "kubelet-nft-s.term"],
    [["-n", "list", "ruleset"], "kubelet-nft-n.term"],
    [["list", "chain", "ip", "nat", "POSTROUTING"], "kubelet-nft-chain.term"],
  ])("nft %j", (args, file) => {
    expect(nftCommand(ns, args, 0, { iptablesNft: true }).terminal).toBe(read(file));
  });
});
