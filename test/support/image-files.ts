/**
 * What an image in an OCI layout really holds: its layers read from the layout's blobs and
 * unpacked, so that tests assert the contents of an image rather than the digests dray reports.
 */
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { openLayout } from "../../src/oci/layout.js";
import { parsePlatform } from "../../src/oci/platform.js";
import type { ManifestDocument } from "../../src/oci/resolve-image.js";
import { resolveImage } from "../../src/oci/resolve-image.js";
import type { Digest } from "../../src/oci/types.js";

/** An entry of an image's file system: a file's text, "dir", or "-> target" for a symlink. */
export type ImageFiles = Map<string, string>;

/** The files of the image tagged `ref` (for `platform`, when it is an index) in the layout at `layoutDir`. */
export async function imageFiles(layoutDir: string, ref: string, platform?: string): Promise<ImageFiles> {
  const layout = await openLayout(layoutDir);
  const image = await resolveImage(layout, ref, platform === undefined ? undefined : parsePlatform(platform));
  return manifestFiles(layoutDir, image.manifest);
}

/** The files of the image whose manifest has `digest`, read from the layout at `layoutDir`. */
export async function manifestFilesByDigest(layoutDir: string, digest: Digest): Promise<ImageFiles> {
  const layout = await openLayout(layoutDir);
  const manifest = JSON.parse((await layout.readBlob(digest)).toString("utf8")) as ManifestDocument;
  return manifestFiles(layoutDir, manifest);
}

async function manifestFiles(layoutDir: string, manifest: ManifestDocument): Promise<ImageFiles> {
  const layout = await openLayout(layoutDir);
  const files: ImageFiles = new Map();
  for (const layer of manifest.layers) {
    // dray's own layers are plain tars in the layout; a base's, or a pushed image's, are gzipped.
    const bytes = await layout.readBlob(layer.digest);
    const tar = layer.mediaType.includes("gzip") ? gunzipSync(bytes) : bytes;
    for (const [name, value] of await untar(tar)) files.set(name, value);
  }
  return files;
}

async function untar(tar: Buffer): Promise<[string, string][]> {
  const entries: [string, string][] = [];
  const reader = extract();
  const done = new Promise<void>((resolve, reject) => {
    reader.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk) => chunks.push(chunk as Buffer));
      stream.on("end", () => {
        const name = header.name.replace(/\/$/, "");
        if (header.type === "directory") entries.push([name, "dir"]);
        else if (header.type === "symlink") entries.push([name, `-> ${header.linkname}`]);
        else entries.push([name, Buffer.concat(chunks).toString("utf8")]);
        next();
      });
      stream.resume();
    });
    reader.on("finish", resolve);
    reader.on("error", reject);
  });
  reader.end(tar);
  await done;
  return entries;
}
