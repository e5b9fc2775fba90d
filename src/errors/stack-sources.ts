/**
 * An internal error's stack as the sources read: each frame in dray's bundle (dist/cli/*.js) put
 * back at its src/ file, line and column through the bundle's source maps. The maps are read only
 * here, when a bug is being reported; having Node map every stack would have it parse every
 * loaded chunk's map at start-up, on every run.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

const FRAME = /(file:\/\/[^\s()]+?\.js):(\d+):(\d+)/g;

/** `stack` with every bundle position that has a source map replaced by its source position. */
export function sourceStack(stack: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  return stack.replace(FRAME, (frame: string, url: string, line: string, column: string) => {
    if (!maps.has(url)) maps.set(url, readMap(url));
    const entry = maps.get(url)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !("originalSource" in entry) || !entry.originalSource) return frame;
    const source = fileURLToPath(new URL(entry.originalSource, url));
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

function readMap(url: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(readFileSync(fileURLToPath(`${url}.map`), "utf8")));
  } catch {
    return undefined;
  }
}
