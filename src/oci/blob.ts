/** Blobs whose bytes are already in memory: configs, manifests, indexes and freshly built layers. */
import { sha256Digest } from "./digest.js";
import type { Blob, Descriptor } from "./types.js";

/** A blob over `data`; its descriptor names exactly these bytes. `extra` adds platform or annotations to the descriptor. */
export function blobFromBytes(
  mediaType: string,
  data: Buffer,
  extra: Pick<Descriptor, "platform" | "annotations"> = {},
): Blob {
  const descriptor: Descriptor = { mediaType, digest: sha256Digest(data), size: data.length, ...extra };
  return { descriptor, bytes: async () => data };
}
