/**
 * The registry settings of dray.yaml — `registry`, `cache` and registry bases: what a user sees
 * for each mistake, and what later stages get from a valid file.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { problemsOfLines, resolveLines } from "../../test/support/config-lines.js";
import { repositoryIn } from "../oci/reference.js";
import type { Exists } from "./check-paths.js";

/** Directories everywhere; .pem files exist except missing.pem; layouts have their oci-layout file. */
const exists: Exists = (p) => {
  if (path.basename(p) === "missing.pem") return undefined;
  return path.basename(p) === "oci-layout" || p.endsWith(".pem") ? "file" : "directory";
};

/** The problems of `lines` as /repo/dray.yaml on that disk. */
const problemsOf = (lines: readonly string[]) => problemsOfLines(lines, { exists });
/** `lines` resolved as /repo/dray.yaml on that disk. */
const resolve = (lines: readonly string[]) => resolveLines(lines, { exists });

const services = ["services:", "  api:", "    go: ./services/api"];
const digest = `sha256:${"ab".repeat(32)}`;
const forms =
  'use "scratch", a registry image "host[:port]/repository[:tag]", "oci:<layout-dir>:<ref>", { image: <reference> } or { layout: <dir>, ref: <name> }';

const cases: { description: string; lines: string[]; expected: string[] }[] = [
  {
    description: "registry: the short form",
    lines: ["project: shop", "registry: 127.0.0.1:5000/shop", ...services],
    expected: [],
  },
  {
    description: "registry: the long form, with a CA file and a host without a path",
    lines: ["project: shop", "registry: { url: ghcr.io, insecure: false, ca: certs/ca.pem }", ...services],
    expected: [],
  },
  {
    description: "registry: a URL with a scheme is told to drop it",
    lines: ["project: shop", "registry: https://ghcr.io/org/", ...services],
    expected: [
      'dray.yaml:2:11  registry: "https://ghcr.io/org/" has a scheme — write it without "https://": "ghcr.io/org"',
    ],
  },
  {
    description: "registry: plain http in the long form also says how to get plain HTTP",
    lines: ["project: shop", "registry:", "  url: http://127.0.0.1:5000/shop", ...services],
    expected: [
      'dray.yaml:3:8  registry.url: "http://127.0.0.1:5000/shop" has a scheme — write it without "http://": "127.0.0.1:5000/shop" (and add insecure: true for plain HTTP)',
    ],
  },
  {
    description: "registry: a path without a host",
    lines: ["project: shop", "registry: shop", ...services],
    expected: [
      'dray.yaml:2:11  registry: "shop" is not a registry — write "host[:port][/path]", e.g. "127.0.0.1:5000/shop" or "ghcr.io/org" (a host has a "." or a ":port", or is localhost; paths are lowercase)',
    ],
  },
  {
    description: "registry: a port past 65535 is no registry",
    lines: ["project: shop", "registry: 127.0.0.1:70000/shop", ...services],
    expected: [
      'dray.yaml:2:11  registry: "127.0.0.1:70000/shop" is not a registry — write "host[:port][/path]", e.g. "127.0.0.1:5000/shop" or "ghcr.io/org" (a host has a "." or a ":port", or is localhost; paths are lowercase)',
    ],
  },
  {
    description: "registry: a misspelled key in the long form, a missing CA file",
    lines: ["project: shop", "registry: { url: ghcr.io/org, insecur: true, ca: missing.pem }", ...services],
    expected: [
      'dray.yaml:2:31  registry.insecur: unknown key "insecur" — did you mean "insecure"?',
      "dray.yaml:2:50  registry.ca: CA file missing.pem does not exist",
    ],
  },
  {
    description: "a misspelled top-level key still gets its suggestion",
    lines: ["project: shop", "registy: ghcr.io/org", ...services],
    expected: ['dray.yaml:2:1  registy: unknown key "registy" — did you mean "registry"?'],
  },
  {
    description: "cache: registry without a registry points at the cache key",
    lines: ["project: shop", "cache: registry", ...services],
    expected: [
      "dray.yaml:2:1  cache: a registry cache needs a registry to live in — add `registry` (e.g. registry: 127.0.0.1:5000/shop), or use cache: local",
    ],
  },
  {
    description: "cache: registry with a registry",
    lines: ["project: shop", "registry: ghcr.io/org", "cache: registry", ...services],
    expected: [],
  },
  {
    description: "cache: a value that is neither local nor registry",
    lines: ["project: shop", "cache: remote", ...services],
    expected: [
      'dray.yaml:2:8  cache: "remote" is not a cache — use "local" (the default) or "registry" (shared through the registry)',
    ],
  },
  {
    description: "base: registry images with a tag, with a digest, and in the long form",
    lines: [
      "project: shop",
      "base: 127.0.0.1:5000/base/static:1.0",
      ...services,
      `    base: ghcr.io/org/base@${digest}`,
      "  web:",
      "    go: ./services/web",
      "    base: { image: localhost:5000/base, insecure: true, ca: certs/ca.pem }",
    ],
    expected: [],
  },
  {
    description: "base: a reference with a scheme, and one without its registry in the long form",
    lines: [
      "project: shop",
      "base: https://127.0.0.1:5000/base/static:1.0",
      ...services,
      "    base: { image: library/alpine }",
    ],
    expected: [
      'dray.yaml:2:7  base: "https://127.0.0.1:5000/base/static:1.0" has a scheme — write it without "https://": "127.0.0.1:5000/base/static:1.0"',
      'dray.yaml:6:20  services.api.base.image: "library/alpine" names no registry — write the registry\'s host first, e.g. "docker.io/library/alpine"',
    ],
  },
  {
    description: "base: a misspelled key of the registry form, a missing CA file",
    lines: [
      ...["project: shop"],
      ...services,
      "    base: { image: ghcr.io/org/base, insecre: true, ca: missing.pem }",
    ],
    expected: [
      'dray.yaml:5:38  services.api.base.insecre: unknown key "insecre" — did you mean "insecure"?',
      "dray.yaml:5:57  services.api.base.ca: CA file missing.pem does not exist",
    ],
  },
  {
    description: "base: a typo in the key that tells the map forms apart, and two forms mixed",
    lines: [
      "project: shop",
      "base: { imag: ghcr.io/org/base }",
      ...services,
      "    base:",
      "      image: ghcr.io/org/base",
      "      layout: images",
    ],
    expected: [
      'dray.yaml:2:9  base.imag: unknown key "imag" — did you mean "image"?',
      'dray.yaml:8:7  services.api.base.layout: "layout" does not go with the other keys here — write one of { layout, ref } or { image, insecure, ca }',
    ],
  },
  {
    description: "base: a misspelled scratch, and a number",
    lines: ["project: shop", "base: scrach", ...services, "    base: 5"],
    expected: [
      'dray.yaml:2:7  base: "scrach" is not a base image — did you mean "scratch"?',
      `dray.yaml:6:11  services.api.base: the number 5 is not a base image — ${forms}`,
    ],
  },
  {
    description: "with a registry, a service name that cannot name a repository",
    lines: ["project: shop", "registry: ghcr.io/org", ...services, "  web_:", "    go: ./services/web"],
    expected: [
      'dray.yaml:6:3  services.web_: "web_" cannot name a repository in the registry — end it with a letter or digit, and put a single "-", "_" or "__" between words',
    ],
  },
];

describe("registry settings: validation", () => {
  it.each(cases)("$description", ({ lines, expected }) => {
    expect(problemsOf(lines)).toEqual(expected);
  });
});

describe("registry settings: resolution", () => {
  it("resolves no registry and the local cache by default", () => {
    const config = resolve(["project: shop", ...services]);
    expect([config.registry, config.cache]).toEqual([undefined, "local"]);
  });

  it("splits the registry into host and path, with the CA file absolute", () => {
    const config = resolve([
      "project: shop",
      "registry: { url: 127.0.0.1:5000/team/shop, insecure: true, ca: certs/ca.pem }",
      "cache: registry",
      ...services,
    ]);
    expect(config.registry).toEqual({
      url: "127.0.0.1:5000/team/shop",
      registry: "127.0.0.1:5000",
      namespace: "team/shop",
      insecure: true,
      caFile: "/repo/certs/ca.pem",
    });
    expect(config.cache).toBe("registry");
    expect(repositoryIn(config.registry!, "api")).toBe("team/shop/api");
  });

  it("resolves registry bases: tag, digest, the latest default, and the long form", () => {
    const config = resolve([
      "project: shop",
      "base: 127.0.0.1:5000/base/static:1.0",
      ...services,
      "  digest:",
      "    go: ./services/digest",
      `    base: ghcr.io/org/base:2@${digest}`,
      "  latest:",
      "    go: ./services/latest",
      "    base: { image: ghcr.io/org/base, insecure: true, ca: certs/ca.pem }",
    ]);
    const bases = Object.fromEntries(config.services.map((s) => [s.name, s.base]));
    expect(bases).toEqual({
      api: {
        kind: "registry",
        image: "127.0.0.1:5000/base/static:1.0",
        registry: "127.0.0.1:5000",
        repository: "base/static",
        tag: "1.0",
        insecure: false,
      },
      digest: {
        kind: "registry",
        image: `ghcr.io/org/base:2@${digest}`,
        registry: "ghcr.io",
        repository: "org/base",
        tag: "2",
        digest,
        insecure: false,
      },
      latest: {
        kind: "registry",
        image: "ghcr.io/org/base",
        registry: "ghcr.io",
        repository: "org/base",
        tag: "latest",
        insecure: true,
        caFile: "/repo/certs/ca.pem",
      },
    });
  });

  it("lets a base on the registry's host share its insecure and ca, unless it sets its own", () => {
    const config = resolve([
      "project: shop",
      "registry: { url: 127.0.0.1:5000/shop, insecure: true, ca: certs/ca.pem }",
      "base: 127.0.0.1:5000/base/static:1.0",
      ...services,
      "  own:",
      "    go: ./services/own",
      "    base: { image: 127.0.0.1:5000/base/static:1.0, insecure: false }",
      "  other:",
      "    go: ./services/other",
      "    base: ghcr.io/org/base:1",
    ]);
    const reach = config.services.map((s) =>
      s.base.kind === "registry" ? [s.name, s.base.insecure, s.base.caFile] : [],
    );
    expect(reach).toEqual([
      ["api", true, "/repo/certs/ca.pem"],
      ["other", false, undefined],
      ["own", false, "/repo/certs/ca.pem"],
    ]);
  });
});
