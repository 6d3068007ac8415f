import { describe, expect, it } from "vitest";
import { base32, portProtoHash, sepChain, servicePortName, svcChain } from "./chains";

describe("kube-proxy chain names (v1.10–v1.12)", () => {
  it.each([
    ["kube-system", "kube-dns", "dns-tcp", "tcp", "KUBE-SVC-ERIFXISQEP7F7OF4"],
    ["kube-system", "kube-dns", "dns", "udp", "KUBE-SVC-TCOU7JCQXEZGVUNU"],
    ["default", "nginx", "", "tcp", "KUBE-SVC-4N57TFCL4MD7ZTDA"],
    ["default", "kubernetes", "https", "tcp", "KUBE-SVC-NPX46M4PTMTKRN6Y"],
  ])("%s/%s port %j/%s hashes to %s", (ns, svc, port, proto, chain) => {
    expect(svcChain(servicePortName(ns, svc, port), proto)).toBe(chain);
  });

  it.each([
    ["kube-system", "kube-dns", "dns-tcp", "tcp", "10.200.0.27:53", "KUBE-SEP-32LPCMGYG6ODGN3H"],
    ["kube-system", "kube-dns", "dns", "udp", "10.200.0.27:53", "KUBE-SEP-LRUTK6XRXU43VLIG"],
    ["default", "nginx", "", "tcp", "10.200.1.18:80", "KUBE-SEP-UGTFMET44DQG7H7H"],
    ["default", "kubernetes", "https", "tcp", "10.240.0.10:6443", "KUBE-SEP-HFMBYHW5FO36NATD"],
    ["default", "kubernetes", "https", "tcp", "10.240.0.11:6443", "KUBE-SEP-E6U6KEZPQBWVNUQ2"],
    ["default", "kubernetes", "https", "tcp", "10.240.0.12:6443", "KUBE-SEP-WRZKKJS6MWEUDTA4"],
  ])("%s/%s port %j/%s endpoint %s hashes to %s", (ns, svc, port, proto, ep, chain) => {
    expect(sepChain(servicePortName(ns, svc, port), proto, ep)).toBe(chain);
  });

  it("keeps the trailing colon of an unnamed port (today's format would give KUBE-SVC-2CMXP7HKUVJN7L6M)", () => {
    expect(servicePortName("default", "nginx", "")).toBe("default/nginx:");
    expect("KUBE-SVC-" + portProtoHash("default/nginx", "tcp")).toBe("KUBE-SVC-2CMXP7HKUVJN7L6M");
  });

  it.each([
    ["", ""],
    ["f", "MY======"],
    ["fo", "MZXQ===="],
    ["foob", "MZXW6YQ="],
    ["foobar", "MZXW6YTBOI======"],
  ])("base32(%j) is %j (RFC 4648 test vectors)", (text, encoded) => {
    expect(base32(Uint8Array.from(text, (c) => c.charCodeAt(0)))).toBe(encoded);
  });
});
