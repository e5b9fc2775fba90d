/** The `service |` prefix of each line `dray logs` prints: aligned, one colour per source. */
import { Color, type OutputStyle, paint } from "../terminal/index.js";

/** Red is kept for errors; the rest take turns. */
const PALETTE = [Color.cyan, Color.yellow, Color.green, Color.magenta, Color.blue] as const;

/**
 * A function giving each source's prefix, padded to the longest of `sources` (the names known at
 * the start; one that turns up later gets the next colour and no less room).
 */
export function logPrefixes(sources: readonly string[], style: OutputStyle): (source: string) => string {
  const width = Math.max(0, ...sources.map((s) => s.length));
  const colours = new Map<string, number>();
  for (const source of sources)
    if (!colours.has(source)) colours.set(source, PALETTE[colours.size % PALETTE.length]!);
  return (source) => {
    let colour = colours.get(source);
    if (colour === undefined) {
      colour = PALETTE[colours.size % PALETTE.length]!;
      colours.set(source, colour);
    }
    return paint(style, colour, `${source.padEnd(width)} |`);
  };
}
