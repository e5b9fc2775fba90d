/**
 * Showing how two long setting values differ. A value such as go.args can be hundreds of characters
 * whose difference sits near the end (`-X main.version=1.3.0` vs `1.3.1`); cutting both at a fixed
 * width would hide exactly that part. So the words both share at the start and the end are elided,
 * and what remains is shown with one shared word of context on each side. Pure.
 */

/** Longest text shown for one side. */
const MAX_SIDE = 80;

/** `from` and `to` shortened to the part where they differ, with "…" where shared words were left out. */
export function differingParts(from: string, to: string): { from: string; to: string } {
  if (from.length <= MAX_SIDE && to.length <= MAX_SIDE) return { from, to };
  const a = from.split(" ");
  const b = to.split(" ");
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++;
  // One shared word of context on each side, so "-X main.version=…" keeps its flag.
  const start = Math.max(0, prefix - 1);
  const side = (words: string[]) => {
    const end = Math.min(words.length, words.length - suffix + 1);
    const middle = words.slice(start, end).join(" ");
    return `${start > 0 ? "… " : ""}${clip(middle)}${end < words.length ? " …" : ""}`;
  };
  return { from: side(a), to: side(b) };
}

/** `text` cut to MAX_SIDE characters: the elided shared words already put the difference near its start. */
function clip(text: string): string {
  return text.length <= MAX_SIDE ? text : `${text.slice(0, MAX_SIDE - 1)}…`;
}
