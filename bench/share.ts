/**
 * [share] How long a share link is: the view= part for an edited scenario (the article's cluster
 * plus 20 pods and 10 services) written whole and as a change from a built-in, and how long
 * writing it takes.
 */
import { encodeView } from "../src/share/codec";
import { articlePlus20Pods10Services } from "../src/share/sample-edit";
import { line, measure, median, ms } from "./util";

export function runShareBench(): void {
  const spec = articlePlus20Pods10Services();
  const part = { scenario: { spec }, panels: { detail: true, hops: true, node: true } };
  console.log("\n[share] the article's cluster + 20 pods + 10 services as a link's view= part");
  line("JSON of the document", `${JSON.stringify(spec).length.toLocaleString("en-US")} characters`);
  line("view= with the whole document (as version 2 links carry every edit)", `${encodeView(part, { compact: false }).length.toLocaleString("en-US")} characters`);
  line("view= as a change from a built-in (link version 3)", `${encodeView(part).length.toLocaleString("en-US")} characters`);
  line("writing view= as the whole document, median of 21", ms(median(measure(() => encodeView(part, { compact: false }), 21))));
  line("writing view= trying every built-in as the base, median of 21", ms(median(measure(() => encodeView(part), 21))));
}
