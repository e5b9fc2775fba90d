import { describe, expect, it } from "vitest";
import { type GoBuildSettings, goBuildArgs, goPlatformEnv } from "./flags.js";

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
