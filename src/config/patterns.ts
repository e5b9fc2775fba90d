/**
 * Value patterns shared by the schema (which validates with them) and resolution (which parses with
 * them). Kept apart from the zod schema so code that only parses never loads zod.
 */

/** "oci:<layout-dir>:<ref>"; the ref is everything after the second colon, so it may hold a tag. */
export const LAYOUT_BASE_PATTERN = /^oci:([^:]+):(.+)$/;

/** "from:to", where `to` is absolute; `from` holds no colon so the split is never ambiguous. */
export const FILE_SHORT_PATTERN = /^([^:/][^:]*):(\/.*)$/;

/** "500ms", "30s", "2m" or a number of seconds. */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m)$/;

/** "8080", "18080:8080" (host:container), "18080:8080/udp", or a number: the same port on both sides. */
export const PUBLISH_PATTERN = /^(?:(\d{1,5}):)?(\d{1,5})(?:\/(tcp|udp))?$/;

/** A memory size: "256Mi", "1.5Gi", "512Ki" (binary units, as Kubernetes writes them) or bytes. */
export const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)$/;
