/** Base images from a local OCI layout (e.g. `skopeo copy docker://… oci:DIR:TAG`), with lazy layers. */
import { ExitCode, UserError } from "../errors/index.js";
import type { BaseImage } from "./image.js";
import { layerFromBlob } from "./layer.js";
import { openLayout } from "./layout.js";
import { resolveImage } from "./resolve-image.js";
import {
  type Blob,
  type Descriptor,
  type HistoryEntry,
  type Layer,
  MediaType,
  type Platform,
} from "./types.js";

/**
 * Media types of base layers, and how dray describes them. Docker's gzip layer is the same bytes as OCI's
 * tar+gzip, so it is re-described as OCI: dray's output never mixes Docker and OCI media types.
 */
const LAYER_TYPES = new Map<string, string>([
  [MediaType.layerGzip, MediaType.layerGzip],
  [MediaType.layerTar, MediaType.layerTar],
  [MediaType.dockerLayerGzip, MediaType.layerGzip],
  ["application/vnd.oci.image.layer.v1.tar+zstd", "application/vnd.oci.image.layer.v1.tar+zstd"],
]);

/**
 * The image `ref` in the layout at `layoutDir`, for `platform`. Manifest and config are read (and
 * verified) now; layer bytes are read, and verified against their digest, only when a sink needs them.
 */
export async function readBaseFromLayout(
  layoutDir: string,
  ref: string,
  platform: Platform,
): Promise<BaseImage> {
  const store = await openLayout(layoutDir);
  const { descriptor, manifest, config } = await resolveImage(store, ref, platform);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new UserError(
      `base image ${ref} is inconsistent: ${manifest.layers.length} layers but ${diffIds.length} diff_ids`,
    );
  }
  const comments = layerComments(config.history ?? []);
  const layers = manifest.layers.map((layer, i): Layer => {
    const blob: Blob = {
      descriptor: ociLayerDescriptor(layer, ref),
      bytes: () => store.readBlob(layer.digest),
    };
    return layerFromBlob(blob, diffIds[i]!, comments[i] || `base ${ref} layer ${i + 1}`);
  });
  return {
    platform: {
      os: config.os,
      architecture: config.architecture,
      variant: config.variant ?? platform.variant,
    },
    config,
    layers,
    manifestDigest: descriptor.digest,
  };
}

function ociLayerDescriptor(layer: Descriptor, ref: string): Descriptor {
  const mediaType = LAYER_TYPES.get(layer.mediaType);
  if (!mediaType) {
    throw new UserError(`base image ${ref} has a layer of unsupported media type ${layer.mediaType}`, {
      exitCode: ExitCode.usage,
      hint: "use a Linux base image with gzip or uncompressed layers",
    });
  }
  return { mediaType, digest: layer.digest, size: layer.size, annotations: layer.annotations };
}

/** history[].created_by of the entries that made layers, in layer order. */
function layerComments(history: HistoryEntry[]): string[] {
  return history.filter((entry) => !entry.empty_layer).map((entry) => entry.created_by ?? "");
}
