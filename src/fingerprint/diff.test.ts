import { describe, expect, it } from "vitest";
import { describeChange, diffIngredients, summarizeChanges } from "./diff.js";
import type { Ingredients } from "./types.js";

const base: Ingredients = {
  format: 1,
  platform: "linux/amd64",
  settings: { "go.toolchain": "go1.23.5", "image.config": "{}" },
  files: { "internal/a/a.go": "h1", "services/api/main.go": "h2" },
  packages: { "ex.com/internal/a": "p1", "ex.com/services/api": "p2" },
  modules: { "ex.com/lib": "v1.0.0 h1:x" },
};

describe("diffIngredients", () => {
  const cases: { description: string; after: Ingredients; expected: string[] }[] = [
    { description: "nothing changed", after: base, expected: [] },
    {
      description: "a file edited in a shared package",
      after: {
        ...base,
        files: { ...base.files, "internal/a/a.go": "h9" },
        packages: { ...base.packages, "ex.com/internal/a": "p9" },
      },
      expected: ["package ex.com/internal/a modified", "file internal/a/a.go modified"],
    },
    {
      description: "a module version bump",
      after: { ...base, modules: { "ex.com/lib": "v1.1.0 h1:y" } },
      expected: ["module ex.com/lib: v1.0.0 h1:x → v1.1.0 h1:y"],
    },
    {
      description: "a setting changed and a file added",
      after: {
        ...base,
        settings: { ...base.settings, "go.toolchain": "go1.23.6" },
        files: { ...base.files, "services/api/extra.go": "h3" },
      },
      expected: ["setting go.toolchain: go1.23.5 → go1.23.6", "file services/api/extra.go added"],
    },
    {
      description: "a package dropped from the closure",
      after: { ...base, packages: { "ex.com/services/api": "p2" }, files: { "services/api/main.go": "h2" } },
      expected: ["package ex.com/internal/a removed", "file internal/a/a.go removed"],
    },
  ];
  for (const c of cases) {
    it(c.description, () => {
      expect(diffIngredients(base, c.after).map(describeChange)).toEqual(c.expected);
    });
  }

  it("summarizes packages rather than their files, and counts what does not fit", () => {
    const after: Ingredients = {
      ...base,
      packages: { "ex.com/internal/a": "x", "ex.com/services/api": "y", "ex.com/internal/b": "z" },
    };
    expect(summarizeChanges(diffIngredients(base, after))).toBe(
      "packages ex.com/internal/a, ex.com/internal/b +1 more",
    );
  });
});
