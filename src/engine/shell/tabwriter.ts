/**
 * Go's text/tabwriter, which kubectl and ctr print their tables with: a cell ended by a tab is
 * padded to the width of its column (the widest cell plus padding, at least minWidth), a column
 * being aligned over a run of consecutive lines that have a terminated cell there; the text after
 * a line's last tab is not padded, and a line without tabs ends every run.
 */
export function goTabwriter(lines: readonly string[], minWidth: number, padding: number): string {
  const rows = lines.map((l) => l.split("\t"));
  const out = rows.map(() => "");
  // Columns are aligned over runs of consecutive lines that have a terminated cell in that column.
  const done = rows.map(() => 0);
  for (let col = 0; ; col++) {
    let any = false;
    let start = 0;
    while (start < rows.length) {
      if (rows[start]!.length - 1 <= col) {
        start++;
        continue;
      }
      any = true;
      let end = start;
      while (end < rows.length && rows[end]!.length - 1 > col) end++;
      const width = Math.max(minWidth, ...rows.slice(start, end).map((r) => r[col]!.length + padding));
      for (let r = start; r < end; r++) {
        out[r] += rows[r]![col]!.padEnd(width);
        done[r] = col + 1;
      }
      start = end;
    }
    if (!any) break;
  }
  return rows.map((r, i) => out[i] + r.slice(done[i]).join("\t") + "\n").join("");
}

