import { describe, expect, it } from "vitest";
import { buildTags, type GoBuildSettings, goBuildArgs, goPlatformEnv } from "./flags.js";

const service: GoBuildSettings = {
  cgo: false,
  debug: false,
  ldflags: [],
  tags: [],
};

describe("go build flags", () => {
  it("strip paths, VCS stamps and the build ID, and symbols unless debugging", () => {
    expect(goBuildArgs(service)).toEqual([
      "build",
      "-trimpath",
      "-buildvcs=false",
      "-ldflags=-buildid= -s -w",
    ]);
    expect(goBuildArgs({ ...service, debug: true, ldflags: ["-X", "main.v=1"], tags: ["z", "a"] })).toEqual([
      "build",
      "-trimpath",
      "-buildvcs=false",
      "-ldflags=-buildid= -X main.v=1",
      "-tags=a,z",
    ]);
  });

  it("cgo links statically by default: the external linker with -static, and the pure-Go resolvers", () => {
    expect(goBuildArgs({ ...service, cgo: true, tags: ["zeta"] })).toEqual([
      "build",
      "-trimpath",
      "-buildvcs=false",
      "-ldflags=-buildid= -s -w -linkmode=external -extldflags=-static",
      "-tags=netgo,osusergo,zeta",
    ]);
    // The user's own ldflags come last, so an -extldflags of theirs wins; a tag already given is not repeated.
    expect(
      goBuildArgs({ ...service, cgo: true, tags: ["netgo"], ldflags: ["-extldflags=-static-pie"] }),
    ).toEqual([
      "build",
      "-trimpath",
      "-buildvcs=false",
      "-ldflags=-buildid= -s -w -linkmode=external -extldflags=-static -extldflags=-static-pie",
      "-tags=netgo,osusergo",
    ]);
  });

  it("cgo: dynamic links as go does by default, with no extra flags or tags", () => {
    const dynamic = { ...service, cgo: true, link: "dynamic" as const, tags: ["b", "a"] };
    expect(goBuildArgs(dynamic)).toEqual([
      "build",
      "-trimpath",
      "-buildvcs=false",
      "-ldflags=-buildid= -s -w",
      "-tags=a,b",
    ]);
    expect(buildTags(dynamic)).toEqual(["a", "b"]);
    expect(goPlatformEnv(dynamic, { os: "linux", architecture: "amd64" })["CGO_ENABLED"]).toBe("1");
  });

  it("without cgo the link setting changes nothing", () => {
    expect(goBuildArgs({ ...service, link: "dynamic" })).toEqual(goBuildArgs(service));
    expect(buildTags({ ...service, tags: ["b", "a", "a"] })).toEqual(["a", "a", "b"]);
  });

  const cases: {
    description: string;
    platform: { os: string; architecture: string; variant?: string };
    expected: Record<string, string>;
  }[] = [
    {
      description: "amd64 pins GOAMD64 to the baseline, never the host's",
      platform: { os: "linux", architecture: "amd64" },
      expected: { GOOS: "linux", GOARCH: "amd64", GOAMD64: "v1", CGO_ENABLED: "0", GOTOOLCHAIN: "local" },
    },
    {
      description: "arm64 pins GOARM64",
      platform: { os: "linux", architecture: "arm64" },
      expected: { GOOS: "linux", GOARCH: "arm64", GOARM64: "v8.0", CGO_ENABLED: "0", GOTOOLCHAIN: "local" },
    },
    {
      description: "arm takes GOARM from the variant",
      platform: { os: "linux", architecture: "arm", variant: "v6" },
      expected: { GOOS: "linux", GOARCH: "arm", GOARM: "6", CGO_ENABLED: "0", GOTOOLCHAIN: "local" },
    },
  ];
  for (const c of cases) {
    it(c.description, () => {
      expect(goPlatformEnv(service, c.platform)).toEqual(c.expected);
    });
  }
});
