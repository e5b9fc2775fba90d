/**
 * Loading an image from dray's OCI layout straight into a local engine (no registry): the engine's
 * `POST /images/load` takes Docker's archive format — manifest.json, the config, and each layer as
 * it is stored: dray's own layers as the plain tars a build wrote (nothing is compressed on this
 * path), a base's gzip layers as they came (the engine decompresses them). The image ID the engine reports is the
 * config digest, the same identity dray computes, so "is it there already?" is one GET.
 */
import { pipeline } from "node:stream/promises";
import { isExpectedError, RemoteError } from "../errors/index.js";
import type { Descriptor, Digest, LayoutStore, ManifestDocument } from "../oci/index.js";
import type { EngineClient } from "./client.js";

/** True when the engine already has the image: by config digest, or by a reference such as "host/repo@sha256:…". */
export async function engineHasImage(engine: EngineClient, image: string): Promise<boolean> {
  const res = await engine.raw({ method: "GET", path: `/images/${image}/json` });
  return res.status === 200;
}

/**
 * Loads the image whose manifest is `manifest` (one platform) and tags it `tag`; returns its image ID.
 * Every blob is hashed as it streams, and one that does not match its digest stops the load before its
 * last bytes are sent: the engine never receives a whole archive, so it loads no image and moves no tag.
 */
export async function loadImage(
  engine: EngineClient,
  layout: LayoutStore,
  manifest: Descriptor,
  tag: string,
  signal?: AbortSignal,
): Promise<Digest> {
  const document = JSON.parse((await layout.readBlob(manifest.digest)).toString("utf8")) as ManifestDocument;
  const configName = `${document.config.digest.slice("sha256:".length)}.json`;
  const layerNames = document.layers.map((l) => `${l.digest.slice("sha256:".length)}/layer.tar`);
  const { pack: createPack } = await import("tar-stream");
  const pack = createPack();
  // Its errors reach the caller through the feed and the request; not also as an uncaught event.
  pack.on("error", () => undefined);
  const blobs: { name: string; descriptor: Descriptor }[] = [
    { name: configName, descriptor: document.config },
    ...document.layers.map((layer, i) => ({ name: layerNames[i]!, descriptor: layer })),
  ];
  const feed = (async () => {
    const list = [{ Config: configName, RepoTags: [tag], Layers: layerNames }];
    pack.entry({ name: "manifest.json" }, Buffer.from(JSON.stringify(list)));
    for (const { name, descriptor } of blobs) {
      const sink = pack.entry({ name, size: descriptor.size });
      await pipeline(layout.openBlob(descriptor), sink);
    }
    pack.finalize();
  })();
  feed.catch((error: unknown) => pack.destroy(error as Error));
  const answer = engine
    .raw({
      method: "POST",
      path: "/images/load",
      query: { quiet: true },
      body: pack,
      ...(signal ? { signal } : {}),
    })
    // An engine that answers before reading everything (a full disk) must not leave the feed waiting.
    .finally(() => pack.destroy());
  const [fed, answered] = await Promise.allSettled([feed, answer]);
  // A blob that failed its check is the cause; what the engine made of the cut-off archive is not.
  if (fed.status === "rejected" && isExpectedError(fed.reason)) throw fed.reason;
  if (answered.status === "rejected") throw answered.reason;
  const res = answered.value;
  const problem = loadProblem(res.status, res.body);
  if (problem)
    throw new RemoteError(`container engine could not load ${tag}: ${problem}`, { status: res.status });
  if (fed.status === "rejected") throw fed.reason;
  return document.config.digest;
}

/** The engine answers 200 and reports errors inside its JSON message stream; either way, the first error. */
export function loadProblem(status: number, body: Buffer): string | undefined {
  const text = body.toString("utf8");
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const message = JSON.parse(line) as {
        error?: string;
        errorDetail?: { message?: string };
        message?: string;
      };
      if (message.error || message.errorDetail) return message.errorDetail?.message ?? message.error;
      if (status >= 300 && message.message) return message.message;
    } catch {
      if (status >= 300) return line.slice(0, 300);
    }
  }
  return status >= 300 ? `HTTP ${status}` : undefined;
}
