import { describe, expect, it } from "vitest";
import type { GoService } from "../config/types.js";
import { goBuildArgs, goPlatformEnv } from "./flags.js";

const service: GoService = {
  kind: "go",
  name: "api",
  context: "/repo",
  package: "./services/api",
  packageDir: "/repo/services/api",
  binaryPath: "/app/api",
  cgo: false,
  debug: false,
  ldflags: [],
  tags: [],
  platforms: [{ os: "linux", architecture: "amd64" }],
  base: { kind: "scratch" },
  files: [],
  deploy: { replicas: 1, publish: [], health: undefined, restart: "unless-stopped", env: {} },
  live: { sync: [], run: [], restart: true },
  image: {
    entrypoint: undefined,
    args: undefined,
    env: {},
    ports: [],
    user: undefined,
    labels: {},
    workdir: undefined,
  },
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
