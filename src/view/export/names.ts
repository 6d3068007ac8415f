/** File names of exports: they say the scenario, and the step (a picture) or the flow and level (the rest). */

/** The scenario's id (or title) made safe for a file name. */
export function slug(s: string): string {
  const out = s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return out || "scenario";
}

export type ExportKind = "png" | "svg" | "gif" | "webm" | "md";

/**
 * `hopscope-nodeport-step-12.png` for a picture of the view (step numbers as the timeline counts
 * them, from 1); `hopscope-nodeport-flow-2-hops.gif` for a whole flow at a level.
 */
export function exportName(scenario: string, kind: ExportKind, at: { step: number } | { flow: number; level: string }): string {
  const where = "step" in at ? `step-${at.step}` : `flow-${at.flow}-${at.level}`;
  return `hopscope-${slug(scenario)}-${where}.${kind}`;
}
