/**
 * Parses dray.yaml's text into plain data plus a locator, turning YAML's own errors (bad
 * indentation, an unclosed bracket) and keys written twice into problems with positions.
 */
import { type Document, isScalar, LineCounter, type Node, parseDocument, visit, type YAMLError } from "yaml";
import { errorMessage } from "../errors/index.js";
import { createLocator, type Locator } from "./locator.js";
import type { Problem } from "./problems.js";

/** The parsed file. `data` is undefined when the YAML itself is broken. */
export interface ParsedYaml {
  data: unknown;
  locator: Locator;
  problems: Problem[];
}

function syntaxProblem(error: YAMLError): Problem {
  // Only the first line: with prettyErrors off it is the whole sentence, without a code frame.
  const [firstLine = error.code] = error.message.split("\n");
  return { where: { kind: "offset", offset: error.pos[0] }, message: `invalid YAML: ${firstLine}` };
}

/**
 * Every key written a second time in its map, at the second one. One pass with a set per map: the
 * YAML library's own check (`uniqueKeys`) compares each key with every earlier one, which took
 * 17 s for a map of 40,000 keys. Keys compare by their value, as the library's check does.
 */
function duplicateKeys(doc: Document): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key as Node | null;
        if (!isScalar(key)) continue;
        if (!seen.has(key.value)) {
          seen.add(key.value);
          continue;
        }
        problems.push({
          where: { kind: "offset", offset: key.range?.[0] ?? 0 },
          message: `duplicate key ${JSON.stringify(String(key.value))} — a key may appear only once in a map`,
        });
      }
      return undefined;
    },
  });
  return problems;
}

/**
 * Parses `source`. A duplicate key leaves the document readable, so the data (holding the last
 * value) is still returned and checked (every problem at once); any other YAML error makes the
 * data meaningless.
 */
export function parseConfigYaml(source: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // merge: `<<: *defaults` is how docker-compose users share settings between services.
  const doc = parseDocument(source, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: false });
  const locator = createLocator(doc, lineCounter);
  // One problem per place: a single slip often trips several of YAML's rules at once.
  const seenAt = new Set<number>();
  const problems = doc.errors
    .filter((error) => !seenAt.has(error.pos[0]) && seenAt.add(error.pos[0]))
    .map(syntaxProblem);
  const broken = problems.length > 0;
  problems.push(...duplicateKeys(doc));
  if (broken) return { data: undefined, locator, problems };
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }), locator, problems };
  } catch (error) {
    // toJS only throws on alias bombs (an alias expanded too often); report it, do not crash.
    problems.push({ where: { kind: "offset", offset: 0 }, message: `invalid YAML: ${errorMessage(error)}` });
    return { data: undefined, locator, problems };
  }
}
