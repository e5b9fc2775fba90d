/**
 * What a module's files say about how go runs in it: its path and go line, whether a vendor
 * directory is there (and for what), and the go.work workspace that uses it. Read from disk; what
 * follows from it is decided in module-mode.ts.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { firstArg, parseModDirectives } from "./mod-syntax.js";

/** A vendor directory: absent, made by `go mod vendor` for a module, or by `go work vendor` for a workspace. */
export type VendorKind = "none" | "module" | "workspace";

/** A go.work file that uses the module. */
export interface GoWorkspace {
  /** Absolute path of go.work. */
  file: string;
  /** go.work's `go` line. */
  goVersion: string | undefined;
  /** The vendor directory next to go.work. */
  vendor: VendorKind;
}

/** A module as its files describe it. */
export interface GoModuleLayout {
  /** Absolute directory holding go.mod. */
  root: string;
  /** The module path from go.mod's `module` line ("" when it has none). */
  path: string;
  /** go.mod's `go` line. */
  goVersion: string | undefined;
  /** The vendor directory beside go.mod. */
  vendor: VendorKind;
  /** The nearest go.work at or above the module, inside the project, when it `use`s this module. */
  workspace: GoWorkspace | undefined;
}

async function isDirectory(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function readText(p: string): Promise<string | undefined> {
  return readFile(p, "utf8").catch(() => undefined);
}

/** What the vendor directory in `dir` is for: go marks a workspace's modules.txt with "## workspace". */
async function vendorKind(dir: string): Promise<VendorKind> {
  const vendor = path.join(dir, "vendor");
  if (!(await isDirectory(vendor))) return "none";
  const modules = (await readText(path.join(vendor, "modules.txt"))) ?? "";
  return /^## workspace\s*$/m.test(modules) ? "workspace" : "module";
}

/** The nearest go.work from `dir` up to `stop` (both absolute), as go looks for one, if it uses `dir`. */
async function findWorkspace(dir: string, stop: string): Promise<GoWorkspace | undefined> {
  for (let current = dir; ; current = path.dirname(current)) {
    const file = path.join(current, "go.work");
    const text = await readText(file);
    if (text !== undefined) {
      const directives = parseModDirectives(text);
      const uses = directives
        .filter((d) => d.verb === "use" && d.args[0] !== undefined)
        .map((d) => path.resolve(current, d.args[0]!));
      if (!uses.includes(dir)) return undefined;
      return { file, goVersion: firstArg(directives, "go"), vendor: await vendorKind(current) };
    }
    if (current === stop || path.dirname(current) === current) return undefined;
  }
}

/** Reads the layout of the module in `root` (absolute), looking for a go.work no higher than `projectRoot`. */
export async function readModuleLayout(root: string, projectRoot: string): Promise<GoModuleLayout> {
  const gomod = parseModDirectives((await readText(path.join(root, "go.mod"))) ?? "");
  const [vendor, workspace] = await Promise.all([vendorKind(root), findWorkspace(root, projectRoot)]);
  return {
    root,
    path: firstArg(gomod, "module") ?? "",
    goVersion: firstArg(gomod, "go"),
    vendor,
    workspace,
  };
}
