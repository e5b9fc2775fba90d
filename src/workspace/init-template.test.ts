/** The text `dray init` writes: valid YAML that reads back as written, with its comments. */

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkConfig } from "../config/check-config.js";
import type { FoundModule } from "./discover.js";
import { renderInitConfig, yamlString } from "./init-template.js";

/** A module with nothing special, for the fields a case does not set. */
const module: FoundModule = {
  dir: ".",
  path: "",
  goVersion: "1.21",
  vendor: "none",
  workspace: undefined,
  mod: "readonly",
  note: undefined,
  mains: 1,
  skipped: undefined,
};

describe("yamlString", () => {
  const cases: { description: string; value: string; written: string }[] = [
    { description: "a package path stays plain", value: "./services/api", written: "./services/api" },
    { description: "the root package", value: ".", written: "." },
    { description: "a word YAML would read as a boolean is quoted", value: "on", written: '"on"' },
    { description: "a number is quoted", value: "2024", written: '"2024"' },
    { description: "a space and a colon are quoted", value: "my dir: x", written: '"my dir: x"' },
    { description: "a leading dash is quoted", value: "-x", written: '"-x"' },
  ];
  it.each(cases)("$description", ({ value, written }) => {
    expect(yamlString(value)).toBe(written);
    expect(parse(`key: ${yamlString(value)}`)).toEqual({ key: value });
  });
});

describe("renderInitConfig", () => {
  const shop = "example.com/shop";
  const text = renderInitConfig({
    project: "shop",
    modules: [
      { ...module, dir: ".", path: shop, mod: "vendor", vendor: "module", mains: 3 },
      { ...module, dir: "./lib", path: `${shop}/lib`, mains: 0 },
      {
        ...module,
        dir: "./next",
        path: "example.com/next",
        goVersion: "1.99",
        mains: 0,
        skipped: "needs Go 1.99",
      },
      { ...module, dir: "./ws/a", path: "example.com/a", workspace: "./ws/go.work", mains: 1 },
    ],
    packages: [
      { name: "api", package: "./services/api", module: shop, importPath: `${shop}/services/api` },
      { name: "2fa", package: "./cmd/2fa", module: shop, importPath: `${shop}/cmd/2fa` },
      {
        name: "fake",
        package: "./tests/fake",
        module: shop,
        importPath: `${shop}/tests/fake`,
        aside: "tests",
      },
    ],
  });

  it("is a dray.yaml that checks clean and keeps names and paths as discovered", async () => {
    const result = await checkConfig({
      source: text,
      file: "/repo/dray.yaml",
      display: "dray.yaml",
      env: {},
      exists: () => "directory",
    });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.config.services.map((s) => [s.name, s.kind === "go" ? s.package : ""])).toEqual([
        ["2fa", "./cmd/2fa"],
        ["api", "./services/api"],
      ]);
      expect(result.config.services[0]!.platforms).toEqual([{ os: "linux", architecture: "amd64" }]);
    }
  });

  it("writes cgo: true, with the reason, for a main that needs cgo; the file still checks clean", () => {
    const withCgo = renderInitConfig({
      project: "rt",
      packages: [
        {
          name: "rt",
          package: "./cmd/rt",
          module: "example.com/rt",
          importPath: "example.com/rt/cmd/rt",
          cgo: {
            packages: ["example.com/rt/native", "example.com/rt/seccomp"],
            only: ["example.com/rt/native"],
          },
        },
      ],
    });
    expect(withCgo).toContain(
      "    go: ./cmd/rt\n    cgo: true # example.com/rt/native has only cgo files; linked statically (cgo: dynamic needs a base with libc)\n",
    );
    const result = checkConfig({
      source: withCgo,
      file: "/repo/dray.yaml",
      display: "dray.yaml",
      env: {},
      exists: () => "directory",
    });
    expect(result.ok && result.config.services[0]).toMatchObject({ cgo: true, link: "static" });
  });

  it("explains itself in comments and shows examples once, on the first service", () => {
    expect(text.startsWith("# dray.yaml — how dray builds")).toBe(true);
    expect(text).toContain("#   # yaml-language-server: $schema=./dray.schema.json");
    expect(text.match(/# ports: \[8080\]/g)).toHaveLength(1);
    expect(text).toContain("    #   - { from: services/api/static, to: /srv/static }");
  });

  it("lists the modules in aligned columns, with how go runs in each", () => {
    expect(text).toContain(
      [
        "#   .       example.com/shop      go 1.21  vendored         3 main packages",
        "#   ./lib   example.com/shop/lib  go 1.21                   no main packages",
        "#   ./next  example.com/next      go 1.99                   no main packages (not listed: needs Go 1.99)",
        "#   ./ws/a  example.com/a         go 1.21  in ./ws/go.work  1 main package",
      ].join("\n"),
    );
  });

  it("writes test and tool programs last, commented out so that uncommenting makes them services", () => {
    const tail = text.slice(text.indexOf('  "2fa":'));
    expect(tail).toBe(
      [
        '  "2fa":',
        "    go: ./cmd/2fa",
        "  # Test and tool programs (in a directory named test, tests, testdata, e2e, example, examples,",
        "  # hack or tools), not built unless uncommented:",
        "  # fake:",
        "  #   go: ./tests/fake",
        "",
      ].join("\n"),
    );
    const uncommented = parse(text.replace("  # fake:\n  #   go:", "  fake:\n    go:"));
    expect(uncommented.services.fake).toEqual({ go: "./tests/fake" });
  });
});
