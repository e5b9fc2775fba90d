/**
 * TEST HELPER: one real registry per test file, a counting/fault-injecting proxy in front of it, clients
 * that go through the proxy (what dray does) and one that goes direct (the independent observer).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sha256Digest } from "../../src/oci/digest.js";
import type { Digest, ImageSet } from "../../src/oci/types.js";
import { createRegistryClient } from "../../src/registry/client/client.js";
import type { RegistryClient } from "../../src/registry/types.js";
import { startProxy, type TestProxy } from "./proxy.js";
import { startRegistry, type TestRegistry } from "./registry.js";
import { type SampleOptions, setBlobs, writeSampleImage } from "./sample-image.js";

/** Everything a registry test needs. */
export interface RegistryFixture {
  temp: string;
  registry: TestRegistry;
  proxy: TestProxy;
  /** Through the proxy, default upload tuning. */
  viaProxy: RegistryClient;
  /** Through the proxy, uploading in 64 KiB chunks so that faults also hit PATCHes mid-blob. */
  chunked: RegistryClient;
  /** Straight to the registry. */
  direct: RegistryClient;
  /** A sample image in a new layout under temp. */
  sample(options?: SampleOptions): ReturnType<typeof writeSampleImage>;
  /** Digest and size of what the registry holds for each blob and manifest of `set` (GET by digest); absent ones are missing. */
  remoteContent(repository: string, set: ImageSet): Promise<Map<Digest, number>>;
  stop(): Promise<void>;
}

/** Starts the registry and the proxy. */
export async function startRegistryFixture(): Promise<RegistryFixture> {
  const temp = await mkdtemp(path.join(tmpdir(), "dray-registry-test-"));
  const registry = await startRegistry({});
  const proxy = await startProxy(registry.url);
  // Retries wait at most 20 ms so that injected faults do not make the tests slow; more attempts than
  // the default, because the proxy may fail the same request twice in a row.
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 20)));
  const chunk = 64 * 1024;
  const direct = createRegistryClient(registry.url);
  let layouts = 0;
  return {
    temp,
    registry,
    proxy,
    direct,
    viaProxy: createRegistryClient(proxy.url, { maxAttempts: 8, sleep }),
    chunked: createRegistryClient(
      proxy.url,
      { maxAttempts: 8, sleep },
      { upload: { monolithicMaxBytes: chunk, chunkBytes: chunk } },
    ),
    sample: (options = {}) => writeSampleImage(path.join(temp, `layout-${layouts++}`), options),
    async remoteContent(repository, set) {
      const manifests = new Set(
        [set.index, ...set.images.map((i) => i.manifest)].map((b) => b?.descriptor.digest),
      );
      const found = new Map<Digest, number>();
      for (const [digest] of setBlobs(set)) {
        const bytes = manifests.has(digest)
          ? await direct.getManifest(repository, digest).then(
              (m) => m.bytes,
              () => undefined,
            )
          : await direct.getBlob(repository, digest).catch(() => undefined);
        if (bytes) found.set(sha256Digest(bytes), bytes.length);
      }
      return found;
    },
    async stop() {
      await proxy.stop();
      await registry.stop();
      await rm(temp, { recursive: true, force: true });
    },
  };
}
