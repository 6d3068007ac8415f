/** tcpdump -e's text, apart from format.ts so that the page can show it without the wire encoders. */

/**
 * `tcpdump -n -e`'s text for a captured frame: the link-level header before the IP line, whose
 * "IP " tcpdump then leaves out; a VXLAN datagram's carried frame gets its own header on its line
 * (`length` is the outer IP packet's; the inner frame is 36 bytes shorter: outer IP, UDP, VXLAN).
 */
export function tcpdumpEtherText(d: { readonly tcpdump: string; readonly length: number; readonly mac?: { readonly src: string; readonly dst: string }; readonly innerMac?: { readonly src: string; readonly dst: string } }): string {
  if (!d.mac) return d.tcpdump;
  const [first = "", ...rest] = d.tcpdump.split("\n");
  const head = (m: { readonly src: string; readonly dst: string }, frame: number) => `${m.src} > ${m.dst}, ethertype IPv4 (0x0800), length ${frame}: `;
  const lines = [head(d.mac, d.length + 14) + first.replace(/^IP /, "")];
  for (const [i, l] of rest.entries()) lines.push(i === 0 && d.innerMac ? head(d.innerMac, d.length - 36) + l.replace(/^IP /, "") : l);
  return lines.join("\n");
}
