/**
 * Per-target service overrides (`targets.prod.services.orders`) name services of dray.yaml: an
 * unknown name is a problem at its own key, with the closest service named. Checked on the targets
 * as written, so an override a child inherits is reported once, where it is written. Pure.
 */
import { type Problem, problemAt } from "./problems.js";
import { closest } from "./suggest.js";

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Problems for every override of a service dray.yaml does not list. */
export function targetServiceProblems(data: Record<string, unknown>): Problem[] {
  const targets = data["targets"];
  if (!isMap(targets) || !isMap(data["services"])) return [];
  const services = Object.keys(data["services"]);
  const problems: Problem[] = [];
  for (const [target, settings] of Object.entries(targets)) {
    if (!isMap(settings) || !isMap(settings["services"])) continue;
    for (const name of Object.keys(settings["services"])) {
      if (services.includes(name)) continue;
      const guess = closest(name, services);
      problems.push(
        problemAt(
          ["targets", target, "services", name],
          "key",
          `${JSON.stringify(name)} is not a service of this project${guess ? ` — did you mean ${JSON.stringify(guess)}?` : ""} (services: ${services.join(", ")})`,
        ),
      );
    }
  }
  return problems;
}
