import { describe, expect, it } from "vitest";
import { UserError } from "../errors/errors.js";
import { formatImageRef, parseImageRef } from "./reference.js";

const digest = `sha256:${"a".repeat(64)}` as const;

describe("parseImageRef", () => {
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
    expect(parseImageRef(text)).toEqual(ref);
    expect(formatImageRef(parseImageRef(text))).toBe(text);
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
    expect(() => parseImageRef(text)).toThrow(UserError);
    expect(() => parseImageRef(text)).toThrow(message);
  });
});
