/**
 * Reading a failed compile for the causes a dray.yaml setting fixes: a package whose cgo files
 * were left out because cgo is off, files all excluded by build constraints (a missing tag), or
 * no C compiler. The compiler's words alone are ambiguous — "build constraints exclude all Go
 * files" is said of both — so the package's own files are read to tell them apart.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** A cause dray can name a fix for. */
export type CompileCause =
  /** `dir` has cgo files (`import "C"`), left out because the build has cgo off. */
  | { kind: "needs-cgo"; dir: string }
  /** Every Go file of `dir` is excluded by its build constraints; `tags` are the words they name that could be tags. */
  | { kind: "constraints"; dir: string; tags: string[] }
  /** cgo is on and its C compiler is not there. */
  | { kind: "no-c-compiler"; compiler: string };

/** A package directory's Go sources (not tests), as text. */
export type ReadGoFiles = (dir: string) => Promise<string[]>;

/** Words in //go:build lines that are platforms, toolchains or Go versions, never tags a user sets. */
const KNOWN_WORDS = new Set(
  [
    "aix android darwin dragonfly freebsd hurd illumos ios js linux netbsd openbsd plan9 solaris wasip1 windows zos unix",
    "386 amd64 arm arm64 loong64 mips mipsle mips64 mips64le ppc64 ppc64le riscv64 s390x wasm",
    "cgo gc gccgo ignore",
  ]
    .join(" ")
    .split(" "),
);

const CGO_IMPORT = /^import\s+"C"/m;

/** The causes in `output` of a compile run in `cwd` with cgo on or off. */
export async function diagnoseCompile(
  output: string,
  options: { cwd: string; cgo: boolean; read?: ReadGoFiles },
): Promise<CompileCause[]> {
  const read = options.read ?? readGoFiles;
  const causes: CompileCause[] = [];
  const seen = new Set<string>();
  const excluded = [...output.matchAll(/build constraints exclude all Go files in (.+)$/gm)].map((m) =>
    m[1]!.trim(),
  );
  for (const dir of excluded) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const sources = await read(dir);
    if (!options.cgo && sources.some((text) => CGO_IMPORT.test(text)))
      causes.push({ kind: "needs-cgo", dir });
    else causes.push({ kind: "constraints", dir, tags: constraintWords(sources) });
  }
  // "undefined: x" where x is defined in a cgo file the build left out.
  const undefinedIn = [...output.matchAll(/^(\S.*?\.go):\d+(?::\d+)?: undefined: /gm)].map((m) =>
    path.resolve(options.cwd, path.dirname(m[1]!)),
  );
  for (const dir of undefinedIn) {
    if (options.cgo || seen.has(dir)) continue;
    seen.add(dir);
    if ((await read(dir)).some((text) => CGO_IMPORT.test(text))) causes.push({ kind: "needs-cgo", dir });
  }
  const compiler = /cgo: C compiler "([^"]+)" not found/.exec(output);
  if (compiler) causes.push({ kind: "no-c-compiler", compiler: compiler[1]! });
  return causes;
}

/** The words of the files' //go:build lines that could be build tags, sorted. */
export function constraintWords(sources: readonly string[]): string[] {
  const words = new Set<string>();
  for (const text of sources) {
    for (const line of text.matchAll(/^\/\/go:build\s+(.*)$/gm)) {
      for (const word of line[1]!.match(/[A-Za-z0-9_.]+/g) ?? []) {
        if (!KNOWN_WORDS.has(word) && !/^go1\.\d+$/.test(word)) words.add(word);
      }
    }
  }
  return [...words].sort();
}

/** The non-test Go files of `dir`; none when it cannot be read. */
async function readGoFiles(dir: string): Promise<string[]> {
  try {
    const names = (await readdir(dir)).filter((n) => n.endsWith(".go") && !n.endsWith("_test.go"));
    return await Promise.all(names.map((n) => readFile(path.join(dir, n), "utf8")));
  } catch {
    return [];
  }
}
