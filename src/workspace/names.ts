/**
 * Names for what `dray init` finds: a project name from the root directory, a service name from
 * each main package's import path, made valid for dray.yaml and unique.
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

/**
 * Last path elements that say what kind of directory holds a main package, not which program it
 * is (`billing/cmd`, `orders/cmd/server`, `search/app/main.go`): such a main is named after the
 * nearest element above them.
 */
export const GENERIC_ELEMENTS: readonly string[] = [
  "cmd",
  "main",
  "server",
  "app",
  "service",
  "svc",
  "daemon",
  "bin",
  "src",
];

/** A main package to name: its import path and its module's path. */
export interface NameSource {
  importPath: string;
  modulePath: string;
}

/** A major-version suffix (v2 and up), which go also skips when it names a binary. */
const isMajor = (element: string) => /^v([2-9]|[1-9][0-9]+)$/.test(element);

/**
 * Where the name comes from in the import path: the last element that is neither generic nor a
 * major version — but never above the module's own last element, so a root main is named after its
 * module ("example.com/acme/greeter" → greeter) and not after the directory it was checked out in.
 */
function nameIndex(parts: readonly string[], modulePath: string): number {
  const floor = Math.max(0, Math.min(parts.length, modulePath === "" ? 1 : modulePath.split("/").length) - 1);
  let at = parts.length - 1;
  while (at > floor && (GENERIC_ELEMENTS.includes(parts[at]!) || isMajor(parts[at]!))) at--;
  while (at > 0 && isMajor(parts[at]!)) at--;
  return at;
}

interface Candidate {
  parts: string[];
  at: number;
  base: string;
}

/**
 * Tell a candidate apart from its rivals (the same base name): first by the nearest element above
 * its name that no rival has at the same distance ("a/tool" and "b/tool" → a-tool, b-tool), else by
 * the leaf below it ("inventory/cmd/server" and "inventory/app" → inventory-server, inventory-app).
 */
function qualify(self: Candidate, rivals: readonly Candidate[]): string {
  for (let up = 1; up <= self.at; up++) {
    const part = self.parts[self.at - up]!;
    // "cmd-api" or "api-api" says nothing a user would look for: neither qualifies a name.
    if (GENERIC_ELEMENTS.includes(part) || toServiceName(part) === self.base) continue;
    if (rivals.every((r) => r.parts[r.at - up] !== part)) return toServiceName(`${part}-${self.base}`);
  }
  const leaf = self.parts.at(-1)!;
  return self.at < self.parts.length - 1 ? toServiceName(`${self.base}-${leaf}`) : self.base;
}

/**
 * One service name per main package, in the same order: from the import path (see nameIndex),
 * qualified where two would collide (see qualify), and numbered where they still do, in the order
 * given. Names in `taken` (services a dray.yaml already has) are never handed out.
 */
export function nameServices(mains: readonly NameSource[], taken: Iterable<string> = []): string[] {
  const candidates = mains.map((main): Candidate => {
    const parts = main.importPath.split("/");
    const at = nameIndex(parts, main.modulePath);
    return { parts, at, base: toServiceName(parts[at]!) };
  });
  const named = candidates.map((c) => {
    const rivals = candidates.filter((other) => other !== c && other.base === c.base);
    return rivals.length === 0 ? c.base : qualify(c, rivals);
  });
  const used = new Set(taken);
  return named.map((name) => {
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name.slice(0, 60)}-${n}`;
    used.add(unique);
    return unique;
  });
}
