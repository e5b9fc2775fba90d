/**
 * A source module compiled to plain JavaScript, with the modules it imports by relative path, so
 * that a child `node` process can load it in a unit test without a build of the whole project.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import ts from "typescript";
import { repoRoot } from "./dray.js";

const RELATIVE_IMPORT = /\bfrom\s+"(\.{1,2}\/[^"]+)\.js"/g;

/** Compiles `entry` (a .ts file under the repository) into `outDir`; returns the path of its .js file. */
export async function compileForNode(entry: string, outDir: string): Promise<string> {
  const done = new Set<string>();
  const pending = [path.resolve(entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (done.has(file)) continue;
    done.add(file);
    const source = await readFile(file, "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const out = outputPath(file, outDir);
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, outputText);
    for (const match of source.matchAll(RELATIVE_IMPORT)) {
      pending.push(path.resolve(path.dirname(file), `${match[1]}.ts`));
    }
  }
  return outputPath(path.resolve(entry), outDir);
}

function outputPath(file: string, outDir: string): string {
  return path.join(outDir, path.relative(repoRoot, file)).replace(/\.ts$/, ".js");
}
