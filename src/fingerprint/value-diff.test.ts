import { describe, expect, it } from "vitest";
import { differingParts } from "./value-diff.js";

const flags = (version: string) =>
  `build -trimpath -buildvcs=false -tags netgo,osusergo -ldflags -s -w -buildid= -extldflags -static -X main.gitCommit=0123456789abcdef -X main.version=${version} -X main.builtBy=dray`;

describe("differingParts", () => {
  it.each([
    {
      description: "short values are shown whole",
      from: "build -trimpath",
      to: "build -trimpath -race",
      expected: { from: "build -trimpath", to: "build -trimpath -race" },
    },
    {
      description: "a long value keeps the differing word and one shared word on each side",
      from: flags("1.3.0"),
      to: flags("1.3.1"),
      expected: {
        from: "… -X main.version=1.3.0 -X …",
        to: "… -X main.version=1.3.1 -X …",
      },
    },
    {
      description: "a word added at the end shows the last shared word before it",
      from: flags("1.3.0"),
      to: `${flags("1.3.0")} -race`,
      expected: { from: "… main.builtBy=dray", to: "… main.builtBy=dray -race" },
    },
    {
      description: "a difference in the first word keeps no leading ellipsis",
      from: `go1.22 ${flags("1")}`,
      to: `go1.23 ${flags("1")}`,
      expected: { from: "go1.22 build …", to: "go1.23 build …" },
    },
  ])("$description", ({ from, to, expected }) => {
    expect(differingParts(from, to)).toEqual(expected);
  });

  it("cuts a long differing word after 80 characters, starting from the shared word before it", () => {
    const shown = differingParts(`x ${"a".repeat(200)} y`, `x ${"b".repeat(200)} y`);
    expect(shown).toEqual({ from: `x ${"a".repeat(77)}…`, to: `x ${"b".repeat(77)}…` });
  });
});
