import { describe, expect, it } from "vitest";
import { UserError } from "../errors/index.js";
import { logPrefixes } from "./log-prefix.js";
import { parseSince } from "./since.js";

describe("parseSince", () => {
  const now = Date.parse("2026-12-06T15:00:00Z");
  const cases = [
    { text: "10m", seconds: now / 1000 - 600 },
    { text: "1h", seconds: now / 1000 - 3600 },
    { text: "1h30m", seconds: now / 1000 - 5400 },
    { text: "90s", seconds: now / 1000 - 90 },
    { text: "2026-12-06T14:00:00Z", seconds: now / 1000 - 3600 },
    { text: "2026-12-06T16:00:00.5+02:00", seconds: now / 1000 - 3600 + 0.5 },
  ];
  for (const c of cases) it(`reads ${c.text}`, () => expect(parseSince(c.text, now)).toBe(c.seconds));

  for (const text of ["10", "yesterday", "2026-12-06", "2026-12-06 14:00:00", "-5m"])
    it(`refuses ${JSON.stringify(text)} as a usage error`, () => {
      expect(() => parseSince(text, now)).toThrow(UserError);
      try {
        parseSince(text, now);
      } catch (error) {
        expect((error as UserError).exitCode).toBe(2);
      }
    });
});

describe("logPrefixes", () => {
  it("pads every prefix to the longest name, without colour when colour is off", () => {
    const prefix = logPrefixes(["api", "orders.1", "orders.2"], { color: false, interactive: false });
    expect(["api", "orders.2"].map(prefix)).toEqual(["api      |", "orders.2 |"]);
  });

  it("gives each source its own colour", () => {
    const prefix = logPrefixes(["api", "db"], { color: true, interactive: true });
    expect(prefix("api")).toBe("\x1b[36mapi |\x1b[0m");
    expect(prefix("db")).toBe("\x1b[33mdb  |\x1b[0m");
  });
});
