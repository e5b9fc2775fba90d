/** Resolving the supply-chain keys: the SBOM format, the signing key's path, the targets' policies. Pure. */
import path from "node:path";
import type { UserConfig } from "./schema.js";
import type { SbomFormatSetting, TargetPolicy } from "./types.js";

/** `sbom`, `sign` and every target's `require`, with paths made absolute against `root`. */
export function resolveSupplyChain(
  config: UserConfig,
  root: string,
): {
  sbom: SbomFormatSetting;
  sign?: { key: string };
  policies: Record<string, TargetPolicy>;
} {
  const policies: Record<string, TargetPolicy> = {};
  for (const [name, target] of Object.entries(config.targets ?? {})) {
    if (target.require) policies[name] = { signedBy: path.resolve(root, target.require.signed) };
  }
  return {
    sbom: config.sbom ?? "spdx",
    ...(config.sign ? { sign: { key: path.resolve(root, config.sign.key) } } : {}),
    policies,
  };
}
