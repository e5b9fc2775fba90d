import { describe, expect, it } from "vitest";
import { createFakeRegistryClient } from "../../test/support/fake-registry-client.js";
import { canonicalJson, type Descriptor, MediaType, sha256Digest } from "../oci/index.js";
import { artifactManifest, attachReferrers, listReferrers, referrersTag } from "./referrers.js";
import type { RegistryClient } from "./types.js";

/** An image manifest in `repository` of the fake, to attach things to. */
async function image(client: RegistryClient, repository: string, seed: string): Promise<Descriptor> {
  const config = Buffer.from(`{"seed":"${seed}"}`);
  const descriptor: Descriptor = {
    mediaType: MediaType.config,
    digest: sha256Digest(config),
    size: config.length,
  };
  await client.uploadBlob(repository, { descriptor, bytes: async () => config });
  const manifest = Buffer.from(
    canonicalJson({ schemaVersion: 2, mediaType: MediaType.manifest, config: descriptor, layers: [] }),
  );
  const digest = await client.putManifest(repository, sha256Digest(manifest), MediaType.manifest, manifest);
  return { mediaType: MediaType.manifest, digest, size: manifest.length };
}

const sbom = (subject: Descriptor, text: string) =>
  artifactManifest({
    artifactType: "application/spdx+json",
    subject,
    blob: { mediaType: "application/spdx+json", bytes: Buffer.from(text) },
  });

describe("referrers without the referrers API (the tag schema)", () => {
  it("pushes the artifact, then lists it in the sha256-<hex> index; a second attach sends nothing", async () => {
    const client = createFakeRegistryClient();
    const subject = await image(client, "shop/api", "a");
    const artifact = sbom(subject, '{"spdxVersion":"SPDX-2.3"}');

    expect(await attachReferrers(client, "shop/api", subject.digest, [artifact])).toEqual({
      put: [artifact.descriptor.digest],
      existing: [],
      // The SBOM and the artifact's empty config, both new to the registry.
      bytesSent: Buffer.byteLength('{"spdxVersion":"SPDX-2.3"}') + 2,
    });
    const tag = referrersTag(subject.digest);
    expect(tag).toBe(`sha256-${subject.digest.slice(7)}`);
    const index = JSON.parse((await client.getManifest("shop/api", tag)).bytes.toString("utf8"));
    expect(index.mediaType).toBe(MediaType.index);
    expect(index.manifests).toEqual([artifact.descriptor]);
    const manifest = JSON.parse(
      (await client.getManifest("shop/api", artifact.descriptor.digest)).bytes.toString(),
    );
    expect(manifest).toMatchObject({ artifactType: "application/spdx+json", subject });

    client.calls.length = 0;
    expect(await attachReferrers(client, "shop/api", subject.digest, [artifact])).toEqual({
      put: [],
      existing: [artifact.descriptor.digest],
      bytesSent: 0,
    });
    expect(client.calls.filter((c) => c.method === "putManifest" || c.method === "uploadBlob")).toEqual([]);
  });

  it("adds to the index what others put there, keeping their entries", async () => {
    const client = createFakeRegistryClient();
    const subject = await image(client, "shop/api", "b");
    const first = sbom(subject, "one");
    const second = sbom(subject, "two");
    await attachReferrers(client, "shop/api", subject.digest, [first]);
    await attachReferrers(client, "shop/api", subject.digest, [first, second]);
    const listing = await listReferrers(client, "shop/api", subject.digest);
    expect(listing.api).toBe(false);
    expect(listing.descriptors.map((d) => d.digest)).toEqual([
      first.descriptor.digest,
      second.descriptor.digest,
    ]);
  });
});

describe("referrers with the referrers API", () => {
  it("lists from the API and writes no tag", async () => {
    const fake = createFakeRegistryClient();
    const subject = await image(fake, "shop/api", "c");
    const artifact = sbom(subject, "three");
    // The registry keeps the list itself: every manifest whose subject is the digest.
    const client: RegistryClient = {
      ...fake,
      async getReferrers(repository, digest) {
        const manifests = [...fake.repository(repository).manifests.entries()]
          .filter(([, m]) => JSON.parse(m.bytes.toString()).subject?.digest === digest)
          .map(([d, m]) => ({ mediaType: m.mediaType, digest: d, size: m.bytes.length }));
        return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.index, manifests }));
      },
    };
    await attachReferrers(client, "shop/api", subject.digest, [artifact]);
    expect(fake.repository("shop/api").tags.has(referrersTag(subject.digest))).toBe(false);
    const listing = await listReferrers(client, "shop/api", subject.digest);
    expect(listing).toEqual({
      api: true,
      descriptors: [expect.objectContaining({ digest: artifact.descriptor.digest })],
    });
  });
});
