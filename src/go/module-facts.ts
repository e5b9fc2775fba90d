/** What a module's go.mod and go.sum (and go.work, in a workspace) say that changes every binary built in it. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseModDirectives } from "./mod-syntax.js";

/** Facts about a module root that several services share: the go directive, go.sum, the workspace. */
export interface ModuleFacts {
  /**
   * go.mod's `go` and `toolchain` versions and its `godebug` settings (which set the binary's
   * default GODEBUG), space-separated: "1.22 go1.22.5", "1.23 godebug panicnil=1".
   */
  directive: string;
  /** "path version" → "h1:…" */
  sums: ReadonlyMap<string, string>;
  /**
   * The go.work the module is built in, its directives one after another ("go 1.22; use ./api;
   * use ./lib"): its go line sets the binary's default GODEBUG, its `use` and `replace` lines which
   * code is compiled. Undefined outside a workspace.
   */
  workspace?: string;
}

const read = (file: string) => readFile(file, "utf8").catch(() => "");

/**
 * Read go.mod's directives and go.sum's module hashes (a missing go.sum has none); with `workFile`,
 * also that go.work and its go.work.sum.
 */
export async function readModuleFacts(moduleRoot: string, workFile?: string): Promise<ModuleFacts> {
  const gomod = await readFile(path.join(moduleRoot, "go.mod"), "utf8");
  const gosum = await read(path.join(moduleRoot, "go.sum"));
  if (workFile === undefined) return parseModuleFacts(gomod, gosum);
  const [work, worksum] = await Promise.all([read(workFile), read(`${workFile}.sum`)]);
  return parseModuleFacts(gomod, gosum, { work, worksum });
}

/** The facts from the files' text; go.sum's `/go.mod` lines are left out (they hash no code). */
export function parseModuleFacts(
  gomod: string,
  gosum: string,
  workspace?: { work: string; worksum: string },
): ModuleFacts {
  const directives = parseModDirectives(gomod);
  const first = (verb: string) => directives.find((d) => d.verb === verb)?.args[0];
  const godebug = directives.filter((d) => d.verb === "godebug").map((d) => `godebug ${d.args.join(" ")}`);
  const directive = [first("go"), first("toolchain"), ...godebug].filter(Boolean).join(" ");
  const sums = new Map<string, string>();
  // A workspace's go.work.sum holds hashes its modules' go.sum files lack; a module's own go.sum comes first.
  for (const line of `${gosum}\n${workspace?.worksum ?? ""}`.split("\n")) {
    const [mod, version, hash] = line.trim().split(/\s+/);
    const id = `${mod} ${version}`;
    if (mod && version && hash && !version.endsWith("/go.mod") && !sums.has(id)) sums.set(id, hash);
  }
  if (workspace === undefined) return { directive, sums };
  const work = parseModDirectives(workspace.work)
    .map((d) => [d.verb, ...d.args].join(" "))
    .join("; ");
  return { directive, sums, workspace: work };
}
