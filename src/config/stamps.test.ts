/** Version stamps in dray.yaml: which templates are allowed, where, and how they are rendered. */
import { describe, expect, it } from "vitest";
import { problemsOfLines, resolveLines } from "../../test/support/config-lines.js";
import { applyStamps, renderTemplate, type Stamps, templateFields, usedStamps } from "./stamps.js";

const stamps: Stamps = {
  Version: "v1.3.0-2-g0123456789ab-dirty",
  Commit: "0123456789abcdef0123456789abcdef01234567",
  ShortCommit: "0123456789ab",
  CommitTime: "2024-05-01T12:00:00Z",
};

describe("templateFields", () => {
  const cases: { text: string; expected: ReturnType<typeof templateFields> }[] = [
    { text: "-X=main.version=1.0", expected: { fields: [] } },
    { text: "-X=main.version={{.Version}}", expected: { fields: ["Version"] } },
    { text: "{{ .Commit }}@{{.CommitTime}}", expected: { fields: ["Commit", "CommitTime"] } },
    {
      text: "{{.Branch}}",
      expected: {
        error:
          '"{{.Branch}}" is not a version stamp — dray knows {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.CommitTime}}',
      },
    },
    {
      text: '{{printf "%s" .Version}}',
      expected: {
        error:
          '"{{printf \\"%s\\" .Version}}" is not a version stamp — dray knows {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.CommitTime}}',
      },
    },
    {
      text: "v{{.Version",
      expected: { error: '"v{{.Version" has an unclosed "{{" or a stray "}}" — write e.g. {{.Version}}' },
    },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.text), () => {
      expect(templateFields(c.text)).toEqual(c.expected);
    });
  }

  it("renders every field, and nothing else", () => {
    expect(renderTemplate("v={{.Version}} c={{ .ShortCommit }} t={{.CommitTime}} {{.Commit}}", stamps)).toBe(
      "v=v1.3.0-2-g0123456789ab-dirty c=0123456789ab t=2024-05-01T12:00:00Z 0123456789abcdef0123456789abcdef01234567",
    );
  });
});

describe("templates in dray.yaml", () => {
  it("an unknown field or a broken template is a problem at its line", () => {
    expect(
      problemsOfLines([
        "project: shop",
        "services:",
        "  api:",
        "    go: ./services/api",
        '    ldflags: ["-X=main.version={{.Version}}", "-X=main.branch={{.Branch}}"]',
        '    env: { BUILT: "{{.Now}}" }',
        "    annotations:",
        '      org.opencontainers.image.revision: "{{.Commit"',
        "  web:",
        "    command: make",
        "    dir: web",
        '    buildEnv: { VERSION: "{{.Tag}}" }',
      ]),
    ).toEqual([
      'dray.yaml:5:47  services.api.ldflags[1]: "{{.Branch}}" is not a version stamp — dray knows {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.CommitTime}}',
      'dray.yaml:6:19  services.api.env.BUILT: "{{.Now}}" is not a version stamp — dray knows {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.CommitTime}}',
      'dray.yaml:8:42  services.api.annotations["org.opencontainers.image.revision"]: "{{.Commit" has an unclosed "{{" or a stray "}}" — write e.g. {{.Version}}',
      'dray.yaml:12:26  services.web.buildEnv.VERSION: "{{.Tag}}" is not a version stamp — dray knows {{.Version}}, {{.Commit}}, {{.ShortCommit}}, {{.CommitTime}}',
    ]);
  });

  it("an annotation dray writes itself is refused at its key", () => {
    expect(
      problemsOfLines([
        "project: shop",
        "services:",
        "  api:",
        "    go: ./services/api",
        "    annotations:",
        '      org.opencontainers.image.created: "{{.CommitTime}}"',
      ]),
    ).toEqual([
      'dray.yaml:6:7  services.api.annotations["org.opencontainers.image.created"]: "org.opencontainers.image.created" is written by dray itself (from sourceDateEpoch, the base image, or the tag) — leave it out',
    ]);
  });

  const stamped = [
    "project: shop",
    "services:",
    "  api:",
    "    go: ./services/api",
    '    ldflags: ["-X=main.version={{.Version}}", "-X=main.commit={{.ShortCommit}}"]',
    '    env: { COMMIT: "{{.Commit}}", PORT: 8080 }',
    '    labels: { built-from: "{{.Commit}}" }',
    "    annotations:",
    '      org.opencontainers.image.revision: "{{.Commit}}"',
    "      org.opencontainers.image.source: https://example.com/shop",
    "  web:",
    "    command: make",
    "    dir: web",
    '    buildEnv: { STAMP: "{{.CommitTime}}" }',
    "  plain:",
    "    go: ./services/plain",
  ];

  it("usedStamps names each field used with the first place it is", () => {
    expect([...usedStamps(resolveLines(stamped))]).toEqual([
      ["Version", ["services", "api", "ldflags", 0]],
      ["ShortCommit", ["services", "api", "ldflags", 1]],
      ["Commit", ["services", "api", "env", "COMMIT"]],
      ["CommitTime", ["services", "web", "buildEnv", "STAMP"]],
    ]);
    expect(usedStamps(resolveLines(stamped.slice(0, 4))).size).toBe(0);
  });

  it("applyStamps renders ldflags, env, labels, annotations and buildEnv, and keeps the values", () => {
    const config = applyStamps(resolveLines(stamped), stamps);
    const [api, plain, web] = config.services;
    expect(api).toMatchObject({
      ldflags: ["-X=main.version=v1.3.0-2-g0123456789ab-dirty", "-X=main.commit=0123456789ab"],
      image: { env: { COMMIT: stamps.Commit, PORT: "8080" }, labels: { "built-from": stamps.Commit } },
      annotations: {
        "org.opencontainers.image.revision": stamps.Commit,
        "org.opencontainers.image.source": "https://example.com/shop",
      },
    });
    expect(web).toMatchObject({ buildEnv: { STAMP: "2024-05-01T12:00:00Z" } });
    expect(plain).toEqual(resolveLines(stamped).services[1]);
    expect(config.stamps).toEqual(stamps);
    expect(Object.isFrozen(api!.image.env)).toBe(true);
  });
});
