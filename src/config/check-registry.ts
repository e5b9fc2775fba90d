/**
 * Checks between registry settings that the schema of one key cannot see: a registry cache needs
 * a registry, and with a registry every service's name becomes part of a repository name, whose
 * grammar is stricter than dray's service names. Works on the raw data, next to validation.
 */
import { isRepositoryComponent } from "../oci/index.js";
import { type Problem, problemAt } from "./problems.js";
import { serviceName } from "./schema-fields.js";
import { isMap } from "./validate.js";

/** Every cross-key problem of the registry settings; pure. */
export function checkRegistrySettings(data: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const hasRegistry = "registry" in data && data.registry !== null && data.registry !== undefined;
  if (data.cache === "registry" && !hasRegistry) {
    problems.push(
      problemAt(
        ["cache"],
        "key",
        "a registry cache needs a registry to live in — add `registry` (e.g. registry: 127.0.0.1:5000/shop), or use cache: local",
      ),
    );
  }
  if (hasRegistry && isMap(data.services)) {
    for (const name of Object.keys(data.services)) {
      // A name that is no service name at all is reported once, by validation.
      if (isRepositoryComponent(name) || !serviceName.safeParse(name).success) continue;
      const message = `${JSON.stringify(name)} cannot name a repository in the registry — end it with a letter or digit, and put a single "-", "_" or "__" between words`;
      problems.push(problemAt(["services", name], "key", message));
    }
  }
  return problems;
}
