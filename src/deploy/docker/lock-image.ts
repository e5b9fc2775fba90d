/**
 * The image the deploy-lock container is created from. An engine creates no container without an
 * image, and the lock must not depend on one the engine may lack, so dray loads its own: one empty
 * directory and a config, about 2 KB, the same bytes on every machine (so loading it again, or
 * from two deployers at once, is harmless). Its container is never started.
 * https://github.com/moby/moby/blob/master/image/spec/v1.2.md (the `docker save` archive)
 */
import { createHash } from "node:crypto";
import { type EngineClient, loadProblem } from "../../engine/index.js";
import { RemoteError } from "../../errors/index.js";
import { parsePlatform, writeTar } from "../../oci/index.js";

/** Fixed metadata: the archive's bytes depend on the platform alone. */
const TAR = { mtime: 0, uid: 0, gid: 0 };

/** The archive `POST /images/load` takes, and the tag it gives the image. */
export function lockImageArchive(platform: string): { archive: Buffer; tag: string } {
  const layer = writeTar([{ path: "dray-lock", type: "dir" }], TAR);
  const diffId = createHash("sha256").update(layer).digest("hex");
  const { os, architecture, variant } = parsePlatform(platform);
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os,
      ...(variant ? { variant } : {}),
      config: {
        // Never run: the container only holds the lock's labels and its heartbeat file.
        Cmd: ["/dray-lock/never-started"],
        Labels: { "org.opencontainers.image.title": "dray deploy lock" },
      },
      rootfs: { type: "layers", diff_ids: [`sha256:${diffId}`] },
    }),
  );
  const configHex = createHash("sha256").update(config).digest("hex");
  const tag = `dray-lock:${configHex.slice(0, 12)}`;
  const manifest = [{ Config: `${configHex}.json`, RepoTags: [tag], Layers: [`${diffId}/layer.tar`] }];
  const archive = writeTar(
    [
      { path: "manifest.json", type: "file", data: Buffer.from(JSON.stringify(manifest)) },
      { path: `${configHex}.json`, type: "file", data: config },
      { path: `${diffId}/layer.tar`, type: "file", data: layer },
    ],
    TAR,
  );
  return { archive, tag };
}

/**
 * Loads the lock image; returns its tag. Called only when the engine reported it missing: the tag
 * is known without asking, so the lock's create is tried first.
 */
export async function loadLockImage(engine: EngineClient, platform: string): Promise<string> {
  const { archive, tag } = lockImageArchive(platform);
  const res = await engine.raw({ method: "POST", path: "/images/load", query: { quiet: 1 }, body: archive });
  const problem = loadProblem(res.status, res.body);
  if (problem)
    throw new RemoteError(`container engine: cannot load the deploy-lock image ${tag}: ${problem}`, {
      status: res.status,
      retryable: false,
    });
  return tag;
}
