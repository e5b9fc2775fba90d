/** The text `dray init` writes: valid YAML that reads back as written, with its comments. */

import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkConfig } from "../config/check-config.js";
import { renderInitConfig, yamlString } from "./init-template.js";

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
  const text = renderInitConfig({
    project: "shop",
    packages: [
      { name: "api", package: "./services/api", module: "example.com/shop" },
      { name: "2fa", package: "./cmd/2fa", module: "example.com/shop" },
    ],
  });

  it("is a dray.yaml that checks clean and keeps names and paths as discovered", () => {
    const result = checkConfig({
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
    expect(text.endsWith('  "2fa":\n    go: ./cmd/2fa\n')).toBe(true);
  });
});
