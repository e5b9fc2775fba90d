/**
 * Checks the paths dray.yaml names against the disk: package and context directories exist,
 * extra files exist and stay inside their service's context, CA files exist. Works on the raw
 * data, next to validation, so a misspelled key and a missing directory are reported in the same
 * run; a value of the wrong type is skipped here because validation already reports it.
 */
import path from "node:path";
import { isInside, showDir } from "./normalize.js";
import { type Problem, problemAt } from "./problems.js";
import { FILE_SHORT_PATTERN, LAYOUT_BASE_PATTERN } from "./schema-fields.js";
import type { ConfigPath } from "./types.js";
import { isMap } from "./validate.js";

/** What is at a path on disk, if anything. */
export type PathKind = "file" | "directory";

/** Looks a path up on disk (following symlinks); injected so the checks run without a disk in tests. */
export type Exists = (absolutePath: string) => PathKind | undefined;

/** A usable relative path as written, or undefined (wrong type or absolute: validation's business). */
function relative(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && !value.startsWith("/") ? value : undefined;
}

function directory(
  written: string,
  absolute: string,
  at: ConfigPath,
  exists: Exists,
  noun = "directory",
): Problem[] {
  const kind = exists(absolute);
  if (kind === "directory") return [];
  const message =
    kind === "file" ? `${written} is a file, not a directory` : `${noun} ${written} does not exist`;
  return [problemAt(at, "value", message)];
}

/** A CA bundle named by `ca` (of `registry` or of a registry base): it must be a file. */
function checkCa(value: unknown, at: ConfigPath, root: string, exists: Exists): Problem[] {
  const written = isMap(value) ? relative(value.ca) : undefined;
  if (written === undefined) return [];
  const kind = exists(path.resolve(root, written));
  if (kind === "file") return [];
  const message =
    kind === "directory" ? `${written} is a directory, not a CA file` : `CA file ${written} does not exist`;
  return [problemAt([...at, "ca"], "value", message)];
}

function checkBase(value: unknown, at: ConfigPath, root: string, exists: Exists): Problem[] {
  if (isMap(value) && "image" in value) return checkCa(value, at, root, exists);
  const layout =
    typeof value === "string"
      ? { dir: LAYOUT_BASE_PATTERN.exec(value)?.[1], at }
      : { dir: isMap(value) ? relative(value.layout) : undefined, at: [...at, "layout"] };
  if (layout.dir === undefined) return [];
  const absolute = path.resolve(root, layout.dir);
  const problems = directory(layout.dir, absolute, layout.at, exists, "OCI image layout directory");
  if (problems.length === 0 && exists(path.join(absolute, "oci-layout")) !== "file") {
    const message = `${layout.dir} is not an OCI image layout (it has no oci-layout file)`;
    problems.push(problemAt(layout.at, "value", message));
  }
  return problems;
}

function checkFiles(
  value: unknown,
  at: ConfigPath,
  root: string,
  context: string,
  exists: Exists,
): Problem[] {
  if (!Array.isArray(value)) return [];
  const problems: Problem[] = [];
  value.forEach((entry: unknown, index) => {
    const short = typeof entry === "string" ? FILE_SHORT_PATTERN.exec(entry)?.[1] : undefined;
    const from = short ?? (isMap(entry) ? relative(entry.from) : undefined);
    if (from === undefined) return;
    const where = short === undefined ? [...at, index, "from"] : [...at, index];
    const absolute = path.resolve(context, from);
    if (!isInside(context, absolute)) {
      problems.push(
        problemAt(
          where,
          "value",
          `${JSON.stringify(from)} is outside the service's context, ${showDir(root, context)}`,
        ),
      );
    } else if (exists(absolute) === undefined) {
      const message = `${JSON.stringify(from)} does not exist in the service's context, ${showDir(root, context)}`;
      problems.push(problemAt(where, "value", message));
    }
  });
  return problems;
}

function checkService(name: string, spec: Record<string, unknown>, root: string, exists: Exists): Problem[] {
  const at = ["services", name];
  const problems: Problem[] = [];
  const go = relative(spec.go);
  if (go !== undefined) problems.push(...directory(go, path.resolve(root, go), [...at, "go"], exists));
  // The directory files are taken from: a go service's context (default: the root), a command's dir.
  const contextKey = "go" in spec ? "context" : "dir";
  let context: string | undefined = contextKey === "context" && !("context" in spec) ? root : undefined;
  const written = relative(spec[contextKey]);
  if (written !== undefined) {
    context = path.resolve(root, written);
    problems.push(...directory(written, context, [...at, contextKey], exists));
  }
  const output = relative(spec.output);
  const dir = relative(spec.dir);
  if (output !== undefined && dir !== undefined) {
    const dirPath = path.resolve(root, dir);
    if (!isInside(dirPath, path.resolve(dirPath, output))) {
      const message = `${JSON.stringify(output)} is outside dir — the output must be inside the service's context`;
      problems.push(problemAt([...at, "output"], "value", message));
    }
  }
  if (context !== undefined)
    problems.push(...checkFiles(spec.files, [...at, "files"], root, context, exists));
  if ("base" in spec) problems.push(...checkBase(spec.base, [...at, "base"], root, exists));
  return problems;
}

/** Checks every path in dray.yaml's raw data; pure apart from `exists`. */
export function checkPaths(data: unknown, root: string, exists: Exists): Problem[] {
  if (!isMap(data)) return [];
  const problems = "base" in data ? checkBase(data.base, ["base"], root, exists) : [];
  problems.push(...checkCa(data.registry, ["registry"], root, exists));
  if (isMap(data.services)) {
    for (const [name, spec] of Object.entries(data.services)) {
      if (isMap(spec)) problems.push(...checkService(name, spec, root, exists));
    }
  }
  return problems;
}
