/**
 * Checking signatures without cosign: the image's referrers are listed, every Sigstore bundle among
 * them is opened with the public key, and the image counts as signed when one of them verifies and
 * its statement is cosign's "sign" predicate about exactly this digest.
 */
import type { Digest } from "../oci/index.js";
import { fetchArtifact, listReferrers, type RegistryClient } from "../registry/index.js";
import { BUNDLE_MEDIA_TYPE, mayHoldBundle, openBundle, SIGN_PREDICATE } from "./sign/bundle.js";
import type { VerifyKey } from "./sign/keys.js";

/** What the key verifies for one image. */
export interface SignatureCheck {
  digest: Digest;
  /** A signature of this digest by this key is there. */
  signed: boolean;
  /** Predicate types of the attestations this key signed about this digest (provenance, SBOM). */
  attestations: string[];
  /** Bundles found that this key did not sign (or that are about another digest). */
  others: number;
}

/** Verifies the signatures and attestations of `repository@digest` with `key`. */
export async function checkSignatures(
  client: RegistryClient,
  repository: string,
  digest: Digest,
  key: VerifyKey,
): Promise<SignatureCheck> {
  const listing = await listReferrers(client, repository, digest);
  const check: SignatureCheck = { digest, signed: false, attestations: [], others: 0 };
  for (const descriptor of listing.descriptors) {
    if (!mayHoldBundle(descriptor)) continue;
    const artifact = await fetchArtifact(client, repository, descriptor).catch(() => undefined);
    if (!artifact || artifact.layerMediaType !== BUNDLE_MEDIA_TYPE) continue;
    const opened = openBundle(artifact.blob, key);
    if (!opened || !opened.subjects.includes(digest)) {
      check.others++;
      continue;
    }
    if (opened.predicateType === SIGN_PREDICATE) check.signed = true;
    else if (!check.attestations.includes(opened.predicateType))
      check.attestations.push(opened.predicateType);
  }
  check.attestations.sort();
  return check;
}
