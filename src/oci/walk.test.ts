import { describe, expect, it } from "vitest";
import { sha256Digest } from "./digest.js";
import { type Descriptor, MediaType } from "./types.js";
import { MANIFEST_MEDIA_TYPES, manifestKind, namedIn, walkManifests } from "./walk.js";

const node = (name: string, mediaType: string = MediaType.manifest): Descriptor => ({
  mediaType,
  digest: sha256Digest(name),
  size: name.length,
});

describe("manifest media types", () => {
  it.each([
    { why: "an OCI index", mediaType: MediaType.index, kind: "index" },
    { why: "a Docker manifest list", mediaType: MediaType.dockerManifestList, kind: "index" },
    { why: "an OCI manifest", mediaType: MediaType.manifest, kind: "manifest" },
    { why: "a Docker manifest", mediaType: MediaType.dockerManifest, kind: "manifest" },
    { why: "a config is neither", mediaType: MediaType.config, kind: undefined },
    { why: "a name from Object.prototype is neither", mediaType: "toString", kind: undefined },
  ])("$why", ({ mediaType, kind }) => {
    expect(manifestKind(mediaType)).toBe(kind);
  });

  it("lists them in the order of a registry's Accept header", () => {
    expect(Object.keys(MANIFEST_MEDIA_TYPES)).toEqual([
      MediaType.index,
      MediaType.manifest,
      MediaType.dockerManifestList,
      MediaType.dockerManifest,
    ]);
  });
});

describe("walkManifests", () => {
  const a = node("a");
  const b = node("b");
  const inner = node("inner", MediaType.index);
  const top = node("top", MediaType.index);
  const children = new Map<string, Descriptor[]>([
    [top.digest, [inner, a]],
    [inner.digest, [a, b]],
  ]);

  it("opens each digest once, depth first, and leaves children before parents", async () => {
    const opened: string[] = [];
    const left: string[] = [];
    const depths: number[] = [];
    await walkManifests([top, a], {
      async open(descriptor, depth) {
        opened.push(descriptor.digest);
        depths.push(depth);
        return children.get(descriptor.digest) ?? [];
      },
      leave: (descriptor) => left.push(descriptor.digest),
    });
    expect(opened).toEqual([top.digest, inner.digest, a.digest, b.digest]);
    expect(depths).toEqual([0, 1, 2, 2]);
    expect(left).toEqual([a.digest, b.digest, inner.digest, top.digest]);
  });

  it("goes no further, and does not leave, where the visitor opens nothing", async () => {
    const left: string[] = [];
    await walkManifests([top], {
      open: async (descriptor) =>
        descriptor === inner ? undefined : (children.get(descriptor.digest) ?? []),
      leave: (descriptor) => left.push(descriptor.digest),
    });
    expect(left).toEqual([a.digest, top.digest]);
  });

  it("finds what a document names: entries, then config, then layers", () => {
    expect(namedIn({ manifests: [a], config: b, layers: [inner] })).toEqual([a, b, inner]);
    expect(namedIn({ manifests: "nope" })).toEqual([undefined]);
  });
});
