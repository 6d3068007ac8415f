/** What the worker does with each request; kept apart from the worker globals so tests can call it. */
import { ipv4 } from "../engine/addr/ipv4";
import { routerLab } from "../engine/testing/router-lab";
import { ENGINE_NAME, type EngineRequest, type EngineResponse, type EngineResult } from "./protocol";

function demoTrace(): EngineResult {
  const world = routerLab();
  const request = world.send("client", { proto: "icmp", dst: ipv4("10.0.2.2"), icmp: { type: 8, code: 0, id: 1280, seq: 1 } }, "request");
  const flows = [request.flow];
  const d = request.delivered;
  if (d) {
    const reply = world.send("server", { proto: "icmp", src: d.packet.dst, dst: d.packet.src, icmp: { type: 0, code: 0, id: d.packet.icmp!.id, seq: 1 } }, "reply");
    flows.push(reply.flow);
  }
  return { kind: "demo-trace", trace: { scenario: "router-lab", flows } };
}

export function handle(req: EngineRequest): EngineResponse {
  try {
    switch (req.kind) {
      case "hello":
        return { id: req.id, ok: true, result: { kind: "hello", engine: ENGINE_NAME, namespaces: routerLab().namespaces.size } };
      case "demo-trace":
        return { id: req.id, ok: true, result: demoTrace() };
      case "crash":
        throw new Error("crash requested");
    }
  } catch (e) {
    return { id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
