/**
 * Loading an image from dray's OCI layout straight into a local engine (no registry): the engine's
 * `POST /images/load` takes Docker's archive format — manifest.json, the config, and each layer as
 * it is stored (the engine decompresses gzip layers itself). The image ID the engine reports is the
 * config digest, the same identity dray computes, so "is it there already?" is one GET.
 */
import { createReadStream } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { RemoteError } from "../errors/index.js";
import type { Descriptor, Digest, LayoutStore, ManifestDocument } from "../oci/index.js";
import type { EngineClient } from "./client.js";

/** True when the engine already has the image: by config digest, or by a reference such as "host/repo@sha256:…". */
export async function engineHasImage(engine: EngineClient, image: string): Promise<boolean> {
  const res = await engine.raw({ method: "GET", path: `/images/${image}/json` });
  return res.status === 200;
}

function blobPath(layout: LayoutStore, digest: Digest): string {
  return path.join(layout.root, "blobs", "sha256", digest.slice("sha256:".length));
}

/** Loads the image whose manifest is `manifest` (one platform) and tags it `tag`; returns its image ID. */
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
  const entries: { name: string; size: number; file?: string; data?: Buffer }[] = [
    {
      name: "manifest.json",
      data: Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: layerNames }])),
      size: 0,
    },
    { name: configName, size: document.config.size, file: blobPath(layout, document.config.digest) },
    ...document.layers.map((layer, i) => ({
      name: layerNames[i]!,
      size: layer.size,
      file: blobPath(layout, layer.digest),
    })),
  ];
  const feed = (async () => {
    for (const entry of entries) {
      if (entry.data) {
        pack.entry({ name: entry.name }, entry.data);
        continue;
      }
      const sink = pack.entry({ name: entry.name, size: entry.size });
      await pipeline(createReadStream(entry.file!), sink);
    }
    pack.finalize();
  })();
  feed.catch((error: unknown) => pack.destroy(error as Error));
  const res = await engine.raw({
    method: "POST",
    path: "/images/load",
    query: { quiet: true },
    body: pack,
    ...(signal ? { signal } : {}),
  });
  await feed;
  const problem = loadProblem(res.status, res.body);
  if (problem)
    throw new RemoteError(`container engine could not load ${tag}: ${problem}`, { status: res.status });
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
