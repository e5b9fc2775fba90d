import { describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { engineAddress, parseEngineAddress } from "./address.js";
import { loadProblem } from "./load.js";
import { demultiplexLog } from "./logs.js";
import { buildForEngine, enginePlatform, enginePlatformOf } from "./platform.js";

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("engine address", () => {
  it("reads unix sockets and tcp hosts, and prefers the target's own host over DOCKER_HOST", () => {
    expect(parseEngineAddress("unix:///run/podman/podman.sock", "x")).toMatchObject({
      kind: "unix",
      socketPath: "/run/podman/podman.sock",
    });
    expect(parseEngineAddress("tcp://127.0.0.1:2376", "x")).toMatchObject({
      kind: "tcp",
      host: "127.0.0.1",
      port: 2376,
    });
    expect(engineAddress(undefined, { DOCKER_HOST: "tcp://127.0.0.1:1" }, "x")).toMatchObject({ port: 1 });
    expect(engineAddress("unix:///a.sock", { DOCKER_HOST: "tcp://127.0.0.1:1" }, "x")).toMatchObject({
      socketPath: "/a.sock",
    });
    expect(engineAddress(undefined, {}, "x")).toMatchObject({ socketPath: "/var/run/docker.sock" });
  });

  it("rejects anything else as a usage error naming where it came from", () => {
    expect(() => parseEngineAddress("http://x", "DOCKER_HOST")).toThrow(UserError);
    expect(() => parseEngineAddress("http://x", "DOCKER_HOST")).toThrow(
      /DOCKER_HOST: "http:\/\/x" is not an engine address/,
    );
  });
});

describe("container logs", () => {
  it("splits the engine's framed stdout/stderr stream into lines", () => {
    const body = Buffer.concat([
      frame(1, "api: listening\n"),
      frame(2, "api: oops\r\npartial"),
      frame(1, " line\n"),
    ]);
    expect(demultiplexLog(body)).toEqual(["api: listening", "api: oops", "partial line"]);
  });

  it("reads an unframed (TTY) log as plain text", () => {
    expect(demultiplexLog(Buffer.from("one\ntwo\n"))).toEqual(["one", "two"]);
  });
});

describe("image load answers", () => {
  it("finds an error the engine reports inside a 200 answer", () => {
    const body = Buffer.from(
      '{"stream":"Loading layer"}\n{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\n',
    );
    expect(loadProblem(200, body)).toBe("unexpected EOF");
    expect(loadProblem(200, Buffer.from('{"stream":"Loaded image ID: sha256:abc\\n"}\n'))).toBeUndefined();
    expect(loadProblem(500, Buffer.from('{"message":"no space left on device"}'))).toBe(
      "no space left on device",
    );
  });
});

describe("engine platform", () => {
  it("spells the engine's architecture the OCI way", () => {
    expect(enginePlatform({ OSType: "linux", Architecture: "x86_64" })).toBe("linux/amd64");
    expect(enginePlatform({ OSType: "linux", Architecture: "aarch64" })).toBe("linux/arm64");
  });
});

describe("which build runs on the engine", () => {
  const builds = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6"];
  it.each([
    { why: "x86_64 runs the amd64 build", machine: "x86_64", builds, expected: "linux/amd64" },
    { why: "aarch64 runs the arm64 build", machine: "aarch64", builds, expected: "linux/arm64" },
    {
      why: "arm64 runs a build named with v8",
      machine: "arm64",
      builds: ["linux/arm64/v8"],
      expected: "linux/arm64/v8",
    },
    {
      why: "armv7l runs arm/v7, not the first arm build",
      machine: "armv7l",
      builds: ["linux/arm/v6", "linux/arm/v7"],
      expected: "linux/arm/v7",
    },
    { why: "armv6l runs arm/v6", machine: "armv6l", builds, expected: "linux/arm/v6" },
    {
      why: "a bare arm is arm/v7",
      machine: "arm",
      builds: ["linux/arm/v6", "linux/arm/v7"],
      expected: "linux/arm/v7",
    },
    {
      why: "a bare arm does not take arm/v6 alone",
      machine: "arm",
      builds: ["linux/arm/v6"],
      expected: undefined,
    },
    {
      why: "armv7l does not take arm/v6",
      machine: "armv7l",
      builds: ["linux/amd64", "linux/arm/v6"],
      expected: undefined,
    },
    {
      why: "an amd64 engine takes no arm64 build",
      machine: "x86_64",
      builds: ["linux/arm64"],
      expected: undefined,
    },
  ])("$why", ({ machine, builds, expected }) => {
    const engine = enginePlatform({ OSType: "linux", Architecture: machine });
    expect(buildForEngine(engine, builds, (b) => b)).toBe(expected);
  });

  it("spells ARM engines with their variant", () => {
    expect(enginePlatform({ OSType: "linux", Architecture: "armv7l" })).toBe("linux/arm/v7");
    expect(enginePlatform({ OSType: "linux", Architecture: "armv6l" })).toBe("linux/arm/v6");
    expect(enginePlatform({ OSType: "linux", Architecture: "arm" })).toBe("linux/arm/v7");
    expect(enginePlatformOf({ OSType: "linux", Architecture: "armv6l" })).toEqual({
      os: "linux",
      architecture: "arm",
      variant: "v6",
    });
  });
});
