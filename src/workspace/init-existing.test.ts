/** Reading an existing dray.yaml's services, and adding entries to it without touching the rest. */
import { describe, expect, it } from "vitest";
import { insertServices, normalizePackage, readExistingServices } from "./init-existing.js";

describe("normalizePackage", () => {
  const cases: [string, string | undefined][] = [
    ["services/api", "./services/api"],
    ["./services/api/", "./services/api"],
    ["./a/../b", "./b"],
    [".", "."],
    ["./", "."],
    ["../elsewhere", undefined],
    ["/abs", undefined],
  ];
  it.each(cases)("%s → %s", (value, expected) => {
    expect(normalizePackage(value)).toBe(expected);
  });
});

describe("readExistingServices", () => {
  it("takes names from the map and packages from go: lines, active, flow-style or commented out", () => {
    const text = [
      "services:",
      "  api: { go: services/api }",
      "  web:",
      "    command: make",
      "  # old:",
      "  #   go: './services/old'",
      "",
    ].join("\n");
    const existing = readExistingServices(text, "dray.yaml");
    expect(existing.names).toEqual(["api", "web"]);
    expect([...existing.packages].sort()).toEqual(["./services/api", "./services/old"]);
  });
});

describe("insertServices", () => {
  const entries = "  new:\n    go: ./new";
  const cases: { description: string; text: string; expected: string | undefined }[] = [
    {
      description: "at the end of the services block, before the keys that follow",
      text: "services:\n  api:\n    go: ./api\nplatforms: [linux/amd64]\n",
      expected: "services:\n  api:\n    go: ./api\n  new:\n    go: ./new\nplatforms: [linux/amd64]\n",
    },
    {
      description: "in a file without a final newline",
      text: "services:\n  api:\n    go: ./api",
      expected: "services:\n  api:\n    go: ./api\n  new:\n    go: ./new\n",
    },
    {
      description: "with the file's own indentation",
      text: "services:\n   api:\n      go: ./api\n",
      expected: "services:\n   api:\n      go: ./api\n   new:\n     go: ./new\n",
    },
    {
      description: "a new services block where there is none",
      text: "project: shop\n",
      expected: "project: shop\nservices:\n  new:\n    go: ./new\n",
    },
    {
      description: "never into a flow-style map",
      text: "services: { api: { go: ./api } }\n",
      expected: undefined,
    },
  ];
  it.each(cases)("$description", ({ text, expected }) => {
    expect(insertServices(text, entries, "dray.yaml")).toBe(expected);
  });
});
