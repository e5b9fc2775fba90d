/**
 * Paths named in dray.yaml are checked against a fake disk: what must exist, what must stay
 * inside a service's context, and where each problem points.
 */
import { describe, expect, it } from "vitest";
import { problemsOfLines } from "../../test/support/config-lines.js";
import type { Exists, PathKind } from "./check-paths.js";

/** The disk of a small monorepo at /repo. */
const disk = new Map<string, PathKind>([
  ["/repo", "directory"],
  ["/repo/services/api", "directory"],
  ["/repo/services/api/static", "directory"],
  ["/repo/services/api/main.go", "file"],
  ["/repo/config/app.json", "file"],
  ["/repo/web", "directory"],
  ["/repo/images", "directory"],
  ["/repo/images/oci-layout", "file"],
  ["/repo/not-a-layout", "directory"],
]);
const exists: Exists = (p) => disk.get(p);

/** The problems of `lines` as /repo/dray.yaml on that disk. */
const problemsOf = (lines: readonly string[]) => problemsOfLines(lines, { exists });

const head = ["project: shop", "services:", "  api:"];

const cases: { description: string; lines: string[]; expected: string[] }[] = [
  {
    description: "every path exists and stays inside its context",
    lines: [
      "project: shop",
      "base: oci:images:alpine:3.20",
      "services:",
      "  api:",
      "    go: ./services/api",
      "    files: [services/api/static:/srv/static, { from: config/app.json, to: /etc/app.json }]",
      "  web:",
      "    command: make",
      "    dir: web",
      "    base: { layout: images, ref: nginx }",
    ],
    expected: [],
  },
  {
    description: "a go package directory that does not exist points at its value",
    lines: [...head, "    go: ./services/apx"],
    expected: ["dray.yaml:4:9  services.api.go: directory ./services/apx does not exist"],
  },
  {
    description: "a go package that is a file",
    lines: [...head, "    go: ./services/api/main.go"],
    expected: ["dray.yaml:4:9  services.api.go: ./services/api/main.go is a file, not a directory"],
  },
  {
    description: "a context that does not exist",
    lines: [...head, "    go: ./services/api", "    context: services/ap"],
    expected: ["dray.yaml:5:14  services.api.context: directory services/ap does not exist"],
  },
  {
    description: "files: one that does not exist and one outside the context",
    lines: [
      ...head,
      "    go: ./services/api",
      "    context: services/api",
      "    files:",
      "      - static/missing:/srv",
      "      - { from: ../../config/app.json, to: /etc/app.json }",
    ],
    expected: [
      `dray.yaml:7:9  services.api.files[0]: "static/missing" does not exist in the service's context, "services/api"`,
      `dray.yaml:8:17  services.api.files[1].from: "../../config/app.json" is outside the service's context, "services/api"`,
    ],
  },
  {
    description: "files are relative to the project root when there is no context",
    lines: [...head, "    go: ./services/api", "    files: [static:/srv]"],
    expected: [
      `dray.yaml:5:13  services.api.files[0]: "static" does not exist in the service's context, the project root`,
    ],
  },
  {
    description: "a command service: dir missing, output leaving it",
    lines: [
      "project: shop",
      "services:",
      "  web:",
      "    command: make",
      "    dir: webb",
      "    output: ../dist",
    ],
    expected: [
      "dray.yaml:5:10  services.web.dir: directory webb does not exist",
      'dray.yaml:6:13  services.web.output: "../dist" is outside dir — the output must be inside the service\'s context',
    ],
  },
  {
    description: "base layouts: missing, and a directory that is not an OCI layout",
    lines: [
      "project: shop",
      "base: oci:imgs:alpine",
      ...head.slice(1),
      "    go: ./services/api",
      "    base: { layout: not-a-layout, ref: x }",
    ],
    expected: [
      "dray.yaml:2:7  base: OCI image layout directory imgs does not exist",
      "dray.yaml:6:21  services.api.base.layout: not-a-layout is not an OCI image layout (it has no oci-layout file)",
    ],
  },
  {
    description: "a missing directory is reported together with a misspelled key of the same service",
    lines: [...head, "    go: ./services/apx", "    prots: [8080]"],
    expected: [
      "dray.yaml:4:9  services.api.go: directory ./services/apx does not exist",
      'dray.yaml:5:5  services.api.prots: unknown key "prots" — did you mean "ports"?',
    ],
  },
];

describe("path checks", () => {
  it.each(cases)("$description", ({ lines, expected }) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});
