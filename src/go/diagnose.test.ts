import { describe, expect, it } from "vitest";
import { constraintWords, diagnoseCompile } from "./diagnose.js";

/** Package directories and their Go files' text, as the compiler would have seen them. */
const packages: Record<string, string[]> = {
  "/repo/native": ['package native\n\n// int answer(void) { return 42; }\nimport "C"\n'],
  "/repo/mixed": [
    "package mixed\n\nfunc Twice() int { return 2 * fromC() }\n",
    'package mixed\n\nimport "C"\n',
  ],
  "/repo/enterprise": ["//go:build enterprise && (linux || darwin) && go1.21 && !cgo\n\npackage main\n"],
};
const read = async (dir: string) => packages[dir] ?? [];

describe("diagnoseCompile", () => {
  it("a package left out with cgo off, named in 'build constraints exclude…', needs cgo", async () => {
    const output =
      "package example.com/x/cmd\n\timports example.com/x/native: build constraints exclude all Go files in /repo/native\n";
    expect(await diagnoseCompile(output, { cwd: "/repo", cgo: false, read })).toEqual([
      { kind: "needs-cgo", dir: "/repo/native" },
    ]);
  });

  it("'undefined:' in a package with cgo files needs cgo; in one without, it is just an error", async () => {
    const output =
      "# example.com/x/mixed\nmixed/a.go:3:31: undefined: fromC\nmain.go:5:2: undefined: other\n";
    expect(await diagnoseCompile(output, { cwd: "/repo", cgo: false, read })).toEqual([
      { kind: "needs-cgo", dir: "/repo/mixed" },
    ]);
    expect(await diagnoseCompile(output, { cwd: "/repo", cgo: true, read })).toEqual([]);
  });

  it("files excluded by their own constraints name the words that could be tags", async () => {
    const output =
      "package example.com/x/enterprise: build constraints exclude all Go files in /repo/enterprise\n";
    expect(await diagnoseCompile(output, { cwd: "/repo", cgo: false, read })).toEqual([
      { kind: "constraints", dir: "/repo/enterprise", tags: ["enterprise"] },
    ]);
    // With cgo on, a package of cgo files that is still excluded is a constraints problem.
    const native = "build constraints exclude all Go files in /repo/native";
    expect(await diagnoseCompile(native, { cwd: "/repo", cgo: true, read })).toEqual([
      { kind: "constraints", dir: "/repo/native", tags: [] },
    ]);
  });

  it("a missing C compiler", async () => {
    const output = 'cgo: C compiler "gcc" not found: exec: "gcc": executable file not found in $PATH\n';
    expect(await diagnoseCompile(output, { cwd: "/repo", cgo: true, read })).toEqual([
      { kind: "no-c-compiler", compiler: "gcc" },
    ]);
  });

  it("constraintWords leaves out platforms, toolchains and Go versions", () => {
    expect(
      constraintWords([
        "//go:build (linux && amd64) || (integration && !race) || go1.22\n",
        "//go:build unix && gc\n",
      ]),
    ).toEqual(["integration", "race"]);
  });
});
