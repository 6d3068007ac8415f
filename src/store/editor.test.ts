/** The editor slice on the fake engine: edits checked before they are shown, a history that Undo and Redo walk, nothing typed lost. */
import { describe, expect, it } from "vitest";
import { setFault } from "../engine/k8s/faults";
import type { ScenarioInput } from "../engine/k8s/spec";
import { fakeEngine } from "./fake-engine";
import { createHopscope } from "./store";

async function started() {
  const fake = fakeEngine();
  const store = createHopscope(fake.connect);
  await store.getState().init("");
  return { store, engine: fake.engine };
}

const sources = (xs: readonly { source: { id: string } | { spec: ScenarioInput } }[]) => xs.map((x) => ("id" in x.source ? x.source.id : `spec:${x.source.spec.title}`));

describe("the editor", () => {
  it("fetches a built-in's document when it opens, and edits it into a new scenario on screen", async () => {
    const { store } = await started();
    expect(store.getState().scenario?.id).toBe("pod-to-pod");
    await store.getState().openEditor();
    const doc = store.getState().doc!;
    expect(doc.id).toBe("pod-to-pod");
    const masqOff = setFault(doc, { kind: "ipmasq-off", worker: "worker-0" }, true);
    expect(await store.getState().edit(masqOff, "ipMasq off on worker-0")).toBe("ready");
    const s = store.getState();
    expect(s.source).toEqual({ spec: masqOff });
    expect(s.doc).toBe(masqOff);
    expect(s.currentLabel).toBe("ipMasq off on worker-0");
    expect(sources(s.past)).toEqual(["pod-to-pod"]);
    // The trace on screen is the edited one: the source stays the pod's address on worker-0's eth0.
    const out = s.steps.find((x) => x.step.kind === "wire" && x.step.node === "worker-0" && x.step.pod === undefined && x.step.iface === "eth0");
    expect(out?.step.packet.src).toBe("10.200.0.21");
  });

  it("keeps an invalid edit in the editor with its problems, and the page on the last good trace", async () => {
    const { store } = await started();
    const doc = (await store.getState().ensureDoc())!;
    const trace = store.getState().trace;
    const bad = { ...doc, cluster: { ...doc.cluster, workers: doc.cluster.workers.map((w, i) => (i === 1 ? { ...w, podCidr: "10.200.0.0/24" } : w)) } };
    expect(await store.getState().edit(bad, "overlap")).toBe("invalid");
    const s = store.getState();
    expect(s.pending?.doc).toBe(bad);
    expect(s.pending?.issues.map((i) => i.path)).toContain("cluster.workers.1.podCidr");
    expect(s.trace).toBe(trace);
    expect(s.status).toEqual({ kind: "ready" });
    expect(s.past).toEqual([]);
    s.discardPending();
    expect(store.getState().pending).toBeUndefined();
  });

  it("walks the history back and forth, picks included, and a new edit clears what Redo had", async () => {
    const { store } = await started();
    const doc = (await store.getState().ensureDoc())!;
    const a = { ...doc, title: "A" };
    await store.getState().edit(a, "A");
    await store.getState().pick("nodeport");
    expect(store.getState().scenario?.id).toBe("nodeport");
    await store.getState().undo();
    expect(store.getState().source).toEqual({ spec: a });
    expect(store.getState().currentLabel).toBe("A");
    await store.getState().undo();
    expect(store.getState().source).toEqual({ id: "pod-to-pod" });
    expect(sources(store.getState().future)).toEqual(["nodeport", "spec:A"]);
    await store.getState().redo();
    expect(store.getState().source).toEqual({ spec: a });
    expect(sources(store.getState().past)).toEqual(["pod-to-pod"]);
    await store.getState().edit({ ...a, title: "B" }, "B");
    expect(store.getState().future).toEqual([]);
    expect(sources(store.getState().past)).toEqual(["pod-to-pod", "spec:A"]);
    // Nothing to undo past the first scenario; Redo with nothing ahead does nothing.
    await store.getState().redo();
    expect(store.getState().source).toEqual({ spec: { ...a, title: "B" } });
  });

  it("starts a blank cluster: one worker, no traffic, an empty trace", async () => {
    const { store } = await started();
    expect(await store.getState().newScenario()).toBe("ready");
    const s = store.getState();
    expect(s.doc?.cluster.workers.map((w) => w.name)).toEqual(["worker-0"]);
    expect(s.trace?.flows).toEqual([]);
    expect(s.steps).toEqual([]);
    expect(s.topology?.nodes.map((n) => n.id)).toContain("worker-0");
  });
});

describe("withCni: a scenario moved onto another CNI plugin", () => {
  it("onto flannel: the bridge plugin's keys go (cluster and workers), the pod network moves with renumber, and back restores the bridge plugin's defaults", async () => {
    const { BUILTIN_SCENARIOS } = await import("../engine/scenarios/article");
    const { validateScenario } = await import("../engine/k8s/spec");
    const { withCni } = await import("./editor");
    const today = BUILTIN_SCENARIOS.find((s) => s.id === "today-pod-to-pod")!;
    const flannelBuiltIn = BUILTIN_SCENARIOS.find((s) => s.id === "flannel-pod-to-pod")!;
    const masqOff = setFault(today, { kind: "ipmasq-off", worker: "worker-0" }, true);
    const withKeys: ScenarioInput = { ...masqOff, cluster: { ...masqOff.cluster, cni: { ...masqOff.cluster.cni, hairpinMode: true } } };
    const moved = withCni(withKeys, "flannel", { renumber: true });
    expect(moved.cluster.cni).toEqual({ type: "flannel" });
    expect(moved.cluster.workers.every((w) => w.cni === undefined)).toBe(true);
    expect(moved.cluster.podNetwork).toBe(flannelBuiltIn.cluster.podNetwork);
    expect({ ...moved, id: "", title: "", description: "" }).toEqual({ ...flannelBuiltIn, id: "", title: "", description: "" });
    expect(validateScenario(moved).ok).toBe(true);
    const back = withCni(moved, "bridge", { renumber: true });
    expect(back.cluster.cni).toBeUndefined();
    expect(back.cluster.podNetwork).toBe(today.cluster.podNetwork);
    // Without renumber (the editor's switch) the addresses stay.
    expect(withCni(today, "flannel").cluster.podNetwork).toBe(today.cluster.podNetwork);
  });

  it("onto Calico: its encapsulation is written only when it is not none", async () => {
    const { withCni } = await import("./editor");
    const { BUILTIN_SCENARIOS } = await import("../engine/scenarios/article");
    const today = BUILTIN_SCENARIOS.find((s) => s.id === "today-pod-to-pod")!;
    expect(withCni(today, { type: "calico", encapsulation: "vxlan" }).cluster.cni).toEqual({ type: "calico", encapsulation: "vxlan" });
    expect(withCni(today, { type: "calico", encapsulation: "none" }).cluster.cni).toEqual({ type: "calico", encapsulation: "none" });
    // Unchosen: routed from another plugin, the document's own when it is on Calico already (validation requires the key).
    expect(withCni(today, "calico").cluster.cni).toEqual({ type: "calico", encapsulation: "none" });
    expect(withCni(withCni(today, { type: "calico", encapsulation: "vxlan" }), "calico").cluster.cni).toEqual({ type: "calico", encapsulation: "vxlan" });
  });
});

describe("faults on other CNIs", () => {
  it("the bridge plugin's settings and the VPC's pod routes are not offered on flannel or Calico; the bridge's netfilter switch is where a bridge is", async () => {
    const { faultAppliesTo, FAULT_KINDS } = await import("../engine/k8s/faults");
    const on = (cni: "bridge" | "flannel" | "calico") => FAULT_KINDS.filter((k) => faultAppliesTo(k.kind, cni)).map((k) => k.kind);
    expect(on("bridge")).toEqual(FAULT_KINDS.map((k) => k.kind));
    expect(on("flannel")).toEqual(["ip-forward-off", "bridge-nf-off", "kube-proxy-stopped", "no-endpoints", "stale-endpoint"]);
    expect(on("calico")).toEqual(["ip-forward-off", "kube-proxy-stopped", "no-endpoints", "stale-endpoint"]);
  });
});
