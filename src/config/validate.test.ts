/**
 * What a user sees for each kind of mistake in dray.yaml: the exact line, column, path and
 * message. Runs the pure core with every path "existing", so only validation speaks here.
 */
import { describe, expect, it } from "vitest";
import { problemsOfLines } from "../../test/support/config-lines.js";

/** The problems of `lines` as /repo/dray.yaml, with every path existing and the environment `env`. */
const problemsOf = (lines: readonly string[], env: NodeJS.ProcessEnv = {}) => problemsOfLines(lines, { env });

/** A valid file's first lines: a project and one Go service, so a case adds only its mistake. */
const api = ["project: shop", "services:", "  api:", "    go: ./services/api"];
const allPlatforms =
  "linux/amd64, linux/arm64, linux/arm/v7, linux/arm/v6, linux/386, linux/ppc64le, linux/s390x, linux/riscv64";
const notAPort =
  'is not a port — write a number from 1 to 65535, optionally as a string with "/tcp", "/udp" or "/sctp"';

const cases: { description: string; lines: string[]; env?: NodeJS.ProcessEnv; expected: string[] }[] = [
  {
    description: "a misspelled key points at the key and suggests the closest one",
    lines: [...api, "    prots: [8080]"],
    expected: ['dray.yaml:5:5  services.api.prots: unknown key "prots" — did you mean "ports"?'],
  },
  {
    description: "a suggestion ignores case",
    lines: ["project: shop", "services:", "  web:", "    command: make", "    dir: web", "    buildenv: {}"],
    expected: ['dray.yaml:6:5  services.web.buildenv: unknown key "buildenv" — did you mean "buildEnv"?'],
  },
  {
    description: "an unknown key with no close match lists the keys allowed there",
    lines: ["project: shop", "colour: red", ...api.slice(1)],
    expected: [
      'dray.yaml:2:1  colour: unknown key "colour" — allowed here: project, registry, cache, targets, platforms, base, sourceDateEpoch, services, sbom, sign',
    ],
  },
  {
    description: "a value of the wrong type names what was expected and what was found",
    lines: [...api, "    ports: 8080", '    cgo: "yes"'],
    expected: [
      "dray.yaml:5:12  services.api.ports: expected a list, got the number 8080",
      'dray.yaml:6:10  services.api.cgo: expected true, false or "dynamic", got "yes"',
    ],
  },
  {
    description: "an unknown platform lists the allowed ones",
    lines: ["project: shop", "platforms: [linux/amd64, linux/amd65]", ...api.slice(1)],
    expected: [`dray.yaml:2:26  platforms[1]: "linux/amd65" is not a platform — allowed: ${allPlatforms}`],
  },
  {
    description: "32-bit arm without its variant is not a platform",
    lines: [...api, "    platforms: [linux/arm]"],
    expected: [
      `dray.yaml:5:17  services.api.platforms[0]: "linux/arm" is not a platform — allowed: ${allPlatforms}`,
    ],
  },
  {
    description: "a platform listed twice",
    lines: ["project: shop", "platforms: [linux/amd64, linux/amd64]", ...api.slice(1)],
    expected: ['dray.yaml:2:26  platforms[1]: "linux/amd64" is listed twice'],
  },
  {
    description: "an empty platform list",
    lines: ["project: shop", "platforms: []", ...api.slice(1)],
    expected: ["dray.yaml:2:12  platforms: must list at least one platform"],
  },
  {
    description: "ports: a bad protocol, zero, and a boolean",
    lines: [...api, '    ports: [8080, "9090/udpx", 0, true]'],
    expected: [
      `dray.yaml:5:19  services.api.ports[1]: "9090/udpx" ${notAPort}`,
      `dray.yaml:5:32  services.api.ports[2]: the number 0 ${notAPort}`,
      `dray.yaml:5:35  services.api.ports[3]: true ${notAPort}`,
    ],
  },
  {
    description: "a service with both go and command points at command",
    lines: [...api, "    command: make"],
    expected: [
      'dray.yaml:5:5  services.api.command: has both "go" and "command" — a service is either a Go main package (go) or built by a command (command)',
    ],
  },
  {
    description: "a service with neither go nor command points at the service",
    lines: ["project: shop", "services:", "  api:", "    ports: [8080]"],
    expected: [
      'dray.yaml:3:3  services.api: needs "go" (the directory of a Go main package) or "command" (a command that builds it)',
    ],
  },
  {
    description: "a command-service key on a go service",
    lines: [...api, "    output: dist"],
    expected: [
      'dray.yaml:5:5  services.api.output: "output" is not allowed for a go service (it belongs to command services)',
    ],
  },
  {
    description: "a command-service key inside a go service's settings is just unknown there",
    lines: [...api, "    files: [{ from: a, to: /a, dir: b }]"],
    expected: ['dray.yaml:5:32  services.api.files[0].dir: unknown key "dir" — allowed here: from, to'],
  },
  {
    description: "a go-service key on a command service",
    lines: ["project: shop", "services:", "  web:", "    command: make", "    dir: web", "    cgo: true"],
    expected: [
      'dray.yaml:6:5  services.web.cgo: "cgo" is not allowed for a command service (it belongs to go services)',
    ],
  },
  {
    description: "a missing project points at the top of the file",
    lines: api.slice(1),
    expected: ['dray.yaml:1:1  project: missing required key "project"'],
  },
  {
    description: "a command service without dir points at the service",
    lines: ["project: shop", "services:", "  web:", "    command: make"],
    expected: ['dray.yaml:3:3  services.web.dir: missing required key "dir"'],
  },
  {
    description: "no services at all",
    lines: ["project: shop", "services: {}"],
    expected: ["dray.yaml:2:11  services: lists no services — add at least one"],
  },
  {
    description: "names: a bad project name and a bad service name (at the key)",
    lines: ["project: My Shop", "services:", "  My_Api:", "    go: ./api"],
    expected: [
      'dray.yaml:1:10  project: "My Shop" is not a valid project name — use 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
      'dray.yaml:3:3  services.My_Api: "My_Api" is not a valid service name — use 1 to 63 lowercase letters, digits, "-" and "_", starting with a letter or digit',
    ],
  },
  {
    description: "env: a bad variable name (at the key) and an empty value (at the key, having no place)",
    lines: [...api, "    env:", "      1X: a", "      EMPTY:"],
    expected: [
      'dray.yaml:6:7  services.api.env["1X"]: "1X" is not a valid variable name — use letters, digits and "_", not starting with a digit',
      "dray.yaml:7:7  services.api.env.EMPTY: expected a string, number or boolean, got an empty value",
    ],
  },
  {
    description: "base: an image reference without its registry, and a layout without its ref",
    lines: ["project: shop", "base: alpine:3.20", ...api.slice(1), "    base: { layout: images }"],
    expected: [
      'dray.yaml:2:7  base: "alpine:3.20" names no registry — write the registry\'s host first, e.g. "docker.io/library/alpine:3.20"',
      'dray.yaml:6:5  services.api.base.ref: missing required key "ref"',
    ],
  },
  {
    description: "files: a short form without a target, and an unknown key in the long form",
    lines: [...api, "    files:", "      - static", "      - { from: a, too: /b }"],
    expected: [
      'dray.yaml:6:9  services.api.files[0]: "static" is not a file mapping — write "from:to" with an absolute "to", e.g. "config/app.json:/etc/app.json"',
      'dray.yaml:7:9  services.api.files[1].to: missing required key "to"',
      'dray.yaml:7:20  services.api.files[1].too: unknown key "too" — did you mean "to"?',
    ],
  },
  {
    description: "paths: an absolute host path and a relative image path",
    lines: ["project: shop", "services:", "  api:", "    go: /src/api", "    binary: app"],
    expected: [
      'dray.yaml:4:9  services.api.go: "/src/api" is an absolute path — write it relative to the project root',
      'dray.yaml:5:13  services.api.binary: "app" is not an absolute file path in the image — e.g. "/app/api"',
    ],
  },
  {
    description: "union-typed settings name every allowed form",
    lines: [...api, "    user: true", "    entrypoint: 5"],
    expected: [
      'dray.yaml:5:11  services.api.user: expected a user like "65532:65532" or a user id, got true',
      "dray.yaml:6:17  services.api.entrypoint: expected a string or a list of strings, got the number 5",
    ],
  },
  {
    description: "a negative sourceDateEpoch",
    lines: ["project: shop", "sourceDateEpoch: -1", ...api.slice(1)],
    expected: ["dray.yaml:2:18  sourceDateEpoch: must be at least 0, got the number -1"],
  },
  {
    description: "a SOURCE_DATE_EPOCH that is not a number, when the file sets none",
    lines: api,
    env: { SOURCE_DATE_EPOCH: "yesterday" },
    expected: [
      '$SOURCE_DATE_EPOCH  "yesterday" is not a whole number of seconds since 1970 (read because dray.yaml sets no sourceDateEpoch)',
    ],
  },
  {
    description: "SOURCE_DATE_EPOCH is not even read when the file sets sourceDateEpoch",
    lines: ["project: shop", "sourceDateEpoch: 1700000000", ...api.slice(1)],
    env: { SOURCE_DATE_EPOCH: "yesterday" },
    expected: [],
  },
  {
    description: "YAML syntax: an unclosed bracket is reported where YAML noticed it",
    lines: ["project: shop", "services:", "  api: [unclosed"],
    expected: [
      "dray.yaml:4:1  invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  },
  {
    description: "YAML syntax: a tab used for indentation",
    lines: ["project: shop", "services:", "\tapi:"],
    expected: ["dray.yaml:3:1  invalid YAML: Tabs are not allowed as indentation"],
  },
  {
    description: "a duplicate key is an error, and the rest of the file is still checked",
    lines: [...api, "  api:", "    go: ./services/api", "    prots: [8080]"],
    expected: [
      'dray.yaml:5:3  duplicate key "api" — a key may appear only once in a map',
      'dray.yaml:7:5  services.api.prots: unknown key "prots" — did you mean "ports"?',
    ],
  },
  {
    description: "an empty file",
    lines: [],
    expected: ['dray.yaml:1:1  the file is empty — it needs at least "project" and "services"'],
  },
  {
    description: "a file that is a list",
    lines: ["- project: shop"],
    expected: ["dray.yaml:1:1  the file must be a map of settings (project, services, …), got a list"],
  },
  {
    description: "several problems are reported together, in file order",
    lines: [
      "project: shop",
      "platforms: [linux/amd65]",
      "services:",
      "  api:",
      "    go: ./services/api",
      "    prots: [8080]",
      "  web:",
      "    command: make",
    ],
    expected: [
      `dray.yaml:2:13  platforms[0]: "linux/amd65" is not a platform — allowed: ${allPlatforms}`,
      'dray.yaml:6:5  services.api.prots: unknown key "prots" — did you mean "ports"?',
      'dray.yaml:7:3  services.web.dir: missing required key "dir"',
    ],
  },
  {
    description: "merge keys (<<) share settings between services",
    lines: [
      ...api,
      "    env: &env { PORT: 8080 }",
      "  orders:",
      "    go: ./services/orders",
      "    env: { <<: *env }",
    ],
    expected: [],
  },
];

describe("validation problems", () => {
  it.each(cases)("$description", ({ lines, env, expected }) => {
    const problems = problemsOf(lines, env);
    expect(problems).toEqual(expected);
    // Whatever the mistake, the user never sees zod's or Node's internals.
    for (const line of problems) expect(line).not.toMatch(/Invalid input|ZodError|\bat .+:\d+:\d+\)|Error:/);
  });
});
