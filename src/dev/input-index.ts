/**
 * Which service a changed file belongs to, and whether its content really changed: the input
 * files of every service's key, with the content hash each was built from. An editor that saves
 * without changing anything, or a checkout that touches files, changes no hash and starts nothing.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { buildForEngine } from "../engine/index.js";
import type { ServiceKey } from "../fingerprint/index.js";

export interface InputIndex {
  /** Services whose input key includes `rel` (a root-relative "/"-path); empty when none does. */
  servicesOf(rel: string): readonly string[];
  /** The content hash `rel` had when last built or updated. */
  hashOf(rel: string): string | undefined;
  /** Records the content a service now runs with. */
  remember(rel: string, hash: string): void;
}

/** sha256 hex of a file's content, or undefined when it is gone. */
export async function contentHash(file: string): Promise<string | undefined> {
  try {
    return createHash("sha256")
      .update(await readFile(file))
      .digest("hex");
  } catch {
    return undefined;
  }
}

/** The index of the keys of one platform ("linux/amd64"), or of each service's first platform. */
export function buildInputIndex(keys: ReadonlyMap<string, ServiceKey>, platform: string): InputIndex {
  const services = new Map<string, Set<string>>();
  const hashes = new Map<string, string>();
  for (const [name, key] of keys) {
    const chosen = buildForEngine(platform, key.platforms, (p) => p.platform) ?? key.platforms[0];
    if (!chosen) continue;
    for (const [rel, hash] of Object.entries(chosen.ingredients.files)) {
      if (!services.has(rel)) services.set(rel, new Set());
      services.get(rel)!.add(name);
      // The recorded form may carry an executable marker after the hex digest.
      hashes.set(rel, hash.slice(0, 64));
    }
  }
  return {
    servicesOf: (rel) => [...(services.get(rel) ?? [])].sort(),
    hashOf: (rel) => hashes.get(rel),
    remember: (rel, hash) => {
      hashes.set(rel, hash);
    },
  };
}

/** "/"-separated path of `file` relative to `root`. */
export function relativeTo(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}
