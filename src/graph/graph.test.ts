import { describe, expect, it } from "vitest";
import type { GoGraph, GoPackageInfo } from "../fingerprint/types.js";
import { blastRadius, mainPackages, moduleRadius, normalizeDir } from "./blast-radius.js";
import { renderGraphDot, renderGraphJson, renderGraphText } from "./render.js";

// A hand-built package graph: three services over a few shared packages, a vendored module and the stdlib.

const M = "example.com/shop";

/** Project package: directory under the root, no module. */
const own = (dir: string): GoPackageInfo => ({
  importPath: `${M}/${dir}`,
  dir,
  standard: false,
  module: undefined,
});
const std = (importPath: string): GoPackageInfo => ({
  importPath,
  dir: undefined,
  standard: true,
  module: undefined,
});
const dep = (importPath: string, module: string, dir?: string): GoPackageInfo => ({
  importPath,
  dir,
  standard: false,
  module,
});

/** Build the shop graph; `reverse` inserts everything in the opposite order, for stability tests. */
function shopGraph(reverse = false): GoGraph {
  const packages = [
    own("cmd/api"),
    own("cmd/billing"),
    own("cmd/worker"),
    own("internal/db"),
    own("internal/auth"),
    own("internal/queue"),
    std("fmt"),
    std("net/http"),
    dep("github.com/lib/pq", "github.com/lib/pq"),
    dep("github.com/lib/pq/oid", "github.com/lib/pq"),
    dep("golang.org/x/sync/errgroup", "golang.org/x/sync", "vendor/golang.org/x/sync/errgroup"),
  ];
  const closures: [string, string[]][] = [
    [
      "api",
      [`${M}/cmd/api`, `${M}/internal/db`, `${M}/internal/auth`, "fmt", "net/http", "github.com/lib/pq"],
    ],
    [
      "billing",
      [`${M}/cmd/billing`, `${M}/internal/auth`, `${M}/internal/db`, "fmt", "github.com/lib/pq/oid"],
    ],
    ["worker", [`${M}/cmd/worker`, `${M}/internal/db`, `${M}/internal/queue`, "golang.org/x/sync/errgroup"]],
  ];
  const order = <T>(items: T[]) => (reverse ? [...items].reverse() : items);
  return {
    packages: new Map(order(packages).map((p) => [p.importPath, p])),
    closures: new Map(order(closures).map(([name, list]) => [name, order(list)])),
  };
}

/** The services' package directories as written in dray.yaml. */
const shopDirs = new Map([
  ["api", "./cmd/api"],
  ["billing", "./cmd/billing/"],
  ["worker", "cmd/worker"],
]);

const plain = { interactive: false, color: false };

describe("blastRadius", () => {
  const graph = shopGraph();
  const cases: { description: string; mains: Set<string>; want: [string, number, string[]][] }[] = [
    {
      description: "shared packages by reach, mains and vendored and non-project packages left out",
      mains: mainPackages(graph, shopDirs),
      want: [
        [`${M}/internal/db`, 3, ["api", "billing", "worker"]],
        [`${M}/internal/auth`, 2, ["api", "billing"]],
        [`${M}/internal/queue`, 1, ["worker"]],
      ],
    },
    {
      description: "without mains, each main shows up with its one service, ties by import path",
      mains: new Set(),
      want: [
        [`${M}/internal/db`, 3, ["api", "billing", "worker"]],
        [`${M}/internal/auth`, 2, ["api", "billing"]],
        [`${M}/cmd/api`, 1, ["api"]],
        [`${M}/cmd/billing`, 1, ["billing"]],
        [`${M}/cmd/worker`, 1, ["worker"]],
        [`${M}/internal/queue`, 1, ["worker"]],
      ],
    },
  ];
  it.each(cases)("$description", ({ mains, want }) => {
    const rows = blastRadius(graph, mains);
    expect(rows.map((r) => [r.importPath, r.count, r.services])).toEqual(want);
    for (const row of rows) expect(row.share).toBeCloseTo(row.count / 3);
  });

  it("gives the same rows whatever order the graph was built in", () => {
    expect(blastRadius(shopGraph(true), mainPackages(shopGraph(true), shopDirs))).toEqual(
      blastRadius(graph, mainPackages(graph, shopDirs)),
    );
  });

  it("has a share of 0, not NaN, when there are no services", () => {
    const empty: GoGraph = {
      packages: new Map([["x", { ...shopGraph().packages.get(`${M}/internal/db`)! }]]),
      closures: new Map(),
    };
    expect(blastRadius(empty, new Set())).toMatchObject([{ count: 0, share: 0, services: [] }]);
  });
});

describe("moduleRadius", () => {
  it("counts services per external module, vendored ones included, stdlib left out", () => {
    expect(moduleRadius(shopGraph()).map((r) => [r.module, r.count, r.services])).toEqual([
      ["github.com/lib/pq", 2, ["api", "billing"]],
      ["golang.org/x/sync", 1, ["worker"]],
    ]);
  });
});

describe("mainPackages and normalizeDir", () => {
  it("finds each service's main by its directory and skips services without one", () => {
    const dirs = new Map([...shopDirs, ["ghost", "./nowhere"]]);
    expect([...mainPackages(shopGraph(), dirs)].sort()).toEqual([
      `${M}/cmd/api`,
      `${M}/cmd/billing`,
      `${M}/cmd/worker`,
    ]);
  });

  it.each([
    ["./services/api", "services/api"],
    ["services/api/", "services/api"],
    [".", ""],
    ["./", ""],
    ["a/./b/../c", "a/c"],
  ])("normalizes %j to %j", (input, want) => {
    expect(normalizeDir(input)).toBe(want);
  });
});

describe("renderGraphText", () => {
  it("prints a legend, the package table and the module table", () => {
    const graph = shopGraph();
    const text = renderGraphText(
      blastRadius(graph, mainPackages(graph, shopDirs)),
      3,
      plain,
      moduleRadius(graph),
    );
    expect(text.split("\n")).toEqual([
      "blast radius across 3 Go services: a change to a package near the top rebuilds and redeploys the most services",
      "PACKAGE         SERVICES  SHARE  USED BY",
      "internal/db          3/3   100%  api, billing, worker",
      "internal/auth        2/3    67%  api, billing",
      "internal/queue       1/3    33%  worker",
      "",
      "MODULE             SERVICES  SHARE  USED BY",
      "github.com/lib/pq       2/3    67%  api, billing",
      "golang.org/x/sync       1/3    33%  worker",
    ]);
  });

  it("names the first three services and counts the rest", () => {
    const row = { importPath: "m/lib", dir: "lib", services: ["a", "b", "c", "d", "e"], count: 5, share: 1 };
    expect(renderGraphText([row], 5, plain).split("\n")[2]).toBe("lib           5/5   100%  a, b, c +2 more");
  });
});

describe("renderGraphJson", () => {
  it("rounds shares and keeps every field", () => {
    const graph = shopGraph();
    const parsed = JSON.parse(
      renderGraphJson({
        platform: null,
        services: ["api", "billing", "worker"],
        packages: blastRadius(graph, mainPackages(graph, shopDirs)),
        modules: moduleRadius(graph),
      }),
    );
    expect(parsed.platform).toBeNull();
    expect(parsed.packages[1]).toEqual({
      importPath: `${M}/internal/auth`,
      dir: "internal/auth",
      services: ["api", "billing"],
      count: 2,
      share: 0.6667,
    });
    expect(parsed.modules).toHaveLength(2);
  });
});

describe("renderGraphDot", () => {
  const dotOf = (graph: GoGraph) => renderGraphDot(graph, blastRadius(graph, mainPackages(graph, shopDirs)));
  const quoted = String.raw`"(?:[^"\\]|\\.)*"`;
  const statement = new RegExp(String.raw`^  (${quoted})(?: -> (${quoted}))?(?: \[.*\])?;$`);

  it("is the same text whatever order the graph was built in", () => {
    expect(dotOf(shopGraph(true))).toBe(dotOf(shopGraph()));
  });

  it("is well-formed: one balanced graph, every id quoted", () => {
    const lines = dotOf(shopGraph()).split("\n");
    expect(lines[0]).toBe("digraph dray {");
    expect(lines.at(-1)).toBe("}");
    const body = lines
      .slice(1, -1)
      .filter((l) => !l.startsWith("  //") && !/^ {2}(rankdir=|node \[)/.test(l));
    for (const line of body) expect(line).toMatch(statement);
    const unquoted = lines.join("\n").replace(new RegExp(quoted, "g"), "");
    expect(unquoted.split("{").length).toBe(unquoted.split("}").length);
  });

  it("draws each service to every project package it is built from, labelled with the count", () => {
    const dot = dotOf(shopGraph());
    const edges = dot.split("\n").filter((l) => l.startsWith('  "') && l.includes(" -> "));
    expect(edges).toEqual([
      `  "service:api" -> "package:${M}/internal/auth";`,
      `  "service:api" -> "package:${M}/internal/db";`,
      `  "service:billing" -> "package:${M}/internal/auth";`,
      `  "service:billing" -> "package:${M}/internal/db";`,
      `  "service:worker" -> "package:${M}/internal/db";`,
      `  "service:worker" -> "package:${M}/internal/queue";`,
    ]);
    expect(dot).toContain(`  "package:${M}/internal/db" [label="internal/db\\n3 services", shape=ellipse];`);
    expect(dot).toContain(`  "service:api" [label="api", shape=box, style=bold];`);
  });

  it("escapes quotes and backslashes in names", () => {
    const graph: GoGraph = {
      packages: new Map([
        ['m/we"ird', { importPath: 'm/we"ird', dir: 'we"ird', standard: false, module: undefined }],
      ]),
      closures: new Map([['a\\b"c', ['m/we"ird']]]),
    };
    const dot = renderGraphDot(graph, blastRadius(graph, new Set()));
    expect(dot).toContain(String.raw`  "service:a\\b\"c" -> "package:m/we\"ird";`);
    expect(dot).toContain(String.raw`[label="we\"ird\n1 service", shape=ellipse]`);
  });
});
