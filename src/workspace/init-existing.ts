/**
 * `dray init` where a dray.yaml already exists: which main packages it does not mention yet, and
 * adding their entries under `services:` without touching anything else in the file.
 */
import path from "node:path";
import { isMap, isScalar, parseDocument, type YAMLMap } from "yaml";
import { ExitCode, UserError } from "../errors/index.js";

/** What an existing dray.yaml already says about services. */
export interface ExistingServices {
  /** Every service name in it. */
  names: string[];
  /** Package directories it mentions in `go:`, active or commented out ("./services/api"). */
  packages: Set<string>;
}

/** "./services/api" for `go:` values written as "services/api", "./services/api/" or "."; undefined outside the root. */
export function normalizePackage(value: string): string | undefined {
  const normalized = path.posix.normalize(value.replace(/\\/g, "/")).replace(/\/+$/, "");
  if (normalized === "." || normalized === "") return ".";
  if (normalized.startsWith("../") || normalized === ".." || path.posix.isAbsolute(normalized))
    return undefined;
  return `./${normalized}`;
}

/** A `go:` line, active or commented out (a declined test program stays declined). */
const GO_LINE = /^[ \t]*(?:#[ \t]*)?go:[ \t]*["']?([^"'\s#]+)/gm;

function servicesMap(text: string, file: string): { doc: ReturnType<typeof parseDocument>; map: unknown } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new UserError(`${file} is not valid YAML`, {
      exitCode: ExitCode.usage,
      details: doc.errors.map((e) => e.message).join("\n"),
      hint: "Fix the file (or move it away), then run `dray init` again.",
    });
  }
  return { doc, map: doc.get("services", true) };
}

/** The services an existing dray.yaml names, and the packages it mentions. */
export function readExistingServices(text: string, file: string): ExistingServices {
  const { map } = servicesMap(text, file);
  const names: string[] = [];
  const packages = new Set<string>();
  if (isMap(map)) {
    for (const item of (map as YAMLMap).items) {
      if (isScalar(item.key)) names.push(String(item.key.value));
      const go = isMap(item.value) ? item.value.get("go") : undefined;
      const pkg = typeof go === "string" ? normalizePackage(go) : undefined;
      if (pkg) packages.add(pkg);
    }
  }
  for (const match of text.matchAll(GO_LINE)) {
    const pkg = normalizePackage(match[1]!);
    if (pkg) packages.add(pkg);
  }
  return { names, packages };
}

/**
 * `text` with `entries` (service lines as renderServiceEntries writes them, keys indented by two
 * spaces) added at the end of its `services:` block, re-indented to match the file's; or undefined
 * when the block is written in flow style (`services: {}`), where lines cannot simply be added.
 */
export function insertServices(text: string, entries: string, file: string): string | undefined {
  const { map } = servicesMap(text, file);
  const body = text.endsWith("\n") || text === "" ? text : `${text}\n`;
  if (map === undefined || map === null) return `${body}services:\n${entries}\n`;
  if (!isMap(map) || map.flow || map.items.length === 0 || !map.range) return undefined;
  const firstKey = map.items[0]!.key as { range?: [number, number, number] } | null;
  const start = firstKey?.range?.[0];
  if (start === undefined) return undefined;
  const indent = start - (text.lastIndexOf("\n", start - 1) + 1);
  const lines = entries.split("\n").map((line) => `${" ".repeat(indent)}${line.slice(2)}`);
  const end = map.range[1];
  const before = text.slice(0, end);
  const joint = before.endsWith("\n") ? "" : "\n";
  return `${before}${joint}${lines.join("\n")}\n${text.slice(end)}`;
}
