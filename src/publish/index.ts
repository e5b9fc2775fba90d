/**
 * Publishing to the project's registry: each service's images to <registry>/<service>, sending only
 * what the registry lacks, and the registry as a shared build cache (`cache: registry`).
 */
export { type PublishOptions, type PublishReport, publishByDigest, publishServices } from "./publish.js";
export { type RegistryCache, type RegistryCacheOptions, registryCache } from "./registry-cache.js";
export { clientFor, repositoryOf, requireRegistry } from "./target.js";
