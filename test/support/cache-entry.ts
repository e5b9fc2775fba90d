/** Cache entries for tests, keyed the way a build keys them: a cache ignores an entry whose key is not its platforms' keys combined. */
import type { CacheEntry } from "../../src/cache/entry.js";
import { platformKeyOf, serviceKeyOf } from "../../src/fingerprint/input-keys.js";
import type { ServiceKey } from "../../src/fingerprint/types.js";
import { sha256Digest } from "../../src/oci/digest.js";
import { platformName } from "../../src/oci/platform.js";
import type { Descriptor, ImageSet } from "../../src/oci/types.js";

/** Ingredients with nothing in them, for entries whose ingredients a test does not read. */
export const NO_INGREDIENTS = {
  format: 2,
  platform: "linux/amd64",
  settings: {},
  files: {},
  packages: {},
  modules: {},
};

/** One linux/amd64 platform named by `name`, its manifest `manifest`, keyed by its ingredients. */
export function testPlatform(name: string, manifest: Descriptor): CacheEntry["platforms"][number] {
  const ingredients = { ...NO_INGREDIENTS, settings: { name } };
  return {
    platform: "linux/amd64",
    key: platformKeyOf(ingredients),
    imageId: sha256Digest(`image:${name}`),
    manifest,
    size: 1,
    ingredients,
  };
}

/** The key of every platform of `set`, and the service's, as a build computes them (no real inputs). */
export function testKey(service: string, set: ImageSet): ServiceKey {
  const platforms = set.images.map((image) => {
    const ingredients = { ...NO_INGREDIENTS, platform: platformName(image.platform), settings: { service } };
    return { platform: ingredients.platform, key: platformKeyOf(ingredients), ingredients };
  });
  return { service, key: serviceKeyOf(platforms), platforms };
}

/** The entry with `key` set to what its platforms' keys combine into. */
export function keyed(entry: Omit<CacheEntry, "key">): CacheEntry {
  return { ...entry, key: serviceKeyOf(entry.platforms) };
}
