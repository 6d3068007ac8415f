/**
 * The diagram's shapes and colours, in one place: the topology draws with these and the legend
 * draws its swatches from them, so the legend cannot drift from the picture. The hues are the
 * Okabe–Ito colour-blind-safe palette.
 */

/** Strokes and text colours. */
export const C = { host: "#0072B2", pod: "#009E73", svc: "#CC79A7", net: "#E69F00", packet: "#D55E00", ink: "#1f2937", muted: "#6b7280" } as const;

/**
 * Text drawn in the diagram's colours: darker shades of the same hues, so that labels meet WCAG
 * AA (4.5:1) on the boxes they sit on, in both themes (diagramStyle.test.ts checks every pair).
 */
export const TEXT = { ink: C.ink, muted: "#555e6b", host: C.host, pod: "#00785a", svc: "#a4407a", badge: "#b04600", badgeText: "#ffffff", rule: "#5b21b6", ruleFill: "#f5f3ff", drop: "#991b1b", dropFill: "#fef2f2" } as const;

/** Fills of the boxes. */
export const FILL = {
  node: "white",
  router: "#eef6fc",
  client: "#fdf6e7",
  bridge: "#e6f5f0",
  pod: "#f4fbf8",
  services: "#fbf2f8",
  servicePicked: "#f6d9ea",
} as const;

/** Box outlines: normal, and the place the packet is at now. */
export const STROKE = { normal: 1.5, active: 3.5 } as const;

/** The virtual service network's dashed outline. */
export const SERVICES_DASH = "8 6";

/** Wire widths: the host network's bus, and every other link. */
export const WIRE = { bus: 4, link: 2 } as const;

/** The packet: a filled dot with a halo. */
export const PACKET = { r: 11, halo: 18, outline: "white" } as const;

/**
 * A packet inside a tunnel (VXLAN between nodes): the dot in an envelope, the outer header, with
 * the tunnel's name under it; the encapsulating and decapsulating node get a chip saying so.
 */
export const TUNNEL = { stroke: "#6d28d9", fill: "#f5f3ff", text: "#5b21b6", w: 54, h: 40, rx: 9 } as const;

/**
 * The path so far, drawn along the wires: a segment per wire with the packet's addresses there;
 * a label whose addresses a NAT changed is highlighted.
 */
export const TRAIL = { stroke: C.packet, width: 4, opacity: 0.55, label: "#ffffff", labelStroke: "#94a3b8", nat: "#fff7ed", natStroke: C.packet, natText: "#9a3412" } as const;

/** A drop: a red ✕ where the packet died, with its reason beside it. */
export const DROP = { colour: "#C41E3A", mark: "✕" } as const;
