import { describe, expect, it } from "vitest";
import { decode, encode, type StoredMain, type StoredPackage } from "./list-cache-file.js";

const pkg = (importPath: string, dir?: string): StoredPackage => ({
  importPath,
  standard: dir === undefined,
  files: dir === undefined ? [] : ["a.go"],
  ...(dir === undefined ? {} : { dir }),
});

function cache(mains: Record<string, StoredMain>, packages: StoredPackage[]) {
  return {
    version: 1 as const,
    toolchain: "go1.23.5",
    mains,
    packages: Object.fromEntries(packages.map((p) => [p.importPath, p])),
    watch: { "svc/a.go": ["1:2", "example.com/m/svc"] as [string, string] },
  };
}

describe("the go list cache file", () => {
  const packages = [
    pkg("fmt"),
    pkg("example.com/m/svc", "svc"),
    pkg("example.com/m/lib", "lib"),
    pkg("7", "seven"),
  ];
  const mains = {
    "./svc": {
      importPath: "example.com/m/svc",
      name: "main",
      deps: ["example.com/m/lib", "fmt", "not/listed", "7"],
    },
  };

  it("stores each dependency as its package's index and reads back the same listing", () => {
    const stored = encode(cache(mains, packages));
    expect(stored.mains["./svc"]!.deps).toEqual([1, 3, "not/listed", 0]);
    expect(stored.packages.map((p) => p.importPath)).toEqual([
      "7",
      "example.com/m/lib",
      "example.com/m/svc",
      "fmt",
    ]);
    const read = decode(JSON.parse(JSON.stringify(stored)), "go1.23.5");
    expect(read).toEqual(cache(mains, packages));
  });

  it.each([
    { description: "another toolchain's", change: () => ({}), toolchain: "go1.22.0" },
    { description: "the previous version's", change: () => ({ version: 2 }), toolchain: "go1.23.5" },
    {
      description: "an index out of range in",
      change: () => ({ mains: { "./svc": { ...mains["./svc"], deps: [9] } } }),
      toolchain: "go1.23.5",
    },
    {
      description: "a fractional index in",
      change: () => ({ mains: { "./svc": { ...mains["./svc"], deps: [0.5] } } }),
      toolchain: "go1.23.5",
    },
    {
      description: "a package listed twice in",
      change: () => ({ packages: [...packages, packages[0]] }),
      toolchain: "go1.23.5",
    },
  ])("lists afresh from $description cache", ({ change, toolchain }) => {
    const stored = { ...encode(cache(mains, packages)), ...change() };
    expect(decode(JSON.parse(JSON.stringify(stored)), toolchain)).toBeUndefined();
  });
});
