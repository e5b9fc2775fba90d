import { describe, expect, it } from "vitest";
import type { Platform } from "../oci/types.js";
import { execName, groupRequests } from "./batch-compiler.js";
import type { GoBuildable } from "./go-build.js";

function request(name: string, importPath: string, platform: Platform, extra: Partial<GoBuildable> = {}) {
  const service: GoBuildable = { name, cgo: false, debug: false, ldflags: [], tags: [], ...extra };
  return { service, main: { moduleRoot: "/repo", relPackage: `./${importPath}`, importPath }, platform };
}

const amd64 = { os: "linux", architecture: "amd64" };
const arm64 = { os: "linux", architecture: "arm64" };

describe("execName", () => {
  it("is the last import path element, skipping a major-version suffix", () => {
    expect(execName("example.com/shop/services/api")).toBe("api");
    expect(execName("example.com/tool/v2")).toBe("tool");
    expect(execName("example.com/tool/v10")).toBe("tool");
    expect(execName("example.com/x/v1")).toBe("v1");
    expect(execName("example.com/x/v0")).toBe("v0");
    expect(execName("api")).toBe("api");
  });
});

describe("groupRequests", () => {
  it("groups by platform and flags, and never puts two binaries of one name in a group", () => {
    const groups = groupRequests([
      request("api", "ex.com/services/api", amd64),
      request("users", "ex.com/services/users", amd64),
      request("api-arm", "ex.com/services/api", arm64),
      request("debug", "ex.com/services/orders", amd64, { debug: true }),
      request("other-api", "ex.com/tools/api", amd64),
    ]);
    expect(groups.map((g) => g.map((r) => r.service.name))).toEqual([
      ["api", "users"],
      ["other-api"],
      ["api-arm"],
      ["debug"],
    ]);
  });
});
