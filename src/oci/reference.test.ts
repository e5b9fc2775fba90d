import { describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import {
  assertManifestReference,
  assertRegistryHost,
  assertRepository,
  formatReference,
  type ImageReference,
  isImageReference,
  isRegistryHost,
  lacksRegistryHost,
  parseReference,
  parseRegistryPlace,
  repositoryIn,
  splitHostPort,
} from "./reference.js";

const digest = `sha256:${"a".repeat(64)}` as const;

describe("parseReference", () => {
  const valid = [
    {
      why: "host with port, nested path, tag",
      text: "127.0.0.1:5000/shop/api:v1",
      ref: { registry: "127.0.0.1:5000", repository: "shop/api", tag: "v1" },
    },
    {
      why: "DNS host, no tag",
      text: "ghcr.io/acme/api",
      ref: { registry: "ghcr.io", repository: "acme/api" },
    },
    {
      why: "localhost counts as a host",
      text: "localhost/app:latest",
      ref: { registry: "localhost", repository: "app", tag: "latest" },
    },
    {
      why: "digest only",
      text: `ghcr.io/acme/api@${digest}`,
      ref: { registry: "ghcr.io", repository: "acme/api", digest },
    },
    {
      why: "tag and digest",
      text: `reg.example:443/a/b:1.0@${digest}`,
      ref: { registry: "reg.example:443", repository: "a/b", tag: "1.0", digest },
    },
    {
      why: "separators in components",
      text: "r.io/a.b_c__d-e--f/g",
      ref: { registry: "r.io", repository: "a.b_c__d-e--f/g" },
    },
    {
      why: "bracketed IPv6 host",
      text: "[::1]:5000/app:dev",
      ref: { registry: "[::1]:5000", repository: "app", tag: "dev" },
    },
    {
      why: "explicit docker.io",
      text: "docker.io/library/alpine:3",
      ref: { registry: "docker.io", repository: "library/alpine", tag: "3" },
    },
  ];
  it.each(valid)("parses $why", ({ text, ref }) => {
    expect(parseReference(text)).toEqual(ref);
    expect(formatReference(parseReference(text))).toBe(text);
    expect(isImageReference(text)).toBe(true);
  });

  const invalid = [
    { why: "no host at all", text: "nginx", message: /names no registry host/ },
    {
      why: "first segment is not a host (no Docker Hub default)",
      text: "shop/api:v1",
      message: /names no registry host/,
    },
    { why: "uppercase in the repository", text: "ghcr.io/Acme/api", message: /not a valid repository name/ },
    { why: "empty path component", text: "ghcr.io/acme//api", message: /not a valid repository name/ },
    { why: "path traversal", text: "ghcr.io/../etc", message: /not a valid repository name/ },
    { why: "leading separator", text: "ghcr.io/-api", message: /not a valid repository name/ },
    { why: "bad tag", text: "ghcr.io/acme/api:-x", message: /bad tag/ },
    { why: "tag too long", text: `ghcr.io/acme/api:${"t".repeat(129)}`, message: /bad tag/ },
    { why: "short digest", text: "ghcr.io/acme/api@sha256:abc", message: /bad digest/ },
    { why: "other digest algorithm", text: `ghcr.io/a@sha512:${"a".repeat(128)}`, message: /bad digest/ },
    { why: "port out of range", text: "host.io:70000/a", message: /not a valid registry host/ },
    { why: "host label with underscore", text: "my_host.io/a", message: /not a valid registry host/ },
    { why: "empty", text: "  ", message: /empty image reference/ },
    { why: "name over 255 characters", text: `r.io/${"a".repeat(260)}`, message: /longer than 255/ },
  ];
  it.each(invalid)("rejects $why", ({ text, message }) => {
    expect(() => parseReference(text)).toThrow(UserError);
    expect(() => parseReference(text)).toThrow(message);
    expect(isImageReference(text)).toBe(false);
  });
});

describe("image references as dray.yaml writes them", () => {
  const refs: { text: string; expected: ImageReference | undefined }[] = [
    { text: "localhost/base", expected: { registry: "localhost", repository: "base" } },
    { text: "[::1]:5000/a/b:v1", expected: { registry: "[::1]:5000", repository: "a/b", tag: "v1" } },
    { text: "registry:5000/a__b-c.d", expected: { registry: "registry:5000", repository: "a__b-c.d" } },
    { text: "alpine:3.20", expected: undefined },
    { text: "ghcr.io/Org/base", expected: undefined },
    { text: "ghcr.io/org/base:", expected: undefined },
    { text: "ghcr.io/org/base@sha256:abc", expected: undefined },
  ];
  it.each(refs)("parses $text", ({ text, expected }) => {
    if (expected === undefined) expect(() => parseReference(text)).toThrow(UserError);
    else expect(parseReference(text)).toEqual(expected);
    expect(isImageReference(text)).toBe(expected !== undefined);
  });

  it("splits a registry place; a tag makes it an image, not a place", () => {
    expect(parseRegistryPlace("ghcr.io")).toEqual({ registry: "ghcr.io", namespace: "" });
    expect(parseRegistryPlace("ghcr.io/org/team")).toEqual({ registry: "ghcr.io", namespace: "org/team" });
    expect(parseRegistryPlace("ghcr.io/org:1")).toBeUndefined();
  });

  it("puts a repository below a place, with or without a path", () => {
    expect(repositoryIn({ registry: "ghcr.io", namespace: "" }, "api")).toBe("api");
    expect(repositoryIn({ registry: "ghcr.io", namespace: "team/shop" }, "api")).toBe("team/shop/api");
  });

  it.each([
    { why: "a Docker Hub short name with a tag", text: "alpine:3.20", lacks: true },
    { why: "a Docker Hub path", text: "library/alpine", lacks: true },
    { why: "a host with an underscore is no host", text: "my_host.io/a", lacks: true },
    { why: "a whole reference", text: "ghcr.io/org/base", lacks: false },
    { why: "a host alone", text: "localhost:5000", lacks: false },
    { why: "not a reference even with a host", text: "Alpine", lacks: false },
  ])("knows when a reference lacks only its host: $why", ({ text, lacks }) => {
    expect(lacksRegistryHost(text)).toBe(lacks);
  });
});

describe("the registry host rule", () => {
  it.each([
    { why: "IPv4 with a port", text: "127.0.0.1:5000", valid: true },
    { why: "DNS name", text: "ghcr.io", valid: true },
    { why: "localhost", text: "localhost", valid: true },
    { why: "a name without a dot, with a port", text: "registry:5000", valid: true },
    { why: "bracketed IPv6", text: "[::1]", valid: true },
    { why: "the highest port", text: "r.io:65535", valid: true },
    { why: "a name without a dot or a port reads as a path", text: "registry", valid: false },
    { why: "a port past 65535", text: "r.io:65536", valid: false },
    { why: "an empty port", text: "r.io:", valid: false },
    { why: "an underscore in a label", text: "my_host.io", valid: false },
    { why: "an empty label", text: "a..io", valid: false },
  ])("$why: $valid", ({ text, valid }) => {
    expect(isRegistryHost(text)).toBe(valid);
    if (valid) expect(() => assertRegistryHost(text)).not.toThrow();
    else expect(() => assertRegistryHost(text)).toThrow(/is not a valid registry host \(host\[:port\]\)/);
  });

  it("splits host and port, IPv6 brackets kept", () => {
    expect(splitHostPort("[::1]:5000")).toEqual({ host: "[::1]", port: "5000" });
    expect(splitHostPort("[::1]")).toEqual({ host: "[::1]" });
    expect(splitHostPort("example.com")).toEqual({ host: "example.com" });
    expect(splitHostPort("127.0.0.1:5000")).toEqual({ host: "127.0.0.1", port: "5000" });
  });
});

describe("client argument checks", () => {
  it("accepts repositories, tags and digests, and names what is wrong otherwise", () => {
    expect(() => assertRepository("shop/api")).not.toThrow();
    expect(() => assertRepository("../x")).toThrow(/"\.\.\/x" is not a valid repository name/);
    expect(() => assertRepository("")).toThrow(UserError);
    expect(() => assertManifestReference("v1.0")).not.toThrow();
    expect(() => assertManifestReference(digest)).not.toThrow();
    expect(() => assertManifestReference("../../x")).toThrow(/neither a tag nor a sha256 digest/);
  });
});
