/**
 * Finds where a path of dray.yaml is written, so every problem can name its line and column.
 * Works on the YAML syntax tree (which keeps source offsets), not on the plain data.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import type { ConfigPath } from "./types.js";

/** A 1-based line and column in dray.yaml. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Which part of an entry a problem is about: its key (unknown keys, bad names), its value (a wrong
 * value), or the map that lacks it (a missing key: there is nothing to point at but the parent).
 */
export type Anchor = "key" | "value" | "parent";

/** Looks up positions in one parsed document. */
export interface Locator {
  /** Where `path` is, or the nearest enclosing entry that exists (defaults, merged keys). */
  position(path: ConfigPath, anchor: Anchor): Position;
  /** Line and column of a source offset (YAML syntax errors come with offsets). */
  offset(offset: number): Position;
}

interface Found {
  key: Node | undefined;
  value: Node | undefined;
}

/** A node's start, unless it is an empty value (`go:` with nothing after it) that has no place of its own. */
function startOf(node: Node | undefined): number | undefined {
  if (!node?.range) return undefined;
  if (isScalar(node) && node.value === null && node.range[0] === node.range[1]) return undefined;
  return node.range[0];
}

/** A map's pairs by key text, built once per map: looking a key up is then constant time, however many problems are placed. */
type PairIndex = WeakMap<YAMLMap, Map<string, Pair>>;

function pairOf(index: PairIndex, map: YAMLMap, key: string): Pair | undefined {
  let byKey = index.get(map);
  if (!byKey) {
    byKey = new Map();
    // The last pair with the key: with a duplicate key (reported on its own), the data holds the last value.
    for (const pair of map.items) if (isScalar(pair.key)) byKey.set(String(pair.key.value), pair);
    index.set(map, byKey);
  }
  return byKey.get(key);
}

/** The entries along `path`, as far as the document has them. */
function walk(doc: Document, path: ConfigPath, index: PairIndex): Found[] {
  const found: Found[] = [{ key: undefined, value: (doc.contents as Node | null) ?? undefined }];
  let node: unknown = doc.contents;
  for (const segment of path) {
    // Aliases (*name) point at a node written elsewhere; positions come from the anchored original.
    if (isAlias(node)) node = node.resolve(doc);
    let next: Found | undefined;
    if (isMap(node)) {
      const pair = pairOf(index, node, String(segment));
      if (pair) next = { key: pair.key as Node, value: (pair.value as Node | null) ?? undefined };
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (item) next = { key: undefined, value: item };
    }
    if (!next) break;
    found.push(next);
    node = next.value;
  }
  return found;
}

/** Creates the locator of a document parsed with `lineCounter`. */
export function createLocator(doc: Document, lineCounter: LineCounter): Locator {
  const index: PairIndex = new WeakMap();
  const toPosition = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const first = (...nodes: (Node | undefined)[]): number | undefined => {
    for (const node of nodes) {
      const start = startOf(node);
      if (start !== undefined) return start;
    }
    return undefined;
  };
  return {
    offset: toPosition,
    position(path, anchor) {
      const found = walk(doc, anchor === "parent" ? path.slice(0, -1) : path, index);
      const complete = found.length === (anchor === "parent" ? path.length : path.length + 1);
      // Fall back outwards: the deepest entry that exists, named by its key where it has one.
      for (let i = found.length - 1; i >= 0; i--) {
        const { key, value } = found[i]!;
        const exact = complete && i === found.length - 1;
        const start = exact && anchor === "value" ? first(value, key) : first(key, value);
        if (start !== undefined) return toPosition(start);
      }
      return { line: 1, column: 1 };
    },
  };
}
