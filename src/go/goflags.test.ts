/** GOFLAGS: what dray passes on for a module, and what enters input keys. */
import { describe, expect, it } from "vitest";
import { explicitMod, goflagsForKey, goflagsWithMod, splitGoflags } from "./goflags.js";

describe("splitGoflags", () => {
  it("splits on white space, keeps quoted spaces, and names each flag", () => {
    expect(splitGoflags(` -mod=vendor  --tags=a,b '-ldflags=-X main.v=1' "-gcflags=all=-N -l"\t-x `)).toEqual(
      [
        { name: "mod", text: "-mod=vendor", raw: "-mod=vendor" },
        { name: "tags", text: "--tags=a,b", raw: "--tags=a,b" },
        { name: "ldflags", text: "-ldflags=-X main.v=1", raw: "'-ldflags=-X main.v=1'" },
        { name: "gcflags", text: "-gcflags=all=-N -l", raw: '"-gcflags=all=-N -l"' },
        { name: "x", text: "-x", raw: "-x" },
      ],
    );
    expect(splitGoflags(undefined)).toEqual([]);
  });
});

describe("goflagsForKey", () => {
  const cases: { description: string; goflags: string | undefined; key: string }[] = [
    { description: "unset", goflags: undefined, key: "" },
    {
      description: "-mod, -modcacherw, -p, -v, -x, -a, -work, -json and -debug-* never change a binary",
      goflags: "-mod=vendor -modcacherw -p=2 -v -x -a -work -json -debug-actiongraph=g.json",
      key: "",
    },
    {
      description: "-trimpath, -buildvcs and -ldflags are overridden by dray's own command line",
      goflags: "-trimpath=false -buildvcs=true -ldflags=-s",
      key: "",
    },
    {
      description: "flags that change a binary stay, in their order",
      goflags: "-race -mod=vendor -tags=netgo -gcflags=-N -pgo=off -overlay=o.json",
      key: "-race -tags=netgo -gcflags=-N -pgo=off -overlay=o.json",
    },
    { description: "a flag dray does not know stays in", goflags: "-newflag=1", key: "-newflag=1" },
    {
      description: "quoted values enter unquoted",
      goflags: `'-gcflags=all=-N -l'`,
      key: "-gcflags=all=-N -l",
    },
  ];
  it.each(cases)("$description", ({ goflags, key }) => {
    expect(goflagsForKey(goflags)).toBe(key);
  });
});

describe("explicitMod / goflagsWithMod", () => {
  it("reads the last -mod, as go does", () => {
    expect(explicitMod("-mod=vendor -x -mod=readonly")).toBe("readonly");
    expect(explicitMod("-x")).toBeUndefined();
    expect(explicitMod(undefined)).toBeUndefined();
  });

  it("passes every other flag on as written and puts the decided -mod last", () => {
    expect(goflagsWithMod("-mod=vendor '-gcflags=all=-N -l' -x", "readonly")).toBe(
      "'-gcflags=all=-N -l' -x -mod=readonly",
    );
    expect(goflagsWithMod(undefined, "vendor")).toBe("-mod=vendor");
  });
});
