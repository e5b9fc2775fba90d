/** An image read from a registry, as a deploy reads a build: per platform, its manifest and image ID. */
import { describe, expect, it } from "vitest";
import { AMD64, ARM64, sampleImageSet } from "../../test/support/sample-image.js";
import type { Digest, ImageSet } from "../oci/types.js";
import { imageIdentity } from "./desired.js";
import { entryFromRegistry } from "./promote-images.js";

async function documentsOf(set: ImageSet): Promise<Map<Digest, Buffer>> {
  const documents = new Map<Digest, Buffer>();
  for (const blob of [set.index, ...set.images.flatMap((i) => [i.manifest, i.config])])
    if (blob) documents.set(blob.descriptor.digest, await blob.bytes());
  return documents;
}

describe("entryFromRegistry", () => {
  it("reads each platform of an index with its manifest and config digest", async () => {
    const set = await sampleImageSet({ platforms: [AMD64, ARM64] });
    const entry = entryFromRegistry("api", set.top, await documentsOf(set));
    expect(entry.top).toEqual(set.top);
    expect(entry.platforms.map((p) => [p.platform, p.imageId, p.manifest.digest])).toEqual(
      set.images.map((i) => [
        i.platform.variant
          ? `linux/${i.platform.architecture}/${i.platform.variant}`
          : `linux/${i.platform.architecture}`,
        i.config.descriptor.digest,
        i.manifest.descriptor.digest,
      ]),
    );
    // What a docker target on amd64 compares with the image ID its live state reports.
    expect(imageIdentity(entry, "linux/amd64", "api")).toBe(set.images[0]!.config.descriptor.digest);
  });

  it("reads a single manifest's platform from its config", async () => {
    const set = await sampleImageSet({ platforms: [ARM64] });
    const entry = entryFromRegistry("api", set.top, await documentsOf(set));
    expect(entry.platforms).toEqual([
      expect.objectContaining({
        platform: "linux/arm64/v8",
        imageId: set.images[0]!.config.descriptor.digest,
      }),
    ]);
  });
});
