/**
 * The last step of the pipeline: publishing what a build produced. Blobs are read from the layout,
 * with the manifests, configs and indexes the build still holds in memory in front of it. The
 * registry client loads only when something is published.
 */
import { type LayoutStore, withDocuments } from "../oci/index.js";
import type { PublishOptions, PublishReport } from "../publish/index.js";
import type { BuildOutcome } from "./types.js";

/** Push every service of `outcome` that has an image, with `tags`. */
export async function publishBuilt(
  outcome: Pick<BuildOutcome, "entries" | "documents">,
  layout: LayoutStore,
  options: Omit<PublishOptions, "entries" | "source" | "layout">,
): Promise<PublishReport[]> {
  const { publishServices } = await import("../publish/index.js");
  return publishServices({
    ...options,
    entries: outcome.entries,
    source: withDocuments(layout, outcome.documents),
    // Pushed in distribution form: the layers the build stored uncompressed are gzipped now.
    layout,
  });
}
