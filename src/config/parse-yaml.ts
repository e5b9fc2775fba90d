/**
 * Parses dray.yaml's text into plain data plus a locator, turning YAML's own errors (bad
 * indentation, an unclosed bracket, a key written twice) into problems with positions.
 */
import { type Document, isScalar, LineCounter, parseDocument, visit, type YAMLError } from "yaml";
import { errorMessage } from "../errors/index.js";
import { createLocator, type Locator } from "./locator.js";
import type { Problem } from "./problems.js";

/** The parsed file. `data` is undefined when the YAML itself is broken. */
export interface ParsedYaml {
  data: unknown;
  locator: Locator;
  problems: Problem[];
}

/** The key written at `offset`, for naming a duplicate. */
function keyAt(doc: Document, offset: number): string | undefined {
  let text: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        text = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return text;
}

function syntaxProblem(doc: Document, error: YAMLError): Problem {
  const offset = error.pos[0];
  if (error.code === "DUPLICATE_KEY") {
    const key = keyAt(doc, offset);
    const name = key === undefined ? "a key" : `key ${JSON.stringify(key)}`;
    return {
      where: { kind: "offset", offset },
      message: `duplicate ${name} — a key may appear only once in a map`,
    };
  }
  // Only the first line: with prettyErrors off it is the whole sentence, without a code frame.
  const [firstLine = error.code] = error.message.split("\n");
  return { where: { kind: "offset", offset }, message: `invalid YAML: ${firstLine}` };
}

/**
 * Parses `source`. A duplicate key leaves the document readable, so the data is still returned
 * and checked (every problem at once); any other YAML error makes the data meaningless.
 */
export function parseConfigYaml(source: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // merge: `<<: *defaults` is how docker-compose users share settings between services.
  const doc = parseDocument(source, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });
  const locator = createLocator(doc, lineCounter);
  // One problem per place: a single slip often trips several of YAML's rules at once.
  const errors = doc.errors.filter(
    (error, i) => doc.errors.findIndex((e) => e.pos[0] === error.pos[0]) === i,
  );
  const problems = errors.map((error) => syntaxProblem(doc, error));
  if (doc.errors.some((error) => error.code !== "DUPLICATE_KEY")) {
    return { data: undefined, locator, problems };
  }
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }), locator, problems };
  } catch (error) {
    // toJS only throws on alias bombs (an alias expanded too often); report it, do not crash.
    problems.push({ where: { kind: "offset", offset: 0 }, message: `invalid YAML: ${errorMessage(error)}` });
    return { data: undefined, locator, problems };
  }
}
