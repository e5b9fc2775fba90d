/**
 * What dray itself put into an image, read back from the image: the layers dray made (the files
 * layer, the Go binary, a command's output) are told apart from the base's by the image config's
 * history, and every regular file in them is listed with its SHA-1 and SHA-256 — the SBOM describes
 * the bytes that shipped, not the files on disk now.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { BlobSource, Descriptor, Digest, ImageConfigFile, LayoutStore } from "../oci/index.js";
import type { ImageFile, LayerRole } from "./sbom-model.js";

/** A platform image's manifest, config and dray's layers, as the SBOM needs them. */
export interface ImageContents {
  /** Layers the base brought, in order. */
  baseLayers: number;
  files: ImageFile[];
}

/** What `dray: …` history comments say a layer is. */
function roleOf(createdBy: string | undefined): LayerRole | undefined {
  if (createdBy === "dray: files") return "files";
  if (createdBy?.startsWith("dray: app binary ")) return "binary";
  if (createdBy?.startsWith("dray: ") && createdBy.endsWith(" output")) return "output";
  return undefined;
}

/**
 * Reads the image `manifest` names (its documents from `source`) and lists the files of the layers
 * dray made, streamed from `layout` (hashed as they are read), so a large layer is never held whole.
 */
export async function readImageContents(
  source: BlobSource,
  layout: Pick<LayoutStore, "openBlob">,
  manifest: Descriptor,
  builtAs?: Descriptor,
): Promise<ImageContents> {
  const read = async (d: Descriptor) =>
    JSON.parse((await source.readBlob(d.digest)).toString("utf8")) as {
      config: Descriptor;
      layers: Descriptor[];
    };
  const document = await read(manifest);
  // The layers are read as built (`builtAs`: the same image with its layers stored uncompressed, when
  // `manifest` is its distribution form) and named as `manifest` names them.
  const stored = builtAs ? (await read(builtAs)).layers : document.layers;
  const config = JSON.parse(
    (await source.readBlob(document.config.digest)).toString("utf8"),
  ) as ImageConfigFile;
  // History entries without empty_layer line up with the manifest's layers, in order.
  const roles = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => roleOf(h.created_by));
  const files: ImageFile[] = [];
  let baseLayers = 0;
  for (const [i, layer] of document.layers.entries()) {
    const role = roles[i];
    if (!role) {
      baseLayers++;
      continue;
    }
    const from = stored[i] ?? layer;
    files.push(...(await layerFiles(layout.openBlob(from), from.mediaType, role, layer.digest)));
  }
  return { baseLayers, files };
}

/** Every regular file of a (gzipped) layer tar with its checksums. */
async function layerFiles(
  blob: Readable,
  mediaType: string,
  role: LayerRole,
  layer: Digest,
): Promise<ImageFile[]> {
  const { extract } = await import("tar-stream");
  const files: ImageFile[] = [];
  const reader = extract();
  reader.on("entry", (header, stream, next) => {
    const sha1 = createHash("sha1");
    const sha256 = createHash("sha256");
    let size = 0;
    stream.on("data", (data: unknown) => {
      const chunk = data as Buffer;
      sha1.update(chunk);
      sha256.update(chunk);
      size += chunk.length;
    });
    stream.on("end", () => {
      if (header.type === "file") {
        files.push({
          path: `/${header.name.replace(/^\.?\/*/, "")}`,
          sha1: sha1.digest("hex"),
          sha256: sha256.digest("hex"),
          size,
          role,
          layer,
        });
      }
      next();
    });
    stream.resume();
  });
  if (mediaType.endsWith("gzip")) await pipeline(blob, createGunzip(), reader);
  else await pipeline(blob, reader);
  return files;
}
