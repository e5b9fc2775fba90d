/**
 * Base images from a registry: pulled by their pinned digest (never by tag) into a local OCI layout
 * at `.dray/bases`, where every later build finds them without asking the registry again.
 */
import type { RegistryBase } from "../config/index.js";
import type { BaseImage, Digest, Platform } from "../oci/index.js";
import { digestHex, openLayout, readBaseFromLayout } from "../oci/index.js";

/** The base image for `platform`, pulling it (only the blobs that platform needs) on first use. */
export async function registryBase(
  basesDir: string,
  base: RegistryBase,
  digest: Digest,
  platform: Platform,
): Promise<BaseImage> {
  const store = await openLayout(basesDir, { create: true });
  // One tag per digest and platform: a multi-platform base is pulled one platform at a time.
  const tag = `${digestHex(digest).slice(0, 32)}.${[platform.os, platform.architecture, platform.variant].filter(Boolean).join("-")}`;
  if (!(await store.resolve(tag))) {
    const { createRegistryClient, pullImage } = await import("../registry/index.js");
    const client = createRegistryClient(base.registry, {
      insecure: base.insecure,
      ...(base.caFile ? { caFile: base.caFile } : {}),
    });
    try {
      await pullImage({
        client,
        repository: base.repository,
        digest,
        into: store,
        platforms: [platform],
        tag,
      });
    } finally {
      client.close();
    }
  }
  return readBaseFromLayout(basesDir, tag, platform);
}
