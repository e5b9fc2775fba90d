import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { extract } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { blobFile, flipByte } from "../../test/support/damage.js";
import { writeSampleImage } from "../../test/support/sample-image.js";
import { UserError } from "../errors/errors.js";
import type { LayoutStore } from "../oci/layout.js";
import type { ImageSet } from "../oci/types.js";
import type { EngineClient, EngineRequest } from "./client.js";
import { loadImage } from "./load.js";

let temp: string;
let store: LayoutStore;
let set: ImageSet;
beforeEach(async () => {
  temp = await mkdtemp(path.join(tmpdir(), "dray-load-"));
  ({ store, set } = await writeSampleImage(path.join(temp, "oci")));
});
afterEach(async () => {
  await rm(temp, { recursive: true, force: true });
});

/** An engine that reads the archive as Docker does, recording each entry it received whole. */
function fakeEngine(): { engine: EngineClient; entries: string[]; complete: () => boolean } {
  const entries: string[] = [];
  let complete = false;
  const raw = async (request: EngineRequest) => {
    const reader = extract();
    reader.on("entry", (header, stream, next) => {
      let bytes = 0;
      // An entry cut off when the archive breaks errors too; the archive's own error is what counts.
      stream.on("error", () => undefined);
      stream.on("data", (chunk) => {
        bytes += (chunk as Buffer).length;
      });
      stream.on("end", () => {
        if (bytes === header.size) entries.push(header.name);
        next();
      });
    });
    await pipeline(request.body as Readable, reader);
    complete = true;
    return { status: 200, body: Buffer.from('{"stream":"Loaded image"}\n') };
  };
  const engine = { raw } as unknown as EngineClient;
  return { engine, entries, complete: () => complete };
}

describe("loadImage", () => {
  it("sends manifest.json, the config and every layer", async () => {
    const { engine, entries, complete } = fakeEngine();
    const image = set.images[0]!;
    expect(await loadImage(engine, store, image.manifest.descriptor, "shop/api:1")).toBe(image.id);
    expect(complete()).toBe(true);
    expect(entries).toHaveLength(2 + image.layers.length);
  });

  it("stops before the end of a corrupted layer, naming it: the engine never gets a whole archive", async () => {
    const { engine, entries, complete } = fakeEngine();
    const image = set.images[0]!;
    const layer = image.layers[1]!.blob.descriptor;
    await flipByte(blobFile(store.root, layer.digest));
    const failure = await loadImage(engine, store, image.manifest.descriptor, "shop/api:1").catch((e) => e);
    expect(failure).toBeInstanceOf(UserError);
    expect(failure.message).toContain(`blob ${layer.digest}`);
    expect(failure.message).toContain("is corrupted");
    expect(complete()).toBe(false);
    expect(entries).not.toContain(`${layer.digest.slice(7)}/layer.tar`);
  });
});
