/**
 * A target's deploy policy (`require: { signed: KEY.pub }`): before anything on the target changes,
 * every image about to run must carry a signature that verifies with the key, or the deploy stops
 * and names each service whose image does not.
 */
import path from "node:path";
import type { ResolvedConfig } from "../config/index.js";
import { UserError } from "../errors/index.js";
import { type Digest, repositoryIn } from "../oci/index.js";
import { createRegistryClient } from "../registry/index.js";
import { shortDigest } from "../report/index.js";
import { loadVerifyKey } from "./sign/keys.js";
import { checkSignatures } from "./verify.js";

/** Throws, naming the services, unless every image in `images` is signed as `target`'s policy requires. */
export async function requireSignedImages(
  config: ResolvedConfig,
  target: string,
  images: readonly { service: string; digest: Digest }[],
): Promise<void> {
  const policy = config.policies[target];
  if (!policy || images.length === 0) return;
  const key = await loadVerifyKey(policy.signedBy);
  const registry = config.registry!;
  const client = createRegistryClient(registry.registry, {
    insecure: registry.insecure,
    ...(registry.caFile ? { caFile: registry.caFile } : {}),
  });
  const unsigned: string[] = [];
  try {
    for (const { service, digest } of images) {
      const check = await checkSignatures(client, repositoryIn(registry, service), digest, key);
      if (!check.signed) unsigned.push(`${service} (${shortDigest(digest)})`);
    }
  } finally {
    client.close();
  }
  if (unsigned.length === 0) return;
  const keyName = path.relative(config.root, policy.signedBy) || policy.signedBy;
  throw new UserError(
    `target ${target} requires images signed by ${keyName}; no valid signature for ${unsigned.join(", ")}`,
    {
      hint: `Nothing was changed on ${target}. Push signed images first (\`dray push --sign-key KEY\`, or \`sign: { key: … }\` in dray.yaml), or check that ${config.locate(["targets", target, "require", "signed"])} names the right public key.`,
    },
  );
}
