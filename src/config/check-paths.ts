/**
 * Checks the paths dray.yaml names against the disk: what must exist does, and nothing leaves the
 * place it must stay in — the project root for every path, the service's context for `files:`
 * sources, `dir` for a command's output — judged after resolving symlinks, so a link cannot carry a
 * path out. Works on the raw data, next to validation, so a misspelled key and a missing directory
 * are reported in the same run; a value of the wrong type is skipped here because validation
 * already reports it.
 */
import path from "node:path";
import { checkOutputs, type NamedPlace, type OutputPlace } from "./check-outputs.js";
import { isInside, showDir } from "./inside.js";
import { type Problem, problemAt } from "./problems.js";
import { FILE_SHORT_PATTERN, LAYOUT_BASE_PATTERN } from "./schema-fields.js";
import type { ConfigPath } from "./types.js";
import { isMap } from "./validate.js";

/** What is at a path on disk, if anything. */
export type PathKind = "file" | "directory";

/** Looks a path up on disk (following symlinks); injected so the checks run without a disk in tests. */
export type Exists = (absolutePath: string) => PathKind | undefined;

/** Where a path really is: every symlink resolved, a missing tail kept as written; injected like `Exists`. */
export type RealPath = (absolutePath: string) => string;

/** The disk as the checks see it, and the project on it. */
interface Disk {
  root: string;
  realRoot: string;
  exists: Exists;
  real: RealPath;
}

/** A directory paths must stay inside, and how messages name it. */
interface Scope {
  dir: string;
  name: string;
}

/** What the checks of every service add to, for the checks across services. */
interface Places {
  outputs: OutputPlace[];
  named: NamedPlace[];
}

/** A usable relative path as written, or undefined (wrong type or absolute: validation's business). */
function relative(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && !value.startsWith("/") ? value : undefined;
}

/**
 * Whether `absolute` (written as `written`) stays inside `scope`, lexically and with symlinks
 * resolved; `packed` also keeps it out of `.dray` and `.git`, which never enter an image and which
 * dray never empties.
 */
function leaves(
  disk: Disk,
  written: string,
  absolute: string,
  at: ConfigPath,
  scope: Scope,
  packed = false,
): Problem[] {
  const shown = JSON.stringify(written);
  if (!isInside(scope.dir, absolute)) return [problemAt(at, "value", `${shown} is outside ${scope.name}`)];
  const real = disk.real(absolute);
  if (!isInside(disk.real(scope.dir), real)) {
    return [problemAt(at, "value", `${shown} resolves to ${real}, outside ${scope.name}`)];
  }
  const state = [".dray", ".git"].find((name) => isInside(path.join(disk.realRoot, name), real));
  if (packed && state !== undefined) {
    const what = state === ".dray" ? "dray's own state" : "git's data";
    return [problemAt(at, "value", `${shown} is inside ${state}, ${what}, which never enters an image`)];
  }
  return [];
}

function directory(
  disk: Disk,
  written: string,
  absolute: string,
  at: ConfigPath,
  noun = "directory",
): Problem[] {
  const kind = disk.exists(absolute);
  if (kind === "directory") return [];
  const message =
    kind === "file" ? `${written} is a file, not a directory` : `${noun} ${written} does not exist`;
  return [problemAt(at, "value", message)];
}

function projectScope(disk: Disk): Scope {
  return { dir: disk.root, name: "the project root" };
}

/** A CA bundle named by `ca` (of `registry` or of a registry base): it must be a file in the project. */
function checkCa(value: unknown, at: ConfigPath, disk: Disk): Problem[] {
  const written = isMap(value) ? relative(value.ca) : undefined;
  if (written === undefined) return [];
  const absolute = path.resolve(disk.root, written);
  const outside = leaves(disk, written, absolute, [...at, "ca"], projectScope(disk));
  if (outside.length > 0) return outside;
  const kind = disk.exists(absolute);
  if (kind === "file") return [];
  const message =
    kind === "directory" ? `${written} is a directory, not a CA file` : `CA file ${written} does not exist`;
  return [problemAt([...at, "ca"], "value", message)];
}

function checkBase(value: unknown, at: ConfigPath, disk: Disk): Problem[] {
  if (isMap(value) && "image" in value) return checkCa(value, at, disk);
  const layout =
    typeof value === "string"
      ? { dir: LAYOUT_BASE_PATTERN.exec(value)?.[1], at }
      : { dir: isMap(value) ? relative(value.layout) : undefined, at: [...at, "layout"] };
  if (layout.dir === undefined) return [];
  const absolute = path.resolve(disk.root, layout.dir);
  const outside = leaves(disk, layout.dir, absolute, layout.at, projectScope(disk));
  if (outside.length > 0) return outside;
  const problems = directory(disk, layout.dir, absolute, layout.at, "OCI image layout directory");
  if (problems.length === 0 && disk.exists(path.join(absolute, "oci-layout")) !== "file") {
    const message = `${layout.dir} is not an OCI image layout (it has no oci-layout file)`;
    problems.push(problemAt(layout.at, "value", message));
  }
  return problems;
}

/** `files:` sources: inside the context (symlinks resolved), not in .dray or .git, and present. */
function checkFiles(value: unknown, at: ConfigPath, disk: Disk, context: string, places: Places): Problem[] {
  if (!Array.isArray(value)) return [];
  const scope = { dir: context, name: `the service's context, ${showDir(disk.root, context)}` };
  const problems: Problem[] = [];
  value.forEach((entry: unknown, index) => {
    const short = typeof entry === "string" ? FILE_SHORT_PATTERN.exec(entry)?.[1] : undefined;
    const from = short ?? (isMap(entry) ? relative(entry.from) : undefined);
    if (from === undefined) return;
    const where = short === undefined ? [...at, index, "from"] : [...at, index];
    const absolute = path.resolve(context, from);
    const outside = leaves(disk, from, absolute, where, scope, true);
    if (outside.length > 0) {
      problems.push(...outside);
    } else if (disk.exists(absolute) === undefined) {
      const message = `${JSON.stringify(from)} does not exist in ${scope.name}`;
      problems.push(problemAt(where, "value", message));
    } else {
      places.named.push({
        real: disk.real(absolute),
        what: `the files source ${JSON.stringify(from)} of service ${at[1]}`,
      });
    }
  });
  return problems;
}

/** Command `inputs` are globs relative to dir; one that is absolute or climbs out with ".." leaves it. */
function checkInputs(value: unknown, at: ConfigPath): Problem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((glob: unknown, index) => {
    if (typeof glob !== "string") return [];
    const pattern = glob.startsWith("!") ? glob.slice(1) : glob;
    if (!pattern.startsWith("/") && !pattern.split("/").includes("..")) return [];
    const why = pattern.startsWith("/") ? "is an absolute path" : 'leaves the service\'s dir ("..")';
    const message = `${JSON.stringify(glob)} ${why} — inputs are globs relative to dir, e.g. "src/**"`;
    return [problemAt([...at, index], "value", message)];
  });
}

/** `live.sync` sources are copied into a running container: they stay inside the project too. */
function checkSync(value: unknown, at: ConfigPath, disk: Disk): Problem[] {
  const rules = isMap(value) && Array.isArray(value.sync) ? value.sync : [];
  return rules.flatMap((rule: unknown, index) => {
    const short = typeof rule === "string" ? /^([^:]+):\//.exec(rule)?.[1] : undefined;
    const from = short ?? (isMap(rule) ? relative(rule.from) : undefined);
    if (from === undefined || from.startsWith("/")) return [];
    const where = short === undefined ? [...at, "sync", index, "from"] : [...at, "sync", index];
    return leaves(disk, from, path.resolve(disk.root, from), where, projectScope(disk));
  });
}

/** A command's output: strictly inside its dir (symlinks resolved), since dray empties it before each run. */
function checkOutput(
  name: string,
  spec: Record<string, unknown>,
  dir: string,
  disk: Disk,
  places: Places,
): Problem[] {
  const written = spec.output === undefined ? "dist" : relative(spec.output);
  if (written === undefined) return [];
  const at = ["services", name, "output"];
  const shown = JSON.stringify(written);
  const absolute = path.resolve(dir, written);
  if (!isInside(dir, absolute)) {
    const message = `${shown} is outside dir — the output must be inside the service's context`;
    return [problemAt(at, "value", message)];
  }
  const emptied = "dray empties the output before each run, so it must be a directory of its own inside dir";
  if (absolute === dir) return [problemAt(at, "value", `${shown} is dir itself — ${emptied}`)];
  const real = disk.real(absolute);
  const realDir = disk.real(dir);
  if (!isInside(realDir, real) || real === realDir) {
    return [problemAt(at, "value", `${shown} resolves to ${real}, not inside dir — ${emptied}`)];
  }
  const outside = leaves(disk, written, absolute, at, projectScope(disk), true);
  if (outside.length === 0)
    places.outputs.push({ real, service: name, at, shown: showDir(disk.realRoot, real) });
  return outside;
}

function checkService(name: string, spec: Record<string, unknown>, disk: Disk, places: Places): Problem[] {
  const at = ["services", name];
  const project = projectScope(disk);
  const problems: Problem[] = [];
  const named = (absolute: string, what: string) =>
    places.named.push({ real: disk.real(absolute), what: `${what} of service ${name}` });
  const go = relative(spec.go);
  if (go !== undefined) {
    const absolute = path.resolve(disk.root, go);
    const outside = leaves(disk, go, absolute, [...at, "go"], project);
    problems.push(...(outside.length > 0 ? outside : directory(disk, go, absolute, [...at, "go"])));
    if (outside.length === 0) named(absolute, "the Go package");
  }
  // The directory files are taken from: a go service's context (default: the root), a command's dir.
  const contextKey = "go" in spec ? "context" : "dir";
  let context: string | undefined = contextKey === "context" && !("context" in spec) ? disk.root : undefined;
  const written = relative(spec[contextKey]);
  if (written !== undefined) {
    const absolute = path.resolve(disk.root, written);
    const where = [...at, contextKey];
    const outside = leaves(disk, written, absolute, where, project, true);
    problems.push(...(outside.length > 0 ? outside : directory(disk, written, absolute, where)));
    if (outside.length === 0) {
      context = absolute;
      named(absolute, contextKey === "dir" ? "the dir" : "the context");
      if (contextKey === "dir") problems.push(...checkOutput(name, spec, absolute, disk, places));
    }
  }
  if (context !== undefined)
    problems.push(...checkFiles(spec.files, [...at, "files"], disk, context, places));
  if (contextKey === "dir") problems.push(...checkInputs(spec.inputs, [...at, "inputs"]));
  if ("base" in spec) problems.push(...checkBase(spec.base, [...at, "base"], disk));
  problems.push(...checkSync(spec.live, [...at, "live"], disk));
  return problems;
}

/** Checks every path in dray.yaml's raw data; pure apart from `exists` and `real`. */
export function checkPaths(
  data: unknown,
  root: string,
  exists: Exists,
  real: RealPath = (p) => p,
): Problem[] {
  if (!isMap(data)) return [];
  const disk: Disk = { root, realRoot: real(root), exists, real };
  const problems = "base" in data ? checkBase(data.base, ["base"], disk) : [];
  problems.push(...checkCa(data.registry, ["registry"], disk));
  const places: Places = { outputs: [], named: [] };
  if (isMap(data.services)) {
    for (const [name, spec] of Object.entries(data.services)) {
      if (isMap(spec)) problems.push(...checkService(name, spec, disk, places));
    }
  }
  problems.push(...checkOutputs(places.outputs, places.named));
  return problems;
}
