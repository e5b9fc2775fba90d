/** Names `dray init` derives: valid for dray.yaml, readable, and unique. */
import { describe, expect, it } from "vitest";
import { nameServices, toProjectName, toServiceName } from "./names.js";

describe("toProjectName / toServiceName", () => {
  const cases: { description: string; raw: string; project: string; service: string }[] = [
    { description: "an already valid name", raw: "shop", project: "shop", service: "shop" },
    { description: "upper case and spaces", raw: "My Shop", project: "my-shop", service: "my-shop" },
    {
      description: "underscores (allowed in service names only)",
      raw: "order_svc",
      project: "order-svc",
      service: "order_svc",
    },
    {
      description: "dots and runs of odd characters",
      raw: "api.v2!!beta",
      project: "api-v2-beta",
      service: "api-v2-beta",
    },
    { description: "leading and trailing separators", raw: "_-web-_", project: "web", service: "web-_" },
    { description: "nothing usable", raw: "ÄÖÜ", project: "project", service: "service" },
    { description: "too long", raw: "a".repeat(70), project: "a".repeat(63), service: "a".repeat(63) },
  ];
  it.each(cases)("$description", ({ raw, project, service }) => {
    expect([toProjectName(raw), toServiceName(raw)]).toEqual([project, service]);
  });
});

describe("nameServices", () => {
  const cases: { description: string; dirs: string[]; expected: string[] }[] = [
    {
      description: "distinct last directories",
      dirs: ["services/api", "services/orders"],
      expected: ["api", "orders"],
    },
    {
      description: "the root package is named after the root directory",
      dirs: [".", "tools/gen"],
      expected: ["shop", "gen"],
    },
    {
      description: "a collision takes the nearest parent that differs",
      dirs: ["api/cmd/server", "worker/cmd/server", "tools/lint"],
      expected: ["api-server", "worker-server", "lint"],
    },
    {
      description: "names that only collide after cleaning",
      dirs: ["a/API", "b/api"],
      expected: ["a-api", "b-api"],
    },
    {
      description: "a collision left over gets a number",
      dirs: ["x/api", "x-api"],
      expected: ["api", "x-api"],
    },
    {
      description: "identical qualified names get numbers",
      dirs: ["a/b/c", "a_b/c"],
      expected: ["b-c", "a_b-c"],
    },
    {
      description: "a qualified name that meets a plain one gets a number, in the order given",
      dirs: ["p/x", "p-x", "q/p/x"],
      expected: ["p-x", "p-x-2", "q-x"],
    },
  ];
  it.each(cases)("$description", ({ dirs, expected }) => {
    expect(nameServices(dirs, "shop")).toEqual(expected);
  });
});
