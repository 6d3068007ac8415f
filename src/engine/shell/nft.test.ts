import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Netns } from "../netns";
import { loadNft } from "../nftables/parse";
import { nftCommand } from "./nft";

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
