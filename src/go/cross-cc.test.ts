import { describe, expect, it } from "vitest";
import { cCompilerFor, gnuTriple, type Host, hostGoArch, missingCompilerHint } from "./cross-cc.js";
import type { GoBuildSettings } from "./flags.js";

const cgo: GoBuildSettings = { cgo: true, debug: false, ldflags: [], tags: [] };
const amd64 = { os: "linux", architecture: "amd64" };
const arm64 = { os: "linux", architecture: "arm64" };
const host = (onPath: string[] = []): Host => ({
  os: "linux",
  arch: "amd64",
  onPath: (p) => onPath.includes(p),
});

describe("the C compiler of a cgo build", () => {
  it("names Node's architectures as Go does", () => {
    expect(["x64", "arm64", "ia32", "arm", "s390x"].map((a) => hostGoArch(a))).toEqual([
      "amd64",
      "arm64",
      "386",
      "arm",
      "s390x",
    ]);
  });

  it("knows Debian's cross compiler triples", () => {
    expect(gnuTriple(arm64)).toBe("aarch64-linux-gnu");
    expect(gnuTriple({ os: "linux", architecture: "arm", variant: "v7" })).toBe("arm-linux-gnueabihf");
    expect(gnuTriple({ os: "linux", architecture: "arm", variant: "v6" })).toBe("arm-linux-gnueabi");
    expect(gnuTriple({ os: "windows", architecture: "amd64" })).toBeUndefined();
  });

  const cases: {
    description: string;
    settings: GoBuildSettings;
    platform: typeof amd64;
    env?: NodeJS.ProcessEnv;
    onPath?: string[];
    expected: ReturnType<typeof cCompilerFor>;
  }[] = [
    {
      description: "no cgo: nothing",
      settings: { ...cgo, cgo: false },
      platform: arm64,
      expected: { kind: "default" },
    },
    {
      description: "the host's own platform: its cc",
      settings: cgo,
      platform: amd64,
      expected: { kind: "default" },
    },
    {
      description: "another platform with <triple>-gcc on PATH: CC and CXX set to it",
      settings: cgo,
      platform: arm64,
      onPath: ["aarch64-linux-gnu-gcc", "aarch64-linux-gnu-g++"],
      expected: { kind: "cross", env: { CC: "aarch64-linux-gnu-gcc", CXX: "aarch64-linux-gnu-g++" } },
    },
    {
      description: "another platform, no cross compiler: missing, before go runs",
      settings: cgo,
      platform: arm64,
      expected: { kind: "missing", compiler: "aarch64-linux-gnu-gcc", triple: "aarch64-linux-gnu" },
    },
    {
      description: "the user's CC is used as it is",
      settings: cgo,
      platform: arm64,
      env: { CC: "zig cc -target aarch64-linux-gnu" },
      expected: { kind: "default" },
    },
  ];
  for (const c of cases) {
    it(c.description, () => {
      expect(cCompilerFor(c.settings, c.platform, c.env ?? {}, host(c.onPath))).toEqual(c.expected);
    });
  }

  it("the hint says what to install and the other ways out", () => {
    expect(
      missingCompilerHint(
        { kind: "missing", compiler: "x86_64-linux-gnu-gcc", triple: "x86_64-linux-gnu" },
        "linux/amd64",
      ),
    ).toBe(
      "Install x86_64-linux-gnu-gcc (Debian: apt-get install gcc-x86-64-linux-gnu) or set CC to a C cross compiler for linux/amd64; or build this service for linux/amd64 without cgo (cgo: false), or leave linux/amd64 out of its platforms.",
    );
  });
});
