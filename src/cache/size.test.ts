import { describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { DEFAULT_CACHE_LIMIT, defaultCacheLimit, parseSize } from "./size.js";

describe("parseSize", () => {
  it.each([
    { text: "0", bytes: 0 },
    { text: "5368709120", bytes: 5368709120 },
    { text: "500MB", bytes: 500_000_000 },
    { text: "500mb", bytes: 500_000_000 },
    { text: "2GiB", bytes: 2 * 1024 ** 3 },
    { text: "1.5 GB", bytes: 1_500_000_000 },
    { text: " 10 KiB ", bytes: 10_240 },
    { text: "1TB", bytes: 1e12 },
    { text: "1TiB", bytes: 1024 ** 4 },
    { text: "12B", bytes: 12 },
    { text: "1.0001KB", bytes: 1000 },
    { text: "", bytes: undefined },
    { text: "-1", bytes: undefined },
    { text: "1.5", bytes: undefined },
    { text: "1.5B", bytes: undefined },
    { text: "10 parsecs", bytes: undefined },
    { text: "GB", bytes: undefined },
    { text: "1e9", bytes: undefined },
    { text: "0x10", bytes: undefined },
    { text: "99999999999 TiB", bytes: undefined },
  ])("$text → $bytes", ({ text, bytes }) => {
    expect(parseSize(text)).toBe(bytes);
  });
});

describe("defaultCacheLimit", () => {
  it.each([
    { description: "5 GiB when unset", env: {}, limit: DEFAULT_CACHE_LIMIT },
    { description: "5 GiB when empty", env: { DRAY_CACHE_MAX: " " }, limit: 5 * 1024 ** 3 },
    { description: "bytes", env: { DRAY_CACHE_MAX: "1000" }, limit: 1000 },
    { description: "a unit", env: { DRAY_CACHE_MAX: "500MB" }, limit: 500_000_000 },
  ])("is $description", ({ env, limit }) => {
    expect(defaultCacheLimit(env)).toBe(limit);
  });

  it("names the variable and the accepted forms when the value is bad", () => {
    let caught: unknown;
    try {
      defaultCacheLimit({ DRAY_CACHE_MAX: "lots" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe('DRAY_CACHE_MAX is not a size: "lots"');
    expect((caught as UserError).hint).toMatch(/500MB, 2GiB/);
    expect((caught as UserError).exitCode).toBe(2);
  });
});
