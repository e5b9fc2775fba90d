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
  const m = "example.com/shop";
  const cases: { description: string; mains: [string, string][]; taken?: string[]; expected: string[] }[] = [
    {
      description: "the last element of the import path",
      mains: [
        [`${m}/services/api`, m],
        [`${m}/services/orders`, m],
      ],
      expected: ["api", "orders"],
    },
    {
      description: "a root main is named after its module, not the checkout's directory",
      mains: [["github.com/opencontainers/runc", "github.com/opencontainers/runc"]],
      expected: ["runc"],
    },
    {
      description: "a major-version suffix is skipped, as go names the binary",
      mains: [
        ["example.com/acme/greeter/v3", "example.com/acme/greeter/v3"],
        ["example.com/x/v2/cmd/v2", "example.com/x/v2"],
      ],
      expected: ["greeter", "x"],
    },
    {
      description: "generic leaf names take the name above them",
      mains: [
        [`${m}/billing/cmd`, m],
        [`${m}/services/orders/cmd/server`, m],
        [`${m}/search/main`, m],
        [`${m}/payments/app`, m],
      ],
      expected: ["billing", "orders", "search", "payments"],
    },
    {
      description: "never above the module's own name: a module called server keeps it",
      mains: [
        ["example.com/server", "example.com/server"],
        ["example.com/tools/cmd", "example.com/tools/cmd"],
      ],
      expected: ["server", "cmd"],
    },
    {
      description: "a collision takes the nearest element above that differs",
      mains: [
        ["github.com/a/tool", "github.com/a/tool"],
        ["github.com/b/tool", "github.com/b/tool"],
        [`${m}/x/api/cmd/api`, m],
        [`${m}/y/api`, m],
      ],
      expected: ["a-tool", "b-tool", "x-api", "y-api"],
    },
    {
      description: "mains that differ only below their name take their leaf",
      mains: [
        [`${m}/inventory/cmd/server`, m],
        [`${m}/inventory/app`, m],
      ],
      expected: ["inventory-server", "inventory-app"],
    },
    {
      description: "names that only collide after cleaning",
      mains: [
        [`${m}/a/API`, m],
        [`${m}/b/api`, m],
      ],
      expected: ["a-api", "b-api"],
    },
    {
      description: "what still collides gets a number, in the order given",
      mains: [
        [`${m}/x/api`, m],
        [`${m}/y/api`, m],
        [`${m}/x-api`, m],
      ],
      expected: ["x-api", "y-api", "x-api-2"],
    },
    {
      description: "names a dray.yaml already has are not handed out again",
      mains: [
        [`${m}/services/api`, m],
        [`${m}/services/web`, m],
      ],
      taken: ["api"],
      expected: ["api-2", "web"],
    },
  ];
  it.each(cases)("$description", ({ mains, taken, expected }) => {
    const sources = mains.map(([importPath, modulePath]) => ({ importPath, modulePath }));
    expect(nameServices(sources, taken)).toEqual(expected);
  });
});
