/**
 * Resolution of the registry settings: `registry` into a RegistryTarget, a registry base into
 * its BaseRef. Pure, like resolve.ts: validation has already checked every reference.
 */
import path from "node:path";
import { isImageReference, parseReference, parseRegistryPlace } from "../oci/index.js";
import type { BaseForm } from "./normalize.js";
import type { RegistryConfig } from "./schema.js";
import type { RegistryBase, RegistryTarget } from "./types.js";

/** The tag a reference names when it names neither a tag nor a digest, as every registry client assumes. */
export const DEFAULT_TAG = "latest";

/** `registry` as written, resolved: the host split from the path, the CA file absolute. */
export function resolveRegistryTarget(
  config: RegistryConfig | undefined,
  root: string,
): RegistryTarget | undefined {
  if (config === undefined) return undefined;
  const long = typeof config === "string" ? { url: config } : config;
  const place = parseRegistryPlace(long.url);
  if (!place) throw new Error(`registry ${JSON.stringify(long.url)} slipped past validation`);
  return {
    url: long.url,
    registry: place.registry,
    namespace: place.namespace,
    insecure: long.insecure ?? false,
    ...(long.ca === undefined ? {} : { caFile: path.resolve(root, long.ca) }),
  };
}

/**
 * A registry base, resolved. A base on the host `registry` names takes its `insecure` and `ca`
 * unless it sets its own: one local test registry is usually both where bases come from and
 * where images go, and saying "insecure" twice would be noise.
 */
export function resolveRegistryBase(
  base: Extract<BaseForm, { kind: "registry" }>,
  root: string,
  target: RegistryTarget | undefined,
): RegistryBase {
  if (!isImageReference(base.image))
    throw new Error(`base ${JSON.stringify(base.image)} slipped past validation`);
  const ref = parseReference(base.image);
  const sameHost = target?.registry === ref.registry ? target : undefined;
  const caFile = base.ca === undefined ? sameHost?.caFile : path.resolve(root, base.ca);
  const tag = ref.tag ?? (ref.digest === undefined ? DEFAULT_TAG : undefined);
  return {
    kind: "registry",
    image: base.image,
    registry: ref.registry,
    repository: ref.repository,
    ...(tag === undefined ? {} : { tag }),
    ...(ref.digest === undefined ? {} : { digest: ref.digest }),
    insecure: base.insecure ?? sameHost?.insecure ?? false,
    ...(caFile === undefined ? {} : { caFile }),
  };
}
