/**
 * [scale-ui] benchmark, in Node: the diagram's layout (src/view/layout.ts) for clusters from the
 * article's 3 workers to 100 workers and 10,000 pods, in the rooms of a 1280×800 window, an
 * 800×450 embed, a phone and a projector. The page's own figures (time to screen, elements,
 * key to step, frame times) are `npm run bench -- ui`.
 */
import { layoutTopology } from "../src/view/layout";
import { crossing, syntheticTopology } from "../src/view/testing/topology";
import { line, measure, median, ms } from "./util";

const ROOMS = [
  { name: "1280×800", width: 900, height: 480 },
  { name: "800×450 embed", width: 799, height: 358 },
  { name: "390×844 phone", width: 390, height: 705 },
  { name: "1920×1080", width: 1540, height: 760 },
];

export function runLayoutBench(): void {
  console.log("\n[scale-ui] the diagram's layout (median of 20 runs)");
  for (const [w, p, s] of [[3, 2, 3], [20, 30, 3], [100, 30, 1000], [100, 100, 5000]] as const) {
    const t = syntheticTopology(w, p, s);
    const involved = crossing(t);
    for (const room of ROOMS) {
      let boxes = 0;
      let rung = 0;
      const times = measure(() => {
        const l = layoutTopology(t, { width: room.width, height: room.height, involved });
        boxes = l.nodes.size + l.pods.size;
        rung = l.density;
      }, 20, 3);
      line(`${w} workers × ${p} pods, ${s} services, ${room.name}: ${boxes} boxes, rung ${rung}`, ms(median(times)));
    }
  }
}
