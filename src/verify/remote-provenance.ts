/**
 * The provenance statements a registry holds about one manifest: its OCI 1.1 referrers (from the
 * referrers API, or the `sha256-<hex>` tag schema) whose artifactType is an in-toto statement.
 */
import { IN_TOTO_MEDIA_TYPE } from "../attest/index.js";
import type { Digest } from "../oci/index.js";
import { fetchArtifact, listReferrers, type RegistryClient } from "../registry/index.js";
import { claimsAbout, type ProvenanceClaim } from "./provenance-claim.js";

/** The distinct dray provenance claims about `repository@digest`; none when nothing is attached. */
export async function fetchClaims(
  client: RegistryClient,
  repository: string,
  digest: Digest,
): Promise<ProvenanceClaim[]> {
  const listing = await listReferrers(client, repository, digest);
  const statements: Buffer[] = [];
  for (const descriptor of listing.descriptors) {
    if (descriptor.artifactType !== IN_TOTO_MEDIA_TYPE) continue;
    const artifact = await fetchArtifact(client, repository, descriptor);
    if (artifact?.layerMediaType === IN_TOTO_MEDIA_TYPE && artifact.subject === digest)
      statements.push(artifact.blob);
  }
  return claimsAbout(statements, digest);
}
