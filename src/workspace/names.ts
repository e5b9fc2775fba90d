/**
 * Names for what `dray init` finds: a project name from the root directory, a service name from
 * each main package's directory, made valid for dray.yaml and unique.
 */

/** Lowercases and replaces what dray.yaml's names forbid with "-", collapsing runs of "-". */
function clean(raw: string, allowed: RegExp): string {
  return raw.toLowerCase().replace(allowed, "-").replace(/-{2,}/g, "-");
}

/** A valid project name (see schema-fields.ts) from a directory name; "project" if nothing is left. */
export function toProjectName(raw: string): string {
  const name = clean(raw, /[^a-z0-9-]/g)
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
  return name === "" ? "project" : name;
}

/** A valid service name (see schema-fields.ts) from a directory name; "service" if nothing is left. */
export function toServiceName(raw: string): string {
  const name = clean(raw, /[^a-z0-9_-]/g)
    .replace(/^[-_]+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return name === "" ? "service" : name;
}

/** The last element of a "/"-separated directory; the root (".") is named after the project directory. */
function lastOf(dir: string, rootName: string): string {
  return dir === "." ? rootName : dir.slice(dir.lastIndexOf("/") + 1);
}

/** The elements above the last one. */
function parentsOf(dir: string): string[] {
  return dir === "." ? [] : dir.split("/").slice(0, -1);
}

/**
 * One service name per package directory (relative, "/"-separated, "." for the root), in the
 * same order. Names come from the last directory; where two collide ("api/cmd/server" and
 * "worker/cmd/server" are both "server") each gets its parent's name in front ("cmd-server" would
 * not help, so the parent is the directory above the last one that differs). A number settles
 * whatever still collides.
 */
export function nameServices(dirs: readonly string[], rootName: string): string[] {
  const plain = dirs.map((dir) => toServiceName(lastOf(dir, rootName)));
  const count = (names: readonly string[], name: string) => names.filter((n) => n === name).length;
  const named = dirs.map((dir, i) => {
    if (count(plain, plain[i]!) === 1) return plain[i]!;
    return toServiceName(qualified(dir, dirs, rootName));
  });
  const taken = new Set<string>();
  return named.map((name) => {
    let unique = name;
    for (let n = 2; taken.has(unique); n++) unique = `${name.slice(0, 60)}-${n}`;
    taken.add(unique);
    return unique;
  });
}

/**
 * "<parent>-<last>", where the parent is the nearest directory above the last element that tells
 * this package apart from the others with the same last element (skipping shared ones like "cmd").
 */
function qualified(dir: string, dirs: readonly string[], rootName: string): string {
  const last = lastOf(dir, rootName);
  const parents = parentsOf(dir);
  const rivals = dirs
    .filter((other) => other !== dir && toServiceName(lastOf(other, rootName)) === toServiceName(last))
    .map(parentsOf);
  // Compare from the end: the nth directory above the last one, in this path and in each rival.
  for (let up = 1; up <= parents.length; up++) {
    const part = parents[parents.length - up]!;
    if (rivals.every((rival) => rival[rival.length - up] !== part)) return `${part}-${last}`;
  }
  return `${parents.at(-1) ?? rootName}-${last}`;
}
