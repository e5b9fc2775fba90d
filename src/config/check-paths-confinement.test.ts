/**
 * Confinement: no path in dray.yaml leaves the project (a `files:` source its context, an output
 * its dir), neither with ".." nor through a symlink, and no two services share an output. Checked
 * against a fake disk with symlinks.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { problemsOfLines } from "../../test/support/config-lines.js";
import type { Exists, PathKind, RealPath } from "./check-paths.js";

/** A monorepo at /repo, a secret outside it, and links out of and within it. */
const disk = new Map<string, PathKind>([
  ["/repo", "directory"],
  ["/repo/.dray", "directory"],
  ["/repo/.dray/oci", "directory"],
  ["/repo/.git", "directory"],
  ["/repo/services", "directory"],
  ["/repo/services/api", "directory"],
  ["/repo/services/api/static", "directory"],
  ["/repo/web", "directory"],
  ["/repo/web/dist", "directory"],
  ["/repo/web/public", "directory"],
  ["/repo/ca.pem", "file"],
  ["/home/me/.ssh", "directory"],
  ["/home/me/ca.pem", "file"],
  ["/elsewhere/cmd", "directory"],
  ["/images", "directory"],
  ["/images/oci-layout", "file"],
]);
const links = new Map([
  ["/repo/services/seclink", "/home/me/.ssh"],
  ["/repo/services/staticlink", "api/static"],
  ["/repo/web/out", "/tmp/out"],
  ["/repo/certs", "/home/me"],
]);

/** Resolves the links component by component, as realpath(3) does. */
const realpath: RealPath = (p) => {
  let out = "/";
  for (const part of p.split("/").filter(Boolean)) {
    out = path.join(out, part);
    for (let hops = 0; links.has(out) && hops < 10; hops++)
      out = path.resolve(path.dirname(out), links.get(out)!);
  }
  return out;
};
const exists: Exists = (p) => disk.get(realpath(p));

const problemsOf = (lines: readonly string[]) => problemsOfLines(lines, { exists, realpath });

const head = ["project: shop", "services:"];
const api = ["  api:", "    go: ./services/api"];

const cases: { description: string; lines: string[]; expected: string[] }[] = [
  {
    description: "paths inside the project, and a files source linked to a place inside the context",
    lines: [
      ...head,
      ...api,
      "    files: [services/staticlink:/srv]",
      "  web:",
      "    command: make",
      "    dir: web",
      "    inputs: [src/**, '!**/*.test.js']",
    ],
    expected: [],
  },
  {
    description: "a Go package outside the project",
    lines: [...head, "  api:", "    go: ../../elsewhere/cmd"],
    expected: ['dray.yaml:4:9  services.api.go: "../../elsewhere/cmd" is outside the project root'],
  },
  {
    description: "a context outside the project",
    lines: [...head, ...api, "    context: ../../.."],
    expected: ['dray.yaml:5:14  services.api.context: "../../.." is outside the project root'],
  },
  {
    description: "a command's dir above the project (its output would be emptied there)",
    lines: [...head, "  web:", "    command: make", "    dir: .."],
    expected: ['dray.yaml:5:10  services.web.dir: ".." is outside the project root'],
  },
  {
    description: "a files source that is a symlink out of the project",
    lines: [...head, ...api, '    files: ["services/seclink:/secret"]'],
    expected: [
      'dray.yaml:5:13  services.api.files[0]: "services/seclink" resolves to /home/me/.ssh, outside the service\'s context, the project root',
    ],
  },
  {
    description: "a files source reached through a symlinked directory",
    lines: [...head, ...api, "    files: [{ from: services/seclink/id_rsa, to: /key }]"],
    expected: [
      'dray.yaml:5:21  services.api.files[0].from: "services/seclink/id_rsa" resolves to /home/me/.ssh/id_rsa, outside the service\'s context, the project root',
    ],
  },
  {
    description: "files sources in dray's state and git's data",
    lines: [...head, ...api, "    files: [.dray/oci:/x, .git:/y]"],
    expected: [
      'dray.yaml:5:13  services.api.files[0]: ".dray/oci" is inside .dray, dray\'s own state, which never enters an image',
      'dray.yaml:5:27  services.api.files[1]: ".git" is inside .git, git\'s data, which never enters an image',
    ],
  },
  {
    description: "an output that is dir itself",
    lines: [...head, "  web:", "    command: make", "    dir: web", "    output: ."],
    expected: [
      'dray.yaml:6:13  services.web.output: "." is dir itself — dray empties the output before each run, so it must be a directory of its own inside dir',
    ],
  },
  {
    description: "an output that is a symlink out of the project",
    lines: [...head, "  web:", "    command: make", "    dir: web", "    output: out"],
    expected: [
      'dray.yaml:6:13  services.web.output: "out" resolves to /tmp/out, not inside dir — dray empties the output before each run, so it must be a directory of its own inside dir',
    ],
  },
  {
    description: "an output in dray's own state",
    lines: [...head, "  web:", "    command: make", "    dir: .", "    output: .dray/oci"],
    expected: [
      'dray.yaml:6:13  services.web.output: ".dray/oci" is inside .dray, dray\'s own state, which never enters an image',
    ],
  },
  {
    description: "base layouts and CA files outside the project, directly or through a symlink",
    lines: [
      "project: shop",
      "registry: { url: ghcr.io/org, ca: certs/ca.pem }",
      "base: oci:../images:alpine",
      ...head.slice(1),
      ...api,
      "    base: { image: ghcr.io/org/base:1, ca: ../home/me/ca.pem }",
    ],
    expected: [
      'dray.yaml:2:35  registry.ca: "certs/ca.pem" resolves to /home/me/ca.pem, outside the project root',
      'dray.yaml:3:7  base: "../images" is outside the project root',
      'dray.yaml:7:44  services.api.base.ca: "../home/me/ca.pem" is outside the project root',
    ],
  },
  {
    description: "inputs that leave dir, and a live sync source outside the project",
    lines: [
      ...head,
      "  web:",
      "    command: make",
      "    dir: web",
      "    inputs: [src/**, ../shared/**, /etc/**, '!../x']",
      "    live: { sync: ['../../secret:/srv/secret'] }",
    ],
    expected: [
      'dray.yaml:6:22  services.web.inputs[1]: "../shared/**" leaves the service\'s dir ("..") — inputs are globs relative to dir, e.g. "src/**"',
      'dray.yaml:6:36  services.web.inputs[2]: "/etc/**" is an absolute path — inputs are globs relative to dir, e.g. "src/**"',
      'dray.yaml:6:45  services.web.inputs[3]: "!../x" leaves the service\'s dir ("..") — inputs are globs relative to dir, e.g. "src/**"',
      'dray.yaml:7:20  services.web.live.sync[0]: "../../secret" is outside the project root',
    ],
  },
];

const sharing: { description: string; lines: string[]; expected: string[] }[] = [
  {
    description: "two services sharing a dir and the default output",
    lines: [
      ...head,
      "  web:",
      "    command: make",
      "    dir: web",
      "  web2:",
      "    command: make css",
      "    dir: web",
    ],
    expected: [
      'dray.yaml:6:3  services.web2.output: "web/dist" is also the output of service web — give each service an output directory of its own, or their builds swap files',
    ],
  },
  {
    description: "an output inside another service's output",
    lines: [
      ...head,
      "  site:",
      "    command: make",
      "    dir: .",
      "    output: web/dist",
      "  web:",
      "    command: make",
      "    dir: web",
      "    output: dist/css",
    ],
    expected: [
      'dray.yaml:10:13  services.web.output: "web/dist/css" is inside "web/dist", the output of service site — give each service an output directory of its own, or their builds swap files',
    ],
  },
  {
    description: "an output holding another service's dir and a files source",
    lines: [
      ...head,
      ...api,
      "    files: [web/public:/srv]",
      "  site:",
      "    command: make",
      "    dir: .",
      "    output: web",
      "  web:",
      "    command: make",
      "    dir: web/public",
    ],
    expected: [
      'dray.yaml:9:13  services.site.output: the output "web" holds the files source "web/public" of service api — dray empties the output before each run and packs all of it, so nothing else dray.yaml names may be inside it',
      'dray.yaml:9:13  services.site.output: the output "web" holds the dir of service web — dray empties the output before each run and packs all of it, so nothing else dray.yaml names may be inside it',
      'dray.yaml:10:3  services.web.output: "web/public/dist" is inside "web", the output of service site — give each service an output directory of its own, or their builds swap files',
    ],
  },
];

describe("path confinement", () => {
  it.each(cases)("$description", ({ lines, expected }) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe("outputs belong to one service", () => {
  it.each(sharing)("$description", ({ lines, expected }) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});
