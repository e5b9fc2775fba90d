/** Go versions ordered as the go command orders them. */
import { describe, expect, it } from "vitest";
import { compareGoVersions, toolchainSatisfies, toolchainVersion } from "./go-version.js";

describe("compareGoVersions", () => {
  it("orders language versions, pre-releases and releases as go does", () => {
    const ordered = [
      "1.9",
      "1.14",
      "1.21",
      "1.21beta1",
      "1.21rc1",
      "1.21rc2",
      "1.21.0",
      "1.21.1",
      "1.21.10",
      "1.22",
      "2",
    ];
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(
        compareGoVersions(ordered[i]!, ordered[i + 1]!),
        `${ordered[i]} < ${ordered[i + 1]}`,
      ).toBeLessThan(0);
      expect(compareGoVersions(ordered[i + 1]!, ordered[i]!)).toBeGreaterThan(0);
    }
    expect(compareGoVersions("1.22.0", "1.22.0")).toBe(0);
    expect(compareGoVersions("1.x", "1.22")).toBeUndefined();
  });
});

describe("toolchainSatisfies", () => {
  const cases: { goversion: string; required: string; ok: boolean }[] = [
    { goversion: "go1.23.5", required: "1.23", ok: true },
    { goversion: "go1.23.5", required: "1.23.5", ok: true },
    { goversion: "go1.23.5", required: "1.23.6", ok: false },
    { goversion: "go1.23.5", required: "1.24", ok: false },
    { goversion: "go1.24rc1", required: "1.24", ok: true },
    { goversion: "go1.24rc1", required: "1.24.0", ok: false },
    { goversion: "go1.23.5 X:boringcrypto", required: "1.23", ok: true },
    { goversion: "devel go1.25-abcdef", required: "1.99", ok: true },
  ];
  it.each(cases)("$goversion for go $required: $ok", ({ goversion, required, ok }) => {
    expect(toolchainSatisfies(goversion, required)).toBe(ok);
  });

  it("reads the version out of GOVERSION", () => {
    expect([
      toolchainVersion("go1.23.5"),
      toolchainVersion("go1.24rc1"),
      toolchainVersion("devel x"),
    ]).toEqual(["1.23.5", "1.24rc1", undefined]);
  });
});
