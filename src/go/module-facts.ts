/** What a module's go.mod and go.sum say that changes every binary built in it. */
import { readFile } from "node:fs/promises";
import path from "node:path";

/** Facts about a module root that several services share: the go directive and go.sum. */
export interface ModuleFacts {
  /** go.mod's `go` and `toolchain` versions, space-separated: "1.22 go1.22.5". */
  directive: string;
  /** "path version" → "h1:…" */
  sums: ReadonlyMap<string, string>;
}

/** Read go.mod's `go`/`toolchain` lines and go.sum's module hashes (a missing go.sum has none). */
export async function readModuleFacts(moduleRoot: string): Promise<ModuleFacts> {
  const gomod = await readFile(path.join(moduleRoot, "go.mod"), "utf8");
  const gosum = await readFile(path.join(moduleRoot, "go.sum"), "utf8").catch(() => "");
  return parseModuleFacts(gomod, gosum);
}

/** The facts from the two files' text; go.sum's `/go.mod` lines are left out (they hash no code). */
export function parseModuleFacts(gomod: string, gosum: string): ModuleFacts {
  const directive = [/^go\s+(\S+)/m.exec(gomod)?.[1], /^toolchain\s+(\S+)/m.exec(gomod)?.[1]]
    .filter(Boolean)
    .join(" ");
  const sums = new Map<string, string>();
  for (const line of gosum.split("\n")) {
    const [mod, version, hash] = line.trim().split(/\s+/);
    if (mod && version && hash && !version.endsWith("/go.mod")) sums.set(`${mod} ${version}`, hash);
  }
  return { directive, sums };
}
