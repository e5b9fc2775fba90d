/** A signature lives in the registry next to the image, so a target that requires one needs a registry. */
import { type Problem, problemAt } from "./problems.js";
import { isMap } from "./validate.js";

/** Every target whose `require` cannot be checked for lack of a registry; pure. */
export function checkSupplyChain(data: Record<string, unknown>): Problem[] {
  const hasRegistry = "registry" in data && data.registry !== null && data.registry !== undefined;
  if (hasRegistry || !isMap(data.targets)) return [];
  const problems: Problem[] = [];
  for (const [name, target] of Object.entries(data.targets)) {
    // A target with its own registry keeps its images, and their signatures, there.
    if (!isMap(target) || !isMap(target.require) || target.registry != null) continue;
    problems.push(
      problemAt(
        ["targets", name, "require"],
        "key",
        "a signature requirement needs a registry: signatures are stored next to the image there — add `registry`, or remove `require`",
      ),
    );
  }
  return problems;
}
