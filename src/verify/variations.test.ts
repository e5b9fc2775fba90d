import { describe, expect, it } from "vitest";
import {
  describeVariations,
  planVariations,
  systemProbes,
  type VariationProbes,
  VERIFY_LOCALE,
} from "./variations.js";

const SETUP = { copy: "/tmp/v/elsewhere/shop-copy", umask: 0o077, mtime: 0, gocache: "/tmp/v/empty-gocache" };

/** A machine that has everything, with the answers `missing` names turned off. */
function machine(...missing: ("locale" | "zone" | "faketime")[]): VariationProbes {
  return {
    hasLocale: async () => !missing.includes("locale"),
    hasTimeZone: async () => !missing.includes("zone"),
    clockShifts: async () => !missing.includes("faketime"),
  };
}

describe("planVariations", () => {
  it("applies every variation on a machine that has them all", async () => {
    const planned = await planVariations(SETUP, machine());
    expect(planned.variations.map((v) => [v.name, v.applied, v.value])).toEqual([
      ["path", true, SETUP.copy],
      ["umask", true, "umask 077"],
      ["mtimes", true, "files dated 1970-01-01T00:00:00.000Z"],
      ["TZ", true, "TZ=Pacific/Chatham"],
      ["locale", true, "LC_ALL=tr_TR.UTF-8"],
      ["clock", true, "clock 400 days ahead (faketime)"],
      ["Go cache", true, "empty GOCACHE"],
    ]);
    expect(planned.env).toEqual({
      GOCACHE: SETUP.gocache,
      TZ: "Pacific/Chatham",
      LANG: VERIFY_LOCALE,
      LC_ALL: VERIFY_LOCALE,
    });
    expect(planned.prefix).toEqual(["faketime", "-f", "+400d"]);
  });

  it("sets no locale it does not have, and says so", async () => {
    const planned = await planVariations(SETUP, machine("locale"));
    expect(planned.env).not.toHaveProperty("LC_ALL");
    expect(planned.env).not.toHaveProperty("LANG");
    const locale = planned.variations.find((v) => v.name === "locale");
    expect(locale).toMatchObject({ applied: false, value: "LC_ALL=tr_TR.UTF-8" });
    expect(locale?.skipped).toMatch(/not installed.*locales-all/);
  });

  it("skips the time zone and the clock when the machine cannot vary them", async () => {
    const planned = await planVariations(SETUP, machine("zone", "faketime"));
    expect(planned.env).not.toHaveProperty("TZ");
    expect(planned.prefix).toEqual([]);
    expect(planned.variations.filter((v) => !v.applied).map((v) => v.name)).toEqual(["TZ", "clock"]);
  });
});

describe("describeVariations", () => {
  it("lists what was varied on one line and every skipped variation on its own", async () => {
    const { variations } = await planVariations(SETUP, machine("locale"));
    const lines = describeVariations(variations);
    expect(lines[0]).toBe(
      `second build: ${SETUP.copy}, umask 077, files dated 1970-01-01T00:00:00.000Z, TZ=Pacific/Chatham, ` +
        "clock 400 days ahead (faketime), empty GOCACHE",
    );
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toMatch(
      /^not varied: locale \(LC_ALL=tr_TR\.UTF-8\): the locale tr_TR\.UTF-8 is not installed/,
    );
  });
});

describe("systemProbes", () => {
  it("finds the C.UTF-8 locale every glibc has, under either spelling, and no made-up one", async () => {
    expect(await systemProbes.hasLocale("C.UTF-8")).toBe(true);
    expect(await systemProbes.hasLocale("C.utf8")).toBe(true);
    expect(await systemProbes.hasLocale("xx_YY.UTF-8")).toBe(false);
  });

  it("finds UTC and no made-up zone", async () => {
    expect(await systemProbes.hasTimeZone("UTC")).toBe(true);
    expect(await systemProbes.hasTimeZone("Nowhere/Atlantis")).toBe(false);
  });
});
