/** The current hop in full: the packet's fields, and whatever decided its fate here. */
import { tcpdumpEtherText } from "../engine/packet/ether-text";
import type { Step, StepPacket } from "../engine/trace";
import { Glossed } from "./teach/Glossed";
import { useT } from "../i18n/use";

/**
 * `10.200.0.21 > 10.200.1.15` or with ports, tcpdump's way, for a step's packet (its addresses are
 * text already: the engine's endpoints() would bring its address parsing into the page's first load).
 */
function endpoints(p: StepPacket): string {
  return p.proto === "icmp" ? `${p.src} > ${p.dst}` : `${p.src}.${p.sport} > ${p.dst}.${p.dport}`;
}
import { DETAIL } from "./i18n/page";

const FIELDS: readonly (keyof StepPacket)[] = ["proto", "src", "sport", "dst", "dport", "ttl"];

function PacketFields({ p }: { p: StepPacket }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 font-mono text-xs">
      {FIELDS.filter((f) => p[f] !== undefined).map((f) => (
        <div key={f} className="contents">
          <dt className="text-slate-500">{f}</dt>
          <dd>{String(p[f])}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A packet on one line: `10.244.0.21 > 10.244.1.15 icmp ttl 63`, ports tcpdump's way. */
function packetLine(p: StepPacket): string {
  return `${endpoints(p)} ${p.proto} ttl ${p.ttl}`;
}

/**
 * A tunnel's two headers: the outer one (node to node, UDP to the tunnel's port, with the VNI) and
 * the packet it carries, as it was when wrapped.
 */
function TunnelHeaders({ outer, inner, vni }: { outer: StepPacket; inner: StepPacket; vni?: number }) {
  const t = useT(DETAIL);
  return (
    <div className="space-y-1 rounded border border-violet-300 bg-violet-50 p-2 text-xs text-violet-950" data-testid="tunnel-headers">
      <div data-testid="outer-header">
        <span className="font-semibold">{t.outer}</span>
        <span className="font-mono">
          {" "}
          {packetLine(outer)}
          {vni !== undefined ? ` · VXLAN VNI ${vni}` : ""}
        </span>
      </div>
      <div className="ml-3 rounded border border-dashed border-violet-300 bg-white/60 px-2 py-1" data-testid="inner-packet">
        <span className="font-semibold">{t.inner}</span>
        <span className="font-mono"> {packetLine(inner)}</span>
      </div>
    </div>
  );
}

function NatDiff({ before, after, changed }: { before: StepPacket; after: StepPacket; changed: readonly string[] }) {
  const t = useT(DETAIL);
  const rows = (["src", "sport", "dst", "dport"] as const).filter((f) => before[f] !== undefined || after[f] !== undefined);
  return (
    <table className="w-full font-mono text-xs" data-testid="nat-diff">
      <thead>
        <tr className="text-left text-slate-500">
          <th className="font-normal">{t.field}</th>
          <th className="font-normal">{t.before}</th>
          <th className="font-normal">{t.after}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((f) => {
          const hit = changed.includes(f);
          return (
            <tr key={f} className={hit ? "bg-amber-100 font-semibold" : ""} data-changed={hit ? "yes" : "no"}>
              <td>{f}</td>
              <td>{String(before[f] ?? "")}</td>
              <td>
                {String(after[f] ?? "")}
                {hit && <span className="sr-only">{t.changed}</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Code({ children, testid }: { children: string; testid?: string }) {
  return (
    <pre className="mt-1 overflow-x-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-2 font-mono text-[0.6875rem] leading-snug" data-testid={testid}>
      {children}
    </pre>
  );
}

/**
 * `entryListed`: whether `conntrack -L` lists the conntrack entry this step shows, by this step
 * (a connection's first packet creates its entry unconfirmed).
 */
export function HopDetail({ step, entryListed = true, onShowHooks }: { step?: Step; entryListed?: boolean; onShowHooks?: () => void }) {
  const t = useT(DETAIL);
  if (!step) return <p className="text-sm text-slate-500">{t.none}</p>;
  const d = step.detail;
  // A netfilter step (a rule, a NAT, conntrack) has its place in the node's hooks.
  const inHooks = onShowHooks && (d.kind === "rule" || d.kind === "nat" || d.kind === "conntrack");
  return (
    <div className="space-y-2 text-sm" data-testid="hop-detail">
      <p className="font-medium" data-testid="hop-text">
        <Glossed text={step.text} />
      </p>
      <p className="text-xs text-slate-500">
        {step.pod ? t.podOn({ pod: step.pod, node: step.node }) : step.node}
        {step.iface ? ` · ${step.iface} (${step.dir === "in" ? t.received : t.sent})` : ""}
      </p>
      {step.why && (
        <p className="rounded bg-sky-50 p-2 text-xs text-sky-950" data-testid="hop-why">
          <span className="font-semibold">{t.why}</span>
          <Glossed text={step.why} />
        </p>
      )}
      <PacketFields p={step.packet} />
      {step.packet.inner && d?.kind !== "encap" && <TunnelHeaders outer={step.packet} inner={step.packet.inner} vni={step.packet.vni} />}
      {/* tcpdump -e: each frame's link-level header, then its IP line without "IP " (a tunnel's
          datagram: the outer frame's line, then the carried frame's with its own header). */}
      {d?.kind === "wire" && (
        <>
          <h4 className="text-xs font-semibold text-slate-600">tcpdump -n -e -i {step.iface}</h4>
          <Code testid="tcpdump-text">{tcpdumpEtherText(d)}</Code>
        </>
      )}
      {d?.kind === "encap" && (
        <div className="space-y-1" data-testid="encap-detail">
          <h4 className="text-xs font-semibold text-slate-600">{t.encap({ action: d.action, device: d.device, vni: d.vni, port: d.port })}</h4>
          <TunnelHeaders outer={d.outer} inner={d.inner} vni={d.vni} />
          {d.fdb && (
            <>
              <h4 className="text-xs font-semibold text-slate-600">{t.fdbUsed({ device: d.device })}</h4>
              <Code testid="fdb-entry">{`${d.fdb.mac} dst ${d.fdb.dst} self permanent`}</Code>
              <p className="text-xs text-slate-600">{t.fdbNote({ mac: d.fdb.mac, dst: d.fdb.dst, port: d.port })}</p>
            </>
          )}
        </div>
      )}
      {d?.kind === "route" && (
        <>
          <h4 className="text-xs font-semibold text-slate-600">{t.route({ local: d.table === "local" })}</h4>
          <Code testid="route-text">{d.route}</Code>
        </>
      )}
      {d?.kind === "rule" && (
        <>
          <h4 className="text-xs font-semibold text-slate-600">
            {t.rule({ table: d.table, chain: d.chain, hook: d.hook, index: d.index, pkts: d.counters.pkts, bytes: d.counters.bytes })}
          </h4>
          <Code testid="rule-text">{d.rule}</Code>
        </>
      )}
      {d?.kind === "nat" && (
        <>
          <h4 className="text-xs font-semibold text-slate-600">
            <Glossed text={d.type} />
            {t.natHeader}
          </h4>
          <NatDiff before={d.before} after={d.after} changed={d.changed} />
          {d.rule && <Code testid="rule-text">{d.rule}</Code>}
          <h4 className="text-xs font-semibold text-slate-600">{entryListed ? "conntrack -L" : t.entry({ unconfirmed: t.unconfirmed })}</h4>
          <Code testid="conntrack-text">{d.conntrack}</Code>
        </>
      )}
      {d?.kind === "conntrack" && d.entry && (
        <>
          <h4 className="text-xs font-semibold text-slate-600">{entryListed ? `conntrack -L (${d.event})` : t.entryEvent({ event: d.event, unconfirmed: t.unconfirmed })}</h4>
          <Code testid="conntrack-text">{d.entry}</Code>
        </>
      )}
      {d?.kind === "bridge" && d.fdb && (
        <>
          <h4 className="text-xs font-semibold text-slate-600">
            {t.fdb({ bridge: d.bridge, size: d.fdbSize ?? d.fdb.length, ...(d.fdbSize !== undefined && d.fdbSize > d.fdb.length && { shown: d.fdb.length }) })}
          </h4>
          {d.action === "flood" && !d.fdb.some((e) => e.mac === d.mac) && <p className="text-xs text-slate-600">{t.flood({ mac: d.mac })}</p>}
          <table className="w-full font-mono text-[0.6875rem]" data-testid="fdb">
            <thead>
              <tr className="text-left text-slate-500">
                <th className="font-normal">{t.mac}</th>
                <th className="font-normal">{t.port}</th>
                <th className="font-normal" />
              </tr>
            </thead>
            <tbody>
              {d.fdb.map((e) => (
                <tr key={e.mac} className={e.mac === d.mac ? "bg-amber-100 font-semibold" : ""} data-looked-up={e.mac === d.mac ? "yes" : undefined}>
                  <td>{e.mac}</td>
                  <td>{e.port}</td>
                  <td className="font-sans text-slate-500">{e.local ? t.own : t.learned}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {inHooks && (
        <button type="button" className="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs hover:bg-slate-100" onClick={onShowHooks} data-testid="show-hooks">
          {t.showHooks}
        </button>
      )}
      {d?.kind === "drop" && <p className="rounded bg-red-50 p-2 text-red-800">{t.dropped}<Glossed text={d.reason} />{d.rule ? ` — ${d.rule}` : ""}</p>}
    </div>
  );
}
