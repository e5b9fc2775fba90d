/**
 * Base images from a registry: pulled by their pinned digest (never by tag) into a local OCI layout
 * at .dray/bases, where every later build finds them without asking the registry again.
 */
import path from "node:path";
import type { RegistryBase } from "../config/types.js";
import { readBaseFromLayout } from "../oci/base.js";
import { digestHex } from "../oci/digest.js";
import type { BaseImage } from "../oci/image.js";
import { openLayout } from "../oci/layout.js";
import type { Digest, Platform } from "../oci/types.js";

/** The base image for `platform`, pulling it (only the blobs that platform needs) on first use. */
export async function registryBase(
  root: string,
  base: RegistryBase,
  digest: Digest,
  platform: Platform,
): Promise<BaseImage> {
  const dir = path.join(root, ".dray", "bases");
  const store = await openLayout(dir, { create: true });
  // One tag per digest and platform: a multi-platform base is pulled one platform at a time.
  const tag = `${digestHex(digest).slice(0, 32)}.${[platform.os, platform.architecture, platform.variant].filter(Boolean).join("-")}`;
  if (!(await store.resolve(tag))) {
    const [{ createRegistryClient }, { pullImage }] = await Promise.all([
      import("../registry/client/client.js"),
      import("../registry/pull.js"),
    ]);
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
  return readBaseFromLayout(dir, tag, platform);
}
