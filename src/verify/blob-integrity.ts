/**
 * Comparing digests proves nothing about the bytes on disk: a blob flipped after it was written keeps its
 * name. So every blob of every image `dray verify` compares is hashed too, in both layouts.
 */
import type { BlobState, Digest, LayoutStore, ManifestDocument } from "../oci/index.js";

/** Finds the first blob of an image whose file does not hash to its name; each blob is hashed once. */
export type BlobIntegrity = (manifest: Digest) => Promise<string | undefined>;

/** A checker for the images of `store`. */
export function blobIntegrity(store: LayoutStore): BlobIntegrity {
  const states = new Map<Digest, Promise<BlobState>>();
  const state = (digest: Digest) => {
    let found = states.get(digest);
    if (!found) {
      found = store.checkBlob(digest);
      states.set(digest, found);
    }
    return found;
  };
  const problem = async (digest: Digest): Promise<string | undefined> => {
    const found = await state(digest);
    if (found.state === "ok") return undefined;
    return found.state === "missing"
      ? `blob ${digest} is missing from ${store.root}`
      : `blob ${digest} in ${store.root} is corrupted: its content hashes to ${found.actual}`;
  };
  return async (manifest) => {
    const own = await problem(manifest);
    if (own) return own;
    const document = JSON.parse((await store.readBlob(manifest)).toString("utf8")) as ManifestDocument;
    const children = [document.config, ...document.layers].map((d) => d.digest);
    const problems = await Promise.all(children.map(problem));
    return problems.find((p) => p !== undefined);
  };
}
