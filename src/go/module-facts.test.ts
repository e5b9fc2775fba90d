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
  ];
  for (const c of cases) {
    it(c.description, () => {
      const facts = parseModuleFacts(c.gomod, c.gosum);
      expect([facts.directive, [...facts.sums]]).toEqual([c.directive, c.sums]);
    });
  }
});
