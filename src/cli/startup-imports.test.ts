import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Every module `entry` loads before any dynamic import(): relative ones as src paths, packages by name. */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".ts")) continue;
    const text = readFileSync(path.join(src, file), "utf8");
    // `import type` / `export type` load nothing; `await import(...)` is lazy and not matched here.
    for (const match of text.matchAll(/^(?:import|export)(?!\s+type\b)[^;]*?\sfrom\s+"([^"]+)"/gm)) {
      const spec = match[1]!;
      if (spec.startsWith("node:")) continue;
      queue.push(
        spec.startsWith(".") ? path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, ".ts") : spec,
      );
    }
  }
  return seen;
}

describe("what a no-op plan or build loads at start", () => {
  // A no-op `dray plan` or `dray build` reads the resolved config back from .dray/cache; the YAML
  // parser and the schema (zod, a hundred modules) load only when dray.yaml is validated again.
  it.each([
    "cli/commands/plan.ts",
    "cli/commands/build.ts",
  ])("%s leaves the schema and the YAML parser to a dynamic import", (command) => {
    const loaded = new Set([...staticImports("cli/main.ts"), ...staticImports(command)]);
    expect(loaded.has("config/normalize.ts")).toBe(true);
    expect([...loaded].filter((m) => /^(zod|yaml)(\/|$)/.test(m) || m.startsWith("config/schema"))).toEqual(
      [],
    );
  });
});
