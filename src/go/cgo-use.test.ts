import { describe, expect, it } from "vitest";
import { type CgoFacts, needsCgo, parseCgoFacts } from "./cgo-use.js";

function pkg(importPath: string, facts: Partial<CgoFacts> = {}): [string, CgoFacts] {
  return [
    importPath,
    {
      importPath,
      name: "x",
      dir: `/repo/${importPath}`,
      standard: false,
      goFiles: 1,
      cgoFiles: 0,
      deps: [],
      ...facts,
    },
  ];
}

const listing = new Map([
  pkg("ex.com/cmd/nsexec", { name: "main", deps: ["ex.com/nsenter", "ex.com/util", "net"] }),
  pkg("ex.com/cmd/mixed", { name: "main", deps: ["ex.com/seccomp", "ex.com/util"] }),
  pkg("ex.com/cmd/plain", { name: "main", deps: ["ex.com/util", "net", "os/user"] }),
  pkg("ex.com/nsenter", { goFiles: 0, cgoFiles: 2 }),
  pkg("ex.com/seccomp", { goFiles: 3, cgoFiles: 1 }),
  pkg("ex.com/util"),
  // The standard library's cgo is optional (pure-Go resolvers exist): it never makes a main need cgo.
  pkg("net", { standard: true, goFiles: 40, cgoFiles: 2 }),
  pkg("os/user", { standard: true, goFiles: 5, cgoFiles: 1 }),
]);

describe("needsCgo", () => {
  const cases: { main: string; expected: ReturnType<typeof needsCgo> }[] = [
    { main: "ex.com/cmd/nsexec", expected: { packages: ["ex.com/nsenter"], only: ["ex.com/nsenter"] } },
    { main: "ex.com/cmd/mixed", expected: { packages: ["ex.com/seccomp"], only: [] } },
    { main: "ex.com/cmd/plain", expected: undefined },
    { main: "ex.com/not/listed", expected: undefined },
  ];
  for (const c of cases) {
    it(c.main, () => {
      expect(needsCgo(c.main, listing)).toEqual(c.expected);
    });
  }

  it("parses go list's lines", () => {
    expect(
      parseCgoFacts("ex.com/a\tmain\t/r/a\tfalse\t1\t0\tex.com/b fmt\nex.com/b\tb\t/r/b\tfalse\t0\t1\t\n"),
    ).toEqual(
      new Map([
        pkg("ex.com/a", { name: "main", dir: "/r/a", deps: ["ex.com/b", "fmt"] }),
        pkg("ex.com/b", { name: "b", dir: "/r/b", goFiles: 0, cgoFiles: 1 }),
      ]),
    );
  });
});
