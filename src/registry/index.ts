/** The public face of src/registry: what other stages may use. */

export type { ClosableRegistryClient } from "./client/client.js";
export { createRegistryClient } from "./client/client.js";
export { type CopyEnd, type CopyResult, copyImage, type RemoteImage, readRemoteImage } from "./copy.js";
export { createDefaultCredentialSource } from "./credentials.js";
export { pullImage, resolveRemote } from "./pull.js";
export type { PushEvent, PushResult } from "./push.js";
export { pushImage } from "./push.js";
export {
  type Artifact,
  type AttachResult,
  artifactManifest,
  attachReferrers,
  type FetchedArtifact,
  fetchArtifact,
  listReferrers,
  type ReferrerDescriptor,
  type ReferrerListing,
  referrersTag,
} from "./referrers.js";
export {
  cacheTag,
  LAST_ENTRY_TAG,
  lookupCacheEntry,
  lookupLastEntry,
  storeCacheEntry,
} from "./registry-cache.js";
export type { Credential, CredentialSource, RegistryClient } from "./types.js";
