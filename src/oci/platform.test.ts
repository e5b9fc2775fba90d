import { describe, expect, it } from "vitest";
import {
  comparePlatforms,
  isPlatformName,
  normalizePlatform,
  PLATFORMS,
  parsePlatform,
  platformName,
  samePlatform,
  selectPlatform,
} from "./platform.js";
import type { Platform } from "./types.js";

const AMD64: Platform = { os: "linux", architecture: "amd64" };
const ARM64: Platform = { os: "linux", architecture: "arm64" };
const ARM64_V8: Platform = { os: "linux", architecture: "arm64", variant: "v8" };
const ARM_V7: Platform = { os: "linux", architecture: "arm", variant: "v7" };
const ARM_V6: Platform = { os: "linux", architecture: "arm", variant: "v6" };

describe("platform names", () => {
  it("names platforms os/arch/variant", () => {
    expect(platformName({ os: "linux", architecture: "arm", variant: "v7" })).toBe("linux/arm/v7");
    expect(platformName({ os: "linux", architecture: "amd64" })).toBe("linux/amd64");
  });

  it("parses every supported name back to the platform it names", () => {
    for (const name of PLATFORMS) {
      expect(isPlatformName(name)).toBe(true);
      expect(platformName(parsePlatform(name))).toBe(name);
    }
    expect(parsePlatform("linux/arm/v6")).toEqual(ARM_V6);
    expect(parsePlatform("linux/amd64")).toEqual(AMD64);
    expect(isPlatformName("linux/arm64/v8")).toBe(false);
  });

  it("orders by os, architecture, then variant with none first", () => {
    const sorted = [ARM_V7, ARM64, AMD64, { os: "linux", architecture: "arm" }, ARM_V6].sort(
      comparePlatforms,
    );
    expect(sorted.map(platformName)).toEqual([
      "linux/amd64",
      "linux/arm",
      "linux/arm/v6",
      "linux/arm/v7",
      "linux/arm64",
    ]);
  });
});

describe("samePlatform", () => {
  it.each([
    { why: "arm64/v8 is arm64", a: ARM64_V8, b: ARM64, same: true },
    { why: "arm64 is arm64/v8", a: ARM64, b: ARM64_V8, same: true },
    { why: "arm64 v8.0 is arm64", a: { ...ARM64, variant: "v8.0" }, b: ARM64, same: true },
    {
      why: "arm without a variant is arm/v7",
      a: { os: "linux", architecture: "arm" },
      b: ARM_V7,
      same: true,
    },
    {
      why: "arm without a variant is not arm/v6",
      a: { os: "linux", architecture: "arm" },
      b: ARM_V6,
      same: false,
    },
    { why: "a bare variant number is the v form", a: { ...ARM_V7, variant: "7" }, b: ARM_V7, same: true },
    { why: "arm/v7 is not arm/v6", a: ARM_V7, b: ARM_V6, same: false },
    { why: "amd64/v1 is amd64", a: { ...AMD64, variant: "v1" }, b: AMD64, same: true },
    { why: "amd64/v3 is not amd64", a: { ...AMD64, variant: "v3" }, b: AMD64, same: false },
    { why: "names and objects compare alike", a: "linux/arm/v7", b: ARM_V7, same: true },
    { why: "another architecture", a: AMD64, b: ARM64, same: false },
    { why: "another os", a: { os: "windows", architecture: "amd64" }, b: AMD64, same: false },
  ])("$why", ({ a, b, same }) => {
    expect(samePlatform(a, b)).toBe(same);
    expect(samePlatform(b, a)).toBe(same);
  });

  it("normalizes to dray's spelling", () => {
    expect(normalizePlatform(ARM64_V8)).toEqual(ARM64);
    expect(normalizePlatform({ os: "linux", architecture: "arm" })).toEqual(ARM_V7);
    expect(normalizePlatform(ARM_V6)).toEqual(ARM_V6);
  });
});

describe("selectPlatform", () => {
  const of = (p: Platform) => p;
  const AMD64_V3 = { ...AMD64, variant: "v3" };

  it.each([
    { why: "the same platform", candidates: [AMD64, ARM64_V8], wanted: ARM64, expected: [ARM64_V8] },
    {
      why: "every duplicate of it",
      candidates: [ARM64, ARM64_V8],
      wanted: ARM64,
      expected: [ARM64, ARM64_V8],
    },
    {
      why: "the same platform before a looser fit",
      candidates: [AMD64_V3, AMD64],
      wanted: AMD64,
      expected: [AMD64],
    },
    {
      why: "any variant when none is asked for and none is the same",
      candidates: [AMD64_V3, ARM64],
      wanted: AMD64,
      expected: [AMD64_V3],
    },
    { why: "no other variant when one is asked for", candidates: [ARM_V6], wanted: ARM_V7, expected: [] },
    { why: "nothing of another architecture", candidates: [AMD64], wanted: ARM64, expected: [] },
  ])("$why", ({ candidates, wanted, expected }) => {
    expect(selectPlatform(candidates, wanted, of)).toEqual(expected);
  });

  // The entry-by-entry cases the registry walk had for its platform filter.
  it.each([
    [ARM64_V8, ARM64, true],
    [ARM64, ARM64_V8, true],
    [ARM_V7, ARM_V6, false],
    [AMD64, ARM64_V8, false],
  ])("%o for %o is %s", (entry, wanted, expected) => {
    expect(selectPlatform([entry], wanted, of).length === 1).toBe(expected);
  });
});
