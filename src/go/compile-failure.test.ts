import { describe, expect, it } from "vitest";
import { ExitCode } from "../errors/errors.js";
import { compileFailure, missingCompilerError } from "./compile-failure.js";
import type { GoBuildable } from "./go-build.js";
import { reproduceCommand, shellQuote } from "./go-build.js";

const toolchain = { go: "go", version: "go1.23.5", gocache: "/cache" };
const api: GoBuildable = { name: "api", cgo: false, debug: false, ldflags: [], tags: [] };
const main = { moduleRoot: "/repo", relPackage: "./cmd/api" };
const amd64 = { os: "linux", architecture: "amd64" };

describe("a failed compile's message", () => {
  it("quotes words for a POSIX shell only where it must", () => {
    expect(["plain-word", "-ldflags=-buildid= -s -w", "it's", ""].map(shellQuote)).toEqual([
      "plain-word",
      "'-ldflags=-buildid= -s -w'",
      "'it'\\''s'",
      "''",
    ]);
  });

  it("the reproduction carries every variable, flag, tag and the user's GOFLAGS", () => {
    const service = { ...api, ldflags: ["-X=main.version=v1.0 beta"], tags: ["b", "a"] };
    expect(
      reproduceCommand(service, amd64, {
        toolchain,
        cwd: "/my repo",
        packages: ["./cmd/api"],
        env: { GOFLAGS: "-mod=vendor", HOME: "/root" },
      }),
    ).toBe(
      "cd '/my repo' && GOOS=linux GOARCH=amd64 CGO_ENABLED=0 GOTOOLCHAIN=local GOAMD64=v1 GOFLAGS=-mod=vendor go build -trimpath -buildvcs=false '-ldflags=-buildid= -s -w -X=main.version=v1.0 beta' -tags=a,b -o /dev/null ./cmd/api",
    );
    expect(
      reproduceCommand({ ...api, cgo: true }, amd64, {
        toolchain: { ...toolchain, go: "/opt/go/bin/go" },
        cwd: "/repo",
        packages: ["."],
        env: {},
      }),
    ).toBe(
      "cd /repo && GOOS=linux GOARCH=amd64 CGO_ENABLED=1 GOTOOLCHAIN=local GOAMD64=v1 /opt/go/bin/go build -trimpath -buildvcs=false '-ldflags=-buildid= -s -w -linkmode=external -extldflags=-static' -tags=netgo,osusergo -o /dev/null .",
    );
  });

  it("names cgo: true at its dray.yaml line when a package needs cgo, and the tags when constraints leave files out", async () => {
    const output = [
      "package example.com/x/cmd/api",
      "\timports example.com/x/native: build constraints exclude all Go files in /repo/native",
      "\timports example.com/x/pro: build constraints exclude all Go files in /repo/pro",
    ].join("\n");
    const files: Record<string, string[]> = {
      "/repo/native": ['package native\nimport "C"\n'],
      "/repo/pro": ["//go:build enterprise\n\npackage pro\n"],
    };
    const error = await compileFailure(api, main, amd64, output, {
      toolchain,
      env: {},
      locate: (service, key) => (key === "cgo" ? `dray.yaml:3:3 (${service})` : "dray.yaml:9:5"),
      read: async (dir) => files[dir] ?? [],
    });
    expect(error.message).toBe("service api: go build failed for linux/amd64");
    expect(error.exitCode).toBe(ExitCode.failed);
    expect(error.details).toBe(output);
    expect(error.hint!.split("\n")).toEqual([
      'native uses cgo (import "C"), and cgo is off for this build: set `cgo: true` for service api (dray.yaml:3:3 (api)).',
      "build constraints leave out every Go file of pro (their //go:build lines name enterprise): if it needs a build tag, list it under `tags: [enterprise]` for service api (dray.yaml:9:5).",
      "Reproduce it with: cd /repo && GOOS=linux GOARCH=amd64 CGO_ENABLED=0 GOTOOLCHAIN=local GOAMD64=v1 go build -trimpath -buildvcs=false '-ldflags=-buildid= -s -w' -o /dev/null ./cmd/api",
    ]);
  });

  it("a cross build without a cross compiler is an environment problem, said before go runs", () => {
    const error = missingCompilerError(
      { ...api, cgo: true },
      { os: "linux", architecture: "arm64" },
      {
        kind: "missing",
        compiler: "aarch64-linux-gnu-gcc",
        triple: "aarch64-linux-gnu",
      },
    );
    expect(error.message).toBe(
      "service api: cgo needs a C compiler for linux/arm64, and aarch64-linux-gnu-gcc is not on PATH",
    );
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.hint).toMatch(
      /^Install aarch64-linux-gnu-gcc \(Debian: apt-get install gcc-aarch64-linux-gnu\)/,
    );
  });
});
