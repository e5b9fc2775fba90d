import { describe, expect, it } from "vitest";
import { parseModuleFacts } from "./module-facts.js";

describe("parseModuleFacts", () => {
  const cases: {
    description: string;
    gomod: string;
    gosum: string;
    directive: string;
    sums: [string, string][];
  }[] = [
    {
      description: "the go directive alone",
      gomod: "module example.com/shop\n\ngo 1.22\n",
      gosum: "",
      directive: "1.22",
      sums: [],
    },
    {
      description: "go and toolchain directives, space-separated",
      gomod: "module m\n\ngo 1.22.0\n\ntoolchain go1.22.5\n",
      gosum: "",
      directive: "1.22.0 go1.22.5",
      sums: [],
    },
    {
      description: "go.sum's module hashes without its /go.mod lines",
      gomod: "module m\ngo 1.21\n",
      gosum:
        "example.org/units v1.2.0 h1:abc=\nexample.org/units v1.2.0/go.mod h1:def=\n\n  example.org/x v0.1.0 h1:ghi=  \n",
      directive: "1.21",
      sums: [
        ["example.org/units v1.2.0", "h1:abc="],
        ["example.org/x v0.1.0", "h1:ghi="],
      ],
    },
    {
      description: "godebug settings, which set a binary's default GODEBUG, one or in a block",
      gomod: "module m\ngo 1.23\ngodebug default=go1.21\ngodebug (\n\tpanicnil=1\n\thttp2client=0\n)\n",
      gosum: "",
      directive: "1.23 godebug default=go1.21 godebug panicnil=1 godebug http2client=0",
      sums: [],
    },
  ];
  for (const c of cases) {
    it(c.description, () => {
      const facts = parseModuleFacts(c.gomod, c.gosum);
      expect([facts.directive, [...facts.sums]]).toEqual([c.directive, c.sums]);
    });
  }
});

describe("parseModuleFacts in a go.work workspace", () => {
  it("adds go.work's directives and go.work.sum's hashes after the module's own", () => {
    const facts = parseModuleFacts("module m\ngo 1.21\n", "example.org/a v1.0.0 h1:mod=\n", {
      work: "// the workspace\ngo 1.22\n\nuse (\n\t./m\n\t./lib\n)\nreplace example.org/a => ./a\n",
      worksum: "example.org/a v1.0.0 h1:work=\nexample.org/b v2.0.0 h1:b=\n",
    });
    expect(facts).toEqual({
      directive: "1.21",
      sums: new Map([
        ["example.org/a v1.0.0", "h1:mod="],
        ["example.org/b v2.0.0", "h1:b="],
      ]),
      workspace: "go 1.22; use ./m; use ./lib; replace example.org/a => ./a",
    });
  });
});
